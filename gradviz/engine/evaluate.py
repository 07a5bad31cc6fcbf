"""Forward evaluation and reverse-mode differentiation of a network.

A :class:`Program` is the network flattened for computation: nodes in a
topological order, each naming its op, its inputs (by position) and its
attributes. :func:`evaluate` runs it forward, then makes **one** reverse sweep
with a batch of ``m + 1`` cotangents: rows ``0 … m−1`` are seeded with the
identity at the output node ``f`` (``m = f.size``), row ``m`` with ``1`` at the
loss ``l``. Each node's cotangent therefore holds, at once,

* ``∂f/∂v`` — the Jacobian of the network output w.r.t. the node's value
  (``(m, v.size)``), and in particular ``J_fE(Θ)`` over the parameters;
* ``∂l/∂v`` — the gradient of the loss w.r.t. the node's value, the number
  gradviz prints under every edge.

Cotangents arriving over several edges (fan-out) are **added**, never
overwritten. Θ is every ``param`` node in file order, each flattened row-major.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from itertools import chain
from typing import Any

import numpy as np

from gradviz.engine.ops import Array, MatMul, NegLog, Op, Softmax


@dataclass(frozen=True)
class ProgramNode:
    """One node: ``id``, its op, the positions of its inputs in the program, its
    attributes (``value`` for leaves, ``index``/``target`` for losses)."""

    id: str
    op: Op
    inputs: tuple[int, ...]
    attrs: Mapping[str, Any]


@dataclass(frozen=True)
class Program:
    """Nodes in topological order plus the positions of the output and loss."""

    nodes: tuple[ProgramNode, ...]
    output: int | None = None
    loss: int | None = None

    @property
    def params(self) -> list[int]:
        """Positions of the ``param`` nodes, in file order (the order of Θ)."""
        return list(self._params)

    @cached_property
    def _params(self) -> tuple[int, ...]:
        return tuple(i for i, n in enumerate(self.nodes) if n.op.name == "param")

    @cached_property
    def _fused(self) -> tuple[int | None, ...]:
        """For each node: the softmax position when it is a ``neg_log`` of a softmax."""
        out: list[int | None] = []
        for node in self.nodes:
            src = node.inputs[0] if node.inputs else None
            fused = (
                isinstance(node.op, NegLog)
                and src is not None
                and isinstance(self.nodes[src].op, Softmax)
            )
            out.append(src if fused else None)
        return tuple(out)

    @cached_property
    def _readers(self) -> tuple[int, ...]:
        """How many input slots read each node (fan-out)."""
        count = [0] * len(self.nodes)
        for node in self.nodes:
            for j in node.inputs:
                count[j] += 1
        return tuple(count)

    @cached_property
    def _positions(self) -> dict[str, int]:
        return {n.id: i for i, n in enumerate(self.nodes)}

    def index_of(self, node_id: str) -> int:
        """Position of the node ``node_id`` (``KeyError`` when there is none)."""
        try:
            return self._positions[node_id]
        except KeyError:
            raise KeyError(f"no node {node_id!r}") from None

    def with_theta(self, theta: Array) -> Program:
        """The same program with the parameters replaced by the flat vector ``theta``."""
        nodes = list(self.nodes)
        at = 0
        for i in self.params:
            old = np.asarray(nodes[i].attrs["value"], dtype=np.float64)
            new = np.asarray(theta[at : at + old.size], dtype=np.float64).reshape(old.shape)
            at += old.size
            nodes[i] = ProgramNode(
                nodes[i].id, nodes[i].op, nodes[i].inputs, {**nodes[i].attrs, "value": new}
            )
        return Program(tuple(nodes), self.output, self.loss)


def theta_names(node_id: str, shape: tuple[int, ...]) -> list[str]:
    """1-based names of a parameter's entries, row-major: ``P[1,1]``, ``P[1,2]`` …,
    a vector's ``b[1]`` …, a scalar's ``w``."""
    return list(_theta_names(node_id, tuple(shape)))


@lru_cache(maxsize=512)
def _theta_names(node_id: str, shape: tuple[int, ...]) -> tuple[str, ...]:
    """Cached: naming the 269 322 entries of an MNIST-sized MLP takes 0.25 s, far
    more than evaluating it, and the names only change with the shapes."""
    if not shape:
        return (node_id,)
    rows = [f"{node_id}[{i + 1}" for i in range(shape[0])]
    if len(shape) == 1:
        return tuple(r + "]" for r in rows)
    inner = [",".join(str(k + 1) for k in idx) + "]" for idx in np.ndindex(*shape[1:])]
    return tuple(f"{r},{c}" for r in rows for c in inner)


def _fused_log_softmax(program: Program, i: int) -> int | None:
    """Position of the softmax node when node ``i`` is a ``neg_log`` of it, else None."""
    return program._fused[i]


def forward(program: Program) -> list[Array]:
    """Every node's value, in program order. ``neg_log`` after ``softmax`` is
    evaluated from the logits (log-sum-exp), so it is finite and exact even when
    the probability underflows to 0.

    Overflow (weights near 1e300) is not warned about: the values themselves carry
    the ``inf``/``NaN`` that the report and the canvas show."""
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        return _forward(program)


def _forward(program: Program) -> list[Array]:
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
        cot = _reverse(program, values, seeds, skipped)
        for s_pos, past in skipped.items():
            prev = cot[s_pos]
            cot[s_pos] = past if prev is None else prev + past
    return cot


def _reverse(
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


@dataclass
class Evaluation:
    """Everything gradviz shows for one network at one point Θ.

    ``values`` node id → value; ``theta`` (n,), ``theta_names`` (n,);
    ``jacobian`` ``J_f(Θ)`` of shape (m, n) with ``m = output.size`` (None without
    an output); ``loss`` a float and ``gradient`` ``∇l(Θ)`` (n,) (None without a
    loss); ``node_gradients`` node id → ``∂l/∂value`` (shape of the value);
    ``output_jacobians`` node id → ``∂f/∂value`` of shape (m, value.size);
    ``nondifferentiable`` (node id, index into its input) of every ReLU kink hit.

    The per-node dictionaries, the names and the kinks are assembled on first
    use from the reverse sweep's cotangents: most callers (a gradient step, a
    benchmark) need only Θ, J and ∇l, and building them costs as much as the maths
    on a small network.
    """

    program: Program
    theta: Array
    output: str | None
    loss_node: str | None
    jacobian: Array | None
    loss: float | None
    gradient: Array | None
    _value_list: list[Array] = field(repr=False, default_factory=list)
    _cotangents: list[Array | None] = field(repr=False, default_factory=list)
    _skipped: dict[int, Array] = field(repr=False, default_factory=dict)

    @cached_property
    def values(self) -> dict[str, Array]:
        return {n.id: self._value_list[i] for i, n in enumerate(self.program.nodes)}

    @cached_property
    def theta_names(self) -> list[str]:
        program = self.program
        return list(
            chain.from_iterable(
                _theta_names(program.nodes[p].id, self._value_list[p].shape)
                for p in program._params
            )
        )

    @cached_property
    def node_gradients(self) -> dict[str, Array]:
        """∂l/∂value for every node (row m of its cotangent); the softmax node
        before a fused −ln gets back the ``−e_i / S_i`` the sweep sent past it."""
        if self.program.loss is None:
            return {}
        m = self._m
        out: dict[str, Array] = {}
        for i, node in enumerate(self.program.nodes):
            c = self._cotangents[i]
            shape = self._value_list[i].shape
            g = np.zeros(shape) if c is None else np.array(c[m], dtype=np.float64)
            if i in self._skipped:
                with np.errstate(invalid="ignore"):
                    g = g + self._skipped[i][m]
            out[node.id] = g
        return out

    @cached_property
    def output_jacobians(self) -> dict[str, Array]:
        """∂f/∂value, (m, value.size), for every node."""
        if self.program.output is None:
            return {}
        m = self._m
        out: dict[str, Array] = {}
        for i, node in enumerate(self.program.nodes):
            c = self._cotangents[i]
            size = self._value_list[i].size
            j = np.zeros((m, size)) if c is None else c[:m].reshape(m, size)
            if i in self._skipped:
                j = j + self._skipped[i][:m].reshape(m, size)
            out[node.id] = j
        return out

    @cached_property
    def nondifferentiable(self) -> list[tuple[str, tuple[int, ...]]]:
        values = self._value_list
        return [
            (node.id, idx)
            for node in self.program.nodes
            if type(node.op).nondifferentiable is not Op.nondifferentiable  # only ReLU has kinks
            for idx in node.op.nondifferentiable([values[j] for j in node.inputs], node.attrs)
        ]

    @property
    def _m(self) -> int:
        out = self.program.output
        return self._value_list[out].size if out is not None else 0

    def inputs_of(self, node_id: str) -> list[str]:
        """Ids of a node's inputs, in order."""
        node = self.program.nodes[self.program.index_of(node_id)]
        return [self.program.nodes[j].id for j in node.inputs]

    def local_jacobian(self, node_id: str, input_position: int = 0) -> Array:
        """The explicit ``∂node/∂input`` matrix, ``(node.size, input.size)``."""
        i = self.program.index_of(node_id)
        node = self.program.nodes[i]
        xs = [self._value_list[j] for j in node.inputs]
        return node.op.local_jacobian(xs, self._value_list[i], node.attrs, input_position)

    def jacobian_between(self, of: str, wrt: str | None = None) -> Array:
        """``∂of/∂wrt`` as a (of.size, wrt.size) matrix; ``wrt=None`` means Θ."""
        i = self.program.index_of(of)
        y = self._value_list[i]
        seed = np.eye(y.size).reshape((y.size, *y.shape))
        cot = reverse(self.program, self._value_list, {i: seed}, y.size)
        if wrt is None:
            return _gather_theta(self.program, self._value_list, cot, y.size)
        j = self.program.index_of(wrt)
        c = cot[j]
        size = self._value_list[j].size
        return np.zeros((y.size, size)) if c is None else c.reshape(y.size, size)


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


