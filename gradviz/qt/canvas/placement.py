"""Where the canvas puts things so that nothing overlaps.

* :func:`column_positions`, :func:`row_spacing` — how far apart the layered
  layout's columns and rows are spread on the canvas: at least
  :data:`style.COLUMN_SPACING` × :data:`style.ROW_SPACING`, more where an edge's
  labels are wider (long decimals) or taller (big matrices) than that leaves room
  for.
* :func:`canvas_layout` — saved positions, else the model's layered layout
  spread that way.
* :func:`place_labels` — every edge label at its first candidate spot (see
  :meth:`EdgeItem.candidates`) that covers no node and no label placed before
  it, greedily in edge order, with a grid of buckets so that it stays linear in
  the number of edges.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable

from PySide6.QtCore import QRectF

from gradviz.model import layout
from gradviz.qt.canvas import style
from gradviz.qt.canvas.edge_items import EdgeItem, Spots
from gradviz.qt.canvas.labels import MathLabel
from gradviz.qt.canvas.node_base import NodeItem

CELL = 160.0  # bucket size of the collision grid, about one label
FALLBACK_SPOTS = 17  # when no spot is free, the least crowded of the first ones


class RectIndex:
    """Rectangles bucketed on a grid: ``hits(r)`` asks whether ``r`` meets any of them."""

    def __init__(self, cell: float = CELL) -> None:
        self.cell = cell
        self.buckets: dict[tuple[int, int], list[QRectF]] = {}

    def _keys(self, r: QRectF) -> list[tuple[int, int]]:
        c = self.cell
        xs = range(int(r.left() // c), int(r.right() // c) + 1)
        ys = range(int(r.top() // c), int(r.bottom() // c) + 1)
        return [(i, j) for i in xs for j in ys]

    def add(self, r: QRectF) -> None:
        for key in self._keys(r):
            self.buckets.setdefault(key, []).append(r)

    def remove(self, r: QRectF) -> None:
        """Take out the very rectangle object ``r`` added before."""
        for key in self._keys(r):
            bucket = self.buckets.get(key, [])
            for k, o in enumerate(bucket):
                if o is r:
                    del bucket[k]
                    break

    def hits(self, r: QRectF) -> bool:
        get = self.buckets.get
        for key in self._keys(r):
            for o in get(key, ()):
                if o.intersects(r):
                    return True
        return False

    def overlap(self, r: QRectF) -> float:
        """Total area of ``r`` covered by the rectangles (counted once per rectangle)."""
        seen: set[int] = set()
        area = 0.0
        for key in self._keys(r):
            for o in self.buckets.get(key, ()):
                if id(o) not in seen and o.intersects(r):
                    seen.add(id(o))
                    i = o.intersected(r)
                    area += i.width() * i.height()
        return area


def _first_free(index: RectIndex, rect: QRectF, where: Spots, prefer: int) -> int | None:
    """The number of the first spot where ``rect`` meets nothing, trying ``prefer`` first."""
    order = range(len(where)) if prefer < 0 else itertools.chain([prefer], range(len(where)))
    return next((k for k in order if not index.hits(rect.translated(where[k]))), None)


def place_labels(
    nodes: Iterable[NodeItem], edges: Iterable[EdgeItem], sticky: bool = False
) -> None:
    """Move every visible edge label to its first free candidate spot (or, when
    none is free, to the one it overlaps least); labels keep 3 units apart. The
    biggest labels (matrices) choose first: they have the fewest spots that fit.
    ``sticky`` (after an edit of values) tries each label's previous spot first, so
    labels stay put while a value is scrubbed."""
    index = RectIndex()
    for node in nodes:
        if node.isVisible():
            index.add(node.sceneBoundingRect().adjusted(-4, -4, 4, 4))
    todo: list[tuple[float, int, MathLabel, Spots]] = []
    for edge in edges:
        if not edge.isVisible():
            continue
        for label, where in zip(
            (edge.value_label, edge.grad_label), edge.candidates(), strict=True
        ):
            if label.isVisible():
                r = label.boundingRect()
                todo.append((-r.width() * r.height(), len(todo), label, where))
    todo.sort(key=lambda item: item[:2])
    placed: list[QRectF] = []
    for _, _, label, where in todo:
        rect = label.boundingRect()
        k = _first_free(index, rect, where, label.spot if sticky else -1)
        if k is None:  # nothing is free: the least overlap among the near spots
            near = range(min(len(where), FALLBACK_SPOTS))
            k = min(near, key=lambda i: index.overlap(rect.translated(where[i])))
        label.spot = k
        label.setPos(where[k])
        placed.append(rect.translated(where[k]).adjusted(-3, -3, 3, 3))
        index.add(placed[-1])
    # second round: a label that still overlaps tries again, the others now known
    for n, (_, _, label, where) in enumerate(todo):
        mine = placed[n]
        index.remove(mine)
        if index.hits(mine):
            rect = label.boundingRect()
            k = _first_free(index, rect, where, -1)
            if k is not None:
                label.spot = k
                label.setPos(where[k])
                mine = placed[n] = rect.translated(where[k]).adjusted(-3, -3, 3, 3)
        index.add(mine)


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
    for nid, col in columns.items():
        half[col] = max(half[col], nodes[nid].body.width() / 2)
    gap = [style.COLUMN_SPACING] * last
    for c in range(last):
        gap[c] = max(gap[c], half[c] + half[c + 1] + 60.0)
    for e in edges:
        a, b = columns[e.src.node_id], columns[e.dst.node_id]
        if b <= a:
            continue
        label = max(e.value_label.boundingRect().width(), e.grad_label.boundingRect().width())
        need = label + e.src.body.width() / 2 + e.dst.body.width() / 2 + 50.0
        for c in range(a, b):
            gap[c] = max(gap[c], need / (b - a))
    xs = {0: 0.0}
    for c in range(last):
        xs[c + 1] = xs[c] + gap[c]
    return xs


def row_spacing(edges: Iterable[EdgeItem]) -> float:
    """Rows at least :data:`style.ROW_SPACING` apart, more for tall matrix labels."""
    tallest = max(
        (
            e.value_label.boundingRect().height() + e.grad_label.boundingRect().height()
            for e in edges
        ),
        default=0.0,
    )
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
