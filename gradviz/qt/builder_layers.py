"""Parts of the New Network dialog: reading its fields, the per-layer rows and
the preview text.

:class:`LayerRows` holds one row per weight layer ``k``: the matrix it multiplies
by (``P (3×2)``: ``W_k`` of shape ``n_k × n_{k−1}``), an activation and a bias
switch ``b_k``. :func:`preview_text` writes what a built network holds.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGridLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QWidget,
)

from gradviz.engine.exact import format_array, format_scalar
from gradviz.engine.numbers import NumberError, parse_number
from gradviz.model.builder import weight_name
from gradviz.model.exercise import MAX_DENOMINATOR
from gradviz.model.network import Network

ACTIVATIONS = (
    ("ReLU", "relu"),
    ("sigmoid σ", "sigmoid"),
    ("tanh", "tanh"),
    ("none (identity)", "none"),
)
#: Matrices and vectors with more entries are summarised by their shape in the preview.
PREVIEW_ENTRIES = 30

Row = tuple[QLabel, QComboBox, QCheckBox]


class FieldError(ValueError):
    """A field that cannot be used: ``widget`` turns red, the message is shown."""

    def __init__(self, widget: QWidget, message: str) -> None:
        super().__init__(message)
        self.widget = widget


def numbers(edit: QLineEdit, what: str) -> tuple[float, ...] | None:
    """The comma-separated numbers in ``edit`` (None when empty)."""
    text = edit.text().strip()
    if not text:
        return None
    out = []
    for part in text.split(","):
        try:
            out.append(parse_number(part))
        except NumberError as e:
            raise FieldError(edit, f"{what}: {e}") from None
    return tuple(out)


def count(n: int) -> str:
    """``1 value``, ``3 values``."""
    return f"{n} value" if n == 1 else f"{n} values"


def parse_sizes(edit: QLineEdit, max_units: int, max_layers: int) -> tuple[int, ...]:
    """The comma-separated layer sizes in ``edit`` (empty: none)."""
    text = edit.text().strip()
    if not text:
        return ()
    sizes = []
    for part in text.split(","):
        p = part.strip()
        if not p.isdigit() or not 1 <= int(p) <= max_units:
            raise FieldError(
                edit,
                f"hidden layer sizes: '{p}' is not a layer size "
                f"(a whole number from 1 to {max_units})",
            )
        sizes.append(int(p))
    if len(sizes) > max_layers:
        raise FieldError(edit, f"at most {max_layers} hidden layers, not {len(sizes)}")
    return tuple(sizes)


class LayerRows(QGroupBox):
    """The rows of :func:`set_sizes`' layers; ``changed`` on every choice. Choices are
    remembered by position (a hidden layer typed away and back keeps its choice; a
    new one repeats the last hidden choice), the output layer's apart. Hidden
    layers start as ReLU, the output layer as none (the head follows it)."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Layers", parent)
        self.grid = QGridLayout(self)
        self.rows: list[Row] = []
        self._memory: list[tuple[str, bool]] = []
        self._out_choice = ("none", False)

    def activations(self) -> tuple[str, ...]:
        """One activation per weight layer (``"none"`` = identity)."""
        return tuple(str(combo.currentData()) for _, combo, _ in self.rows)

    def biases(self) -> tuple[bool, ...]:
        """One bias switch per weight layer."""
        return tuple(check.isChecked() for _, _, check in self.rows)

    def set_sizes(self, sizes: tuple[int, ...]) -> None:
        """Show the layers ``n_0 → n_1 → … → n_L``: ``L`` rows, rebuilt when ``L``
        changes, relabelled always."""
        depth = len(sizes) - 1
        if len(self.rows) != depth:
            self._rebuild(depth)
        for k, (label, _, check) in enumerate(self.rows, start=1):
            kind = "Output layer" if k == depth else f"Layer {k}"
            label.setText(f"{kind}: {weight_name(k)} ({sizes[k]}×{sizes[k - 1]})")
            check.setText(f"bias b{k}")

    def _rebuild(self, depth: int) -> None:
        if self.rows:
            for k, (_, combo, check) in enumerate(self.rows[:-1]):
                self._memory[k : k + 1] = [(str(combo.currentData()), check.isChecked())]
            _, combo, check = self.rows[-1]
            self._out_choice = (str(combo.currentData()), check.isChecked())
        for row in self.rows:
            for w in row:
                self.grid.removeWidget(w)
                w.deleteLater()
        self.rows = []
        for k in range(depth):
            if k == depth - 1:
                act, bias = self._out_choice
            elif k < len(self._memory):
                act, bias = self._memory[k]
            else:
                act, bias = self._memory[-1] if self._memory else ("relu", False)
            label = QLabel(self)
            combo = QComboBox(self)
            for text, key in ACTIVATIONS:
                combo.addItem(text, key)
            combo.setCurrentIndex(max(0, combo.findData(act)))
            check = QCheckBox(self)
            check.setChecked(bias)
            combo.currentIndexChanged.connect(self.changed)
            check.toggled.connect(self.changed)
            for col, cell in enumerate((label, combo, check)):
                self.grid.addWidget(cell, k, col)
            self.rows.append((label, combo, check))


def _shown(name: str, value: np.ndarray) -> str:
    """``name = value`` (multi-line matrices indented), or its shape when large."""
    if value.size > PREVIEW_ENTRIES:
        if value.ndim == 1:
            return f"{name}: {value.size:,} entries"
        return f"{name}: a {'×'.join(map(str, value.shape))} matrix"
    head = f"{name} = "
    lines = format_array(value, unicode_minus=True).splitlines()
    return head + ("\n" + " " * len(head)).join(lines)


def preview_text(net: Network, exercise: bool = False) -> str:
    """What the preview shows: the title, ``E`` and the parameters, the output
    ``f``, the loss and ``∇l(Θ)`` as one ``∂l/∂W`` per parameter (shaped like it),
    in exact fractions where they are fractions."""
    ev = net.evaluate()
    lines = [net.title, ""]
    for n in net.nodes:
        if n.value is not None:
            lines.append(_shown(n.display_label, n.value))
    if net.output is not None:
        lines.append(_shown(net.output, np.asarray(ev.values[net.output])))
    if ev.loss is not None:
        lines.append(f"loss l = {format_scalar(ev.loss, unicode_minus=True)}")
    for pid in net.param_ids if ev.loss is not None else ():
        grad = ev.node_gradients.get(pid)
        if grad is not None:
            lines.append(_shown(f"∂l/∂{net.node(pid).display_label}", np.asarray(grad)))
    lines.append(f"{ev.theta.size:,} parameters in all")
    if exercise:
        lines.append(f"Values and derivatives: fractions, denominators ≤ {MAX_DENOMINATOR}.")
    if ev.nondifferentiable:
        lines.append("Note: a ReLU input is exactly 0 here (a kink).")
    return "\n".join(lines)
