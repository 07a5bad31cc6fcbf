"""Where the canvas puts things so that nothing overlaps.

* :func:`column_positions`, :func:`row_spacing` — how far apart the layered
  layout's columns and rows are spread on the canvas: at least
  :data:`style.COLUMN_SPACING` × :data:`style.ROW_SPACING`, more where an edge's
  labels are wider (long decimals) or taller (big matrices) than that leaves room
  for.
* :func:`place_labels` — every edge label at its first candidate spot (see
  :meth:`EdgeItem.candidates`) that covers no node and no label placed before
  it, greedily in edge order, with a grid of buckets so that it stays linear in
  the number of edges.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from PySide6.QtCore import QPointF, QRectF

from gradviz.qt.canvas import style
from gradviz.qt.canvas.edge_items import EdgeItem
from gradviz.qt.canvas.labels import MathLabel
from gradviz.qt.canvas.node_base import NodeItem

CELL = 160.0  # bucket size of the collision grid, about one label


class RectIndex:
    """Rectangles bucketed on a grid: ``hits(r)`` asks whether ``r`` meets any of them."""

    def __init__(self, cell: float = CELL) -> None:
        self.cell = cell
        self.buckets: dict[tuple[int, int], list[QRectF]] = {}

    def _keys(self, r: QRectF) -> Iterable[tuple[int, int]]:
        c = self.cell
        for i in range(math.floor(r.left() / c), math.floor(r.right() / c) + 1):
            for j in range(math.floor(r.top() / c), math.floor(r.bottom() / c) + 1):
                yield i, j

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
        return any(o.intersects(r) for key in self._keys(r) for o in self.buckets.get(key, ()))

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


def place_labels(nodes: Iterable[NodeItem], edges: Iterable[EdgeItem]) -> None:
    """Move every visible edge label to its first free candidate spot (or, when
    none is free, to the one it overlaps least); labels keep 3 units apart. The
    biggest labels (matrices) choose first: they have the fewest spots that fit."""
    index = RectIndex()
    for node in nodes:
        if node.isVisible():
            index.add(node.sceneBoundingRect().adjusted(-4, -4, 4, 4))
    todo: list[tuple[float, int, MathLabel, list[QPointF]]] = []
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
        chosen = next((p for p in where if not index.hits(rect.translated(p))), None)
        if chosen is None:
            chosen = min(where, key=lambda p: index.overlap(rect.translated(p)))
        label.setPos(chosen)
        placed.append(rect.translated(chosen).adjusted(-3, -3, 3, 3))
        index.add(placed[-1])
    # second round: a label that still overlaps tries again, the others now known
    for k, (_, _, label, where) in enumerate(todo):
        mine = placed[k]
        index.remove(mine)
        if index.hits(mine):
            rect = label.boundingRect()
            free = next((p for p in where if not index.hits(rect.translated(p))), None)
            if free is not None:
                label.setPos(free)
                mine = placed[k] = rect.translated(free).adjusted(-3, -3, 3, 3)
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
