"""The network flattened for computation.

A :class:`Program` holds the nodes in a topological order, each naming its op,
its inputs (by position in the program) and its attributes (``value`` for
leaves, ``index``/``target`` for losses), plus the positions of the output and
the loss. Θ is every ``param`` node in program order, each flattened row-major;
:func:`theta_names` names its entries. The sweeps over a program live in
:mod:`gradviz.engine.sweep`, the evaluation built from them in
:mod:`gradviz.engine.evaluate`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Any

import numpy as np

from gradviz.engine.ops import Array, NegLog, Op, Softmax

__all__ = ["Program", "ProgramNode", "theta_names"]


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
    return list(cached_theta_names(node_id, tuple(shape)))


@lru_cache(maxsize=512)
def cached_theta_names(node_id: str, shape: tuple[int, ...]) -> tuple[str, ...]:
    """:func:`theta_names` as a tuple, cached: naming the 269 322 entries of an
    MNIST-sized MLP takes 0.25 s, far more than evaluating it, and the names only
    change with the shapes."""
    if not shape:
        return (node_id,)
    rows = [f"{node_id}[{i + 1}" for i in range(shape[0])]
    if len(shape) == 1:
        return tuple(r + "]" for r in rows)
    inner = [",".join(str(k + 1) for k in idx) + "]" for idx in np.ndindex(*shape[1:])]
    return tuple(f"{r},{c}" for r in rows for c in inner)
