"""Documents in the main window: save and reopen, the unsaved-changes prompt,
bad files, recent files, New from an example. Dialogs are monkeypatched."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox

import gradviz
from gradviz.model.fileformat import ModelError
from gradviz.qt.main_window import MainWindow
from gradviz.qt.undo import MoveNodesCommand, SetEntryCommand

Button = QMessageBox.StandardButton


class Dialogs:
    """Stands in for the modal dialogs: records questions and errors, answers as told."""

    def __init__(self) -> None:
        self.answer = Button.Cancel
        self.questions: list[str] = []
        self.errors: list[str] = []
        self.save_path: str = ""
        self.open_path: str = ""

    def question(self, parent: object, title: str, text: str, *args: object) -> Button:
        self.questions.append(text)
        return self.answer

    def critical(self, parent: object, title: str, text: str, *args: object) -> Button:
        self.errors.append(text)
        return Button.Ok


@pytest.fixture
def dialogs(monkeypatch) -> Dialogs:
    d = Dialogs()
    monkeypatch.setattr(QMessageBox, "question", d.question)
    monkeypatch.setattr(QMessageBox, "critical", d.critical)
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", lambda *a, **k: (d.save_path, "gradviz networks (*.json)")
    )
    monkeypatch.setattr(
        QFileDialog, "getOpenFileName", lambda *a, **k: (d.open_path, "gradviz networks (*.json)")
    )
    return d


@pytest.fixture
def settings(tmp_path) -> QSettings:
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def window(qtbot, settings, dialogs) -> Iterator[MainWindow]:
    w = MainWindow(settings=settings)
    qtbot.addWidget(w, before_close_func=lambda w: w.undo_stack.setClean())
    w.show()
    qtbot.waitExposed(w)
    yield w


def write_net(path: Path, p11: float = 3) -> Path:
    net = gradviz.load("exercise3")
    net.node("P").value[0, 0] = p11
    gradviz.save(net, path)
    return path


def test_save_as_then_reopen_gives_the_same_values_and_positions(
    qtbot, window: MainWindow, dialogs: Dialogs, tmp_path: Path
) -> None:
    doc, stack = window.doc, window.undo_stack
    stack.push(SetEntryCommand(doc, "P", (2, 1), 0.75))
    window.training.lr_edit.setText("1/2")
    qtbot.mouseClick(window.training.step_button, Qt.MouseButton.LeftButton)
    stack.push(MoveNodesCommand(doc, {"Q": doc.network.node("Q").pos}, {"Q": (120.5, -80.0)}))
    assert window.isWindowModified()
    dialogs.save_path = str(tmp_path / "lesson")  # no suffix: .json is added
    qtbot.keyClick(window, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    saved = tmp_path / "lesson.json"
    assert saved.is_file()
    assert window.windowTitle() == "lesson.json[*] — gradviz"
    assert not window.isWindowModified()
    assert doc.path == saved.resolve()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temp
    back = gradviz.load(saved)
    assert np.array_equal(back.theta, doc.network.theta)
    assert back.node("Q").pos == (120.5, -80.0)
    assert back.node("P").value[2, 1] == doc.network.node("P").value[2, 1]
    assert window.open_file(str(saved))
    assert np.array_equal(window.doc.network.theta, back.theta)
    assert window.doc.network.node("Q").pos == (120.5, -80.0)
    assert window.undo_stack.count() == 0


def test_ctrl_s_on_a_saved_file_writes_in_place(qtbot, window, dialogs, tmp_path) -> None:
    path = write_net(tmp_path / "net.json")
    assert window.open_file(str(path))
    window.undo_stack.push(SetEntryCommand(window.doc, "E", (1,), 2.0))
    qtbot.keyClick(window, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert dialogs.questions == []
    assert json.loads(path.read_text())["nodes"][0]["value"] == [1, 2]
    assert not window.isWindowModified()


def test_close_with_changes_asks_and_cancel_keeps_the_window(window, dialogs) -> None:
    window.undo_stack.push(SetEntryCommand(window.doc, "P", (0, 0), 4.0))
    dialogs.answer = Button.Cancel
    assert not window.close()
    assert len(dialogs.questions) == 1 and "unsaved changes" in dialogs.questions[0]
    assert window.isVisible()
    assert window.doc.network.node("P").value[0, 0] == 4.0
    dialogs.answer = Button.Discard
    assert window.close()
    assert not window.isVisible()


def test_close_with_save_asks_where_to_save_an_untitled_network(window, dialogs, tmp_path) -> None:
    window.undo_stack.push(SetEntryCommand(window.doc, "P", (0, 0), 4.0))
    dialogs.answer = Button.Save
    dialogs.save_path = str(tmp_path / "kept.json")
    assert window.close()
    assert gradviz.load(tmp_path / "kept.json").node("P").value[0, 0] == 4.0


def test_a_clean_window_closes_without_asking(window, dialogs) -> None:
    assert window.close()
    assert dialogs.questions == []


def test_open_with_unsaved_changes_asks_first(window, dialogs, tmp_path) -> None:
    path = write_net(tmp_path / "other.json", p11=7)
    window.undo_stack.push(SetEntryCommand(window.doc, "P", (0, 0), 4.0))
    before = window.doc
    dialogs.answer = Button.Cancel
    assert not window.open_file(str(path))
    assert window.doc is before
    dialogs.answer = Button.Discard
    assert window.open_file(str(path))
    assert window.doc.network.node("P").value[0, 0] == 7
    assert window.windowTitle() == "other.json[*] — gradviz"
    assert window.jacobian_panel.theta_widget.texts()[0][0] == "7"
    assert window.inspector.doc is window.doc and window.training.doc is window.doc


def test_a_bad_file_shows_the_cli_message_and_keeps_the_document(window, dialogs, tmp_path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "gradviz", "version": 1, "nodes": [{"id": "x", "op": "cube"}]}')
    with pytest.raises(ModelError) as cli:
        gradviz.load(bad)
    before = window.doc
    assert not window.open_file(str(bad))
    assert dialogs.errors == [str(cli.value)]
    assert "\n" not in dialogs.errors[0] and "unknown op" in dialogs.errors[0]
    assert window.doc is before
    assert window.windowTitle() == "Exercise 3[*] — gradviz"
    assert window.jacobian_panel.gradient_widget.texts()[0][0] == "−3/2"


def test_open_from_the_menu_uses_the_file_dialog(window, dialogs, tmp_path) -> None:
    dialogs.open_path = str(write_net(tmp_path / "chosen.json", p11=-2))
    window.actions_by_name["open"].trigger()
    assert window.doc.path == (tmp_path / "chosen.json").resolve()
    dialogs.open_path = ""  # the dialog cancelled: nothing happens
    window.actions_by_name["open"].trigger()
    assert window.doc.path == (tmp_path / "chosen.json").resolve()


def test_recent_files_newest_first_and_reopened_from_the_menu(
    window, dialogs, settings, tmp_path
) -> None:
    a = write_net(tmp_path / "a.json", p11=1)
    b = write_net(tmp_path / "b.json", p11=2)
    assert window.open_file(str(a)) and window.open_file(str(b))
    assert window.recent.paths() == [str(b.resolve()), str(a.resolve())]
    actions = [x for x in window.recent_menu.actions() if x.data()]
    assert [x.text() for x in actions] == ["&1  b.json", "&2  a.json"]
    actions[1].trigger()
    assert window.doc.path == a.resolve()
    assert window.recent.paths()[0] == str(a.resolve())
    again = MainWindow(settings=settings)  # remembered across windows (QSettings)
    assert again.recent.paths()[:2] == [str(a.resolve()), str(b.resolve())]
    again.close()
    a.unlink()
    assert not window.open_file(str(a))
    assert str(a.resolve()) not in window.recent.paths()
    assert "no such file" in dialogs.errors[-1]


def test_new_from_an_example_is_untitled(window, dialogs, tmp_path) -> None:
    assert window.open_file(str(write_net(tmp_path / "x.json", p11=9)))
    window.actions_by_name["new:exercise3"].trigger()
    assert window.doc.path is None
    assert window.doc.network.node("P").value[0, 0] == 3
    assert window.windowTitle() == "Exercise 3[*] — gradviz"
    dialogs.save_path = str(tmp_path / "copy.json")
    assert window.save()  # Save on an untitled network asks where
    assert (tmp_path / "copy.json").is_file()


def test_a_save_that_fails_reports_and_stays_modified(window, dialogs, tmp_path) -> None:
    window.undo_stack.push(SetEntryCommand(window.doc, "P", (0, 0), 4.0))
    assert not window.save_as(str(tmp_path / "missing-folder" / "net.json"))
    assert len(dialogs.errors) == 1 and "cannot be written" in dialogs.errors[0]
    assert window.isWindowModified()
