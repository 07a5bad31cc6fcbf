"""File → New Network…: the dialog typed into as a teacher would, the networks it
builds (they load, evaluate and pass the finite-difference check), exercises
with small-denominator fractions, refusals, and the window opening the result."""

from __future__ import annotations

import math
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QMessageBox,
)

from gradviz.engine.check import check_evaluation
from gradviz.engine.exact import as_fraction
from gradviz.model.exercise import exercise_problems
from gradviz.model.fileformat import dumps, loads
from gradviz.model.network import Network
from gradviz.qt import builder_dialog
from gradviz.qt.builder_dialog import INVALID_STYLE, NewNetworkDialog
from gradviz.qt.main_window import MainWindow


@pytest.fixture
def dialog(qtbot) -> Iterator[NewNetworkDialog]:
    d = NewNetworkDialog()
    qtbot.addWidget(d)
    d.show()
    qtbot.waitExposed(d)
    yield d


def type_into(qtbot, widget, text: str) -> None:
    """Select what the field holds and type ``text`` over it (spin boxes too)."""
    widget.setFocus()
    if isinstance(widget, QAbstractSpinBox):
        widget.selectAll()
    else:
        widget.selectAll()
        qtbot.keyClick(widget, Qt.Key.Key_Delete)
    qtbot.keyClicks(widget, text)


def choose(combo: QComboBox, key: str) -> None:
    """Pick the choice keyed ``key`` (an activation, an init) as a click would."""
    combo.setCurrentIndex(combo.findData(key))


def ok_button(d: NewNetworkDialog):
    return d.buttons.button(QDialogButtonBox.StandardButton.Ok)


def built(d: NewNetworkDialog) -> Network:
    """The dialog's network after a real click on OK, checked: it round-trips
    through the file format, evaluates and passes the finite-difference check."""
    d.refresh()
    assert d.error() is None and ok_button(d).isEnabled()
    ok_button(d).click()
    assert d.result() == QDialog.DialogCode.Accepted
    net = d.network()
    assert net is not None
    again = loads(dumps(net))
    assert dumps(again) == dumps(net)
    ev = again.evaluate()
    assert ev.loss is not None and math.isfinite(ev.loss)
    rows = check_evaluation(ev)
    assert rows and all(r.ok for r in rows), [r for r in rows if not r.ok]
    return again


def test_default_is_the_sheets_shape(dialog: NewNetworkDialog) -> None:
    net = built(dialog)
    assert [n.id for n in net.nodes] == ["E", "P", "z", "g", "Q", "z2", "f", "l"]
    assert net.node("P").value.shape == (3, 2) and net.node("Q").value.shape == (2, 3)
    np.testing.assert_array_equal(net.node("E").value, [1.0, -1.0])
    assert net.node("g").op == "relu" and net.node("l").attrs["index"] == 0
    assert np.all(np.abs(net.theta) <= 3) and np.all(net.theta == np.round(net.theta))
    assert dialog.preview.toPlainText().startswith("2-3-2 ReLU network, softmax head")


def test_sigmoid_bias_mse_gaussian(qtbot, dialog: NewNetworkDialog) -> None:
    type_into(qtbot, dialog.form.input_size, "3")
    type_into(qtbot, dialog.form.input_values, "1, -1/2, 2")
    type_into(qtbot, dialog.form.hidden, "4")
    type_into(qtbot, dialog.form.output_size, "2")
    choose(dialog.form.layers.rows[0].activation, "sigmoid")
    dialog.form.layers.rows[0].bias.click()
    dialog.form.mse_radio.click()
    type_into(qtbot, dialog.form.target, "1, 0")
    choose(dialog.form.init, "gaussian")
    type_into(qtbot, dialog.form.seed, "5")
    rows = [r.label.text() for r in dialog.form.layers.rows]
    assert rows == ["Layer 1: P (4×3)", "Output layer: Q (2×4)"]
    net = built(dialog)
    assert [n.id for n in net.nodes] == ["E", "P", "z", "b1", "a", "g", "Q", "f", "l"]
    assert net.node("g").op == "sigmoid" and net.node("l").op == "mse"
    np.testing.assert_array_equal(net.node("E").value, [1.0, -0.5, 2.0])
    np.testing.assert_array_equal(net.node("l").attrs["target"], [1.0, 0.0])
    assert net.node("P").value.shape == (4, 3) and net.node("b1").value.shape == (4,)
    assert not np.all(net.node("P").value == np.round(net.node("P").value))  # Gaussian


