"""Where the canvas puts things so that nothing overlaps.

* :func:`column_positions`, :func:`row_spacing` — how far apart the layered
  layout's columns and rows are spread on the canvas: at least
  :data:`style.COLUMN_SPACING` × :data:`style.ROW_SPACING`, more where an edge's
  labels are wider (long decimals) or taller (big matrices) than that leaves room
  for.
* :func:`canvas_layout` — saved positions, else the model's layered layout
  spread that way.
* :func:`place_roughly` — every edge label at its first spot (for far-off bars).
* :func:`place_labels` — every edge label at its first candidate spot (see
  :meth:`EdgeItem.candidates`) that covers no node and no label placed before
  it, greedily in edge order, with a grid of buckets so that it stays linear in
  the number of edges.

Rectangles here are plain ``(left, top, right, bottom)`` float tuples: placing
thousands of labels is pure arithmetic, with no Qt object made per candidate.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from operator import itemgetter

from gradviz.model import layout
from gradviz.qt.canvas import style
from gradviz.qt.canvas.edge_items import SPOT_COUNT, EdgeItem, Spots
from gradviz.qt.canvas.labels import MathLabel
from gradviz.qt.canvas.node_base import NodeItem

CELL = 320.0  # bucket size of the collision grid, about two labels (fewest buckets asked)
FALLBACK_SPOTS = 17  # when no spot is free, the least crowded of the first ones
LABEL_MARGIN = 3.0  # labels keep this far apart
NODE_MARGIN = 4.0  # and this far from nodes

Rect = tuple[float, float, float, float]
_Get = Callable[[tuple[int, int], tuple[()]], "list[Rect] | tuple[()]"]


class RectIndex:
    """Rectangles ``(left, top, right, bottom)`` bucketed on a grid of ``cell``
    units: ``hits(r)`` asks whether ``r`` overlaps any of them (touching edges
    do not count, as with ``QRectF.intersects``)."""

    def __init__(self, cell: float = CELL) -> None:
        self.cell = cell
        self.buckets: dict[tuple[int, int], list[Rect]] = {}

    def _keys(self, r: Rect) -> list[tuple[int, int]]:
        c = self.cell
        i0, i1 = int(r[0] // c), int(r[2] // c)
        j0, j1 = int(r[1] // c), int(r[3] // c)
        if i0 == i1 and j0 == j1:
            return [(i0, j0)]
        return [(i, j) for i in range(i0, i1 + 1) for j in range(j0, j1 + 1)]

    def add(self, r: Rect) -> None:
        """Add ``r`` (most rectangles lie in one bucket: that one is found directly)."""
        c, buckets = self.cell, self.buckets
        i, j = int(r[0] // c), int(r[1] // c)
        if i == int(r[2] // c) and j == int(r[3] // c):
            bucket = buckets.get((i, j))
            if bucket is None:
                buckets[(i, j)] = [r]
            else:
                bucket.append(r)
            return
        for key in self._keys(r):
            buckets.setdefault(key, []).append(r)

    def remove(self, r: Rect) -> None:
        """Take out the very rectangle object ``r`` added before."""
        for key in self._keys(r):
            bucket = self.buckets.get(key, [])
            for k, o in enumerate(bucket):
                if o is r:
                    del bucket[k]
                    break

    def hits(self, r: Rect, ignore: Rect | None = None) -> bool:
        """Whether ``r`` overlaps a rectangle of the index other than ``ignore``."""
        return not _clear(self.buckets.get, self.cell, *r, ignore)

    def overlap(self, r: Rect) -> float:
        """Total area of ``r`` covered by the rectangles (counted once per rectangle)."""
        x0, y0, x1, y1 = r
        seen: set[int] = set()
        area = 0.0
        for key in self._keys(r):
            for o in self.buckets.get(key, ()):
                w = min(x1, o[2]) - max(x0, o[0])
                h = min(y1, o[3]) - max(y0, o[1])
                if w > 0 and h > 0 and id(o) not in seen:
                    seen.add(id(o))
                    area += w * h
        return area


def _at(label: MathLabel, spot: tuple[float, float], margin: float = 0.0) -> Rect:
    x, y = spot
    return (x - margin, y - margin, x + label.width + margin, y + label.height + margin)


def _first_free(index: RectIndex, label: MathLabel, where: Spots, prefer: int) -> int | None:
    """The number of the first spot where ``label`` meets nothing, trying ``prefer``
    first (the placer's innermost loop: spots read from the edge's shared pairs,
    buckets walked in place)."""
    w, h = label.width, label.height
    pairs, which, edge = where.pairs, where.which, where.edge
    get, c = index.buckets.get, index.cell
    for k in (prefer, *_SPOTS) if prefer >= 0 else _SPOTS:
        pair = pairs[k]
        if pair is None:
            pair = pairs[k] = edge.spot_pair(k)
        x0, y0 = pair[which]
        if _clear(get, c, x0, y0, x0 + w, y0 + h):
            return k
    return None


_SPOTS = tuple(range(SPOT_COUNT))


def _clear(
    get: _Get, c: float, x0: float, y0: float, x1: float, y1: float, ignore: Rect | None = None
) -> bool:
    """Whether ``(x0, y0, x1, y1)`` overlaps none of the rectangles bucketed (by
    ``get``) on a grid of ``c`` units but ``ignore``; the buckets are walked in
    place (most boxes lie in one bucket: that one is read directly)."""
    i0, i1, j0, j1 = int(x0 // c), int(x1 // c), int(y0 // c), int(y1 // c)
    if i0 == i1 and j0 == j1:
        for o in get((i0, j0), ()):
            if o[0] < x1 and x0 < o[2] and o[1] < y1 and y0 < o[3] and o is not ignore:
                return False
        return True
    for i in range(i0, i1 + 1):
        for j in range(j0, j1 + 1):
            for o in get((i, j), ()):
                if o[0] < x1 and x0 < o[2] and o[1] < y1 and y0 < o[3] and o is not ignore:
                    return False
    return True


def _least_overlap(index: RectIndex, label: MathLabel, where: Spots) -> int:
    """The spot among the first :data:`FALLBACK_SPOTS` where ``label`` covers least."""
    near = range(min(len(where), FALLBACK_SPOTS))
    return min(near, key=lambda k: index.overlap(_at(label, where[k])))


#: Biggest label first, then in edge order (the sort key of the placer's list).
_order = itemgetter(0, 1)


def positions(nodes: Iterable[NodeItem]) -> dict[str, tuple[float, float]]:
    """Every node's position (its centre) by id, asked of Qt once each."""
    return {node.node_id: (p.x(), p.y()) for node in nodes for p in (node.pos(),)}


