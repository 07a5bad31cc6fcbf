"""Edges: an arrow from an input to the node that consumes it, with the forward
value the edge carries written above it (``z = (2, 1, −3)``) and, in the
gradient colour, the backpropagated ``∂l/∂z`` below it.

The edge and its two labels are parts of two layers (lines under the nodes,
labels above everything, see :mod:`~gradviz.qt.canvas.layers`); the edge keeps
its labels next to its middle whenever either end moves.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from typing import NamedTuple, overload

from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen, QPolygonF

from gradviz.qt.canvas import style
from gradviz.qt.canvas.labels import MathLabel, Point, place_along
from gradviz.qt.canvas.layers import Layer, Part, to_qrect
from gradviz.qt.canvas.node_items import NodeItem
from gradviz.qt.canvas.style import Formatted
from gradviz.qt.theme import DisplayOptions, Theme

ARROW_LEN, ARROW_HALF = 12.0, 5.5
#: An arrow head shorter than this many pixels is left out (the line alone is drawn).
HEADLESS_BELOW = 1.5
PARALLEL_GAP = 26.0
#: Where to try a label when it would cover a node: shifts of ``t`` along the edge.
SLIDES = (
    0.0,
    0.04,
    -0.04,
    0.08,
    -0.08,
    0.12,
    -0.12,
    0.16,
    -0.16,
    0.2,
    -0.2,
    0.25,
    -0.25,
    0.3,
    -0.3,
    0.35,
    -0.35,
)
#: Distances from the line tried in turn.
GAPS = (4.0, 22.0, 44.0)
SPOT_COUNT = len(GAPS) * len(SLIDES)
#: Candidate ``k``'s distance from the line and shift along it.
_GAP_SLIDE = [(GAPS[k // len(SLIDES)], SLIDES[k % len(SLIDES)]) for k in range(SPOT_COUNT)]


class Spots:
    """The candidate spots (top-left corners, scene units) of one label of an
    edge, a sequence computed when first asked for; the value (``which`` 0) and
    gradient (1) labels' spots are computed in pairs, shared through ``pairs``
    (one slot per spot, None until computed). A plain class with slots, not a
    ``Sequence``: the placer makes two per edge."""

    __slots__ = ("edge", "pairs", "which")

    def __init__(self, edge: EdgeItem, which: int, pairs: list[tuple[Point, Point] | None]) -> None:
        self.edge, self.which, self.pairs = edge, which, pairs

    def __len__(self) -> int:
        return SPOT_COUNT

    def at(self, k: int) -> Point:
        """Spot ``k`` (0 ≤ k < SPOT_COUNT): the placer's fast path, no checks."""
        pair = self.pairs[k]
        if pair is None:
            pair = self.pairs[k] = self.edge.spot_pair(k)
        return pair[self.which]

    def __iter__(self) -> Iterator[Point]:
        return map(self.at, range(SPOT_COUNT))

    @overload
    def __getitem__(self, k: int) -> Point: ...
    @overload
    def __getitem__(self, k: slice) -> list[Point]: ...
    def __getitem__(self, k: int | slice) -> Point | list[Point]:
        if isinstance(k, slice):
            return [self.at(i) for i in range(*k.indices(SPOT_COUNT))]
        if not -SPOT_COUNT <= k < SPOT_COUNT:
            raise IndexError(k)
        return self.at(k % SPOT_COUNT)


class EdgeColors(NamedTuple):
    """The theme and the colours of every edge label in one refresh."""

    theme: Theme
    value: QColor
    gradient: QColor
    halo: QColor | None

    @classmethod
    def of(cls, opts: DisplayOptions, halo: QColor | None) -> EdgeColors:
        t = opts.palette
        return cls(t, style.color(t.value), style.color(t.gradient), halo)