def test_two_hidden_layers_softmax_class_3(qtbot, dialog: NewNetworkDialog) -> None:
    type_into(qtbot, dialog.form.hidden, "3, 4")
    assert len(dialog.form.layers.rows) == 3
    choose(dialog.form.layers.rows[0].activation, "tanh")
    dialog.form.layers.rows[2].bias.click()  # a bias on the output layer
    type_into(qtbot, dialog.form.output_size, "3")
    dialog.refresh()
    type_into(qtbot, dialog.form.class_spin, "3")
    net = built(dialog)
    assert [net.node(x).op for x in ("g", "g2")] == ["tanh", "relu"]
    assert net.node("U").value.shape == (3, 4) and net.has_node("b3")
    assert net.node("l").attrs["index"] == 2 and net.node("f").value is None


def test_no_hidden_layer_and_zeros(qtbot, dialog: NewNetworkDialog) -> None:
    type_into(qtbot, dialog.form.hidden, "")
    assert len(dialog.form.layers.rows) == 1
    choose(dialog.form.init, "zeros")
    net = built(dialog)
    assert [n.id for n in net.nodes] == ["E", "P", "z", "f", "l"]
    assert not np.any(net.theta)
    assert net.evaluate().loss == pytest.approx(math.log(2))
    assert not dialog.form.seed.isEnabled()


def fractions_of(net: Network) -> list[Fraction]:
    """Every value, ∂l/∂value, J_f(Θ) and ∇l(Θ) entry but the loss, as fractions
    with denominators ≤ 16 (an assertion fails otherwise)."""
    ev = net.evaluate()
    arrays = [v for k, v in ev.values.items() if k != net.loss]
    arrays += list(ev.node_gradients.values()) + [ev.jacobian, ev.gradient]
    out = []
    for a in arrays:
        for x in np.ravel(a):
            q = as_fraction(float(x), max_denominator=16)
            assert q is not None, x
            out.append(q)
    return out


def test_exercise_button_gives_small_fractions(qtbot, dialog: NewNetworkDialog) -> None:
    seen = set()
    for _ in range(4):
        qtbot.mouseClick(dialog.form.exercise_button, Qt.MouseButton.LeftButton)
        assert dialog.form.init.currentData() == "exercise" and dialog.error() is None
        net = dialog.network()
        assert net is not None and exercise_problems(net) == []
        qs = fractions_of(net)
        assert any(q.denominator > 1 for q in qs)  # fractions, as on the sheet
        assert net.evaluate().loss == pytest.approx(math.log(2))
        text = dialog.preview.toPlainText()
        assert "loss l = ln 2" in text and "fractions, denominators ≤ 16" in text
        ev = net.evaluate()  # no parameter is left without a gradient
        assert all(np.any(ev.node_gradients[p]) for p in net.param_ids)
        assert "∂l/∂P = [" in text and "∂l/∂Q = [" in text
        seen.add((dialog.form.seed.value(), dumps(net)))
    assert len({s for s, _ in seen}) == 4  # a new seed each click
    assert len({n for _, n in seen}) > 1
    built(dialog)


def test_exercise_with_bias_and_mse(qtbot, dialog: NewNetworkDialog) -> None:
    type_into(qtbot, dialog.form.input_size, "3")
    dialog.form.layers.rows[0].bias.click()
    dialog.form.mse_radio.click()
    qtbot.mouseClick(dialog.form.exercise_button, Qt.MouseButton.LeftButton)
    net = dialog.network()
    assert net is not None and net.node("l").op == "mse" and net.has_node("b1")
    fractions_of(net)
    assert exercise_problems(net) == []


def assert_refused(d: NewNetworkDialog, widget, sentence: str) -> None:
    d.refresh()
    assert d.network() is None
    assert not ok_button(d).isEnabled() and not d.solution_button.isEnabled()
    assert widget.styleSheet() == INVALID_STYLE
    assert d.error() == sentence and d.error_label.text() == sentence
    assert d.preview.toPlainText() == ""
    others = [w for w in d.form.fields() if w is not widget]
    assert len(others) == 6 and all(w.styleSheet() == "" for w in others)
    d.accept()  # Enter while invalid: the dialog stays open
    assert d.isVisible()


