"""Start-up stays light: the main window on exercise3 is built and painted without
importing networkx, the export machinery (renderers, TikZ, worked solutions,
Qt SVG) or anything else the first paint does not need. Each check runs in a
fresh Python process, as a user's start does."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

#: Modules the first paint must not import (they load when their feature is used).
NOT_AT_START = (
    "networkx",
    "scipy",
    "gradviz.export.tikz",
    "gradviz.export.solution",
    "gradviz.qt.render",
    "gradviz.qt.export_dialog",
    "PySide6.QtSvg",
    "PySide6.QtPrintSupport",
)

SCRIPT = textwrap.dedent(
    """
    import json, sys
    from PySide6.QtCore import QSettings
    from gradviz.qt.app import application
    from gradviz.qt.documents import load_document
    from gradviz.qt.main_window import MainWindow

    app = application([])
    settings = QSettings(sys.argv[1], QSettings.Format.IniFormat)
    window = MainWindow(load_document("exercise3"), settings)
    window.show()
    app.processEvents()
    window.view.viewport().repaint()  # the canvas painted, as on screen
    print(json.dumps({name: name in sys.modules for name in sys.argv[2:]}))
    window.close()
    """
)


def run_fresh(tmp_path: Path, *modules: str) -> dict[str, bool]:
    """Build and paint the main window in a new interpreter; which ``modules`` it imported."""
    env = dict(os.environ)
    env.update(
        QT_QPA_PLATFORM="offscreen",
        HOME=str(tmp_path),
        XDG_CONFIG_HOME=str(tmp_path / "config"),
        XDG_DATA_HOME=str(tmp_path / "data"),
    )
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(tmp_path / "settings.ini"), *modules],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, bool] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_the_first_paint_imports_neither_networkx_nor_the_exports(tmp_path: Path) -> None:
    loaded = run_fresh(tmp_path, *NOT_AT_START, "gradviz.qt.canvas.scene", "numpy")
    assert loaded.pop("gradviz.qt.canvas.scene") and loaded.pop("numpy")  # the probe works
    assert [name for name, yes in loaded.items() if yes] == []


@pytest.mark.parametrize("verb", ["report", "check"])
def test_the_text_verbs_import_no_qt(verb: str, tmp_path: Path) -> None:
    code = (
        "import sys, runpy\n"
        f"sys.argv = ['gradviz', '{verb}', 'exercise3']\n"
        "try:\n"
        "    runpy.run_module('gradviz', run_name='__main__')\n"
        "except SystemExit:\n"
        "    pass\n"
        "print('QT', any(m.startswith('PySide6') for m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.stdout.strip().splitlines()[-1] == "QT False", done.stderr
