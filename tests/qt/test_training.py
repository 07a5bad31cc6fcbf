"""The gradient-descent toolbar: Step, Run N, Reset, the learning rate field and
the loss plot, each an undoable entry on the stack."""

from __future__ import annotations

import math
from itertools import pairwise

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QUndoStack

import gradviz
from gradviz.model.document import Document
from gradviz.qt.training import TrainingToolBar
from gradviz.qt.undo import SetEntryCommand

THETA0 = [3, 1, 1, 0, -1, 2, 1, -1, 3, -2, 5, 4]
GRAD0 = [-1.5, 1.5, 3, -3, 0, 0, -1, -0.5, 0, 1, 0.5, 0]


@pytest.fixture
def bar(qtbot) -> TrainingToolBar:
    doc = Document(gradviz.load("exercise3"))
    toolbar = TrainingToolBar(doc, QUndoStack())
    qtbot.addWidget(toolbar)
    toolbar.show()
    return toolbar


def set_lr(qtbot, bar: TrainingToolBar, text: str) -> None:
    bar.lr_edit.clear()
    qtbot.keyClicks(bar.lr_edit, text)


def test_step_with_lr_1_is_the_sheets_step_and_undoes(qtbot, bar: TrainingToolBar) -> None:
    stack = bar._undo
    set_lr(qtbot, bar, "1")
    assert bar.loss_label.text() == "l = ln 2"
    qtbot.mouseClick(bar.step_button, Qt.MouseButton.LeftButton)
    theta = bar.doc.network.theta
    assert theta.tolist() == (np.array(THETA0) - np.array(GRAD0)).tolist()
    loss = bar.doc.evaluation.loss
    assert loss is not None and loss < math.log(2)
    assert bar.doc.loss_history == [math.log(2), loss]
    assert stack.count() == 1 and stack.undoText() == "Gradient step (lr 1)"
    assert bar.plot.history == [math.log(2), loss]
    stack.undo()
    assert bar.doc.network.theta.tolist() == THETA0
    assert bar.doc.loss_history == []
    assert bar.loss_label.text() == "l = ln 2"
    stack.redo()
    assert bar.doc.network.theta.tolist() == theta.tolist()
    assert bar.doc.loss_history == [math.log(2), loss]


def test_a_fraction_learning_rate(qtbot, bar: TrainingToolBar) -> None:
    set_lr(qtbot, bar, "1/2")
    assert bar.learning_rate() == 0.5
    assert bar.step()
    assert bar.doc.network.theta.tolist() == (np.array(THETA0) - 0.5 * np.array(GRAD0)).tolist()


def test_run_5_steps_is_one_undo_entry_with_falling_losses(qtbot, bar) -> None:
    stack = bar._undo
    set_lr(qtbot, bar, "0.05")
    bar.steps_spin.setValue(5)
    qtbot.mouseClick(bar.run_button, Qt.MouseButton.LeftButton)
    assert stack.count() == 1 and stack.undoText() == "5 gradient steps (lr 0.05)"
    history = bar.doc.loss_history
    assert len(history) == 6 and history[0] == math.log(2)
    assert all(b < a for a, b in pairwise(history))
    assert history[-1] == bar.doc.evaluation.loss
    net = gradviz.load("exercise3")  # the same as five single steps
    for _ in range(5):
        gradviz.model.training.gradient_step(net, 0.05)
    assert np.allclose(bar.doc.network.theta, net.theta, rtol=0, atol=1e-15)
    stack.undo()
    assert bar.doc.network.theta.tolist() == THETA0


def test_reset_goes_back_to_the_loaded_values(qtbot, bar) -> None:
    assert not bar.reset_button.isEnabled()
    bar.run(3)
    assert bar.reset_button.isEnabled()
    qtbot.mouseClick(bar.reset_button, Qt.MouseButton.LeftButton)
    assert bar.doc.network.theta.tolist() == THETA0
    assert bar.doc.loss_history == []
    assert not bar.reset_button.isEnabled()
    bar._undo.undo()
    assert bar.doc.network.theta.tolist() != THETA0
    assert len(bar.doc.loss_history) == 4


def test_bad_learning_rates_are_refused(qtbot, bar) -> None:
    messages: list[str] = []
    bar.statusMessage.connect(messages.append)
    for text in ("abc", "0", "-1", "1/0"):
        set_lr(qtbot, bar, text)
        assert bar.learning_rate() is None
        assert not bar.step_button.isEnabled() and not bar.run_button.isEnabled()
        assert "#fde7e7" in bar.lr_edit.styleSheet()
        assert not bar.step()
    assert bar._undo.count() == 0
    assert bar.doc.network.theta.tolist() == THETA0
    assert any("greater than 0" in m for m in messages)
    set_lr(qtbot, bar, "0.1")
    assert bar.step_button.isEnabled() and bar.lr_edit.styleSheet() == ""


def test_stepping_after_an_edit_restarts_the_history(bar) -> None:
    bar.run(2)
    bar._undo.push(SetEntryCommand(bar.doc, "E", (0,), 2.0))
    edited = bar.doc.evaluation.loss
    bar.step()
    history = bar.doc.loss_history
    assert len(history) == 5 and history[3] == edited


def test_loss_plot_points_fall_with_the_loss(bar) -> None:
    bar.plot.resize(200, 40)
    assert bar.plot.points() == []
    bar.run(4)
    pts = bar.plot.points()
    assert len(pts) == 5
    assert [round(p.x()) for p in pts] == sorted(round(p.x()) for p in pts)
    assert all(b.y() >= a.y() for a, b in pairwise(pts))  # y grows downwards
    assert "4 step(s)" in bar.plot.toolTip()
    image = bar.plot.grab().toImage()
    red = sum(
        1
        for x in range(image.width())
        for y in range(image.height())
        if image.pixelColor(x, y).red() > 150 and image.pixelColor(x, y).green() < 100
    )
    assert red > 20  # the curve is drawn in the gradient colour


def test_a_network_without_loss_cannot_step(qtbot) -> None:
    net = gradviz.load("exercise3")
    net.nodes = [n for n in net.nodes if n.id != "l"]
    net.loss = None
    bar = TrainingToolBar(Document(net), QUndoStack())
    qtbot.addWidget(bar)
    assert not bar.step_button.isEnabled()
    assert bar.loss_label.text() == "no loss node"
    assert not bar.step()


def test_the_no_loss_note_goes_when_a_network_with_a_loss_is_opened(qtbot, bar) -> None:
    net = gradviz.load("exercise3")
    net.nodes = [n for n in net.nodes if n.id != "l"]
    net.loss = None
    bar.set_document(Document(net))
    assert bar.loss_label.text() == "no loss node" and "no loss node" in bar.toolTip()
    bar.set_document(Document(gradviz.load("exercise3")))
    assert bar.loss_label.text() == "l = ln 2" and bar.toolTip() == ""
    assert bar.step()
