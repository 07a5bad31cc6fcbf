"""Edges: an arrow from an input to the node that consumes it, with the forward
value the edge carries written above it (``z = (2, 1, −3)``) and, in the
gradient colour, the backpropagated ``∂l/∂z`` below it.

The two labels are separate top-level items (drawn above nodes and lines); the
edge keeps them next to its middle whenever either end moves.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import overload

import numpy as np
from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPen, QPolygonF
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from gradviz.qt.canvas.labels import MathLabel, Point, place_along
from gradviz.qt.canvas.node_items import NodeItem
from gradviz.qt.theme import DisplayOptions, Theme

ARROW_LEN, ARROW_HALF = 12.0, 5.5
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


class Spots(Sequence[Point]):
    """The candidate spots (top-left corners, scene units) of one label of an
    edge, computed when first asked for."""

    def __init__(self, edge: EdgeItem, which: int) -> None:
        self.edge, self.which = edge, which
        self._cache: dict[int, Point] = {}

    def __len__(self) -> int:
        return SPOT_COUNT

    @overload
    def __getitem__(self, k: int) -> Point: ...
    @overload
    def __getitem__(self, k: slice) -> list[Point]: ...
    def __getitem__(self, k: int | slice) -> Point | list[Point]:
        if isinstance(k, slice):
            return [self[i] for i in range(*k.indices(SPOT_COUNT))]
        hit = self._cache.get(k)
        if hit is not None:
            return hit
        if not -SPOT_COUNT <= k < SPOT_COUNT:
            raise IndexError(k)
        k %= SPOT_COUNT
        spot = self._cache[k] = self.edge.spot(self.which, k)
        return spot


class EdgeItem(QGraphicsItem):
    """``src → dst`` (``dst``'s input number ``slot``); ``lane`` spreads parallel
    edges between the same two nodes apart (0 for a single edge); the labels sit
    at ``t`` along the line (nearer the source where edges converge on ``dst``)."""

    def __init__(
        self, src: NodeItem, dst: NodeItem, slot: int, lane: float = 0.0, t: float = 0.5
    ) -> None:
        super().__init__()
        self.src, self.dst, self.slot, self.lane, self.t = src, dst, slot, lane, t
        self.value_label = MathLabel()
        self.grad_label = MathLabel()
        self.theme: Theme | None = None
        self.highlighted = False
        self._p1 = QPointF()
        self._p2 = QPointF()
        self._line = (0.0, 0.0, 0.0, 0.0)
        self._bounds = QRectF()
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.setZValue(0)
        src.edges.append(self)
        dst.edges.append(self)

    def add_to(self, scene: object) -> None:
        """Put the edge and its two labels into ``scene``."""
        for item in (self, self.value_label, self.grad_label):
            scene.addItem(item)  # type: ignore[attr-defined]

    # -- content -------------------------------------------------------------------
    def refresh(
        self,
        name: str,
        value: np.ndarray,
        grad_name: str | None,
        grad: np.ndarray | None,
        opts: DisplayOptions,
        halo: QColor | None,
        adjust: bool = True,
    ) -> None:
        """Write ``name = value`` above and ``grad_name = grad`` below (None hides it);
        ``adjust=False`` leaves placing to the caller (the scene places all labels at once)."""
        t = opts.palette
        self.theme = t
        self.value_label.set_content(f"{name} = ", value, opts, QColor(t.value), halo)
        self.value_label.setVisible(opts.show_values)
        if grad is not None and grad_name is not None:
            self.grad_label.set_content(f"{grad_name} = ", grad, opts, QColor(t.gradient), halo)
            self.grad_label.setVisible(opts.show_gradients)
        else:
            self.grad_label.setVisible(False)
        if adjust:
            self.adjust()

    # -- geometry ------------------------------------------------------------------
    def adjust(self, labels: bool = True) -> None:
        """Re-anchor the line on both boxes and move the labels with it (clear of
        the two end nodes; :func:`~gradviz.qt.canvas.placement.place_labels` also
        keeps them clear of every other node and label)."""
        c1, c2 = self.src.pos(), self.dst.pos()
        d = c2 - c1
        length = math.hypot(d.x(), d.y())
        normal = QPointF(-d.y() / length, d.x() / length) if length else QPointF()
        off = normal * (self.lane * PARALLEL_GAP)
        p1 = self.src.anchor(c2 + off, off)
        p2 = self.dst.anchor(c1 + off, off)
        self.prepareGeometryChange()
        self._p1, self._p2 = p1, p2
        pad = ARROW_LEN + 4
        self._bounds = QRectF(p1, p2).normalized().adjusted(-pad, -pad, pad, pad)
        self._line = (p1.x(), p1.y(), p2.x(), p2.y())
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
        return Spots(self, 0), Spots(self, 1)

    def spot(self, which: int, k: int) -> Point:
        """Candidate ``k`` of :meth:`candidates` for the value (0) or gradient (1) label."""
        gap = GAPS[k // len(SLIDES)]
        t = min(0.9, max(0.1, self.t + SLIDES[k % len(SLIDES)]))
        a, b = self.value_label, self.grad_label
        return place_along(self._line, (a.width, a.height), (b.width, b.height), gap, t)[which]

    def line(self) -> QLineF:
        return QLineF(self._p1, self._p2)

    def boundingRect(self) -> QRectF:
        return self._bounds

    def shape(self) -> QPainterPath:
        path = QPainterPath(self._p1)
        path.lineTo(self._p2)
        return path

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        t = self.theme
        if t is None:
            return
        line = QLineF(self._p1, self._p2)
        length = line.length()
        if length < 1:
            return
        ux, uy = (self._p2.x() - self._p1.x()) / length, (self._p2.y() - self._p1.y()) / length
        base = QPointF(self._p2.x() - ux * ARROW_LEN, self._p2.y() - uy * ARROW_LEN)
        if self.highlighted:
            glow = QColor(t.highlight)
            glow.setAlpha(170)
            painter.setPen(QPen(glow, 7, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
            painter.drawLine(QLineF(self._p1, self._p2))
        color = QColor(t.edge)
        painter.setPen(QPen(color, 1.8, Qt.PenStyle.SolidLine, Qt.PenCapStyle.FlatCap))
        painter.drawLine(QLineF(self._p1, base))
        head = QPolygonF(
            [
                self._p2,
                QPointF(base.x() - uy * ARROW_HALF, base.y() + ux * ARROW_HALF),
                QPointF(base.x() + uy * ARROW_HALF, base.y() - ux * ARROW_HALF),
            ]
        )
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(color)
        painter.drawPolygon(head)
