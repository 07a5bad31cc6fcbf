"""Run ``gradviz open [FILE]`` as a user would and report its first painted frame.

``bench/bench_startup.py`` starts this script in a fresh Python process. It
runs the real command-line entry point (``gradviz.cli.main(["open", …])``), with
one hook added from outside the app: when the main window exists, an event
filter waits for the first paint of the canvas's viewport, prints the system's
monotonic clock at that moment (``first-paint <seconds>``, comparable with the
parent's ``time.monotonic()``), and closes the window. Before that line it
prints the clock at the start-up's milestones, ``mark <name> <seconds>``
(``core``: the ``gradviz`` package imported; ``app``: the QApplication made
and the file read; ``imports``: the window's modules imported; ``shown``: the
window built and shown). ``PROBE_MODULES=1`` also prints, one per line, which heavy
modules were imported by then.

The imports come in the order of a real start: the ``gradviz`` package (numpy,
the engine, the model) before Qt. The order matters: PySide6 inspects the source
of every module imported after it (its ``__feature__`` support), so importing
Qt first would charge numpy's hundred modules ~25 ms that a user never pays.
"""

from __future__ import annotations

# isort: off
import time

from gradviz.cli import main  # first, as in ``gradviz open``: numpy before Qt

CORE_IMPORTED = time.monotonic()

import os  # noqa: E402
import sys  # noqa: E402
from typing import TYPE_CHECKING, Any  # noqa: E402

from PySide6.QtCore import QEvent, QObject, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

import gradviz.qt.app as app_module  # noqa: E402

# isort: on

if TYPE_CHECKING:
    from gradviz.qt.main_window import MainWindow

#: Modules that the first paint should not need (see tests/qt/test_startup.py).
HEAVY = (
    "networkx",
    "scipy",
    "gradviz.engine.check",
    "gradviz.export.tikz",
    "gradviz.export.solution",
    "gradviz.qt.render",
    "gradviz.engine.walk",
    "gradviz.qt.walk_panel",
    "gradviz.qt.scalar_view",
    "gradviz.qt.builder_dialog",
    "gradviz.qt.structure_menu",
    "gradviz.qt.export_actions",
    "PySide6.QtSvg",
    "PySide6.QtPrintSupport",
)


class FirstPaint(QObject):
    """Reports the first paint event of the object it filters, then ends the app."""

    def __init__(self) -> None:
        super().__init__()
        self.done = False
        self.marks = {"core": CORE_IMPORTED}

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.Paint and not self.done:
            self.done = True
            painted = time.monotonic()
            QTimer.singleShot(0, lambda: self.report(painted))
        return False

    def report(self, painted: float) -> None:
        for name, when in self.marks.items():
            print(f"mark {name} {when:.6f}", flush=True)
        print(f"first-paint {painted:.6f}", flush=True)
        if os.environ.get("PROBE_MODULES"):
            for name in HEAVY:
                print(f"module {name} {name in sys.modules}", flush=True)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.closeAllWindows()
            app.quit()


def hook() -> FirstPaint:
    """Wrap :func:`gradviz.qt.app.open_windows` so the first window's canvas is
    watched and the milestones around it are marked."""
    probe = FirstPaint()
    original = app_module.open_windows

    def open_windows(*args: Any, **kwargs: Any) -> list[MainWindow]:
        probe.marks["app"] = time.monotonic()
        import gradviz.qt.main_window  # noqa: F401  (what open_windows imports first)

        probe.marks["imports"] = time.monotonic()
        windows = original(*args, **kwargs)
        windows[0].view.viewport().installEventFilter(probe)
        probe.marks["shown"] = time.monotonic()
        return windows

    app_module.open_windows = open_windows
    return probe


if __name__ == "__main__":
    keep = hook()
    sys.exit(main(["open", *sys.argv[1:]]))
