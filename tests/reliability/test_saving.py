"""Nothing lost when saving: every save is atomic; a save that fails (read-only
folder, full disk, a value no file can hold) says why in one sentence through the
window's Save / Save As, keeps the document marked modified and leaves the old
file byte for byte; the undo history survives saving, and saving marks its
clean state."""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from PySide6.QtWidgets import QFileDialog, QMessageBox

import gradviz
from gradviz.model import fileformat
from gradviz.qt.main_window import MainWindow
from gradviz.qt.undo import SetEntryCommand


class Errors:
    def __init__(self) -> None:
        self.shown: list[str] = []
        self.save_path = ""


@pytest.fixture
def errors(monkeypatch: pytest.MonkeyPatch) -> Errors:
    e = Errors()
    monkeypatch.setattr(
        QMessageBox, "critical", lambda parent, title, text, *a: e.shown.append(text)
    )
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (e.save_path, ""))
    return e


@pytest.fixture
def saved(window: MainWindow, tmp_path: Path) -> Path:
    """The window's document saved to ``work/net.json`` (the old file to keep intact)."""
    folder = tmp_path / "work"
    folder.mkdir()
    assert window.save_as(str(folder / "net.json"))
    return folder / "net.json"


@contextmanager
def read_only(folder: Path) -> Iterator[None]:
    """Make ``folder`` refuse new files: chmod, and for root (whom chmod does not
    stop) the immutable attribute; skips when neither works here."""
    folder.chmod(0o555)
    probe = folder / ".probe"
    try:
        probe.write_text("")
    except OSError:
        try:
            yield
        finally:
            folder.chmod(0o755)
        return
    probe.unlink()
    chattr = shutil.which("chattr")
    if chattr is None or subprocess.run([chattr, "+i", str(folder)]).returncode != 0:
        folder.chmod(0o755)
        pytest.skip("cannot make a folder read-only here (root, no chattr)")
    try:
        yield
    finally:
        subprocess.run([chattr, "-i", str(folder)], check=True)
        folder.chmod(0o755)


def _full_disk(monkeypatch: pytest.MonkeyPatch) -> None:
    """The save's write fails as on a full disk (after the temporary file exists)."""
    real = os.fdopen

    class Full:
        def __init__(self, fh) -> None:
            self.fh = fh

        def __enter__(self):
            return self

        def __exit__(self, *exc) -> None:
            self.fh.close()

        def write(self, text: str) -> int:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(fileformat.os, "fdopen", lambda fd, *a, **k: Full(real(fd, *a, **k)))


def _no_temp_files(folder: Path) -> bool:
    return [p.name for p in folder.iterdir() if p.name.endswith(".tmp")] == []


def test_save_into_a_read_only_folder(window, saved, errors, qtbot) -> None:
    before = saved.read_bytes()
    window.undo_stack.push(SetEntryCommand(window.doc, "P", (0, 0), 4.0))
    with read_only(saved.parent):
        window.actions_by_name["save"].trigger()
        errors.save_path = str(saved.parent / "other.json")
        window.actions_by_name["save_as"].trigger()
    assert len(errors.shown) == 2
    for text in errors.shown:
        assert "\n" not in text and "cannot be written" in text
        assert "Permission denied" in text or "Operation not permitted" in text
    assert errors.shown[0].startswith(str(saved.resolve()))
    assert errors.shown[1].startswith(str(saved.parent / "other.json"))
    assert window.isWindowModified() and window.windowTitle() == "net.json[*] — gradviz"
    assert saved.read_bytes() == before
    assert not (saved.parent / "other.json").exists() and _no_temp_files(saved.parent)
    assert window.doc.path == saved.resolve()
    assert window.undo_stack.count() == 1  # the history is still there
    window.undo_stack.undo()
    assert window.doc.network.node("P").value[0, 0] == 3


def test_save_on_a_full_disk(window, saved, errors, monkeypatch, qtbot) -> None:
    before = saved.read_bytes()
    window.undo_stack.push(SetEntryCommand(window.doc, "Q", (1, 2), -1.0))
    _full_disk(monkeypatch)
    window.actions_by_name["save"].trigger()
    errors.save_path = str(saved.parent / "copy.json")
    window.actions_by_name["save_as"].trigger()
    monkeypatch.undo()
    assert errors.shown == [
        f"{saved.resolve()}: cannot be written (No space left on device)",
        f"{saved.parent / 'copy.json'}: cannot be written (No space left on device)",
    ]
    assert window.isWindowModified()
    assert saved.read_bytes() == before
    assert sorted(p.name for p in saved.parent.iterdir()) == ["net.json"]  # no half file
    assert window.doc.path == saved.resolve()  # Save As failed: still the old path
    window.actions_by_name["save"].trigger()  # space again: the same Save now works
    assert not window.isWindowModified()
    assert gradviz.load(saved).node("Q").value[1, 2] == -1


def test_a_network_with_inf_is_not_saved(window, saved, errors) -> None:
    before = saved.read_bytes()
    window.undo_stack.push(SetEntryCommand(window.doc, "P", (1, 1), float("inf")))
    assert not window.save()
    (text,) = errors.shown
    assert text == (
        f"{saved.resolve()}: not saved, because node 'P': 'value' holds inf at "
        "[1][1]; a network file holds finite numbers only"
    )
    assert window.isWindowModified() and saved.read_bytes() == before
    assert _no_temp_files(saved.parent)


def test_save_marks_the_clean_state(window, saved, errors) -> None:
    stack = window.undo_stack
    stack.push(SetEntryCommand(window.doc, "E", (1,), 2.0))
    assert window.isWindowModified()
    assert window.save()
    assert stack.isClean() and not window.isWindowModified()
    assert stack.count() == 1  # saving keeps the history
    stack.undo()
    assert window.isWindowModified() and window.doc.network.node("E").value[1] == -1
    stack.redo()
    assert stack.isClean() and not window.isWindowModified()
    assert window.doc.network.node("E").value[1] == 2
    assert gradviz.load(saved).node("E").value[1] == 2
    stack.undo()  # a new edit after an undo drops the saved state from the history
    stack.push(SetEntryCommand(window.doc, "E", (1,), 5.0))
    assert window.isWindowModified()
    assert stack.cleanIndex() == -1 and not stack.isClean()


def test_the_history_survives_every_non_document_operation(window, tmp_path, errors) -> None:
    """Saving, failed saves, exports, autosaves, display options and steps all leave
    the earlier undo entries in place, each one still undoing what it did."""
    stack = window.undo_stack
    stack.push(SetEntryCommand(window.doc, "P", (0, 0), 2.0))
    assert window.save_as(str(tmp_path / "a.json"))
    assert not window.save_as(str(tmp_path / "missing" / "a.json"))
    window.training.lr_edit.setText("1/2")
    assert window.training.step()
    assert window.autosaver.save_now() is not None
    window.set_options(window.options.with_(exact=False, theme="dark"))
    from gradviz.qt.render import export_file

    export_file(window.doc.network, tmp_path / "a.svg")
    window.view.zoom_in()
    assert stack.count() == 2
    stack.undo()
    stack.undo()
    assert window.doc.network.node("P").value[0, 0] == 3
    assert gradviz.load(tmp_path / "a.json").node("P").value[0, 0] == 2
    stack.redo()
    assert stack.isClean()  # back at the saved state
