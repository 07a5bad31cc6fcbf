"""Left-to-right layered layout of a scalar graph (the scalar view's drawing).

The scalar graph of :func:`gradviz.engine.scalar.expand` is a DAG whose ids are
already topological. It is drawn the Sugiyama way, in four steps:

1. **Layers.** ``depth(v) = 1 + max depth(inputs)``, sources at 0; a leaf (an entry
   of ``E``, ``P``, ``Q``) then moves right to ``min depth(consumers) − 1`` so each
   weight sits next to the product that uses it.
2. **Dummies.** An edge ``u → v`` spanning ``k > 1`` layers gets ``k − 1`` dummy
   slots, one per crossed layer, so that it is routed *between* the nodes of those
   layers instead of through them.
3. **Order.** Within each layer, slots start in id order (the expansion's reading
   order: ``p₁,₁·e₁, p₁,₂·e₂, z₁, …``) and are then sorted by the barycentre of
   their neighbours' positions, alternating left-to-right sweeps (inputs) and
   right-to-left sweeps (consumers).
4. **Coordinates.** ``x``: columns of the widest node's width plus a gap. ``y``:
   each slot wants the mean ``y`` of its neighbours in the last swept layer; the
   placement keeping the order and the minimum gaps that is closest to those
   wishes in the least-squares sense is an isotonic regression, solved exactly by
   pool-adjacent-violators in O(n) per layer.

Everything is plain Python (no Qt): widths come in as numbers, coordinates go
out as the centres of the nodes, in scene units (x right, y down).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from gradviz.engine.scalar import ScalarGraph

COLUMN_GAP = 64.0
"""Horizontal room between two columns of nodes (where the edges run)."""
ROW_GAP = 22.0
"""Vertical room between two stacked nodes."""
DUMMY_HEIGHT = 14.0
"""The height a long edge occupies where it crosses a layer."""
SWEEPS = 3
"""Pairs of ordering sweeps (left-to-right, right-to-left)."""
PLACEMENT_SWEEPS = 2
"""Pairs of coordinate sweeps."""

#: An edge as ``(source id, consumer id, input position in the consumer)``.
EdgeKey = tuple[int, int, int]


@dataclass
class ScalarLayout:
    """Where every scalar goes. ``x``/``y`` are node centres by scalar id;
    ``layer`` each scalar's column; ``routes[(u, v, pos)]`` the points an edge runs
    through between its ends (dummy slots, empty for adjacent layers);
    ``column_x``/``column_width`` the centre and width of each column."""

    x: list[float]
    y: list[float]
    layer: list[int]
    column_x: list[float]
    column_width: list[float]
    routes: dict[EdgeKey, list[tuple[float, float]]] = field(default_factory=dict)

    @property
    def layers(self) -> int:
        return len(self.column_x)


def layers_of(graph: ScalarGraph) -> list[int]:
    """Step 1: the column of every scalar (longest path from a source; leaves as
    far right as their consumers allow)."""
    nodes = graph.nodes
    depth = [0] * len(nodes)
    for n in nodes:
        if n.inputs:
            depth[n.id] = 1 + max(depth[e.source] for e in n.inputs)
    for n in nodes:
        if not n.inputs:
            users = graph.consumers(n.id)
            if users:
                depth[n.id] = max(0, min(depth[c] for c, _ in users) - 1)
    return depth


def _isotonic(wish: Sequence[float], weight: Sequence[float]) -> list[float]:
    """The non-decreasing sequence closest to ``wish`` in weighted least squares
    (pool adjacent violators)."""
    means: list[float] = []  # the blocks, as three parallel stacks
    weights: list[float] = []
    counts: list[int] = []
    for w, k in zip(wish, weight, strict=True):
        m, c = w, 1
        while means and means[-1] > m:
            k1 = weights.pop()
            m = (means.pop() * k1 + m * k) / (k1 + k)
            k += k1
            c += counts.pop()
        means.append(m)
        weights.append(k)
        counts.append(c)
    out: list[float] = []
    for mean, count in zip(means, counts, strict=True):
        out += [mean] * count
    return out


def layout(
    graph: ScalarGraph,
    widths: Sequence[float],
    height: float,
    dummy_height: float = DUMMY_HEIGHT,
    column_gap: float = COLUMN_GAP,
    row_gap: float = ROW_GAP,
) -> ScalarLayout:
    """Lay ``graph`` out left to right; ``widths[i]`` is scalar ``i``'s box width and
    every box is ``height`` tall. See the module docstring for the method."""
    n = len(graph.nodes)
    depth = layers_of(graph)
    n_layers = max(depth, default=-1) + 1

    # step 2: slots (real nodes 0..n-1, then dummies) and edges between adjacent layers
    slot_layer = list(depth)
    ups: list[list[int]] = [[] for _ in range(n)]  # neighbours one layer to the left
    downs: list[list[int]] = [[] for _ in range(n)]  # neighbours one layer to the right
    chains: dict[EdgeKey, list[int]] = {}
    origin: list[float] = [float(i) for i in range(n)]  # initial order key
    for v in graph.nodes:
        for pos, e in enumerate(v.inputs):
            u = e.source
            prev = u
            chain: list[int] = []
            for d in range(depth[u] + 1, depth[v.id]):
                s = len(slot_layer)
                slot_layer.append(d)
                ups.append([prev])
                downs.append([])
                downs[prev].append(s)
                origin.append(u + 0.5)
                chain.append(s)
                prev = s
            ups[v.id].append(prev)
            downs[prev].append(v.id)
            if chain:
                chains[(u, v.id, pos)] = chain
    n_slots = len(slot_layer)

    # step 3: order within layers
    columns: list[list[int]] = [[] for _ in range(n_layers)]
    for s in sorted(range(n_slots), key=origin.__getitem__):
        columns[slot_layer[s]].append(s)
    where = [0.0] * n_slots

    def place_index(col: list[int]) -> None:
        mid = (len(col) - 1) / 2
        for k, s in enumerate(col):
            where[s] = k - mid

    for col in columns:
        place_index(col)
    for _ in range(SWEEPS):
        for order, nbrs in ((range(1, n_layers), ups), (range(n_layers - 2, -1, -1), downs)):
            for d in order:
                col = columns[d]
                keys = {}
                for s in col:
                    near = nbrs[s]
                    keys[s] = sum(where[t] for t in near) / len(near) if near else where[s]
                col.sort(key=keys.__getitem__)
                place_index(col)

    # step 4: coordinates
    col_w = [0.0] * n_layers
    for i in range(n):
        col_w[depth[i]] = max(col_w[depth[i]], float(widths[i]))
    col_x: list[float] = []
    left = 0.0
    for w in col_w:
        col_x.append(left + w / 2)
        left += w + column_gap
    size = [height if s < n else dummy_height for s in range(n_slots)]
    ys = [0.0] * n_slots
    for col in columns:  # stacked and centred to start
        total = sum(size[s] for s in col) + row_gap * max(len(col) - 1, 0)
        top = -total / 2
        for s in col:
            ys[s] = top + size[s] / 2
            top += size[s] + row_gap

    def settle(col: list[int], nbrs: list[list[int]]) -> None:
        if not col:
            return
        offsets, at = [], 0.0
        for k, s in enumerate(col):
            if k:
                at += (size[col[k - 1]] + size[s]) / 2 + row_gap
            offsets.append(at)
        wish, weight = [], []
        for s, o in zip(col, offsets, strict=True):
            near = nbrs[s]
            if len(near) == 1:
                wish.append(ys[near[0]] - o)
                weight.append(1.0)
            elif near:
                wish.append(sum([ys[t] for t in near]) / len(near) - o)
                weight.append(float(len(near)))
            else:
                wish.append(ys[s] - o)
                weight.append(0.25)
        for s, base, o in zip(col, _isotonic(wish, weight), offsets, strict=True):
            ys[s] = base + o

    for _ in range(PLACEMENT_SWEEPS):
        for d in range(1, n_layers):
            settle(columns[d], ups)
        for d in range(n_layers - 2, -1, -1):
            settle(columns[d], downs)

    top = min((ys[s] - size[s] / 2 for s in range(n_slots)), default=0.0)
    xs = [col_x[depth[i]] for i in range(n)]
    routes = {
        key: [(col_x[slot_layer[s]], ys[s] - top) for s in chain] for key, chain in chains.items()
    }
    return ScalarLayout(xs, [y - top for y in ys[:n]], depth, col_x, col_w, routes)
