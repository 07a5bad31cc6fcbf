"""The scalar view's graphics items: one box per scalar, one item for all edges.

A :class:`ScalarNodeItem` is a rounded box in the micrograd manner::

    ┌───────────────┐
    │ ×  p₂,₁·e₁    │   the operation and the scalar's name
    │ 1             │   its value            (the theme's value colour)
    │ ∂l  3         │   ∂l/∂(this scalar)    (the theme's gradient colour)
    └───────────────┘

Its numbers are formatted lazily, on the first paint that shows text: zoomed out
(a box under about 6 pixels of text) a box is drawn as a plain shape, so opening
a 1,000-scalar network formats nothing it does not show.

:class:`EdgesItem` draws every edge in one call (one cached ``QPainterPath``),
cubic curves with horizontal tangents from the right side of the source to the
left side of the consumer, through the layout's dummy points; the highlighted
edges (the paths of a Jacobian entry) are drawn on top, thicker, with their local
partial ``∂v/∂u`` written beside them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from gradviz.engine.exact import format_scalar
from gradviz.engine.scalar import ScalarGraph, ScalarNode
from gradviz.qt.canvas import style
from gradviz.qt.scalar_layout import EdgeKey, ScalarLayout
from gradviz.qt.theme import DisplayOptions, Theme

NAME_PX = 16
NUMBER_PX = 15
CAPTION_PX = 12
PARTIAL_PX = 14
PAD = 9.0
LINE_GAP = 3.0
#: Below this zoom a box's text would be under ~6 px: boxes are drawn without text.
TEXT_LOD = 0.4
#: Where along an edge's last leg its partial may go, tried in order.
LABEL_SPOTS = (0.5, 0.35, 0.65, 0.22, 0.78)
#: Arrowhead length and half-width, scene units.
ARROW = (8.0, 4.0)

_SUB = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
_ENTRY = re.compile(r"_\{([0-9,]+)\}")

LEAF_KINDS = ("input", "param")
LOSS_KINDS = ("neg_ln", "mean")


def display_name(name: str) -> str:
    """An expanded scalar's name with 1-based subscripts: ``p_{2,1}·e_{1}`` →
    ``p₂,₁·e₁``, ``exp(z2_{1})`` → ``exp(z2₁)``."""
    return _ENTRY.sub(lambda m: m.group(1).translate(_SUB), name)


@dataclass
class ScalarStyle:
    """Fonts, metrics, colours and number format shared by every item of a scene;
    changing the options is one assignment and a repaint."""

    options: DisplayOptions

    def __post_init__(self) -> None:
        self.name_font: QFont = style.font(NAME_PX, bold=True)
        self.number_font: QFont = style.font(NUMBER_PX)
        self.caption_font: QFont = style.font(CAPTION_PX)
        self.partial_font: QFont = style.font(PARTIAL_PX, bold=True)
        self.name_m: QFontMetricsF = style.metrics(NAME_PX, True)
        self.number_m: QFontMetricsF = style.metrics(NUMBER_PX)
        self.caption_m: QFontMetricsF = style.metrics(CAPTION_PX)
        self.partial_m: QFontMetricsF = style.metrics(PARTIAL_PX, True)
        self.version = 0  # bumped when numbers must be re-formatted

    @property
    def theme(self) -> Theme:
        return self.options.palette

    def set_options(self, options: DisplayOptions) -> None:
        self.options = options
        self.version += 1

    def number(self, x: float) -> str:
        o = self.options
        return format_scalar(x, exact=o.exact, digits=o.digits, unicode_minus=True)

    @property
    def height(self) -> float:
        """Every box's height: a name line and two number lines."""
        return (2 * PAD + self.name_m.height() + 2 * self.number_m.height()
                + 2 * LINE_GAP)

    def number_budget(self) -> float:
        """Room kept for a number: a negative decimal below 1 with the current
        digits (most exact fractions are shorter; a longer number is elided, its
        tooltip has it whole)."""
        sample = "−0." + "8" * max(self.options.digits, 1)
        return self.number_m.horizontalAdvance(sample)

    def width_of(self, node: ScalarNode, name: str) -> float:
        """The box width ``node`` needs: its symbol and name, or a caption and a number."""
        head = self.name_m.horizontalAdvance(name)
        if node.label:
            head += self.name_m.horizontalAdvance(node.label) + 8
        body = self.caption_m.horizontalAdvance("∂l") + 6 + self.number_budget()
        return 2 * PAD + max(head, body, 60.0)


