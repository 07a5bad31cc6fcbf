"""One page of the inspector: everything about one node (or, with none selected,
the network's forward pass), built once and refreshed in place.

A page is a column of headings, labels and :class:`~gradviz.qt.matrix_block.MatrixBlock`
s. Each block comes with an *updater* ``(evaluation, fd) -> None`` that writes the
block's numbers from an evaluation; after an edit the page runs its updaters and
the same widgets show the new numbers (only texts change). ``fd``: also recompute
the finite-difference estimates, which cost forward runs and so follow a moment
after an edit or a selection. The sections from ``∂f/∂node`` on are added by
:mod:`gradviz.qt.inspector_chain`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QCheckBox, QFrame, QLabel, QLineEdit, QSpinBox, QVBoxLayout, QWidget

from gradviz.engine.evaluate import Evaluation
from gradviz.engine.ops import Array
from gradviz.model.document import Document
from gradviz.qt.inspector_loss import LossIndexSelector, TargetEditor
from gradviz.qt.inspector_maths import (
    FD_MAX_COLUMNS,
    downstream_kink_note,
    fd_skipped,
    kink_cells,
    numeric_downstream_jacobian,
    numeric_local_jacobian,
    too_big,
)
from gradviz.qt.inspector_text import LiveLabel, style_label
from gradviz.qt.matrix_block import MAX_COLS, MAX_ROWS, MatrixBlock
from gradviz.qt.sheet_notation import (
    KINDS,
    entry_labels,
    formula_text,
    forward_line,
    gradient_title,
    local_title,
)
from gradviz.qt.theme import DisplayOptions

if TYPE_CHECKING:
    import networkx as nx  # imported where used: networkx stays off the start-up path

#: Refreshes one part from an evaluation; ``fd``: also recompute finite differences.
Updater = Callable[[Evaluation, bool], None]


class InspectorPage(QWidget):
    """The widgets of one node's page (``node_id=None``: the forward pass) and
    the updaters that refresh them. ``blocks`` by key: ``input:k``, ``value``,
    ``local:k``, ``output``, ``gradient``, ``chain:k``, ``chain:product``.
    ``entryClicked(row, θ column)``: an entry of a parameter's ``∂f/∂P`` was clicked."""

    entryClicked = Signal(int, int)

    def __init__(
        self,
        doc: Document,
        undo_stack: QUndoStack,
        options: DisplayOptions,
        node_id: str | None,
        show_fd: bool,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.doc, self.undo, self.options = doc, undo_stack, options
        self.node_id, self.show_fd = node_id, show_fd
        self.blocks: dict[str, MatrixBlock] = {}
        self.updaters: list[Updater] = []
        self.formula_label: QLabel | None = None
        self.index_selector: LossIndexSelector | None = None
        self.target_editor: TargetEditor | None = None
        self.fd_check: QCheckBox | None = None
        self.summary: LiveLabel | None = None
        self.headings: list[QLabel] = []  # the sections' titles
        self.graph: nx.DiGraph | None = None  # a node page's structure, for paths
        self.stale = True  # its numbers are not the document's (yet)
        self.fd_current = False  # its finite differences are
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(12, 10, 12, 12)
        self.layout_.setSpacing(4)
        if node_id is None:
            self._build_empty()
        else:
            self._build_node(node_id)
        self.layout_.addStretch(1)

    @property
    def index_spin(self) -> QSpinBox | None:
        return self.index_selector.spin if self.index_selector is not None else None

    @property
    def target_edit(self) -> QLineEdit | None:
        return self.target_editor.edit if self.target_editor is not None else None

    # -- refreshing ------------------------------------------------------------
    def refresh(self, ev: Evaluation, fd: bool) -> None:
        """Every part from ``ev``; ``fd``: the finite differences too."""
        for update in self.updaters:
            update(ev, fd)
        self.stale = False
        # a page without Jacobians (the overview) has no finite differences to wait for
        self.fd_current = fd or not self.show_fd or self.fd_check is None

    def set_fd_visible(self, visible: bool) -> None:
        self.show_fd = visible
        if self.fd_check is not None and self.fd_check.isChecked() != visible:
            self.fd_check.blockSignals(True)
            self.fd_check.setChecked(visible)
            self.fd_check.blockSignals(False)
        for block in self.blocks.values():
            block.set_fd_visible(visible)

    def set_options(self, options: DisplayOptions) -> None:
        self.options = options
        for block in self.blocks.values():
            block.set_options(options)

    def wants_fd(self, fd: bool) -> bool:
        return fd and self.show_fd

    # -- building blocks -------------------------------------------------------
    def label(
        self, html: str, *, size: float | None = None, bold: bool = False, dim: bool = False
    ) -> QLabel:
        label = QLabel(html, self)
        label.setTextFormat(Qt.TextFormat.RichText)
        label.setWordWrap(True)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        style_label(
            label, size=size, bold=bold, color=self.options.palette.dim_text if dim else None
        )
        self.layout_.addWidget(label)
        return label

    def section(self, title: str) -> None:
        """A thin rule and a heading in the theme's value colour."""
        self.layout_.addSpacing(8)
        line = QFrame(self)
        line.setFrameShape(QFrame.Shape.HLine)
        line.setFrameShadow(QFrame.Shadow.Plain)
        style_label(line, color=self.options.palette.grid)
        self.layout_.addWidget(line)
        heading = self.label(title, size=10.5, bold=True)
        style_label(heading, color=self.options.palette.value)
        self.headings.append(heading)

    def block(
        self,
        key: str,
        title: str,
        update: Updater,
        *,
        vector_as: str = "column",
        with_fd: bool = True,
    ) -> MatrixBlock:
        block = MatrixBlock(
            title,
            options=self.options,
            vector_as=vector_as,
            with_fd=with_fd,
            inline=not with_fd,
            parent=self,
        )
        block.set_fd_visible(self.show_fd and with_fd)
        self.layout_.addWidget(block)
        self.blocks[key] = block
        self.updaters.append(update)
        return block

    def labels(self, nid: str, *, limit: int = MAX_COLS) -> list[str]:
        """The first labels of ``nid``'s entries (the sheet's ``p₁,₁`` for a parameter)."""
        node = self.doc.network.node(nid)
        shape = self.doc.evaluation.values[nid].shape
        return entry_labels(nid, shape, param=node.op == "param", limit=limit)

    def estimate(
        self, block: MatrixBlock, columns: int, estimate: Callable[[], Array], kink: bool
    ) -> None:
        """The finite-difference estimate into ``block`` when it has at most
        :data:`FD_MAX_COLUMNS` columns, else the reason there is none."""
        if columns > FD_MAX_COLUMNS:
            block.set_numeric(None, why_not=fd_skipped(columns))
        else:
            block.set_numeric(estimate(), kink=kink)

    # -- the forward pass (nothing selected) -----------------------------------
    def _build_empty(self) -> None:
        net = self.doc.network
        self.label(net.title or self.doc.title, size=13, bold=True)
        desc = net.extra.get("description")
        if isinstance(desc, str) and desc:
            self.label(desc)
        self.layout_.addSpacing(6)
        self.label(
            "Click a node on the canvas to see its formula, its values, its "
            "local Jacobian, ∂f and ∂l with respect to it, and the chain rule along "
            "its path to the output.",
            dim=True,
        )
        self.section("Forward pass")
        # rewritten after every edit: a label that relayouts the page only on a new size
        summary = self.summary = LiveLabel(rich=False, point_size=11, parent=self)  # wrapped
        self.layout_.addWidget(summary)

        def update(ev: Evaluation, fd: bool = True) -> None:
            net = self.doc.network
            text = "\n".join(
                forward_line(net, ev, n, self.options) for n in net.topological_order()
            )
            summary.setText(text)

        self.updaters.append(update)

    # -- a node ----------------------------------------------------------------
    def _build_node(self, nid: str) -> None:
        net = self.doc.network
        node = net.node(nid)
        self.graph = net.graph
        roles = [
            r for r, v in (("the network output", net.output), ("the loss", net.loss)) if v == nid
        ]
        head = f"{nid}" + (
            f"  <span style='font-weight:400'>({node.label})</span>"
            if node.label and node.label != nid
            else ""
        )
        self.label(head, size=14, bold=True)
        kind = KINDS.get(node.op, node.op) + ("; " + " and ".join(roles) if roles else "")
        self.label(kind, dim=True)
        if node.value is not None:  # a leaf: where it lives, "P ∈ ℝ^{3×2}"
            dims = "×".join(str(d) for d in node.value.shape)
            self.formula_label = self.label(
                f"{nid} ∈ ℝ<sup>{dims}</sup>" if dims else f"{nid} ∈ ℝ", size=15
            )
        else:
            self.formula_label = self.label(formula_text(net, nid), size=15)
            self.formula_label.setTextFormat(Qt.TextFormat.PlainText)
        self.fd_check = QCheckBox("Show finite differences beside each Jacobian", self)
        self.fd_check.setChecked(self.show_fd)
        self.layout_.addWidget(self.fd_check)
        self._build_loss_settings(nid)
        self._build_values(nid)
        if node.inputs:
            self.section("Local Jacobian" + ("s" if len(node.inputs) > 1 else ""))
            for pos in range(len(node.inputs)):
                self.block(
                    f"local:{pos}", local_title(net, nid, pos), self._local_updater(nid, pos)
                )

        from gradviz.qt.inspector_chain import add_chain_sections  # a page needs it

        add_chain_sections(self, nid)

    def _build_loss_settings(self, nid: str) -> None:
        node = self.doc.network.node(nid)
        if node.op == "neg_log":
            selector = self.index_selector = LossIndexSelector(self.doc, self.undo, nid, self)
            self.layout_.addWidget(selector)

            def update_index(ev: Evaluation, fd: bool = True) -> None:
                selector.refresh()
                if self.formula_label is not None:
                    self.formula_label.setText(formula_text(self.doc.network, nid))

            self.updaters.append(update_index)
        elif node.op == "mse":
            editor = self.target_editor = TargetEditor(self.doc, self.undo, nid, self.options, self)
            self.layout_.addWidget(editor)
            self.updaters.append(lambda ev, fd: editor.refresh())

    def _build_values(self, nid: str) -> None:
        net = self.doc.network
        node = net.node(nid)
        self.section("Values")
        for pos, src in enumerate(node.inputs):
            self.block(
                f"input:{pos}", f"{src} =", self._value_updater(f"input:{pos}", src), with_fd=False
            )
        title = f"{formula_text(net, nid)} =" if node.inputs else f"{nid} ="
        self.block("value", title, self._value_updater("value", nid), with_fd=False)

    def _value_updater(self, key: str, nid: str) -> Updater:
        def update(ev: Evaluation, fd: bool = True) -> None:
            self.blocks[key].set_data(ev.values[nid])

        return update

    def _local_updater(self, nid: str, pos: int) -> Updater:
        def update(ev: Evaluation, fd: bool = True) -> None:
            block = self.blocks[f"local:{pos}"]
            src = self.doc.network.node(nid).inputs[pos]
            big = too_big(ev, nid, src)
            if big:
                block.set_summary(big)
                return
            cells, note = kink_cells(ev, nid, self.options) if pos == 0 else ({}, "")
            with np.errstate(over="ignore", invalid="ignore"):  # inf · 0 = NaN, shown
                jac = ev.local_jacobian(nid, pos)
            block.set_data(
                jac,
                row_labels=self.labels(nid, limit=MAX_ROWS),
                col_labels=self.labels(src),
                marked=cells,
                note=note,
                kink=bool(cells),
            )
            if self.wants_fd(fd):
                columns = ev.values[src].size
                self.estimate(
                    block, columns, lambda: numeric_local_jacobian(ev, nid, pos), bool(cells)
                )

        return update

    def gradient_updater(self, nid: str, loss: str) -> Updater:
        """``∂loss/∂nid`` in ``nid``'s shape (a row for a vector)."""

        def update(ev: Evaluation, fd: bool = True) -> None:
            grad = ev.node_gradients.get(nid)
            if grad is None:
                return
            block = self.blocks["gradient"]
            param = self.doc.network.node(nid).op == "param"
            labels = [f"∂{loss}/∂{x}" if param else x for x in self.labels(nid)]
            assert self.graph is not None
            note = downstream_kink_note(ev, self.graph, nid, self.options)
            block.set_data(grad, col_labels=None if grad.ndim == 2 else labels, note=note)
            if self.wants_fd(fd):
                self.estimate(
                    block,
                    grad.size,
                    lambda: numeric_downstream_jacobian(ev, loss, nid),
                    bool(ev.nondifferentiable),
                )

        return update

    def gradient_title(self, nid: str, loss: str) -> str:
        return gradient_title(self.doc.network, nid, loss)
