"""Structural edits from the canvas's context menus, driven as a teacher would: a
right-click on a node or an edge of exercise3, a click on the menu entry, then
undo and redo. Refused edits show their reason and change nothing."""

from __future__ import annotations

import math

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QContextMenuEvent
from PySide6.QtWidgets import QApplication, QMenu

from gradviz.engine.check import check_evaluation
from gradviz.model.fileformat import dumps
from gradviz.qt import structure_menu
from gradviz.qt.main_window import MainWindow


@pytest.fixture
def window(no_dialogs, open_window, monkeypatch) -> MainWindow:
    for name in ("ask_width", "ask_class", "ask_target"):
        monkeypatch.setattr(structure_menu, name, no_dialogs)
    return open_window()


@pytest.fixture
def menus(monkeypatch) -> list[QMenu]:
    """Every context menu the window pops up, newest last."""
    shown: list[QMenu] = []
    real = structure_menu.show_menu

    def record(window: MainWindow, target: object, pos: object) -> QMenu:
        menu = real(window, target, pos)  # type: ignore[arg-type]
        shown.append(menu)
        return menu

    monkeypatch.setattr(structure_menu, "show_menu", record)
    return shown


def right_click(w: MainWindow, point: QPointF) -> None:
    """A right-click (a context-menu event) on the view's viewport at a scene point."""
    w.view.centerOn(point)
    pos = w.view.mapFromScene(point)
    event = QContextMenuEvent(
        QContextMenuEvent.Reason.Mouse, pos, w.view.viewport().mapToGlobal(pos)
    )
    QApplication.sendEvent(w.view.viewport(), event)


def node_menu(w: MainWindow, menus: list[QMenu], node_id: str) -> QMenu:
    right_click(w, w.scene.node_items[node_id].body_in_scene().center())
    assert menus, "no context menu"
    return menus[-1]


def edge_menu(w: MainWindow, menus: list[QMenu], src: str, dst: str) -> QMenu:
    edge = next(e for e in w.scene.edge_items if (e.src.node_id, e.dst.node_id) == (src, dst))
    right_click(w, edge.line().pointAt(0.3))
    assert menus, "no context menu"
    return menus[-1]


def texts(menu: QMenu) -> list[str]:
    return [a.text() for a in menu.actions() if not a.isSeparator()]


def choose(qtbot, menu: QMenu, text: str) -> None:
    """A real left click on the menu entry ``text``."""
    action = next(a for a in menu.actions() if a.text() == text)
    assert action.isEnabled(), action.toolTip()
    qtbot.waitExposed(menu)
    qtbot.mouseClick(menu, Qt.MouseButton.LeftButton, pos=menu.actionGeometry(action).center())


def undo_redo(w: MainWindow, before: str, after: str) -> None:
    """Undo gives back ``before`` exactly, redo ``after``; the canvas follows."""
    assert w.undo_stack.count() == 1
    w.undo_stack.undo()
    assert dumps(w.doc.network) == before
    assert set(w.scene.node_items) == set(w.doc.network.ids)
    w.undo_stack.redo()
    assert dumps(w.doc.network) == after
    assert set(w.scene.node_items) == set(w.doc.network.ids)


def status(w: MainWindow) -> str:
    return w.statusBar().currentMessage()


def test_menus_list_the_model_edits(window: MainWindow, menus: list[QMenu]) -> None:
    menu = node_menu(window, menus, "g")
    assert texts(menu) == [
        "Node g: ReLU",
        "Change to σ",
        "Change to tanh",
        "Change the width…",
        "Delete",
    ]
    assert window.inspector.node_id == "g"  # the right-clicked node is selected
    menu.close()
    menu = edge_menu(window, menus, "z", "g")
    assert texts(menu) == ["Edge z → g", "Insert ReLU", "Insert σ", "Insert tanh"]
    menu.close()
    right_click(window, QPointF(-5000, -5000))
    assert texts(menus[-1]) == ["Canvas", "New Network…", "Fit to Window"]
    menus[-1].close()


def test_menu_key_opens_the_selected_nodes_menu(window: MainWindow, menus: list[QMenu]) -> None:
    window.scene.select_node("g")
    pos = window.view.viewport().rect().center()
    QApplication.sendEvent(
        window.view.viewport(),
        QContextMenuEvent(
            QContextMenuEvent.Reason.Keyboard, pos, window.view.viewport().mapToGlobal(pos)
        ),
    )
    assert texts(menus[-1])[0] == "Node g: ReLU"
    menus[-1].close()


