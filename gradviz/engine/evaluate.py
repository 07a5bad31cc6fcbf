"""Forward evaluation and reverse-mode differentiation of a network.

A :class:`Program` (:mod:`gradviz.engine.program`) is the network flattened for
computation. :func:`evaluate_program` runs it forward, then makes **one** reverse
sweep (:mod:`gradviz.engine.sweep`) with a batch of ``m + 1`` cotangents: rows
``0 … m−1`` are seeded with the identity at the output node ``f``
(``m = f.size``), row ``m`` with ``1`` at the loss ``l``. Each node's cotangent
therefore holds, at once,

* ``∂f/∂v`` — the Jacobian of the network output w.r.t. the node's value
  (``(m, v.size)``), and in particular ``J_fE(Θ)`` over the parameters;
* ``∂l/∂v`` — the gradient of the loss w.r.t. the node's value, the number
  gradviz prints under every edge.

Cotangents arriving over several edges (fan-out) are **added**, never
overwritten. Θ is every ``param`` node in file order, each flattened row-major.
:class:`Evaluation` holds the results.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from itertools import chain

import numpy as np

from gradviz.engine.ops import Array, Op
from gradviz.engine.program import Program, ProgramNode, cached_theta_names, theta_names
from gradviz.engine.sweep import forward, forward_values, gather_theta, reverse, sweep_back

__all__ = [
    "Evaluation",
    "Program",
    "ProgramNode",
    "evaluate_program",
    "forward",
    "reverse",
    "theta_names",
]


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
                cached_theta_names(program.nodes[p].id, self._value_list[p].shape)
                for p in program._params
            )
        )

    @cached_property
    def node_gradients(self) -> dict[str, Array]:
        """∂l/∂value for every node (row m of its cotangent, a copy shaped like the
        value); the softmax node before a fused −ln gets back the ``−e_i / S_i``
        the sweep sent past it."""
        if self.program.loss is None:
            return {}
        m = self._m
        return {
            node.id: self._cotangent_rows(i, m, self._value_list[i].shape, copy=True)
            for i, node in enumerate(self.program.nodes)
        }

    @cached_property
    def output_jacobians(self) -> dict[str, Array]:
        """∂f/∂value, (m, value.size), for every node (rows 0 … m−1 of its cotangent)."""
        if self.program.output is None:
            return {}
        m = self._m
        return {
            node.id: self._cotangent_rows(i, slice(0, m), (m, self._value_list[i].size))
            for i, node in enumerate(self.program.nodes)
        }

    def _cotangent_rows(
        self, i: int, rows: int | slice, shape: tuple[int, ...], copy: bool = False
    ) -> Array:
        """Rows ``rows`` of node ``i``'s cotangent reshaped to ``shape`` (zeros where
        nothing flowed), plus what a fused −ln sent past it when ``i`` is its softmax."""
        c = self._cotangents[i]
        if c is None:
            out = np.zeros(shape)
        else:
            out = np.array(c[rows], dtype=np.float64) if copy else c[rows]
            out = out.reshape(shape)
        if i in self._skipped:
            with np.errstate(invalid="ignore"):
                out = out + self._skipped[i][rows].reshape(shape)
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
        """The explicit ``∂node/∂input`` matrix, ``(node.size, input.size)``; like the
        values, it carries an overflow's ``inf``/``NaN`` without a warning."""
        i = self.program.index_of(node_id)
        node = self.program.nodes[i]
        xs = [self._value_list[j] for j in node.inputs]
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            return node.op.local_jacobian(xs, self._value_list[i], node.attrs, input_position)

    def jacobian_between(self, of: str, wrt: str | None = None) -> Array:
        """``∂of/∂wrt`` as a (of.size, wrt.size) matrix; ``wrt=None`` means Θ."""
        i = self.program.index_of(of)
        y = self._value_list[i]
        seed = np.eye(y.size).reshape((y.size, *y.shape))
        cot = reverse(self.program, self._value_list, {i: seed}, y.size)
        if wrt is None:
            return gather_theta(self.program, self._value_list, cot, y.size)
        j = self.program.index_of(wrt)
        c = cot[j]
        size = self._value_list[j].size
        return np.zeros((y.size, size)) if c is None else c.reshape(y.size, size)


def evaluate_program(program: Program) -> Evaluation:
    """Forward values, ``J_f(Θ)``, the loss and ``∇l(Θ)`` in one reverse sweep.
    Overflow is not warned about: the values carry the ``inf``/``NaN`` shown."""
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        return _evaluate(program)


def _evaluate(program: Program) -> Evaluation:
    values = forward_values(program)
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
        cot = sweep_back(program, values, seeds, skipped, into)
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
