"""Step and Run refuse to leave finite numbers: a NaN/inf loss or gradient, a
step that overflows or lands on an infinite loss, a learning rate that is not a
finite number > 0. Θ stays exactly as it was, the undo history (redo included)
is untouched, and one sentence says why — Run also says at which step it stopped."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QUndoStack

import gradviz
from gradviz.model.document import Document
from gradviz.model.training import gradient_step
from gradviz.qt.main_window import MainWindow
from gradviz.qt.training import TrainingToolBar

THETA0 = [3, 1, 1, 0, -1, 2, 1, -1, 3, -2, 5, 4]
DIVERGING = Path(__file__).parents[1] / "model" / "training_diverging.gradviz.json"
CTRL = Qt.KeyboardModifier.ControlModifier


def toolbar(qtbot, network: str | Path) -> tuple[TrainingToolBar, list[str]]:
    """A toolbar on ``network`` and the list its status messages go to."""
    bar = TrainingToolBar(Document(gradviz.load(network)), QUndoStack())
    qtbot.addWidget(bar)
    bar.show()
    messages: list[str] = []
    bar.statusMessage.connect(messages.append)
    return bar, messages


def type_text(qtbot, field, text: str) -> None:
    """Select what ``field`` holds and type ``text`` over it, key by key."""
    field.setFocus()
    field.selectAll()
    qtbot.keyClick(field, Qt.Key.Key_Delete)
    qtbot.keyClicks(field, text)


def type_weight(qtbot, window: MainWindow, node: str, index: tuple[int, ...], text: str) -> None:
    """The canvas editor over one entry: type, Enter."""
    editor = window.scene.open_editor(node, index)
    assert editor is not None
    editor.selectAll()
    qtbot.keyClicks(editor, text)
    qtbot.keyClick(editor, Qt.Key.Key_Return)


def click(qtbot, button) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_a_nan_loss_refuses_step_and_run_and_keeps_undo_and_redo(qtbot, window) -> None:
    type_weight(qtbot, window, "P", (0, 0), "1e308")
    type_weight(qtbot, window, "P", (0, 1), "-1e308")  # z₁ = inf − inf: the loss is NaN
    type_weight(qtbot, window, "Q", (0, 0), "2")
    stack, bar = window.undo_stack, window.training
    stack.undo()  # Q back to 1: one edit waits to be redone
    theta = window.doc.network.theta.tolist()
    assert theta == [1e308, -1e308, *THETA0[2:]] and bar.loss_label.text() == "l = NaN"
    assert "Step and Run are refused" in bar.loss_label.toolTip()
    assert f"color: {window.options.palette.warning}" in bar.loss_label.styleSheet()
    type_text(qtbot, bar.lr_edit, "1")
    click(qtbot, bar.step_button)
    assert window.statusBar().currentMessage() == (
        "Step refused: the loss is NaN at these weights; "
        "change the weights first (Undo or Reset Θ)."
    )
    click(qtbot, bar.run_button)
    assert window.statusBar().currentMessage() == (
        "Run refused at step 1 of 10: the loss is NaN at these weights; "
        "change the weights first (Undo or Reset Θ)."
    )
    assert window.doc.network.theta.tolist() == theta
    assert (stack.count(), stack.index(), stack.canRedo()) == (3, 2, True)
    assert window.doc.loss_history == []
    stack.undo()
    stack.undo()
    assert window.doc.network.theta.tolist() == THETA0
    assert "color" not in bar.loss_label.styleSheet() and bar.loss_label.toolTip() == ""
    click(qtbot, bar.step_button)  # finite again: the step is taken
    assert window.statusBar().currentMessage().startswith("Gradient step (lr 1): loss ln 2 → ")
    assert stack.count() == 1 and stack.undoText() == "Gradient step (lr 1)"


def test_run_stops_at_the_first_step_to_an_infinite_loss(qtbot) -> None:
    bar, messages = toolbar(qtbot, DIVERGING)
    type_text(qtbot, bar.lr_edit, "10")
    assert bar.steps_spin.value() == 10
    click(qtbot, bar.run_button)
    assert messages[-1] == (
        "Run stopped at step 4 of 10: the loss would be inf after it "
        "(try a learning rate smaller than 10); kept the 3 steps before it, "
        "loss 1e+300 → 4.705e+307."
    )
    plain = gradviz.load(DIVERGING)
    losses = [gradient_step(plain, 10)[0] for _ in range(3)]
    assert bar.doc.network.theta.tolist() == plain.theta.tolist()
    assert bar._undo.count() == 1 and bar._undo.undoText() == "3 gradient steps (lr 10)"
    assert bar.doc.loss_history == [*losses, plain.evaluate().loss]
    assert bar.plot.history == bar.doc.loss_history
    click(qtbot, bar.step_button)  # the fourth step alone: refused, nothing pushed
    assert messages[-1] == (
        "Step refused: the loss would be inf after it "
        "(try a learning rate smaller than 10); Θ is unchanged."
    )
    assert bar.doc.network.theta.tolist() == plain.theta.tolist() and bar._undo.count() == 1
    bar._undo.undo()
    assert bar.doc.network.theta.tolist() == [1e150] and bar.doc.loss_history == []


def test_a_step_that_overflows_names_the_weight(qtbot) -> None:
    bar, messages = toolbar(qtbot, "exercise3")
    type_text(qtbot, bar.lr_edit, "1e308")
    assert bar.step_button.isEnabled()  # a finite learning rate: only the step is too big
    click(qtbot, bar.step_button)
    assert messages[-1] == (
        "Step refused: the new P[2,1] = P[2,1] − lr·∂l/∂P[2,1] overflows float64 "
        "(try a learning rate smaller than 1e+308); Θ is unchanged."
    )
    assert bar.doc.network.theta.tolist() == THETA0 and bar._undo.count() == 0


def test_run_refused_at_its_first_step_and_stopped_after_one(qtbot) -> None:
    bar, messages = toolbar(qtbot, DIVERGING)
    type_text(qtbot, bar.lr_edit, "10")
    bar.doc.set_theta([1e153])  # loss 1e306, after one step 361e306 = inf
    assert not bar.run(5)
    assert messages[-1] == (
        "Run refused at step 1 of 5: the loss would be inf after it "
        "(try a learning rate smaller than 10); Θ is unchanged."
    )
    assert bar.doc.network.theta.tolist() == [1e153] and bar._undo.count() == 0
    bar.doc.set_theta([3e152])  # loss 9e304, then 3.249e307, then inf
    assert not bar.run(5)
    assert messages[-1].startswith("Run stopped at step 2 of 5: the loss would be inf after it")
    assert messages[-1].endswith("; kept the step before it, loss 9e+304 → 3.249e+307.")
    assert bar._undo.count() == 1 and bar._undo.undoText() == "Gradient step (lr 10)"


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("nan", "The learning rate must be a finite number, not nan."),
        ("inf", "The learning rate must be a finite number, not inf."),
        ("1e400", "The learning rate 1e400 is too large for a float64."),
        ("-1", "The learning rate must be greater than 0, not -1."),
        ("0", "The learning rate must be greater than 0, not 0."),
        ("1e-400", "The learning rate must be greater than 0, not 1e-400 (it is 0 in float64)."),
    ],
)
def test_a_typed_learning_rate_that_is_no_step_size_is_refused(qtbot, window, text, why) -> None:
    bar = window.training
    type_text(qtbot, bar.lr_edit, text)
    assert window.statusBar().currentMessage() == why
    assert bar.lr_edit.toolTip() == why and "#fde7e7" in bar.lr_edit.styleSheet()
    assert not bar.step_button.isEnabled() and not bar.run_button.isEnabled()
    window.activateWindow()
    qtbot.keyClick(window.view, Qt.Key.Key_Return, CTRL)  # Gradient Descent ▸ Step
    assert window.statusBar().currentMessage() == "Step refused: " + why[0].lower() + why[1:]
    assert window.doc.network.theta.tolist() == THETA0 and window.undo_stack.count() == 0
    type_text(qtbot, bar.lr_edit, "0.1")  # a learning rate again: the complaint goes
    assert window.statusBar().currentMessage() == ""
    assert bar.step_button.isEnabled() and bar.lr_edit.styleSheet() == ""
