"""Finite-difference checks of every Jacobian the engine computes.

Central differences in float64, ``D(h) = (y(x + h e_j) − y(x − h e_j)) / 2h``,
refined by one Richardson step ``(4 D(h/2) − D(h)) / 3`` (error ``O(h⁴)``),
starting from ``h = 1e-6 · max(1, |x_j|)``. Where ``D(h)`` and ``D(h/2)`` still
differ (a function that bends sharply, like ``−ln x`` at a small probability, or
a ReLU kink within reach of the step) or a step leaves the domain (a NaN), ``h``
shrinks tenfold, up to :data:`SHRINKS` times, and the estimate whose two halves
agree best is kept. An entry agrees when ``|analytic − numeric| ≤ atol + rtol · |numeric|``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from gradviz.engine.evaluate import (
    Evaluation,
    Program,
    ProgramNode,
    evaluate_program,
    forward,
)
from gradviz.engine.ops import Array

RTOL = 1e-6
ATOL = 1e-6


@dataclass(frozen=True)
class CheckRow:
    """One checked Jacobian: its name, shape, the largest absolute difference
    between analytic and numeric entries, and whether it passes.

    ``near_kink``: computed where a ReLU input is exactly 0. ``skipped``: the
    entries disagree there, which finite differences cannot avoid at a kink, so
    the row passes (``ok``) without having been confirmed."""

    name: str
    shape: tuple[int, ...]
    max_error: float
    ok: bool
    near_kink: bool = False
    skipped: bool = False


SHRINKS = 8
"""How many times a step may shrink tenfold before the best estimate is taken."""


def numeric_jacobian(fn: Callable[[Array], Array], x: Array, rel_step: float = 1e-6) -> Array:
    """Finite-difference Jacobian of ``fn`` at ``x``: shape (fn(x).size, x.size).

    Column ``j`` is the Richardson-refined central difference described above,
    written ``D(h/2) + (D(h/2) − D(h)) / 3`` so that it overflows only where the
    differences themselves do. An estimate is scored by
    ``max(|D(h/2) − D(h)|, 10 ε max|y| / h)``: the disagreement of its two halves,
    but never below the rounding noise of a step ``h``, so that a tiny step whose
    two halves agree by accident never wins.

    Huge values (a weight of 1e308) are not warned about: where every step
    overflows, the column holds the ``inf``/``NaN`` of a plain central difference,
    which :func:`compare` reports as a disagreement."""
    x = np.asarray(x, dtype=np.float64)
    with np.errstate(all="ignore"):
        cols = [_column(fn, x, j, rel_step) for j in range(x.size)]
        return np.stack(cols, axis=1) if cols else np.zeros((np.size(fn(x)), 0))


def _column(fn: Callable[[Array], Array], x: Array, j: int, rel_step: float) -> Array:
    """Column ``j`` of :func:`numeric_jacobian`: the best-scored estimate over
    steps ``h = first / 10^k`` (plus ``rel_step · |x_j|`` for a tiny ``x_j``)."""
    flat = x.ravel()
    eps = float(np.finfo(np.float64).eps)

    def central(h: float) -> tuple[Array, float]:
        """``D(h)`` and ``max |y|`` over its two evaluations."""
        up, down = flat.copy(), flat.copy()
        up[j] += h
        down[j] -= h
        y_up = np.asarray(fn(up.reshape(x.shape)), dtype=np.float64).ravel()
        y_down = np.asarray(fn(down.reshape(x.shape)), dtype=np.float64).ravel()
        scale = float(np.max(np.abs(np.concatenate([y_up, y_down])), initial=0.0))
        return (y_up - y_down) / (2 * h), scale

    size = abs(float(flat[j]))
    first = rel_step * max(1.0, size)
    steps = [first / 10.0**k for k in range(SHRINKS + 1)]
    if 0.0 < size < 1.0:  # a tiny x (a probability near 0): a step relative to x itself
        steps.append(rel_step * size)
    best: Array | None = None
    best_score = np.inf
    for h in steps:
        (d1, s1), (d2, s2) = central(h), central(h / 2)
        if not (np.all(np.isfinite(d1)) and np.all(np.isfinite(d2))):
            continue
        est = d2 + (d2 - d1) / 3.0
        noise = 10.0 * eps * max(s1, s2) / (h / 2)
        score = max(float(np.max(np.abs(d2 - d1), initial=0.0)), noise)
        if best is None or score < best_score:
            best, best_score = est, score
        if score <= 1e-8 * (1.0 + float(np.max(np.abs(est), initial=0.0))):
            break
    return best if best is not None else central(rel_step)[0]


def compare(
    name: str,
    analytic: Array,
    numeric: Array,
    near_kink: bool = False,
    rtol: float = RTOL,
    atol: float = ATOL,
) -> CheckRow:
    """A :class:`CheckRow` for one analytic/numeric pair of equal shape.

    An entry where either side is ``inf`` or ``NaN`` never agrees (not even
    ``inf`` with ``inf``: nothing was confirmed there), and ``max_error`` says so:
    ``NaN`` when a difference is undefined (``inf − inf``, a ``NaN``), else ``inf``."""
    with np.errstate(all="ignore"):
        err = np.abs(analytic - numeric)
        finite = np.isfinite(analytic) & np.isfinite(numeric)
        within = finite & (err <= atol + rtol * np.abs(numeric))
    max_err = float(np.max(err)) if err.size else 0.0
    if not np.all(finite) and not np.isnan(max_err):
        max_err = np.inf
    return CheckRow(name, tuple(analytic.shape), max_err, bool(np.all(within)), near_kink)


def check_evaluation(ev: Evaluation) -> list[CheckRow]:
    """Check ``J_f(Θ)``, ``∇l(Θ)`` and every node's local Jacobians. A Jacobian
    computed at a ReLU kink is flagged ``near_kink`` (finite differences cannot
    agree there) and not counted as a failure. Values that overflow (a weight of
    1e308) raise no warning: their rows fail with an ``inf`` or ``NaN`` error
    (every numpy step quiets its own: :func:`numeric_jacobian`, :func:`compare`,
    ``Evaluation.local_jacobian``; ReLU's ``x == 0`` never warns)."""
    return _theta_rows(ev) + _local_rows(ev)


def _theta_rows(ev: Evaluation) -> list[CheckRow]:
    """``J_f(Θ)`` and ``∇l(Θ)`` against differences of the whole forward pass in Θ."""
    program = ev.program
    kink = bool(ev.nondifferentiable)
    rows: list[CheckRow] = []

    def at_theta(index: int) -> Callable[[Array], Array]:
        def fn(theta: Array) -> Array:
            return forward(program.with_theta(theta))[index]

        return fn

    if program.output is not None and ev.jacobian is not None:
        num = numeric_jacobian(at_theta(program.output), ev.theta)
        rows.append(_row(f"J_{ev.output}(Θ)", ev.jacobian, num, kink))
    if program.loss is not None and ev.gradient is not None:
        num = numeric_jacobian(at_theta(program.loss), ev.theta)[0]
        rows.append(_row(f"∇{ev.loss_node}(Θ)", ev.gradient, num, kink))
    return rows


def _local_rows(ev: Evaluation) -> list[CheckRow]:
    """Every node's ``∂node/∂input`` against differences of that node alone."""
    program = ev.program
    rows: list[CheckRow] = []
    for node in program.nodes:
        xs = [ev.values[program.nodes[j].id] for j in node.inputs]
        kink = bool(node.op.nondifferentiable(xs, node.attrs))
        for pos, j in enumerate(node.inputs):
            analytic = ev.local_jacobian(node.id, pos)
            num = numeric_jacobian(local_forward(node, xs, pos), xs[pos])
            rows.append(_row(f"∂{node.id}/∂{program.nodes[j].id}", analytic, num, kink))
    return rows


def local_forward(node: ProgramNode, xs: list[Array], pos: int) -> Callable[[Array], Array]:
    """``x ↦ node.op(xs with xs[pos] replaced by x)``: the node as a function of one input."""

    def fn(x: Array) -> Array:
        args = list(xs)
        args[pos] = x
        return node.op.forward(args, node.attrs)

    return fn


def _row(name: str, analytic: Array, numeric: Array, kink: bool) -> CheckRow:
    """:func:`compare`, and a disagreement at a kink skipped (unless it is an
    ``inf``/``NaN``, which a kink does not explain)."""
    row = compare(name, analytic, numeric, kink)
    if kink and not row.ok and math.isfinite(row.max_error):
        return CheckRow(row.name, row.shape, row.max_error, True, True, skipped=True)
    return row


def check_program(program: Program) -> list[CheckRow]:
    """Evaluate ``program`` and check all its Jacobians."""
    return check_evaluation(evaluate_program(program))
