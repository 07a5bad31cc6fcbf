"""The scalar view: every tensor op expanded into its scalar operations.

The sheet's Exercise 0 looks "inside" the chain rule: the matrix product
``J_f(g(X)) × J_g(X)`` is, entry by entry, a sum over paths of products of scalar
partial derivatives. :func:`expand` builds the graph those paths live in, in the
style of micrograd: one node per scalar, one edge per scalar dependency, each edge
carrying its local partial derivative ``∂(consumer)/∂(source)``.

The decomposition (``y`` the op's output, ``x`` its input, entries 0-based):

* leaves (``input``, ``param``): one scalar per entry, named ``p_{2,1}`` (1-based;
  a one-letter id is lower-cased as on the sheet, ``P`` → ``p``);
* ``matmul`` ``y = A × x``: a product ``A[r,k]·x[k(,c)]`` per term (kind ``mul``,
  partials ``x[k]`` and ``A[r,k]``) and a sum per output entry (kind ``sum``,
  partial 1 per term);
* ``add``: one sum per entry (partials 1, 1);
* ``relu`` / ``sigmoid`` / ``tanh``: one node per entry, partial ``σ'(x_i)``;
* ``softmax`` ``S(z)_i = e^{z_i} / Σ_j e^{z_j}``: one ``exp`` node per entry
  (partial ``e^{z_i}``), **one** normalising sum ``s`` shared by all entries, and a
  division ``y_i = e_i / s`` per entry (partials ``1/s`` and ``−y_i/s``). Every
  path from ``z_j`` to ``y_i`` thus goes either straight through ``e_j`` (only when
  ``i = j``) or through the shared sum ``s``; together they give
  ``∂y_i/∂z_j = y_i(1_{i=j} − y_j)``, the sheet's ``J_S``. The exponentials are
  ``e^{z_i − c}`` with ``c = 0`` (the values the sheet writes) unless
  ``|max z| > 300``, where ``c = max z`` keeps them finite; softmax does not
  change under such a shift, so no derivative does either (:attr:`ScalarGraph.softmax_shifts`);
* ``neg_log`` ``l = −ln x[i]``: one ``−ln`` node, partial ``−1/x_i`` (its value is the
  tensor engine's, a log-softmax after a softmax; where that probability underflows
  to 0 the textbook partial is infinite, which the tensor engine's fused rule avoids);
* ``mse`` ``l = mean((x − t)²)``: a difference ``x_i − t_i`` per entry (kind ``sub``,
  partial 1), its square (kind ``square``, partial ``2(x_i − t_i)``) and one ``mean``
  (partial ``1/n`` each).

The scalars that *are* entries of a tensor node carry ``tensor`` and ``entry``
(the index tuple, ``()`` for a scalar node); intermediate scalars (products,
exponentials, the normalising sum, differences, squares) carry their tensor node's
id and ``entry = None``. Entry values are the tensor engine's own, so both views
show the same numbers. Every scalar's ``grad`` is ``∂l/∂(that scalar)``, computed by
a reverse pass over this scalar graph itself (``None`` without a loss).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import SupportsFloat

import numpy as np

from gradviz.engine.evaluate import Evaluation, Program, ProgramNode
from gradviz.engine.ops import Array, Elementwise

Entry = tuple[int, ...]
#: ``(tensor node id, entry)`` names one entry scalar; ``entry`` is 0-based.
Key = tuple[str, Entry]

SOFTMAX_SHIFT_LIMIT = 300.0
"""Below this ``|max z|`` a softmax's exponentials are ``e^{z_i}`` unshifted."""

LABELS: dict[str, str] = {
    "input": "",
    "param": "",
    "mul": "×",
    "sum": "+",
    "relu": "ReLU",
    "sigmoid": "σ",
    "tanh": "tanh",
    "exp": "exp",
    "div": "÷",
    "neg_ln": "−ln",
    "sub": "−t",
    "square": "²",
    "mean": "mean",
}
"""The operation symbol drawn on a scalar node, by kind (micrograd's ``op`` label)."""

_SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def entry_name(tensor: str, entry: Entry, unicode: bool = False) -> str:
    """The name of one entry, 1-based: ``entry_name("P", (1, 0))`` is ``p_{2,1}``
    (``p₂,₁`` with ``unicode=True``); a one-letter id is lower-cased as on the sheet;
    a scalar tensor's only entry is named by the id itself."""
    if not entry:
        return tensor
    base = tensor.lower() if len(tensor) == 1 else tensor
    index = ",".join(str(k + 1) for k in entry)
    return base + index.translate(_SUBSCRIPTS) if unicode else f"{base}_{{{index}}}"


def normalise_entry(entry: int | Sequence[int]) -> Entry:
    """An entry given as an int (a vector's index) or a sequence, as a tuple of ints."""
    if isinstance(entry, (int, np.integer)):
        return (int(entry),)
    return tuple(int(k) for k in entry)


@dataclass(frozen=True)
class ScalarEdge:
    """An input of a scalar node: the ``source`` scalar's id and the local partial
    ``∂(consumer)/∂(source)`` at the current point."""

    source: int
    partial: float


@dataclass
class ScalarNode:
    """One scalar. ``id`` is its position in :attr:`ScalarGraph.nodes` (inputs
    always come first); ``kind`` one of :data:`LABELS`' keys, ``label`` its symbol,
    ``name`` a readable name (``p_{2,1}``, ``q_{1,2}·g_{2}``, ``exp(z2_{1})``).
    ``grad`` is ``∂l/∂(this scalar)`` (None without a loss)."""

    id: int
    kind: str
    label: str
    name: str
    value: float
    tensor: str
    entry: Entry | None
    inputs: tuple[ScalarEdge, ...]
    grad: float | None = None


@dataclass
class ScalarGraph:
    """The expanded network. ``nodes`` in a topological order; ``entries`` maps
    ``(tensor id, entry)`` to the scalar holding that entry; ``theta_ids`` are the
    scalars of Θ in Θ's order; ``output_ids`` the output's entries row-major
    (the rows of ``J_f``); ``loss_id`` the loss scalar."""

    nodes: list[ScalarNode]
    entries: dict[Key, int]
    theta_ids: list[int]
    output_ids: list[int]
    loss_id: int | None
    softmax_shifts: dict[str, float] = field(default_factory=dict)
    _consumers: list[list[tuple[int, int]]] | None = field(default=None, repr=False)

    def __len__(self) -> int:
        return len(self.nodes)

    @property
    def edge_count(self) -> int:
        """How many scalar edges the graph has."""
        return sum(len(n.inputs) for n in self.nodes)

    def id_of(self, tensor: str, entry: int | Sequence[int]) -> int:
        """The id of the scalar holding ``tensor[entry]`` (0-based), or KeyError."""
        key = (tensor, normalise_entry(entry))
        if key not in self.entries:
            raise KeyError(f"no entry {entry_name(*key)} (node {tensor!r}, index {key[1]})")
        return self.entries[key]

    def node_of(self, tensor: str, entry: int | Sequence[int]) -> ScalarNode:
        """The scalar node holding ``tensor[entry]``."""
        return self.nodes[self.id_of(tensor, entry)]

    def tensor_scalars(self, tensor: str) -> list[int]:
        """Ids of every scalar belonging to a tensor node, intermediates included."""
        return [n.id for n in self.nodes if n.tensor == tensor]

    def consumers(self, scalar_id: int) -> list[tuple[int, int]]:
        """``(consumer id, input position)`` of every edge leaving a scalar, by id."""
        if self._consumers is None:
            users: list[list[tuple[int, int]]] = [[] for _ in self.nodes]
            for n in self.nodes:
                for pos, e in enumerate(n.inputs):
                    users[e.source].append((n.id, pos))
            self._consumers = users
        return self._consumers[scalar_id]

    def backward(self, seed: int) -> list[float]:
        """``∂(scalar seed)/∂(every scalar)``: one reverse sweep, accumulating over
        every edge (fan-out adds, never overwrites)."""
        grads = [0.0] * len(self.nodes)
        grads[seed] = 1.0
        for i in range(seed, -1, -1):
            g = grads[i]
            if g == 0.0:
                continue
            for e in self.nodes[i].inputs:
                grads[e.source] += e.partial * g
        return grads

    def tensor_gradient(self, tensor: str, shape: tuple[int, ...]) -> Array:
        """The ``grad`` of a tensor's entry scalars, as an array of ``shape``."""
        out = np.zeros(shape)
        for idx in np.ndindex(*shape):
            g = self.nodes[self.entries[(tensor, idx)]].grad
            out[idx] = np.nan if g is None else g
        return out

    def jacobian(self) -> Array:
        """``J_f(Θ)`` (m, n) from one scalar reverse sweep per output entry."""
        rows = []
        for o in self.output_ids:
            g = self.backward(o)
            rows.append([g[t] for t in self.theta_ids])
        return np.array(rows, dtype=np.float64).reshape(len(self.output_ids), len(self.theta_ids))