class ScalarNodeItem(QGraphicsItem):
    """One scalar of the expanded graph. ``on_path`` draws it highlighted,
    ``endpoint`` marks the θ and f_i of a selected Jacobian entry, ``dimmed``
    fades it while a path is shown, ``marked`` outlines the scalars of the tensor
    selected on the canvas."""

    def __init__(self, node: ScalarNode, st: ScalarStyle, width: float) -> None:
        super().__init__()
        self.scalar_id = node.id
        self.kind = node.kind
        self.symbol = node.label
        self.name = display_name(node.name)
        self.tensor = node.tensor
        self.entry = node.entry
        self.value = node.value
        self.grad = node.grad
        self._st = st
        self._w = width
        self._h = st.height
        self._texts: tuple[str, str] | None = None
        self._version = -1
        self.on_path = False
        self.endpoint = False
        self.dimmed = False
        self.marked = False
        self.setAcceptHoverEvents(False)
        self.setCursor(Qt.CursorShape.PointingHandCursor)

    # -- data ----------------------------------------------------------------------
    def set_numbers(self, value: float, grad: float | None) -> None:
        """New value and ∂l/∂(scalar) after an edit; re-formatted on the next paint."""
        if value != self.value or grad != self.grad:
            self.value, self.grad = value, grad
            self._texts = None
            self.update()

    def texts(self) -> tuple[str, str]:
        """``(value, gradient)`` as displayed (``""`` for no gradient)."""
        if self._texts is None or self._version != self._st.version:
            g = "" if self.grad is None else self._st.number(self.grad)
            self._texts = (self._st.number(self.value), g)
            self._version = self._st.version
        return self._texts

    def tooltip(self) -> str:
        """The scalar in words, with its tensor entry."""
        value, grad = self.texts()
        where = (f"entry {','.join(str(k + 1) for k in self.entry)} of {self.tensor}"
                 if self.entry else f"node {self.tensor}" if self.entry == () else
                 f"an intermediate of {self.tensor}")
        lines = [f"{self.name} = {value}  ({where})"]
        if grad:
            lines.append(f"∂l/∂{self.name} = {grad}")
        return "\n".join(lines)

    # -- geometry and painting ---------------------------------------------------------
    @property
    def width(self) -> float:
        return self._w

    def set_width(self, width: float) -> None:
        if width != self._w:
            self.prepareGeometryChange()
            self._w = width

    def body(self) -> QRectF:
        return QRectF(-self._w / 2, -self._h / 2, self._w, self._h)

    def boundingRect(self) -> QRectF:  # noqa: N802
        return self.body().adjusted(-3, -3, 3, 3)

    def _fill(self, t: Theme) -> str:
        if self.kind == "param":
            return t.param_fill
        if self.kind == "input":
            return t.leaf_fill
        if self.kind in LOSS_KINDS:
            return t.loss_fill
        return t.node_fill

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem,  # noqa: D102
              widget: QWidget | None = None) -> None:
        st, t = self._st, self._st.theme
        rect = self.body()
        if self.dimmed:
            painter.setOpacity(0.28)
        border = QColor(t.selection if self.endpoint else t.highlight if self.on_path
                        else t.node_border)
        wide = 3.0 if (self.endpoint or self.on_path) else 1.2
        painter.setPen(QPen(border, wide))
        painter.setBrush(QColor(self._fill(t)))
        lod = option.levelOfDetailFromTransform(painter.worldTransform())
        if lod < TEXT_LOD:
            painter.drawRect(rect)
            return
        painter.drawRoundedRect(rect, 7, 7)
        if self.marked:
            pen = QPen(QColor(t.selection), 2.0, Qt.PenStyle.DashLine)
            painter.setPen(pen)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(rect.adjusted(-5, -5, 5, 5), 10, 10)
        x, y = rect.left() + PAD, rect.top() + PAD
        painter.setFont(st.name_font)
        painter.setPen(QColor(t.text))
        base = y + st.name_m.ascent()
        if self.symbol:
            painter.setPen(QColor(t.dim_text))
            painter.drawText(QPointF(x, base), self.symbol)
            x += st.name_m.horizontalAdvance(self.symbol) + 8
            painter.setPen(QColor(t.text))
        painter.drawText(QPointF(x, base), self.name)
        value, grad = self.texts()
        avail = rect.width() - 2 * PAD
        y += st.name_m.height() + LINE_GAP
        painter.setFont(st.number_font)
        painter.setPen(QColor(t.value))
        painter.drawText(QPointF(rect.left() + PAD, y + st.number_m.ascent()),
                         st.number_m.elidedText(value, Qt.TextElideMode.ElideRight, avail))
        if grad:
            y += st.number_m.height() + LINE_GAP
            painter.setFont(st.caption_font)
            painter.setPen(QColor(t.dim_text))
            cap = "∂l"
            painter.drawText(QPointF(rect.left() + PAD, y + st.number_m.ascent()), cap)
            dx = st.caption_m.horizontalAdvance(cap) + 6
            painter.setFont(st.number_font)
            painter.setPen(QColor(t.gradient))
            painter.drawText(QPointF(rect.left() + PAD + dx, y + st.number_m.ascent()),
                             st.number_m.elidedText(grad, Qt.TextElideMode.ElideRight,
                                                    avail - dx))


