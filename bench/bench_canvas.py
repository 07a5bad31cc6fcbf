"""Canvas and export speed (issues 3 and 4), measured in a real ``GraphView``
(offscreen when there is no display).

* ``edit→repaint``: on ``exercise3`` in a 1400×700 view, one ``SetEntryCommand``
  pushed on the undo stack (the document re-evaluates, every label is rewritten
  in place and placed), then Qt's events processed, which repaints the viewport
  (a paint-event counter checks that every edit was painted): the time from the
  edit until the new frame is painted. Median of 200 single edits; goal < 16 ms
  (one frame at 60 Hz). The note gives the push alone and a forced full repaint.
* ``zoom`` / ``pan`` + repaint: one zoom step or a 40-pixel scroll, repainted.
* ``build``: a network of 100, 1,000 and 5,000 nodes (a ladder of
  ``W_k × h + b_k → tanh`` layers written in the file format) from document to
  first painted frame: evaluation, layout, items, and one paint of the fitted
  view; goal < 100 ms at 1,000 nodes. The parts are listed in the note.
* ``export``: each format of ``exercise3`` written to a file; goal < 200 ms each.

Run alone with ``python bench/bench_canvas.py``.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import Row, Timing, measure, run_alone  # noqa: E402

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

# isort: split
from PySide6.QtCore import QEvent, QObject, QRectF  # noqa: E402
from PySide6.QtGui import QImage, QPainter, QUndoStack  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

import gradviz  # noqa: E402
from gradviz.model import layout  # noqa: E402
from gradviz.model.document import Document  # noqa: E402
from gradviz.model.fileformat import from_dict  # noqa: E402
from gradviz.model.network import Network  # noqa: E402
from gradviz.qt.canvas import GraphScene, GraphView  # noqa: E402
from gradviz.qt.render import export_file  # noqa: E402
from gradviz.qt.undo import SetEntryCommand  # noqa: E402

EDITS = 200
FRAME = 0.016
BUILD_SIZES = (100, 1000, 5000)
BUILD_GOAL = 0.100
EXPORT_GOAL = 0.200


def _app() -> QApplication:
    app = QApplication.instance()
    return app if isinstance(app, QApplication) else QApplication(["bench"])


def _samples(fn: Callable[[], object], n: int) -> Timing:
    """``n`` single calls timed one by one (each call is one user action)."""
    times = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return Timing(statistics.median(times), min(times), max(times), n, 1)


class PaintCounter(QObject):
    """Counts the paint events of the widget it filters."""

    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.count += 1
        return False


def _goal(t: Timing, goal: float) -> str:
    return f"goal < {goal * 1e3:g} ms: {'met' if t.median < goal else 'MISSED'}"


def ladder(nodes: int) -> Network:
    """About ``nodes`` nodes: x, then layers (W_k, b_k, W_k×h, +b_k, tanh) of
    width 2, closed by softmax and −ln."""
    data: list[dict[str, object]] = [{"id": "x", "op": "input", "value": [1, -1]}]
    prev = "x"
    for k in range(max(1, (nodes - 3) // 5)):
        data += [
            {"id": f"W{k}", "op": "param", "value": [[0.5, -0.25], [0.25, 0.75]]},
            {"id": f"b{k}", "op": "param", "value": [0.25, -0.5]},
            {"id": f"m{k}", "op": "matmul", "inputs": [f"W{k}", prev]},
            {"id": f"a{k}", "op": "add", "inputs": [f"m{k}", f"b{k}"]},
            {"id": f"h{k}", "op": "tanh", "inputs": [f"a{k}"]},
        ]
        prev = f"h{k}"
    data += [
        {"id": "f", "op": "softmax", "inputs": [prev]},
        {"id": "l", "op": "neg_log", "inputs": ["f"], "index": 0},
    ]
    return from_dict({"format": "gradviz", "version": 1, "nodes": data, "output": "f", "loss": "l"})


def bench_edit(app: QApplication) -> list[Row]:
    doc = Document(gradviz.load("exercise3"))
    stack = QUndoStack()
    scene = GraphScene(doc, undo_stack=stack)
    view = GraphView(scene)
    view.resize(1400, 700)
    view.show()
    app.processEvents()
    view.fit()
    app.processEvents()
    values = iter([3.0 + 0.25 * (k % 8) for k in range(10 * EDITS)])
    paints = PaintCounter()
    view.viewport().installEventFilter(paints)

    def push() -> None:
        stack.push(SetEntryCommand(doc, "P", (0, 0), next(values)))

    def edit() -> None:
        push()
        app.processEvents()

    for _ in range(10):
        edit()
    before = paints.count
    t_edit = _samples(edit, EDITS)
    if paints.count - before < EDITS:
        raise RuntimeError(f"only {paints.count - before} of {EDITS} edits were painted")
    t_push = _samples(push, 50)
    app.processEvents()
    t_paint = _samples(view.viewport().repaint, 50)
    ev = _samples(lambda: Document(doc.network).evaluation, 50)
    zooms = iter([1.0, 1.1] * 200)

    def zoom() -> None:
        view.set_zoom(next(zooms))
        view.viewport().repaint()

    steps = iter([40, -40] * 200)

    def pan() -> None:
        bar = view.horizontalScrollBar()
        bar.setValue(bar.value() + next(steps))
        view.viewport().repaint()

    t_zoom = _samples(zoom, 100)
    t_pan = _samples(pan, 100)
    view.close()
    scene.detach()
    return [
        Row(
            "canvas",
            "edit→repaint exercise3 (1400×700)",
            t_edit,
            f"{_goal(t_edit, FRAME)}; push (evaluate + labels) {t_push.median * 1e3:.2f} ms, "
            f"of which evaluation {ev.median * 1e3:.2f} ms; full repaint "
            f"{t_paint.median * 1e3:.2f} ms",
        ),
        Row("canvas", "zoom step + repaint", t_zoom, _goal(t_zoom, FRAME)),
        Row("canvas", "pan 40 px + repaint", t_pan, _goal(t_pan, FRAME)),
    ]


def bench_build(app: QApplication, size: int) -> Row:
    net = ladder(size)
    parts: dict[str, list[float]] = {"evaluate": [], "layout": [], "scene": [], "paint": []}
    image = QImage(1600, 900, QImage.Format.Format_ARGB32_Premultiplied)

    def build() -> None:
        t0 = time.perf_counter()
        doc = Document(net)
        _ = doc.evaluation  # the engine's share (the scene reuses the cached evaluation)
        t1 = time.perf_counter()
        layout.layered_layout(net)  # the model's share, timed alone (the scene calls it too)
        t2 = time.perf_counter()
        scene = GraphScene(doc)
        t3 = time.perf_counter()
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        scene.render(painter, QRectF(image.rect()), scene.drawing_rect())
        painter.end()
        t4 = time.perf_counter()
        scene.detach()
        parts["evaluate"].append(t1 - t0)
        parts["layout"].append(t2 - t1)
        parts["scene"].append(t3 - t2)
        parts["paint"].append(t4 - t3)

    repeats = 5 if size <= 1000 else 2
    build()
    for v in parts.values():
        v.clear()
    for _ in range(repeats):
        build()
    med = {k: statistics.median(v) * 1e3 for k, v in parts.items()}
    # document → first frame: evaluation, the scene build (with its layout call), the paint
    totals = [
        a + b + c for a, b, c in zip(parts["evaluate"], parts["scene"], parts["paint"], strict=True)
    ]
    total = Timing(statistics.median(totals), min(totals), max(totals), repeats, 1)
    note = (
        f"engine evaluation {med['evaluate']:.0f} ms, model layout {med['layout']:.0f} ms, "
        f"canvas items {med['scene'] - med['layout']:.0f} ms, paint {med['paint']:.0f} ms"
    )
    if size == 1000:
        note = f"{_goal(total, BUILD_GOAL)}; " + note
    return Row("canvas", f"build+layout+paint {len(net.nodes)} nodes", total, note)


def bench_export() -> list[Row]:
    net = gradviz.load("exercise3")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, kwargs in [
            ("png", {}),
            ("png", {"scale": 2.0, "transparent": True}),
            ("svg", {}),
            ("pdf", {}),
        ]:
            path = Path(tmp) / f"g.{name}"
            t = measure(
                lambda p=path, k=kwargs: export_file(net, p, **k), repeats=5, target=0.2, warmup=1
            )
            case = f"export exercise3 .{name}" + (" 2× transparent" if kwargs else "")
            rows.append(Row("canvas", case, t, _goal(t, EXPORT_GOAL)))
    return rows


def main() -> list[Row]:
    app = _app()
    rows = bench_edit(app)
    rows += [bench_build(app, n) for n in BUILD_SIZES]
    rows += bench_export()
    return rows


if __name__ == "__main__":
    raise SystemExit(run_alone(main))
