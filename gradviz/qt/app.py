"""Start the desktop app: ``gradviz``, ``gradviz FILE``, ``gradviz open FILE``.

:func:`main` makes the QApplication (name and organisation for QSettings, the
Fusion style so light and dark look the same everywhere, the window icon), opens
the file or the bundled ``exercise3``, offers to restore what a crashed gradviz
autosaved (:func:`open_windows`) and runs the event loop.
``--quit-after-ms N`` closes the app after N ms (smoke tests, screenshots).

Start-up is measured to the canvas's first paint (``bench/bench_startup.py``):
what that paint does not need waits for it (:func:`after_first_paint`), e.g.
reading the icon files (~8 ms), and modules of features not yet used load on
first use (``tests/qt/test_startup.py`` lists them). networkx, which the
inspector's first page needs (0.1 s here, up to 0.8 s on a busy machine), is
imported in a background thread once the window is on screen
(:func:`warm_up_imports`), so the first click on a node does not wait for it.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QSettings, QSize, QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QWidget

from gradviz.model.autosave import AutosaveStore
from gradviz.model.document import Document
from gradviz.model.examples import resources_dir
from gradviz.model.fileformat import ModelError

if TYPE_CHECKING:
    from gradviz.model.network import Network
    from gradviz.qt.main_window import MainWindow

ORGANIZATION = "gradviz"
APPLICATION = "gradviz"
DEFAULT_EXAMPLE = "exercise3"
#: Modules the first paint does without but the first click wants: imported in the
#: background after the first paint (networkx: the inspector's paths and descendants).
WARM_UP_MODULES = ("networkx",)


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


def warm_up_imports(modules: Sequence[str] = WARM_UP_MODULES) -> threading.Thread:
    """Import ``modules`` in a daemon thread (started, returned): the window stays
    responsive, and a later ``import`` in the GUI thread finds them loaded (or
    waits on Python's import lock for the rest, never imports twice)."""

    def run() -> None:
        for name in modules:
            try:
                importlib.import_module(name)
            except ImportError:  # the GUI thread's own import will say so
                pass

    thread = threading.Thread(target=run, name="gradviz-warm-up", daemon=True)
    thread.start()
    return thread


def _parse(argv: Sequence[str] | None) -> tuple[argparse.Namespace, list[str]]:
    parser = argparse.ArgumentParser(prog="gradviz", add_help=False)
    parser.add_argument("--quit-after-ms", type=int, default=None)
    return parser.parse_known_args(list(argv or []))


def set_app_icon(app: QApplication) -> None:
    """Give every window (and the taskbar entry) the gradviz icon."""
    icon = app_icon()
    if not icon.isNull():
        app.setWindowIcon(icon)


def application(qt_args: Sequence[str] = (), icon: bool = True) -> QApplication:
    """The running QApplication, made and named on first use. ``icon=False``
    leaves the icon to the caller (:func:`main` sets it after the first paint)."""
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        app = QApplication([sys.argv[0] if sys.argv else "gradviz", *qt_args])
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationName(APPLICATION)
    app.setDesktopFileName("gradviz")
    app.setStyle("Fusion")
    if icon:
        set_app_icon(app)
    return app


class _FirstPaint(QObject):
    """Runs ``work`` once, in the event-loop pass after ``widget``'s first paint,
    or after ``fallback_ms`` when the widget is never painted (minimised, or
    replaced first). Owned by the application, so it outlives the widget."""

    def __init__(self, widget: QWidget, work: Callable[[], object], fallback_ms: int) -> None:
        super().__init__(QApplication.instance())
        self.work: Callable[[], object] | None = work
        widget.installEventFilter(self)
        QTimer.singleShot(fallback_ms, self, self.run)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.Paint and self.work is not None:
            watched.removeEventFilter(self)
            QTimer.singleShot(0, self, self.run)
        return False

    def run(self) -> None:
        work, self.work = self.work, None
        if work is not None:
            work()
            self.deleteLater()


def after_first_paint(widget: QWidget, work: Callable[[], object], fallback_ms: int = 1000) -> None:
    """Run ``work`` once ``widget`` has been painted for the first time (at the
    latest after ``fallback_ms``): set-up the first frame does not show."""
    _FirstPaint(widget, work, fallback_ms)


def main(
    path: str | None = None, argv: Sequence[str] | None = None, network: Network | None = None
) -> int:
    """Open the main window on ``path`` (or the bundled exercise3) and run until it
    closes. A file that cannot be loaded prints ``gradviz: error: …`` and returns 2.
    ``network``: what ``path`` holds, already read by the caller (``gradviz open``
    reads the file once, before asking for a display): not read again."""
    opts, qt_args = _parse(argv)
    from gradviz.qt.documents import load_document

    try:
        doc = load_document(path if path else DEFAULT_EXAMPLE, network if path else None)
    except ModelError as e:
        print(f"gradviz: error: {e}", file=sys.stderr)
        return 2
    app = application(qt_args, icon=False)
    # a smoke test or a screenshot (--quit-after-ms) must not stop at a question
    windows = open_windows(doc, offer_restore=opts.quit_after_ms is None)
    after_first_paint(windows[0].view.viewport(), lambda: _after_first_paint(app))
    if opts.quit_after_ms is not None:
        for window in windows:
            QTimer.singleShot(max(0, opts.quit_after_ms), window.close)
        QTimer.singleShot(max(0, opts.quit_after_ms) + 2000, app.quit)
    return int(app.exec())


def _after_first_paint(app: QApplication) -> None:
    set_app_icon(app)
    warm_up_imports()


def open_windows(
    doc: Document,
    store: AutosaveStore | None = None,
    settings: QSettings | None = None,
    offer_restore: bool = True,
) -> list[MainWindow]:
    """Show the main window on ``doc``, then offer every copy a crashed gradviz
    autosaved (:func:`gradviz.qt.autosave.offer_restore`). A restored copy of the
    file just opened — or any copy when no file was named — takes the first
    window's place; others open in windows of their own. Returns every window
    (the caller keeps them alive). ``settings`` defaults to the app's QSettings;
    ``offer_restore=False`` leaves the copies for the next start."""
    from gradviz.qt import autosave
    from gradviz.qt.main_window import MainWindow

    window = MainWindow(doc, settings)
    window.show()
    windows = [window]
    if store is None:
        store = window.autosaver.store
    window.autosaver.store = store
    replaceable = True  # the first window still shows what was asked for, unchanged
    offered = autosave.offer_restore(window, store) if offer_restore else []
    for entry, restored in offered:
        same = restored.path is not None and restored.path == doc.path
        if replaceable and (same or doc.path is None) and window.undo_stack.isClean():
            target = window
            replaceable = False
        else:
            target = MainWindow(restored, settings)
            target.autosaver.store = store
            target.show()
            windows.append(target)
        autosave.show_restored(target, restored, entry, store)
    return windows
