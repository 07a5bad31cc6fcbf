"""The one atomic writer: old permissions kept, new files readable by others as the
umask allows (not mkstemp's private 0600), nothing left behind on failure."""

import os
import stat
from pathlib import Path

import pytest

from gradviz.model.atomic import write_text_atomic
from gradviz.model.fileformat import load, save


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_new_file_follows_the_umask(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        save(load("exercise3"), tmp_path / "net.json")
    finally:
        os.umask(old)
    assert mode(tmp_path / "net.json") == 0o644


def test_overwrite_keeps_the_old_mode(tmp_path: Path) -> None:
    path = tmp_path / "notes.tex"
    path.write_text("old")
    path.chmod(0o640)
    write_text_atomic(path, "new")
    assert path.read_text() == "new" and mode(path) == 0o640


def test_failure_leaves_old_file_and_no_temp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "keep.txt"
    path.write_text("old")

    def refuse(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(OSError):
        write_text_atomic(path, "new")
    assert path.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["keep.txt"]
