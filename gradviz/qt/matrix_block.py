"""A titled matrix with its finite-difference estimate beside it: the inspector's
unit. The title is rich text (``∂g/∂z = J<sub>R</sub>(z)``), the analytic matrix
is exact, the estimate (decimals) sits to its right when both fit in the width and
below otherwise, with the largest difference between the two.

A huge matrix lists its first :data:`MAX_ROWS` rows and :data:`MAX_COLS` columns
and says so under it ("showing 40 of 784 rows"); Copy as LaTeX still has every
entry, up to :data:`~gradviz.qt.matrix_widget.MAX_COPY_ENTRIES`. A matrix too big
to compute at all is described in a sentence instead.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QBoxLayout, QLabel, QVBoxLayout, QWidget

from gradviz.engine.ops import Array
from gradviz.qt.inspector_maths import agreement
from gradviz.qt.inspector_text import style_label
from gradviz.qt.matrix_widget import MatrixWidget
from gradviz.qt.theme import DisplayOptions

#: Pixels between the analytic matrix and its finite-difference estimate.
SPACING = 18
#: The inspector lists at most this many rows and columns of a matrix (the dock is
#: narrow, and an exact fraction search costs ~0.3 ms for a number that is none).
MAX_ROWS = 16
MAX_COLS = 16


class FiniteDifferences(QWidget):
    """The estimate beside a matrix: a caption, the numeric matrix (decimals) and
    how far it is from the analytic one (or why there is no estimate)."""

    def __init__(self, options: DisplayOptions, vector_as: str, parent: QWidget) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        self.caption = QLabel("central differences", self)
        self.matrix = MatrixWidget(
            options=options,
            vector_as=vector_as,
            decimals_only=True,
            max_rows=MAX_ROWS,
            max_cols=MAX_COLS,
            parent=self,
        )
        self.verdict = QLabel(self)
        self.verdict.setWordWrap(True)
        self.verdict.setToolTip(
            "The largest |analytic − numeric| over all entries; ✓ when "
            "every entry agrees within 1e-6 (relative and absolute), "
            "as in 'gradviz check'"
        )
        for widget in (self.caption, self.matrix, self.verdict):
            layout.addWidget(widget)
        self._color = ""
        self.set_options(options)

    def set_options(self, options: DisplayOptions) -> None:
        self.matrix.set_options(options)
        style_label(self.caption, size=8.5, color=options.palette.dim_text)
        style_label(self.verdict, size=8.5)

    def set_verdict(self, text: str, color: str) -> None:
        self.verdict.setText(text)  # QLabel ignores a text it already shows
        if color != self._color:  # a new palette costs; only on change
            self._color = color
            style_label(self.verdict, color=color)


class MatrixBlock(QWidget):
    """A title (rich text), the analytic matrix and, when finite differences are
    shown, the numeric estimate with the largest difference between the two.
    The estimate's widgets are made the first time they are needed."""

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
        self._options, self._vector_as = options, vector_as
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 4, 0, 6)
        outer.setSpacing(3)
        self.title = QLabel(title, self)
        self.title.setTextFormat(Qt.TextFormat.RichText)
        self.title.setWordWrap(True)
        self._body_host = QWidget(self)
        self._body = QBoxLayout(QBoxLayout.Direction.LeftToRight, self._body_host)
        self._body.setContentsMargins(0, 0, 0, 0)
        self._body.setSpacing(SPACING)
        self.analytic = MatrixWidget(
            options=options,
            vector_as=vector_as,
            max_rows=MAX_ROWS,
            max_cols=MAX_COLS,
            parent=self._body_host,
        )
        # the caption ("showing 16 of 784 rows") and the note (a ReLU kink) are rare:
        # made when first needed, as the finite differences are
        self._cap_label: QLabel | None = None
        self._note: QLabel | None = None
        if inline:  # "z = ( … )": the title reads as the left side of an equation
            self.title.setWordWrap(False)
            self._body.addWidget(self.title, 0, Qt.AlignmentFlag.AlignVCenter)
            self._body.setSpacing(6)
        self._body.addWidget(self.analytic, 0, Qt.AlignmentFlag.AlignTop)
        self._body.addStretch(1)
        if not inline:
            outer.addWidget(self.title)
        outer.addWidget(self._body_host)
        self._outer = outer
        self._with_fd = with_fd
        self._fd_box: FiniteDifferences | None = None
        self._fd_visible = with_fd
        self._has_numeric = False
        self._labels: tuple[Sequence[str] | None, Sequence[str] | None] = (None, None)

    def _fd(self) -> FiniteDifferences:
        """The estimate's widgets, made (hidden) the first time they are asked for."""
        if self._fd_box is None:
            self._fd_box = FiniteDifferences(self._options, self._vector_as, self._body_host)
            self._fd_box.hide()
            at = self._body.indexOf(self.analytic) + 1
            self._body.insertWidget(at, self._fd_box, 0, Qt.AlignmentFlag.AlignTop)
        return self._fd_box

    @property
    def numeric(self) -> MatrixWidget | None:
        """The finite-difference estimate (None for a block without one)."""
        return self._fd().matrix if self._with_fd else None

    def _fd_shown(self) -> bool:
        return self._fd_box is not None and self._fd_box.isVisibleTo(self)

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
        self._has_numeric = False
        self._show_fd_box()
        self._set_caption(text)
        self._set_note(note)

    def _set_caption(self, text: str) -> None:
        if text and not self.analytic.isHidden() and self.analytic.copies_all:
            text += " (Copy as LaTeX has every entry)"
        if text or self._cap_label is not None:
            label = self.cap_label
            label.setText(text)  # the same text again: QLabel does nothing
            if label.isHidden() == bool(text):
                label.setVisible(bool(text))

    def _set_note(self, note: str) -> None:
        if note or self._note is not None:
            label = self.note
            label.setText(note)
            if label.isHidden() == bool(note):
                label.setVisible(bool(note))

    @property
    def cap_label(self) -> QLabel:
        """The line under the matrix: how much of it is listed, or why none."""
        if self._cap_label is None:
            label = self._cap_label = QLabel(self)
            label.setWordWrap(True)
            label.hide()
            style_label(label, size=8.5, color=self._options.palette.dim_text)
            self._outer.insertWidget(self._outer.indexOf(self._body_host) + 1, label)
        return self._cap_label

    @property
    def note(self) -> QLabel:
        """A rich-text note under the block (a ReLU kink on the way)."""
        if self._note is None:
            label = self._note = QLabel(self)
            label.setWordWrap(True)
            label.setTextFormat(Qt.TextFormat.RichText)
            label.hide()
            self._outer.addWidget(label)
        return self._note

    @property
    def caption_text(self) -> str:
        """What is said under the matrix: how much of it is listed, or why none."""
        label = self._cap_label
        return label.text() if label is not None and label.isVisibleTo(self) else ""

    def set_numeric(self, numeric: Array | None, *, kink: bool = False, why_not: str = "") -> None:
        """Show the finite-difference estimate of the matrix now shown and how far
        the two are apart; ``None`` with ``why_not``: no estimate, and why."""
        if not self._with_fd:
            return
        box = self._fd()
        if numeric is None:
            box.matrix.hide()
            box.set_verdict(why_not, self._options.palette.dim_text)
        else:
            source = self.analytic.source
            row_labels, col_labels = self._labels
            shown = np.asarray(numeric, dtype=np.float64).reshape(source.shape)
            if box.matrix.isHidden():
                box.matrix.show()
            box.matrix.set_matrix(shown, row_labels=row_labels, col_labels=col_labels)
            box.set_verdict(*_verdict(*agreement(source, shown), kink, self._options))
        self._has_numeric = True
        self._show_fd_box()
        self._choose_direction()

    def _show_fd_box(self) -> None:
        shown = self._fd_visible and self._has_numeric and not self.analytic.isHidden()
        if self._fd_box is not None and self._fd_box.isHidden() == shown:
            self._fd_box.setVisible(shown)

    def _choose_direction(self) -> None:
        """Finite differences beside the matrix when both fit in the width, else below."""
        # the matrices' own size hints only: asking the labels' layout for a size
        # hint from inside resizeEvent is what Qt's word-wrapped QLabel does not survive
        if not self._fd_shown():
            direction = QBoxLayout.Direction.LeftToRight
        else:
            assert self._fd_box is not None
            numeric = self._fd_box.matrix.sizeHint().width()
            side = self.analytic.sizeHint().width() + SPACING + numeric
            fits = side <= self.width()
            direction = (
                QBoxLayout.Direction.LeftToRight if fits else QBoxLayout.Direction.TopToBottom
            )
        if self._body.direction() != direction:
            self._body.setDirection(direction)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._choose_direction()

    @property
    def difference_text(self) -> str:
        return self._fd_box.verdict.text() if self._fd_box is not None else ""

    def set_fd_visible(self, visible: bool) -> None:
        self._fd_visible = visible and self._with_fd
        self._show_fd_box()
        self._choose_direction()

    def set_options(self, options: DisplayOptions) -> None:
        self._options = options
        self.analytic.set_options(options)
        if self._fd_box is not None:
            self._fd_box.set_options(options)
        if self._cap_label is not None:
            style_label(self._cap_label, color=options.palette.dim_text)


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
