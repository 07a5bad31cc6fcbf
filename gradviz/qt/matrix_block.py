"""A titled matrix with its finite-difference estimate beside it: the inspector's
unit. The title is rich text (``∂g/∂z = J<sub>R</sub>(z)``), the analytic matrix
is exact, the estimate (decimals) sits to its right when both fit in the width and
below otherwise, with the largest difference between the two.

A huge matrix lists its first :data:`MAX_ROWS` rows and :data:`MAX_COLS` columns
and says so under it ("showing 40 of 784 rows"); Copy as LaTeX still has every
entry. A matrix too big to compute at all is described in a sentence instead.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QBoxLayout, QLabel, QVBoxLayout, QWidget

from gradviz.engine.ops import Array
from gradviz.qt.inspector_maths import agreement
from gradviz.qt.matrix_widget import MatrixWidget
from gradviz.qt.theme import DisplayOptions

#: Pixels between the analytic matrix and its finite-difference estimate.
SPACING = 18
#: The inspector lists at most this many rows and columns of a matrix.
MAX_ROWS = 40
MAX_COLS = 40


class MatrixBlock(QWidget):
    """A title (rich text), the analytic matrix and, when finite differences are
    shown, the numeric estimate with the largest difference between the two."""

    def __init__(
        self,
        title: str,
        *,
        options: DisplayOptions,
        vector_as: str = "column",
        with_fd: bool = True,
        inline: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        # Every child and layout is made with its parent: a parentless layout whose
        # Python wrapper dies after its widget could be freed twice.
        self._options = options
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 4, 0, 6)
        outer.setSpacing(3)
        self.title = QLabel(title, self)
        self.title.setTextFormat(Qt.TextFormat.RichText)
        self.title.setWordWrap(True)
        body_host = QWidget(self)
        self._body = QBoxLayout(QBoxLayout.Direction.LeftToRight, body_host)
        self._body.setContentsMargins(0, 0, 0, 0)
        self._body.setSpacing(SPACING)
        self.analytic = MatrixWidget(
            options=options,
            vector_as=vector_as,
            max_rows=MAX_ROWS,
            max_cols=MAX_COLS,
            parent=body_host,
        )
        self._fd_box = QWidget(body_host)
        fd_layout = QVBoxLayout(self._fd_box)
        fd_layout.setContentsMargins(0, 0, 0, 0)
        fd_layout.setSpacing(2)
        self.fd_caption = QLabel("central differences", self._fd_box)
        fd_layout.addWidget(self.fd_caption)
        self.numeric: MatrixWidget | None = None
        if with_fd:
            self.numeric = MatrixWidget(
                options=options,
                vector_as=vector_as,
                decimals_only=True,
                max_rows=MAX_ROWS,
                max_cols=MAX_COLS,
                parent=self._fd_box,
            )
            fd_layout.addWidget(self.numeric)
        self.diff_label = QLabel(self._fd_box)
        self.diff_label.setWordWrap(True)
        self.diff_label.setToolTip(
            "The largest |analytic − numeric| over all entries; ✓ when "
            "every entry agrees within 1e-6 (relative and absolute), "
            "as in 'gradviz check'"
        )
        fd_layout.addWidget(self.diff_label)
        self.cap_label = QLabel(self)  # "showing 40 of 784 rows", or why nothing is listed
        self.cap_label.setWordWrap(True)
        self.cap_label.hide()
        self.note = QLabel(self)
        self.note.setWordWrap(True)
        self.note.setTextFormat(Qt.TextFormat.RichText)
        self.note.hide()
        if inline:  # "z = ( … )": the title reads as the left side of an equation
            self.title.setWordWrap(False)
            self._body.addWidget(self.title, 0, Qt.AlignmentFlag.AlignVCenter)
            self._body.setSpacing(6)
        self._body.addWidget(self.analytic, 0, Qt.AlignmentFlag.AlignTop)
        self._body.addWidget(self._fd_box, 0, Qt.AlignmentFlag.AlignTop)
        self._body.addStretch(1)
        if not inline:
            outer.addWidget(self.title)
        outer.addWidget(body_host)
        outer.addWidget(self.cap_label)
        outer.addWidget(self.note)
        self._fd_visible = with_fd
        self._has_numeric = False
        self._labels: tuple[Sequence[str] | None, Sequence[str] | None] = (None, None)
        self._fd_box.setVisible(False)
        self._style_captions()

    def _style_captions(self) -> None:
        dim = self._options.palette.dim_text
        self.fd_caption.setStyleSheet(f"color: {dim}; font-size: 8.5pt;")
        self.cap_label.setStyleSheet(f"color: {dim}; font-size: 8.5pt;")
        self.diff_label.setStyleSheet("font-size: 8.5pt;")

    def set_data(
        self,
        matrix: Array,
        *,
        row_labels: Sequence[str] | None = None,
        col_labels: Sequence[str] | None = None,
        numeric: Array | None = None,
        marked: Mapping[tuple[int, int], str] | None = None,
        note: str = "",
        kink: bool = False,
    ) -> None:
        """Show ``matrix``; ``numeric`` its finite-difference estimate (same size);
        ``marked`` cells with notes; ``kink``: computed at a non-differentiable point."""
        if self.analytic.isHidden():  # after a summary
            self.analytic.show()
        self.analytic.set_matrix(matrix, row_labels=row_labels, col_labels=col_labels)
        self.analytic.set_marked(marked or {})
        self._labels = (row_labels, col_labels)
        if numeric is not None:  # else the estimate follows a moment later
            self.set_numeric(numeric, kink=kink)
        self._set_caption(self.analytic.cap_note)
        self._set_note(note)
        self._choose_direction()

    def set_summary(self, text: str, note: str = "") -> None:
        """No matrix, a sentence instead (one too big to compute and list)."""
        self.analytic.setVisible(False)
        self._fd_box.setVisible(False)
        self._has_numeric = False
        self._set_caption(text)
        self._set_note(note)

    def _set_caption(self, text: str) -> None:
        if text and self.analytic.isVisibleTo(self):
            text += " (Copy as LaTeX has every entry)"
        if self.cap_label.text() != text:
            self.cap_label.setText(text)
        self.cap_label.setVisible(bool(text))

    def _set_note(self, note: str) -> None:
        if self.note.text() != note:
            self.note.setText(note)
        self.note.setVisible(bool(note))

    @property
    def caption_text(self) -> str:
        """What is said under the matrix: how much of it is listed, or why none."""
        return self.cap_label.text() if self.cap_label.isVisibleTo(self) else ""

    def set_numeric(self, numeric: Array | None, *, kink: bool = False, why_not: str = "") -> None:
        """Show the finite-difference estimate of the matrix now shown and how far
        the two are apart; ``None`` with ``why_not``: no estimate, and why."""
        if self.numeric is None:
            return
        palette = self._options.palette
        if numeric is None:
            self.numeric.hide()
            text, color = why_not, palette.dim_text
        else:
            source = self.analytic.source
            row_labels, col_labels = self._labels
            shown = np.asarray(numeric, dtype=np.float64).reshape(source.shape)
            self.numeric.show()
            self.numeric.set_matrix(shown, row_labels=row_labels, col_labels=col_labels)
            text, color = _verdict(*agreement(source, shown), kink, self._options)
        if self.diff_label.text() != text:
            self.diff_label.setText(text)
        style = f"font-size: 8.5pt; color: {color};"
        if self.diff_label.styleSheet() != style:  # re-polishing costs; only on change
            self.diff_label.setStyleSheet(style)
        self._has_numeric = True
        self._fd_box.setVisible(self._fd_visible and self.analytic.isVisibleTo(self))
        self._choose_direction()

    def _choose_direction(self) -> None:
        """Finite differences beside the matrix when both fit in the width, else below."""
        # the matrices' own size hints only: asking the labels' layout for a size
        # hint from inside resizeEvent is what Qt's word-wrapped QLabel does not survive
        numeric = self.numeric.sizeHint().width() if self.numeric is not None else 0
        side = self.analytic.sizeHint().width() + SPACING + numeric
        direction = (
            QBoxLayout.Direction.LeftToRight
            if not self._fd_box.isVisibleTo(self) or side <= self.width()
            else QBoxLayout.Direction.TopToBottom
        )
        if self._body.direction() != direction:
            self._body.setDirection(direction)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._choose_direction()

    @property
    def difference_text(self) -> str:
        return self.diff_label.text()

    def set_fd_visible(self, visible: bool) -> None:
        self._fd_visible = visible and self.numeric is not None
        shown = self._fd_visible and self._has_numeric and self.analytic.isVisibleTo(self)
        self._fd_box.setVisible(shown)
        self._choose_direction()

    def set_options(self, options: DisplayOptions) -> None:
        self._options = options
        self.analytic.set_options(options)
        if self.numeric is not None:
            self.numeric.set_options(options)
        self._style_captions()


def _verdict(err: float, ok: bool, kink: bool, options: DisplayOptions) -> tuple[str, str]:
    """The line under an estimate and its colour: agrees (✓), a kink, or disagrees."""
    if ok:
        return f"max |Δ| = {err:.1e}  ✓", "#2e7d32"
    if kink:
        return (
            f"max |difference| = {err:.2g}: at a kink the two sides "
            "disagree, so differences cannot confirm it",
            options.palette.warning,
        )
    return f"max |Δ| = {err:.2g}  ✗ they disagree", options.palette.gradient