def _on_curve(a: QPointF, b: QPointF, t: float) -> QPointF:
    """The point at parameter ``t`` of the cubic :func:`_curve` draws from ``a`` to
    ``b`` (control points half-way across, at the ends' heights): it has moved
    ``1.5·t(1 − t) + t³`` of the way in x and ``3t² − 2t³`` in y."""
    fx = 1.5 * t * (1 - t) + t**3
    fy = t * t * (3 - 2 * t)
    return QPointF(a.x() + (b.x() - a.x()) * fx, a.y() + (b.y() - a.y()) * fy)


def _curve(path: QPainterPath, a: QPointF, b: QPointF) -> None:
    """A cubic from ``a`` to ``b`` with horizontal tangents at both ends."""
    dx = (b.x() - a.x()) / 2
    path.cubicTo(QPointF(a.x() + dx, a.y()), QPointF(b.x() - dx, b.y()), b)


class EdgesItem(QGraphicsItem):
    """Every edge of the scalar graph in one item. :meth:`set_highlight` picks the
    edges drawn on top (with their local partials); the others fade while a
    highlight is shown."""

    def __init__(self, st: ScalarStyle) -> None:
        super().__init__()
        self._st = st
        self._geometry: dict[EdgeKey, list[QPointF]] = {}
        self._partials: dict[EdgeKey, float] = {}
        self._all = QPainterPath()
        self._arrows = QPainterPath()
        self._hot: QPainterPath | None = None
        self._hot_arrows: QPainterPath | None = None
        self._hot_edges: list[EdgeKey] = []
        self._labels: list[tuple[QPointF, str]] = []
        self._rect = QRectF()
        self.show_partials = True
        self.setZValue(-1)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)

    def set_graph(self, graph: ScalarGraph, lay: ScalarLayout, widths: Sequence[float],
                  height: float) -> None:
        """Route every edge of ``graph`` as laid out in ``lay``."""
        self.prepareGeometryChange()
        self._geometry.clear()
        self._partials.clear()
        path, arrows = QPainterPath(), QPainterPath()
        alen, awid = ARROW
        for v in graph.nodes:
            end = QPointF(lay.x[v.id] - widths[v.id] / 2, lay.y[v.id])
            for pos, e in enumerate(v.inputs):
                u = e.source
                key = (u, v.id, pos)
                pts = [QPointF(lay.x[u] + widths[u] / 2, lay.y[u])]
                for k, (cx, cy) in enumerate(lay.routes.get(key, ())):
                    half = lay.column_width[lay.layer[u] + 1 + k] / 2
                    pts += [QPointF(cx - half, cy), QPointF(cx + half, cy)]
                pts.append(end)
                self._geometry[key] = pts
                self._partials[key] = e.partial
                self._add(path, pts)
            if v.inputs:
                arrows.moveTo(end.x() - alen, end.y() - awid)
                arrows.lineTo(end)
                arrows.lineTo(end.x() - alen, end.y() + awid)
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
    def _add(path: QPainterPath, pts: list[QPointF]) -> None:
        path.moveTo(pts[0])
        for k in range(1, len(pts)):
            if k % 2 == 0 and k < len(pts) - 1:  # straight across a crossed column
                path.lineTo(pts[k])
            else:
                _curve(path, pts[k - 1], pts[k])

    def set_highlight(self, edges: Iterable[EdgeKey]) -> None:
        """Draw these edges on top with their partials (empty: none)."""
        self._hot_edges = sorted(k for k in set(edges) if k in self._geometry)
        if not self._hot_edges:
            self._hot, self._hot_arrows, self._labels = None, None, []
        else:
            hot, arrows = QPainterPath(), QPainterPath()
            alen, awid = ARROW
            for key in self._hot_edges:
                pts = self._geometry[key]
                self._add(hot, pts)
                end = pts[-1]
                arrows.moveTo(end.x() - alen, end.y() - awid)
                arrows.lineTo(end)
                arrows.lineTo(end.x() - alen, end.y() + awid)
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
        return list(self._geometry[key])

    def boundingRect(self) -> QRectF:  # noqa: N802
        return self._rect

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem,  # noqa: D102
              widget: QWidget | None = None) -> None:
        t = self._st.theme
        base = QColor(t.edge)
        if self._hot is not None:
            base.setAlpha(70)
        pen = QPen(base, 1.4)
        pen.setCosmetic(True)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(self._all)
        painter.drawPath(self._arrows)
        if self._hot is None or self._hot_arrows is None:
            return
        hot = QPen(QColor(t.highlight), 4.0)
        hot.setCapStyle(Qt.PenCapStyle.RoundCap)
        painter.setPen(hot)
        painter.drawPath(self._hot)
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
