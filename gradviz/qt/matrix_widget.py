"""A matrix drawn the way the sheet writes it: entries in round brackets, exact
fractions (``3/4``) or decimals, zeros dimmed, optional row and column labels.

:class:`MatrixWidget` is reusable: the inspector shows local Jacobians with it,
the Jacobian panel the whole ``J_fE(Θ)`` (m × n) and ``∇l(Θ)`` (1 × n). A 1-D
array is a single column (the sheet's convention for a vector used as a matrix)
unless ``vector_as="row"`` (a gradient ``∇l`` is a row, the "line" of a
Jacobian). Cells can be highlighted (a hovered parameter) or *marked* with a
note (an entry taken at a ReLU kink). The context menu copies the matrix as
LaTeX (:func:`gradviz.engine.exact.latex_matrix`) or as plain text.

What is shown (the grid, the capped part of a huge array, the texts) comes from
:mod:`gradviz.qt.matrix_format`, where it goes from :mod:`gradviz.qt.matrix_geometry`,
the drawing from :mod:`gradviz.qt.matrix_paint`; this widget keeps the state and
handles the mouse. Updates are cheap when only numbers change: a setter that
changes nothing repaints nothing, and new numbers in the same layout repaint only
the cells whose text changed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np
from numpy.typing import ArrayLike
from PySide6.QtCore import QEvent, QPoint, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QContextMenuEvent,
    QFont,
    QGuiApplication,
    QMouseEvent,
    QPainter,
    QPaintEvent,
)
from PySide6.QtWidgets import QMenu, QSizePolicy, QWidget

from gradviz.qt.matrix_format import (
    NumberStyle,
    as_float_array,
    as_grid,
    cap_note,
    cell_tooltip,
    latex_of,
    plain_text_of,
)
from gradviz.qt.matrix_geometry import MatrixGeometry
from gradviz.qt.matrix_paint import MatrixPicture, paint_matrix
from gradviz.qt.theme import DisplayOptions

#: Copy as LaTeX / as text take every entry of an array up to this size (about a
#: second of formatting); of a bigger one, the part listed (millions of entries
#: would freeze the window for minutes and are no use on a slide).
MAX_COPY_ENTRIES = 100_000


class MatrixWidget(QWidget):
    """A read-only matrix. ``columnHovered(col)`` (``-1`` when the pointer leaves)
    and ``columnClicked(col)`` report the column under the mouse; ``cellClicked(row,
    col)`` the entry clicked (on screen rows and columns, 0-based).

    ``max_rows`` / ``max_cols`` cap what is listed of a huge array (the first rows
    and columns); :attr:`cap_note` then says how much is shown."""

    columnHovered = Signal(int)
    columnClicked = Signal(int)
    cellClicked = Signal(int, int)

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
        max_rows: int | None = None,
        max_cols: int | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._max_rows, self._max_cols = max_rows, max_cols
        self._show_col_labels = show_col_labels
        self._options = options or DisplayOptions()
        self._vector_as = vector_as
        self._decimals_only = decimals_only
        self._source = np.zeros((0, 0))
        self._m = np.zeros((0, 0))
        self._grid_shape: tuple[int, int] = (0, 0)  # the whole grid, before the cap
        self._texts: list[list[str]] = []
        self._row_labels: list[str] = []
        self._col_labels: list[str] = []
        self._marked: dict[tuple[int, int], str] = {}
        self._highlight_cols: set[int] = set()
        self._highlight_cells: set[tuple[int, int]] = set()
        self._breaks: set[int] = set()
        self._hover_col = -1
        self._tip_cell = (-1, -1)
        self._font = QFont(self.font())
        self._font.setPointSizeF(max(self._font.pointSizeF(), 9.0) + font_delta)
        self._label_font = QFont(self.font())
        self._label_font.setPointSizeF(
            max(self._label_font.pointSizeF(), 9.0) + max(-0.5, font_delta - 2.5)
        )
        self._geo = MatrixGeometry(self._font, self._label_font, show_col_labels)
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
        src = as_float_array(matrix)
        grid = as_grid(src, self._vector_as)
        rows = grid.shape[0] if self._max_rows is None else min(grid.shape[0], self._max_rows)
        cols = grid.shape[1] if self._max_cols is None else min(grid.shape[1], self._max_cols)
        m = grid[:rows, :cols]
        same_shape = m.shape == self._m.shape and grid.shape == self._grid_shape
        self._source, self._m, self._grid_shape = src, m, (grid.shape[0], grid.shape[1])
        if not same_shape:
            self._geo.forget_widths()
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
        self._geo.forget_widths()
        self._refresh_texts(repaint_all=True)

    def set_marked(self, cells: Mapping[tuple[int, int], str]) -> None:
        """Cells to mark (e.g. taken at a non-differentiable point) with their notes."""
        self._repaint_if_new("_marked", dict(cells))

    def set_highlighted_columns(self, cols: Iterable[int]) -> None:
        self._repaint_if_new("_highlight_cols", set(cols))

    def set_highlighted_cells(self, cells: Iterable[tuple[int, int]]) -> None:
        self._repaint_if_new("_highlight_cells", set(cells))

    def set_column_breaks(self, cols: Iterable[int]) -> None:
        """Draw a thin separator before each of these columns (P's block | Q's block)."""
        self._repaint_if_new("_breaks", set(cols))

    def _repaint_if_new(self, attr: str, value: object) -> None:
        """Set a marking; repaint only when it differs (the panels set them every edit)."""
        if getattr(self, attr) != value:
            setattr(self, attr, value)
            self.update()

    def set_min_column_widths(self, widths: Sequence[int]) -> None:
        """Make column ``j`` at least ``widths[j]`` pixels wide (to align stacked matrices)."""
        widths = [int(w) for w in widths]
        if widths != self._geo.min_col_ws:
            self._geo.min_col_ws = widths
            self._geo.invalidate()
            self._geometry_changed()
            self.update()

    def set_min_label_width(self, width: int) -> None:
        """Reserve at least ``width`` pixels for the row labels (to align stacked matrices)."""
        if int(width) != self._geo.min_label_w:
            self._geo.min_label_w = int(width)
            self._geo.invalidate()
            self._geometry_changed()
            self.update()

    @property
    def matrix(self) -> np.ndarray:
        """The values listed, as a 2-D array (rows × columns on screen; of a capped
        array only the part shown)."""
        return self._m.copy()

    @property
    def source(self) -> np.ndarray:
        """The array as given to :meth:`set_matrix` (0-, 1- or 2-D), all of it."""
        return self._source.copy()

    @property
    def grid_shape(self) -> tuple[int, int]:
        """Rows × columns of the whole grid, listed or not."""
        return self._grid_shape

    @property
    def cap_note(self) -> str:
        """``"showing 40 of 784 rows"`` when the array is capped, else ``""``."""
        return cap_note(self._grid_shape, (self._m.shape[0], self._m.shape[1]))

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

    def _style(self) -> NumberStyle:
        return NumberStyle(self._options.exact and not self._decimals_only, self._options.digits)

    def _refresh_texts(self, repaint_all: bool = False) -> None:
        """Re-format the entries; relayout only when the size changes, and repaint
        only the cells whose text changed when nothing else did (scrubbing a weight
        repaints a few numbers, not the dock)."""
        old_texts, old_painted = self._texts, self._painted
        self._texts = self._style().cells(self._m)
        self._geo.set_content(self._texts, self._m.shape[1], self._row_labels, self._col_labels)
        self._geometry_changed()
        signature = self._signature()
        if signature == old_painted or not self.isVisible():
            return
        if repaint_all or old_painted[1:] != signature[1:] or len(old_texts) != len(self._texts):
            self.update()
            return
        # the bounding box of the changed cells: from its corner cells, not one
        # rectangle per cell (a step changes most of a 300-column Jacobian)
        pairs = zip(self._texts, old_texts, strict=True)  # same shape, checked above
        rows = [r for r, (new, old) in enumerate(pairs) if new != old]
        if not rows:
            return
        cols = [
            c
            for r in rows
            for c, (a, b) in enumerate(zip(self._texts[r], old_texts[r], strict=True))
            if a != b
        ]
        geo = self._geo
        changed = geo.cell_rect(rows[0], min(cols)).united(geo.cell_rect(rows[-1], max(cols)))
        self.update(changed.toAlignedRect().adjusted(-1, -1, 1, 1))

    def _geometry_changed(self) -> None:
        """Tell the layout only when the size hint really differs from the last one."""
        hint = self.sizeHint()
        if hint != self._published_hint:
            self._published_hint = hint
            self.updateGeometry()

    def _signature(self) -> tuple[object, ...]:
        """What a paint shows, to skip repainting an unchanged matrix: the texts,
        then everything that moves them."""
        geo = self._geo
        return (self._texts, self._row_labels, self._col_labels, geo.col_ws(), geo.label_w())

    # -- LaTeX and text --------------------------------------------------------
    @property
    def copies_all(self) -> bool:
        """Whether Copy as LaTeX / as text take every entry, also those a cap leaves
        out (up to :data:`MAX_COPY_ENTRIES`), else only the part listed."""
        return self._source.size <= MAX_COPY_ENTRIES

    def _copied(self) -> np.ndarray:
        return self._source if self.copies_all else self._m

    def latex(self) -> str:
        """The matrix as LaTeX in the current number mode (a vector as a column or
        row): all of it, or of a huge one the part listed (see :attr:`copies_all`)."""
        return latex_of(self._copied(), self._vector_as, self._style())

    def plain_text(self) -> str:
        return plain_text_of(self._copied(), self._style())

    def copy_latex(self) -> None:
        QGuiApplication.clipboard().setText(self.latex())

    def context_menu(self) -> QMenu:
        """The right-click menu: Copy as LaTeX, Copy as text (saying so when they
        take the part listed)."""
        menu = QMenu(self)
        part = "" if self.copies_all else " (the {} × {} listed)".format(*self._m.shape)
        menu.addAction("Copy as LaTeX" + part, self.copy_latex)
        clipboard = QGuiApplication.clipboard()
        menu.addAction("Copy as text" + part, lambda: clipboard.setText(self.plain_text()))
        return menu

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:  # noqa: N802
        self.context_menu().exec(event.globalPos())

    # -- geometry --------------------------------------------------------------
    def natural_column_widths(self) -> list[int]:
        """The width each column needs on its own: its widest entry (and label)."""
        return self._geo.natural_column_widths()

    def natural_label_width(self) -> int:
        """The row-label width this matrix needs on its own."""
        return self._geo.natural_label_width()

    def sizeHint(self) -> QSize:  # noqa: N802
        return self._geo.size()

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        return self.sizeHint()

    def column_at(self, pos: QPoint | QPointF) -> int:
        """The column under a widget position, or -1."""
        return self._geo.column_at(pos)

    def row_at(self, pos: QPoint | QPointF) -> int:
        return self._geo.row_at(pos)

    def cell_rect(self, row: int, col: int) -> QRectF:
        return self._geo.cell_rect(row, col)

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
        # the cell's tooltip, set as the pointer moves (no Python ``event()`` override:
        # that would run for every paint and layout event of every matrix)
        cell = (self.row_at(event.position()), col)
        if cell != self._tip_cell:
            self._tip_cell = cell
            self.setToolTip(self.tooltip_at(event.position().toPoint()))
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

    def tooltip_at(self, pos: QPoint) -> str:
        """The tooltip of the cell under ``pos``: its labels, exact and decimal value, note."""
        r, c = self.row_at(pos), self.column_at(pos)
        if r < 0 or c < 0:
            return ""
        where = []
        if self._row_labels and r < len(self._row_labels):
            where.append(self._row_labels[r])
        if self._col_labels and c < len(self._col_labels):
            where.append(self._col_labels[c])
        return cell_tooltip(float(self._m[r, c]), where, r, c, self._marked.get((r, c), ""))

    # -- painting --------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        picture = MatrixPicture(
            texts=self._texts,
            zeros=self._m == 0,
            row_labels=self._row_labels,
            col_labels=self._col_labels if self._show_col_labels else [],
            theme=self._options.palette,
            font=self._font,
            label_font=self._label_font,
            bracketed=self._source.ndim > 0,
            marked=self._marked,
            highlight_cols=self._highlight_cols,
            highlight_cells=self._highlight_cells,
            hover_col=self._hover_col,
            breaks=self._breaks,
        )
        p = QPainter(self)
        paint_matrix(p, self._geo, picture, QRectF(event.rect()))
        p.end()
        self._painted = self._signature()
