"""The text written along an edge: ``z = (2, 1, −3)`` above it, ``∂l/∂z = (−3/2, 3, 0)``
below it. A scalar or vector is one line; a matrix is a compact grid in round
brackets after its name, as on the exercise sheet.

Labels are drawn with ``QPainter.drawText`` only, so SVG and PDF exports keep
them as real, searchable text. They are :class:`~gradviz.qt.canvas.layers.Part`
objects: the scene's label layer paints them all, above the nodes and edges.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen

from gradviz.qt.canvas import style
from gradviz.qt.canvas.layers import Part

PAD = 3.0  # around the text, inside the halo
COL_GAP = 12.0  # between matrix columns
PAREN_W = 6.0  # one round bracket
PAREN_PAD = 4.0  # between a bracket and the entries
#: Text drawn smaller than this many pixels is unreadable: a faint bar stands for it.
READABLE_PX = 3.0
#: A label less than this many pixels tall would tint a fraction of a pixel: it is left out.
VISIBLE_PX = 0.5
BAR_ALPHA = 90


_BLACK = QColor("black")  # shared until a colour is set (colours are replaced, never changed)


class MathLabel(Part):
    """``prefix`` followed by a value: one line (scalar, vector) or a bracketed grid.

    ``pos()`` is the top-left corner of its box; the edge places it.
    ``halo`` (or None) is painted behind the text so crossing lines do not
    disturb reading.
    """

    def __init__(self, px: int = style.LABEL_PX) -> None:
        super().__init__()
        self._x = self._y = 0.0
        self._px = px
        self._prefix = ""
        self._inline: str | None = ""
        self._cells: list[list[str]] = []
        self._color = _BLACK
        self._halo: QColor | None = None
        self.width = self.height = 0.0  # of the box, in scene units (the placer reads these)
        self._col_widths: list[float] = []
        self.spot = -1  # the candidate spot along its edge chosen last (see placement)

    # -- content ---------------------------------------------------------------
    def set_text(
        self,
        prefix: str,
        inline: str | None,
        cells: list[list[str]],
        color: QColor,
        halo: QColor | None,
    ) -> None:
        """Lower level: an inline text or a grid of cells after ``prefix``."""
        same_text = prefix == self._prefix and inline == self._inline and cells == self._cells
        if same_text and color == self._color and halo == self._halo:
            return
        before = self.rect
        if not same_text:
            self._prefix, self._inline, self._cells = prefix, inline, cells
            self._layout()
        self._color, self._halo = color, halo
        self.changed(before)

    @property
    def has_text(self) -> bool:
        """Whether anything was written (the same as ``bool(self.text)``, without making it)."""
        return bool(self._prefix or self._inline or self._inline is None)

    @property
    def text(self) -> str:
        """The label as plain text (a matrix row by row, ``;`` between rows)."""
        if self._inline is not None:
            return self._prefix + self._inline
        return self._prefix + "(" + "; ".join(" ".join(r) for r in self._cells) + ")"

    def _layout(self) -> None:
        px = self._px
        line_h = style.line_height(px)
        prefix_w = style.text_width(self._prefix, px)
        if self._inline is not None:
            w = prefix_w + style.text_width(self._inline, px)
            self._set_size(w + 2 * PAD, line_h + 2 * PAD)
            return
        self._col_widths = widths = style.column_widths(self._cells, px)
        grid_w = sum(widths) + COL_GAP * max(len(widths) - 1, 0)
        grid_h = line_h * len(self._cells)
        w = prefix_w + 2 * (PAREN_W + PAREN_PAD) + grid_w
        h = max(line_h, grid_h)
        self._set_size(w + 2 * PAD, h + 2 * PAD)

    def _set_size(self, w: float, h: float) -> None:
        self.width, self.height = w, h
        self.rect = (self._x, self._y, self._x + w, self._y + h)

    # -- where -----------------------------------------------------------------------
    def move_to(self, x: float, y: float) -> None:
        """Put the box's top-left corner at scene point ``(x, y)``."""
        if x != self._x or y != self._y:
            before = self.rect
            self._x, self._y = x, y
            self.rect = (x, y, x + self.width, y + self.height)
            self.changed(before)

    def setPos(self, x: QPointF | float, y: float = 0.0) -> None:  # noqa: N802
        if isinstance(x, QPointF):
            self.move_to(x.x(), x.y())
        else:
            self.move_to(float(x), y)

    def pos(self) -> QPointF:
        return QPointF(self._x, self._y)

    def x(self) -> float:
        return self._x

    def y(self) -> float:
        return self._y

    def boundingRect(self) -> QRectF:  # noqa: N802
        """The box in the label's own coordinates (top-left at 0, 0)."""
        return QRectF(0, 0, self.width, self.height)

    # -- painting -----------------------------------------------------------------
    def draw(self, painter: QPainter, lod: float) -> None:
        if not readable(lod, self._px):
            _draw_bars(painter, [self], lod)
            return
        saved = painter.worldTransform()
        painter.translate(self._x, self._y)
        self._draw(painter, lod)
        painter.setWorldTransform(saved)

    @staticmethod
    def draw_many(painter: QPainter, parts: Sequence[Part], lod: float) -> None:
        """Readable labels draw their text one by one; those far too small to read
        (text under :data:`READABLE_PX` pixels) are bars, drawn together
        (:func:`_draw_bars`)."""
        far: list[MathLabel] = []
        for p in parts:
            if isinstance(p, MathLabel) and not readable(lod, p._px):
                far.append(p)
            else:
                p.draw(painter, lod)
        if far:
            _draw_bars(painter, far, lod)

    def _draw(self, painter: QPainter, lod: float) -> None:
        if self._halo is not None:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(self._halo)
            painter.drawRoundedRect(QRectF(0, 0, self.width, self.height), 4, 4)
        fm = style.metrics(self._px)
        painter.setFont(style.font(self._px))
        pen = QPen(self._color)
        painter.setPen(pen)
        line_h = fm.height()
        if self._inline is not None:
            painter.drawText(QPointF(PAD, PAD + fm.ascent()), self._prefix + self._inline)
            return
        h = self.height - 2 * PAD
        painter.drawText(QPointF(PAD, PAD + (h - line_h) / 2 + fm.ascent()), self._prefix)
        x0 = PAD + style.text_width(self._prefix, self._px)
        grid_h = line_h * len(self._cells)
        top = PAD + (h - grid_h) / 2
        grid_w = sum(self._col_widths) + COL_GAP * max(len(self._col_widths) - 1, 0)
        bracket = QRectF(x0, top + 1, grid_w + 2 * (PAREN_W + PAREN_PAD), grid_h - 2)
        style.draw_parens(painter, bracket, QPen(self._color, 1.2), PAREN_W)
        painter.setPen(pen)
        for i, row in enumerate(self._cells):
            x = x0 + PAREN_W + PAREN_PAD
            base = top + i * line_h + fm.ascent()
            for j, cell in enumerate(row):
                cw = self._col_widths[j]
                cell_w = style.text_width(cell, self._px)
                painter.drawText(QPointF(x + (cw - cell_w) / 2, base), cell)
                x += cw + COL_GAP


