"""The main window driven as a teacher would: open the default, click nodes,
hover the Jacobian panel, switch display options, undo and redo."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPointF, QSettings, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDockWidget
from sheet_numbers import COLUMN_LABELS, SHEET_GRAD, SHEET_J, SHEET_THETA

import gradviz
from gradviz.qt.main_window import MainWindow


def click_node(qtbot, w: MainWindow, node_id: str) -> None:
    """A real left click on a node's box (op nodes: the centre; leaves: their name)."""
    item = w.scene.node_items[node_id]
    w.view.centerOn(item)
    rect = item.body_in_scene()
    point = (
        rect.center()
        if item.op not in ("input", "param")
        else QPointF(rect.center().x(), rect.top() + 3)
    )
    qtbot.mouseClick(w.view.viewport(), Qt.MouseButton.LeftButton, pos=w.view.mapFromScene(point))


def test_opens_exercise3_with_title_and_docks(window: MainWindow) -> None:
    assert window.windowTitle() == "Exercise 3[*] — gradviz"
    assert not window.isWindowModified()
    docks = {d.objectName(): d for d in window.findChildren(QDockWidget)}
    assert set(docks) == {"inspectorDock", "jacobianDock"}
    assert all(d.isVisible() for d in docks.values())
    assert window.dockWidgetArea(docks["inspectorDock"]) == Qt.DockWidgetArea.RightDockWidgetArea
    assert window.dockWidgetArea(docks["jacobianDock"]) == Qt.DockWidgetArea.BottomDockWidgetArea
    assert window.centralWidget() is window.view
    assert window.training.isVisible()
    assert window.inspector.node_id is None
    assert [m.title() for m in (a.menu() for a in window.menuBar().actions())] == [
        "&File",
        "&Edit",
        "&View",
        "&Gradient Descent",
        "&Help",
    ]


def test_jacobian_panel_shows_the_sheets_numbers(window: MainWindow) -> None:
    panel = window.jacobian_panel
    assert panel.jacobian_widget.texts() == SHEET_J
    assert panel.gradient_widget.texts() == SHEET_GRAD
    assert panel.theta_widget.texts() == SHEET_THETA
    assert panel.column_labels() == COLUMN_LABELS
    assert panel.jacobian_widget.row_labels == ["f[1]", "f[2]"]
    assert "l = ln 2" in panel.header.text()


def test_clicking_a_node_fills_the_inspector(qtbot, window: MainWindow) -> None:
    click_node(qtbot, window, "g")
    assert window.inspector.node_id == "g"
    assert window.inspector.formula_label is not None
    assert window.inspector.formula_label.text() == "g = R(z)"
    assert window.inspector.blocks["local:0"].analytic.texts() == [
        ["1", "0", "0"],
        ["0", "1", "0"],
        ["0", "0", "0"],
    ]
    click_node(qtbot, window, "f")
    assert window.inspector.formula_label.text() == "f = S(z2)"
    assert window.inspector.blocks["local:0"].analytic.texts() == [["1/4", "−1/4"], ["−1/4", "1/4"]]
    click_node(qtbot, window, "P")
    assert window.inspector.node_id == "P"
    out = window.inspector.blocks["output"].analytic
    assert out.texts() == [row[:6] for row in SHEET_J]
    assert out.col_labels[0] == "∂f/∂p₁,₁"


def test_hovering_a_column_highlights_the_parameter_on_the_canvas(
    qtbot, window: MainWindow
) -> None:
    jw = window.jacobian_panel.jacobian_widget
    qtbot.mouseMove(jw, jw.column_center(7))
    assert window.scene._highlight == 7
    assert window.jacobian_panel.gradient_widget.highlighted_columns == {7}
    assert "q₁,₂" in window.statusBar().currentMessage()
    qtbot.mouseClick(jw, Qt.MouseButton.LeftButton, pos=jw.column_center(2))
    assert window.inspector.node_id == "P"
    assert window.scene.node_items["P"].isSelected()
    assert window.scene._highlight == 2


