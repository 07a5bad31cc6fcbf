"""Start-up stays light: the main window on exercise3 is built and painted without
importing networkx, the export machinery (renderers, TikZ, worked solutions,
Qt SVG), the features not used yet (backprop walk, scalar view, builder,
structure menu) or anything else the first paint does not need; what the paint
does not show (the icon files) is read just after it. Each check runs in a
fresh Python process, as a user's start does."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

#: Modules the first paint must not import (they load when their feature is used).
NOT_AT_START = (
    "networkx",
    "scipy",
    "gradviz.export.tikz",
    "gradviz.export.solution",
    "gradviz.qt.render",
    "gradviz.qt.export_dialog",
    "gradviz.qt.export_actions",
    "gradviz.engine.walk",
    "gradviz.qt.walk_canvas",
    "gradviz.qt.walk_panel",
    "gradviz.qt.walk_toolbar",
    "gradviz.qt.walk_render",
    "gradviz.qt.scalar_view",
    "gradviz.qt.builder_dialog",
    "gradviz.qt.structure_menu",
    "gradviz.qt.canvas.tensor_viewer",
    "PySide6.QtSvg",
    "PySide6.QtPrintSupport",
)

#: ``gradviz open`` as a user starts it, reporting once the first paint is over
#: (:func:`gradviz.qt.app.after_first_paint`): which of ``argv[1:]`` were imported
#: by then, and whether the window icon was set before or after.
REAL_START = textwrap.dedent(
    """
    import json, sys, threading
    import gradviz.cli
    import gradviz.qt.app as app_module
    from PySide6.QtWidgets import QApplication

    seen = {}
    original = app_module.after_first_paint

    def after_first_paint(widget, work, fallback_ms=1000):
        def then():
            seen["modules"] = {name: name in sys.modules for name in sys.argv[1:]}
            seen["icon before"] = not QApplication.windowIcon().isNull()
            work()
            icon = QApplication.windowIcon()
            seen["icon after"] = [icon.isNull(), icon.pixmap(32, 32).width()]
            warm = [t for t in threading.enumerate() if t.name == "gradviz-warm-up"]
            for thread in warm:
                thread.join(60)
            seen["warm-up"] = [len(warm), "networkx" in sys.modules]
        original(widget, then, fallback_ms)

    app_module.after_first_paint = after_first_paint
    status = gradviz.cli.main(["open", "--quit-after-ms", "300"])
    print(json.dumps(dict(seen, status=status)))
    """
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


def run_python(tmp_path: Path, *args: str) -> Any:
    """``python args…`` in a private home, offscreen; the JSON of its last line."""
    env = dict(os.environ)
    env.update(
        QT_QPA_PLATFORM="offscreen",
        HOME=str(tmp_path),
        XDG_CONFIG_HOME=str(tmp_path / "config"),
        XDG_DATA_HOME=str(tmp_path / "data"),
    )
    done = subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def run_fresh(tmp_path: Path, *modules: str) -> dict[str, bool]:
    """Build and paint the main window in a new interpreter; which ``modules`` it imported."""
    result: dict[str, bool] = run_python(
        tmp_path, "-c", SCRIPT, str(tmp_path / "settings.ini"), *modules
    )
    return result


def test_the_first_paint_imports_neither_networkx_nor_the_exports(tmp_path: Path) -> None:
    loaded = run_fresh(tmp_path, *NOT_AT_START, "gradviz.qt.canvas.scene", "numpy")
    assert loaded.pop("gradviz.qt.canvas.scene") and loaded.pop("numpy")  # the probe works
    assert [name for name, yes in loaded.items() if yes] == []


def test_gradviz_open_paints_first_then_sets_the_icon_and_warms_up(tmp_path: Path) -> None:
    seen = run_python(tmp_path, "-c", REAL_START, *NOT_AT_START, "gradviz.qt.canvas.scene")
    assert seen["status"] == 0
    loaded = seen["modules"]
    assert loaded.pop("gradviz.qt.canvas.scene")  # the probe works
    assert [name for name, yes in loaded.items() if yes] == []
    assert not seen["icon before"]  # reading the icon files waited for the first paint
    assert seen["icon after"] == [False, 32]  # from resources/icons
    # networkx (the inspector's first page wants it) is imported in the background after
    assert seen["warm-up"] == [1, True]


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
