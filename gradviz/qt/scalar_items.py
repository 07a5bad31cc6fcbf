"""The scalar view's boxes: one graphics item per scalar, and their shared style.

A :class:`ScalarNodeItem` is a rounded box in the micrograd manner::

    ┌───────────────┐
    │ ×  p₂,₁·e₁    │   the operation and the scalar's name
    │ 1             │   its value            (the theme's value colour)
    │ ∂l  3         │   ∂l/∂(this scalar)    (the theme's gradient colour)
    └───────────────┘

Its numbers are formatted lazily, on the first paint that shows text: zoomed out
(a box under about 6 pixels of text) a box is drawn as a plain shape, so opening
a 1,000-scalar network formats nothing it does not show.

The edges are drawn by :class:`gradviz.qt.scalar_edges.EdgesItem`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPen
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from gradviz.engine.exact import format_scalar
from gradviz.engine.scalar import ScalarNode
from gradviz.qt.canvas import style
from gradviz.qt.theme import DisplayOptions, Theme

NAME_PX = 16
NUMBER_PX = 15
CAPTION_PX = 12
PARTIAL_PX = 14
PAD = 9.0
LINE_GAP = 3.0
#: Below this zoom a box's text would be under ~6 px: boxes are drawn without text.
TEXT_LOD = 0.4

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
        self._char_w: dict[str, float] = {}

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
        return 2 * PAD + self.name_m.height() + 2 * self.number_m.height() + 2 * LINE_GAP

    def number_budget(self) -> float:
        """Room kept for a number: a negative decimal below 1 with the current
        digits (most exact fractions are shorter; a longer number is elided, its
        tooltip has it whole)."""
        sample = "−0." + "8" * max(self.options.digits, 1)
        return self.number_m.horizontalAdvance(sample)

    def width_of(self, node: ScalarNode, name: str, body: float | None = None) -> float:
        """The box width ``node`` needs: its symbol and name, or a caption and a
        number (``body``: that second width, when the caller has it already)."""
        head = self.name_width(name)
        if node.label:
            head += self.name_width(node.label) + 8
        if body is None:
            body = self.body_width()
        return 2 * PAD + max(head, body, 60.0)

    def name_width(self, text: str) -> float:
        """Advance of ``text`` in the name font, summed per character (cached; one
        Qt call per new character instead of one per name) plus 2 units for kerning."""
        cache = self._char_w
        total = 2.0
        for ch in text:
            w = cache.get(ch)
            if w is None:
                w = cache[ch] = self.name_m.horizontalAdvance(ch)
            total += w
        return total

    def body_width(self) -> float:
        """The room a number line needs: the ``∂l`` caption and a number."""
        return self.caption_m.horizontalAdvance("∂l") + 6 + self.number_budget()


class ScalarNodeItem(QGraphicsItem):
    """One scalar of the expanded graph. ``on_path`` draws it highlighted,
    ``endpoint`` marks the θ and f_i of a selected Jacobian entry, ``dimmed``
    fades it while a path is shown, ``marked`` outlines the scalars of the tensor
    selected on the canvas."""

    def __init__(
        self, node: ScalarNode, st: ScalarStyle, width: float, name: str | None = None
    ) -> None:
        super().__init__()
        self.scalar_id = node.id
        self.kind = node.kind
        self.symbol = node.label
        self.name = display_name(node.name) if name is None else name
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
        where = (
            f"entry {','.join(str(k + 1) for k in self.entry)} of {self.tensor}"
            if self.entry
            else f"node {self.tensor}"
            if self.entry == ()
            else f"an intermediate of {self.tensor}"
        )
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

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        st, t = self._st, self._st.theme
        rect = self.body()
        if self.dimmed:
            painter.setOpacity(0.28)
        border = QColor(
            t.selection if self.endpoint else t.highlight if self.on_path else t.node_border
        )
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
        painter.drawText(
            QPointF(rect.left() + PAD, y + st.number_m.ascent()),
            st.number_m.elidedText(value, Qt.TextElideMode.ElideRight, avail),
        )
        if grad:
            y += st.number_m.height() + LINE_GAP
            painter.setFont(st.caption_font)
            painter.setPen(QColor(t.dim_text))
            cap = "∂l"
            painter.drawText(QPointF(rect.left() + PAD, y + st.number_m.ascent()), cap)
            dx = st.caption_m.horizontalAdvance(cap) + 6
            painter.setFont(st.number_font)
            painter.setPen(QColor(t.gradient))
            painter.drawText(
                QPointF(rect.left() + PAD + dx, y + st.number_m.ascent()),
                st.number_m.elidedText(grad, Qt.TextElideMode.ElideRight, avail - dx),
            )
