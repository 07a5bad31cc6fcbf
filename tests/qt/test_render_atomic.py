"""PNG, SVG and PDF exports, of the drawing and of the walk, are written atomically:
a write that fails half-way (a full disk) leaves the old file byte for byte and
no temporary file; a write that succeeds keeps the old file's permissions. The
app's Export… dialog says such a failure in one sentence."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from PySide6.QtGui import QImage
from test_export_dialog import choose, errors, export_to, open_dialog, window  # noqa: F401

import gradviz
from gradviz.model.network import Network
from gradviz.qt.main_window import MainWindow
from gradviz.qt.render import export_file
from gradviz.qt.walk_render import export_walk

OLD = b"the old export, which a failed write must not touch\n"


@pytest.fixture
def net() -> Network:
    return gradviz.load("exercise3")


def full_disk_after(monkeypatch: pytest.MonkeyPatch, files: int) -> list[str]:
    """``os.fsync`` succeeds for ``files`` files, then fails as a full disk does (the
    bytes already written to the temporary file); returns the names it was asked to
    sync, read from the descriptor."""
    synced: list[str] = []
    real = os.fsync

    def fsync(fd: int) -> None:
        synced.append(os.readlink(f"/proc/self/fd/{fd}"))
        if len(synced) > files:
            raise OSError(28, "No space left on device")
        real(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    return synced


def listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


@pytest.mark.parametrize("suffix", [".png", ".svg", ".pdf"])
def test_a_failed_picture_export_leaves_the_old_file_and_no_temporary(
    qapp, net, tmp_path, monkeypatch, suffix
):
    path = tmp_path / f"graph{suffix}"
    path.write_bytes(OLD)
    path.chmod(0o640)
    synced = full_disk_after(monkeypatch, 0)
    with pytest.raises(OSError, match="No space left on device"):
        export_file(net, path, scale=2)
    assert path.read_bytes() == OLD
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert listing(tmp_path) == [path.name]
    # the picture was written in full to a temporary file beside the target first
    assert len(synced) == 1 and Path(synced[0]).parent == tmp_path
    assert Path(synced[0]).name.startswith(f".{path.name}.")


@pytest.mark.parametrize("suffix", [".png", ".svg", ".pdf"])
def test_a_picture_export_replaces_the_old_file_and_keeps_its_mode(qapp, net, tmp_path, suffix):
    path = tmp_path / f"graph{suffix}"
    path.write_bytes(OLD)
    path.chmod(0o604)
    export_file(net, path)
    data = path.read_bytes()
    magic = {".png": b"\x89PNG\r\n\x1a\n", ".svg": b"<?xml", ".pdf": b"%PDF-"}[suffix]
    assert data.startswith(magic) and len(data) > 2000
    assert stat.S_IMODE(path.stat().st_mode) == 0o604
    assert listing(tmp_path) == [path.name]


def test_a_new_picture_follows_the_umask(qapp, net, tmp_path):
    old = os.umask(0o027)
    try:
        export_file(net, tmp_path / "new.png")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "new.png").stat().st_mode) == 0o640
    assert not QImage(str(tmp_path / "new.png")).isNull()


def test_a_failed_walk_pdf_leaves_the_old_file(qapp, net, tmp_path, monkeypatch):
    path = tmp_path / "walk.pdf"
    path.write_bytes(OLD)
    full_disk_after(monkeypatch, 0)
    with pytest.raises(OSError, match="No space left on device"):
        export_walk(net, path)
    assert path.read_bytes() == OLD and listing(tmp_path) == ["walk.pdf"]


@pytest.mark.parametrize("suffix", [".png", ".svg"])
def test_a_walk_series_failing_at_its_third_file_keeps_that_files_old_bytes(
    qapp, net, tmp_path, monkeypatch, suffix
):
    names = [f"walk-{k:02d}{suffix}" for k in range(1, 12)]
    for name in names:
        (tmp_path / name).write_bytes(OLD)
    full_disk_after(monkeypatch, 2)
    with pytest.raises(OSError, match="No space left on device"):
        export_walk(net, tmp_path / f"walk{suffix}", scale=0.5)
    assert listing(tmp_path) == names  # no temporary file left
    written = [(tmp_path / n).read_bytes() != OLD for n in names]
    assert written == [True, True] + [False] * 9  # the first two are new; none is cut short


def test_the_export_dialog_says_a_full_disk_in_one_sentence(
    qtbot,
    window: MainWindow,  # noqa: F811
    monkeypatch,
    tmp_path,
    errors: list[str],  # noqa: F811
) -> None:
    target = tmp_path / "slide.pdf"
    target.write_bytes(OLD)
    dialog = open_dialog(qtbot, window)
    choose(qtbot, dialog.format_combo, 2)  # PDF
    assert dialog.options().fmt == "pdf"
    full_disk_after(monkeypatch, 0)
    export_to(qtbot, monkeypatch, dialog, target)
    assert errors == [f"Cannot write {target}: no space left on device."]
    assert dialog.isVisible() and target.read_bytes() == OLD
    assert set(listing(tmp_path)) - {"settings.ini"} == {"slide.pdf"}  # no temporary file
