"""The fields of File → New Network…, and reading them as a
:class:`~gradviz.model.builder.NetworkSpec`.

:class:`NetworkForm` holds the input size ``n_0`` and the input ``E`` (empty:
``(1, −1, 1, …)``), the hidden sizes ``n_1, …, n_{L−1}`` (``3, 4``), the output
size ``n_L``, one activation and one bias switch per weight layer
``h_k = act_k(W_k h_{k−1} + b_k)`` (:class:`~gradviz.qt.builder_layers.LayerRows`),
the head (softmax and ``−ln f[i]`` of a 1-based class, or the identity and
``mean((f − t)²)``) and the initial weights. :meth:`NetworkForm.spec` reads them
and :meth:`NetworkForm.build` builds the network they describe, or either raises
:class:`~gradviz.qt.builder_layers.FieldError` naming the field at fault.
"""

from __future__ import annotations

from PySide6.QtCore import QSettings, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from gradviz.model.builder import NetworkSpec, build_network
from gradviz.model.network import Network
from gradviz.qt.builder_layers import (
    FieldError,
    LayerRows,
    choice_combo,
    parse_hidden_sizes,
    parse_numbers,
    select_key,
    values_phrase,
)

__all__ = ["INITS", "MAX_HIDDEN", "MAX_JACOBIAN", "MAX_PARAMETERS", "MAX_UNITS", "NetworkForm"]

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


