"""File → New Network…: build a layered network from a few fields.

The dialog fills a :class:`~gradviz.model.builder.NetworkSpec` from its fields
(:class:`~gradviz.qt.builder_form.NetworkForm`): the input size
``n_0`` and the input ``E`` (empty: ``(1, −1, 1, …)``), the hidden sizes
``n_1, …, n_{L−1}`` (``3, 4``), the output size ``n_L``, one activation and one
bias switch per weight layer ``h_k = act_k(W_k h_{k−1} + b_k)`` (``W_k`` of shape
``n_k × n_{k−1}``, named ``P, Q, U …`` as on the sheet), the head (softmax and
``−ln f[i]`` of a 1-based class, or the identity and ``mean((f − t)²)``) and the
initial weights (zeros, seeded Gaussian, small integers, or an exercise whose
every number is a simple fraction). The network is rebuilt a moment after every
change and shown in the preview (``E``, weights, ``f``, the loss and ``∇l(Θ)``);
a field that cannot be used turns red and one sentence says why, and OK stays
disabled. :func:`new_network` runs the dialog for a window and opens the result
as a new, untitled document.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from gradviz.model.document import Document
from gradviz.model.network import Network
from gradviz.qt.builder_form import NetworkForm
from gradviz.qt.builder_layers import FieldError, preview_text, select_key

if TYPE_CHECKING:
    from gradviz.qt.main_window import MainWindow

__all__ = ["INVALID_STYLE", "NewNetworkDialog", "new_network", "open_network"]

#: How long the fields rest before the network is rebuilt.
DEBOUNCE_MS = 150
INVALID_STYLE = "background-color: rgba(220, 50, 50, 55); border: 1px solid #d32f2f;"


class NewNetworkDialog(QDialog):
    """See the module docstring. :meth:`network` is the network OK accepts. The
    fields are ``form`` (a :class:`~gradviz.qt.builder_form.NetworkForm`:
    ``dialog.form.hidden``, ``dialog.form.init``, ``dialog.form.layers`` …)."""

    def __init__(self, parent: QWidget | None = None, settings: QSettings | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("New Network")
        self._network: Network | None = None
        self._error: FieldError | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self.refresh)

        outer = QVBoxLayout(self)
        columns = QHBoxLayout()
        outer.addLayout(columns, 1)
        self.form = form = NetworkForm(self, settings)
        columns.addWidget(form, 3)
        form.exercise_button.clicked.connect(self.new_exercise)
        form.changed.connect(self._timer.start)

        right = QVBoxLayout()
        columns.addLayout(right, 4)
        self.preview = QPlainTextEdit(self)
        self.preview.setReadOnly(True)
        mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        self.preview.setFont(QFont(mono))
        self.preview.setMinimumSize(420, 380)
        self.preview.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        right.addWidget(QLabel("What you get:", self))
        right.addWidget(self.preview, 1)
        self.error_label = QLabel(self)
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #d32f2f;")
        right.addWidget(self.error_label)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.solution_button = self.buttons.addButton(
            "Save Worked Solution…", QDialogButtonBox.ButtonRole.ActionRole
        )
        self.solution_button.clicked.connect(self.save_solution)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        outer.addWidget(self.buttons)
        self.refresh()

    # -- building ---------------------------------------------------------------------
    def refresh(self) -> Network | None:
        """Build the network now: the preview, the red field, OK follow."""
        self._timer.stop()
        self._network, self._error = None, None
        try:
            self._network = self.form.build()
        except FieldError as err:
            self._error = err
        self._show_state()
        return self._network

    def _show_state(self) -> None:
        for w in self.form.fields():
            w.setStyleSheet(INVALID_STYLE if self._error and w is self._error.widget else "")
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(self._network is not None)
        self.solution_button.setEnabled(self._network is not None)
        if self._error is not None:
            text = str(self._error)
            self.error_label.setText(
                text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")
            )
            self.preview.setPlainText("")
            return
        self.error_label.setText("")
        assert self._network is not None
        self.preview.setPlainText(
            preview_text(self._network, self.form.init.currentData() == "exercise")
        )

    def network(self) -> Network | None:
        """The network the fields describe (None while a field is invalid)."""
        if self._timer.isActive():
            self.refresh()
        return self._network

    def error(self) -> str | None:
        """The one sentence shown for the invalid field, or None."""
        return None if self._error is None else self.error_label.text()

    def new_exercise(self) -> None:
        """A fresh exercise: init ``exercise`` with a new random seed, built at once
        (the generator itself never leaves a parameter with ``∂l/∂W = 0``)."""
        select_key(self.form.init, "exercise")
        seed = self.form.seed.value()
        while seed == self.form.seed.value():
            seed = random.randrange(1, 1_000_000)
        self.form.seed.setValue(seed)
        self.refresh()

    # -- finishing ----------------------------------------------------------------------
    def accept(self) -> None:
        if self.network() is None:
            return
        self.form.remember()
        super().accept()

    def ask_solution_path(self) -> str | None:
        """Where to write the worked solution (.md or .tex); None when cancelled."""
        path, _ = QFileDialog.getSaveFileName(
            self,
            "Save the worked solution",
            str(Path.home() / "solution.md"),
            "Markdown (*.md);;LaTeX (*.tex)",
        )
        return path or None

    def save_solution(self) -> bool:
        """Write the worked solution of the previewed network (Markdown for .md, else
        LaTeX), as File → Export Worked Solution… does; a failure says why in red."""
        from gradviz.qt.export_files import failure_message, write_solution

        net = self.network()
        path = None if net is None else self.ask_solution_path()
        if net is None or path is None:
            return False
        target = Path(path) if Path(path).suffix else Path(path).with_suffix(".md")
        try:
            write_solution(net, target)
        except (OSError, ValueError) as e:
            self.error_label.setText(failure_message(target, e))
            return False
        self.error_label.setText("")
        self.preview.appendPlainText(f"\nWorked solution saved to {target}")
        return True


def open_network(window: MainWindow, net: Network) -> bool:
    """Show ``net`` in ``window`` as a new, untitled document (unsaved changes to the
    current one are asked about first), fitted to the view."""
    if not window.maybe_save():
        return False
    window.set_document(Document(net, None))
    window.view.fit()
    window.show_status(f"New network: {net.title}. Save asks where to keep it")
    return True


def new_network(window: MainWindow) -> bool:
    """File → New Network…: the dialog, then the network in ``window``."""
    dialog = NewNetworkDialog(window, window.settings)
    try:
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return False
        net = dialog.network()
    finally:
        dialog.deleteLater()
    return net is not None and open_network(window, net)