def test_invalid_input_is_refused(qtbot, dialog: NewNetworkDialog) -> None:
    type_into(qtbot, dialog.form.hidden, "3, x")
    assert_refused(
        dialog,
        dialog.form.hidden,
        "Hidden layer sizes: 'x' is not a layer size (a whole number from 1 to 4096).",
    )
    type_into(qtbot, dialog.form.hidden, "4000, 4000")
    assert_refused(
        dialog,
        dialog.form.hidden,
        "16,016,000 parameters are more than the app shows "
        "at once (at most 300,000, and 4,000,000 entries in J_f(Θ)); use smaller "
        "layers.",
    )
    type_into(qtbot, dialog.form.hidden, "3")
    type_into(qtbot, dialog.form.input_values, "1, 2, 3")
    assert_refused(dialog, dialog.form.input_values, "E has 3 values but the input size is 2.")
    type_into(qtbot, dialog.form.input_values, "1, 1/0")
    assert_refused(dialog, dialog.form.input_values, "Input E: '1/0' divides by zero.")
    type_into(qtbot, dialog.form.input_values, "")
    dialog.form.mse_radio.click()
    type_into(qtbot, dialog.form.target, "1")
    assert_refused(dialog, dialog.form.target, "The target has 1 value but the output size is 2.")
    dialog.form.softmax_radio.click()
    type_into(qtbot, dialog.form.output_size, "1")
    assert_refused(dialog, dialog.form.output_size, "A softmax head needs at least 2 outputs.")
    type_into(qtbot, dialog.form.output_size, "2")
    choose(dialog.form.layers.rows[0].activation, "sigmoid")
    qtbot.mouseClick(dialog.form.exercise_button, Qt.MouseButton.LeftButton)
    assert_refused(
        dialog,
        dialog.form.init,
        "Sigmoid layers give irrational numbers, so an "
        "exercise takes only ReLU or no activation (choose another init for them).",
    )
    choose(dialog.form.init, "ints")
    dialog.refresh()
    assert dialog.error() is None and ok_button(dialog).isEnabled()
    assert all(w.styleSheet() == "" for w in dialog.form.fields())


def test_row_choices_survive_a_resize(qtbot, dialog: NewNetworkDialog) -> None:
    choose(dialog.form.layers.rows[0].activation, "tanh")
    dialog.form.layers.rows[1].bias.setChecked(True)  # the output layer's bias
    type_into(qtbot, dialog.form.hidden, "5")  # same number of layers: rows stay
    type_into(qtbot, dialog.form.hidden, "5, 2")
    acts = [r.activation.currentData() for r in dialog.form.layers.rows]
    assert acts == ["tanh", "tanh", "none"]
    assert [r.bias.isChecked() for r in dialog.form.layers.rows] == [False, False, True]
    assert [r.bias.text() for r in dialog.form.layers.rows] == ["bias b1", "bias b2", "bias b3"]


def test_save_worked_solution(qtbot, dialog: NewNetworkDialog, tmp_path, monkeypatch) -> None:
    qtbot.mouseClick(dialog.form.exercise_button, Qt.MouseButton.LeftButton)
    monkeypatch.setattr(dialog, "ask_solution_path", lambda: str(tmp_path / "missing" / "s.md"))
    assert not dialog.save_solution()
    missing = tmp_path / "missing"
    assert dialog.error_label.text() == (
        f"Cannot write {missing / 's.md'}: the folder {missing} does not exist."
    )
    for name in ("solution.md", "solution.tex"):
        monkeypatch.setattr(dialog, "ask_solution_path", lambda n=name: str(tmp_path / n))
        qtbot.mouseClick(dialog.solution_button, Qt.MouseButton.LeftButton)
        text = (tmp_path / name).read_text(encoding="utf-8")
        assert ("\\ln 2" in text) and len(text) > 500
    assert (tmp_path / "solution.tex").read_text().startswith("\\documentclass")
    assert dialog.preview.toPlainText().endswith(f"saved to {tmp_path / 'solution.tex'}")


@pytest.fixture
def window(open_window) -> MainWindow:
    """The main window; the tests below answer its questions themselves."""
    return open_window()


def fake_exec(fill) -> object:
    def exec_(self: NewNetworkDialog) -> int:
        fill(self)
        self.refresh()
        self.accept()
        return int(self.result())

    return exec_


