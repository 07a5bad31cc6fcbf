"""The network a teacher edits: nodes in file order, each with its op, inputs,
value (for ``input`` and ``param``) and attributes, plus the ``output`` node whose
Jacobian w.r.t. Θ is shown and the scalar ``loss`` node.

The structure is a DAG; :attr:`Network.graph` gives it as an ``nx.DiGraph``
(built on demand so that networkx stays off the start-up path). The network is
turned into an engine :class:`~gradviz.engine.evaluate.Program` for computing.
"""

from __future__ import annotations

import copy
import heapq
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from gradviz.engine.evaluate import Evaluation, Program, ProgramNode, evaluate_program
from gradviz.engine.ops import OPS, Array

if TYPE_CHECKING:
    import networkx as nx

#: Keys the format gives a meaning to; every other key of a node is kept as is.
NODE_KEYS = ("id", "op", "inputs", "value", "index", "target", "label")


@dataclass
class Node:
    """One node. ``value`` for leaves (float64 array), ``attrs`` holds ``index``
    or ``target``; ``extra`` keeps every other key of the file (``pos``, …)."""

    id: str
    op: str
    inputs: list[str] = field(default_factory=list)
    value: Array | None = None
    attrs: dict[str, Any] = field(default_factory=dict)
    label: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def copy(self) -> Node:
        """A deep copy (the value array too)."""
        return Node(
            id=self.id,
            op=self.op,
            inputs=list(self.inputs),
            value=None if self.value is None else self.value.copy(),
            attrs=copy.deepcopy(self.attrs) if self.attrs else {},
            label=self.label,
            extra=copy.deepcopy(self.extra) if self.extra else {},
        )

    @property
    def display_label(self) -> str:
        """What the canvas writes on the node: the label, else the id."""
        return self.label if self.label else self.id

    @property
    def pos(self) -> tuple[float, float] | None:
        """The saved canvas position ``[x, y]``; None when absent or not two finite
        numbers (a hand-edited ``"pos": ["a", 1]`` falls back to the layout)."""
        p = self.extra.get("pos")
        if (
            isinstance(p, (list, tuple))
            and len(p) == 2
            and all(
                isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
                for v in p
            )
        ):
            return float(p[0]), float(p[1])
        return None


