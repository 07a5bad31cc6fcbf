"""Finite-difference checks of every Jacobian the engine computes.

Central differences in float64: ``∂y/∂x_j ≈ (y(x + h e_j) − y(x − h e_j)) / 2h``
with ``h = 1e-6 · max(1, |x_j|)``, whose truncation and rounding errors are both
about 1e-10 for the smooth ops here. An entry agrees when
``|analytic − numeric| ≤ atol + rtol · |numeric|``.
"""

from __future__ import annotations

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


def numeric_jacobian(fn: Callable[[Array], Array], x: Array, rel_step: float = 1e-6) -> Array:
    """Central-difference Jacobian of ``fn`` at ``x``: shape (fn(x).size, x.size)."""
    x = np.asarray(x, dtype=np.float64)
    flat = x.ravel()
    cols = []
    for j in range(flat.size):
        h = rel_step * max(1.0, abs(flat[j]))
        up, down = flat.copy(), flat.copy()
        up[j] += h
        down[j] -= h
        diff = fn(up.reshape(x.shape)) - fn(down.reshape(x.shape))
        cols.append(np.asarray(diff, dtype=np.float64).ravel() / (2 * h))
    return np.stack(cols, axis=1) if cols else np.zeros((fn(x).size, 0))


def compare(name: str, analytic: Array, numeric: Array, near_kink: bool = False,
            rtol: float = RTOL, atol: float = ATOL) -> CheckRow:
    """A :class:`CheckRow` for one analytic/numeric pair of equal shape."""
    with np.errstate(invalid="ignore"):
        err = np.abs(analytic - numeric)
    max_err = float(np.max(err)) if err.size else 0.0
    ok = bool(np.all(err <= atol + rtol * np.abs(numeric))) if err.size else True
    return CheckRow(name, tuple(analytic.shape), max_err, ok, near_kink)


def check_evaluation(ev: Evaluation) -> list[CheckRow]:
    """Check ``J_f(Θ)``, ``∇l(Θ)`` and every node's local Jacobians. A Jacobian
    computed at a ReLU kink is flagged ``near_kink`` (finite differences cannot
    agree there) and not counted as a failure."""
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

    for node in program.nodes:
        xs = [ev.values[program.nodes[j].id] for j in node.inputs]
        node_kink = bool(node.op.nondifferentiable(xs, node.attrs))
        for pos, j in enumerate(node.inputs):
            analytic = ev.local_jacobian(node.id, pos)
            num = numeric_jacobian(_local_forward(node, xs, pos), xs[pos])
            rows.append(_row(f"∂{node.id}/∂{program.nodes[j].id}", analytic, num, node_kink))
    return rows


def _local_forward(node: ProgramNode, xs: list[Array], pos: int) -> Callable[[Array], Array]:
    """``x ↦ node.op(xs with xs[pos] replaced by x)``: the node as a function of one input."""

    def fn(x: Array) -> Array:
        args = list(xs)
        args[pos] = x
        return node.op.forward(args, node.attrs)

    return fn


def _row(name: str, analytic: Array, numeric: Array, kink: bool) -> CheckRow:
    row = compare(name, analytic, numeric, kink)
    if kink and not row.ok:
        return CheckRow(row.name, row.shape, row.max_error, True, True, skipped=True)
    return row


def check_program(program: Program) -> list[CheckRow]:
    """Evaluate ``program`` and check all its Jacobians."""
    return check_evaluation(evaluate_program(program))
