"""The backprop walk on a big network: its cost must follow what is shown.

On a 784-256-256-10 MLP (ReLU, biases, softmax and −ln, Gaussian weights):

* ``walk_steps``: every step of the walk with its texts, of the loss and of ``J_f``;
  the note gives the peak memory of one call (``tracemalloc``, which sees numpy's
  buffers) and what the dense local Jacobians the walk does not build would take
  (``∂(P × E)/∂P`` alone is 256 × 200 704, 411 MB);
* ``start walk``: F5 in the real main window (1600×1000, offscreen) until the first
  step is shown, the steps computed afresh each time;
* ``step → shown``: going to each step in turn, the panel and the canvas redrawn.

Before local Jacobians were computed lazily (one run on this machine, medians):
``walk_steps`` took 1.2 s and peaked at 530 MB (``tracemalloc``); starting the walk
in the window took 1.0 s and raised the process's peak RSS by 540 MB.

Run alone with ``python bench/bench_walk.py``.
"""

from __future__ import annotations

import os
import sys
import tempfile
import tracemalloc
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import Row, measure, per_action, run_alone  # noqa: E402

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

# isort: split
import gradviz  # noqa: E402
from gradviz.engine.evaluate import Evaluation, Program  # noqa: E402
from gradviz.engine.walk import BACKWARD, walk_steps  # noqa: E402
from gradviz.model.builder import NetworkSpec, build_network  # noqa: E402
from gradviz.model.network import Network  # noqa: E402

LAYERS = (784, 256, 256, 10)
MB = 1e6


def mlp() -> Network:
    return build_network(NetworkSpec(layers=LAYERS, bias=True, init="gaussian"))


def peak_bytes(program: Program, ev: Evaluation, of: str) -> int:
    """The most memory one ``walk_steps`` call holds at once."""
    tracemalloc.start()
    try:
        walk_steps(program, ev, of=of)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def engine_rows() -> list[Row]:
    net = mlp()
    program, ev = net.to_program(), net.evaluate()
    steps = walk_steps(program, ev)
    skipped = sum(
        8 * s.jacobian.size
        for s in steps
        if s.phase == BACKWARD and s.jacobian is not None and s.jacobian.large
    )
    rows = []
    for of, what in (("loss", "∂l"), ("output", "J_f")):
        t = measure(partial(walk_steps, program, ev, of=of), repeats=5)
        peak = peak_bytes(program, ev, of)
        rows.append(
            Row(
                "walk",
                f"walk_steps {what}, 784-256-256-10 MLP",
                t,
                f"{len(walk_steps(program, ev, of=of))} steps; peak {peak / MB:.1f} MB; "
                f"dense Jacobians not built: {skipped / MB:.0f} MB",
            )
        )
    sheet = gradviz.load("exercise3")
    sp, se = sheet.to_program(), sheet.evaluate()
    rows.append(Row("walk", "walk_steps ∂l, exercise3", measure(lambda: walk_steps(sp, se)), ""))
    return rows


def window_rows() -> list[Row]:
    from PySide6.QtCore import QSettings

    from gradviz.model.document import Document
    from gradviz.qt.app import application
    from gradviz.qt.main_window import MainWindow
    from gradviz.qt.walk import WalkSteps

    app = application([])
    with tempfile.TemporaryDirectory() as tmp:
        settings = QSettings(str(Path(tmp) / "bench.ini"), QSettings.Format.IniFormat)
        window = MainWindow(Document(mlp()), settings)
        window.resize(1600, 1000)
        window.show()
        app.processEvents()
        walk = window.walk

        def start() -> None:
            walk.stop()
            app.processEvents()
            walk.steps_cache = WalkSteps()  # compute the steps afresh
            walk.start()
            app.processEvents()

        start()
        t_start = per_action(start, 7)
        count = len(walk.steps)
        order = iter(list(range(count)) * 2)

        def go() -> None:
            walk.go(next(order))
            app.processEvents()

        t_go = per_action(go, 2 * count)
        walk.stop()
        window.undo_stack.setClean()
        window.close()
        app.processEvents()
    return [
        Row("walk", "start walk (F5), MLP, main window", t_start, "steps computed afresh"),
        Row("walk", "step → shown, MLP, main window", t_go, f"each of the {count} steps, twice"),
    ]


def main() -> list[Row]:
    return engine_rows() + window_rows()


if __name__ == "__main__":
    sys.exit(run_alone(main))