def test_change_relu_to_sigmoid(qtbot, window: MainWindow, menus: list[QMenu]) -> None:
    before = dumps(window.doc.network)
    choose(qtbot, node_menu(window, menus, "g"), "Change to σ")
    net = window.doc.network
    assert net.node("g").op == "sigmoid" and net.node("g").label == "σ"
    ev = window.doc.evaluation  # z = (2, 1, −3): σ(z) is no longer (2, 1, 0)
    np.testing.assert_allclose(ev.values["g"], 1 / (1 + np.exp(-np.array([2.0, 1.0, -3.0]))))
    assert all(row.ok for row in check_evaluation(ev))
    assert window.undo_stack.undoText() == "Change to σ (g)"
    assert "Change to σ (g)" in status(window)
    assert window.scene.node_items["g"].op == "sigmoid"
    undo_redo(window, before, dumps(net))
    window.undo_stack.undo()
    assert window.doc.evaluation.loss == pytest.approx(math.log(2))


def test_add_a_bias(qtbot, window: MainWindow, menus: list[QMenu]) -> None:
    before = dumps(window.doc.network)
    choose(qtbot, node_menu(window, menus, "z"), "Add a bias")
    net = window.doc.network
    assert net.node("a").inputs == ["z", "b1"] and net.node("g").inputs == ["a"]
    assert net.node("b1").label == "b₁"
    np.testing.assert_array_equal(net.node("b1").value, np.zeros(3))
    ev = window.doc.evaluation
    assert ev.theta.size == 15 and ev.theta_names[6:9] == ["b1[1]", "b1[2]", "b1[3]"]
    assert ev.loss == pytest.approx(math.log(2))  # zero bias: the same numbers
    assert {"a", "b1"} <= set(window.scene.node_items)
    assert window.jacobian_panel.doc.evaluation.jacobian.shape == (2, 15)
    undo_redo(window, before, dumps(net))


def test_change_the_hidden_width_to_4(
    qtbot, window: MainWindow, menus: list[QMenu], monkeypatch
) -> None:
    asked: list[tuple[str, int]] = []

    def ask_width(parent: object, layer: str, current: int) -> tuple[int, str]:
        asked.append((layer, current))
        return 4, "ints"

    monkeypatch.setattr(structure_menu, "ask_width", ask_width)
    before = window.doc.network.copy()
    choose(qtbot, node_menu(window, menus, "g"), "Change the width…")
    assert asked == [("g", 3)]
    net = window.doc.network
    assert net.node("P").value.shape == (4, 2) and net.node("Q").value.shape == (2, 4)
    np.testing.assert_array_equal(net.node("P").value[:3], before.node("P").value)
    np.testing.assert_array_equal(net.node("Q").value[:, :3], before.node("Q").value)
    assert np.all(np.abs(net.node("P").value[3]) <= 3)
    assert window.doc.evaluation.values["g"].shape == (4,)
    assert window.undo_stack.undoText() == "Change the width to 4 (g)"
    undo_redo(window, dumps(before), dumps(net))


def test_width_cancelled_changes_nothing(
    qtbot, window: MainWindow, menus: list[QMenu], monkeypatch
) -> None:
    monkeypatch.setattr(structure_menu, "ask_width", lambda *a: None)
    before = dumps(window.doc.network)
    choose(qtbot, node_menu(window, menus, "z"), "Change the width…")
    assert dumps(window.doc.network) == before and window.undo_stack.count() == 0


def test_delete_refused_with_its_reason(qtbot, window: MainWindow, menus: list[QMenu]) -> None:
    before = dumps(window.doc.network)
    menu = node_menu(window, menus, "z")
    delete = next(a for a in menu.actions() if a.text() == "Delete")
    reason = "'E' has shape (2,) but 'z' has (3,), so 'g' cannot take 'E' instead"
    assert not delete.isEnabled()
    assert delete.toolTip() == f"Not possible: {reason}"
    assert delete.statusTip() == delete.toolTip()
    qtbot.mouseClick(menu, Qt.MouseButton.LeftButton, pos=menu.actionGeometry(delete).center())
    assert dumps(window.doc.network) == before and window.undo_stack.count() == 0
    menu.close()
    option = next(
        o
        for o in structure_menu.edits_for(window.doc.network, ("node", "z"))
        if o.action == "delete_node"
    )
    assert not structure_menu.run_edit(window, option, ("node", "z"))
    assert status(window) == f"Not changed: {reason}"
    assert dumps(window.doc.network) == before and window.undo_stack.count() == 0


def test_delete_the_relu_is_allowed(qtbot, window: MainWindow, menus: list[QMenu]) -> None:
    before = dumps(window.doc.network)
    choose(qtbot, node_menu(window, menus, "g"), "Delete")
    net = window.doc.network
    assert not net.has_node("g") and net.node("z2").inputs == ["Q", "z"]
    assert "g" not in window.scene.node_items
    undo_redo(window, before, dumps(net))


