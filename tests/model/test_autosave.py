"""Autosave store: copies go to their own folder, never over the user's file;
a copy left by a dead process is an orphan to restore; differences are listed."""

import os
import subprocess
import sys
from pathlib import Path

from gradviz.model.autosave import AutosaveStore, differences
from gradviz.model.fileformat import load, save


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
