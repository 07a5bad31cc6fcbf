"""Start-up (issue 5): process start to the first painted window.

Each sample starts a fresh Python process running ``bench/startup_probe.py``
(the real ``gradviz open`` on ``exercise3``, offscreen when there is no display)
and takes the time from just before the process is spawned to the moment the
canvas's viewport receives its first paint event (the child prints the system's
monotonic clock then; the parent reads the same clock). Median of several cold
starts (a new interpreter each time; the OS file cache is warm and the modules
are compiled to bytecode, as on a second launch of an installed app); goal
< 0.6 s. For scale, the same is measured for a bare PySide6
window that imports numpy and nothing of gradviz: the floor no app can beat.
Last, the same start with a 998-node network (``bench_canvas.ladder``): every
number of it formatted, every text measured and the window laid out afresh, as
a user opening a big file meets it (no goal; the canvas's share is in the
canvas rows).

Run alone with ``python bench/bench_startup.py``.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_canvas import ladder  # noqa: E402
from common import Row, Timing, run_alone  # noqa: E402

from gradviz.model.fileformat import save  # noqa: E402

HERE = Path(__file__).resolve().parent
STARTS = 7
BIG_STARTS = 5
GOAL = 0.6
FLOOR = """
import time
import numpy
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QGraphicsScene, QGraphicsView, QMainWindow

class First(QObject):
    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.Paint:
            print(f"first-paint {time.monotonic():.6f}", flush=True)
            QTimer.singleShot(0, app.quit)
        return False

app = QApplication([])
window = QMainWindow()
view = QGraphicsView(QGraphicsScene())
window.setCentralWidget(view)
probe = First()
view.viewport().installEventFilter(probe)
window.show()
app.exec()
"""


#: What has happened by each milestone the probe marks, in order.
MILESTONES = {
    "core": "python, numpy, gradviz's engine and model, the command line",
    "app": "PySide6, the QApplication (Fusion style), the file read",
    "imports": "the window's modules (canvas, inspector, panels, menus)",
    "shown": "the window built and shown (restore check included)",
}


def _env(home: str) -> dict[str, str]:
    """The user's environment with a private home (no settings or autosaves of
    theirs), bytecode caches kept (in a folder of the home, so the tree stays
    clean: an installed app has its ``.pyc`` files) and the offscreen platform
    when there is no display."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.update(
        HOME=home,
        XDG_CONFIG_HOME=f"{home}/config",
        XDG_DATA_HOME=f"{home}/data",
        PYTHONPYCACHEPREFIX=f"{home}/pycache",
    )
    if not (env.get("DISPLAY") or env.get("WAYLAND_DISPLAY")):
        env.setdefault("QT_QPA_PLATFORM", "offscreen")
    return env


def milestones(args: list[str], env: dict[str, str]) -> dict[str, float]:
    """Seconds from spawning ``python args…`` to each ``mark NAME`` it reports and
    to its ``first-paint``."""
    start = time.monotonic()
    done = subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, env=env, timeout=120
    )
    found = {}
    for line in done.stdout.splitlines():
        words = line.split()
        if words[:1] == ["mark"] and len(words) == 3:
            found[words[1]] = float(words[2]) - start
        elif words[:1] == ["first-paint"] and len(words) == 2:
            found["first-paint"] = float(words[1]) - start
    if "first-paint" not in found:
        raise RuntimeError(f"no first paint reported: {done.stderr.strip()[-300:]}")
    return found


def first_paint(args: list[str], env: dict[str, str]) -> float:
    """Seconds from spawning ``python args…`` to the first paint it reports."""
    return milestones(args, env)["first-paint"]


def phases(starts: list[dict[str, float]]) -> list[Row]:
    """One row per stretch between the milestones of ``gradviz open``
    (:data:`MILESTONES`, then the first paint): where the time goes."""
    names = [*MILESTONES, "first-paint"]
    rows = []
    for k, name in enumerate(names):
        spans = [s[name] - (s[names[k - 1]] if k else 0.0) for s in starts]
        what = MILESTONES.get(name, "show → the canvas's first paint")
        rows.append(Row("startup", f"  {k + 1}. {what}", _timing(spans), ""))
    return rows


def _timing(samples: list[float]) -> Timing:
    return Timing(statistics.median(samples), min(samples), max(samples), len(samples), 1)


def main() -> list[Row]:
    with tempfile.TemporaryDirectory() as home:
        env = _env(home)
        probe = [str(HERE / "startup_probe.py")]
        first_paint(probe, env)  # warm the file cache and write the bytecode caches once
        first_paint(["-c", FLOOR], env)
        starts = []
        floor = []
        for _ in range(STARTS):  # alternated, so that a busy moment hits both alike
            starts.append(milestones(probe, env))
            floor.append(first_paint(["-c", FLOOR], env))
        big = Path(home) / "ladder.gradviz.json"
        save(ladder(1000), big)
        first_paint([*probe, str(big)], env)
        opens = [first_paint([*probe, str(big)], env) for _ in range(BIG_STARTS)]
    app = [s["first-paint"] for s in starts]
    t_app, t_floor = _timing(app), _timing(floor)
    met = "met" if t_app.median < GOAL else "MISSED"
    return [
        Row(
            "startup",
            "gradviz open exercise3 → first paint",
            t_app,
            f"goal < {GOAL:g} s: {met}; gradviz's own share "
            f"{(t_app.median - t_floor.median) * 1e3:.0f} ms over the floor below",
        ),
        *phases(starts),
        Row(
            "startup",
            "floor: bare PySide6 window + numpy → first paint",
            t_floor,
            "python, numpy and Qt alone",
        ),
        Row(
            "startup",
            "gradviz open a 998-node network → first paint",
            _timing(opens),
            "every number formatted and every text measured afresh, in a new process",
        ),
    ]


if __name__ == "__main__":
    raise SystemExit(run_alone(main))