def test_change_the_loss_class_and_to_mse(
    qtbot, window: MainWindow, menus: list[QMenu], monkeypatch
) -> None:
    asked: list[tuple[str, int, int]] = []

    def ask_class(parent: object, scores: str, size: int, current: int) -> int:
        asked.append((scores, size, current))
        return 2

    monkeypatch.setattr(structure_menu, "ask_class", ask_class)
    before = dumps(window.doc.network)
    choose(qtbot, node_menu(window, menus, "l"), "Loss: softmax and −ln of a class…")
    assert asked == [("z2", 2, 1)]
    net = window.doc.network
    assert net.node("l").attrs["index"] == 1
    # the sheet's gradient with f[2] in place of f[1] flips its sign
    assert window.doc.evaluation.gradient[0] == pytest.approx(1.5)
    undo_redo(window, before, dumps(net))
    window.undo_stack.undo()

    typed: list[str] = []

    def ask_target(parent: object, scores: str, size: int, current: str) -> str:
        typed.append(current)
        return "1, −1/2"

    monkeypatch.setattr(structure_menu, "ask_target", ask_target)
    choose(qtbot, node_menu(window, menus, "l"), "Loss: mean squared error to a target…")
    assert typed == ["1, 0"]
    net = window.doc.network
    assert net.node("l").op == "mse" and net.output == "z2" and not net.has_node("f")
    np.testing.assert_array_equal(net.node("l").attrs["target"], [1.0, -0.5])
    ev = window.doc.evaluation  # z2 = (1, 1): ((1−1)² + (1+1/2)²) / 2 = 9/8
    assert ev.loss == pytest.approx(9 / 8)
    assert all(row.ok for row in check_evaluation(ev))
    undo_redo(window, before, dumps(net))


def test_a_bad_target_is_refused(
    qtbot, window: MainWindow, menus: list[QMenu], monkeypatch
) -> None:
    monkeypatch.setattr(structure_menu, "ask_target", lambda *a: "1, 2, 3")
    before = dumps(window.doc.network)
    choose(qtbot, node_menu(window, menus, "f"), "Loss: mean squared error to a target…")
    assert status(window) == "Not changed: the target has shape (3,) but 'z2' has (2,)"
    monkeypatch.setattr(structure_menu, "ask_target", lambda *a: "1, x")
    choose(qtbot, node_menu(window, menus, "f"), "Loss: mean squared error to a target…")
    assert status(window).startswith("Not changed: the target: 'x' is not a number")
    assert dumps(window.doc.network) == before and window.undo_stack.count() == 0


def test_insert_tanh_on_an_edge(qtbot, window: MainWindow, menus: list[QMenu]) -> None:
    before = dumps(window.doc.network)
    choose(qtbot, edge_menu(window, menus, "g", "z2"), "Insert tanh")
    net = window.doc.network
    new = [n for n in net.nodes if n.op == "tanh"]
    assert len(new) == 1 and new[0].inputs == ["g"] and net.node("z2").inputs == ["Q", new[0].id]
    np.testing.assert_allclose(window.doc.evaluation.values[new[0].id], np.tanh([2.0, 1.0, 0.0]))
    undo_redo(window, before, dumps(net))


def test_parameter_edges_refuse_activations(window: MainWindow, menus: list[QMenu]) -> None:
    menu = edge_menu(window, menus, "P", "z")
    insert = [a for a in menu.actions() if a.text().startswith("Insert")]
    assert insert and not any(a.isEnabled() for a in insert)
    assert insert[0].toolTip() == (
        "Not possible: 'P' is a parameter: activations go between layers, not on weights"
    )
    menu.close()


def test_read_only_scene_has_no_menu(qtbot) -> None:
    from gradviz.model.document import Document
    from gradviz.qt.canvas import GraphScene, GraphView
    from gradviz.qt.documents import load_document

    doc: Document = load_document("exercise3")
    scene = GraphScene(doc)  # no undo stack: a picture, as for export
    view = GraphView(scene)
    qtbot.addWidget(view)
    seen: list[object] = []
    scene.contextMenuRequested.connect(lambda t, p: seen.append(t))
    view.show()
    qtbot.waitExposed(view)
    pos = view.mapFromScene(scene.node_items["g"].body_in_scene().center())
    QApplication.sendEvent(
        view.viewport(),
        QContextMenuEvent(QContextMenuEvent.Reason.Mouse, pos, view.viewport().mapToGlobal(pos)),
    )
    assert seen == []
    assert scene.target_at(scene.node_items["g"].pos()) == ("node", "g")
