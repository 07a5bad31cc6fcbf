"""Interaction (issue 5): how long a teacher waits for what they just did to show,
in the real main window on ``exercise3`` (1600×1000, offscreen when there is no
display), the canvas, inspector and Jacobian panel all following the document.

* ``edit→repaint``: one ``SetEntryCommand`` on the undo stack (the document
  re-evaluates; the canvas rewrites its labels in place, the panels refresh),
  then Qt's events processed until the canvas's viewport has painted the new
  frame (a paint-event counter checks every edit was painted). Median of single
  edits; goal < 16 ms (one frame at 60 Hz). The note gives the same on a bare
  canvas (no panels) and a forced full repaint of the canvas.
* ``zoom`` / ``pan`` + repaint: one zoom step or a 40-pixel scroll, repainted.
* ``select→inspector``: a node selected on the canvas until the inspector shows
  it and has painted, alternating between two nodes: the inspector keeps the
  pages it built, so this is flipping back to a page and refreshing its numbers.
  The second row forgets the pages before each selection: the page is built
  afresh (widgets made, laid out, painted). Finite differences follow a moment
  later in both (as after an edit) and are not part of either figure.

Run alone with ``python bench/bench_interaction.py``.
"""

from __future__ import annotations

import itertools
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import Row, Timing, per_action, run_alone  # noqa: E402

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

# isort: split
from PySide6.QtCore import QEvent, QObject, QSettings  # noqa: E402
from PySide6.QtGui import QUndoStack  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

import gradviz  # noqa: E402
from gradviz.model.document import Document  # noqa: E402
from gradviz.qt.app import application  # noqa: E402
from gradviz.qt.canvas import GraphScene, GraphView  # noqa: E402
from gradviz.qt.main_window import MainWindow  # noqa: E402
from gradviz.qt.undo import SetEntryCommand  # noqa: E402

EDITS = 150
FRAME = 0.016
SELECTS = 40


class PaintCounter(QObject):
    """Counts the paint events of the widgets it filters (with ``within``: of every
    widget inside that one, when installed on the application)."""

    def __init__(self, within: QWidget | None = None) -> None:
        super().__init__()
        self.count = 0
        self.within = within

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.Paint and (
            self.within is None
            or (isinstance(watched, QWidget) and self.within.isAncestorOf(watched))
        ):
            self.count += 1
        return False


def goal(t: Timing, limit: float) -> str:
    return f"goal < {limit * 1e3:g} ms: {'met' if t.median < limit else 'MISSED'}"


def until_painted(app: QApplication, paints: PaintCounter, before: int) -> None:
    """Process events until the watched widget has painted since ``before``."""
    deadline = time.perf_counter() + 2.0
    while paints.count == before and time.perf_counter() < deadline:
        app.processEvents()


def watch(widget: QWidget) -> PaintCounter:
    counter = PaintCounter()
    widget.installEventFilter(counter)
    return counter


def edit_timing(
    app: QApplication, doc: Document, stack: QUndoStack, viewport: QWidget
) -> tuple[Timing, PaintCounter]:
    """Median time from pushing one edit of P[1,1] to the canvas's painted frame."""
    values = iter([3.0 + 0.25 * (k % 8) for k in range(4 * EDITS)])
    paints = watch(viewport)

    def edit() -> None:
        before = paints.count
        stack.push(SetEntryCommand(doc, "P", (0, 0), next(values)))
        until_painted(app, paints, before)

    for _ in range(10):
        edit()
    start = paints.count
    t = per_action(edit, EDITS)
    if paints.count - start < EDITS:
        raise RuntimeError(f"only {paints.count - start} of {EDITS} edits were painted")
    return t, paints


def bench_window(app: QApplication, settings_file: str) -> list[Row]:
    settings = QSettings(settings_file, QSettings.Format.IniFormat)
    window = MainWindow(Document(gradviz.load("exercise3")), settings)
    window.resize(1600, 1000)
    window.show()
    app.processEvents()
    window.view.fit()
    app.processEvents()
    t_edit, _ = edit_timing(app, window.doc, window.undo_stack, window.view.viewport())
    t_paint = per_action(window.view.viewport().repaint, 50)

    view = window.view
    zooms = iter([1.0, 1.1] * 200)

    def zoom() -> None:
        view.set_zoom(next(zooms))
        view.viewport().repaint()

    steps = iter([40, -40] * 200)

    def pan() -> None:
        bar = view.horizontalScrollBar()
        bar.setValue(bar.value() + next(steps))
        view.viewport().repaint()

    t_zoom = per_action(zoom, 100)
    t_pan = per_action(pan, 100)

    inspector_paints = PaintCounter(within=window.inspector)
    app.installEventFilter(inspector_paints)
    nodes = itertools.cycle(["g", "P"])

    def select() -> None:
        nid = next(nodes)
        before = inspector_paints.count
        window.scene.select_node(nid)
        while window.inspector.node_id != nid:
            app.processEvents()
        until_painted(app, inspector_paints, before)

    select()
    select()
    t_select = per_action(select, SELECTS)

    def select_afresh() -> None:
        window.inspector.forget_pages()
        select()

    t_build = per_action(select_afresh, SELECTS)
    app.removeEventFilter(inspector_paints)
    window.undo_stack.setClean()
    window.close()
    return [
        Row(
            "interaction",
            "edit→repaint exercise3, main window",
            t_edit,
            f"{goal(t_edit, FRAME)}; canvas, inspector and Jacobian panel follow; "
            f"full canvas repaint {t_paint.median * 1e3:.2f} ms",
        ),
        Row("interaction", "zoom step + repaint", t_zoom, goal(t_zoom, FRAME)),
        Row("interaction", "pan 40 px + repaint", t_pan, goal(t_pan, FRAME)),
        Row(
            "interaction",
            "select node → inspector filled",
            t_select,
            "a page kept from before, refreshed and painted",
        ),
        Row(
            "interaction",
            "select node → inspector built",
            t_build,
            "the node's page built afresh, laid out and painted",
        ),
    ]


def bench_canvas_only(app: QApplication) -> Row:
    doc = Document(gradviz.load("exercise3"))
    stack = QUndoStack()
    scene = GraphScene(doc, undo_stack=stack)
    view = GraphView(scene)
    view.resize(1400, 700)
    view.show()
    app.processEvents()
    view.fit()
    app.processEvents()
    t, _ = edit_timing(app, doc, stack, view.viewport())
    view.close()
    scene.detach()
    return Row("interaction", "edit→repaint exercise3, canvas alone", t, goal(t, FRAME))


def main() -> list[Row]:
    app = application()
    with tempfile.TemporaryDirectory() as tmp:
        rows = bench_window(app, str(Path(tmp) / "settings.ini"))
    rows.append(bench_canvas_only(app))
    return rows


if __name__ == "__main__":
    raise SystemExit(run_alone(main))
