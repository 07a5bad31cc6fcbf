"""Nothing lost: a real gradviz process is killed with SIGKILL mid-edit; the next
start offers its autosaved copy and Restore brings the edit back, with the
original path and marked modified. Discard, Later and Compare behave as they
say; a saved or cleanly closed document leaves no copy behind."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton

import gradviz
from gradviz.model.autosave import AutosaveStore
from gradviz.qt import autosave
from gradviz.qt.app import open_windows
from gradviz.qt.documents import load_document
from gradviz.qt.main_window import MainWindow
from gradviz.qt.undo import SetEntryCommand

HERE = Path(__file__).parent
ROOT = HERE.parent.parent


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The autosave folder of this test (what GRADVIZ_AUTOSAVE_DIR points to)."""
    f = tmp_path / "autosave"
    monkeypatch.setenv("GRADVIZ_AUTOSAVE_DIR", str(f))
    return f


@pytest.fixture
def settings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def windows(qtbot) -> Iterator[list[MainWindow]]:
    """Windows a test opens; closed without questions at the end."""
    opened: list[MainWindow] = []
    yield opened
    for w in opened:
        w.undo_stack.setClean()
        w.close()


def crash_after_copy(
    tmp_path: Path, folder: Path, net_file: Path, action: str, interval_ms: str
) -> dict:
    """Start ``python -m gradviz net_file``, let it make ``action``, wait for its
    autosaved copy, kill it with SIGKILL; returns the copy's JSON."""
    env = dict(
        os.environ,
        QT_QPA_PLATFORM="offscreen",
        GRADVIZ_AUTOSAVE_DIR=str(folder),
        GRADVIZ_AUTOSAVE_MS=interval_ms,
        CRASH_ACTION=action,
        XDG_CONFIG_HOME=str(tmp_path / "config"),
        PYTHONPATH=os.pathsep.join([str(HERE), str(ROOT)]),
    )
    proc = subprocess.Popen(
        [sys.executable, str(HERE / "crash_launcher.py"), str(net_file)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        copy: dict = {}
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and proc.poll() is None:
            files = list(folder.glob("*.autosave.gradviz.json"))
            if files:
                try:
                    copy = json.loads(files[0].read_text(encoding="utf-8"))
                    break
                except (OSError, ValueError):
                    pass  # renamed over while we read: try again
            time.sleep(0.05)
        ended = proc.poll() is not None
        assert copy, f"no autosaved copy; {proc.stderr.read().decode() if ended else 'running'}"
        assert copy["gradviz_autosave"]["pid"] == proc.pid
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)  # the crash: no clean-up runs
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    return copy


def test_killed_mid_edit_then_restored(
    qtbot, tmp_path, folder, settings, windows, monkeypatch
) -> None:
    net_file = tmp_path / "lesson.json"
    gradviz.save(gradviz.load("exercise3"), net_file)
    before = net_file.read_bytes()
    copy = crash_after_copy(tmp_path, folder, net_file, "edit", "200")
    assert copy["gradviz_autosave"]["source"] == str(net_file.resolve())
    assert net_file.read_bytes() == before  # never over the user's file

    asked: list[str] = []

    def choose_restore(parent: object, entry: autosave.AutosaveEntry) -> str:
        asked.append(autosave.describe(entry))
        return "restore"

    monkeypatch.setattr(autosave, "ask_restore", choose_restore)
    windows += open_windows(load_document(str(net_file)), AutosaveStore(folder), settings)
    assert len(windows) == 1 and len(asked) == 1
    assert "lesson.json" in asked[0] and "closed unexpectedly" in asked[0]
    w = windows[0]
    assert w.doc.network.node("P").value[0, 0] == 7.0
    assert w.doc.path == net_file.resolve()
    assert w.isWindowModified() and w.windowTitle() == "lesson.json[*] — gradviz"
    assert w.jacobian_panel.theta_widget.texts()[0][0] == "7"
    # the dead process's copy is gone; this process holds its own copy now
    (entry,) = AutosaveStore(folder).entries()
    assert entry.pid == os.getpid() and entry.load().node("P").value[0, 0] == 7.0
    assert net_file.read_bytes() == before
    assert w.save()  # Save writes where the copy came from; the copy goes
    assert gradviz.load(net_file).node("P").value[0, 0] == 7.0
    assert not w.isWindowModified()
    assert AutosaveStore(folder).entries() == []


def test_killed_right_after_a_step_run(
    qtbot, tmp_path, folder, settings, windows, monkeypatch
) -> None:
    """A Step writes its copy at once, without waiting for the 30 s timer."""
    net_file = tmp_path / "steps.json"
    gradviz.save(gradviz.load("exercise3"), net_file)
    crash_after_copy(tmp_path, folder, net_file, "step", "30000")
    monkeypatch.setattr(autosave, "ask_restore", lambda parent, entry: "restore")
    # started without a file: the restored copy takes the first window's place
    windows += open_windows(load_document("exercise3"), AutosaveStore(folder), settings)
    assert len(windows) == 1
    stepped = gradviz.load("exercise3")
    grad = stepped.evaluate().gradient
    expected = stepped.theta - grad  # Θ − 1·∇l(Θ)
    assert np.array_equal(windows[0].doc.network.theta, expected)
    assert windows[0].doc.network.node("P").value[0, 0] == 3 + 3 / 2
    assert windows[0].doc.path == net_file.resolve()


def orphan(folder: Path, p11: float, source: Path | None, pid: int = 999_999_999) -> Path:
    """A copy as a crashed process ``pid`` would have left it."""
    net = gradviz.load("exercise3")
    net.node("P").value[0, 0] = p11
    doc = json.loads(gradviz.model.fileformat.dumps(net))
    doc["gradviz_autosave"] = {
        "source": str(source) if source else None,
        "pid": pid,
        "saved_at": 1_700_000_000.0,
    }
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{pid}-1.autosave.gradviz.json"
    path.write_text(json.dumps(doc))
    return path


def test_discard_deletes_and_later_keeps(qtbot, folder, settings, windows, monkeypatch) -> None:
    copy = orphan(folder, 5, None)
    monkeypatch.setattr(autosave, "ask_restore", lambda parent, entry: "later")
    windows += open_windows(load_document("exercise3"), AutosaveStore(folder), settings)
    assert copy.exists() and windows[0].doc.network.node("P").value[0, 0] == 3
    assert not windows[0].isWindowModified()
    monkeypatch.setattr(autosave, "ask_restore", lambda parent, entry: "discard")
    windows += open_windows(load_document("exercise3"), AutosaveStore(folder), settings)
    assert not copy.exists()
    assert windows[1].doc.network.node("P").value[0, 0] == 3


def test_a_copy_of_another_file_opens_in_its_own_window(
    qtbot, tmp_path, folder, settings, windows, monkeypatch
) -> None:
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    gradviz.save(gradviz.load("exercise3"), a)
    gradviz.save(gradviz.load("exercise3"), b)
    orphan(folder, -4, b.resolve())
    monkeypatch.setattr(autosave, "ask_restore", lambda parent, entry: "restore")
    windows += open_windows(load_document(str(a)), AutosaveStore(folder), settings)
    assert len(windows) == 2
    assert windows[0].doc.path == a.resolve() and not windows[0].isWindowModified()
    assert windows[1].doc.path == b.resolve() and windows[1].isWindowModified()
    assert windows[1].doc.network.node("P").value[0, 0] == -4


def test_an_unreadable_copy_is_reported_and_kept(
    qtbot, folder, settings, windows, monkeypatch
) -> None:
    bad = orphan(folder, 5, None)
    data = json.loads(bad.read_text())
    data["nodes"][1]["op"] = "cube"
    bad.write_text(json.dumps(data))
    warnings: list[str] = []
    monkeypatch.setattr(autosave, "ask_restore", lambda parent, entry: "restore")
    monkeypatch.setattr(
        QMessageBox, "warning", lambda parent, title, text, *a: warnings.append(text)
    )
    windows += open_windows(load_document("exercise3"), AutosaveStore(folder), settings)
    assert len(warnings) == 1 and "unknown op" in warnings[0] and "\n" not in warnings[0]
    assert bad.exists() and windows[0].doc.network.node("P").value[0, 0] == 3


def test_compare_lists_the_changed_entries(tmp_path, folder) -> None:
    saved = tmp_path / "net.json"
    gradviz.save(gradviz.load("exercise3"), saved)
    orphan(folder, 3 / 4, saved)
    (entry,) = AutosaveStore(folder).orphans()
    assert autosave.compare_text(entry) == "Saved file → autosaved copy:\nP[1,1]: 3 → 3/4"
    saved.unlink()
    assert autosave.compare_text(entry) == "There is no saved file to compare with."


def test_the_real_dialog_compares_then_restores(qtbot, tmp_path, folder) -> None:
    """Click through the actual message boxes: Compare… shows the differences,
    then the question comes back and Restore answers it."""
    saved = tmp_path / "net.json"
    gradviz.save(gradviz.load("exercise3"), saved)
    orphan(folder, 2, saved)
    (entry,) = AutosaveStore(folder).orphans()
    seen: list[str] = []
    clicks = iter(["Compare…", "OK", "Restore"])

    def click_next() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, click_next)
            return
        seen.append(box.text())
        want = next(clicks)
        for button in box.findChildren(QPushButton):
            if button.text().replace("&", "") == want:
                if want != "Restore":
                    QTimer.singleShot(20, click_next)
                button.click()
                return
        raise AssertionError(f"no button {want!r} in {box.text()!r}")

    QTimer.singleShot(20, click_next)
    assert autosave.ask_restore(None, entry) == "restore"
    assert len(seen) == 3
    assert "net.json" in seen[0] and seen[1].endswith("P[1,1]: 3 → 2") and seen[2] == seen[0]


