"""``gradviz [open] FILE``: a bad file is one line on stderr and exit 2 before any
window; a good one opens the app (here headless, closed by --quit-after-ms)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from cli_support import app_env, run_gradviz

import gradviz


def run_app(*args: str, tmp_path: Path, display: bool = True) -> subprocess.CompletedProcess[str]:
    return run_gradviz(*args, env=app_env(tmp_path, display))


@pytest.mark.parametrize("verb", [(), ("open",)])
def test_a_bad_file_is_one_line_and_exit_2(tmp_path: Path, verb: tuple[str, ...]) -> None:
    bad = tmp_path / "BAD.json"
    bad.write_text('{"format": "gradviz", "version": 1, "nodes": []}')
    r = run_app(*verb, str(bad), tmp_path=tmp_path)
    assert r.returncode == 2
    assert r.stdout == ""
    assert r.stderr == f"gradviz: error: {bad}: key 'nodes' must be a non-empty list\n"


def test_a_missing_file_is_one_line_and_exit_2(tmp_path: Path) -> None:
    r = run_app("open", str(tmp_path / "nope.json"), tmp_path=tmp_path)
    assert r.returncode == 2
    assert r.stderr.count("\n") == 1 and "no such file or bundled example" in r.stderr
    assert "Traceback" not in r.stderr


def test_without_a_display_it_says_so_in_one_line(tmp_path: Path) -> None:
    r = run_app("open", "exercise3", tmp_path=tmp_path, display=False)
    assert r.returncode == 2
    assert r.stderr.startswith("gradviz: error: no display") and r.stderr.count("\n") == 1


def test_opens_a_file_and_quits_after_the_given_time(tmp_path: Path) -> None:
    path = tmp_path / "net.json"
    gradviz.save(gradviz.load("exercise3"), path)
    r = run_app("open", str(path), "--quit-after-ms", "300", tmp_path=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "Traceback" not in r.stderr
    settings = tmp_path / "config" / "gradviz" / "gradviz.conf"
    assert settings.is_file() and "geometry" in settings.read_text()


def test_the_app_module_refuses_a_bad_path_itself(tmp_path: Path, capsys) -> None:
    from gradviz.qt.app import main

    assert main(str(tmp_path / "nope.json"), []) == 2
    assert capsys.readouterr().err.startswith("gradviz: error: ")


def test_app_options_without_the_verb_open_the_app() -> None:
    """`gradviz --quit-after-ms N` means `gradviz open --quit-after-ms N`."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    proc = run_gradviz("--quit-after-ms", "200", env=env, timeout=60)
    assert proc.returncode == 0, proc.stderr