def test_an_edit_updates_every_view_and_undo_restores(qtbot, window: MainWindow) -> None:
    window.scene.select_node("z")
    scene = window.scene
    scene.open_editor("P", (0, 0))
    assert scene.editor is not None
    scene.editor.selectAll()
    qtbot.keyClicks(scene.editor, "5")
    qtbot.keyClick(scene.editor, Qt.Key.Key_Return)
    assert window.doc.network.node("P").value[0, 0] == 5
    assert window.inspector.blocks["value"].analytic.texts() == [["4"], ["1"], ["−3"]]
    ev = gradviz.evaluate(window.doc.network)
    assert window.jacobian_panel.theta_widget.texts()[0][0] == "5"
    assert window.jacobian_panel.gradient_widget.matrix[0].tolist() == ev.gradient.tolist()
    assert window.isWindowModified()
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.doc.network.node("P").value[0, 0] == 3
    assert window.inspector.blocks["value"].analytic.texts() == [["2"], ["1"], ["−3"]]
    assert not window.isWindowModified()
    qtbot.keyClick(window, Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier)
    assert window.doc.network.node("P").value[0, 0] == 5
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(
        window,
        Qt.Key.Key_Z,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert window.doc.network.node("P").value[0, 0] == 5


def test_decimals_toggle_reaches_every_view(window: MainWindow) -> None:
    window.scene.select_node("f")
    window.actions_by_name["exact"].trigger()
    assert not window.options.exact
    assert window.jacobian_panel.jacobian_widget.texts()[0][:2] == ["0.75", "−0.75"]
    assert window.inspector.blocks["local:0"].analytic.texts()[0] == ["0.25", "−0.25"]
    assert window.training.loss_label.text() == "l = 0.6931"
    window.actions_by_name["digits:6"].trigger()
    assert window.training.loss_label.text() == "l = 0.693147"
    window.actions_by_name["exact"].trigger()
    assert window.jacobian_panel.jacobian_widget.texts() == SHEET_J
    assert window.settings.value("view/digits", type=int) == 6


def test_hide_values_and_gradients_and_dark_theme(window: MainWindow) -> None:
    window.actions_by_name["show_values"].trigger()
    window.actions_by_name["show_gradients"].trigger()
    assert not window.options.show_values and not window.options.show_gradients
    assert not window.scene.options.show_values
    edge = window.scene.edge_items[0]
    assert not edge.value_label.isVisible() and not edge.grad_label.isVisible()
    window.actions_by_name["theme:dark"].trigger()
    assert window.options.theme == "dark"
    assert window.jacobian_panel.jacobian_widget._options.theme == "dark"
    assert QGuiApplication.palette().window().color().lightness() < 80
    window.actions_by_name["theme:light"].trigger()
    assert QGuiApplication.palette().window().color().lightness() > 180


def test_zoom_actions_and_fit(window: MainWindow) -> None:
    window.view.fit()
    before = window.view.zoom()
    window.actions_by_name["zoom_in"].trigger()
    assert window.view.zoom() == pytest.approx(before * 1.25)
    window.actions_by_name["zoom_out"].trigger()
    window.actions_by_name["zoom_out"].trigger()
    assert window.view.zoom() < before
    window.actions_by_name["fit"].trigger()
    assert window.view.zoom() == pytest.approx(before)


def test_selecting_an_entry_pins_its_theta_column(window: MainWindow) -> None:
    window.scene.entrySelected.emit("Q", (1, 0))
    assert window.jacobian_panel.pinned == 9
    assert window.jacobian_panel.jacobian_widget.highlighted_columns == {9}


def test_status_bar_shows_canvas_messages(window: MainWindow) -> None:
    window.scene.statusMessage.emit("'abc' is not a number")
    assert window.statusBar().currentMessage() == "'abc' is not a number"
    assert "double-click" in window.hint_label.text()


def test_geometry_and_dock_state_are_remembered(qtbot, tmp_path) -> None:
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    w = MainWindow(settings=settings)
    qtbot.addWidget(w)
    w.show()
    w.resize(700, 500)  # the offscreen screen is 800 × 600
    w.jacobian_dock.hide()
    w.close()
    assert settings.value("window/geometry") is not None
    w2 = MainWindow(settings=settings)
    qtbot.addWidget(w2)
    w2.show()
    assert (w2.width(), w2.height()) == (700, 500)
    assert not w2.jacobian_dock.isVisible()
    assert w2.inspector_dock.isVisible()


def test_step_from_the_keyboard_and_menu(qtbot, window: MainWindow) -> None:
    window.training.lr_edit.setText("1")
    qtbot.keyClick(window, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert window.undo_stack.count() == 1
    assert window.doc.evaluation.loss < 0.7
    assert window.jacobian_panel.theta_widget.texts()[0][:2] == ["9/2", "−1/2"]
    window.actions_by_name["reset"].trigger()
    assert window.jacobian_panel.theta_widget.texts()[0][:2] == ["3", "1"]
    assert window.undo_stack.count() == 2


def test_copy_canvas_as_image_from_the_file_menu(window: MainWindow) -> None:
    assert window.actions_by_name["copy_image"] in window.file_menu.actions()
    window.actions_by_name["copy_image"].trigger()
    image = QGuiApplication.clipboard().image()
    assert not image.isNull() and image.width() > 400


def test_finite_differences_toggle_in_menu_and_inspector_agree(window: MainWindow) -> None:
    window.scene.select_node("g")
    action = window.actions_by_name["show_fd"]
    action.trigger()
    assert not action.isChecked()
    assert window.inspector.fd_check is not None and not window.inspector.fd_check.isChecked()
    assert not window.inspector.blocks["local:0"].numeric.isVisibleTo(window.inspector)
    window.inspector.fd_check.setChecked(True)
    assert action.isChecked()
    assert window.inspector.blocks["local:0"].numeric.isVisibleTo(window.inspector)
