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

from gradviz.engine.ops import Array, NegLog, Op, Softmax


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
    values: list[Array] = []
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for i, node in enumerate(program.nodes):
            soft = _fused_log_softmax(program, i)
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
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        return _reverse(program, values, seeds)


def _reverse(
    program: Program, values: Sequence[Array], seeds: Mapping[int, Array]
) -> list[Array | None]:
    cot: list[Array | None] = [None] * len(program.nodes)
    for i, s in seeds.items():
        cot[i] = s.copy()
    skipped: dict[int, Array] = {}
    for i in range(len(program.nodes) - 1, -1, -1):
        g = cot[i]
        node = program.nodes[i]
        if g is None or not node.inputs:
            continue
        soft = _fused_log_softmax(program, i)
        if soft is not None:  # through softmax and −ln at once: ∂l/∂z = S(z) − e_i
            targets: Sequence[int] = (program.nodes[soft].inputs[0],)
            grads = [NegLog.vjp_logits(g, values[soft], node.attrs["index"])]
            past = NegLog().vjp(g, [values[soft]], values[i], node.attrs)[0]
            skipped[soft] = past if soft not in skipped else skipped[soft] + past
        else:
            targets = node.inputs
            grads = node.op.vjp(g, [values[j] for j in node.inputs], values[i], node.attrs)
        for j, d in zip(targets, grads, strict=True):
            prev = cot[j]
            cot[j] = d if prev is None else prev + d  # accumulate over fan-out
    for s_pos, past in skipped.items():
        prev = cot[s_pos]
        cot[s_pos] = past if prev is None else prev + past
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
    """

    program: Program
    values: dict[str, Array]
    theta: Array
    theta_names: list[str]
    output: str | None
    loss_node: str | None
    jacobian: Array | None
    loss: float | None
    gradient: Array | None
    node_gradients: dict[str, Array]
    output_jacobians: dict[str, Array]
    nondifferentiable: list[tuple[str, tuple[int, ...]]]
    _value_list: list[Array] = field(repr=False, default_factory=list)

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
    """Forward values, ``J_f(Θ)``, the loss and ``∇l(Θ)`` in one reverse sweep."""
    values = forward(program)
    params = program._params
    theta = np.concatenate([values[p].ravel() for p in params]) if params else np.zeros(0)
    names = list(
        chain.from_iterable(_theta_names(program.nodes[p].id, values[p].shape) for p in params)
    )

    m = values[program.output].size if program.output is not None else 0
    k = m + (1 if program.loss is not None else 0)
    seeds: dict[int, Array] = {}
    if program.output is not None:
        y = values[program.output]
        seeds[program.output] = np.zeros((k, *y.shape))
        seeds[program.output].reshape(k, m)[:m] = np.eye(m)
    if program.loss is not None:
        s = seeds.setdefault(program.loss, np.zeros((k, *values[program.loss].shape)))
        s.reshape(k, -1)[m] += 1.0
    cot = reverse(program, values, seeds, k) if k else [None] * len(values)

    full = _gather_theta(program, values, cot, k) if k else np.zeros((0, theta.size))
    node_grads: dict[str, Array] = {}
    out_jacs: dict[str, Array] = {}
    for i, node in enumerate(program.nodes):
        c = cot[i]
        shape = values[i].shape
        if program.loss is not None:  # always an ndarray, a 0-d one for a scalar
            node_grads[node.id] = np.zeros(shape) if c is None else np.array(c[m], dtype=np.float64)
        if program.output is not None:
            out_jacs[node.id] = (
                np.zeros((m, values[i].size)) if c is None else c[:m].reshape(m, values[i].size)
            )

    nondiff = [
        (node.id, idx)
        for node in program.nodes
        if type(node.op).nondifferentiable is not Op.nondifferentiable  # only ReLU has kinks
        for idx in node.op.nondifferentiable([values[j] for j in node.inputs], node.attrs)
    ]
    return Evaluation(
        program=program,
        values={n.id: values[i] for i, n in enumerate(program.nodes)},
        theta=theta,
        theta_names=names,
        output=program.nodes[program.output].id if program.output is not None else None,
        loss_node=program.nodes[program.loss].id if program.loss is not None else None,
        jacobian=full[:m] if program.output is not None else None,
        loss=float(values[program.loss].reshape(-1)[0]) if program.loss is not None else None,
        gradient=full[m].copy() if program.loss is not None else None,
        node_gradients=node_grads,
        output_jacobians=out_jacs,
        nondifferentiable=nondiff,
        _value_list=values,
    )
