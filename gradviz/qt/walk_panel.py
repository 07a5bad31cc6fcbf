"""The walk panel: the one computation of the current backprop-walk step, with
its actual numbers, as matrices in the sheet's brackets.

A forward step shows the node's formula evaluated, e.g. ``z = P × E``::

    ⎛ 3  1⎞   ⎛ 1⎞   ⎛ 2⎞
    ⎜ 1  0⎟ × ⎝−1⎠ = ⎜ 1⎟
    ⎝−1  2⎠          ⎝−3⎠

a backward step the one vector–Jacobian product ``∂l/∂u = ∂l/∂v × ∂v/∂u``: the
incoming gradient (a row, ``v.size``) times the local Jacobian (``v.size × u.size``)
is this edge's share of ``∂l/∂u`` (a row, and the matrix it reshapes to when ``u``
is a matrix such as ``P``). Where ``u`` feeds several nodes the shares add up;
the panel says which share this is and shows the sum so far. Walking ``J_f``
(a network without a loss) the gradients are ``m``-row matrices instead of rows.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from gradviz.engine.exact import format_array
from gradviz.engine.ops import Array
from gradviz.engine.walk import FORWARD, OP_SYMBOL, WalkStep
from gradviz.model.network import Network
from gradviz.qt.canvas.style import pretty_name
from gradviz.qt.matrix_widget import MatrixWidget
from gradviz.qt.sheet_notation import entry_labels
from gradviz.qt.theme import DisplayOptions, Theme
from gradviz.qt.walk_canvas import step_formula

IDLE_TEXT = (
    "The backprop walk goes through the forward pass node by node, then the backward "
    "pass edge by edge, showing the one multiplication each step does. Start it with "
    "View ▸ Backprop Walk (F5); → or Space steps on, ← back, Home/End jump, Esc ends."
)
#: Ops written as a function of their input, ``R(z)``; −ln and mse are not.
_SYMBOL = {op: OP_SYMBOL[op] for op in ("relu", "sigmoid", "tanh", "softmax")}
#: Arrays with more entries are named by their shape, not drawn (a 256 × 200 704
#: Jacobian of a big MLP would take seconds and the whole screen).
MAX_PANEL_CELLS = 600


@dataclass(frozen=True)
class Term:
    """One matrix of the equation: its title above it, how a vector is laid out,
    and its role, which picks the title's colour: ``value`` (forward values),
    ``gradient`` (∂l/∂·) or ``jacobian`` (a local Jacobian)."""

    key: str
    title: str
    value: Array
    vector_as: str = "column"
    row_labels: tuple[str, ...] | None = None
    col_labels: tuple[str, ...] | None = None
    role: str = "value"

    def color(self, theme: Theme) -> str:
        return {"gradient": theme.gradient, "jacobian": theme.text}.get(self.role, theme.value)


Part = Term | str
"""An equation is a sequence of matrices and operator texts (``×``, ``=``, ``R``)."""


def forward_parts(net: Network, step: WalkStep, values: dict[str, Array]) -> list[Part]:
    """``A × B = y``, ``a + b = y``, ``R(x) = y``, ``−ln x[i] = l`` with the numbers."""
    node = net.node(step.node)
    ins = list(step.inputs)
    y = Term("result", pretty_name(node.id), np.asarray(values[node.id]))

    def term(k: int) -> Term:
        return Term(f"input:{k}", pretty_name(ins[k]), np.asarray(values[ins[k]]))

    if node.op in ("matmul", "add") and len(ins) == 2:
        return [term(0), "×" if node.op == "matmul" else "+", term(1), "=", y]
    if node.op == "neg_log":
        k = int(node.attrs.get("index", 0))
        p = np.asarray(values[ins[0]]).reshape(-1)[k]
        return ["−ln", Term("input:0", f"{pretty_name(ins[0])}[{k + 1}]", np.asarray(p)), "=", y]
    if node.op == "mse":
        target = np.asarray(node.attrs.get("target", 0.0), dtype=np.float64)
        return ["mean((", term(0), "−", Term("target", "t", target), ")²) =", y]
    if node.op in _SYMBOL and len(ins) == 1:
        return [_SYMBOL[node.op], term(0), "=", y]
    return [*(term(k) for k in range(len(ins))), "↦", y]


def backward_parts(net: Network, step: WalkStep) -> list[Part]:
    """``∂s/∂v × ∂v/∂u = ∂s/∂u`` (its share), plus ``u``'s matrix form and the sum so
    far where they differ from the row."""
    assert step.jacobian is not None and step.incoming is not None
    jac = step.jacobian.array(MAX_PANEL_CELLS)  # the numbers, or a stand-in of its shape
    assert step.product is not None and step.source is not None
    seed = net.loss if net.loss is not None else net.output
    s, u, v = (pretty_name(x or "") for x in (seed, step.source, step.node))
    src_value = np.asarray(step.product)
    loss_mode = net.loss is not None
    v_shape, u_shape = np.shape(step.incoming), np.shape(step.product)
    if not loss_mode:  # J_f: the incoming (m, v.size) and the product (m, u.size)
        u_shape = ()
    labelled = loss_mode and jac.size <= MAX_PANEL_CELLS
    rows = entry_labels(v, v_shape) if labelled else None
    cols = entry_labels(u, u_shape, param=net.node(step.source).op == "param") if labelled else None
    symbol = OP_SYMBOL.get(net.node(step.node).op) if len(step.inputs) == 1 else None
    jac_title = f"J_{symbol}({u})" if symbol else f"∂{v}/∂{u}"
    share = "" if step.complete and _shares(net, step.source) == 1 else " (this share)"
    parts: list[Part] = [
        Term("incoming", f"∂{s}/∂{v}", _row(step.incoming, loss_mode), "row", role="gradient"),
        "×",
        Term(
            "jacobian",
            jac_title,
            jac,
            "row",
            tuple(rows) if rows and len(rows) == jac.shape[0] else None,
            tuple(cols) if cols and len(cols) == jac.shape[1] else None,
            "jacobian",
        ),
        "=",
        Term("result", f"∂{s}/∂{u}{share}", _row(src_value, loss_mode), "row", role="gradient"),
    ]
    if loss_mode and src_value.ndim == 2:
        parts += ["=", Term("matrix", f"∂{s}/∂{u}, shaped like {u}", src_value, role="gradient")]
    return parts


def rich(title: str) -> str:
    """A plain title for a Qt label: ``J_R(z)`` with ``R`` as a subscript."""
    return re.sub(r"J_(\w+|σ|−ln)", r"J<sub>\1</sub>", html.escape(title))


def _row(a: Array, loss_mode: bool) -> Array:
    """A gradient of the loss as one row (a scalar stays a scalar); ``J_f`` blocks as they are."""
    arr = np.asarray(a)
    if not loss_mode or arr.ndim == 0:
        return arr
    return arr.reshape(-1)


def _shares(net: Network, node_id: str) -> int:
    return sum(1 for n in net.nodes for x in n.inputs if x == node_id)


@dataclass
class _Page:
    """One step's page of the panel and the widgets tests and callers read."""

    widget: QWidget
    matrices: dict[str, MatrixWidget]
    caption_label: QLabel | None
    formula_label: QLabel | None
    note_label: QLabel
    formula: str


