"""The loader fuzzed through the app: File → Open on mutated and random files.
Every file either opens (and the window shows it) or the message box shows the
one line the command line prints, and the previous document stays — with its
undo history and its unsaved edit."""

from __future__ import annotations

import copy
import json
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QMessageBox

from gradviz.model.fileformat import ModelError, load, to_dict
from gradviz.qt.main_window import MainWindow
from gradviz.qt.undo import SetEntryCommand

EXERCISE = to_dict(load("exercise3"))
#: How many files the window is asked to open.
FILES = 150
JUNK: list[Any] = [
    None,
    True,
    0,
    -1,
    2**70,
    1e308,
    0.5,
    "",
    "x" * 1000,
    [],
    {},
    [[1, 2], [3]],
    {"id": "P"},
    "P",
    ["E", "E"],
    [1e300, 1e300],
]


def mutated(rng: random.Random) -> Any:
    """exercise3 with one to three values replaced or deleted anywhere in it."""
    doc: Any = copy.deepcopy(EXERCISE)
    for _ in range(rng.randint(1, 3)):
        target, key = doc, None
        while True:  # walk down to a random place
            if isinstance(target, dict) and target:
                key = rng.choice(sorted(target))
            elif isinstance(target, list) and target:
                key = rng.randrange(len(target))
            else:
                key = None
                break
            child = target[key]
            if isinstance(child, (dict, list)) and child and rng.random() < 0.6:
                target = child
                continue
            break
        if key is None:
            continue
        if rng.random() < 0.3:
            del target[key]
        else:
            target[key] = copy.deepcopy(rng.choice(JUNK))
    return doc


def raw_text(rng: random.Random) -> bytes:
    """Truncated, non-JSON or non-UTF-8 bytes."""
    text = json.dumps(EXERCISE).encode()
    return rng.choice(
        [
            text[: rng.randrange(len(text))],
            bytes(rng.randrange(256) for _ in range(rng.randint(0, 200))),
            b"[" * 50_000,
            b"\xef\xbb\xbf" + text,
            text.replace(b"3", b"NaN", 1),
        ]
    )


@pytest.fixture
def window(qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[MainWindow]:
    monkeypatch.setenv("GRADVIZ_AUTOSAVE_DIR", str(tmp_path / "autosave"))
    monkeypatch.setattr(QMessageBox, "question", lambda *a: QMessageBox.StandardButton.Cancel)
    w = MainWindow(settings=QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(w, before_close_func=lambda w: w.undo_stack.setClean())
    yield w


@pytest.mark.qt_log_level_fail("WARNING")
@pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")
def test_open_survives_fuzzed_files(
    window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "critical", lambda p, t, text, *a: shown.append(text))
    rng = random.Random(8)
    opened = refused = 0
    for k in range(FILES):
        path = tmp_path / f"fuzz{k}.json"
        if k % 3 == 2:
            path.write_bytes(raw_text(rng))
        else:
            path.write_text(json.dumps(mutated(rng)), encoding="utf-8")
        try:
            load(path)
            expected = None
        except ModelError as e:
            expected = str(e)
        # an edit in the history, which a refused file must leave alone
        leaf = next(n for n in window.doc.network.nodes if n.value is not None)
        assert leaf.value is not None
        index = (0,) * leaf.value.ndim
        window.undo_stack.push(SetEntryCommand(window.doc, leaf.id, index, 0.5))
        before, count = window.doc, window.undo_stack.count()
        window.undo_stack.setClean()  # so that Open does not ask (the answer would be Cancel)
        ok = window.open_file(str(path))
        if expected is None:
            assert ok and window.doc.path == path.resolve(), k
            opened += 1
        else:
            assert not ok, k
            assert shown[-1] == expected and "\n" not in expected, k
            assert window.doc is before and window.undo_stack.count() == count, k
            refused += 1
    print(f"\n{FILES} fuzzed files through File → Open: {opened} opened, {refused} refused")
    assert opened > 0 and refused > FILES // 2
