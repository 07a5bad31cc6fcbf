"""Where everything of a drawn matrix goes, in widget pixels.

Left to right: the row labels (right-aligned, :meth:`MatrixGeometry.label_w`
wide), a round bracket, the columns (each as wide as its widest entry or label,
at least a given minimum so stacked matrices align), the closing bracket. Top to
bottom: the column labels (when shown), then one row of height ``row_h`` per
matrix row. Widths are measured once per change of the texts (or labels): the
natural widths are kept until then, so a new minimum (stacked matrices aligning)
or a size hint asked again measures nothing; the width of every text is
remembered too, since scrubbing a weight shows the same numbers again. While
the shape stays the same a column only widens: scrubbing ``3 → 13/4 → 7/2`` does
not make the matrix (and the dock's layout around it) jump at every step.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence

from PySide6.QtCore import QPoint, QPointF, QRectF, QSize
from PySide6.QtGui import QFont, QFontMetrics

PAD_X = 9
ROW_GAP = 5
BRACKET_W = 9
MIN_COL_W = 26


class MatrixGeometry:
    """Column widths, label width, cell rectangles and hit tests of one matrix."""

    def __init__(self, font: QFont, label_font: QFont, show_col_labels: bool) -> None:
        self.fm, self.lm = QFontMetrics(font), QFontMetrics(label_font)
        self._row_h, self._label_h = self.fm.height() + ROW_GAP, self.lm.height()
        self.show_col_labels = show_col_labels
        self._texts: list[list[str]] = []
        self._row_labels: Sequence[str] = ()
        self._col_labels: Sequence[str] = ()
        self._cols = 0
        self.min_col_ws: list[int] = []
        self.min_label_w = 0
        self._advances: dict[str, int] = {}
        self._natural: list[int] | None = None  # measured: until new texts or labels
        self._natural_label_w: int | None = None
        self._ws: list[int] | None = None
        self._xs: list[int] = [0]  # left edge of every column (and the right end)
        self._label_w: int | None = None
        self._size: QSize | None = None
        self._floor: list[int] = []  # the widest each column has been since forget_widths

    def set_content(
        self,
        texts: list[list[str]],
        cols: int,
        row_labels: Sequence[str],
        col_labels: Sequence[str],
    ) -> None:
        """What is measured: the cell texts (``rows × cols``) and the labels."""
        self._texts, self._cols = texts, cols
        self._row_labels, self._col_labels = row_labels, col_labels
        self._natural, self._natural_label_w = None, None
        self.invalidate()

    def invalidate(self) -> None:
        """Forget the layout (widths with their minimums, size); the natural widths
        of the content stay measured."""
        self._ws, self._label_w, self._size = None, None, None

    # -- widths ----------------------------------------------------------------
    def _advance(self, text: str) -> int:
        w = self._advances.get(text)
        if w is None:
            if len(self._advances) > 4096:
                self._advances.clear()
            w = self._advances[text] = self.fm.horizontalAdvance(text)
        return w

    def natural_column_widths(self) -> list[int]:
        """The width each column needs on its own: its widest entry (and label),
        padded, at least :data:`MIN_COL_W`, never narrower than since the last
        :meth:`forget_widths`. Measured once per :meth:`set_content`."""
        if self._natural is None:
            self._natural = self._measure_columns()
        return list(self._natural)

    def _measure_columns(self) -> list[int]:
        """Measure every cell and column label (each text's advance is remembered)."""
        widths = [0] * self._cols
        advance = self._advance
        for row in self._texts:
            for c, text in enumerate(row):
                w = advance(text)
                if w > widths[c]:
                    widths[c] = w
        if self.show_col_labels:
            for c, label in enumerate(self._col_labels[: self._cols]):
                widths[c] = max(widths[c], self.lm.horizontalAdvance(label))
        widths = [max(2 * PAD_X + w, MIN_COL_W) for w in widths]
        if len(self._floor) == len(widths):  # scrubbing: columns widen, never jitter back
            widths = [max(w, f) for w, f in zip(widths, self._floor, strict=True)]
        self._floor = widths
        return widths

    def forget_widths(self) -> None:
        """Let columns shrink to their entries again (a new shape or number format)."""
        self._floor = []
        self._natural = None
        self.invalidate()

    def col_ws(self) -> list[int]:
        """Every column's width: natural, or the minimum asked for when wider."""
        if self._ws is None:
            mins = self.min_col_ws
            self._ws = [
                max(w, mins[c] if c < len(mins) else 0)
                for c, w in enumerate(self.natural_column_widths())
            ]
            self._xs = [0]
            for w in self._ws:
                self._xs.append(self._xs[-1] + w)
        return self._ws

    def xs(self) -> list[int]:
        """Left edge of every column relative to the first (and the right end)."""
        self.col_ws()
        return self._xs

    def natural_label_width(self) -> int:
        """The row-label width this matrix needs on its own (measured once per
        :meth:`set_content`)."""
        if self._natural_label_w is None:
            advance = self.lm.horizontalAdvance
            self._natural_label_w = max((advance(r) + 8 for r in self._row_labels), default=0)
        return self._natural_label_w

    def label_w(self) -> int:
        if self._label_w is None:
            self._label_w = max(self.natural_label_width(), self.min_label_w)
        return self._label_w

    # -- heights and places ----------------------------------------------------
    def row_h(self) -> int:
        return self._row_h

    def header_h(self) -> int:
        shown = self._col_labels and self.show_col_labels
        return self._label_h + 4 if shown else 0

    def origin(self) -> QPointF:
        """The top-left corner of the first cell."""
        return QPointF(self.label_w() + BRACKET_W + 2, self.header_h() + 3)

    def size(self) -> QSize:
        """The whole matrix: labels, brackets, cells (asked for often by layouts)."""
        if self._size is None:
            w = self.label_w() + 2 * (BRACKET_W + 2) + sum(self.col_ws())
            h = self.header_h() + 6 + len(self._texts) * self.row_h()
            self._size = QSize(int(w) + 2, int(h) + 2)
        return QSize(self._size)

    def body(self) -> QRectF:
        """The cells' rectangle (inside the brackets)."""
        o = self.origin()
        return QRectF(o.x(), o.y(), sum(self.col_ws()), len(self._texts) * self.row_h())

    def cell_rect(self, row: int, col: int) -> QRectF:
        o, rh = self.origin(), self.row_h()
        return QRectF(o.x() + self.xs()[col], o.y() + row * rh, self.col_ws()[col], rh)

    def column_at(self, pos: QPoint | QPointF) -> int:
        """The column under a widget position, or -1."""
        x = pos.x() - self.origin().x()
        xs = self.xs()
        if x < 0 or self._cols == 0 or x >= xs[-1]:
            return -1
        return bisect.bisect_right(xs, x) - 1

    def row_at(self, pos: QPoint | QPointF) -> int:
        y = pos.y() - self.origin().y()
        if y < 0:
            return -1
        row = int(y // self.row_h())
        return row if row < len(self._texts) else -1

    def visible_cells(self, clip: QRectF) -> tuple[range, range]:
        """The rows and columns a paint of ``clip`` (widget coordinates) touches."""
        o, rh, xs = self.origin(), self.row_h(), self.xs()
        top = max(0, int((clip.top() - o.y()) // rh))
        bottom = min(len(self._texts), math.ceil((clip.bottom() - o.y()) / rh) + 1)
        left = max(0, bisect.bisect_right(xs, clip.left() - o.x()) - 1)
        right = min(self._cols, bisect.bisect_right(xs, clip.right() - o.x()))
        return range(top, bottom), range(left, right)
