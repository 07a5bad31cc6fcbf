"""The backprop walk in the main window, driven with real key presses as in a
lecture: what the canvas shows at each step, what the walk panel multiplies,
edits during the walk, and the walk exported from the app."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from sheet_numbers import BACKWARD_EDGES

from gradviz.engine.walk import BACKWARD, FORWARD
from gradviz.model.document import Document
from gradviz.model.fileformat import from_dict
from gradviz.qt.canvas.node_items import OpNodeItem
from gradviz.qt.documents import load_document
from gradviz.qt.main_window import MainWindow
from gradviz.qt.undo import SetEntryCommand
from gradviz.qt.walk_canvas import FADED


def press(qtbot, w: MainWindow, key: Qt.Key, times: int = 1) -> None:
    for _ in range(times):
        qtbot.keyClick(w.view, key)


def edge(w: MainWindow, src: str, dst: str):
    return next(e for e in w.scene.edge_items if e.src.node_id == src and e.dst.node_id == dst)


def shown(label) -> bool:
    return label.isVisible() and label.opacity() > 0.5


def panel_texts(w: MainWindow, key: str) -> list[list[str]]:
    assert w.walk.panel is not None
    return w.walk.panel.matrices[key].texts()


def test_steps_follow_the_topological_order(window: MainWindow) -> None:
    steps = window.walk.steps
    net = window.doc.network
    forward = [s.node for s in steps if s.phase == FORWARD]
    assert forward == [nid for nid in net.topological_order() if net.node(nid).inputs]
    backward = [s.edge for s in steps if s.phase == BACKWARD]
    assert backward == BACKWARD_EDGES
    assert len(steps) == 11
    assert [s.phase for s in steps] == [FORWARD] * 5 + [BACKWARD] * 6


def test_the_walk_is_computed_once_per_evaluation(window: MainWindow) -> None:
    first = window.walk.steps
    assert window.walk.steps is first
    window.undo_stack.push(SetEntryCommand(window.doc, "P", (0, 0), 4.0))
    assert window.walk.steps is not first


def test_start_shows_only_the_first_step(window: MainWindow, qtbot) -> None:
    window.walk.toggle_action.trigger()
    assert window.walk.active and window.walk.index == 0
    assert window.walk.caption() == "step 1 / 11: forward, z = P × E"
    # z is known: its value is on the edge z → g; g, z2, f, l are not computed yet
    assert shown(edge(window, "z", "g").value_label)
    assert not shown(edge(window, "g", "z2").value_label)
    assert not any(shown(e.grad_label) for e in window.scene.edge_items)
    assert window.scene.node_items["f"].opacity() == pytest.approx(FADED)
    assert window.scene.node_items["z"].opacity() == 1.0
    loss = window.scene.node_items["l"]
    assert isinstance(loss, OpNodeItem) and loss.value_text == "l = ?"
    # the step lights the edges P → z and E → z, nothing else
    lit = {(e.src.node_id, e.dst.node_id) for e in window.scene.edge_items if e.highlighted}
    assert lit == {("P", "z"), ("E", "z")}
    # the panel multiplies P × E = z with the numbers
    assert panel_texts(window, "input:0") == [["3", "1"], ["1", "0"], ["−1", "2"]]
    assert panel_texts(window, "input:1") == [["1"], ["−1"]]
    assert panel_texts(window, "result") == [["2"], ["1"], ["−3"]]
    # the inspector and the loss in the training toolbar would tell too much
    assert not window.inspector_dock.isVisible() and not window.training.isVisible()


def test_keys_walk_forward_and_back(window: MainWindow, qtbot) -> None:
    window.walk.start()
    press(qtbot, window, Qt.Key.Key_Right, 4)
    assert window.walk.index == 4
    assert window.walk.caption() == "step 5 / 11: forward, l = −ln f[1]"
    assert window.scene.node_items["l"].value_text == "l = ln 2"
    assert not any(shown(e.grad_label) for e in window.scene.edge_items)
    press(qtbot, window, Qt.Key.Key_Space)  # the first backward step: ∂l/∂f
    assert window.walk.caption() == "step 6 / 11: backward, ∂l/∂f = ∂l/∂l × J_−ln(f)"
    assert shown(edge(window, "f", "l").grad_label)
    assert edge(window, "f", "l").grad_label.text == "∂l/∂f = (−2, 0)"
    assert not shown(edge(window, "z2", "f").grad_label)
    press(qtbot, window, Qt.Key.Key_Right, 10)  # past the end: stays on the last step
    assert window.walk.index == 10
    assert shown(edge(window, "P", "z").grad_label)
    assert not shown(edge(window, "E", "z").grad_label)  # the walk skips the input E
    press(qtbot, window, Qt.Key.Key_Left)
    assert window.walk.caption() == "step 10 / 11: backward, ∂l/∂z = ∂l/∂g × J_R(z)"
    assert not shown(edge(window, "P", "z").grad_label)
    lit = [(e.src.node_id, e.dst.node_id) for e in window.scene.edge_items if e.highlighted]
    assert lit == [("z", "g")]
    assert panel_texts(window, "incoming") == [["−3/2", "3", "1/2"]]
    assert panel_texts(window, "jacobian") == [["1", "0", "0"], ["0", "1", "0"], ["0", "0", "0"]]
    assert panel_texts(window, "result") == [["−3/2", "3", "0"]]
    press(qtbot, window, Qt.Key.Key_Home)
    assert window.walk.index == 0
    press(qtbot, window, Qt.Key.Key_Left)
    assert window.walk.index == 0
    press(qtbot, window, Qt.Key.Key_End)
    assert window.walk.index == 10
    assert panel_texts(window, "matrix") == [["−3/2", "3/2"], ["3", "−3"], ["0", "0"]]
    press(qtbot, window, Qt.Key.Key_PageUp)
    assert window.walk.index == 9
    press(qtbot, window, Qt.Key.Key_PageDown)
    assert window.walk.index == 10


def test_escape_ends_the_walk_and_shows_everything(window: MainWindow, qtbot) -> None:
    window.walk.start(2)
    press(qtbot, window, Qt.Key.Key_Escape)
    assert not window.walk.active
    assert not window.walk.toggle_action.isChecked()
    assert all(
        shown(e.value_label) and shown(e.grad_label)
        for e in window.scene.edge_items
        if e.grad_label.text
    )
    assert all(item.opacity() == 1.0 for item in window.scene.node_items.values())
    assert not any(e.highlighted for e in window.scene.edge_items)
    assert window.scene.node_items["l"].value_text == "l = ln 2"
    assert window.inspector_dock.isVisible() and window.training.isVisible()
    assert window.walk.dock is not None and not window.walk.dock.isVisible()
    press(qtbot, window, Qt.Key.Key_Right)  # no walk: the keys are the view's again
    assert window.walk.index == 2 and not window.walk.active


def test_keys_reach_the_walk_from_any_panel_but_not_from_a_field(window: MainWindow, qtbot) -> None:
    window.walk.start()
    qtbot.keyClick(window.jacobian_panel, Qt.Key.Key_Right)
    assert window.walk.index == 1
    assert window.walk.panel is not None
    qtbot.keyClick(window.walk.panel, Qt.Key.Key_Right)
    assert window.walk.index == 2
    window.scene.open_editor("P", (0, 0))  # typing a weight: the arrows move the cursor
    assert window.scene.editor is not None
    qtbot.keyClick(window.scene.editor, Qt.Key.Key_Left)
    assert window.walk.index == 2


def test_an_edit_during_the_walk_recomputes_it(window: MainWindow, qtbot) -> None:
    window.walk.start()
    window.undo_stack.push(SetEntryCommand(window.doc, "P", (0, 0), 4.0))  # z₁ = 4 − 1 = 3
    qtbot.waitUntil(lambda: panel_texts(window, "result") == [["3"], ["1"], ["−3"]])
    assert window.walk.active and window.walk.index == 0
    assert edge(window, "z", "g").value_label.text == "z = (3, 1, −3)"
    assert not shown(edge(window, "g", "z2").value_label)  # still hidden after the refresh


def test_decimals_and_another_document(window: MainWindow, qtbot) -> None:
    window.walk.start(3)
    window.set_options(window.options.with_(exact=False))
    assert panel_texts(window, "result") == [["0.5"], ["0.5"]]
    window.set_document(load_document("exercise3"))
    assert not window.walk.active
    assert all(item.opacity() == 1.0 for item in window.scene.node_items.values())


def test_f5_starts_the_walk_and_view_menu_lists_it(window: MainWindow, qtbot) -> None:
    action = window.actions_by_name["walk"]
    assert action.shortcut().toString() == "F5"
    view_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&View")
    assert action in view_menu.actions()
    assert window.actions_by_name["export_walk"] in window.file_menu.actions()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(window.view, Qt.Key.Key_F5)
    assert window.walk.active


def test_export_walk_from_the_app(window: MainWindow, tmp_path: Path) -> None:
    window.walk.start()
    written = window.walk.export_to(tmp_path / "lecture.pdf")
    assert written == [tmp_path / "lecture.pdf"]
    data = written[0].read_bytes()
    assert data.startswith(b"%PDF") and len(re.findall(rb"/Type\s*/Page\b", data)) == 11
    assert "11 pages" in window.statusBar().currentMessage()
    files = window.walk.export_to(tmp_path / "frames.png")
    assert [f.name for f in files] == [f"frames-{k:02d}.png" for k in range(1, 12)]
    assert window.walk.active and window.walk.index == 0  # the window's walk is untouched


FAN_OUT = {
    "format": "gradviz",
    "version": 1,
    "title": "a feeds two nodes",
    "nodes": [
        {"id": "x", "op": "input", "value": [1, -1]},
        {"id": "W", "op": "param", "value": [[1, 2], [2, 1]]},
        {"id": "a", "op": "matmul", "inputs": ["W", "x"]},
        {"id": "h", "op": "relu", "inputs": ["a"]},
        {"id": "b", "op": "add", "inputs": ["a", "h"]},
        {"id": "L", "op": "mse", "inputs": ["b"], "target": [0, 0]},
    ],
    "output": "b",
    "loss": "L",
}


def test_a_node_feeding_two_adds_its_shares(window: MainWindow, qtbot) -> None:
    # a = (−1, 1), h = (0, 1), b = (−1, 2); ∂L/∂b = (−1, 2) reaches a twice:
    # directly through b = a + h, and through h = R(a), J_R(a) = diag(0, 1)
    window.set_document(Document(from_dict(FAN_OUT, "<fan-out>")))
    window.walk.start()
    edges = [s.edge for s in window.walk.steps]
    window.walk.go(edges.index(("b", "L", 0)))
    assert window.walk.caption().endswith("backward, ∂L/∂b = ∂L/∂L × J_mse(b)")
    window.walk.go(edges.index(("a", "b", 0)))
    assert window.walk.caption().endswith("backward, ∂L/∂a += ∂L/∂b × ∂b/∂a")
    assert panel_texts(window, "result") == [["−1", "2"]]
    panel = window.walk.panel
    assert panel is not None and panel.note_label is not None
    assert "sum so far is (−1, 2), not complete yet" in panel.note_label.text()
    assert not shown(edge(window, "a", "h").grad_label)  # ∂L/∂a is not complete
    window.walk.go(edges.index(("a", "h", 0)))
    assert window.walk.caption().endswith("backward, ∂L/∂a += ∂L/∂h × J_R(a)")
    assert panel_texts(window, "jacobian") == [["0", "0"], ["0", "1"]]
    assert panel_texts(window, "result") == [["0", "2"]]
    assert "sum so far is (−1, 4), complete" in panel.note_label.text()
    assert shown(edge(window, "a", "h").grad_label)
    assert edge(window, "a", "h").grad_label.text == "∂L/∂a = (−1, 4)"


def test_export_walk_dialog_adds_the_filters_extension(
    window: MainWindow, tmp_path: Path, monkeypatch
) -> None:
    from PySide6.QtWidgets import QFileDialog

    asked: list[str] = []

    def save_name(parent, caption, start, filters):
        asked.append(filters)
        return str(tmp_path / "talk"), "Beamer slides with overlays (*.tex)"

    monkeypatch.setattr(QFileDialog, "getSaveFileName", save_name)
    window.actions_by_name["export_walk"].trigger()
    assert "PDF, one page per step (*.pdf)" in asked[0]
    text = (tmp_path / "talk.tex").read_text(encoding="utf-8")
    assert text.startswith(r"\documentclass[aspectratio=169]{beamer}")
    assert text.count(r"\only<") == 11
    assert window.statusBar().currentMessage().endswith("11 overlays, one per step of the walk")


def test_a_structural_edit_keeps_walking_at_a_clamped_step(window: MainWindow, qtbot) -> None:
    window.walk.start()
    window.walk.last()
    assert window.walk.index == 10
    window.doc.set_network(from_dict(FAN_OUT, "<fan-out>"))  # 4 forward + 5 backward steps
    qtbot.waitUntil(lambda: window.walk.caption().startswith("step 9 / 9: backward"))
    assert window.walk.active and window.walk.index == 8
    assert window.walk.caption().endswith("∂L/∂W = ∂L/∂a × ∂a/∂W")
    assert panel_texts(window, "matrix") == [["−1", "1"], ["4", "−4"]]  # ∂L/∂a = (−1, 4)
    assert shown(edge(window, "W", "a").grad_label)


def test_a_huge_jacobian_is_named_by_its_shape(window: MainWindow) -> None:
    from PySide6.QtWidgets import QLabel

    from gradviz.model.builder import NetworkSpec, build_network

    net = build_network(NetworkSpec(layers=(30, 20)))  # W is 20 × 30: ∂z/∂W is 20 × 600
    window.set_document(Document(net))
    window.walk.start()
    step = next(s for s in window.walk.steps if s.edge is not None and s.source in net.param_ids)
    window.walk.go(step.index)
    panel = window.walk.panel
    assert panel is not None
    assert "jacobian" not in panel.matrices and "incoming" in panel.matrices
    texts = [label.text() for label in panel.findChildren(QLabel) if label.isVisible()]
    assert any("20 × 600 entries, too many to show" in t for t in texts)