class EdgeItem(Part):
    """``src → dst`` (``dst``'s input number ``slot``); ``lane`` spreads parallel
    edges between the same two nodes apart (0 for a single edge); the labels sit
    at ``t`` along the line (nearer the source where edges converge on ``dst``).

    A :class:`~gradviz.qt.canvas.layers.Part` of the scene's edge layer (under
    the nodes); its two labels are parts of the label layer (above everything)."""

    def __init__(
        self, src: NodeItem, dst: NodeItem, slot: int, lane: float = 0.0, t: float = 0.5
    ) -> None:
        super().__init__()
        self.src, self.dst, self.slot, self.lane, self.t = src, dst, slot, lane, t
        self.value_label = MathLabel()
        self.grad_label = MathLabel()
        self.theme: Theme | None = None
        self.highlighted = False
        self._line = (0.0, 0.0, 0.0, 0.0)
        src.edges.append(self)
        dst.edges.append(self)

    def add_to(self, edges: Layer, labels: Layer) -> None:
        """Put the edge into the layer ``edges`` and its two labels into ``labels``."""
        edges.add(self)
        labels.add(self.value_label)
        labels.add(self.grad_label)

    # -- content -------------------------------------------------------------------
    def refresh(
        self,
        prefix: str,
        value: Formatted,
        grad_prefix: str | None,
        grad: Formatted | None,
        colors: EdgeColors,
    ) -> None:
        """Write ``prefix`` and ``value`` above and ``grad_prefix`` and ``grad`` below
        (None: no gradient, the label left empty), both already formatted
        (:func:`style.formatted`), the prefixes (``"z = "``, ``"∂l/∂z = "``) and
        colours made by the caller once (per source node, per refresh). Which labels
        show and where they stand are the scene's (it shows or hides every label at
        once and places all of them, see :meth:`adjust`)."""
        self.theme = colors.theme
        self.value_label.set_text(prefix, *value, colors.value, colors.halo)
        if grad is not None and grad_prefix is not None:
            self.grad_label.set_text(grad_prefix, *grad, colors.gradient, colors.halo)
        else:
            self.grad_label.set_text("", "", [], colors.gradient, colors.halo)

    # -- geometry ------------------------------------------------------------------
    def adjust(self, labels: bool = True, at: Mapping[str, Point] | None = None) -> None:
        """Re-anchor the line on both boxes and move the labels with it (clear of
        the two end nodes; :func:`~gradviz.qt.canvas.placement.place_labels` also
        keeps them clear of every other node and label). ``at``: every node's
        position by id, when the caller has them (else each end is asked)."""
        src, dst = self.src, self.dst
        if at is None:
            x1, y1, hw1, hh1 = src.anchor_box()
            x2, y2, hw2, hh2 = dst.anchor_box()
        else:
            (x1, y1), (hw1, hh1) = at[src.node_id], src.half
            (x2, y2), (hw2, hh2) = at[dst.node_id], dst.half
        dx, dy = x2 - x1, y2 - y1
        length = math.hypot(dx, dy)
        gap = self.lane * PARALLEL_GAP
        ox, oy = (-dy / length * gap, dx / length * gap) if length else (0.0, 0.0)
        ax, ay = _anchor(x1 + ox, y1 + oy, dx, dy, hw1, hh1)
        bx, by = _anchor(x2 + ox, y2 + oy, -dx, -dy, hw2, hh2)
        before = self.rect
        self._line = (ax, ay, bx, by)
        pad = ARROW_LEN + 4
        self.rect = (min(ax, bx) - pad, min(ay, by) - pad, max(ax, bx) + pad, max(ay, by) + pad)
        if self.rect != before:
            self.changed(before)
        if not labels:
            return
        boxes = [
            self.src.sceneBoundingRect().adjusted(-6, -6, 6, 6),
            self.dst.sceneBoundingRect().adjusted(-6, -6, 6, 6),
        ]
        for label, spots in zip(
            (self.value_label, self.grad_label), self.candidates(), strict=True
        ):  # clear of the two end nodes only: cheap enough to follow a drag
            rect = label.boundingRect()
            free = (
                p
                for p in spots
                if not any(b.intersects(rect.translated(p[0], p[1])) for b in boxes)
            )
            label.move_to(*next(free, spots[0]))

    def candidates(self) -> tuple[Spots, Spots]:
        """Where the value label and the gradient label may go (top-left corners),
        best first: at ``t`` along the line, then slid along it by up to 0.35 of
        its length, then the same a little further from the line. Computed lazily:
        the first spot is usually free."""
        pairs: list[tuple[Point, Point] | None] = [None] * SPOT_COUNT
        return Spots(self, 0, pairs), Spots(self, 1, pairs)

    def spot_pair(self, k: int) -> tuple[Point, Point]:
        """Candidate ``k`` of :meth:`candidates` for the value and the gradient label."""
        gap, slide = _GAP_SLIDE[k]
        t = min(0.9, max(0.1, self.t + slide))
        a, b = self.value_label, self.grad_label
        return place_along(self._line, (a.width, a.height), (b.width, b.height), gap, t)

    def line(self) -> QLineF:
        x1, y1, x2, y2 = self._line
        return QLineF(x1, y1, x2, y2)

    def boundingRect(self) -> QRectF:  # noqa: N802
        return to_qrect(self.rect)

    def distance(self, x: float, y: float) -> float:
        """How far the scene point ``(x, y)`` is from the line (as a segment)."""
        x1, y1, x2, y2 = self._line
        dx, dy = x2 - x1, y2 - y1
        n = dx * dx + dy * dy
        s = 0.0 if n == 0 else min(1.0, max(0.0, ((x - x1) * dx + (y - y1) * dy) / n))
        return math.hypot(x - x1 - s * dx, y - y1 - s * dy)

    def draw(self, painter: QPainter, lod: float) -> None:
        t = self.theme
        if t is None:
            return
        x1, y1, x2, y2 = self._line
        length = math.hypot(x2 - x1, y2 - y1)
        if length < 1:
            return
        p1, p2 = QPointF(x1, y1), QPointF(x2, y2)
        ux, uy = (x2 - x1) / length, (y2 - y1) / length
        base = QPointF(x2 - ux * ARROW_LEN, y2 - uy * ARROW_LEN)
        if self.highlighted:
            painter.setPen(_highlight_pen(t))
            painter.drawLine(QLineF(p1, p2))
        painter.setPen(_edge_pen(t))
        if lod * ARROW_LEN < HEADLESS_BELOW:
            painter.drawLine(QLineF(p1, p2))
            return
        painter.drawLine(QLineF(p1, base))
        head = QPolygonF(
            [
                p2,
                QPointF(base.x() - uy * ARROW_HALF, base.y() + ux * ARROW_HALF),
                QPointF(base.x() + uy * ARROW_HALF, base.y() - ux * ARROW_HALF),
            ]
        )
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(style.brush(t.edge))
        painter.drawPolygon(head)

    @staticmethod
    def draw_many(painter: QPainter, parts: Sequence[Part], lod: float) -> None:
        """Where the arrow heads would be a pixel or two (a big graph fitted in the
        window), every edge is a plain line: the highlighted ones' glow first, then
        all lines in one call. Closer, each edge draws itself."""
        if lod * ARROW_LEN >= HEADLESS_BELOW:
            Part.draw_many(painter, parts, lod)
            return
        edges = [e for e in parts if isinstance(e, EdgeItem) and e.theme is not None]
        if not edges:
            return
        theme = edges[0].theme
        assert theme is not None
        glow = [e.line() for e in edges if e.highlighted]
        if glow:
            painter.setPen(_highlight_pen(theme))
            painter.drawLines(glow)
        painter.setPen(_edge_pen(theme))
        painter.drawLines([e.line() for e in edges])


def _edge_pen(t: Theme) -> QPen:
    return style.pen(t.edge, 1.8, cap=Qt.PenCapStyle.FlatCap)


def _highlight_pen(t: Theme) -> QPen:
    return style.pen(t.highlight, 7.0, 170, cap=Qt.PenCapStyle.RoundCap)


def _anchor(cx: float, cy: float, dx: float, dy: float, hw: float, hh: float) -> Point:
    """Where the ray from ``(cx, cy)`` along ``(dx, dy)`` leaves a box of half-size
    ``hw × hh`` centred there (or the ray's end, when that is nearer)."""
    sx = hw / abs(dx) if dx else math.inf
    sy = hh / abs(dy) if dy else math.inf
    s = min(sx, sy, 1.0)
    return cx + dx * s, cy + dy * s
