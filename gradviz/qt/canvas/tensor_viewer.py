"""Every entry of a big input or parameter, in a scrollable table.

The canvas shows a 1000×1000 weight matrix as a preview (see
:mod:`~gradviz.qt.canvas.summary`); double-clicking the node beside the numbers
opens this viewer. It is a ``QTableView`` over :class:`TensorModel`, a
``QAbstractTableModel`` that formats an entry only when the view asks for it
(the few on screen), so a million entries cost nothing until scrolled to. Rows
and columns are numbered from 1, as in Θ's names (``W[3,4]``). With an undo
stack the entries are editable: a typed number (``3/4``, ``-1.5e-2``) becomes one
:class:`~gradviz.qt.undo.SetEntryCommand`, and the table follows every change of
the document (undo, steps, edits on the canvas).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import shiboken6
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QDialog, QHeaderView, QLabel, QTableView, QVBoxLayout, QWidget

from gradviz.engine.numbers import NumberError, parse_number
from gradviz.model.document import Change, Document
from gradviz.qt.canvas import style, summary
from gradviz.qt.canvas.entry_editor import editable_text
from gradviz.qt.theme import DisplayOptions
from gradviz.qt.undo import SetEntryCommand

AnyIndex = QModelIndex | QPersistentModelIndex
ROW_HEIGHT = 22
COLUMN_WIDTH = 84


class TensorModel(QAbstractTableModel):
    """The entries of node ``node_id`` of ``doc`` as a table: a matrix as itself, a
    vector as one column, a scalar as one cell, more dimensions as the first axis
    by the rest flattened. Numbers are formatted per ``options`` when asked for."""

    def __init__(
        self,
        doc: Document,
        node_id: str,
        options: DisplayOptions | None = None,
        undo_stack: QUndoStack | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.doc, self.node_id = doc, node_id
        self.options = options if options is not None else DisplayOptions()
        self.undo_stack = undo_stack
        self.error = ""  # why the last edit was refused ("" when it was not)
        #: The tensor's shape (the table follows it when the network changes).
        self.shape = self._current_shape()
        self._unsubscribe = doc.subscribe(self._on_change)

    # -- the tensor -----------------------------------------------------------------
    def _value(self) -> np.ndarray:
        value = self.doc.network.node(self.node_id).value
        return np.zeros(()) if value is None else np.asarray(value)

    def _current_shape(self) -> tuple[int, ...]:
        if not self.doc.network.has_node(self.node_id):
            return ()
        return tuple(self._value().shape)

    def tensor_index(self, row: int, column: int) -> tuple[int, ...]:
        """The index into the tensor of table cell (``row``, ``column``), 0-based."""
        return summary.tensor_index(self.shape, row, column)

    def detach(self) -> None:
        """Stop following the document."""
        self._unsubscribe()

    def _on_change(self, change: Change) -> None:
        if not shiboken6.isValid(self):
            self._unsubscribe()
            return
        if change.kind == "positions":
            return
        shape = self._current_shape()
        if shape != self.shape:
            self.beginResetModel()
            self.shape = shape
            self.endResetModel()
        elif self.rowCount() and self.columnCount():
            last = self.index(self.rowCount() - 1, self.columnCount() - 1)
            self.dataChanged.emit(self.index(0, 0), last)

    # -- QAbstractTableModel ----------------------------------------------------------------
    def rowCount(self, parent: AnyIndex | None = None) -> int:  # noqa: N802
        return self._size(parent)[0]

    def columnCount(self, parent: AnyIndex | None = None) -> int:  # noqa: N802
        return self._size(parent)[1]

    def _size(self, parent: AnyIndex | None) -> tuple[int, int]:
        if (parent is not None and parent.isValid()) or not self.doc.network.has_node(self.node_id):
            return 0, 0
        return summary.as_matrix_shape(self.shape)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        x = float(self._value()[self.tensor_index(index.row(), index.column())])
        if role == Qt.ItemDataRole.DisplayRole:
            return style.number(x, self.options)
        if role == Qt.ItemDataRole.EditRole:
            return editable_text(x)
        if role == Qt.ItemDataRole.ToolTipRole:
            name = style.entry_label(self.node_id, self.tensor_index(index.row(), index.column()))
            return f"{name} = {style.number(x, self.options)}"
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return str(section + 1)
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if self.undo_stack is not None and index.isValid():
            base |= Qt.ItemFlag.ItemIsEditable
        return base

    def setData(  # noqa: N802
        self, index: AnyIndex, value: Any, role: int = Qt.ItemDataRole.EditRole
    ) -> bool:
        """A typed number becomes one :class:`SetEntryCommand`; anything else is
        refused with the reason in :attr:`error`."""
        if role != Qt.ItemDataRole.EditRole or self.undo_stack is None or not index.isValid():
            return False
        where = self.tensor_index(index.row(), index.column())
        name = style.entry_label(self.node_id, where)
        try:
            new = parse_number(str(value))
        except NumberError as e:
            self.error = f"{name}: {e}"
            return False
        self.error = ""
        if new != self.doc.entry(self.node_id, where):
            self.undo_stack.push(SetEntryCommand(self.doc, self.node_id, where, new))
        return True


class TensorViewer(QDialog):
    """A window with every entry of one node (``model``'s): its facts on top, the
    table below. The viewer takes ``model`` over and deletes itself when closed."""

    def __init__(self, model: TensorModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        self.model = model
        model.setParent(self)
        node = model.doc.network.node(model.node_id)
        kind = "input" if node.op == "input" else "parameter"
        dims = "×".join(str(d) for d in model.shape) or "scalar"
        self.setWindowTitle(f"{node.display_label} — {dims} {kind}")
        layout = QVBoxLayout(self)
        self.facts = QLabel(self)
        self._show_facts()
        self.model.dataChanged.connect(self._show_facts)
        self.model.modelReset.connect(self._show_facts)
        hint = "Double-click an entry to change it." if model.undo_stack is not None else ""
        self.facts.setToolTip(hint)
        layout.addWidget(self.facts)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        for header, size in (
            (self.table.verticalHeader(), ROW_HEIGHT),
            (self.table.horizontalHeader(), COLUMN_WIDTH),
        ):  # fixed sizes: nothing is measured per row or column, a million rows stay cheap
            header.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
            header.setDefaultSectionSize(size)
        self.table.setWordWrap(False)
        layout.addWidget(self.table)
        self.resize(720, 480)
        self.finished.connect(lambda _: self.model.detach())

    def _show_facts(self) -> None:
        """``ℝ¹⁰⁰⁰ˣ¹⁰⁰⁰ · min … · max … · mean …`` of the tensor as it is now."""
        opts = self.model.options
        if not self.model.rowCount():
            self.facts.setText("This node is no longer in the network.")
            return
        self.facts.setText(summary.facts(self.model._value(), opts.exact, opts.digits))