def _gather_theta(
    program: Program, values: Sequence[Array], cot: Sequence[Array | None], k: int
) -> Array:
    """Concatenate the parameters' cotangents into a (k, n) matrix in Θ order."""
    blocks = []
    for p in program._params:
        c = cot[p]
        size = values[p].size
        blocks.append(np.zeros((k, size)) if c is None else c.reshape(k, size))
    return np.concatenate(blocks, axis=1) if blocks else np.zeros((k, 0))


def evaluate_program(program: Program) -> Evaluation:
    """Forward values, ``J_f(Θ)``, the loss and ``∇l(Θ)`` in one reverse sweep.
    Overflow is not warned about: the values carry the ``inf``/``NaN`` shown."""
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        return _evaluate(program)


def _evaluate(program: Program) -> Evaluation:
    values = _forward(program)
    params = program._params
    theta = np.concatenate([values[p].ravel() for p in params]) if params else np.zeros(0)

    out, loss = program.output, program.loss
    m = values[out].size if out is not None else 0
    k = m + (1 if loss is not None else 0)
    seeds: dict[int, Array] = {}
    if out is not None:  # rows 0 … m−1: the identity at the output
        seeds[out] = np.eye(k, m).reshape((k, *values[out].shape))
    if loss is not None:  # row m: 1 at the loss
        s = seeds.setdefault(loss, np.zeros((k, *values[loss].shape)))
        s.reshape(k, -1)[m] += 1.0
    skipped: dict[int, Array] = {}
    if k:
        full = np.empty((k, theta.size))
        into: dict[int, Array] = {}
        at = 0
        for p in params:
            size = values[p].size
            into[p] = full[:, at : at + size].reshape((k, *values[p].shape))
            at += size
        cot = _reverse(program, values, seeds, skipped, into)
        for p in params:  # the blocks not written in place by the sweep
            if cot[p] is not into[p]:
                into[p][...] = 0.0 if cot[p] is None else cot[p]
    else:
        cot, full = [None] * len(values), np.zeros((0, theta.size))
    return Evaluation(
        program=program,
        theta=theta,
        output=program.nodes[out].id if out is not None else None,
        loss_node=program.nodes[loss].id if loss is not None else None,
        jacobian=full[:m] if out is not None else None,
        loss=float(values[loss].reshape(-1)[0]) if loss is not None else None,
        gradient=full[m].copy() if loss is not None else None,
        _value_list=values,
        _cotangents=cot,
        _skipped=skipped,
    )
