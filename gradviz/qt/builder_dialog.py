"""File → New Network…: build a layered network from a few fields.

The dialog fills a :class:`~gradviz.model.builder.NetworkSpec`: the input size
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
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from gradviz.model.builder import NetworkSpec, build_network
from gradviz.model.document import Document
from gradviz.model.network import Network
from gradviz.qt.builder_layers import (
    FieldError,
    LayerRows,
    count,
    numbers,
    parse_sizes,
    preview_text,
)

if TYPE_CHECKING:
    from gradviz.qt.main_window import MainWindow

INITS = (
    ("small integers (−3 … 3)", "ints"),
    ("Gaussian N(0, 1/n)", "gaussian"),
    ("zeros", "zeros"),
    ("exercise (simple fractions)", "exercise"),
)
MAX_UNITS = 4096
MAX_HIDDEN = 12
#: Θ and ``J_f(Θ)`` (``n_L × |Θ|``) the dialog builds at most (a 784-300-100-10 MLP fits).
MAX_PARAMETERS = 300_000
MAX_JACOBIAN = 4_000_000
DEBOUNCE_MS = 150
INVALID_STYLE = "background-color: rgba(220, 50, 50, 55); border: 1px solid #d32f2f;"


class NewNetworkDialog(QDialog):
    """See the module docstring. :meth:`network` is the network OK accepts."""

    def __init__(self, parent: QWidget | None = None, settings: QSettings | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("New Network")
        self.settings = settings
        self._network: Network | None = None
        self._error: FieldError | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self.refresh)

        outer = QVBoxLayout(self)
        columns = QHBoxLayout()
        outer.addLayout(columns, 1)
        left = QVBoxLayout()
        right = QVBoxLayout()
        columns.addLayout(left, 3)
        columns.addLayout(right, 4)
        shape_box = QGroupBox("Shape", self)
        form = QFormLayout(shape_box)
        self.input_size = self._spin(shape_box, 2)
        self.input_values = QLineEdit(shape_box)
        self.input_values.setToolTip(
            "The input E, comma-separated (3/4 and −1 work); empty: 1, −1, 1, …"
        )
        row = QWidget(shape_box)
        row_layout = QHBoxLayout(row)
        row_layout.setContentsMargins(0, 0, 0, 0)
        row_layout.addWidget(self.input_size)
        row_layout.addWidget(QLabel("values E:", row))
        row_layout.addWidget(self.input_values, 1)
        form.addRow("Input size:", row)
        self.hidden = QLineEdit("3", shape_box)
        self.hidden.setPlaceholderText("none: the output reads E directly")
        self.hidden.setToolTip("Hidden layer sizes, comma-separated, e.g. 3, 4")
        form.addRow("Hidden layer sizes:", self.hidden)
        self.output_size = self._spin(shape_box, 2)
        form.addRow("Output size:", self.output_size)
        left.addWidget(shape_box)

        self.layers = LayerRows(self)
        self.layers.changed.connect(self._changed)
        left.addWidget(self.layers)

        head_box = QGroupBox("Output head and loss", self)
        head_grid = QGridLayout(head_box)
        self.softmax_radio = QRadioButton("softmax, loss −ln f[class], class", head_box)
        self.mse_radio = QRadioButton("identity, mean squared error to the target", head_box)
        self.head_group = QButtonGroup(self)
        for button in (self.softmax_radio, self.mse_radio):
            self.head_group.addButton(button)
        self.softmax_radio.setChecked(True)
        self.class_spin = QSpinBox(head_box)
        self.class_spin.setRange(1, 2)
        self.target = QLineEdit(head_box)
        self.target.setToolTip("The target vector t, comma-separated; empty: 1, 0, …, 0")
        head_grid.addWidget(self.softmax_radio, 0, 0)
        head_grid.addWidget(self.class_spin, 0, 1)
        head_grid.addWidget(self.mse_radio, 1, 0)
        head_grid.addWidget(self.target, 1, 1)
        left.addWidget(head_box)

        init_box = QGroupBox("Initial weights", self)
        init_row = QHBoxLayout(init_box)
        self.init = QComboBox(init_box)
        for text, key in INITS:
            self.init.addItem(text, key)
        self.seed = QSpinBox(init_box)
        self.seed.setRange(0, 2**31 - 1)
        self.exercise_button = QPushButton("New Exercise", init_box)
        self.exercise_button.setToolTip(
            "A fresh sheet-style exercise: small integers, every "
            "derivative a simple fraction (a new seed each click)"
        )
        self.exercise_button.clicked.connect(self.new_exercise)
        init_row.addWidget(self.init, 1)
        init_row.addWidget(QLabel("seed", init_box))
        init_row.addWidget(self.seed)
        init_row.addWidget(self.exercise_button)
        left.addWidget(init_box)
        left.addStretch(1)

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

        self._restore()
        for edit in (self.input_values, self.hidden, self.target):
            edit.textChanged.connect(self._changed)
        for spin in (self.input_size, self.output_size, self.class_spin, self.seed):
            spin.valueChanged.connect(self._changed)
        self.head_group.buttonToggled.connect(self._changed)
        self.init.currentIndexChanged.connect(self._changed)
        for spin in (self.input_size, self.output_size):
            spin.valueChanged.connect(self._sync_rows)
        self.hidden.textChanged.connect(self._sync_rows)
        self._sync_rows()
        self.refresh()

    def _spin(self, parent: QWidget, value: int) -> QSpinBox:
        spin = QSpinBox(parent)
        spin.setRange(1, MAX_UNITS)
        spin.setValue(value)
        return spin

    # -- the per-layer rows -----------------------------------------------------------
    def _hidden_sizes(self) -> tuple[int, ...]:
        return parse_sizes(self.hidden, MAX_UNITS, MAX_HIDDEN)

    def _sync_rows(self) -> None:
        try:
            hidden = self._hidden_sizes()
        except FieldError:
            return
        self.layers.set_sizes((self.input_size.value(), *hidden, self.output_size.value()))

    # -- reading the fields -------------------------------------------------------------
    def spec(self) -> NetworkSpec:
        """The spec the fields describe (``FieldError`` naming the field at fault)."""
        hidden = self._hidden_sizes()
        layers = (self.input_size.value(), *hidden, self.output_size.value())
        e = numbers(self.input_values, "input E")
        if e is not None and len(e) != layers[0]:
            raise FieldError(
                self.input_values, f"E has {count(len(e))} but the input size is {layers[0]}"
            )
        softmax = self.softmax_radio.isChecked()
        target: int | tuple[float, ...] | None
        if softmax:
            target = self.class_spin.value() - 1
        else:
            target = numbers(self.target, "target")
            if target is not None and len(target) != layers[-1]:
                raise FieldError(
                    self.target,
                    f"the target has {count(len(target))} but the output size is {layers[-1]}",
                )
        spec = NetworkSpec(
            layers=layers,
            input_values=e,
            activations=self.layers.activations(),
            bias=self.layers.biases(),
            head="softmax" if softmax else "mse",
            target=target,
            init=self.init.currentData(),
            seed=self.seed.value(),
        )
        try:
            spec.check()
        except ValueError as err:
            raise FieldError(self._culprit(str(err)), str(err)) from None
        n = sum(
            layers[k] * (layers[k - 1] + bias)
            for k, bias in enumerate(spec.layer_biases(), start=1)
        )
        if n > MAX_PARAMETERS or n * layers[-1] > MAX_JACOBIAN:
            raise FieldError(
                self.hidden,
                f"{n:,} parameters are more than the app shows at "
                f"once (at most {MAX_PARAMETERS:,}, and {MAX_JACOBIAN:,} entries "
                "in J_f(Θ)); use smaller layers",
            )
        return spec

    def _culprit(self, message: str) -> QWidget:
        """The field a spec or build error points at."""
        m = message.lower()
        if "softmax head needs" in m or "softmax over" in m or "mse over" in m:
            return self.output_size
        if "target" in m or "class" in m:
            return self.class_spin if self.softmax_radio.isChecked() else self.target
        if "input" in m:
            return self.input_values
        if "exercise" in m or "irrational" in m:
            return self.init
        return self.hidden

    # -- building ---------------------------------------------------------------------
    def _changed(self) -> None:
        self._sync_fields()
        self._timer.start()

    def _sync_fields(self) -> None:
        """Enable what the head and init use; placeholders show the defaults."""
        self.class_spin.setMaximum(max(2, self.output_size.value()))
        self.class_spin.setEnabled(self.softmax_radio.isChecked())
        self.target.setEnabled(self.mse_radio.isChecked())
        self.target.setPlaceholderText(
            ", ".join(["1"] + ["0"] * (self.output_size.value() - 1))[:60]
        )
        self.input_values.setPlaceholderText(
            ", ".join("1" if i % 2 == 0 else "−1" for i in range(min(self.input_size.value(), 12)))
        )
        self.seed.setEnabled(self.init.currentData() != "zeros")

    def refresh(self) -> Network | None:
        """Build the network now: the preview, the red field, OK follow."""
        self._timer.stop()
        self._sync_fields()
        self._network, self._error = None, None
        try:
            spec = self.spec()
            try:
                self._network = build_network(spec)
            except ValueError as err:
                raise FieldError(self._culprit(str(err)), str(err)) from None
        except FieldError as err:
            self._error = err
        self._show_state()
        return self._network

    def _show_state(self) -> None:
        fields: list[QWidget] = [
            self.input_values,
            self.hidden,
            self.output_size,
            self.class_spin,
            self.target,
            self.init,
            self.input_size,
        ]
        for w in fields:
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
            preview_text(self._network, self.init.currentData() == "exercise")
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
        self.init.setCurrentIndex(self.init.findData("exercise"))
        seed = self.seed.value()
        while seed == self.seed.value():
            seed = random.randrange(1, 1_000_000)
        self.seed.setValue(seed)
        self.refresh()

    # -- finishing ----------------------------------------------------------------------
    def accept(self) -> None:
        if self.network() is None:
            return
        self._remember()
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

    # -- remembering the last choices -----------------------------------------------------
    def _restore(self) -> None:
        s = self.settings
        if s is None:
            return
        self.input_size.setValue(int(s.value("newNetwork/inputSize", 2)))  # type: ignore[call-overload]
        self.hidden.setText(str(s.value("newNetwork/hidden", "3")))
        self.output_size.setValue(int(s.value("newNetwork/outputSize", 2)))  # type: ignore[call-overload]
        (self.mse_radio if s.value("newNetwork/head") == "mse" else self.softmax_radio).setChecked(
            True
        )
        self.init.setCurrentIndex(max(0, self.init.findData(s.value("newNetwork/init", "ints"))))

    def _remember(self) -> None:
        s = self.settings
        if s is None:
            return
        s.setValue("newNetwork/inputSize", self.input_size.value())
        s.setValue("newNetwork/hidden", self.hidden.text())
        s.setValue("newNetwork/outputSize", self.output_size.value())
        s.setValue("newNetwork/head", "softmax" if self.softmax_radio.isChecked() else "mse")
        s.setValue("newNetwork/init", self.init.currentData())


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
