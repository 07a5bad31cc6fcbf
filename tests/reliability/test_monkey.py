"""Nothing crashes: a monkey drives the main window through thousands of random
actions — edits (as commands and typed into the canvas editor, refused texts
included), undo, redo, steps and runs, node selection, zoom, exports, opening
random networks from the builder, new from an example, display options, loss
targets, node moves, saves — with any Qt warning failing the test; and memory
stays flat over 2,000 edits.

``GRADVIZ_MONKEY_ACTIONS`` (default 2000) and ``GRADVIZ_MONKEY_SEED`` (default 0)
choose a longer or different run."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from monkey_support import Monkey, random_networks, settle
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QMessageBox

from gradviz.qt.main_window import MainWindow
from gradviz.qt.undo import SetEntryCommand

ACTIONS = int(os.environ.get("GRADVIZ_MONKEY_ACTIONS", "2000"))
SEED = int(os.environ.get("GRADVIZ_MONKEY_SEED", "0"))
#: The offscreen platform says this when a window is shown; it is not gradviz's.
OFFSCREEN_NOTE = "This plugin does not support propagateSizeHints"


@pytest.fixture
def window(qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[MainWindow]:
    monkeypatch.setenv("GRADVIZ_AUTOSAVE_DIR", str(tmp_path / "autosave"))
    errors: list[str] = []
    monkeypatch.setattr(QMessageBox, "question", lambda *a: QMessageBox.StandardButton.Discard)
    monkeypatch.setattr(QMessageBox, "critical", lambda p, t, text, *a: errors.append(text))
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    w = MainWindow(settings=settings)
    w.errors = errors  # type: ignore[attr-defined]
    qtbot.addWidget(w, before_close_func=lambda w: w.undo_stack.setClean())
    w.resize(1280, 800)
    w.show()
    qtbot.waitExposed(w)
    yield w


@pytest.mark.slow
@pytest.mark.qt_log_level_fail("WARNING")
@pytest.mark.qt_log_ignore(OFFSCREEN_NOTE)
def test_thousands_of_random_actions(window: MainWindow, tmp_path: Path) -> None:
    files = random_networks(tmp_path, 12, SEED)
    monkey = Monkey(window, SEED, tmp_path, files)
    counts = monkey.run(ACTIONS)
    assert sum(counts.values()) == ACTIONS
    assert len(counts) >= 14  # (nearly) every kind of action was taken
    # the only errors shown were saves refused for values no file can hold
    assert all("not saved, because" in e for e in window.errors), window.errors  # type: ignore[attr-defined]
    # the window still works: an edit, its undo, a fresh evaluation
    nid = window.doc.network.param_ids[0] if window.doc.network.param_ids else "E"
    print(f"\nmonkey seed {SEED}: {ACTIONS} actions survived: {dict(sorted(counts.items()))}")
    before = window.doc.network.node(nid).value.copy()
    window.undo_stack.push(SetEntryCommand(window.doc, nid, (0,) * before.ndim, 0.5))
    assert window.doc.network.node(nid).value.flat[0] == 0.5
    window.undo_stack.undo()
    assert np.array_equal(window.doc.network.node(nid).value, before, equal_nan=True)


def rss_mb() -> float:
    """This process's resident memory (``VmRSS`` in /proc/self/status), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    pytest.skip("no /proc/self/status here")


def _edit(window: MainWindow, k: int) -> None:
    """Edit number ``k``: alternately a command and a value typed in the editor."""
    index = ((k // 2) % 3, k % 2)
    if k % 2:
        editor = window.scene.open_editor("P", index)
        assert editor is not None
        editor.setText(f"{k % 7}/4")
        editor.committed.emit(editor.text())
    else:
        window.undo_stack.push(SetEntryCommand(window.doc, "P", index, (k % 11) / 2))
    if k % 10 == 9:
        window.undo_stack.undo()
        window.undo_stack.redo()
    settle()


@pytest.mark.slow
@pytest.mark.qt_log_level_fail("WARNING")
@pytest.mark.qt_log_ignore(OFFSCREEN_NOTE)
def test_memory_growth_over_2000_edits(window: MainWindow) -> None:
    """Half the edits are commands, half typed into the canvas editor; every tenth
    is undone and redone; the inspector shows z, so it follows every edit too."""
    window.inspector.set_node("z")
    for k in range(100):  # warm-up: caches, fonts, the first allocations
        _edit(window, k)
    gc.collect()
    settle()
    start = rss_mb()
    for k in range(100, 2100):
        _edit(window, k)
    gc.collect()
    settle()
    growth = rss_mb() - start
    print(f"\nRSS growth over 2000 edits: {growth:.1f} MB (from {start:.0f} MB)")
    assert window.undo_stack.count() == 2100  # the whole history is kept
    assert growth < 20, f"memory grew by {growth:.1f} MB over 2000 edits"


def test_closed_editors_are_freed(window: MainWindow) -> None:
    from gradviz.qt.canvas.entry_editor import EntryEditor

    def editors() -> int:
        gc.collect()
        settle()
        return sum(isinstance(o, EntryEditor) for o in gc.get_objects())

    before = editors()  # earlier tests' scenes may still hold theirs
    for k in range(50):
        _edit(window, 2 * k + 1)  # odd k: typed into the editor
    added = editors() - before
    assert added <= 1, f"{added} closed editors are still referenced"


TINY_CANVAS = """
import os, sys
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication
app = QApplication([])
from gradviz.qt.main_window import MainWindow
from gradviz.qt.undo import SetEntryCommand
w = MainWindow(settings=QSettings(sys.argv[1], QSettings.Format.IniFormat))
w.resize(1280, 800)
w.show()
for _ in range(3):
    app.processEvents()
w.resizeDocks([w.jacobian_dock], [640], Qt.Orientation.Vertical)  # the canvas: a sliver
for _ in range(3):
    app.processEvents()
print("viewport", w.view.viewport().height(), flush=True)
w.undo_stack.push(SetEntryCommand(w.doc, "P", (0, 0), 2.0))
for _ in range(3):
    app.processEvents()
print("edited", flush=True)
w.undo_stack.setClean()
"""


def test_a_sliver_of_canvas_does_not_freeze_the_app(tmp_path: Path) -> None:
    """Run in a child process: a freeze must fail this test, not hang the suite."""
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "GRADVIZ_AUTOSAVE_DIR": str(tmp_path / "autosave"),
    }
    try:
        proc = subprocess.run(
            [sys.executable, "-c", TINY_CANVAS, str(tmp_path / "s.ini")],
            capture_output=True,
            text=True,
            timeout=30,
            env=env,
        )
    except subprocess.TimeoutExpired as e:
        raise AssertionError(f"the window froze after an edit: {e.stdout!r}") from None
    assert proc.returncode == 0 and "edited" in proc.stdout, proc.stderr[-2000:]
