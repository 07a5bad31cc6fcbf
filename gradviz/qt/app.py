"""Start the desktop app: ``gradviz``, ``gradviz FILE``, ``gradviz open FILE``.

:func:`main` makes the QApplication (name and organisation for QSettings, the
Fusion style so light and dark look the same everywhere, the window icon), opens
the file or the bundled ``exercise3`` and runs the event loop.
``--quit-after-ms N`` closes the app after N ms (smoke tests, screenshots).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from PySide6.QtCore import QSize, QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from gradviz.model.examples import resources_dir
from gradviz.model.fileformat import ModelError

ORGANIZATION = "gradviz"
APPLICATION = "gradviz"
DEFAULT_EXAMPLE = "exercise3"


def app_icon() -> QIcon:
    """The gradviz icon from ``resources/icons`` (SVG plus PNG sizes), or an empty icon."""
    icon = QIcon()
    folder = resources_dir() / "icons"
    svg = folder / "gradviz.svg"
    if svg.is_file():
        icon.addFile(str(svg))
    for size in (16, 32, 48, 64, 128, 256, 512):
        png = folder / f"gradviz-{size}.png"
        if png.is_file():
            icon.addFile(str(png), QSize(size, size))
    return icon


def _parse(argv: Sequence[str] | None) -> tuple[argparse.Namespace, list[str]]:
    parser = argparse.ArgumentParser(prog="gradviz", add_help=False)
    parser.add_argument("--quit-after-ms", type=int, default=None)
    return parser.parse_known_args(list(argv or []))


def application(qt_args: Sequence[str] = ()) -> QApplication:
    """The running QApplication, made and named on first use."""
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        app = QApplication([sys.argv[0] if sys.argv else "gradviz", *qt_args])
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationName(APPLICATION)
    app.setDesktopFileName("gradviz")
    app.setStyle("Fusion")
    icon = app_icon()
    if not icon.isNull():
        app.setWindowIcon(icon)
    return app


def main(path: str | None = None, argv: Sequence[str] | None = None) -> int:
    """Open the main window on ``path`` (or the bundled exercise3) and run until it
    closes. A file that cannot be loaded prints ``gradviz: error: …`` and returns 2."""
    opts, qt_args = _parse(argv)
    from gradviz.qt.documents import load_document

    try:
        doc = load_document(path if path else DEFAULT_EXAMPLE)
    except ModelError as e:
        print(f"gradviz: error: {e}", file=sys.stderr)
        return 2
    app = application(qt_args)
    from gradviz.qt.main_window import MainWindow

    window = MainWindow(doc)
    window.show()
    if opts.quit_after_ms is not None:
        QTimer.singleShot(max(0, opts.quit_after_ms), window.close)
        QTimer.singleShot(max(0, opts.quit_after_ms) + 2000, app.quit)
    return int(app.exec())