def readable(lod: float, px: int = style.LABEL_PX) -> bool:
    """Whether ``px`` text drawn at ``lod`` pixels per scene unit is written out
    (else it is a bar, see :meth:`MathLabel.draw`)."""
    return lod * px >= READABLE_PX


def labels_show(lod: float, tallest: float) -> bool:
    """Whether drawing at ``lod`` (pixels per scene unit) shows any of some labels
    whose tallest box is ``tallest`` scene units: :func:`_draw_bars` leaves out a
    label under :data:`VISIBLE_PX` pixels tall, so below that none needs a place yet."""
    return lod * tallest >= VISIBLE_PX


def _draw_bars(painter: QPainter, labels: Sequence[MathLabel], lod: float) -> None:
    """Each label a bar in its colour on its halo: all halos, then all bars, one
    call per colour; none at all for a label under :data:`VISIBLE_PX` tall."""
    halos: dict[int, tuple[QColor, list[QRectF]]] = {}
    bars: dict[int, tuple[QColor, list[QRectF]]] = {}
    least = VISIBLE_PX / lod  # scene units: a label less tall than that is not drawn
    for p in labels:
        if p.height < least:
            continue
        x, y, w, h = p._x, p._y, p.width, p.height
        if p._halo is not None:
            halos.setdefault(p._halo.rgba(), (p._halo, []))[1].append(QRectF(x, y, w, h))
        bar = QRectF(x + PAD, y + 2 * PAD, w - 2 * PAD, h - 4 * PAD)
        bars.setdefault(p._color.rgba(), (p._color, []))[1].append(bar)
    painter.setPen(Qt.PenStyle.NoPen)
    for color, rects in halos.values():
        painter.setBrush(color)
        painter.drawRects(rects)
    for color, rects in bars.values():
        faint = QColor(color)
        faint.setAlpha(BAR_ALPHA)
        painter.setBrush(faint)
        painter.drawRects(rects)


Point = tuple[float, float]


def place_along(
    line: tuple[float, float, float, float],
    above: tuple[float, float],
    below: tuple[float, float],
    gap: float = 4.0,
    t: float = 0.5,
) -> tuple[Point, Point]:
    """Top-left corners for two label boxes (``(width, height)`` each) at the point
    ``p1 + t (p2 − p1)`` of ``line = (x1, y1, x2, y2)``: ``above`` lies wholly
    above the line (left of it when the line is steep) and ``below`` wholly below
    it (right of it when steep), clear of the line over their whole width."""
    x1, y1, x2, y2 = line
    dx, dy = x2 - x1, y2 - y1
    mx, my = x1 + dx * t, y1 + dy * t
    (wa, ha), (wb, hb) = above, below
    if abs(dx) >= 0.6 * abs(dy):  # mostly horizontal: above and below
        slope = abs(dy / dx) if dx else 0.0
        return (
            (mx - wa / 2, my - slope * wa / 2 - gap - ha),
            (mx - wb / 2, my + slope * wb / 2 + gap),
        )
    run = abs(dx / dy) if dy else 0.0  # mostly vertical: left and right
    return (mx - run * ha / 2 - gap - wa, my - ha / 2), (mx + run * hb / 2 + gap, my - hb / 2)