def test_menu_opens_the_network_as_a_new_document(qtbot, window: MainWindow, monkeypatch) -> None:
    action = window.actions_by_name["new_network"]
    assert action.text() == "&New Network…" and action.shortcut().toString() == "Ctrl+Shift+N"
    monkeypatch.setattr(NewNetworkDialog, "exec", fake_exec(lambda d: d.form.hidden.setText("4")))
    dock, view = window.jacobian_dock.height(), window.view.height()
    action.trigger()
    # the new canvas gets the old one's room back (Qt gives a new central widget
    # only its minimum at first)
    qtbot.waitUntil(lambda: abs(window.view.height() - view) <= 2)
    assert abs(window.jacobian_dock.height() - dock) <= 2
    doc = window.doc
    assert doc.path is None and doc.network.node("P").value.shape == (4, 2)
    assert window.windowTitle() == "2-4-2 ReLU network, softmax head[*] — gradviz"
    assert set(window.scene.node_items) == set(doc.network.ids)
    assert window.undo_stack.count() == 0
    assert window.statusBar().currentMessage().startswith("New network: 2-4-2")
    assert window.settings.value("newNetwork/hidden") == "4"  # remembered for next time


def test_unsaved_changes_are_asked_about(qtbot, window: MainWindow, monkeypatch) -> None:
    window.training.step()
    assert not window.undo_stack.isClean()
    answers = [QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Discard]
    asked: list[str] = []

    def question(*args: object, **kwargs: object) -> QMessageBox.StandardButton:
        asked.append(str(args[2]))
        return answers.pop(0)

    monkeypatch.setattr(QMessageBox, "question", question)
    monkeypatch.setattr(NewNetworkDialog, "exec", fake_exec(lambda d: None))
    old = window.doc
    assert not builder_dialog.new_network(window)  # Cancel keeps the step
    assert window.doc is old and len(asked) == 1
    assert builder_dialog.new_network(window)  # Discard
    assert window.doc is not old and window.doc.path is None and len(asked) == 2


def test_cancelled_dialog_keeps_the_document(window: MainWindow, monkeypatch) -> None:
    monkeypatch.setattr(NewNetworkDialog, "exec", lambda self: int(QDialog.DialogCode.Rejected))
    old = window.doc
    assert not builder_dialog.new_network(window)
    assert window.doc is old


def test_window_exports_the_solution_of_a_generated_exercise(
    qtbot, window: MainWindow, tmp_path, monkeypatch
) -> None:
    from gradviz.qt import export_actions

    monkeypatch.setattr(NewNetworkDialog, "exec", fake_exec(NewNetworkDialog.new_exercise))
    window.actions_by_name["new_network"].trigger()
    assert window.doc.network.title.startswith("Exercise (seed ")
    suggested: list[str] = []

    def ask(parent: object, start: str) -> str:
        suggested.append(Path(start).name)
        return str(tmp_path / "exercise.tex")

    monkeypatch.setattr(export_actions, "ask_solution_path", ask)
    window.actions_by_name["export_solution"].trigger()
    assert suggested[0].startswith("exercise-seed-") and suggested[0].endswith("-solution.tex")
    text = (tmp_path / "exercise.tex").read_text(encoding="utf-8")
    assert text.startswith("\\documentclass") and "\\ln 2" in text
    wrote = window.statusBar().currentMessage()
    assert wrote == f"Wrote the worked solution to {tmp_path / 'exercise.tex'}"


def test_a_large_network_is_summarised(qtbot, dialog: NewNetworkDialog) -> None:
    type_into(qtbot, dialog.form.input_size, "784")
    type_into(qtbot, dialog.form.hidden, "300, 100")
    type_into(qtbot, dialog.form.output_size, "10")
    net = dialog.refresh()
    assert net is not None and net.theta.size == 266_200
    text = dialog.preview.toPlainText().splitlines()
    assert "E: 784 entries" in text and "P: a 300×784 matrix" in text
    assert "∂l/∂U: a 10×100 matrix" in text and "266,200 parameters in all" in text


def test_the_fields_are_read_through_the_form_only(dialog: NewNetworkDialog) -> None:
    """The dialog does not pass names on to its form: the fields' former aliases
    and a typo are each a plain AttributeError naming the class and the name."""
    assert dialog.form.hidden.text() == "3"
    for name in ("hidden", "init", "layers", "exercise_button", "hiden"):
        with pytest.raises(AttributeError) as err:
            getattr(dialog, name)
        assert type(err.value) is AttributeError
        assert str(err.value) == f"'NewNetworkDialog' object has no attribute '{name}'"
    with pytest.raises(AttributeError, match="'NetworkForm' object has no attribute 'hiden'"):
        _ = dialog.form.hiden