class _Builder:
    """Appends scalar nodes; inputs must already exist, so ids stay topological."""

    def __init__(self) -> None:
        self.nodes: list[ScalarNode] = []
        self.entries: dict[Key, int] = {}

    def add(
        self,
        kind: str,
        name: str,
        value: SupportsFloat,
        tensor: str,
        entry: Entry | None,
        edges: Sequence[tuple[int, SupportsFloat]] = (),
    ) -> int:
        i = len(self.nodes)
        inputs = tuple(ScalarEdge(s, float(p)) for s, p in edges)
        self.nodes.append(
            ScalarNode(i, kind, LABELS.get(kind, kind), name, float(value), tensor, entry, inputs)
        )
        if entry is not None:
            self.entries[(tensor, entry)] = i
        return i

    def name(self, i: int) -> str:
        return self.nodes[i].name

    def value(self, i: int) -> float:
        return self.nodes[i].value


def expand(program: Program, evaluation: Evaluation) -> ScalarGraph:
    """Expand every tensor node of ``program`` into scalars (see the module
    docstring), with values from ``evaluation`` and ``∂l/∂scalar`` from a scalar
    reverse pass. Θ, output and loss scalars are located for :mod:`paths`."""
    b = _Builder()
    shifts: dict[str, float] = {}
    for node in program.nodes:
        y = np.asarray(evaluation.values[node.id], dtype=np.float64)
        ins = [program.nodes[j].id for j in node.inputs]
        kind = node.op.name
        if kind in ("input", "param"):
            for idx in np.ndindex(*y.shape):
                b.add(kind, entry_name(node.id, idx), y[idx], node.id, idx)
        elif kind == "matmul":
            _matmul(b, node.id, ins, y, evaluation)
        elif kind == "add":
            for idx in np.ndindex(*y.shape):
                b.add(
                    "sum",
                    entry_name(node.id, idx),
                    y[idx],
                    node.id,
                    idx,
                    [(b.entries[(ins[0], idx)], 1.0), (b.entries[(ins[1], idx)], 1.0)],
                )
        elif isinstance(node.op, Elementwise):  # relu, sigmoid, tanh
            d = node.op.derivative(evaluation.values[ins[0]], y)
            for idx in np.ndindex(*y.shape):
                b.add(
                    kind,
                    entry_name(node.id, idx),
                    y[idx],
                    node.id,
                    idx,
                    [(b.entries[(ins[0], idx)], d[idx])],
                )
        elif kind == "softmax":
            shifts[node.id] = _softmax(b, node.id, ins[0], y, evaluation)
        elif kind == "neg_log":
            _neg_log(b, node, ins[0], y, evaluation)
        elif kind == "mse":
            _mse(b, node, ins[0], y, evaluation)
        else:
            raise ValueError(f"node '{node.id}': the scalar view cannot expand op '{kind}'")

    graph = ScalarGraph(b.nodes, b.entries, [], [], None, shifts)
    for p in program.params:
        pid = program.nodes[p].id
        graph.theta_ids.extend(
            b.entries[(pid, idx)] for idx in np.ndindex(*evaluation.values[pid].shape)
        )
    if program.output is not None:
        oid = program.nodes[program.output].id
        graph.output_ids = [
            b.entries[(oid, idx)] for idx in np.ndindex(*evaluation.values[oid].shape)
        ]
    if program.loss is not None:
        lid = program.nodes[program.loss].id
        graph.loss_id = b.entries[(lid, next(np.ndindex(*evaluation.values[lid].shape)))]
        for n, g in zip(graph.nodes, graph.backward(graph.loss_id), strict=True):
            n.grad = g
    return graph


