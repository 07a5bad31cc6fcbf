"""gradviz — see backpropagation.

Python API (a contract)::

    import gradviz
    net = gradviz.load("exercise3")      # a path or a bundled example's name
    r = gradviz.evaluate(net)
    r.values["z"], r.theta, r.theta_names, r.jacobian, r.loss, r.gradient

``gradviz.evaluate`` returns an :class:`~gradviz.engine.evaluate.Evaluation`:
numpy arrays throughout, plus per-node gradients, output Jacobians, local
Jacobians and the ReLU kinks hit (``nondifferentiable``).
"""

from __future__ import annotations

import os

from gradviz.engine.evaluate import Evaluation
from gradviz.model.fileformat import ModelError, load, save
from gradviz.model.network import Network

__version__ = "0.1.0"
__all__ = ["Evaluation", "ModelError", "Network", "evaluate", "load", "save", "__version__"]


def evaluate(net: Network | str | os.PathLike[str]) -> Evaluation:
    """Values, ``J_f(Θ)``, loss and ``∇l(Θ)`` of a network (or of a file / example name)."""
    if not isinstance(net, Network):
        net = load(net)
    return net.evaluate()
