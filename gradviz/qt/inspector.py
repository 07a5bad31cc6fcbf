"""The inspector dock: everything about the selected node, in the sheet's notation.

For a node ``g`` with inputs ``x_1 … x_k`` it shows

* its formula (``g = R(z)``, ``l = −ln f[1]`` with the sheet's 1-based index);
* the values of its inputs and its own value;
* its local Jacobians ``∂g/∂x_i`` (``(g.size, x_i.size)``), zeros dimmed, entries
  taken at a ReLU kink marked with a note;
* ``∂f/∂g`` (``(m, g.size)``), the Jacobian of the network output w.r.t. it — for a
  parameter these are its columns of ``J_fE(Θ)``, headed ``∂f/∂p₁,₁`` …;
* ``∂l/∂g``, the gradient of the loss w.r.t. it (in ``g``'s shape);
* the chain rule ``J_{f∘g}(X) = J_f(g(X)) × J_g(X)`` with the actual local
  Jacobians along the path from ``g`` to ``f`` and their product.

Every analytic Jacobian has its central-difference estimate beside it. The loss
node also gets a selector for the component ``−ln`` reads (an undoable
:class:`~gradviz.qt.undo.SetAttrCommand`), an mse loss a field for its target.
The widgets are built once per selected node and refreshed in place after every
edit, so scrubbing a weight updates the inspector live.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import (
    QCheckBox,
    QFrame,
    QLabel,
    QLineEdit,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from gradviz.engine.evaluate import Evaluation
from gradviz.model.document import Change, Document
from gradviz.model.network import Network
from gradviz.qt.inspector_blocks import (
    LossIndexSelector,
    MatrixBlock,
    TargetEditor,
    downstream_kink_note,
    kink_cells,
    local_between,
    numeric_downstream_jacobian,
    numeric_local_jacobian,
)
from gradviz.qt.sheet_notation import (
    KINDS,
    entry_labels,
    formula_text,
    forward_line,
    function_symbol,
    gradient_title,
    local_title,
)
from gradviz.qt.theme import DisplayOptions

if TYPE_CHECKING:
    import networkx as nx  # imported where used: networkx stays off the start-up path

#: Finite differences are recomputed this long after the last edit.
FD_DELAY_MS = 120

#: Refreshes one part from an evaluation; ``fd``: also recompute finite differences.
Updater = Callable[[Evaluation, bool], None]


def _sub(text: str) -> str:
    return f"<sub>{text}</sub>"


class Inspector(QScrollArea):
    """The dock's widget. ``set_node(id | None)`` selects what it shows; it follows
    the document's changes by itself."""

    fdVisibilityChanged = Signal(bool)
    #: An entry of ∂f/∂P (a weight's columns of J_fE(Θ)) was clicked: (row, column of Θ).
    jacobianEntryClicked = Signal(int, int)

    def __init__(
        self,
        doc: Document,
        undo_stack: QUndoStack,
        options: DisplayOptions | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setMinimumWidth(360)
        self._options = options or DisplayOptions()
        self._undo = undo_stack
        self._node_id: str | None = None
        self._show_fd = True
        self.blocks: dict[str, MatrixBlock] = {}
        self._updaters: list[Updater] = []
        self.formula_label: QLabel | None = None
        self.index_spin: QSpinBox | None = None
        self.target_edit: QLineEdit | None = None
        self.index_selector: LossIndexSelector | None = None
        self.target_editor: TargetEditor | None = None
        self.fd_check: QCheckBox | None = None
        self.doc = doc
        self._fd_timer = QTimer(self)
        self._fd_timer.setSingleShot(True)
        self._fd_timer.setInterval(FD_DELAY_MS)
        self._fd_timer.timeout.connect(self._refresh)
        self._unsubscribe = doc.subscribe(self._on_change)
        self._rebuild()

    # -- public ----------------------------------------------------------------
    @property
    def node_id(self) -> str | None:
        return self._node_id

    def set_document(self, doc: Document, undo_stack: QUndoStack | None = None) -> None:
        """Follow another document (File ▸ Open); the selection is cleared."""
        self._unsubscribe()
        self.doc = doc
        if undo_stack is not None:
            self._undo = undo_stack
        self._unsubscribe = doc.subscribe(self._on_change)
        self._node_id = None
        self._rebuild()

    def set_node(self, node_id: str | None) -> None:
        """Show ``node_id`` (``None`` or ``""``: nothing selected)."""
        node_id = node_id or None
        if node_id is not None and not self.doc.network.has_node(node_id):
            node_id = None
        if node_id == self._node_id:
            return
        self._node_id = node_id
        self._rebuild()

    def set_options(self, options: DisplayOptions) -> None:
        """Number format and theme; a new theme rebuilds (headings carry its colours)."""
        theme_changed = options.theme != self._options.theme
        self._options = options
        if theme_changed:
            self._rebuild()
            return
        for block in self.blocks.values():
            block.set_options(options)
        self._refresh(fd=False)

    def set_fd_visible(self, visible: bool) -> None:
        """Show or hide the finite-difference estimates beside every Jacobian."""
        if visible == self._show_fd:
            return
        self._show_fd = visible
        if self.fd_check is not None:
            self.fd_check.blockSignals(True)
            self.fd_check.setChecked(visible)
            self.fd_check.blockSignals(False)
        self.fdVisibilityChanged.emit(visible)
        if visible:
            self._refresh()
        for block in self.blocks.values():
            block.set_fd_visible(visible)

    def detach(self) -> None:
        self._unsubscribe()

    # -- document changes ------------------------------------------------------
    def _on_change(self, change: Change) -> None:
        if change.kind == "positions":
            return
        if change.kind in ("structure", "display"):
            if self._node_id is not None and not self.doc.network.has_node(self._node_id):
                self._node_id = None
            self._rebuild()
            return
        self._refresh(fd=False)

    def _refresh(self, fd: bool = True) -> None:
        """Every part from the current evaluation. Without ``fd`` the finite
        differences follow a moment later (scrubbing stays smooth)."""
        ev = self.doc.evaluation
        for update in self._updaters:
            update(ev, fd)
        if fd:
            self._fd_timer.stop()
        elif self._show_fd:
            self._fd_timer.start()

    # -- building --------------------------------------------------------------
    def _rebuild(self) -> None:
        scroll = self.verticalScrollBar().value()
        self.blocks, self._updaters = {}, []
        self.formula_label = self.index_spin = self.target_edit = self.fd_check = None
        self.index_selector = self.target_editor = None
        content = QWidget()
        layout = QVBoxLayout(content)
        layout.setContentsMargins(12, 10, 12, 12)
        layout.setSpacing(4)
        if self._node_id is None:
            self._build_empty(layout)
        else:
            self._build_node(layout, self._node_id)
        layout.addStretch(1)
        self.setWidget(content)
        self._refresh()
        self.verticalScrollBar().setValue(scroll)

    def _label(
        self,
        layout: QVBoxLayout,
        html: str,
        *,
        size: float | None = None,
        bold: bool = False,
        dim: bool = False,
    ) -> QLabel:
        label = QLabel(html, layout.parentWidget())
        label.setTextFormat(Qt.TextFormat.RichText)
        label.setWordWrap(True)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        style = []
        if size:
            style.append(f"font-size: {size}pt;")
        if bold:
            style.append("font-weight: 600;")
        if dim:
            style.append(f"color: {self._options.palette.dim_text};")
        label.setStyleSheet(" ".join(style))
        layout.addWidget(label)
        return label

    def _section(self, layout: QVBoxLayout, title: str) -> None:
        layout.addSpacing(8)
        line = QFrame(layout.parentWidget())
        line.setFrameShape(QFrame.Shape.HLine)
        line.setStyleSheet(f"color: {self._options.palette.grid};")
        layout.addWidget(line)
        label = self._label(layout, title, size=10.5, bold=True)
        label.setStyleSheet(label.styleSheet() + f" color: {self._options.palette.value};")

    def _block(
        self,
        layout: QVBoxLayout,
        key: str,
        title: str,
        update: Updater,
        *,
        vector_as: str = "column",
        with_fd: bool = True,
    ) -> MatrixBlock:
        block = MatrixBlock(
            title,
            options=self._options,
            vector_as=vector_as,
            with_fd=with_fd,
            inline=not with_fd,
            parent=layout.parentWidget(),
        )
        block.set_fd_visible(self._show_fd and with_fd)
        layout.addWidget(block)
        self.blocks[key] = block
        self._updaters.append(update)
        return block

    def _build_empty(self, layout: QVBoxLayout) -> None:
        net = self.doc.network
        self._label(layout, net.title or self.doc.title, size=13, bold=True)
        desc = net.extra.get("description")
        if isinstance(desc, str) and desc:
            self._label(layout, desc)
        layout.addSpacing(6)
        self._label(
            layout,
            "Click a node on the canvas to see its formula, its values, its "
            "local Jacobian, ∂f and ∂l with respect to it, and the chain rule along "
            "its path to the output.",
            dim=True,
        )
        self._section(layout, "Forward pass")
        summary = self._label(layout, "", size=11)
        summary.setTextFormat(Qt.TextFormat.PlainText)

        def update(ev: Evaluation, fd: bool = True) -> None:
            summary.setText(
                "\n".join(
                    forward_line(self.doc.network, ev, nid, self._options)
                    for nid in self.doc.network.topological_order()
                )
            )

        self._updaters.append(update)

    def _build_node(self, layout: QVBoxLayout, nid: str) -> None:
        net = self.doc.network
        node = net.node(nid)
        graph = self._graph = net.graph  # the structure, rebuilt with the widgets
        roles = [
            r for r, v in (("the network output", net.output), ("the loss", net.loss)) if v == nid
        ]
        head = f"{nid}" + (
            f"  <span style='font-weight:400'>({node.label})</span>"
            if node.label and node.label != nid
            else ""
        )
        self._label(layout, head, size=14, bold=True)
        kind = KINDS.get(node.op, node.op) + ("; " + " and ".join(roles) if roles else "")
        self._label(layout, kind, dim=True)
        if node.value is not None:  # a leaf: where it lives, "P ∈ ℝ^{3×2}"
            dims = "×".join(str(d) for d in node.value.shape)
            self.formula_label = self._label(
                layout, f"{nid} ∈ ℝ<sup>{dims}</sup>" if dims else f"{nid} ∈ ℝ", size=15
            )
        else:
            self.formula_label = self._label(layout, formula_text(net, nid), size=15)
            self.formula_label.setTextFormat(Qt.TextFormat.PlainText)
        self.fd_check = QCheckBox(
            "Show finite differences beside each Jacobian", layout.parentWidget()
        )
        self.fd_check.setChecked(self._show_fd)
        self.fd_check.toggled.connect(self.set_fd_visible)
        layout.addWidget(self.fd_check)
        if node.op == "neg_log":
            self.index_selector = LossIndexSelector(
                self.doc, self._undo, nid, layout.parentWidget()
            )
            layout.addWidget(self.index_selector)
            self.index_spin = self.index_selector.spin
            self._updaters.append(self._index_updater(nid))
        elif node.op == "mse":
            self.target_editor = TargetEditor(
                self.doc, self._undo, nid, self._options, layout.parentWidget()
            )
            layout.addWidget(self.target_editor)
            self.target_edit = self.target_editor.edit
            self._updaters.append(
                lambda ev, fd: (
                    self.target_editor.refresh() if self.target_editor is not None else None
                )
            )

        self._section(layout, "Values")
        for pos, src in enumerate(node.inputs):
            self._block(
                layout,
                f"input:{pos}",
                f"{src} =",
                self._value_updater(f"input:{pos}", src),
                with_fd=False,
            )
        title = f"{formula_text(net, nid)} =" if node.inputs else f"{nid} ="
        self._block(layout, "value", title, self._value_updater("value", nid), with_fd=False)

        if node.inputs:
            self._section(layout, "Local Jacobian" + ("s" if len(node.inputs) > 1 else ""))
            for pos in range(len(node.inputs)):
                self._block(
                    layout,
                    f"local:{pos}",
                    local_title(net, nid, pos),
                    self._local_updater(nid, pos),
                )

        import networkx as nx

        output, loss = net.output, net.loss
        upstream = output is not None and output != nid and nx.has_path(graph, nid, output)
        if upstream and output is not None:
            self._build_output_sections(layout, net, graph, nid, output)
        if loss is not None and loss != nid and nx.has_path(graph, nid, loss):
            self._section(layout, f"Gradient of the loss: ∂{loss}/∂{nid}")
            self._block(
                layout,
                "gradient",
                gradient_title(net, self.doc.evaluation, nid, loss),
                self._gradient_updater(nid, loss),
                vector_as="row",
            )
        if output == nid:
            self._section(layout, "The network output")
            self._label(
                layout,
                f"{nid} is f itself: ∂{nid}/∂{nid} = I. Select a node before "
                "it to see the chain rule at work.",
                dim=True,
            )

    # -- updaters --------------------------------------------------------------
    def _index_updater(self, nid: str) -> Updater:
        def update(ev: Evaluation, fd: bool = True) -> None:
            if self.index_selector is not None:
                self.index_selector.refresh()
            if self.formula_label is not None:
                self.formula_label.setText(formula_text(self.doc.network, nid))

        return update

    def _value_updater(self, key: str, nid: str) -> Updater:
        def update(ev: Evaluation, fd: bool = True) -> None:
            self.blocks[key].set_data(ev.values[nid])

        return update

    def _local_updater(self, nid: str, pos: int) -> Updater:
        def update(ev: Evaluation, fd: bool = True) -> None:
            net = self.doc.network
            node = net.node(nid)
            src = node.inputs[pos]
            jac = ev.local_jacobian(nid, pos)
            cells, note = kink_cells(ev, nid, self._options) if pos == 0 else ({}, "")
            num = numeric_local_jacobian(ev, nid, pos) if fd and self._show_fd else None
            self.blocks[f"local:{pos}"].set_data(
                jac,
                row_labels=entry_labels(nid, ev.values[nid].shape),
                col_labels=entry_labels(
                    src, ev.values[src].shape, param=net.node(src).op == "param"
                ),
                numeric=num,
                marked=cells,
                note=note,
                kink=bool(cells),
            )

        return update

    def _gradient_updater(self, nid: str, loss: str) -> Updater:
        def update(ev: Evaluation, fd: bool = True) -> None:
            grad = ev.node_gradients.get(nid)
            if grad is None:
                return
            param = self.doc.network.node(nid).op == "param"
            labels = [
                f"∂{loss}/∂{x}" if param else x for x in entry_labels(nid, grad.shape, param=param)
            ]
            num = numeric_downstream_jacobian(ev, loss, nid) if fd and self._show_fd else None
            note = downstream_kink_note(ev, self._graph, nid, self._options)
            self.blocks["gradient"].set_data(
                grad,
                col_labels=None if grad.ndim == 2 else labels,
                numeric=num,
                note=note,
                kink=bool(ev.nondifferentiable),
            )

        return update

    # -- ∂f/∂node and the chain rule -------------------------------------------
    def _build_output_sections(
        self, layout: QVBoxLayout, net: Network, graph: nx.DiGraph, nid: str, output: str
    ) -> None:
        param = net.node(nid).op == "param"
        if param:
            ev = self.doc.evaluation
            cols = [i for i, n in enumerate(ev.theta_names) if n == nid or n.startswith(f"{nid}[")]
            span = f"columns {cols[0] + 1}–{cols[-1] + 1} " if cols else ""
            self._section(layout, f"Its {span}of J{_sub(output + _sub('E'))}(Θ)")
            title = (
                f"∂{output}/∂{nid}: the sheet's ∂{output}/∂{nid.lower()}"
                f"{_sub('i,j')}, one column per entry"
            )
        else:
            self._section(layout, f"Jacobian of the output: ∂{output}/∂{nid}")
            values = self.doc.evaluation.values
            title = (
                f"∂{output}/∂{nid}, a {values[output].size} × {values[nid].size} matrix: "
                f"row i is ∇{_sub(nid)}{output}[i]"
            )
        block = self._block(layout, "output", title, self._output_updater(nid, output, param))
        if param and cols:  # an entry of ∂f/∂P is an entry of J_fE(Θ): the scalar view's paths
            block.analytic.cellClicked.connect(
                lambda r, c, first=cols[0]: self.jacobianEntryClicked.emit(r, first + c)
            )

        import networkx as nx

        paths = list(nx.all_simple_paths(graph, nid, output, cutoff=64))
        paths.sort(key=len)
        path = paths[0]
        self._section(layout, "Chain rule")
        self._label(
            layout,
            "J<sub>f∘g</sub>(X) = J<sub>f</sub>(g(X)) × J<sub>g</sub>(X), "
            "applied along " + " → ".join(path) + ":",
            size=10,
        )
        for k in range(len(path) - 1, 0, -1):
            of, wrt = path[k], path[k - 1]
            sym = function_symbol(net.node(of).op)
            title = ("" if k == len(path) - 1 else "× ") + f"∂{of}/∂{wrt}"
            if sym:
                title += f" = J{_sub(sym)}({wrt})"
            self._block(
                layout,
                f"chain:{len(path) - 1 - k}",
                title,
                self._factor_updater(len(path) - 1 - k, of, wrt),
                with_fd=False,
            )
        self._block(
            layout,
            "chain:product",
            f"= ∂{output}/∂{nid}, the product",
            self._product_updater(path),
            with_fd=False,
        )
        if len(paths) > 1:
            self._label(
                layout,
                f"{len(paths)} paths lead from {nid} to {output}; the chain "
                "rule adds one such product per path, and ∂f/∂" + nid + " above is their sum.",
                dim=True,
            )

    def _output_updater(self, nid: str, output: str, param: bool) -> Updater:
        def update(ev: Evaluation, fd: bool = True) -> None:
            jac = ev.output_jacobians[nid]
            rows = entry_labels(output, ev.values[output].shape)
            cols = entry_labels(nid, ev.values[nid].shape, param=param)
            if param:
                cols = [f"∂{output}/∂{c}" for c in cols]
            num = numeric_downstream_jacobian(ev, output, nid) if fd and self._show_fd else None
            self.blocks["output"].set_data(
                jac,
                row_labels=rows,
                col_labels=cols,
                numeric=num,
                note=downstream_kink_note(ev, self._graph, nid, self._options),
                kink=bool(ev.nondifferentiable),
            )

        return update

    def _factor_updater(self, k: int, of: str, wrt: str) -> Updater:
        def update(ev: Evaluation, fd: bool = True) -> None:
            net = self.doc.network
            jac = local_between(self.doc.network, ev, of, wrt)
            cells, note = kink_cells(ev, of, self._options)
            self.blocks[f"chain:{k}"].set_data(
                jac,
                row_labels=entry_labels(of, ev.values[of].shape),
                col_labels=entry_labels(
                    wrt, ev.values[wrt].shape, param=net.node(wrt).op == "param"
                ),
                marked=cells,
                note=note,
            )

        return update

    def _product_updater(self, path: list[str]) -> Updater:
        def update(ev: Evaluation, fd: bool = True) -> None:
            net = self.doc.network
            prod = np.eye(ev.values[path[0]].size)
            for k in range(1, len(path)):
                prod = local_between(self.doc.network, ev, path[k], path[k - 1]) @ prod
            nid, out = path[0], path[-1]
            self.blocks["chain:product"].set_data(
                prod,
                row_labels=entry_labels(out, ev.values[out].shape),
                col_labels=entry_labels(
                    nid, ev.values[nid].shape, param=net.node(nid).op == "param"
                ),
            )

        return update
