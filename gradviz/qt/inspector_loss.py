"""The loss settings the inspector offers on a loss node: which component ``−ln``
reads (:class:`LossIndexSelector`, 1-based as on the sheet) and the target of an
mse loss (:class:`TargetEditor`). Every change is one undoable
:class:`~gradviz.qt.undo.SetAttrCommand`.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QSpinBox, QVBoxLayout, QWidget

from gradviz.engine.exact import format_vector
from gradviz.engine.numbers import NumberError, parse_number
from gradviz.engine.ops import Array
from gradviz.model.document import Document
from gradviz.model.fileformat import ModelError
from gradviz.qt.theme import DisplayOptions
from gradviz.qt.undo import SetAttrCommand


class LossIndexSelector(QWidget):
    """``The loss reads f[k]``: which component ``−ln`` reads, 1-based as on the
    sheet. A change is one :class:`~gradviz.qt.undo.SetAttrCommand`."""

    def __init__(
        self, doc: Document, undo_stack: QUndoStack, node_id: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.doc, self._undo, self.node_id = doc, undo_stack, node_id
        self.source = doc.network.node(node_id).inputs[0]
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 4, 0, 4)
        row.addWidget(QLabel(f"The loss reads {self.source}[", self))
        self.spin = QSpinBox(self)
        self.spin.setRange(1, int(doc.evaluation.values[self.source].size))
        self.spin.setToolTip(
            f"Which component of {self.source} the loss −ln reads (1-based, "
            "as on the sheet: the class of the training example)"
        )
        row.addWidget(self.spin)
        row.addWidget(QLabel("]  (the true class)", self))
        row.addStretch(1)
        self.refresh()
        self.spin.valueChanged.connect(self._changed)

    def refresh(self) -> None:
        self.spin.blockSignals(True)
        self.spin.setValue(int(self.doc.network.node(self.node_id).attrs.get("index", 0)) + 1)
        self.spin.blockSignals(False)

    def _changed(self, k: int) -> None:
        if self.doc.network.node(self.node_id).attrs.get("index") == k - 1:
            return
        self._undo.push(
            SetAttrCommand(self.doc, self.node_id, "index", k - 1, f"Loss reads {self.source}[{k}]")
        )


class TargetEditor(QWidget):
    """``Target t = 0, 1``: the target of an mse loss, typed as numbers separated by
    commas (``3/4`` and ``1e-2`` work); Enter applies it as one undoable command."""

    def __init__(
        self,
        doc: Document,
        undo_stack: QUndoStack,
        node_id: str,
        options: DisplayOptions,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.doc, self._undo, self.node_id = doc, undo_stack, node_id
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 4)
        row_host = QWidget(self)
        row = QHBoxLayout(row_host)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(QLabel("Target t =", row_host))
        self.edit = QLineEdit(row_host)
        self.edit.setToolTip(
            "The target's entries, separated by commas (3/4 and 1e-2 work); Enter applies"
        )
        row.addWidget(self.edit, 1)
        layout.addWidget(row_host)
        self.error = QLabel(self)
        self.error.setStyleSheet(f"color: {options.palette.gradient};")
        self.error.hide()
        layout.addWidget(self.error)
        self.refresh()
        self.edit.editingFinished.connect(self.apply)

    def _target(self) -> Array:
        return np.asarray(self.doc.network.node(self.node_id).attrs["target"], dtype=np.float64)

    def refresh(self) -> None:
        if not self.edit.hasFocus():
            self.edit.setText(format_vector(self._target().ravel())[1:-1])

    def apply(self) -> bool:
        """Parse and push the typed target; False (red field, reason shown) if refused."""
        old = self._target()
        parts = [p for p in self.edit.text().strip().strip("()[]").split(",") if p.strip()]
        try:
            numbers = [parse_number(p.strip()) for p in parts]
            if len(numbers) != old.size:
                raise NumberError(f"the target needs {old.size} numbers, got {len(numbers)}")
            new = np.asarray(numbers, dtype=np.float64).reshape(old.shape)
            if not np.array_equal(new, old):
                self._undo.push(
                    SetAttrCommand(
                        self.doc,
                        self.node_id,
                        "target",
                        new,
                        f"Set target t = {format_vector(new.ravel(), unicode_minus=True)}",
                    )
                )
        except (NumberError, ModelError) as e:
            self.edit.setStyleSheet("background: #fde7e7;")
            self.error.setText(str(e))
            self.error.show()
            return False
        self.edit.setStyleSheet("")
        self.error.hide()
        return True