def test_saved_or_cleanly_closed_leaves_no_copy(
    qtbot, tmp_path, folder, settings, monkeypatch
) -> None:
    w = MainWindow(settings=settings)
    qtbot.addWidget(w)
    w.undo_stack.push(SetEntryCommand(w.doc, "E", (0,), 2.0))
    first = w.autosaver.save_now()
    assert first is not None and first.parent == folder
    w.undo_stack.undo()  # back to what is on disk: nothing to keep
    assert not first.exists()
    w.undo_stack.redo()
    assert w.autosaver.save_now() == first and first.exists()
    assert w.save_as(str(tmp_path / "kept.json"))
    assert not first.exists()
    w.undo_stack.push(SetEntryCommand(w.doc, "E", (0,), 3.0))
    assert w.autosaver.save_now() is not None
    monkeypatch.setattr(QMessageBox, "question", lambda *a: QMessageBox.StandardButton.Discard)
    assert w.close()
    assert list(folder.iterdir()) == []


def test_the_timer_writes_while_unsaved_only(qtbot, folder, settings) -> None:
    w = MainWindow(settings=settings)
    qtbot.addWidget(w, before_close_func=lambda w: w.undo_stack.setClean())
    w.autosaver.timer.setInterval(50)
    qtbot.wait(200)
    assert not folder.exists() or list(folder.iterdir()) == []  # clean: nothing written
    w.undo_stack.push(SetEntryCommand(w.doc, "P", (2, 1), 0.5))
    qtbot.waitUntil(lambda: w.autosaver.last_copy is not None, timeout=5000)
    assert w.autosaver.last_copy is not None
    assert AutosaveStore(folder).entries()[0].load().node("P").value[2, 1] == 0.5


