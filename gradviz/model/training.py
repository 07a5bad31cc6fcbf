"""One step of gradient descent on Θ (the sheet's Q7): ``Θ ← Θ − lr · ∇l(Θ)``."""

from __future__ import annotations

from gradviz.engine.ops import Array
from gradviz.model.network import Network


def gradient_step(net: Network, lr: float) -> tuple[float, Array]:
    """Move ``net``'s parameters one step downhill, in place. Returns the loss
    before the step and the gradient used. Raises ``ValueError`` without a loss."""
    ev = net.evaluate()
    if ev.loss is None or ev.gradient is None:
        raise ValueError("the network has no loss to descend")
    net.set_theta(ev.theta - lr * ev.gradient)
    return ev.loss, ev.gradient
