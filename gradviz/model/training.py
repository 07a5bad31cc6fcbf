"""Gradient descent on Θ (the sheet's Q7): ``Θ ← Θ − lr · ∇l(Θ)``.

:func:`gradient_step` takes one step whatever the numbers; :func:`descend`
takes up to N steps and refuses the first one that would leave finite
arithmetic (a loss or gradient that is NaN/±inf, a step that overflows, or a
step that lands where the loss is no longer finite), so one bad number never
poisons every weight.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from gradviz.engine.evaluate import Evaluation
from gradviz.engine.exact import format_scalar
from gradviz.engine.numbers import NumberError, parse_number
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


def parse_learning_rate(text: str) -> float:
    """The step size typed as ``0.1``, ``1/2`` or ``5e-3``: a finite float > 0.
    Raises :class:`NumberError` saying why not in one sentence (no full stop)."""
    t = text.strip()
    if not t:
        raise NumberError("the learning rate is empty: type a number greater than 0, such as 0.1")
    try:
        lr = parse_number(t)
    except NumberError:
        try:  # nan, inf, 1e400: numbers, but not finite ones
            lr = float(t.replace("\u2212", "-"))
        except ValueError:
            raise NumberError(
                f"the learning rate must be a number greater than 0 (0.1, 1/2, 5e-3), not {t}"
            ) from None
    if math.isnan(lr) or (math.isinf(lr) and t.lower().lstrip("+-\u2212").startswith("inf")):
        raise NumberError(f"the learning rate must be a finite number, not {t}")
    if math.isinf(lr):
        raise NumberError(f"the learning rate {t} is too large for a float64")
    if lr <= 0:
        zero = " (it is 0 in float64)" if lr == 0 and _nonzero_text(t) else ""
        raise NumberError(f"the learning rate must be greater than 0, not {t}{zero}")
    return lr


def _nonzero_text(t: str) -> bool:
    """Whether ``t`` has a nonzero digit before any exponent (``1e-400`` has)."""
    mantissa = t.lower().split("e")[0]
    return any(c in "123456789" for c in mantissa)


@dataclass(frozen=True)
class Descent:
    """What :func:`descend` did.

    ``losses``: the loss at the start and after each step taken (``taken + 1``
    floats; all but possibly the first finite); ``first_gradient``: ``∇l(Θ)``
    (n,) at the start; ``refused``: why step ``taken + 1`` was not taken (one
    sentence, no full stop), None when every requested step was taken;
    ``stuck``: the refusal is about the point reached itself (its loss or
    gradient is not finite), so no learning rate can help.
    """

    taken: int
    losses: list[float]
    first_gradient: Array
    refused: str | None = None
    stuck: bool = False


def descend(net: Network, lr: float, steps: int) -> Descent:
    """Up to ``steps`` steps of ``Θ ← Θ − lr · ∇l(Θ)`` on ``net``, in place.

    Stops before the first step whose loss or gradient at the current Θ is not
    finite, whose new Θ overflows float64, or whose new Θ has a non-finite
    loss; ``net`` then holds the last point reached (its Θ is never poisoned).
    ``steps + 1`` evaluations at the most. Raises ``ValueError`` when the
    network has no loss or ``lr`` is not a finite number > 0."""
    if not (math.isfinite(lr) and lr > 0):
        raise ValueError(f"the learning rate must be a finite number > 0, not {_show(lr)}")
    ev = net.evaluate()
    if ev.loss is None or ev.gradient is None:
        raise ValueError("the network has no loss to descend")
    losses, first_gradient = [ev.loss], ev.gradient
    for k in range(steps):
        assert ev.loss is not None and ev.gradient is not None
        with np.errstate(over="ignore", invalid="ignore"):
            theta = ev.theta - lr * ev.gradient
        # one check for both: a NaN/inf in ∇l(Θ) makes its entry of Θ − lr·∇l(Θ) one too
        if not (math.isfinite(ev.loss) and np.isfinite(theta).all()):
            if not (math.isfinite(ev.loss) and np.isfinite(ev.gradient).all()):
                return Descent(k, losses, first_gradient, _not_finite_at(ev), stuck=True)
            name = ev.theta_names[int(np.flatnonzero(~np.isfinite(theta))[0])]
            why = f"the new {name} = {name} − lr·∂{ev.loss_node}/∂{name} overflows float64"
            return Descent(k, losses, first_gradient, f"{why} ({_smaller(lr)})")
        net.set_theta(theta)
        after = net.evaluate()
        assert after.loss is not None
        if not math.isfinite(after.loss):
            net.set_theta(ev.theta)
            why = f"the loss would be {_show(after.loss)} after it"
            return Descent(k, losses, first_gradient, f"{why} ({_smaller(lr)})")
        losses.append(after.loss)
        ev = after
    return Descent(steps, losses, first_gradient)


def _not_finite_at(ev: Evaluation) -> str:
    """Why no step can start at ``ev``'s Θ, whose loss or gradient is not finite."""
    assert ev.loss is not None and ev.gradient is not None
    if not math.isfinite(ev.loss):
        return f"the loss is {_show(ev.loss)} at these weights"
    bad = np.flatnonzero(~np.isfinite(ev.gradient))
    i = int(bad[0])
    more = "" if bad.size == 1 else f" (and {bad.size - 1} more {_entries(bad.size - 1)})"
    return (
        f"the gradient is not finite at these weights: "
        f"∂{ev.loss_node}/∂{ev.theta_names[i]} = {_show(float(ev.gradient[i]))}{more}"
    )


def _entries(n: int) -> str:
    return "entry" if n == 1 else "entries"


def _smaller(lr: float) -> str:
    return f"try a learning rate smaller than {_show(lr)}"


def _show(x: float) -> str:
    return format_scalar(x, exact=False, digits=6, unicode_minus=True)