def node_rect(
    node: NodeItem, margin: float = 0.0, at: Mapping[str, tuple[float, float]] | None = None
) -> Rect:
    """A node's bounding box in scene units, grown by ``margin`` (``at``: the
    positions by id, when known)."""
    left, top, right, bottom = node.extent
    if at is None:
        p = node.pos()
        x, y = p.x(), p.y()
    else:
        x, y = at[node.node_id]
    return (x + left - margin, y + top - margin, x + right + margin, y + bottom + margin)


def place_labels(
    nodes: Iterable[NodeItem],
    edges: Iterable[EdgeItem],
    sticky: bool = False,
    at: Mapping[str, tuple[float, float]] | None = None,
) -> None:
    """Move every visible edge label to its first free candidate spot (or, when
    none is free, to the one it overlaps least); labels keep 3 units apart. The
    biggest labels (matrices) choose first: they have the fewest spots that fit.
    ``sticky`` (after an edit of values) tries each label's previous spot first, so
    labels stay put while a value is scrubbed. ``at``: the nodes' positions by id,
    when the caller has them."""
    index = RectIndex()
    add = index.add
    for node in nodes:
        if node.isVisible():
            add(node_rect(node, NODE_MARGIN, at))
    todo: list[tuple[float, int, MathLabel, Spots]] = []
    for edge in edges:
        value, grad = edge.value_label, edge.grad_label
        if not edge._visible or not (value._visible or grad._visible):
            continue
        spots = edge.candidates()
        if value._visible:
            todo.append((-value.width * value.height, len(todo), value, spots[0]))
        if grad._visible:
            todo.append((-grad.width * grad.height, len(todo), grad, spots[1]))
    todo.sort(key=_order)
    placed: list[Rect] = []  # each label's box grown by the margin, in the order of todo
    m = LABEL_MARGIN
    first_free, keep = _first_free, placed.append
    for _, _, label, where in todo:
        k = first_free(index, label, where, label.spot if sticky else -1)
        if k is None:  # nothing is free: the least overlap among the near spots
            k = _least_overlap(index, label, where)
        label.spot = k
        x, y = where.at(k)
        label.move_to(x, y)
        rect = (x - m, y - m, x + label.width + m, y + label.height + m)
        add(rect)
        keep(rect)
    # second round: a label that still overlaps tries again, the others now known
    hits = index.hits
    for n, (_, _, label, where) in enumerate(todo):
        mine = placed[n]
        if not hits(mine, ignore=mine):
            continue
        index.remove(mine)
        k = _first_free(index, label, where, -1)
        if k is not None:
            label.spot = k
            label.move_to(*where[k])
            mine = placed[n] = _at(label, where[k], m)
        add(mine)


