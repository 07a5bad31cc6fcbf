"""Pieces the inspector is made of: a titled matrix with its finite-difference
estimate beside it, the numeric Jacobians that estimate comes from, and the
loss settings (the component ``−ln`` reads, an mse target).

The finite differences are central differences
(:func:`gradviz.engine.check.numeric_jacobian`), so a teacher can see that the
analytic matrix is not magic: ``(y(x + h e_j) − y(x − h e_j)) / 2h`` gives the
same column ``j`` to about 1e-10.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QResizeEvent, QUndoStack
from PySide6.QtWidgets import (
    QBoxLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from gradviz.engine.check import ATOL, RTOL, numeric_jacobian
from gradviz.engine.evaluate import Evaluation, Program, ProgramNode, forward
from gradviz.engine.exact import format_vector
from gradviz.engine.numbers import NumberError, parse_number
from gradviz.engine.ops import OPS, Array
from gradviz.model.document import Document
from gradviz.model.fileformat import ModelError
from gradviz.model.network import Network
from gradviz.qt.matrix_widget import MatrixWidget
from gradviz.qt.theme import DisplayOptions
from gradviz.qt.undo import SetAttrCommand

if TYPE_CHECKING:
    import networkx as nx  # imported where used: networkx stays off the start-up path

#: Pixels between the analytic matrix and its finite-difference estimate.
SPACING = 18


def numeric_local_jacobian(ev: Evaluation, node_id: str, position: int) -> Array:
    """Central differences of ``node`` as a function of its input ``position``
    (the other inputs held fixed): ``(node.size, input.size)``."""
    program = ev.program
    node = program.nodes[program.index_of(node_id)]
    xs = [ev.values[program.nodes[j].id] for j in node.inputs]

    def fn(x: Array) -> Array:
        args = list(xs)
        args[position] = x
        return node.op.forward(args, node.attrs)

    return numeric_jacobian(fn, xs[position])


def numeric_downstream_jacobian(ev: Evaluation, of: str, wrt: str) -> Array:
    """Central differences of node ``of`` as a function of node ``wrt``'s value,
    everything else held fixed: ``(of.size, wrt.size)``. ``wrt`` is replaced by a
    constant and the program re-run forward from there."""
    program = ev.program
    i, t = program.index_of(wrt), program.index_of(of)
    base = list(program.nodes)

    def fn(x: Array) -> Array:
        nodes = list(base)
        nodes[i] = ProgramNode(wrt, OPS["input"], (), {"value": x})
        return forward(Program(tuple(nodes), program.output, program.loss))[t]

    return numeric_jacobian(fn, ev.values[wrt])


def agreement(analytic: Array, numeric: Array) -> tuple[float, bool]:
    """``max |analytic − numeric|`` and whether every entry is within
    ``ATOL + RTOL·|numeric|`` (the tolerance of ``gradviz check``)."""
    a = np.asarray(analytic, dtype=np.float64).reshape(np.shape(numeric))
    with np.errstate(invalid="ignore"):
        err = np.abs(a - numeric)
    if err.size == 0:
        return 0.0, True
    return float(np.max(err)), bool(np.all(err <= ATOL + RTOL * np.abs(numeric)))


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
        self.analytic = MatrixWidget(options=options, vector_as=vector_as, parent=body_host)
        self._fd_box = QWidget(body_host)
        fd_layout = QVBoxLayout(self._fd_box)
        fd_layout.setContentsMargins(0, 0, 0, 0)
        fd_layout.setSpacing(2)
        self.fd_caption = QLabel("central differences", self._fd_box)
        fd_layout.addWidget(self.fd_caption)
        self.numeric: MatrixWidget | None = None
        if with_fd:
            self.numeric = MatrixWidget(
                options=options, vector_as=vector_as, decimals_only=True, parent=self._fd_box
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
        outer.addWidget(self.note)
        self._fd_visible = with_fd
        self._has_numeric = False
        self._labels: tuple[Sequence[str] | None, Sequence[str] | None] = (None, None)
        self._fd_box.setVisible(False)
        self._style_captions()

    def _style_captions(self) -> None:
        dim = self._options.palette.dim_text
        self.fd_caption.setStyleSheet(f"color: {dim}; font-size: 8.5pt;")
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
        self.analytic.set_matrix(matrix, row_labels=row_labels, col_labels=col_labels)
        self.analytic.set_marked(marked or {})
        self._labels = (row_labels, col_labels)
        if numeric is not None:  # else the estimate follows a moment later
            self.set_numeric(numeric, kink=kink)
        self.note.setText(note)
        self.note.setVisible(bool(note))
        self._choose_direction()

    def set_numeric(self, numeric: Array, *, kink: bool = False) -> None:
        """Show the finite-difference estimate of the matrix now shown and how far
        the two are apart."""
        if self.numeric is None:
            return
        source = self.analytic.source
        row_labels, col_labels = self._labels
        shown = np.asarray(numeric, dtype=np.float64).reshape(source.shape)
        self.numeric.set_matrix(shown, row_labels=row_labels, col_labels=col_labels)
        err, ok = agreement(source, shown)
        palette = self._options.palette
        if ok:
            text, color = f"max |Δ| = {err:.1e}  ✓", "#2e7d32"
        elif kink:
            text, color = (
                f"max |difference| = {err:.2g}: at a kink the two sides "
                "disagree, so differences cannot confirm it",
                palette.warning,
            )
        else:
            text, color = f"max |Δ| = {err:.2g}  ✗ they disagree", palette.gradient
        self.diff_label.setText(text)
        style = f"font-size: 8.5pt; color: {color};"
        if self.diff_label.styleSheet() != style:  # re-polishing costs; only on change
            self.diff_label.setStyleSheet(style)
        self._has_numeric = True
        self._fd_box.setVisible(self._fd_visible)
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
        self._fd_box.setVisible(self._fd_visible and self._has_numeric)
        self._choose_direction()

    def set_options(self, options: DisplayOptions) -> None:
        self._options = options
        self.analytic.set_options(options)
        if self.numeric is not None:
            self.numeric.set_options(options)
        self._style_captions()


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


def kink_cells(
    ev: Evaluation, nid: str, options: DisplayOptions
) -> tuple[dict[tuple[int, int], str], str]:
    """Cells of ``∂nid/∂input`` taken at a ReLU kink (input exactly 0) with their
    notes, and one rich-text note about them all ("" when there is none)."""
    cells: dict[tuple[int, int], str] = {}
    notes = []
    for kid, idx in ev.nondifferentiable:
        if kid != nid:
            continue
        src = ev.inputs_of(nid)[0]
        shape = ev.values[src].shape
        k = int(np.ravel_multi_index(idx, shape)) if shape else 0
        where = f"{src}[{','.join(str(i + 1) for i in idx)}]"
        cells[(k, k)] = (
            f"{where} = 0: {nid} is not differentiable there; gradviz takes "
            "the derivative as 0 (as PyTorch and JAX do)."
        )
        notes.append(where)
    if not notes:
        return cells, ""
    return cells, (
        f"<span style='color:{options.palette.warning}'>⚠ {', '.join(notes)} = 0: "
        "not differentiable there (a ReLU kink); the marked entr"
        + ("y is" if len(notes) == 1 else "ies are")
        + " taken as 0.</span>"
    )


def downstream_kink_note(
    ev: Evaluation, graph: nx.DiGraph, nid: str, options: DisplayOptions
) -> str:
    """A note when a derivative w.r.t. ``nid`` passes a ReLU kink further on."""
    import networkx as nx

    after = nx.descendants(graph, nid) if nid in graph else set()
    kinks = sorted({k for k, _ in ev.nondifferentiable if k in after})
    if not kinks:
        return ""
    return (
        f"<span style='color:{options.palette.warning}'>⚠ The path passes a ReLU kink "
        f"at {', '.join(kinks)}: its derivative there is taken as 0.</span>"
    )


def local_between(net: Network, ev: Evaluation, of: str, wrt: str) -> Array:
    """``∂of/∂wrt`` along one edge (summed when ``wrt`` feeds ``of`` more than once)."""
    node = net.node(of)
    mats = [ev.local_jacobian(of, pos) for pos, s in enumerate(node.inputs) if s == wrt]
    return np.asarray(sum(mats[1:], mats[0]), dtype=np.float64)
