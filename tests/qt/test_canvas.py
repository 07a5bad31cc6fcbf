"""The canvas shows the sheet's numbers and follows the document; options, themes,
highlighting, selection, zoom and layout."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
from canvas_support import open_canvas, overlaps, wheel
from PySide6.QtCore import QEvent, QPoint, Qt
from PySide6.QtGui import QColor, QHelpEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

import gradviz
from gradviz.model.fileformat import loads
from gradviz.qt.canvas.node_items import OpNodeItem
from gradviz.qt.theme import DARK, LIGHT, DisplayOptions


def test_edges_show_the_sheets_values_and_gradients(qtbot):
    c = open_canvas(qtbot)
    assert c.value_text("E", "z") == "E = (1, −1)"
    assert c.value_text("z", "g") == "z = (2, 1, −3)"
    assert c.grad_text("z", "g") == "∂l/∂z = (−3/2, 3, 0)"
    assert c.value_text("g", "z2") == "g = (2, 1, 0)"
    assert c.grad_text("g", "z2") == "∂l/∂g = (−3/2, 3, 1/2)"
    assert c.value_text("z2", "f") == "z₂ = (1, 1)"
    assert c.grad_text("z2", "f") == "∂l/∂z₂ = (−1/2, 1/2)"
    assert c.value_text("f", "l") == "f = (1/2, 1/2)"
    assert c.grad_text("f", "l") == "∂l/∂f = (−2, 0)"
    # matrix-valued edges: the sheet's ∇l(Θ0) split into P's and Q's entries
    assert c.value_text("P", "z") == "P = (3 1; 1 0; −1 2)"
    assert c.grad_text("P", "z") == "∂l/∂P = (−3/2 3/2; 3 −3; 0 0)"
    assert c.grad_text("Q", "z2") == "∂l/∂Q = (−1 −1/2 0; 1 1/2 0)"
    loss = c.scene.node_items["l"]
    assert isinstance(loss, OpNodeItem) and loss.value_text == "l = ln 2"
    assert loss.caption == "loss" and c.scene.node_items["f"].caption == "output"
    assert [c.leaf("P").entries[i].text for i in [(0, 0), (1, 1), (2, 0)]] == ["3", "0", "−1"]
    assert [c.scene.node_items[n].label for n in ("z", "g", "z2", "f", "l")] == [
        "P×E",
        "ReLU",
        "Q×·",
        "softmax",
        "−ln",
    ]


def test_values_change_updates_labels_in_place(qtbot):
    c = open_canvas(qtbot)
    items = dict(c.scene.node_items)
    label = c.edge("z", "g").value_label
    c.doc.set_entry("E", (1,), 1.0)  # E = (1, 1): z = (4, 1, 1)
    assert c.value_text("z", "g") == "z = (4, 1, 1)"
    assert c.scene.node_items == items and c.edge("z", "g").value_label is label
    assert c.leaf("E").entries[(1,)].text == "1"


def test_options_hide_values_gradients_and_switch_to_decimals(qtbot):
    c = open_canvas(qtbot)
    c.scene.set_options(DisplayOptions(show_values=False))
    assert not c.edge("z", "g").value_label.isVisible()
    assert c.edge("z", "g").grad_label.isVisible()
    c.scene.set_options(DisplayOptions(show_gradients=False))
    assert c.edge("z", "g").value_label.isVisible()
    assert not any(e.grad_label.isVisible() for e in c.scene.edge_items)
    c.scene.set_options(DisplayOptions(exact=False, digits=3))
    assert c.value_text("f", "l") == "f = (0.5, 0.5)"
    assert c.scene.node_items["l"].value_text == "l = 0.693"
    c.scene.set_options(DisplayOptions(exact=False, digits=6))
    assert c.scene.node_items["l"].value_text == "l = 0.693147"


def dominant_color(widget) -> QColor:
    """The commonest colour over a grid of pixels: the background."""
    img = widget.grab().toImage()
    seen = Counter(
        img.pixelColor(x, y).name()
        for x in range(0, img.width(), 7)
        for y in range(0, img.height(), 7)
    )
    return QColor(seen.most_common(1)[0][0])


def test_dark_theme_paints_the_dark_background(qtbot):
    c = open_canvas(qtbot)
    assert dominant_color(c.view) == QColor(LIGHT.background)
    c.scene.set_options(DisplayOptions(theme="dark"))
    assert dominant_color(c.view) == QColor(DARK.background)
    assert c.scene.backgroundBrush().color() == QColor(DARK.background)
    assert c.edge("z", "g").value_label._color == QColor(DARK.value)


def test_the_cached_background_matches_a_fresh_one_after_pans_zooms_and_edits(qtbot):
    """The dotted background is cached (drawn once per view change, not per edit):
    after a pan, a zoom and an edit the view looks as if drawn from scratch."""
    c = open_canvas(qtbot)
    c.view.set_zoom(1.3)
    bar = c.view.horizontalScrollBar()
    bar.setValue(bar.value() + 37)
    c.doc.set_entry("P", (0, 0), 4.0)
    c.view.viewport().repaint()
    cached = c.view.viewport().grab().toImage()
    c.view.resetCachedContent()
    c.view.viewport().repaint()
    fresh = c.view.viewport().grab().toImage()
    assert cached == fresh
    assert dominant_color(c.view) == QColor(LIGHT.background)


def test_highlight_parameter_marks_the_entry_and_its_paths(qtbot):
    c = open_canvas(qtbot)
    c.scene.highlight_parameter(0)  # p11
    assert c.leaf("P").entries[(0, 0)].highlighted
    assert sum(e.highlighted for e in c.leaf("P").entries.values()) == 1
    on = {(e.src.node_id, e.dst.node_id) for e in c.scene.edge_items if e.highlighted}
    assert on == {("P", "z"), ("z", "g"), ("g", "z2"), ("z2", "f"), ("f", "l")}
    c.scene.highlight_parameter(10)  # q22 = Q[2,2]
    assert not c.leaf("P").entries[(0, 0)].highlighted
    assert c.leaf("Q").entries[(1, 1)].highlighted
    on = {(e.src.node_id, e.dst.node_id) for e in c.scene.edge_items if e.highlighted}
    assert on == {("Q", "z2"), ("z2", "f"), ("f", "l")}
    c.doc.set_entry("P", (0, 0), 4.0)  # a values refresh keeps the highlight
    assert c.leaf("Q").entries[(1, 1)].highlighted
    c.scene.highlight_parameter(None)
    assert not any(e.highlighted for e in c.scene.edge_items)
    assert not c.leaf("Q").entries[(1, 1)].highlighted


def test_clicking_a_node_selects_it_and_an_entry_reports_itself(qtbot):
    c = open_canvas(qtbot)
    QTest.mouseClick(c.view.viewport(), Qt.MouseButton.LeftButton, pos=c.node_point("g"))
    assert c.selected[-1] == "g"
    QTest.mouseClick(c.view.viewport(), Qt.MouseButton.LeftButton, pos=c.entry_point("Q", (0, 2)))
    assert c.selected[-1] == "Q"
    assert c.entries[-1] == ("Q", (0, 2))
    c.scene.select_node(None)
    assert c.selected[-1] == ""
    c.scene.select_node("f")
    assert c.selected[-1] == "f" and c.scene.node_items["f"].isSelected()


@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")
def test_relu_kink_and_non_finite_values_are_marked(qtbot):
    c = open_canvas(qtbot)
    c.doc.set_entry("P", (2, 0), 2.0)  # z3 = 2·1 + 2·(−1) = 0: ReLU's kink
    relu = c.scene.node_items["g"]
    assert relu.warning and relu.notes == ["not differentiable: z[3] = 0"]
    c.doc.set_entry("P", (2, 0), -1.0)
    assert not relu.warning and relu.notes == []
    net = loads(
        '{"format": "gradviz", "version": 1, "nodes": ['
        '{"id": "x", "op": "input", "value": [1e308, 1e308]},'
        '{"id": "W", "op": "param", "value": [[1e308, 1e308]]},'
        '{"id": "y", "op": "matmul", "inputs": ["W", "x"]},'
        '{"id": "h", "op": "tanh", "inputs": ["y"]}]}'
    )
    c.doc.set_network(net)
    assert c.scene.node_items["y"].warning
    assert c.scene.node_items["y"].notes == ["non-finite value"]
    assert c.value_text("y", "h") == "y = inf"


def test_structure_change_rebuilds_and_detach_stops_following(qtbot):
    c = open_canvas(qtbot)
    net = c.doc.network.copy()
    net.nodes[0].label = "input E"
    c.doc.set_network(net)
    assert c.leaf("E").name == "input E"
    c.scene.detach()
    c.doc.set_entry("E", (0,), 5.0)
    assert c.leaf("E").entries[(0,)].text == "1"


def test_keys_zoom_and_f_fits(qtbot):
    c = open_canvas(qtbot)
    z0 = c.view.zoom()
    QTest.keyClick(c.view, Qt.Key.Key_Equal, Qt.KeyboardModifier.ControlModifier)
    assert c.view.zoom() == pytest.approx(z0 * 1.25)
    QTest.keyClick(c.view, Qt.Key.Key_Plus, Qt.KeyboardModifier.ControlModifier)
    assert c.view.zoom() == pytest.approx(z0 * 1.25**2)
    QTest.keyClick(c.view, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClick(c.view, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClick(c.view, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    assert c.view.zoom() == pytest.approx(z0 / 1.25)
    QTest.keyClick(c.view, Qt.Key.Key_F)
    assert c.view.zoom() == pytest.approx(z0)
    shown = c.view.mapToScene(c.view.viewport().rect()).boundingRect()
    assert shown.contains(c.scene.drawing_rect())


def test_wheel_over_background_zooms_about_the_cursor(qtbot):
    c = open_canvas(qtbot)
    z0 = c.view.zoom()
    pos = c.node_point("g")
    before = c.view.mapToScene(pos)
    wheel(c.view, pos, 120)
    assert c.view.zoom() > z0
    after = c.view.mapToScene(pos)
    assert abs(after.x() - before.x()) < 2 and abs(after.y() - before.y()) < 2
    assert c.doc.network.node("P").value.tolist() == [[3, 1], [1, 0], [-1, 2]]


def test_dragging_the_background_pans(qtbot):
    c = open_canvas(qtbot)
    c.view.set_zoom(1.5)
    h0 = c.view.horizontalScrollBar().value()
    vp = c.view.viewport()
    start = QPoint(20, vp.height() - 20)  # an empty corner
    assert c.view.itemAt(start) is None
    QTest.mousePress(vp, Qt.MouseButton.LeftButton, pos=start)
    for k in range(1, 6):
        QTest.mouseMove(vp, start + QPoint(20 * k, 0))
    QTest.mouseRelease(vp, Qt.MouseButton.LeftButton, pos=start + QPoint(100, 0))
    assert c.view.horizontalScrollBar().value() < h0
    assert c.stack.count() == 0


def test_no_two_things_overlap_at_the_default_layout(qtbot):
    c = open_canvas(qtbot)
    assert overlaps(c.scene) == []
    assert len(c.scene.edge_items) == 7
    c.scene.set_options(DisplayOptions(exact=False, digits=6))  # wider labels, still apart
    assert overlaps(c.scene) == []


def test_read_only_scene_neither_moves_nor_edits(qtbot):
    c = open_canvas(qtbot, editable=False)
    QTest.mouseDClick(c.view.viewport(), Qt.MouseButton.LeftButton, pos=c.entry_point("P", (0, 0)))
    assert c.scene.editor is None
    pos = c.scene.node_items["g"].pos()
    vp = c.view.viewport()
    start = c.node_point("g")
    QTest.mousePress(vp, Qt.MouseButton.LeftButton, pos=start)
    QTest.mouseMove(vp, start + QPoint(40, 40))
    QTest.mouseRelease(vp, Qt.MouseButton.LeftButton, pos=start + QPoint(40, 40))
    assert c.scene.node_items["g"].pos() == pos
    assert np.array_equal(c.doc.network.node("P").value, gradviz.load("exercise3").node("P").value)


def test_view_follows_its_size_until_the_user_zooms(qtbot):
    c = open_canvas(qtbot)
    z0 = c.view.zoom()
    c.view.resize(750, 350)
    qtbot.waitUntil(lambda: c.view.zoom() < z0 * 0.7)
    shown = c.view.mapToScene(c.view.viewport().rect()).boundingRect()
    assert shown.contains(c.scene.drawing_rect())
    QTest.keyClick(c.view, Qt.Key.Key_Equal, Qt.KeyboardModifier.ControlModifier)
    z1 = c.view.zoom()
    c.view.resize(1500, 700)
    qtbot.wait(50)
    assert c.view.zoom() == pytest.approx(z1)  # the user's zoom is kept
    QTest.keyClick(c.view, Qt.Key.Key_F)
    assert c.view.zoom() > z1


def test_a_node_gets_its_tooltip_when_the_mouse_asks(qtbot):
    c = open_canvas(qtbot)
    relu = c.scene.node_items["g"]
    assert relu.toolTip() == ""  # made lazily: thousands of nodes cost nothing up front
    vp = c.view.viewport()
    pos = c.node_point("g")
    QApplication.sendEvent(vp, QHelpEvent(QEvent.Type.ToolTip, pos, vp.mapToGlobal(pos)))
    assert relu.toolTip() == "g = R(z)"
    assert c.leaf("P").tip == "P: parameter, 3×2"
