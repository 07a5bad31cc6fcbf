"""The forward and the reverse sweep over a :class:`~gradviz.engine.program.Program`.

:func:`forward` computes every node's value in program order. :func:`reverse`
carries a batch of ``k`` cotangents back from seeded nodes: a node of shape ``s``
gets a cotangent of shape ``(k, *s)``, row ``r`` being ``∂(seed r)/∂value``.
Cotangents arriving over several edges (fan-out) are **added**, never
overwritten. A ``neg_log`` right after a ``softmax`` is evaluated and
differentiated from the logits (log-sum-exp, ``∂l/∂z = S(z) − e_i``), so it stays
finite and exact even when the probability underflows to 0.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from gradviz.engine.ops import Array, MatMul, NegLog
from gradviz.engine.program import Program, ProgramNode

__all__ = ["forward", "gather_theta", "reverse", "sweep_back"]


def forward(program: Program) -> list[Array]:
    """Every node's value, in program order. ``neg_log`` after ``softmax`` is
    evaluated from the logits (log-sum-exp), so it is finite and exact even when
    the probability underflows to 0.

    Overflow (weights near 1e300) is not warned about: the values themselves carry
    the ``inf``/``NaN`` that the report and the canvas show."""
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        return forward_values(program)


def forward_values(program: Program) -> list[Array]:
    """:func:`forward` without its ``np.errstate`` (the caller sets one)."""
    values: list[Array] = []
    fused = program._fused
    for i, node in enumerate(program.nodes):
        soft = fused[i]
        if soft is not None:
            logits = values[program.nodes[soft].inputs[0]]
            values.append(np.asarray(NegLog.from_logits(logits, node.attrs["index"])))
        else:
            values.append(node.op.forward([values[k] for k in node.inputs], node.attrs))
    return values


def reverse(
    program: Program, values: Sequence[Array], seeds: Mapping[int, Array], k: int
) -> list[Array | None]:
    """One batched reverse sweep. ``seeds[i]`` (shape ``(k, *values[i].shape)``)
    starts the cotangent of node ``i``; returns every node's accumulated
    cotangent ``(k, *shape)`` (None where nothing flows).

    A ``neg_log`` right after a ``softmax`` sends ``∂l/∂z = S(z) − e_i`` straight
    to the logits ``z``. The ``∂l/∂S = −e_i / S_i`` it thereby skips is added to the
    softmax node's cotangent *after* the sweep, so every node (the softmax too)
    reports its true cotangent while nothing is propagated twice.
    """
    skipped: dict[int, Array] = {}
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        cot = sweep_back(program, values, seeds, skipped)
        for s_pos, past in skipped.items():
            prev = cot[s_pos]
            cot[s_pos] = past if prev is None else prev + past
    return cot


def sweep_back(
    program: Program,
    values: Sequence[Array],
    seeds: Mapping[int, Array],
    skipped: dict[int, Array],
    into: Mapping[int, Array] | None = None,
) -> list[Array | None]:
    """The sweep itself; what a fused −ln sent past its softmax is left in ``skipped``.

    ``into`` maps parameter positions to (k, *shape) views of the Jacobian being
    assembled: a weight matrix ``W`` read by one ``W × x`` gets its cotangent
    ``G ⊗ x`` written straight there, saving a copy of the largest arrays."""
    cot: list[Array | None] = [None] * len(program.nodes)
    for i, s in seeds.items():
        cot[i] = s  # never written in place: accumulation builds new arrays
    for i in range(len(program.nodes) - 1, -1, -1):
        g = cot[i]
        node = program.nodes[i]
        if g is None or not node.inputs:
            continue
        soft = program._fused[i]
        if soft is not None:  # through softmax and −ln at once: ∂l/∂z = S(z) − e_i
            targets: Sequence[int] = (program.nodes[soft].inputs[0],)
            grads = [NegLog.vjp_logits(g, values[soft], node.attrs["index"])]
            skipped[soft] = _past_softmax(g, values[soft], node.attrs["index"], skipped.get(soft))
        elif into and _writes_into(program, node, into, cot):
            targets = node.inputs  # ∂l/∂W written straight into J's columns
            xs = [values[j] for j in node.inputs]
            op = node.op
            assert isinstance(op, MatMul)
            grads = op.vjp(g, xs, values[i], node.attrs, out=into[node.inputs[0]])
        else:
            targets = node.inputs
            grads = node.op.vjp(g, [values[j] for j in node.inputs], values[i], node.attrs)
        for j, d in zip(targets, grads, strict=True):
            prev = cot[j]
            cot[j] = d if prev is None else prev + d  # accumulate over fan-out
    return cot


def _past_softmax(g: Array, s: Array, index: int, prev: Array | None) -> Array:
    """``∂l/∂S = −G e_index / S_index``: what a fused −ln sends past its softmax,
    kept for display (the softmax node's own gradient) and never propagated."""
    past = np.zeros((g.shape[0], s.size))
    past[:, index] = -g / s[index]
    return past if prev is None else prev + past


def _writes_into(
    program: Program, node: ProgramNode, into: Mapping[int, Array], cot: Sequence[Array | None]
) -> bool:
    """Whether ``node`` is ``W × ·`` with ``W`` a parameter read only here, so its
    cotangent can be written in place (nothing else will add to it)."""
    if not isinstance(node.op, MatMul):
        return False
    w = node.inputs[0]
    return w in into and cot[w] is None and program._readers[w] == 1


def gather_theta(
    program: Program, values: Sequence[Array], cot: Sequence[Array | None], k: int
) -> Array:
    """Concatenate the parameters' cotangents into a (k, n) matrix in Θ order."""
    blocks = []
    for p in program._params:
        c = cot[p]
        size = values[p].size
        blocks.append(np.zeros((k, size)) if c is None else c.reshape(k, size))
    return np.concatenate(blocks, axis=1) if blocks else np.zeros((k, 0))
