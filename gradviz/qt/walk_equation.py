"""The caption of a slide of the backprop walk: the step's computation drawn
with the canvas's fonts, matrices in round brackets with their titles above
(``∂l/∂g``, ``J_R(z)`` with ``R`` as a subscript), operators between them, all
on one midline::

    ∂l/∂g            J_R(z)            ∂l/∂z
                   ⎛1  0  0⎞
    (−3/2  3  1/2) × ⎜0  1  0⎟ = (−3/2  3  0)
                   ⎝0  0  0⎠

Everything is drawn with ``QPainter.drawText`` and paths, so PDF and SVG keep
the numbers as text. Arrays with more than :data:`MAX_CAPTION_CELLS` entries
are written by their shape.
"""

from __future__ import annotations

import re

import numpy as np
from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QColor, QPainter, QPen

from gradviz.qt.canvas import style
from gradviz.qt.theme import DisplayOptions, Theme
from gradviz.qt.walk_panel import Part, Term

#: Arrays with more entries are written by their shape.
MAX_CAPTION_CELLS = 64
PART_GAP, COL_GAP, PAREN_W, PAREN_PAD, TITLE_GAP = 12.0, 14.0, 7, 5, 4


_SUBSCRIPT = re.compile(r"J_(−ln|tanh|mse|σ|\w)")


def _runs(text: str) -> list[tuple[str, bool]]:
    """``J_R(z)`` → ``[("J", False), ("R", True), ("(z)", False)]``: subscripts apart."""
    out: list[tuple[str, bool]] = []
    at = 0
    for m in _SUBSCRIPT.finditer(text):
        out += [(text[at : m.start()] + "J", False), (m[1], True)]
        at = m.end()
    return [*out, (text[at:], False)]


def rich_width(text: str, px: int, bold: bool = False) -> float:
    """The width of ``text`` drawn by :func:`draw_rich`."""
    sub = round(px * 0.72)
    return sum(style.text_width(t, sub if low else px, bold) for t, low in _runs(text))


def draw_rich(painter: QPainter, at: QPointF, text: str, px: int, bold: bool = False) -> None:
    """``text`` from the baseline point ``at``, ``J_R`` written with ``R`` as a subscript."""
    x = at.x()
    sub = round(px * 0.72)
    for t, low in _runs(text):
        size = sub if low else px
        painter.setFont(style.font(size, bold))
        painter.drawText(QPointF(x, at.y() + (px * 0.22 if low else 0.0)), t)
        x += style.text_width(t, size, bold)


def _cells(term: Term, opts: DisplayOptions) -> list[list[str]] | None:
    """The entries as text, row by row; None for a lone number (no brackets)."""
    v = np.asarray(term.value, dtype=np.float64)
    if v.size == 1 and v.ndim <= 1:
        return None
    if v.ndim == 1 and term.vector_as == "row":
        return [[style.number(float(x), opts) for x in v]]
    return style.grid_cells(v, opts)


