"""Autosave store: copies go to their own folder, never over the user's file;
a copy left by a dead process is an orphan to restore; differences are listed."""

import errno
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from gradviz.model import autosave
from gradviz.model.autosave import AutosaveStore, default_folder, differences
from gradviz.model.fileformat import ModelError, dumps, load, save


def test_write_is_separate_from_the_users_file(tmp_path: Path) -> None:
    user = tmp_path / "net.json"
    net = load("exercise3")
    save(net, user)
    before = user.read_bytes()
    net.node("P").value[0, 0] = 7.0
    store = AutosaveStore(tmp_path / "autosave")
    copy = store.write(net, user, slot=1)
    assert copy.parent == tmp_path / "autosave"
    assert user.read_bytes() == before
    entry = store.entries()[0]
    assert entry.source == user and entry.pid == os.getpid()
    assert entry.load().node("P").value[0, 0] == 7.0
    assert store.orphans() == []  # this process is alive
    store.remove(1)
    assert store.entries() == []


def test_copy_of_a_dead_process_is_an_orphan(tmp_path: Path) -> None:
    folder = tmp_path / "autosave"
    code = (
        "from pathlib import Path; from gradviz.model.autosave import AutosaveStore;"
        "from gradviz.model.fileformat import load;"
        f"AutosaveStore(Path({str(folder)!r})).write(load('exercise3'), None, 3)"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
    orphans = AutosaveStore(folder).orphans()
    assert len(orphans) == 1 and orphans[0].source is None
    AutosaveStore(folder).discard(orphans[0])
    assert AutosaveStore(folder).entries() == []


def test_differences_lists_changed_entries() -> None:
    a, b = load("exercise3"), load("exercise3")
    b.node("P").value[1, 0] = 0.75
    b.node("l").attrs["index"] = 1
    assert differences(a, b) == ["P[2,1]: 1 → 3/4", "l: reads component 0 → 1"]
    assert differences(a, a) == []


def test_unreadable_copies_are_skipped(tmp_path: Path) -> None:
    store = AutosaveStore(tmp_path)
    (tmp_path / "1-1.autosave.gradviz.json").write_text("{not json")
    assert store.entries() == []


def test_a_network_with_inf_keeps_the_last_finite_copy(tmp_path: Path) -> None:
    store = AutosaveStore(tmp_path)
    net = load("exercise3")
    net.node("P").value[0, 0] = 5.0
    first = store.write(net, None, slot=2)
    assert first is not None and store.skipped is None
    net.node("P").value[0, 0] = float("inf")
    net.node("Q").value[1, 2] = float("nan")
    assert store.write(net, None, slot=2) is None
    assert store.skipped is not None
    assert store.skipped.startswith("Autosave skipped: node 'P': 'value' holds inf")
    assert "\n" not in store.skipped
    kept = store.entries()
    assert len(kept) == 1 and kept[0].load().node("P").value[0, 0] == 5.0
    net.node("P").value[0, 0] = 1.0
    net.node("Q").value[1, 2] = 4.0
    assert store.write(net, None, slot=2) == first and store.skipped is None


def test_a_failed_write_leaves_the_previous_copy_and_no_temp_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = AutosaveStore(tmp_path)
    net = load("exercise3")
    store.write(net, None, slot=1)
    net.node("E").value[0] = 9.0

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(autosave.os, "fsync", full)
    with pytest.raises(OSError, match="No space"):
        store.write(net, None, slot=1)
    monkeypatch.undo()
    assert [p.name for p in tmp_path.iterdir()] == [f"{os.getpid()}-1.autosave.gradviz.json"]
    assert store.entries()[0].load().node("E").value[0] == 1.0


def test_copies_without_a_live_writer_are_orphans(tmp_path: Path) -> None:
    store = AutosaveStore(tmp_path)
    doc = json.loads(dumps(load("exercise3")))
    doc["gradviz_autosave"] = {"source": "/somewhere/net.json", "pid": 0, "saved_at": 5.0}
    (tmp_path / "0-1.autosave.gradviz.json").write_text(json.dumps(doc))
    (orphan,) = store.orphans()
    assert orphan.source == Path("/somewhere/net.json") and orphan.saved_at == 5.0
    assert orphan.load().node("P").value[0, 0] == 3


def test_a_copy_that_does_not_validate_raises_one_line(tmp_path: Path) -> None:
    (tmp_path / "7-1.autosave.gradviz.json").write_text(
        '{"gradviz_autosave": {"pid": 7}, "format": "gradviz", "version": 1, "nodes": []}'
    )
    (entry,) = AutosaveStore(tmp_path).entries()
    with pytest.raises(ModelError) as e:
        entry.load()
    assert "\n" not in str(e.value) and "'nodes'" in str(e.value)
    entry.file.write_bytes(b"\xff\xfe")
    with pytest.raises(ModelError, match="cannot be read"):
        entry.load()


def test_the_folder_is_private_and_overridable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GRADVIZ_AUTOSAVE_DIR", str(tmp_path / "mine"))
    assert default_folder() == tmp_path / "mine"
    AutosaveStore().write(load("exercise3"), None, slot=1)
    assert (tmp_path / "mine").stat().st_mode & 0o777 == 0o700
    monkeypatch.delenv("GRADVIZ_AUTOSAVE_DIR")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert default_folder() == tmp_path / "xdg" / "gradviz" / "autosave"