def test_an_overflowed_network_keeps_the_last_finite_copy(qtbot, folder, settings) -> None:
    w = MainWindow(settings=settings)
    qtbot.addWidget(w, before_close_func=lambda w: w.undo_stack.setClean())
    notes: list[str] = []
    w.autosaver.noted.connect(notes.append)
    w.undo_stack.push(SetEntryCommand(w.doc, "P", (0, 0), 2.0))
    copy = w.autosaver.save_now()
    assert copy is not None
    w.doc.network.node("Q").value[0, 0] = float("inf")  # as a diverging run leaves it
    w.undo_stack.push(SetEntryCommand(w.doc, "P", (0, 0), 1.0))
    assert w.autosaver.save_now() is None
    assert len(notes) == 1 and notes[0].startswith("Autosave skipped: node 'Q'")
    assert w.statusBar().currentMessage() == notes[0]
    assert AutosaveStore(folder).entries()[0].load().node("P").value[0, 0] == 2.0


def test_an_unwritable_autosave_folder_is_a_status_note(
    qtbot, tmp_path, settings, monkeypatch
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv("GRADVIZ_AUTOSAVE_DIR", str(blocker / "autosave"))  # under a file
    w = MainWindow(settings=settings)
    qtbot.addWidget(w, before_close_func=lambda w: w.undo_stack.setClean())
    w.undo_stack.push(SetEntryCommand(w.doc, "P", (0, 0), 2.0))
    assert w.autosaver.save_now() is None
    assert w.autosaver.last_error is not None
    assert w.autosaver.last_error.startswith(f"Autosave to {blocker / 'autosave'} failed: ")
    assert w.statusBar().currentMessage() == w.autosaver.last_error


def test_a_smoke_run_does_not_stop_at_the_question(tmp_path, folder) -> None:
    """``--quit-after-ms`` (smoke tests, screenshots) leaves the copies for the
    next real start instead of waiting for an answer."""
    copy = orphan(folder, 5, None)
    env = dict(
        os.environ,
        QT_QPA_PLATFORM="offscreen",
        GRADVIZ_AUTOSAVE_DIR=str(folder),
        XDG_CONFIG_HOME=str(tmp_path / "config"),
    )
    proc = subprocess.run(
        [sys.executable, "-m", "gradviz", "--quit-after-ms", "300"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr
    assert copy.exists()