@dataclass
class Network:
    """A whole network, in file order. ``title``, ``output`` and ``loss`` as in the
    file; ``extra`` keeps unknown top-level keys."""

    nodes: list[Node]
    title: str = ""
    output: str | None = None
    loss: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    _index: dict[str, int] = field(default_factory=dict, repr=False, compare=False)
    _program_cache: tuple[tuple[Any, ...], Program] | None = field(
        default=None, repr=False, compare=False
    )

    def node(self, node_id: str) -> Node:
        """The node ``node_id`` (``KeyError`` when there is none). Looked up through
        a position index that is checked on every use and rebuilt when the list
        changed, so big networks stay linear without trusting a stale index."""
        at = self._index.get(node_id)
        nodes = self.nodes
        if at is None or at >= len(nodes) or nodes[at].id != node_id:
            self._index = {n.id: i for i, n in enumerate(nodes)}
            at = self._index.get(node_id)
            if at is None:
                raise KeyError(f"no node {node_id!r}")
        return nodes[at]

    def has_node(self, node_id: str) -> bool:
        try:
            self.node(node_id)
        except KeyError:
            return False
        return True

    @property
    def ids(self) -> list[str]:
        return [n.id for n in self.nodes]

    @property
    def param_ids(self) -> list[str]:
        """The parameters in file order: the order of Θ."""
        return [n.id for n in self.nodes if n.op == "param"]

    def consumers(self, node_id: str) -> list[str]:
        """Ids of the nodes that take ``node_id`` as an input, in file order."""
        return [n.id for n in self.nodes if node_id in n.inputs]

    def copy(self) -> Network:
        """A deep copy: new nodes, input lists, value arrays, attributes and extra
        keys. The compiled program is not copied: it is keyed by the identity of
        the value arrays, which the copy does not share, so it would never serve."""
        return Network(
            nodes=[n.copy() for n in self.nodes],
            title=self.title,
            output=self.output,
            loss=self.loss,
            extra=copy.deepcopy(self.extra),
        )

    def topological_order(self) -> list[str]:
        """Ids in an order where every input precedes its consumers; among the
        ready nodes, file order wins. Raises ``ValueError`` naming a node on a cycle."""
        position = {n.id: i for i, n in enumerate(self.nodes)}
        missing = {n.id: len(set(n.inputs)) for n in self.nodes}
        users: dict[str, list[str]] = {n.id: [] for n in self.nodes}
        for n in self.nodes:
            for src in set(n.inputs):
                users[src].append(n.id)
        ready = [(position[i], i) for i, k in missing.items() if k == 0]
        heapq.heapify(ready)
        order: list[str] = []
        while ready:
            _, nid = heapq.heappop(ready)
            order.append(nid)
            for u in users[nid]:
                missing[u] -= 1
                if missing[u] == 0:
                    heapq.heappush(ready, (position[u], u))
        if len(order) != len(self.nodes):
            stuck = next(n.id for n in self.nodes if missing[n.id] > 0)
            raise ValueError(f"node {stuck!r} is on a cycle")
        return order

    def to_program(self) -> Program:
        """The engine's view: nodes in topological order, values as attributes.

        Cached while the structure, the attributes and the value *arrays* stay the
        same (entries edited in place are seen through the shared arrays); any
        replaced array, attribute or edge builds a new program."""
        key = self._program_key()
        cached = self._program_cache
        if cached is not None and cached[0] == key:
            return cached[1]
        program = self._build_program()
        self._program_cache = (key, program)
        return program

    def _program_key(self) -> tuple[Any, ...]:
        key: list[Any] = [self.output, self.loss]
        for n in self.nodes:
            key += (n.id, n.op, len(n.inputs), *n.inputs, id(n.value), len(n.attrs))
            for k, v in n.attrs.items():
                key += (k, v if isinstance(v, (int, float, str)) else id(v))
        return tuple(key)

    def _build_program(self) -> Program:
        order = self.topological_order()
        at = {nid: i for i, nid in enumerate(order)}
        by_id = {n.id: n for n in self.nodes}
        nodes = []
        for nid in order:
            n = by_id[nid]
            attrs: dict[str, Any] = dict(n.attrs)
            if n.value is not None:
                attrs["value"] = n.value
            nodes.append(ProgramNode(nid, OPS[n.op], tuple(at[s] for s in n.inputs), attrs))
        return Program(
            tuple(nodes),
            at[self.output] if self.output is not None else None,
            at[self.loss] if self.loss is not None else None,
        )

    def evaluate(self) -> Evaluation:
        return evaluate_program(self.to_program())

    @property
    def theta(self) -> Array:
        """Θ: every parameter flattened row-major, in file order."""
        parts = [np.asarray(self.node(p).value).ravel() for p in self.param_ids]
        return np.concatenate(parts) if parts else np.zeros(0)

    def theta_span(self, node_id: str) -> range:
        """The positions of parameter ``node_id``'s entries in Θ (parameters in file
        order, each flattened row-major); empty for a node that is no parameter."""
        at = 0
        for pid in self.param_ids:
            value = self.node(pid).value
            size = value.size if value is not None else 0
            if pid == node_id:
                return range(at, at + size)
            at += size
        return range(0)

    def theta_entry(self, k: int | None) -> tuple[str, tuple[int, ...]] | None:
        """Θ's entry number ``k`` (0-based) as ``(parameter id, index)``, one index
        per axis; None when ``k`` is None, negative or past the last entry."""
        if k is None or k < 0:
            return None
        for pid in self.param_ids:
            value = self.node(pid).value
            assert value is not None
            if k < value.size:
                return pid, tuple(int(i) for i in np.unravel_index(k, value.shape))
            k -= value.size
        return None

    def set_theta(self, theta: Array) -> None:
        """Write a flat Θ back into the parameters (shapes unchanged). Raises
        ``ValueError`` when ``theta`` does not have one entry per parameter entry."""
        theta = np.asarray(theta, dtype=np.float64)
        expected = sum(np.asarray(self.node(p).value).size for p in self.param_ids)
        if theta.shape != (expected,):
            raise ValueError(f"Θ needs {expected} entries, got shape {theta.shape}")
        at = 0
        for pid in self.param_ids:
            n = self.node(pid)
            assert n.value is not None
            size = n.value.size
            n.value = np.asarray(theta[at : at + size], dtype=np.float64).reshape(n.value.shape)
            at += size

    @property
    def graph(self) -> nx.DiGraph:
        """The network as an ``nx.DiGraph``: node attributes ``op``, ``label``,
        ``value``; an edge ``u → v`` with attribute ``position`` (v's input slot)."""
        import networkx as nx

        g = nx.DiGraph()
        for n in self.nodes:
            g.add_node(n.id, op=n.op, label=n.display_label, value=n.value)
        for n in self.nodes:
            for pos, src in enumerate(n.inputs):
                g.add_edge(src, n.id, position=pos)
        return g
