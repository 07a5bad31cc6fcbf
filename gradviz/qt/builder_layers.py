"""Parts of the New Network dialog: reading its fields, the per-layer rows and
the preview text.

:func:`parse_numbers` and :func:`parse_hidden_sizes` read comma-separated fields
(a :class:`FieldError` names the field at fault); :func:`choice_combo` is a combo
box of ``(text, key)`` choices. :class:`LayerRows` holds one :class:`LayerRow` per
weight layer ``k``: the matrix it multiplies by (``P (3×2)``: ``W_k`` of shape
``n_k × n_{k−1}``), an activation and a bias switch ``b_k``. :func:`preview_text`
writes what a built network holds.
"""

from __future__ import annotations

from typing import NamedTuple

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


class FieldError(ValueError):
    """A field that cannot be used: ``widget`` turns red, the message is shown."""

    def __init__(self, widget: QWidget, message: str) -> None:
        super().__init__(message)
        self.widget = widget


def parse_numbers(edit: QLineEdit, what: str) -> tuple[float, ...] | None:
    """The comma-separated numbers in ``edit`` (``3/4`` and ``−1`` work; None when
    empty); a number that does not parse is a :class:`FieldError` naming ``what``."""
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


def values_phrase(n: int) -> str:
    """``1 value``, ``3 values``."""
    return f"{n} value" if n == 1 else f"{n} values"


def parse_hidden_sizes(edit: QLineEdit, max_units: int, max_layers: int) -> tuple[int, ...]:
    """The comma-separated hidden layer sizes ``n_1, …, n_{L−1}`` in ``edit`` (empty:
    none), each from 1 to ``max_units``, at most ``max_layers`` of them."""
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


def select_key(combo: QComboBox, key: object) -> None:
    """Show the choice whose key is ``key`` (the first choice when none is)."""
    combo.setCurrentIndex(max(0, combo.findData(key)))


def choice_combo(parent: QWidget, choices: tuple[tuple[str, str], ...], key: str) -> QComboBox:
    """A combo box of ``(text, key)`` choices showing the one keyed ``key``."""
    combo = QComboBox(parent)
    for text, choice_key in choices:
        combo.addItem(text, choice_key)
    select_key(combo, key)
    return combo


class LayerRow(NamedTuple):
    """The widgets of weight layer ``k``: its label, activation and bias switch."""

    label: QLabel
    activation: QComboBox
    bias: QCheckBox

    def choice(self) -> tuple[str, bool]:
        """The activation's key and whether ``b_k`` is on."""
        return str(self.activation.currentData()), self.bias.isChecked()


class LayerRows(QGroupBox):
    """One :class:`LayerRow` per weight layer of :meth:`set_sizes`; ``changed`` on
    every choice. Choices are remembered by position (a hidden layer typed away and
    back keeps its choice; a new one repeats the last hidden choice), the output
    layer's apart. Hidden layers start as ReLU, the output layer as none (the head
    follows it)."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Layers", parent)
        self._grid = QGridLayout(self)
        self.rows: list[LayerRow] = []
        self._hidden_choices: list[tuple[str, bool]] = []
        self._output_choice = ("none", False)

    def activations(self) -> tuple[str, ...]:
        """One activation per weight layer (``"none"`` = identity)."""
        return tuple(row.choice()[0] for row in self.rows)

    def biases(self) -> tuple[bool, ...]:
        """One bias switch per weight layer."""
        return tuple(row.choice()[1] for row in self.rows)

    def set_sizes(self, sizes: tuple[int, ...]) -> None:
        """Show the layers ``n_0 → n_1 → … → n_L``: ``L`` rows, rebuilt when ``L``
        changes, relabelled always."""
        depth = len(sizes) - 1
        if len(self.rows) != depth:
            self._rebuild(depth)
        for k, row in enumerate(self.rows, start=1):
            kind = "Output layer" if k == depth else f"Layer {k}"
            row.label.setText(f"{kind}: {weight_name(k)} ({sizes[k]}×{sizes[k - 1]})")
            row.bias.setText(f"bias b{k}")

    def _rebuild(self, depth: int) -> None:
        if self.rows:
            hidden = [row.choice() for row in self.rows[:-1]]
            self._hidden_choices[: len(hidden)] = hidden
            self._output_choice = self.rows[-1].choice()
        for row in self.rows:
            for w in row:
                self._grid.removeWidget(w)
                w.deleteLater()
        self.rows = []
        for k in range(depth):
            act, bias = self._start_choice(k, depth)
            row = LayerRow(QLabel(self), choice_combo(self, ACTIVATIONS, act), QCheckBox(self))
            row.bias.setChecked(bias)
            row.activation.currentIndexChanged.connect(self.changed)
            row.bias.toggled.connect(self.changed)
            for col, cell in enumerate(row):
                self._grid.addWidget(cell, k, col)
            self.rows.append(row)

    def _start_choice(self, k: int, depth: int) -> tuple[str, bool]:
        """The choice a new row ``k`` (0-based, of ``depth``) starts with."""
        if k == depth - 1:
            return self._output_choice
        if k < len(self._hidden_choices):
            return self._hidden_choices[k]
        return self._hidden_choices[-1] if self._hidden_choices else ("relu", False)


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