def place_roughly(edges: Iterable[EdgeItem]) -> None:
    """Every visible edge's two labels at their first spot, overlaps and all:
    enough while labels are drawn as bars too small to read (:func:`place_labels`
    keeps them apart)."""
    for edge in edges:
        if edge._visible:
            above, below = edge.spot_pair(0)
            edge.value_label.move_to(*above)
            edge.grad_label.move_to(*below)


def column_positions(
    columns: dict[str, int], nodes: dict[str, NodeItem], edges: Iterable[EdgeItem]
) -> dict[int, float]:
    """The x of every layout column: consecutive columns at least
    :data:`style.COLUMN_SPACING` apart, and wider where an edge's labels and its two
    nodes need more room (the room an edge needs is shared by the gaps it spans)."""
    if not columns:
        return {}
    last = max(columns.values())
    half = [0.0] * (last + 1)
    widths = {nid: node.body.width() for nid, node in nodes.items()}
    for nid, col in columns.items():
        half[col] = max(half[col], widths[nid] / 2)
    gap = [style.COLUMN_SPACING] * last
    for c in range(last):
        gap[c] = max(gap[c], half[c] + half[c + 1] + 60.0)
    for e in edges:
        src, dst = e.src.node_id, e.dst.node_id
        a, b = columns[src], columns[dst]
        if b <= a:
            continue
        label = max(e.value_label.width, e.grad_label.width)
        need = (label + widths[src] / 2 + widths[dst] / 2 + 50.0) / (b - a)
        for c in range(a, b):
            if need > gap[c]:
                gap[c] = need
    xs = {0: 0.0}
    for c in range(last):
        xs[c + 1] = xs[c] + gap[c]
    return xs


def row_spacing(edges: Iterable[EdgeItem]) -> float:
    """Rows at least :data:`style.ROW_SPACING` apart, more for tall matrix labels."""
    tallest = max((e.value_label.height + e.grad_label.height for e in edges), default=0.0)
    return max(style.ROW_SPACING, tallest + 110.0)


def canvas_layout(
    net_nodes: Iterable[tuple[str, tuple[float, float] | None]],
    auto: dict[str, tuple[float, float]],
    xs: dict[int, float] | None = None,
    row: float = style.ROW_SPACING,
) -> dict[str, tuple[float, float]]:
    """Saved positions as they are; elsewhere the model's layered layout with its
    column ``c`` at ``xs[c]`` (default: :data:`style.COLUMN_SPACING` apart) and its
    rows ``row`` apart (see :mod:`placement`)."""
    sy = row / layout.ROW_SPACING
    out: dict[str, tuple[float, float]] = {}
    for nid, pos in net_nodes:
        if pos is not None:
            out[nid] = pos
            continue
        x, y = auto[nid]
        col = round(x / layout.COLUMN_SPACING)
        cx = xs[col] if xs is not None and col in xs else col * style.COLUMN_SPACING
        out[nid] = (cx, y * sy)
    return out