class WalkPanel(QScrollArea):
    """The dock's widget: :meth:`show_step` shows one step, :meth:`show_idle` the help.

    Each step's page is built once and kept (a stack of pages) until the numbers
    or the display options change, so stepping back and forth in a lecture only
    flips pages."""

    def __init__(self, options: DisplayOptions | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self._options = options or DisplayOptions()
        self._stack = QStackedWidget(self)
        self.setWidget(self._stack)
        self._pages: dict[int, tuple[WalkStep, _Page]] = {}
        self._values: dict[str, Array] | None = None
        self._idle: _Page | None = None
        self.matrices: dict[str, MatrixWidget] = {}
        self.caption_label: QLabel | None = None
        self.formula_label: QLabel | None = None
        self.note_label: QLabel | None = None
        self.formula = ""
        self._last: tuple[Network, WalkStep, int, dict[str, Array]] | None = None
        self.show_idle()

    def set_options(self, options: DisplayOptions) -> None:
        """Exact or decimals, theme: the pages are built again."""
        self._options = options
        self._forget_pages()
        if self._idle is not None:
            self._stack.removeWidget(self._idle.widget)
            self._idle.widget.deleteLater()
            self._idle = None
        if self._last is not None:
            self.show_step(*self._last)
        else:
            self.show_idle()

    def _forget_pages(self) -> None:
        for _, page in self._pages.values():
            self._stack.removeWidget(page.widget)
            page.widget.deleteLater()
        self._pages = {}

    def _content(self) -> tuple[QWidget, QVBoxLayout]:
        content = QWidget(self._stack)
        layout = QVBoxLayout(content)
        layout.setContentsMargins(12, 8, 12, 8)
        layout.setSpacing(6)
        self.matrices = {}
        return content, layout

    def _label(self, parent: QWidget, text: str, css: str = "", rich_text: bool = True) -> QLabel:
        label = QLabel(parent)  # the format first: setting it after the text lays out twice
        label.setTextFormat(Qt.TextFormat.RichText if rich_text else Qt.TextFormat.PlainText)
        label.setWordWrap(True)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        if css:
            label.setStyleSheet(css)
        label.setText(text)
        return label

    def _show(self, page: _Page) -> None:
        self._stack.setCurrentWidget(page.widget)
        self.matrices = page.matrices
        self.caption_label, self.formula_label = page.caption_label, page.formula_label
        self.note_label, self.formula = page.note_label, page.formula

    def show_idle(self) -> None:
        """The explanation shown while no walk runs."""
        self._last = None
        if self._idle is None:
            content, layout = self._content()
            note = self._label(content, IDLE_TEXT, f"color: {self._options.palette.dim_text};")
            layout.addWidget(note)
            layout.addStretch(1)
            self._stack.addWidget(content)
            self._idle = _Page(content, {}, None, None, note, "")
        self._show(self._idle)

    def show_step(self, net: Network, step: WalkStep, total: int, values: dict[str, Array]) -> None:
        """Step ``step`` of ``total`` of the walk on ``net``; ``values`` are the
        evaluation's node values (a forward step shows its inputs)."""
        self._last = (net, step, total, values)
        if values is not self._values:  # another evaluation: other numbers
            self._forget_pages()
            self._values = values
        cached = self._pages.get(id(step))
        if cached is None or cached[0] is not step:
            cached = (step, self._build_page(net, step, total, values))
            self._pages[id(step)] = cached
            self._stack.addWidget(cached[1].widget)
        self._show(cached[1])

    def _build_page(
        self, net: Network, step: WalkStep, total: int, values: dict[str, Array]
    ) -> _Page:
        t = self._options.palette
        content, layout = self._content()
        phase = "forward pass" if step.phase == FORWARD else "backward pass"
        caption = self._label(
            content, f"Step {step.index + 1} of {total} · {phase}", f"color: {t.dim_text};"
        )
        layout.addWidget(caption)
        formula = step_formula(net, step)
        formula_label = self._label(content, rich(formula), "font-size: 15pt; font-weight: 600;")
        layout.addWidget(formula_label)
        parts = (
            forward_parts(net, step, values) if step.phase == FORWARD else backward_parts(net, step)
        )
        row = QWidget(content)
        line = QHBoxLayout(row)
        line.setContentsMargins(0, 4, 0, 4)
        line.setSpacing(10)
        for part in parts:
            line.addWidget(self._part(row, part), 0, Qt.AlignmentFlag.AlignVCenter)
        line.addStretch(1)
        layout.addWidget(row)
        note = self._label(content, self._note(net, step), f"color: {t.dim_text};", rich_text=False)
        layout.addWidget(note)
        layout.addStretch(1)
        return _Page(content, self.matrices, caption, formula_label, note, formula)

    def _part(self, parent: QWidget, part: Part) -> QWidget:
        if isinstance(part, str):
            return self._label(parent, part, "font-size: 16pt;", rich_text=False)
        box = QWidget(parent)
        col = QVBoxLayout(box)
        col.setContentsMargins(0, 0, 0, 0)
        col.setSpacing(2)
        color = part.color(self._options.palette)
        title = self._label(box, rich(part.title), f"color: {color}; font-weight: 600;")
        title.setWordWrap(False)
        title.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        col.addWidget(title)
        if np.size(part.value) > MAX_PANEL_CELLS:
            dims = " × ".join(str(d) for d in np.shape(part.value))
            col.addWidget(self._label(box, f"({dims} entries, too many to show)", rich_text=False))
            return box
        matrix = MatrixWidget(
            part.value,
            row_labels=part.row_labels,
            col_labels=part.col_labels,
            options=self._options,
            vector_as=part.vector_as,
            parent=box,
        )
        col.addWidget(matrix, 0, Qt.AlignmentFlag.AlignHCenter)
        self.matrices[part.key] = matrix
        return box

    def _note(self, net: Network, step: WalkStep) -> str:
        """One sentence on what the step leaves known."""
        name = pretty_name(step.node)
        if step.phase == FORWARD:
            return f"{name} is now known; every node it reads was computed before it."
        seed = pretty_name((net.loss if net.loss is not None else net.output) or "f")
        u = pretty_name(step.source or "")
        shares = _shares(net, step.source or "")
        if shares == 1:
            return f"∂{seed}/∂{u} is complete: {u} feeds only {name}."
        so_far = step.gradient_so_far
        assert so_far is not None
        o = self._options
        text = format_array(so_far, exact=o.exact, digits=o.digits, unicode_minus=True)
        state = "complete" if step.complete else "not complete yet"
        return (
            f"{u} feeds {shares} nodes, so ∂{seed}/∂{u} adds one share per edge "
            f"(+=); the sum so far is {text}, {state}."
        )
