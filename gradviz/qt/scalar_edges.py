"""The scalar view's edges: every edge of the scalar graph in one graphics item.

:class:`EdgesItem` draws every edge in one call (one cached ``QPainterPath`` with
a 1-pixel cosmetic pen, which Qt strokes fast even for thousands of crossing
curves), cubic curves with horizontal tangents from the right side of the source
to the left side of the consumer, through the layout's dummy points; the
highlighted edges (the paths of a Jacobian entry) are drawn on top, one path
each, thicker, with their local partial ``∂v/∂u`` written beside them where no
other label is.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from gradviz.engine.scalar import ScalarGraph
from gradviz.qt.scalar_items import TEXT_LOD, ScalarStyle
from gradviz.qt.scalar_layout import EdgeKey, ScalarLayout

#: Where along an edge's last leg its partial may go, tried in order.
LABEL_SPOTS = (0.5, 0.35, 0.65, 0.22, 0.78)
#: Arrowhead length and half-width, scene units.
ARROW = (8.0, 4.0)


Point = tuple[float, float]


def _on_curve(a: Point, b: Point, t: float) -> QPointF:
    """The point at parameter ``t`` of the cubic :meth:`EdgesItem._add` draws from
    ``a`` to ``b`` (control points half-way across, at the ends' heights): it has
    moved ``1.5·t(1 − t) + t³`` of the way in x and ``3t² − 2t³`` in y."""
    fx = 1.5 * t * (1 - t) + t**3
    fy = t * t * (3 - 2 * t)
    return QPointF(a[0] + (b[0] - a[0]) * fx, a[1] + (b[1] - a[1]) * fy)


class EdgesItem(QGraphicsItem):
    """Every edge of the scalar graph in one item. :meth:`set_highlight` picks the
    edges drawn on top (with their local partials); the others fade while a
    highlight is shown."""

    def __init__(self, st: ScalarStyle) -> None:
        super().__init__()
        self._st = st
        self._geometry: dict[EdgeKey, list[Point]] = {}
        self._partials: dict[EdgeKey, float] = {}
        self._all = QPainterPath()
        self._arrows = QPainterPath()
        self._hot: list[QPainterPath] | None = None
        self._hot_arrows: QPainterPath | None = None
        self._hot_edges: list[EdgeKey] = []
        self._labels: list[tuple[QPointF, str]] = []
        self._rect = QRectF()
        self.show_partials = True
        self.setZValue(-1)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)

    def set_graph(
        self, graph: ScalarGraph, lay: ScalarLayout, widths: Sequence[float], height: float
    ) -> None:
        """Route every edge of ``graph`` as laid out in ``lay``."""
        self.prepareGeometryChange()
        self._geometry.clear()
        self._partials.clear()
        path, arrows = QPainterPath(), QPainterPath()
        alen, awid = ARROW
        xs, ys, routes, geometry = lay.x, lay.y, lay.routes, self._geometry
        for v in graph.nodes:
            end = (xs[v.id] - widths[v.id] / 2, ys[v.id])
            for pos, e in enumerate(v.inputs):
                u = e.source
                key = (u, v.id, pos)
                pts = [(xs[u] + widths[u] / 2, ys[u])]
                for k, (cx, cy) in enumerate(routes.get(key, ())):
                    half = lay.column_width[lay.layer[u] + 1 + k] / 2
                    pts += [(cx - half, cy), (cx + half, cy)]
                pts.append(end)
                geometry[key] = pts
                self._partials[key] = e.partial
                self._add(path, pts)
            if v.inputs:
                ex, ey = end
                arrows.moveTo(ex - alen, ey - awid)
                arrows.lineTo(ex, ey)
                arrows.lineTo(ex - alen, ey + awid)
        self._all, self._arrows = path, arrows
        self._rect = path.boundingRect().united(arrows.boundingRect()).adjusted(-4, -4, 4, 4)
        self._hot, self._hot_arrows, self._hot_edges, self._labels = None, None, [], []
        self.update()

    def set_partials(self, graph: ScalarGraph) -> None:
        """New local partials after an edit (the same edges)."""
        for v in graph.nodes:
            for pos, e in enumerate(v.inputs):
                self._partials[(e.source, v.id, pos)] = e.partial
        self._labels = self._label_spots()
        self.update()

    @staticmethod
    def _add(path: QPainterPath, pts: list[Point]) -> None:
        """Cubics with horizontal tangents between the points, straight across
        each crossed column (from an even point to the next)."""
        x0, y0 = pts[0]
        path.moveTo(x0, y0)
        last = len(pts) - 1
        for k in range(1, len(pts)):
            x1, y1 = pts[k]
            if k % 2 == 0 and k < last:
                path.lineTo(x1, y1)
            else:
                dx = (x1 - x0) / 2
                path.cubicTo(x0 + dx, y0, x1 - dx, y1, x1, y1)
            x0, y0 = x1, y1

    def set_highlight(self, edges: Iterable[EdgeKey]) -> None:
        """Draw these edges on top with their partials (empty: none)."""
        self._hot_edges = sorted(k for k in set(edges) if k in self._geometry)
        if not self._hot_edges:
            self._hot, self._hot_arrows, self._labels = None, None, []
        else:
            # one path per edge: a wide pen on one path of many crossing curves
            # makes Qt's stroker fill one huge self-intersecting outline (seconds)
            hot: list[QPainterPath] = []
            arrows = QPainterPath()
            alen, awid = ARROW
            for key in self._hot_edges:
                pts = self._geometry[key]
                one = QPainterPath()
                self._add(one, pts)
                hot.append(one)
                ex, ey = pts[-1]
                arrows.moveTo(ex - alen, ey - awid)
                arrows.lineTo(ex, ey)
                arrows.lineTo(ex - alen, ey + awid)
            self._hot, self._hot_arrows = hot, arrows
            self._labels = self._label_spots()
        self.update()

    def _label_spots(self) -> list[tuple[QPointF, str]]:
        """Where each highlighted edge's partial goes: on its last leg, at the middle
        if free, else the nearest spot along the leg that no earlier label covers."""
        st = self._st
        out: list[tuple[QPointF, str]] = []
        taken: list[QRectF] = []
        h = st.partial_m.height() + 2
        for key in self._hot_edges:
            pts = self._geometry[key]
            a, b = pts[-2], pts[-1]
            text = st.number(self._partials[key])
            w = st.partial_m.horizontalAdvance(text) + 10
            spot = None
            for t in LABEL_SPOTS:
                at = _on_curve(a, b, t)
                box = QRectF(at.x() - w / 2, at.y() - h / 2, w, h)
                if not any(box.intersects(r) for r in taken):
                    spot = at
                    break
            if spot is None:
                spot = _on_curve(a, b, 0.5)
            taken.append(QRectF(spot.x() - w / 2, spot.y() - h / 2, w, h))
            out.append((spot, text))
        return out

    def highlighted_edges(self) -> list[EdgeKey]:
        return list(self._hot_edges)

    def partial_labels(self) -> list[str]:
        """The partials written on the highlighted edges, in edge order."""
        return [text for _, text in self._labels]

    def route(self, key: EdgeKey) -> list[QPointF]:
        """The points an edge runs through: its two ends and, for each column it
        crosses, where it enters and leaves that column."""
        return [QPointF(x, y) for x, y in self._geometry[key]]

    def boundingRect(self) -> QRectF:  # noqa: N802
        return self._rect

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        t = self._st.theme
        base = QColor(t.edge)
        if self._hot is not None:
            base.setAlpha(70)
        pen = QPen(base, 1.0)
        pen.setCosmetic(True)  # 1 px cosmetic: Qt's fast stroker (1.4 px took 2 s at 1,000 edges)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(self._all)
        painter.drawPath(self._arrows)
        if self._hot is None or self._hot_arrows is None:
            return
        hot = QPen(QColor(t.highlight), 4.0)
        hot.setCapStyle(Qt.PenCapStyle.RoundCap)
        painter.setPen(hot)
        exposed = option.exposedRect
        for one in self._hot:
            if one.controlPointRect().intersects(exposed):
                painter.drawPath(one)
        painter.drawPath(self._hot_arrows)
        lod = option.levelOfDetailFromTransform(painter.worldTransform())
        if not self.show_partials or lod < TEXT_LOD:
            return
        st = self._st
        painter.setFont(st.partial_font)
        halo = QColor(t.background)
        halo.setAlpha(235)
        for at, text in self._labels:
            w = st.partial_m.horizontalAdvance(text) + 10
            h = st.partial_m.height() + 2
            box = QRectF(at.x() - w / 2, at.y() - h / 2, w, h)
            painter.setPen(QPen(QColor(t.highlight), 1.5))
            painter.setBrush(halo)
            painter.drawRoundedRect(box, 5, 5)
            painter.setPen(QColor(t.text))
            painter.drawText(box, Qt.AlignmentFlag.AlignCenter, text)