class NetworkForm(QWidget):
    """See the module docstring. ``changed`` on every edit (the fields that depend on
    others follow first); choices are restored from and remembered in ``settings``
    (``newNetwork/…``) when one is given."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None, settings: QSettings | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self._shape_box())
        self.layers = LayerRows(self)
        column.addWidget(self.layers)
        column.addWidget(self._head_box())
        column.addWidget(self._init_box())
        column.addStretch(1)

        self._restore()
        self.changed.connect(self._follow_choices)
        for edit in (self.input_values, self.hidden, self.target):
            edit.textChanged.connect(self.changed)
        for spin in (self.input_size, self.output_size, self.class_spin, self.seed):
            spin.valueChanged.connect(self.changed)
        self.head_group.buttonToggled.connect(self.changed)
        self.init.currentIndexChanged.connect(self.changed)
        self.layers.changed.connect(self.changed)
        for spin in (self.input_size, self.output_size):
            spin.valueChanged.connect(self._sync_rows)
        self.hidden.textChanged.connect(self._sync_rows)
        self._sync_rows()
        self._follow_choices()

    # -- the boxes ----------------------------------------------------------------------
    def _shape_box(self) -> QGroupBox:
        box = QGroupBox("Shape", self)
        form = QFormLayout(box)
        self.input_size = self._size_spin(box, 2)
        self.input_values = QLineEdit(box)
        self.input_values.setToolTip(
            "The input E, comma-separated (3/4 and −1 work); empty: 1, −1, 1, …"
        )
        row = QWidget(box)
        row_layout = QHBoxLayout(row)
        row_layout.setContentsMargins(0, 0, 0, 0)
        row_layout.addWidget(self.input_size)
        row_layout.addWidget(QLabel("values E:", row))
        row_layout.addWidget(self.input_values, 1)
        form.addRow("Input size:", row)
        self.hidden = QLineEdit("3", box)
        self.hidden.setPlaceholderText("none: the output reads E directly")
        self.hidden.setToolTip("Hidden layer sizes, comma-separated, e.g. 3, 4")
        form.addRow("Hidden layer sizes:", self.hidden)
        self.output_size = self._size_spin(box, 2)
        form.addRow("Output size:", self.output_size)
        return box

    def _head_box(self) -> QGroupBox:
        box = QGroupBox("Output head and loss", self)
        grid = QGridLayout(box)
        self.softmax_radio = QRadioButton("softmax, loss −ln f[class], class", box)
        self.mse_radio = QRadioButton("identity, mean squared error to the target", box)
        self.head_group = QButtonGroup(self)
        for button in (self.softmax_radio, self.mse_radio):
            self.head_group.addButton(button)
        self.softmax_radio.setChecked(True)
        self.class_spin = QSpinBox(box)
        self.class_spin.setRange(1, 2)
        self.target = QLineEdit(box)
        self.target.setToolTip("The target vector t, comma-separated; empty: 1, 0, …, 0")
        grid.addWidget(self.softmax_radio, 0, 0)
        grid.addWidget(self.class_spin, 0, 1)
        grid.addWidget(self.mse_radio, 1, 0)
        grid.addWidget(self.target, 1, 1)
        return box

    def _init_box(self) -> QGroupBox:
        box = QGroupBox("Initial weights", self)
        row = QHBoxLayout(box)
        self.init = choice_combo(box, INITS, "ints")
        self.seed = QSpinBox(box)
        self.seed.setRange(0, 2**31 - 1)
        self.exercise_button = QPushButton("New Exercise", box)
        self.exercise_button.setToolTip(
            "A fresh sheet-style exercise: small integers, every "
            "derivative a simple fraction (a new seed each click)"
        )
        row.addWidget(self.init, 1)
        row.addWidget(QLabel("seed", box))
        row.addWidget(self.seed)
        row.addWidget(self.exercise_button)
        return box

    def _size_spin(self, parent: QWidget, value: int) -> QSpinBox:
        """A layer size field: 1 to :data:`MAX_UNITS`, showing ``value``."""
        spin = QSpinBox(parent)
        spin.setRange(1, MAX_UNITS)
        spin.setValue(value)
        return spin

    def fields(self) -> tuple[QWidget, ...]:
        """The fields a :class:`FieldError` can point at (they turn red)."""
        return (
            self.input_size,
            self.input_values,
            self.hidden,
            self.output_size,
            self.class_spin,
            self.target,
            self.init,
        )

    # -- keeping the fields consistent --------------------------------------------------
    def _layer_sizes(self) -> tuple[int, ...]:
        """``(n_0, n_1, …, n_L)`` (``FieldError`` when the hidden sizes do not parse)."""
        hidden = parse_hidden_sizes(self.hidden, MAX_UNITS, MAX_HIDDEN)
        return (self.input_size.value(), *hidden, self.output_size.value())

    def _sync_rows(self) -> None:
        try:
            sizes = self._layer_sizes()
        except FieldError:
            return  # the rows stay; the hidden field says why when the spec is read
        self.layers.set_sizes(sizes)

    def _follow_choices(self) -> None:
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

    # -- reading the fields -------------------------------------------------------------
    def spec(self) -> NetworkSpec:
        """The spec the fields describe (``FieldError`` naming the field at fault)."""
        layers = self._layer_sizes()
        e = parse_numbers(self.input_values, "input E")
        if e is not None and len(e) != layers[0]:
            raise FieldError(
                self.input_values,
                f"E has {values_phrase(len(e))} but the input size is {layers[0]}",
            )
        softmax = self.softmax_radio.isChecked()
        target: int | tuple[float, ...] | None
        if softmax:
            target = self.class_spin.value() - 1
        else:
            target = parse_numbers(self.target, "target")
            if target is not None and len(target) != layers[-1]:
                raise FieldError(
                    self.target,
                    f"the target has {values_phrase(len(target))} "
                    f"but the output size is {layers[-1]}",
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
            raise self._field_error(err) from None
        self._check_size(spec)
        return spec

    def build(self) -> Network:
        """The network the fields describe (``FieldError`` naming the field at fault)."""
        spec = self.spec()
        try:
            return build_network(spec)
        except ValueError as err:
            raise self._field_error(err) from None

    def _check_size(self, spec: NetworkSpec) -> None:
        """``FieldError`` when Θ or ``J_f(Θ)`` would pass :data:`MAX_PARAMETERS`
        or :data:`MAX_JACOBIAN` (``W_k`` has ``n_k (n_{k−1} + b_k)`` entries)."""
        layers = spec.layers
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

    def _field_error(self, err: ValueError) -> FieldError:
        """The spec or build error ``err`` as a :class:`FieldError` on its field."""
        return FieldError(self._culprit(str(err)), str(err))

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
        select_key(self.init, s.value("newNetwork/init", "ints"))

    def remember(self) -> None:
        """Keep the sizes, head and init for the next dialog (with ``settings``)."""
        s = self.settings
        if s is None:
            return
        s.setValue("newNetwork/inputSize", self.input_size.value())
        s.setValue("newNetwork/hidden", self.hidden.text())
        s.setValue("newNetwork/outputSize", self.output_size.value())
        s.setValue("newNetwork/head", "softmax" if self.softmax_radio.isChecked() else "mse")
        s.setValue("newNetwork/init", self.init.currentData())
