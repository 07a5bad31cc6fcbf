"""The learning-rate field is parsed once per change of its text, and what
Step, Run, the buttons' enabled state, the field's tooltip and the status bar
say always follows the latest text — typed key by key or set by the program."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QUndoStack

import gradviz
import gradviz.qt.training as training
from gradviz.model.document import Document
from gradviz.qt.training import TrainingToolBar
from gradviz.qt.undo import SetEntryCommand

THETA0 = [3, 1, 1, 0, -1, 2, 1, -1, 3, -2, 5, 4]
GRAD0 = [-1.5, 1.5, 3, -3, 0, 0, -1, -0.5, 0, 1, 0.5, 0]
NOT_A_NUMBER = "The learning rate must be a number greater than 0 (0.1, 1/2, 5e-3), not abc."
NOT_POSITIVE = "The learning rate must be greater than 0, not 0."


@pytest.fixture
def bar(qtbot) -> TrainingToolBar:
    toolbar = TrainingToolBar(Document(gradviz.load("exercise3")), QUndoStack())
    qtbot.addWidget(toolbar)
    toolbar.show()
    return toolbar


def retype(qtbot, bar: TrainingToolBar, text: str) -> None:
    """Select the field's text and type ``text`` over it, key by key."""
    bar.lr_edit.setFocus()
    bar.lr_edit.selectAll()
    qtbot.keyClick(bar.lr_edit, Qt.Key.Key_Delete)
    qtbot.keyClicks(bar.lr_edit, text)


def buttons_enabled(bar: TrainingToolBar) -> tuple[bool, bool]:
    return bar.step_button.isEnabled(), bar.run_button.isEnabled()


def test_one_parse_per_keystroke_and_none_per_document_change(
    qtbot, bar: TrainingToolBar, monkeypatch: pytest.MonkeyPatch
) -> None:
    texts: list[str] = []
    parse = training.parse_learning_rate

    def counting(text: str) -> float:
        texts.append(text)
        return parse(text)

    monkeypatch.setattr(training, "parse_learning_rate", counting)
    retype(qtbot, bar, "1/2")
    assert texts == ["", "1", "1/", "1/2"]  # Delete, then each key: one parse each
    texts.clear()
    assert bar.step()  # Step, the refresh after it, and an edit of a weight parse nothing
    bar._undo.push(SetEntryCommand(bar.doc, "E", (0,), 2.0))
    bar._undo.undo()
    assert texts == []


def test_the_message_and_enabled_state_follow_the_latest_text(qtbot, bar: TrainingToolBar) -> None:
    messages: list[str] = []
    bar.statusMessage.connect(messages.append)
    assert buttons_enabled(bar) == (True, True) and bar.learning_rate() == 0.05
    retype(qtbot, bar, "abc")
    assert buttons_enabled(bar) == (False, False) and bar.learning_rate() is None
    assert messages[-1] == bar.lr_edit.toolTip() == NOT_A_NUMBER
    retype(qtbot, bar, "0")  # another refusal: its own reason, not the one before
    assert messages[-1] == bar.lr_edit.toolTip() == NOT_POSITIVE
    assert not bar.run(3)
    assert messages[-1] == "Run refused: " + NOT_POSITIVE[0].lower() + NOT_POSITIVE[1:]
    bar._undo.push(SetEntryCommand(bar.doc, "E", (0,), 2.0))  # a refresh keeps the refusal
    assert buttons_enabled(bar) == (False, False)
    bar._undo.undo()
    bar.lr_edit.setText("1/2")  # set by the program, not typed: followed all the same
    assert buttons_enabled(bar) == (True, True) and bar.learning_rate() == 0.5
    assert messages[-1] == "" and bar.lr_edit.styleSheet() == ""
    qtbot.mouseClick(bar.step_button, Qt.MouseButton.LeftButton)
    expected = np.array(THETA0) - 0.5 * np.array(GRAD0)
    assert bar.doc.network.theta.tolist() == expected.tolist()
    assert bar._undo.undoText() == "Gradient step (lr 1/2)"
    bar.lr_edit.setText("")
    assert buttons_enabled(bar) == (False, False)
    assert not bar.step() and "the learning rate is empty" in messages[-1]
    assert bar.doc.network.theta.tolist() == expected.tolist()
