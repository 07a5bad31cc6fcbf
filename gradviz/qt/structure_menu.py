"""Context menus on the canvas: structural edits of the network.

A right-click on a node lists :func:`~gradviz.model.edit_menu.node_edits` (change
ReLU ↔ σ ↔ tanh, add or remove a bias, change a layer's width, change the loss,
delete), on an edge :func:`~gradviz.model.edit_menu.edge_edits` (insert an
activation). An entry the model refuses is shown disabled with its reason as
tooltip and status tip. An enabled entry first asks what it needs (a width and
how to fill new weights; a class or a target vector), then the model builds the
whole new network, validated, and it goes on the undo stack as one
:class:`~gradviz.qt.undo.ReplaceNetworkCommand`: every view re-evaluates at once,
Ctrl+Z puts the old network back. A refusal (``ModelError``) only says why in the
status bar; nothing changes. The ``ask_*`` functions are the questions; tests
replace them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QInputDialog,
    QLineEdit,
    QMenu,
    QSpinBox,
    QWidget,
)

from gradviz.engine.exact import format_scalar
from gradviz.engine.numbers import NumberError, parse_number
from gradviz.model.edit_menu import EditOption, apply_edit, edge_edits, node_edits
from gradviz.model.fileformat import ModelError
from gradviz.model.network import Network
from gradviz.model.structure import head_of, shapes, width_plan
from gradviz.qt.undo import ReplaceNetworkCommand

if TYPE_CHECKING:
    from gradviz.qt.main_window import MainWindow

Target = tuple[str, ...] | None
WIDTH_INITS = (
    ("zeros", "zeros"),
    ("small integers (−3 … 3)", "ints"),
    ("Gaussian N(0, 1/n)", "gaussian"),
)
MAX_WIDTH = 4096


# -- the questions (tests replace these) -------------------------------------------------
def ask_width(parent: QWidget, layer: str, current: int) -> tuple[int, str] | None:
    """The new width of ``layer`` and how new weights are filled, or None (cancelled)."""
    dialog = QDialog(parent)
    dialog.setWindowTitle("Change the width")
    form = QFormLayout(dialog)
    spin = QSpinBox(dialog)
    spin.setRange(1, MAX_WIDTH)
    spin.setValue(current)
    combo = QComboBox(dialog)
    for text, key in WIDTH_INITS:
        combo.addItem(text, key)
    form.addRow(f"Units in the layer of {layer} (now {current}):", spin)
    form.addRow("New weights:", combo)
    buttons = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, dialog
    )
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    form.addRow(buttons)
    try:
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return spin.value(), str(combo.currentData())
    finally:
        dialog.deleteLater()


def ask_class(parent: QWidget, scores: str, size: int, current: int) -> int | None:
    """The 1-based class ``−ln f[class]`` reads, or None (cancelled)."""
    value, ok = QInputDialog.getInt(
        parent,
        "Softmax and −ln",
        f"Class (1 to {size}) of the softmax over {scores}:",
        current,
        1,
        size,
    )
    return int(value) if ok else None


def ask_target(parent: QWidget, scores: str, size: int, current: str) -> str | None:
    """The MSE target vector as typed (``1, 0``), or None (cancelled)."""
    text, ok = QInputDialog.getText(
        parent,
        "Mean squared error",
        f"Target for {scores} ({size} numbers, comma-separated):",
        QLineEdit.EchoMode.Normal,
        current,
    )
    return str(text) if ok else None


# -- building the menu -----------------------------------------------------------------
def edits_for(net: Network, target: Target) -> list[EditOption]:
    """The edits offered on ``target`` (``("node", id)`` or ``("edge", src, dst)``)."""
    if target is None:
        return []
    if target[0] == "node" and net.has_node(target[1]):
        return node_edits(net, target[1])
    if target[0] == "edge" and net.has_node(target[1]) and net.has_node(target[2]):
        return edge_edits(net, target[1], target[2])
    return []


def describe(net: Network, target: Target) -> str:
    """The menu's heading: ``Node g: ReLU`` or ``Edge z → g``."""
    if target is None:
        return "Canvas"
    if target[0] == "node":
        n = net.node(target[1])
        return f"Node {target[1]}: {n.display_label}"
    return f"Edge {target[1]} → {target[2]}"


