"""``gradviz export`` on a disk that fills up: the export fails with one line on
stderr, and the file it would have replaced is left byte for byte, with no
temporary file beside it. The disk is "full" for real: the child process may not
write files larger than 1 kB (``RLIMIT_FSIZE``), so its writes fail half-way with
EFBIG, as they would with ENOSPC."""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
from pathlib import Path

import pytest

OLD = b"last week's export, which a failed export must leave alone\n"


def small_files_only() -> None:
    """In the child: files stop growing at 1 kB (and the signal is ignored, so the
    write fails with an error instead of killing the process)."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (1024, 1024))


def export_on_a_full_disk(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "gradviz", "export", "exercise3", *args],
        preexec_fn=small_files_only,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )


@pytest.mark.parametrize("name", ["graph.png", "graph.svg", "graph.pdf", "graph.tex"])
def test_a_failed_export_keeps_the_old_file(tmp_path: Path, name: str) -> None:
    out = tmp_path / name
    out.write_bytes(OLD)
    proc = export_on_a_full_disk("-o", str(out))
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr == f"gradviz: error: {out}: cannot be written (File too large)\n"
    assert out.read_bytes() == OLD
    assert [p.name for p in tmp_path.iterdir()] == [name]


@pytest.mark.parametrize("name", ["walk.pdf", "walk.tex"])
def test_a_failed_walk_export_keeps_the_old_file(tmp_path: Path, name: str) -> None:
    out = tmp_path / name
    out.write_bytes(OLD)
    proc = export_on_a_full_disk("--walk", "-o", str(out))
    assert proc.returncode == 2
    assert proc.stderr == f"gradviz: error: {out}: cannot be written (File too large)\n"
    assert out.read_bytes() == OLD
    assert [p.name for p in tmp_path.iterdir()] == [name]


def test_without_the_limit_the_same_export_succeeds(tmp_path: Path) -> None:
    """(The control: it is the full disk, not the command, that fails above.)"""
    out = tmp_path / "graph.png"
    out.write_bytes(OLD)
    proc = subprocess.run(
        [sys.executable, "-m", "gradviz", "export", "exercise3", "-o", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert proc.returncode == 0 and proc.stdout == f"wrote {out}\n"
    assert out.read_bytes().startswith(b"\x89PNG")