class Equation:
    """One step's computation laid out on a midline: matrices with their titles
    above, operators between them."""

    def __init__(self, parts: list[Part], opts: DisplayOptions) -> None:
        self.opts = opts
        self.items: list[tuple[Part, float, float, float]] = []  # part, width, above, below
        fm_op, fm_title, fm_cell = (
            style.metrics(style.NAME_PX),
            style.metrics(style.LABEL_PX, True),
            style.metrics(style.ENTRY_PX),
        )
        for part in parts:
            if isinstance(part, str):
                h = fm_op.height()
                self.items.append((part, style.text_width(part, style.NAME_PX), h / 2, h / 2))
                continue
            grid_w, grid_h = self._grid_size(part)
            title_w = rich_width(part.title, style.LABEL_PX, True)
            above = grid_h / 2 + TITLE_GAP + fm_title.height()
            self.items.append((part, max(grid_w, title_w), above, grid_h / 2))
        self.line_h = fm_cell.height() + 3
        self.width = sum(w for _, w, _, _ in self.items) + PART_GAP * max(len(self.items) - 1, 0)
        self.above = max((a for _, _, a, _ in self.items), default=0.0)
        self.below = max((b for _, _, _, b in self.items), default=0.0)
        self.height = self.above + self.below

    def _grid_size(self, term: Term) -> tuple[float, float]:
        line_h = style.metrics(style.ENTRY_PX).height() + 3
        if np.size(term.value) > MAX_CAPTION_CELLS:
            return style.text_width(self._shape_text(term), style.ENTRY_PX), line_h
        cells = _cells(term, self.opts)
        if cells is None:
            text = style.number(float(np.asarray(term.value).reshape(-1)[0]), self.opts)
            return style.text_width(text, style.ENTRY_PX), line_h
        widths = self._col_widths(cells)
        return sum(widths) + COL_GAP * (len(widths) - 1) + 2 * (PAREN_W + PAREN_PAD), (
            line_h * len(cells)
        )

    @staticmethod
    def _shape_text(term: Term) -> str:
        return "[" + "×".join(str(d) for d in np.shape(term.value)) + " entries]"

    @staticmethod
    def _col_widths(cells: list[list[str]]) -> list[float]:
        cols = max(len(r) for r in cells)
        return [
            max(style.text_width(r[j], style.ENTRY_PX) for r in cells if j < len(r))
            for j in range(cols)
        ]

    def paint(self, painter: QPainter, left: float, top: float, theme: Theme) -> None:
        mid = top + self.above
        x = left
        fm_op = style.metrics(style.NAME_PX)
        for part, w, _, _ in self.items:
            if isinstance(part, str):
                painter.setFont(style.font(style.NAME_PX))
                painter.setPen(QColor(theme.text))
                base = mid - fm_op.height() / 2 + fm_op.ascent()
                painter.drawText(QPointF(x, base), part)
            else:
                self._paint_term(painter, part, x, w, mid, theme)
            x += w + PART_GAP

    def _paint_term(
        self, painter: QPainter, term: Term, x: float, w: float, mid: float, theme: Theme
    ) -> None:
        grid_w, grid_h = self._grid_size(term)
        fm_t, fm_c = style.metrics(style.LABEL_PX, True), style.metrics(style.ENTRY_PX)
        color = term.color(theme)
        painter.setPen(QColor(color))
        title_w = rich_width(term.title, style.LABEL_PX, True)
        top = mid - grid_h / 2
        at = QPointF(x + (w - title_w) / 2, top - TITLE_GAP - fm_t.descent())
        draw_rich(painter, at, term.title, style.LABEL_PX, True)
        painter.setFont(style.font(style.ENTRY_PX))
        painter.setPen(QColor(theme.text))
        gx = x + (w - grid_w) / 2
        cells = None if np.size(term.value) > MAX_CAPTION_CELLS else _cells(term, self.opts)
        if cells is None:
            text = (
                self._shape_text(term)
                if np.size(term.value) > MAX_CAPTION_CELLS
                else style.number(float(np.asarray(term.value).reshape(-1)[0]), self.opts)
            )
            painter.drawText(QPointF(gx, mid - fm_c.height() / 2 + fm_c.ascent()), text)
            return
        style.draw_parens(
            painter, QRectF(gx, top, grid_w, grid_h), QPen(QColor(theme.text), 1.3), PAREN_W
        )
        painter.setPen(QColor(theme.text))
        widths = self._col_widths(cells)
        for i, row in enumerate(cells):
            cx = gx + PAREN_W + PAREN_PAD
            base = top + i * self.line_h + (self.line_h - fm_c.height()) / 2 + fm_c.ascent()
            for j, cell in enumerate(row):
                cw = style.text_width(cell, style.ENTRY_PX)
                painter.drawText(QPointF(cx + widths[j] - cw, base), cell)  # right-aligned
                cx += widths[j] + COL_GAP
