"""Editing in place as a teacher does it: double-click an entry and type, scrub it
with the wheel or Alt+drag, drag nodes; every change one undoable command."""

from __future__ import annotations

import numpy as np
from canvas_support import Canvas, open_canvas, wheel
from PySide6.QtCore import QEvent, QPoint, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

import gradviz
from gradviz.qt.canvas.entry_editor import EntryEditor, editable_text


def start_editing(c: Canvas, node_id: str, index: tuple[int, ...]) -> EntryEditor:
    QTest.mouseDClick(
        c.view.viewport(), Qt.MouseButton.LeftButton, pos=c.entry_point(node_id, index)
    )
    editor = c.scene.editor
    assert editor is not None and editor.isVisible()
    assert (editor.node_id, editor.index) == (node_id, index)
    return editor


def type_into(c: Canvas, text: str, final: Qt.Key = Qt.Key.Key_Return) -> None:
    """Select everything in the focused editor, type ``text``, press ``final``
    (keys go to the view, which hands them to the editor it holds)."""
    QTest.keyClick(c.view, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    for ch in text:
        if ch.isascii():
            QTest.keyClick(c.view, ch)
        else:  # QTest types ASCII only: send the key event a keyboard layout would
            for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
                QApplication.sendEvent(
                    c.view, QKeyEvent(kind, 0, Qt.KeyboardModifier.NoModifier, ch)
                )
    QTest.keyClick(c.view, final)


def test_double_click_type_enter_sets_the_weight_and_everything_follows(qtbot):
    c = open_canvas(qtbot)
    editor = start_editing(c, "P", (0, 0))
    assert editor.text() == "3"
    type_into(c, "5")
    assert c.scene.editor is None
    assert c.doc.entry("P", (0, 0)) == 5.0
    assert c.stack.count() == 1 and c.stack.undoText() == "Set P[1,1] to 5"
    # z = P×E = (5 − 1, 1, −3): every label follows at once
    assert c.leaf("P").entries[(0, 0)].text == "5"
    assert c.value_text("z", "g") == "z = (4, 1, −3)"
    assert c.value_text("P", "z") == "P = (5 1; 1 0; −1 2)"
    ev = gradviz.evaluate(c.doc.network)
    assert np.array_equal(ev.values["z"], [4.0, 1.0, -3.0])
    assert c.value_text("g", "z2") == "g = (4, 1, 0)"
    assert np.array_equal(ev.values["g"], [4.0, 1.0, 0.0])
    assert c.messages[-1] == "P[1,1] = 5"
    c.stack.undo()
    assert c.doc.entry("P", (0, 0)) == 3.0 and c.value_text("z", "g") == "z = (2, 1, −3)"
    c.stack.redo()
    assert c.value_text("z", "g") == "z = (4, 1, −3)"


def test_fractions_decimals_and_exponents_are_accepted(qtbot):
    c = open_canvas(qtbot)
    for text, value in [("3/4", 0.75), ("-1.5e-2", -0.015), ("−2", -2.0)]:
        start_editing(c, "Q", (1, 2))
        type_into(c, text)
        assert c.doc.entry("Q", (1, 2)) == value
    assert c.leaf("Q").entries[(1, 2)].text == "−2"
    assert c.stack.count() == 3


def test_garbage_is_refused_in_red_with_a_reason_and_nothing_changes(qtbot):
    c = open_canvas(qtbot)
    editor = start_editing(c, "P", (0, 0))
    type_into(c, "abc")
    assert c.scene.editor is editor and editor.isVisible()
    assert editor.invalid and "#d0021b" in editor.styleSheet()
    assert c.messages[-1].startswith("P[1,1]: 'abc' is not a number")
    assert "keeps its value 3" in c.messages[-1]
    assert c.doc.entry("P", (0, 0)) == 3.0 and c.stack.count() == 0
    for bad in ("nan", "inf", "1/0"):
        type_into(c, bad)
        assert editor.invalid and c.doc.entry("P", (0, 0)) == 3.0
    assert "refused" in c.messages[-3] and "divides by zero" in c.messages[-1]
    QTest.keyClick(c.view, Qt.Key.Key_Backspace)  # typing again clears the red
    assert not editor.invalid
    QTest.keyClick(c.view, Qt.Key.Key_Escape)
    assert c.scene.editor is None
    assert c.doc.entry("P", (0, 0)) == 3.0 and c.stack.count() == 0


def test_escape_cancels_the_edit(qtbot):
    c = open_canvas(qtbot)
    start_editing(c, "E", (1,))
    type_into(c, "7", Qt.Key.Key_Escape)
    assert c.scene.editor is None
    assert c.doc.entry("E", (1,)) == -1.0 and c.stack.count() == 0
    assert c.leaf("E").entries[(1,)].text == "−1"


def test_unchanged_enter_adds_no_command_and_keeps_every_digit():
    assert editable_text(0.75) == "3/4" and editable_text(-1.0) == "-1"
    assert editable_text(0.1 + 0.2) == repr(0.1 + 0.2)
    assert float(editable_text(np.pi)) == np.pi


def test_wheel_over_an_entry_scrubs_it_and_merges_into_one_undo_command(qtbot):
    c = open_canvas(qtbot)
    zoom = c.view.zoom()
    pos = c.entry_point("P", (0, 0))
    for _ in range(3):
        wheel(c.view, pos, 120)
    assert c.doc.entry("P", (0, 0)) == 3.75
    assert c.leaf("P").entries[(0, 0)].text == "15/4"
    assert c.value_text("z", "g") == "z = (11/4, 1, −3)"
    wheel(c.view, pos, -120, Qt.KeyboardModifier.ShiftModifier)  # Shift: steps of 1
    assert c.doc.entry("P", (0, 0)) == 2.75
    assert c.view.zoom() == zoom  # the wheel scrubbed, it did not zoom
    assert c.stack.count() == 1
    c.stack.undo()
    assert c.doc.entry("P", (0, 0)) == 3.0 and c.value_text("z", "g") == "z = (2, 1, −3)"


def test_alt_drag_scrubs_an_entry(qtbot):
    c = open_canvas(qtbot)
    vp = c.view.viewport()
    start = c.entry_point("Q", (0, 0))
    node_pos = c.scene.node_items["Q"].pos()
    QTest.mousePress(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.AltModifier, start)
    for k in range(1, 5):
        QTest.mouseMove(vp, start + QPoint(10 * k, 0))
    QTest.mouseRelease(
        vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.AltModifier, start + QPoint(40, 0)
    )
    assert c.doc.entry("Q", (0, 0)) == 1.75  # 40 px = 3 steps of 1/4
    assert c.scene.node_items["Q"].pos() == node_pos  # scrubbing does not move the node
    assert c.stack.count() == 1
    assert c.grad_text("Q", "z2").startswith("∂l/∂Q = ")


def test_dragging_a_node_saves_its_position_and_is_undoable(qtbot):
    c = open_canvas(qtbot)
    vp = c.view.viewport()
    item = c.scene.node_items["g"]
    auto = item.pos()
    start = c.node_point("g")
    QTest.mousePress(vp, Qt.MouseButton.LeftButton, pos=start)
    for k in range(1, 6):
        QTest.mouseMove(vp, start + QPoint(12 * k, 8 * k))
    QTest.mouseRelease(vp, Qt.MouseButton.LeftButton, pos=start + QPoint(60, 40))
    moved = item.pos()
    assert moved != auto
    assert c.stack.count() == 1 and c.stack.undoText() == "Move g"
    assert c.doc.network.node("g").pos == (round(moved.x(), 1), round(moved.y(), 1))
    line = c.edge("z", "g").line()  # the edges followed
    assert item.sceneBoundingRect().adjusted(-3, -3, 3, 3).contains(line.p2())
    c.stack.undo()
    assert c.doc.network.node("g").pos is None and item.pos() == auto
    c.stack.redo()
    assert item.pos().x() == round(moved.x(), 1)


def test_editor_follows_the_theme_and_closes_on_rebuild(qtbot):
    from gradviz.qt.theme import DARK, DisplayOptions

    c = open_canvas(qtbot)
    editor = start_editing(c, "E", (0,))
    c.scene.set_options(DisplayOptions(theme="dark"))
    assert DARK.background in editor.styleSheet()
    c.doc.set_network(c.doc.network.copy())
    assert c.scene.editor is None
