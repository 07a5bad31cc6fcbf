"""Painting a matrix the way the sheet writes it: round brackets as tall as the
matrix, entries right-aligned, zeros dimmed, labels in a smaller dim font,
highlighted columns and cells, cells *marked* with a dashed warning box (an entry
taken at a ReLU kink), dotted separators between parameter blocks.

Only the rows and columns inside the region being repainted are drawn, so a
wide panel in a scroll area, or one changed number, costs a few ``drawText``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPainterPath, QPen

from gradviz.qt.matrix_geometry import BRACKET_W, PAD_X, MatrixGeometry
from gradviz.qt.theme import Theme

_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


@dataclass
class MatrixPicture:
    """Everything one paint of a matrix shows (the geometry says where)."""

    texts: list[list[str]]
    zeros: np.ndarray  # bool, rows × cols
    row_labels: list[str]
    col_labels: list[str]  # empty when the column labels are not drawn
    theme: Theme
    font: QFont
    label_font: QFont
    bracketed: bool = True
    marked: dict[tuple[int, int], str] = field(default_factory=dict)
    highlight_cols: set[int] = field(default_factory=set)
    highlight_cells: set[tuple[int, int]] = field(default_factory=set)
    hover_col: int = -1
    breaks: set[int] = field(default_factory=set)


def paint_matrix(p: QPainter, geo: MatrixGeometry, pic: MatrixPicture, clip: QRectF) -> None:
    """Draw ``pic`` with ``p``; entries and labels only where ``clip`` needs them."""
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setRenderHint(QPainter.RenderHint.TextAntialiasing)
    rows, cols = geo.visible_cells(clip)
    _paint_marks(p, geo, pic)
    _paint_labels(p, geo, pic, rows, cols)
    body = geo.body()
    sep = QColor(pic.theme.dim_text)
    sep.setAlpha(120)
    p.setPen(QPen(sep, 1.0, Qt.PenStyle.DotLine))
    xs = geo.xs()
    for c in pic.breaks:
        if 0 < c < len(xs) - 1:
            x = body.left() + xs[c]
            p.drawLine(QPointF(x, body.top()), QPointF(x, body.bottom()))
    p.setPen(QPen(QColor(pic.theme.text), 1.4))
    if pic.bracketed:  # a scalar is just a number
        _draw_brackets(p, body)
    _paint_entries(p, geo, pic, rows, cols)


def _paint_entries(
    p: QPainter, geo: MatrixGeometry, pic: MatrixPicture, rows: range, cols: range
) -> None:
    """The numbers; pens are switched only when the colour changes."""
    p.setFont(pic.font)
    theme = pic.theme
    pens = {
        "text": QColor(theme.text),
        "dim": QColor(theme.dim_text),
        "warn": QColor(theme.warning),
    }
    o, rh, ws, xs = geo.origin(), geo.row_h(), geo.col_ws(), geo.xs()
    current = ""
    for r in rows:
        y = o.y() + r * rh
        texts, zeros = pic.texts[r], pic.zeros[r]
        for c in cols:
            kind = "warn" if (r, c) in pic.marked else "dim" if zeros[c] else "text"
            if kind != current:
                p.setPen(pens[kind])
                current = kind
            p.drawText(QRectF(o.x() + xs[c] + PAD_X, y, ws[c] - 2 * PAD_X, rh), _RIGHT, texts[c])


def _paint_marks(p: QPainter, geo: MatrixGeometry, pic: MatrixPicture) -> None:
    """Highlighted and hovered columns, highlighted cells, marked cells."""
    n_rows, n_cols = len(pic.texts), len(geo.col_ws())
    body = geo.body()
    highlight = QColor(pic.theme.highlight)
    highlight.setAlpha(70)
    hover = QColor(pic.theme.selection)
    hover.setAlpha(28)
    for c in sorted(pic.highlight_cols | ({pic.hover_col} - {-1})):
        if 0 <= c < n_cols:
            color = highlight if c in pic.highlight_cols else hover
            x, w = body.left() + geo.xs()[c], geo.col_ws()[c]
            p.fillRect(QRectF(x, body.top() - 2, w, body.height() + 4), color)
    for r, c in pic.highlight_cells:
        if 0 <= r < n_rows and 0 <= c < n_cols:
            p.fillRect(geo.cell_rect(r, c), highlight)
    warn = QColor(pic.theme.warning)
    fill = QColor(warn)
    fill.setAlpha(40)
    for r, c in pic.marked:
        if 0 <= r < n_rows and 0 <= c < n_cols:
            rect = geo.cell_rect(r, c).adjusted(2, 1, -2, -1)
            p.fillRect(rect, fill)
            p.setPen(QPen(warn, 1.2, Qt.PenStyle.DashLine))
            p.drawRect(rect)


def _paint_labels(
    p: QPainter, geo: MatrixGeometry, pic: MatrixPicture, rows: range, cols: range
) -> None:
    """Column labels above (a highlighted one in the text colour), row labels left."""
    o, rh, ws, xs = geo.origin(), geo.row_h(), geo.col_ws(), geo.xs()
    p.setFont(pic.label_font)
    dim, strong = QColor(pic.theme.dim_text), QColor(pic.theme.text)
    for c in cols:
        if c >= len(pic.col_labels):
            break
        hot = c in pic.highlight_cols or c == pic.hover_col
        p.setPen(strong if hot else dim)
        rect = QRectF(o.x() + xs[c], 0, ws[c], geo.header_h())
        p.drawText(rect, Qt.AlignmentFlag.AlignCenter, pic.col_labels[c])
    p.setPen(dim)
    for r in rows:
        if r >= len(pic.row_labels):
            break
        rect = QRectF(0, o.y() + r * rh, geo.label_w() - 6, rh)
        p.drawText(rect, _RIGHT, pic.row_labels[r])


def _draw_brackets(p: QPainter, body: QRectF) -> None:
    """Round brackets as on paper, as tall as the matrix."""
    top, bottom = body.top() - 1, body.bottom() + 1
    bw = BRACKET_W - 2
    h = bottom - top
    for edge, bulge in ((body.left(), -bw), (body.right(), bw)):
        path = QPainterPath(QPointF(edge, top))
        path.cubicTo(
            QPointF(edge + bulge, top + h * 0.2),
            QPointF(edge + bulge, top + h * 0.8),
            QPointF(edge, bottom),
        )
        p.drawPath(path)