def build_menu(window: MainWindow, target: Target) -> QMenu:
    """The context menu for ``target``: a heading, then one action per edit (refused
    ones disabled, their reason as tooltip and status tip); the background offers
    New Network… and Fit."""
    net = window.doc.network
    menu = QMenu(window)
    menu.setToolTipsVisible(True)
    heading = menu.addAction(describe(net, target))
    font = heading.font()
    font.setBold(True)
    heading.setFont(font)
    heading.setEnabled(False)
    menu.addSeparator()
    if target is None:
        from gradviz.qt.builder_dialog import new_network

        menu.addAction("New Network…", lambda: new_network(window))
        menu.addAction("Fit to Window", window.view.fit)
        return menu
    for option in edits_for(net, target):
        if option.action == "delete_node":
            menu.addSeparator()
        action = QAction(option.text, menu)
        if option.reason is not None:
            action.setEnabled(False)
            action.setToolTip(f"Not possible: {option.reason}")
            action.setStatusTip(f"Not possible: {option.reason}")
        action.triggered.connect(lambda _=False, o=option: run_edit(window, o, target))
        menu.addAction(action)
    return menu


def show_menu(window: MainWindow, target: Target, screen_pos: QPoint) -> QMenu:
    """Pop the context menu up at ``screen_pos`` (not blocking; it deletes itself when
    closed). A right-clicked node is selected so the inspector shows it too."""
    if target is not None and target[0] == "node":
        window.scene.select_node(target[1])
    menu = build_menu(window, target)
    menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    menu.popup(screen_pos)
    return menu


# -- applying an edit --------------------------------------------------------------------
def _values(window: MainWindow, option: EditOption) -> dict[str, Any] | None:
    """Ask for what ``option`` needs; None when the user cancels. ``ModelError`` when
    the answer cannot be used."""
    net = window.doc.network
    if option.needs == "width":
        layer = str(option.args["layer_node_id"])
        plan = width_plan(net, layer)
        answer = ask_width(window, layer, plan.old)
        if answer is None:
            return None
        width, init = answer
        return {"width": width, "init": init, "seed": int(np.random.default_rng().integers(2**31))}
    if option.needs == "index_or_target":
        kind, scores, _ = head_of(net)
        if scores is None:
            raise ModelError("the network has no output to put a loss on")
        size = int(np.prod(shapes(net)[scores]))
        loss = net.node(net.loss) if net.loss is not None else None
        if option.args["kind"] == "softmax":
            current = int(loss.attrs.get("index", 0)) + 1 if loss is not None else 1
            k = ask_class(window, scores, size, min(current, size))
            return None if k is None else {"index_or_target": k - 1}
        if kind == "mse" and loss is not None:
            old = np.ravel(loss.attrs["target"])
            default = ", ".join(format_scalar(float(x)) for x in old)
        else:
            default = ", ".join(["1"] + ["0"] * (size - 1))
        text = ask_target(window, scores, size, default)
        if text is None:
            return None
        try:
            numbers = [parse_number(p) for p in text.split(",")]
        except NumberError as e:
            raise ModelError(f"the target: {e}") from None
        return {"index_or_target": np.asarray(numbers, dtype=np.float64)}
    return {}


def _undo_text(option: EditOption, target: Target, values: dict[str, Any]) -> str:
    where = (
        ""
        if target is None
        else (target[1] if target[0] == "node" else f"{target[1]} → {target[2]}")
    )
    text = option.text.rstrip("…").rstrip()
    if "width" in values:
        text = f"Change the width to {values['width']}"
    return f"{text} ({where})" if where else text


def run_edit(window: MainWindow, option: EditOption, target: Target = None) -> bool:
    """Ask what ``option`` needs, apply it as one undoable command and say so in the
    status bar; a refusal changes nothing and shows its reason there."""
    try:
        values = _values(window, option)
        if values is None:
            return False
        new = apply_edit(window.doc.network, option, **values)
    except ModelError as e:
        window.show_status(f"Not changed: {e}")
        return False
    text = _undo_text(option, target, values)
    window.undo_stack.push(ReplaceNetworkCommand(window.doc, new, text))
    loss = window.doc.evaluation.loss
    o = window.options
    tail = (
        ""
        if loss is None
        else "; loss l = " + format_scalar(loss, exact=o.exact, digits=o.digits, unicode_minus=True)
    )
    window.show_status(f"{text}{tail} (Ctrl+Z undoes it)")
    return True
