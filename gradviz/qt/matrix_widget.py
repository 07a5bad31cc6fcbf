"""A matrix drawn the way the sheet writes it: entries in round brackets, exact
fractions (``3/4``) or decimals, zeros dimmed, optional row and column labels.

:class:`MatrixWidget` is reusable: the inspector shows local Jacobians with it,
the Jacobian panel the whole ``J_fE(Θ)`` (m × n) and ``∇l(Θ)`` (1 × n). A 1-D
array is a single column (the sheet's convention for a vector used as a matrix)
unless ``vector_as="row"`` (a gradient ``∇l`` is a row, the "line" of a
Jacobian). Cells can be highlighted (a hovered parameter) or *marked* with a
note (an entry taken at a ReLU kink). The context menu copies the matrix as
LaTeX (:func:`gradviz.engine.exact.latex_matrix`) or as plain text.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np
from numpy.typing import ArrayLike
from PySide6.QtCore import QEvent, QPoint, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QContextMenuEvent,
    QFont,
    QFontMetrics,
    QGuiApplication,
    QHelpEvent,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPen,
)
from PySide6.QtWidgets import QMenu, QSizePolicy, QToolTip, QWidget

from gradviz.engine.exact import (
    format_array,
    format_scalar,
    latex_matrix,
    latex_scalar,
    latex_vector,
)
from gradviz.qt.theme import DisplayOptions

_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


class MatrixWidget(QWidget):
    """A read-only matrix. ``columnHovered(col)`` (``-1`` when the pointer leaves)
    and ``columnClicked(col)`` report the column under the mouse; ``cellClicked(row,
    col)`` the entry clicked (on screen rows and columns, 0-based)."""

    columnHovered = Signal(int)
    columnClicked = Signal(int)
    cellClicked = Signal(int, int)

    PAD_X = 9
    ROW_GAP = 5
    BRACKET_W = 9

    def __init__(
        self,
        matrix: ArrayLike | None = None,
        *,
        row_labels: Sequence[str] | None = None,
        col_labels: Sequence[str] | None = None,
        options: DisplayOptions | None = None,
        vector_as: str = "column",
        decimals_only: bool = False,
        show_col_labels: bool = True,
        font_delta: float = 1.5,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._show_col_labels = show_col_labels
        self._options = options or DisplayOptions()
        self._vector_as = vector_as
        self._decimals_only = decimals_only
        self._source = np.zeros((0, 0))
        self._m = np.zeros((0, 0))
        self._texts: list[list[str]] = []
        self._row_labels: list[str] = []
        self._col_labels: list[str] = []
        self._marked: dict[tuple[int, int], str] = {}
        self._highlight_cols: set[int] = set()
        self._highlight_cells: set[tuple[int, int]] = set()
        self._breaks: set[int] = set()
        self._min_col_ws: list[int] = []
        self._ws: list[int] | None = None  # column widths, recomputed after changes
        self._min_label_w = 0
        self._hover_col = -1
        self._font = QFont(self.font())
        self._font.setPointSizeF(max(self._font.pointSizeF(), 9.0) + font_delta)
        self._label_font = QFont(self.font())
        self._label_font.setPointSizeF(
            max(self._label_font.pointSizeF(), 9.0) + max(-0.5, font_delta - 2.5)
        )
        self._fm, self._lm = QFontMetrics(self._font), QFontMetrics(self._label_font)
        self._xs: list[int] = [0]  # left edge of every column (and the right end)
        self._label_w_cache: int | None = None
        self._painted: tuple[object, ...] = ()
        self._published_hint = QSize()
        self.setMouseTracking(True)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.DefaultContextMenu)
        if matrix is not None:
            self.set_matrix(matrix, row_labels=row_labels, col_labels=col_labels)

    # -- data ------------------------------------------------------------------
    def set_matrix(
        self,
        matrix: ArrayLike,
        *,
        row_labels: Sequence[str] | None = None,
        col_labels: Sequence[str] | None = None,
    ) -> None:
        """Show ``matrix`` (0-, 1- or 2-D). Labels given as None keep the old ones
        when the shape is unchanged and are dropped otherwise."""
        src = np.asarray(matrix, dtype=np.float64)
        if src.ndim == 0:
            m = src.reshape(1, 1)
        elif src.ndim == 1:
            m = src.reshape(-1, 1) if self._vector_as == "column" else src.reshape(1, -1)
        elif src.ndim == 2:
            m = src
        else:
            m = src.reshape(src.shape[0], -1)
        same_shape = m.shape == self._m.shape
        self._source, self._m = src.copy(), m.copy()
        self._ws, self._label_w_cache = None, None
        if row_labels is not None:
            self._row_labels = list(row_labels)
        elif not same_shape:
            self._row_labels = []
        if col_labels is not None:
            self._col_labels = list(col_labels)
        elif not same_shape:
            self._col_labels = []
        self._refresh_texts()

    def set_options(self, options: DisplayOptions) -> None:
        self._options = options
        self._refresh_texts()

    def set_marked(self, cells: Mapping[tuple[int, int], str]) -> None:
        """Cells to mark (e.g. taken at a non-differentiable point) with their notes."""
        self._marked = dict(cells)
        self.update()

    def set_highlighted_columns(self, cols: Iterable[int]) -> None:
        self._highlight_cols = set(cols)
        self.update()

    def set_highlighted_cells(self, cells: Iterable[tuple[int, int]]) -> None:
        self._highlight_cells = set(cells)
        self.update()

    def set_column_breaks(self, cols: Iterable[int]) -> None:
        """Draw a thin separator before each of these columns (P's block | Q's block)."""
        self._breaks = set(cols)
        self.update()

    def set_min_column_widths(self, widths: Sequence[int]) -> None:
        """Make column ``j`` at least ``widths[j]`` pixels wide (to align stacked matrices)."""
        self._min_col_ws = [int(w) for w in widths]
        self._ws = None
        self._geometry_changed()
        self.update()

    def set_min_label_width(self, width: int) -> None:
        """Reserve at least ``width`` pixels for the row labels (to align stacked matrices)."""
        self._min_label_w = int(width)
        self._label_w_cache = None
        self._geometry_changed()
        self.update()

    @property
    def matrix(self) -> np.ndarray:
        """The values shown, as a 2-D array (rows × columns on screen)."""
        return self._m.copy()

    @property
    def source(self) -> np.ndarray:
        """The array as given to :meth:`set_matrix` (0-, 1- or 2-D)."""
        return self._source.copy()

    @property
    def row_labels(self) -> list[str]:
        return list(self._row_labels)

    @property
    def col_labels(self) -> list[str]:
        return list(self._col_labels)

    @property
    def marked(self) -> dict[tuple[int, int], str]:
        return dict(self._marked)

    @property
    def highlighted_columns(self) -> set[int]:
        return set(self._highlight_cols)

    def texts(self) -> list[list[str]]:
        """The cell texts as displayed (``"3/4"``, ``"−1/4"`` with U+2212)."""
        return [list(row) for row in self._texts]

    def _fmt(self, x: float) -> str:
        exact = self._options.exact and not self._decimals_only
        return format_scalar(x, exact=exact, digits=self._options.digits, unicode_minus=True)

    def _refresh_texts(self) -> None:
        """Re-format the entries; relayout only when the size changes (scrubbing
        a weight repaints the matrices without re-running the dock's layout)."""
        self._texts = [[self._fmt(float(x)) for x in row] for row in self._m]
        self._ws = None
        self._geometry_changed()
        if self._signature() != self._painted:
            self.update()

    def _geometry_changed(self) -> None:
        """Tell the layout only when the size hint really differs from the last one."""
        hint = self.sizeHint()
        if hint != self._published_hint:
            self._published_hint = hint
            self.updateGeometry()

    def _signature(self) -> tuple[object, ...]:
        """What a paint shows, to skip repainting an unchanged matrix."""
        return (self._texts, self._row_labels, self._col_labels, self._col_ws(), self._label_w())

    # -- LaTeX and text --------------------------------------------------------
    def latex(self) -> str:
        """The matrix as LaTeX in the current number mode (a vector as a column or row)."""
        exact = self._options.exact and not self._decimals_only
        digits = self._options.digits
        if self._source.ndim == 0:
            return latex_scalar(float(self._source), exact=exact, digits=digits)
        if self._source.ndim == 1:
            return latex_vector(
                self._source, column=self._vector_as == "column", exact=exact, digits=digits
            )
        return latex_matrix(self._m, exact=exact, digits=digits)

    def plain_text(self) -> str:
        exact = self._options.exact and not self._decimals_only
        return format_array(
            self._m if self._source.ndim > 1 else self._source,
            exact=exact,
            digits=self._options.digits,
        )

    def copy_latex(self) -> None:
        QGuiApplication.clipboard().setText(self.latex())

    def copy_text(self) -> None:
        QGuiApplication.clipboard().setText(self.plain_text())

    def context_menu(self) -> QMenu:
        """The right-click menu: Copy as LaTeX, Copy as text."""
        menu = QMenu(self)
        menu.addAction("Copy as LaTeX", self.copy_latex)
        menu.addAction("Copy as text", self.copy_text)
        return menu

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:  # noqa: N802
        self.context_menu().exec(event.globalPos())

    # -- geometry --------------------------------------------------------------
    def _metrics(self) -> tuple[QFontMetrics, QFontMetrics]:
        return self._fm, self._lm

    def natural_column_widths(self) -> list[int]:
        """The width each column needs on its own: its widest entry (and label)."""
        fm, lm = self._metrics()
        widths = []
        for c in range(self._m.shape[1]):
            w = max((fm.horizontalAdvance(row[c]) for row in self._texts), default=0)
            if self._show_col_labels and c < len(self._col_labels):
                w = max(w, lm.horizontalAdvance(self._col_labels[c]))
            widths.append(max(2 * self.PAD_X + w, 26))
        return widths

    def _col_ws(self) -> list[int]:
        if self._ws is None:
            mins = self._min_col_ws
            self._ws = [
                max(w, mins[c] if c < len(mins) else 0)
                for c, w in enumerate(self.natural_column_widths())
            ]
            self._xs = [0]
            for w in self._ws:
                self._xs.append(self._xs[-1] + w)
        return self._ws

    def _col_x(self, col: int) -> int:
        """Left edge of column ``col`` relative to the first column."""
        self._col_ws()
        return self._xs[col]

    def _row_h(self) -> int:
        return self._fm.height() + self.ROW_GAP

    def _label_w(self) -> int:
        if self._label_w_cache is None:
            self._label_w_cache = max(self.natural_label_width(), self._min_label_w)
        return self._label_w_cache

    def natural_label_width(self) -> int:
        """The row-label width this matrix needs on its own."""
        return max((self._lm.horizontalAdvance(r) + 8 for r in self._row_labels), default=0)

    def _header_h(self) -> int:
        shown = self._col_labels and self._show_col_labels
        return self._lm.height() + 4 if shown else 0

    def _cells_origin(self) -> QPointF:
        return QPointF(self._label_w() + self.BRACKET_W + 2, self._header_h() + 3)

    def sizeHint(self) -> QSize:  # noqa: N802
        rows, cols = self._m.shape
        w = self._label_w() + 2 * (self.BRACKET_W + 2) + sum(self._col_ws())
        h = self._header_h() + 6 + rows * self._row_h()
        return QSize(int(w) + 2, int(h) + 2)

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        return self.sizeHint()

    def column_at(self, pos: QPoint | QPointF) -> int:
        """The column under a widget position, or -1."""
        origin = self._cells_origin()
        cols = self._m.shape[1]
        x = pos.x() - origin.x()
        if x < 0 or cols == 0:
            return -1
        for col, w in enumerate(self._col_ws()):
            if x < w:
                return col
            x -= w
        return -1

    def row_at(self, pos: QPoint | QPointF) -> int:
        origin = self._cells_origin()
        y = pos.y() - origin.y()
        if y < 0:
            return -1
        row = int(y // self._row_h())
        return row if row < self._m.shape[0] else -1

    def cell_rect(self, row: int, col: int) -> QRectF:
        o = self._cells_origin()
        rh = self._row_h()
        return QRectF(o.x() + self._col_x(col), o.y() + row * rh, self._col_ws()[col], rh)

    def column_center(self, col: int) -> QPoint:
        """A point inside column ``col`` (on its first row), for tests and tooltips."""
        return self.cell_rect(0, col).center().toPoint()

    # -- mouse -----------------------------------------------------------------
    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        col = self.column_at(event.position())
        if col != self._hover_col:
            self._hover_col = col
            self.update()
            self.columnHovered.emit(col)
        super().mouseMoveEvent(event)

    def leaveEvent(self, event: QEvent) -> None:  # noqa: N802
        if self._hover_col != -1:
            self._hover_col = -1
            self.update()
            self.columnHovered.emit(-1)
        super().leaveEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if event.button() == Qt.MouseButton.LeftButton:
            col = self.column_at(event.position())
            if col >= 0:
                self.columnClicked.emit(col)
                row = self.row_at(event.position())
                if row >= 0:
                    self.cellClicked.emit(row, col)
        super().mousePressEvent(event)

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            text = self.tooltip_at(event.pos())
            if text:
                QToolTip.showText(event.globalPos(), text, self)
            else:
                QToolTip.hideText()
                event.ignore()
            return True
        return super().event(event)

    def tooltip_at(self, pos: QPoint) -> str:
        """The tooltip of the cell under ``pos``: its labels, exact and decimal value, note."""
        r, c = self.row_at(pos), self.column_at(pos)
        if r < 0 or c < 0:
            return ""
        x = float(self._m[r, c])
        where = []
        if self._row_labels and r < len(self._row_labels):
            where.append(self._row_labels[r])
        if self._col_labels and c < len(self._col_labels):
            where.append(self._col_labels[c])
        head = " / ".join(where) if where else f"row {r + 1}, column {c + 1}"
        text = f"{head}: {format_scalar(x, unicode_minus=True)}"
        if format_scalar(x) != format_scalar(x, exact=False, digits=10):
            text += f"  ≈ {format_scalar(x, exact=False, digits=10, unicode_minus=True)}"
        note = self._marked.get((r, c))
        return f"{text}\n{note}" if note else text

    # -- painting --------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        theme = self._options.palette
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        rows, cols = self._m.shape
        rh = self._row_h()
        o = self._cells_origin()
        body = QRectF(o.x(), o.y(), sum(self._col_ws()), rows * rh)
        highlight = QColor(theme.highlight)
        highlight.setAlpha(70)
        hover = QColor(theme.selection)
        hover.setAlpha(28)
        for c in sorted(self._highlight_cols | ({self._hover_col} - {-1})):
            if 0 <= c < cols:
                color = highlight if c in self._highlight_cols else hover
                x, w = o.x() + self._col_x(c), self._col_ws()[c]
                p.fillRect(QRectF(x, o.y() - 2, w, rows * rh + 4), color)
        for r, c in self._highlight_cells:
            if 0 <= r < rows and 0 <= c < cols:
                p.fillRect(self.cell_rect(r, c), highlight)
        warn = QColor(theme.warning)
        for r, c in self._marked:
            if 0 <= r < rows and 0 <= c < cols:
                fill = QColor(warn)
                fill.setAlpha(40)
                rect = self.cell_rect(r, c).adjusted(2, 1, -2, -1)
                p.fillRect(rect, fill)
                p.setPen(QPen(warn, 1.2, Qt.PenStyle.DashLine))
                p.drawRect(rect)
        # column labels and row labels
        p.setFont(self._label_font)
        p.setPen(QColor(theme.dim_text))
        for c, label in enumerate(self._col_labels[:cols] if self._show_col_labels else []):
            rect = QRectF(o.x() + self._col_x(c), 0, self._col_ws()[c], self._header_h())
            if c in self._highlight_cols or c == self._hover_col:
                p.setPen(QColor(theme.text))
            p.drawText(rect, Qt.AlignmentFlag.AlignCenter, label)
            p.setPen(QColor(theme.dim_text))
        for r, label in enumerate(self._row_labels[:rows]):
            rect = QRectF(0, o.y() + r * rh, self._label_w() - 6, rh)
            p.drawText(rect, _RIGHT, label)
        # separators between parameter blocks
        sep = QColor(theme.dim_text)
        sep.setAlpha(120)
        p.setPen(QPen(sep, 1.0, Qt.PenStyle.DotLine))
        for c in self._breaks:
            if 0 < c < cols:
                x = o.x() + self._col_x(c)
                p.drawLine(QPointF(x, o.y()), QPointF(x, o.y() + rows * rh))
        # brackets
        p.setPen(QPen(QColor(theme.text), 1.4))
        if self._source.ndim > 0:  # a scalar is just a number
            self._draw_brackets(p, body)
        self._painted = self._signature()
        # entries: zeros dimmed (pens switched only when the colour changes)
        p.setFont(self._font)
        pens = {"text": QColor(theme.text), "dim": QColor(theme.dim_text), "warn": warn}
        ws, xs, pad = self._col_ws(), self._xs, self.PAD_X
        zeros = (self._m == 0).tolist()
        current = ""
        for r in range(rows):
            y = o.y() + r * rh
            for c in range(cols):
                kind = "warn" if (r, c) in self._marked else "dim" if zeros[r][c] else "text"
                if kind != current:
                    p.setPen(pens[kind])
                    current = kind
                p.drawText(
                    QRectF(o.x() + xs[c] + pad, y, ws[c] - 2 * pad, rh), _RIGHT, self._texts[r][c]
                )
        p.end()

    def _draw_brackets(self, p: QPainter, body: QRectF) -> None:
        """Round brackets as on paper, as tall as the matrix."""
        top, bottom = body.top() - 1, body.bottom() + 1
        bw = self.BRACKET_W - 2
        h = bottom - top
        left = QPainterPath(QPointF(body.left(), top))
        left.cubicTo(
            QPointF(body.left() - bw, top + h * 0.2),
            QPointF(body.left() - bw, top + h * 0.8),
            QPointF(body.left(), bottom),
        )
        right = QPainterPath(QPointF(body.right(), top))
        right.cubicTo(
            QPointF(body.right() + bw, top + h * 0.2),
            QPointF(body.right() + bw, top + h * 0.8),
            QPointF(body.right(), bottom),
        )
        p.drawPath(left)
        p.drawPath(right)
