"""The Jacobian panel (bottom dock): the whole ``J_fE(Θ)`` at a glance.

Three aligned rows share the sheet's column labels ``p₁,₁ … q₂,₃`` (one column
per entry of Θ, parameters in file order, each flattened row-major):

* ``Θ`` — the current parameters (1 × n);
* ``J_fE(Θ)`` — the Jacobian of the network output ``f`` w.r.t. Θ (m × n): column
  ``j`` is the sheet's ``∂f/∂θ_j``, row ``i`` is ``∇f[i]``;
* ``∇l(Θ)`` — the gradient of the loss (1 × n), the direction of a step.

Hovering a column reports it (``parameterHovered(j)``, ``-1`` on leaving) so the
window can highlight that weight on the canvas; clicking pins it
(``parameterClicked(j)``); clicking an entry of ``J_fE(Θ)`` also reports its cell
(``entryClicked(i, j)``: ``∂f[i]/∂θ_j``, 0-based), which the scalar view shows as
a sum over paths. Every matrix copies as LaTeX from its context menu.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QScrollArea, QVBoxLayout, QWidget

from gradviz.model.document import Change, Document
from gradviz.model.network import Network
from gradviz.qt.document_link import DocumentLink, FollowsDocument
from gradviz.qt.inspector_text import LiveLabel
from gradviz.qt.matrix_widget import MatrixWidget
from gradviz.qt.sheet_notation import number, sheet_name
from gradviz.qt.theme import DisplayOptions

#: Θ entries and output entries the panel lists; a bigger network shows the first
#: ones (formatting a million cells would freeze the window for minutes). The
#: matrix widgets cap what they list (Copy as LaTeX has every entry up to
#: matrix_widget.MAX_COPY_ENTRIES).
MAX_COLUMNS = 300
MAX_ROWS = 40


class JacobianPanel(FollowsDocument, QWidget):
    """``Θ``, ``J_fE(Θ)`` and ``∇l(Θ)`` of a document, kept current by itself."""

    parameterHovered = Signal(int)
    parameterClicked = Signal(int)
    entryClicked = Signal(int, int)

    def __init__(
        self, doc: Document, options: DisplayOptions | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._options = options or DisplayOptions()
        self._pinned: int | None = None
        # the header holds the loss, new after every edit: relayout only on a new size
        self.header = LiveLabel(parent=self)
        self.note = QLabel(self)
        self.note.setWordWrap(True)
        self.note.hide()
        scroll = QScrollArea(self)
        grid_host = QWidget(scroll)  # every widget made with its parent

        def matrix(vector_as: str, col_labels: bool) -> MatrixWidget:
            # big: the panel is what the class reads from afar; capped: a huge Θ
            # lists its first entries (the widget says how many)
            return MatrixWidget(
                options=self._options,
                vector_as=vector_as,
                show_col_labels=col_labels,
                font_delta=3.0,
                max_rows=MAX_ROWS,
                max_cols=MAX_COLUMNS,
                parent=grid_host,
            )

        # column labels on Θ only; J and ∇l keep them for tooltips and align below Θ
        self.theta_widget = matrix("row", col_labels=True)
        self.jacobian_widget = matrix("column", col_labels=False)
        self.gradient_widget = matrix("row", col_labels=False)
        self.theta_title = self._title("Θ =", grid_host)
        self.jacobian_title = self._title("J<sub>f<sub>E</sub></sub>(Θ) =", grid_host)
        self.gradient_title = self._title("∇l(Θ) =", grid_host)

        grid = QGridLayout(grid_host)
        grid.setContentsMargins(4, 2, 12, 4)
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(6)
        for row, (title, widget) in enumerate(
            (
                (self.theta_title, self.theta_widget),
                (self.jacobian_title, self.jacobian_widget),
                (self.gradient_title, self.gradient_widget),
            )
        ):
            grid.addWidget(
                title, row, 0, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
            )
            grid.addWidget(widget, row, 1, Qt.AlignmentFlag.AlignLeft)
            widget.columnHovered.connect(self._hovered)
            widget.columnClicked.connect(self._clicked)
        self.jacobian_widget.cellClicked.connect(self.entryClicked)
        grid.setColumnStretch(2, 1)
        scroll.setWidget(grid_host)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        self._scroll = scroll

        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        layout.setSpacing(4)
        layout.addWidget(self.header)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.note)
        self._link = DocumentLink(doc, None, self._on_change)
        self.refresh()

    def _title(self, html: str, parent: QWidget) -> QLabel:
        label = QLabel(html, parent)
        label.setTextFormat(Qt.TextFormat.RichText)
        label.setStyleSheet("font-size: 13pt;")
        return label

    # -- public ----------------------------------------------------------------
    def set_document(self, doc: Document) -> None:
        self._link.switch(doc)
        self._pinned = None
        self.refresh()

    def set_options(self, options: DisplayOptions) -> None:
        self._options = options
        for w in self._widgets():
            w.set_options(options)
        self.refresh()

    def detach(self) -> None:
        self._link.detach()

    def column_labels(self) -> list[str]:
        """The sheet's names of the Θ entries the panel lists: ``p₁,₁`` … ``q₂,₃``
        (the first :data:`MAX_COLUMNS` of a huge Θ)."""
        return [sheet_name(n) for n in self.doc.evaluation.theta_names[:MAX_COLUMNS]]

    def parameter_of_column(self, col: int) -> tuple[str, tuple[int, ...]]:
        """The parameter node and the entry (0-based, one index per axis) behind
        column ``col`` of Θ (:meth:`Network.theta_entry`)."""
        entry = self.doc.network.theta_entry(col)
        if entry is None:
            raise IndexError(f"Θ has no column {col + 1}")
        return entry

    def highlight_parameter(self, col: int | None) -> None:
        """Highlight column ``col`` of Θ in all three rows (None: none)."""
        cols = set() if col is None or col < 0 else {col}
        for w in self._widgets():
            w.set_highlighted_columns(cols)

    @property
    def pinned(self) -> int | None:
        return self._pinned

    def pin(self, col: int | None) -> None:
        """Keep column ``col`` highlighted when the pointer leaves (None: unpin)."""
        self._pinned = col
        self.highlight_parameter(col)

    # -- internals -------------------------------------------------------------
    def _widgets(self) -> tuple[MatrixWidget, MatrixWidget, MatrixWidget]:
        return self.theta_widget, self.jacobian_widget, self.gradient_widget

    def _hovered(self, col: int) -> None:
        self.highlight_parameter(col if col >= 0 else self._pinned)
        self.parameterHovered.emit(col)

    def _clicked(self, col: int) -> None:
        self._pinned = col
        self.highlight_parameter(col)
        self.parameterClicked.emit(col)

    def _on_change(self, change: Change) -> None:
        if change.kind != "positions":
            self.refresh()

    def refresh(self) -> None:
        """Re-read the document's evaluation (computed once per change, shared)."""
        ev = self.doc.evaluation
        net = self.doc.network
        labels = self.column_labels()  # a huge Θ: labels for the listed columns only
        out, loss = ev.output, ev.loss_node
        self.theta_widget.set_matrix(ev.theta, col_labels=labels)
        has_j = ev.jacobian is not None and out is not None
        has_g = ev.gradient is not None and loss is not None
        if has_j and ev.jacobian is not None and out is not None:
            rows = [f"{out}[{i + 1}]" for i in range(min(ev.jacobian.shape[0], MAX_ROWS))]
            self.jacobian_widget.set_matrix(ev.jacobian, row_labels=rows, col_labels=labels)
            self.jacobian_title.setText(f"J<sub>{out}<sub>E</sub></sub>(Θ) =")
        if has_g and ev.gradient is not None and loss is not None:
            self.gradient_widget.set_matrix(ev.gradient, col_labels=labels)
            self.gradient_title.setText(f"∇{loss}(Θ) =")
        for w, title, shown in (
            (self.jacobian_widget, self.jacobian_title, has_j),
            (self.gradient_widget, self.gradient_title, has_g),
        ):
            if w.isHidden() == shown:
                w.setVisible(shown)
                title.setVisible(shown)
        self._align(net)
        self._describe(has_j, has_g)
        self.highlight_parameter(self._pinned)

    def _align(self, net: Network) -> None:
        """One width per listed column (and for the row labels) across the three
        rows, and a separator before each parameter's first column."""
        n = self.theta_widget.matrix.shape[1]  # the columns listed
        breaks, at = [], 0
        for pid in net.param_ids:
            value = net.node(pid).value
            if at < n:
                breaks.append(at)
            at += value.size if value is not None else 0
        widgets = self._widgets()
        cols = [w.natural_column_widths() for w in widgets if w.isVisibleTo(self)]
        shared = [max(ws[c] for ws in cols) for c in range(n)]
        label_w = max(w.natural_label_width() for w in widgets)
        for w in widgets:
            w.set_column_breaks(breaks)
            w.set_min_column_widths(shared)
            w.set_min_label_width(label_w)

    def _describe(self, has_j: bool, has_g: bool) -> None:
        """The header (what J is, how much is listed, the loss) and the kink note."""
        ev = self.doc.evaluation
        out, loss = ev.output, ev.loss_node
        n_all = ev.theta.size
        m = ev.jacobian.shape[0] if ev.jacobian is not None else 0
        parts = []
        if has_j:
            parts.append(
                f"<b>J<sub>{out}<sub>E</sub></sub>(Θ)</b>: the Jacobian of the output "
                f"{out} w.r.t. all n = {n_all} parameters ({m} × {n_all}); column j is "
                f"∂{out}/∂θ<sub>j</sub>"
            )
        shown = self.jacobian_widget if has_j else self.theta_widget
        if shown.cap_note:  # the widgets list the first rows and columns of a huge one
            rows, cols = shown.matrix.shape
            what = f"{rows} rows and {cols} columns" if has_j else f"{cols} entries"
            copy = "Copy as LaTeX, " if shown.copies_all else ""
            parts.append(
                f"<b>shown: the first {what}</b> ({copy}the canvas's tensor viewer and "
                "the exports have every entry)"
            )
        if has_g and ev.loss is not None:
            parts.append(f"loss <b>{loss} = {number(ev.loss, self._options)}</b>")
        parts.append(
            f"<span style='color:{self._options.palette.dim_text}'>hover a column "
            "to find its weight on the canvas; right-click a matrix to copy it as "
            "LaTeX</span>"
        )
        self.header.setText(" &nbsp;·&nbsp; ".join(parts))
        if ev.nondifferentiable:
            where = ", ".join(
                f"{ev.inputs_of(k)[0]}[{','.join(str(i + 1) for i in idx)}]"
                for k, idx in ev.nondifferentiable
            )
            self.note.setText(
                f"⚠ {where} = 0: a ReLU kink, where the derivative is taken "
                "as 0; these Jacobians are one-sided there."
            )
            style = f"color: {self._options.palette.warning};"
            if self.note.styleSheet() != style:
                self.note.setStyleSheet(style)
        if self.note.isHidden() == bool(ev.nondifferentiable):
            self.note.setVisible(bool(ev.nondifferentiable))
