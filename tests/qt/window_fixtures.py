"""Fixtures shared by the Qt tests (``conftest.py`` offers them to every file
here): the main window as a teacher opens it.

* ``no_dialogs``: a message box asking a question or reporting an error fails
  the test (the value is the replacement, to put on other dialog functions too).
* ``errors``: the texts of the error boxes shown; a question fails the test.
* ``open_window()``: a new main window on exercise3, its settings in the test's
  folder, shown and exposed; closed at teardown without asking about unsaved
  changes.
* ``window``: ``open_window()`` with ``no_dialogs``.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QMessageBox

from gradviz.qt.main_window import MainWindow

NoDialog = Callable[..., object]


def no_dialog(*args: object, **kwargs: object) -> object:
    """Stands in for a dialog function no test expects to be called."""
    raise AssertionError(f"unexpected dialog: {args[1:3]}")


@pytest.fixture
def no_dialogs(monkeypatch: pytest.MonkeyPatch) -> NoDialog:
    monkeypatch.setattr(QMessageBox, "question", no_dialog)
    monkeypatch.setattr(QMessageBox, "critical", no_dialog)
    return no_dialog


@pytest.fixture
def errors(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The texts of the error boxes shown (each answered OK); a question fails the test."""
    shown: list[str] = []

    def critical(parent: object, title: str, text: str, *args: object) -> object:
        shown.append(text)
        return QMessageBox.StandardButton.Ok

    monkeypatch.setattr(QMessageBox, "question", no_dialog)
    monkeypatch.setattr(QMessageBox, "critical", critical)
    return shown


@pytest.fixture
def open_window(qtbot, tmp_path) -> Callable[[], MainWindow]:
    def open_() -> MainWindow:
        settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
        w = MainWindow(settings=settings)
        # closing at teardown must not ask about unsaved changes
        qtbot.addWidget(w, before_close_func=lambda w: w.undo_stack.setClean())
        w.show()
        qtbot.waitExposed(w)
        return w

    return open_


@pytest.fixture
def window(no_dialogs: NoDialog, open_window: Callable[[], MainWindow]) -> MainWindow:
    return open_window()
