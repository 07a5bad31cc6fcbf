"""Scalar view speed (issue 7): layout + full paint under 200 ms at about 1,000
scalars, measured in a real :class:`~gradviz.qt.scalar_view.ScalarView`
(offscreen when there is no display).

Networks: a 2-16-16-2 ReLU network with biases, softmax and −ln built with
:mod:`gradviz.model.builder` (782 scalars) and a 2-20-20-2 one (1,070 scalars),
with ``exercise3`` (40) for scale. For each, in a 1300×520 view (the dock's
graph area at the default window size):

* ``open``: what View → Scalar View costs on a fresh view: expansion into
  scalars (:func:`gradviz.engine.scalar.expand`), the layered layout, the items,
  the fit, and one full paint of the viewport; goal < 200 ms. The note splits it
  into expand / layout / items / paint (medians of the parts).
* ``step``: a gradient step's Θ written to the document; the view re-expands and
  rewrites every number in place (no new layout), then repaints.
* ``paths``: a Jacobian entry clicked — every path from θ₁ to f₁ listed,
  highlighted and described, the view zoomed onto them and repainted.
* ``paint 100%``: one repaint of the viewport at 100 % zoom (every box drawn
  with its text) — what panning and zooming cost.
* ``paint all text``: the whole graph rendered into an image at the smallest
  zoom that still draws text (0.4): every box's name, value and gradient
  formatted and drawn, the worst case of one paint.

Medians (ranges) over single, separately timed calls. Run alone with
``python bench/bench_scalar_view.py``.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import Row, Timing, run_alone  # noqa: E402

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

# isort: split
from PySide6.QtCore import QRectF  # noqa: E402
from PySide6.QtGui import QImage, QPainter  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

import gradviz  # noqa: E402
from gradviz.engine.scalar import expand  # noqa: E402
from gradviz.model.builder import NetworkSpec, build_network  # noqa: E402
from gradviz.model.document import Document  # noqa: E402
from gradviz.model.network import Network  # noqa: E402
from gradviz.qt.scalar_items import TEXT_LOD  # noqa: E402
from gradviz.qt.scalar_scene import ScalarGraphView, ScalarScene  # noqa: E402
from gradviz.qt.scalar_view import ScalarView  # noqa: E402

GOAL = 0.200
SIZE = (1300, 520)


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


def dense(layers: tuple[int, ...]) -> Network:
    return build_network(NetworkSpec(layers=layers, bias=True, init="gaussian", seed=1))


def bench_open(app: QApplication, net: Network, repeats: int) -> tuple[Timing, str, int]:
    """A fresh scalar view on ``net``: expand, lay out, build items, fit, paint."""
    parts: dict[str, list[float]] = {"expand": [], "layout+items": [], "fit+paint": []}
    doc = Document(net)
    program, ev = net.to_program(), doc.evaluation
    scalars = len(expand(program, ev))
    totals: list[float] = []
    for k in range(repeats + 1):
        t0 = time.perf_counter()
        graph = expand(program, ev)
        t1 = time.perf_counter()
        scene = ScalarScene()
        scene.set_graph(graph)
        t2 = time.perf_counter()
        view = ScalarGraphView(scene)
        view.resize(*SIZE)
        view.fit()
        view.viewport().repaint()
        t3 = time.perf_counter()
        if k:  # the first round warms Qt's font and glyph caches
            parts["expand"].append(t1 - t0)
            parts["layout+items"].append(t2 - t1)
            parts["fit+paint"].append(t3 - t2)
            totals.append(t3 - t0)
        view.deleteLater()
        scene.deleteLater()
        app.processEvents()
    note = ", ".join(f"{name} {statistics.median(v) * 1e3:.1f} ms" for name, v in parts.items())
    timing = Timing(statistics.median(totals), min(totals), max(totals), len(totals), 1)
    return timing, note, scalars


def bench_view(app: QApplication, case: str, net: Network, repeats: int) -> list[Row]:
    t_open, parts, scalars = bench_open(app, net, repeats)
    doc = Document(net)
    w = ScalarView(doc)
    w.resize(SIZE[0] + 330, SIZE[1])
    w.show()
    app.processEvents()
    theta = doc.network.theta
    signs = iter([1.0, -1.0] * 1000)

    def step() -> None:
        doc.set_theta(theta + 0.01 * next(signs))
        w.view.viewport().repaint()

    cols = iter([0, 1] * 1000)

    def paths() -> None:
        w.show_jacobian_entry(0, next(cols))
        w.view.viewport().repaint()

    t_step = _samples(step, 20)
    t_paths = _samples(paths, 20)
    w.clear_paths()
    w.view.set_zoom(1.0)
    w.view.centerOn(w.scene.node_items[len(w.scene.node_items) // 2])
    t_100 = _samples(w.view.viewport().repaint, 20)

    rect = w.scene.drawing_rect()
    image = QImage(
        int(rect.width() * TEXT_LOD) + 1,
        int(rect.height() * TEXT_LOD) + 1,
        QImage.Format.Format_ARGB32_Premultiplied,
    )

    def all_text() -> None:
        w.scene.style_.set_options(w.scene.style_.options)  # numbers formatted anew
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        w.scene.render(painter, QRectF(image.rect()), rect)
        painter.end()

    t_all = _samples(all_text, 5)
    w.detach()
    w.close()
    w.deleteLater()
    app.processEvents()
    met = "met" if t_open.median < GOAL else "MISSED"
    return [
        Row(
            "scalar view",
            f"open {case} ({scalars} scalars)",
            t_open,
            f"goal < {GOAL * 1e3:g} ms: {met}; {parts}",
        ),
        Row("scalar view", f"step {case}", t_step, "re-expand, numbers in place, repaint"),
        Row(
            "scalar view",
            f"paths {case}",
            t_paths,
            "J entry clicked: paths listed, highlighted, zoomed to, repainted",
        ),
        Row("scalar view", f"paint 100% {case}", t_100, f"{SIZE[0]}×{SIZE[1]} viewport"),
        Row(
            "scalar view",
            f"paint all text {case}",
            t_all,
            f"whole graph, {image.width()}×{image.height()} px at zoom {TEXT_LOD}",
        ),
    ]


def main() -> list[Row]:
    app = _app()
    rows = bench_view(app, "exercise3", gradviz.load("exercise3"), 9)
    rows += bench_view(app, "2-16-16-2", dense((2, 16, 16, 2)), 5)
    rows += bench_view(app, "2-20-20-2", dense((2, 20, 20, 2)), 5)
    return rows


if __name__ == "__main__":
    raise SystemExit(run_alone(main))