def _matmul(b: _Builder, nid: str, ins: list[str], y: Array, ev: Evaluation) -> None:
    """``y[r(,c)] = Σ_k A[r,k]·x[k(,c)]``: a product per term, a sum per entry."""
    a_id, x_id = ins
    inner = ev.values[a_id].shape[1]
    for idx in np.ndindex(*y.shape):
        r, rest = idx[0], idx[1:]
        terms = []
        for k in range(inner):
            sa, sx = b.entries[(a_id, (r, k))], b.entries[(x_id, (k, *rest))]
            va, vx = b.value(sa), b.value(sx)
            terms.append(
                b.add("mul", f"{b.name(sa)}·{b.name(sx)}", va * vx, nid, None, [(sa, vx), (sx, va)])
            )
        b.add("sum", entry_name(nid, idx), y[idx], nid, idx, [(t, 1.0) for t in terms])


def _softmax(b: _Builder, nid: str, z_id: str, y: Array, ev: Evaluation) -> float:
    """``y_i = e_i / s``, ``e_i = e^{z_i − c}``, ``s = Σ_j e_j``; returns the shift ``c``."""
    z = ev.values[z_id]
    top = float(np.max(z))
    c = top if abs(top) > SOFTMAX_SHIFT_LIMIT else 0.0
    exps = []
    for idx in np.ndindex(*z.shape):
        sz = b.entries[(z_id, idx)]
        e = math.exp(float(z[idx]) - c)
        label = f"exp({b.name(sz)})" if c == 0.0 else f"exp({b.name(sz)} − {c:g})"
        exps.append(b.add("exp", label, e, nid, None, [(sz, e)]))
    s_val = math.fsum(b.value(e) for e in exps)
    s = b.add("sum", f"Σ exp({z_id})", s_val, nid, None, [(e, 1.0) for e in exps])
    with np.errstate(divide="ignore", invalid="ignore"):
        for idx, e in zip(np.ndindex(*y.shape), exps, strict=True):
            q = float(np.divide(b.value(e), s_val))
            b.add(
                "div",
                entry_name(nid, idx),
                y[idx],
                nid,
                idx,
                [(e, np.divide(1.0, s_val)), (s, -np.divide(q, s_val))],
            )
    return c


def _neg_log(b: _Builder, node: ProgramNode, x_id: str, y: Array, ev: Evaluation) -> None:
    """``l = −ln x[index]`` with partial ``−1/x_index``."""
    index = int(node.attrs["index"])
    sx = b.entries[(x_id, (index,))]
    with np.errstate(divide="ignore"):
        partial = float(np.divide(-1.0, b.value(sx)))
    entry = next(np.ndindex(*y.shape))
    b.add("neg_ln", entry_name(node.id, entry), y[entry], node.id, entry, [(sx, partial)])


def _mse(b: _Builder, node: ProgramNode, x_id: str, y: Array, ev: Evaluation) -> None:
    """``l = (1/n) Σ_i (x_i − t_i)²``: a difference and a square per entry, one mean."""
    x = ev.values[x_id]
    target = np.asarray(node.attrs["target"], dtype=np.float64)
    squares = []
    for idx in np.ndindex(*x.shape):
        sx = b.entries[(x_id, idx)]
        d = float(x[idx] - target[idx])
        t_name = entry_name("t", idx)
        sd = b.add("sub", f"{b.name(sx)} − {t_name}", d, node.id, None, [(sx, 1.0)])
        squares.append(
            b.add("square", f"({b.name(sx)} − {t_name})²", d * d, node.id, None, [(sd, 2.0 * d)])
        )
    entry = next(np.ndindex(*y.shape))
    b.add(
        "mean",
        entry_name(node.id, entry),
        y[entry],
        node.id,
        entry,
        [(q, 1.0 / x.size) for q in squares],
    )
