"""``gradviz [open] FILE`` reads and parses the file once: the command line reads
it to refuse a bad file before any window (and before asking for a display), and
the window gets that network rather than reading the file again. A bad file still
gives its one sentence and exit 2.

The real command line runs in a subprocess that counts every ``open()`` of the
file (``Path.read_bytes`` and ``read_text`` go through ``io.open``) and every
JSON parse (:func:`gradviz.model.fileformat.loads`)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from cli_support import app_env

import gradviz
from gradviz.model.examples import example_path

COUNTING = """
import builtins, io, os, sys
from pathlib import Path

target = Path(sys.argv[1]).resolve()
opens = []
real_open = io.open

def counting_open(file, *args, **kwargs):
    if isinstance(file, (str, os.PathLike)) and Path(file).resolve() == target:
        opens.append(file)
    return real_open(file, *args, **kwargs)

builtins.open = io.open = counting_open
import gradviz.model.fileformat as fileformat

parses = []
real_loads = fileformat.loads

def counting_loads(text, where="<text>"):
    parses.append(where)
    return real_loads(text, where)

fileformat.loads = counting_loads
from gradviz.cli import main

status = main(sys.argv[2:])
print(f"opens={len(opens)} parses={len(parses)}")
sys.exit(status)
"""


def counted_run(
    tmp_path: Path, target: Path, *args: str, display: bool = True
) -> subprocess.CompletedProcess[str]:
    """``gradviz ARGS`` in a subprocess; its stdout ends with the counts for ``target``."""
    return subprocess.run(
        [sys.executable, "-c", COUNTING, str(target), *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=app_env(tmp_path, display),
    )


@pytest.mark.parametrize("verb", [(), ("open",)])
def test_a_good_file_is_read_and_parsed_once(tmp_path: Path, verb: tuple[str, ...]) -> None:
    path = tmp_path / "net.json"
    gradviz.save(gradviz.load("exercise3"), path)
    r = counted_run(tmp_path, path, *verb, str(path), "--quit-after-ms", "200")
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[-1] == "opens=1 parses=1"
    assert "Traceback" not in r.stderr


def test_a_bundled_example_is_read_and_parsed_once(tmp_path: Path) -> None:
    example = example_path("exercise3")
    assert example is not None
    r = counted_run(tmp_path, example, "open", "exercise3", "--quit-after-ms", "200")
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[-1] == "opens=1 parses=1"


def test_a_bad_file_is_read_once_and_still_one_sentence(tmp_path: Path) -> None:
    bad = tmp_path / "BAD.json"
    bad.write_text('{"format": "gradviz", "version": 1, "nodes": []}')
    r = counted_run(tmp_path, bad, "open", str(bad))
    assert r.returncode == 2
    assert r.stdout == "opens=1 parses=1\n"
    assert r.stderr == f"gradviz: error: {bad}: key 'nodes' must be a non-empty list\n"


def test_without_a_display_a_good_file_is_read_once_then_refused(tmp_path: Path) -> None:
    path = tmp_path / "net.json"
    gradviz.save(gradviz.load("exercise3"), path)
    r = counted_run(tmp_path, path, "open", str(path), display=False)
    assert r.returncode == 2 and r.stdout == "opens=1 parses=1\n"
    assert r.stderr.startswith("gradviz: error: no display") and r.stderr.count("\n") == 1
