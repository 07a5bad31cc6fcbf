"""The real command line in a subprocess, for the CLI tests."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

#: Nothing of the caller's environment but a PATH, and UTF-8 output whatever the locale.
CLEAN_ENV = {"PATH": "/usr/bin:/bin", "PYTHONIOENCODING": "utf-8"}
#: CLEAN_ENV for the commands that draw (Qt without a display).
OFFSCREEN_ENV = {**CLEAN_ENV, "QT_QPA_PLATFORM": "offscreen"}


def run_gradviz(
    *args: str, cwd: Path | None = None, env: Mapping[str, str] = CLEAN_ENV, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """``python -m gradviz ARGS`` in ``cwd`` with only ``env``; stdout and stderr
    captured as text; the exit status is the caller's to check."""
    return subprocess.run(
        [sys.executable, "-m", "gradviz", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=dict(env),
    )


def app_env(tmp_path: Path, display: bool = True) -> dict[str, str]:
    """The caller's environment for the app, its settings and autosaves in
    ``tmp_path``; without ``display``, no display at all (nor offscreen)."""
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env["XDG_CONFIG_HOME"] = str(tmp_path / "config")  # QSettings stays in the test folder
    env["GRADVIZ_AUTOSAVE_DIR"] = str(tmp_path / "autosave")
    if display:
        env["QT_QPA_PLATFORM"] = "offscreen"
    else:
        env.pop("QT_QPA_PLATFORM", None)
    return env
