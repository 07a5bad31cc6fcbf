"""The reliability tests' shared fixture: a main window of its own."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

from gradviz.qt.main_window import MainWindow


@pytest.fixture
def window(qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[MainWindow]:
    """The main window on exercise3, not shown yet, with its own settings file and
    autosave folder; closed at the end without a question."""
    monkeypatch.setenv("GRADVIZ_AUTOSAVE_DIR", str(tmp_path / "autosave"))
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    w = MainWindow(settings=settings)
    qtbot.addWidget(w, before_close_func=lambda w: w.undo_stack.setClean())
    yield w
