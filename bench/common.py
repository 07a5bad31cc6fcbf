"""Timing helpers shared by every ``bench/bench_*.py`` module.

The contract with :mod:`bench.run`: a bench module defines ``main() -> list[Row]``
(it may print notes as it goes); ``bench/run.py`` imports every ``bench_*.py``,
calls ``main()`` and prints all rows as one table. Running a module alone
(``python bench/bench_engine.py``) prints its own table via :func:`run_alone`.

Every figure is a **median with its range** (min–max over repeats) of the time
per call. Each repeat runs the function ``loops`` times in a row, ``loops``
chosen so one repeat lasts about ``target`` seconds; a few warm-up calls come
first. Comparisons are ratios of two medians measured **in the same run**,
interleaved repeat by repeat (:func:`compare`) so that drift of the machine
(turbo, another process) hits both sides alike.

Threads: importing this module before numpy (``bench/run.py`` does) caps BLAS,
OpenMP, torch and XLA at ``GRADVIZ_BENCH_THREADS`` threads (default 1), so the
ratios measure the code rather than how two cores are shared with whatever
else runs. A variable already set in the environment wins.
"""

from __future__ import annotations

import math
import os
import statistics
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:  # numpy and gradviz load only after the thread caps below are set
    from gradviz.model.network import Network

THREADS = os.environ.get("GRADVIZ_BENCH_THREADS", "1")
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, THREADS)
os.environ.setdefault(
    "XLA_FLAGS", f"--xla_cpu_multi_thread_eigen={'true' if THREADS != '1' else 'false'}"
)

__all__ = [
    "Row",
    "Timing",
    "compare",
    "dense_network",
    "format_time",
    "measure",
    "per_action",
    "print_table",
    "ratio_note",
    "speed_note",
    "run_alone",
]


@dataclass(frozen=True)
class Timing:
    """Seconds per call: ``median``, ``low`` and ``high`` over ``repeats`` repeats
    of ``loops`` calls each."""

    median: float
    low: float
    high: float
    repeats: int
    loops: int

    def text(self) -> str:
        """``31.2 µs (30.8–33.0)``."""
        return f"{format_time(self.median)} ({format_range(self.low, self.high)})"


@dataclass(frozen=True)
class Row:
    """One line of the table: the bench group (``engine``), the case, its timing
    (None for a skipped case) and a note (a ratio, a goal, why it was skipped)."""

    group: str
    case: str
    timing: Timing | None
    note: str = ""


def format_time(seconds: float) -> str:
    """Seconds in the unit that keeps 3 significant digits: ``31.2 µs``, ``4.10 ms``."""
    if not math.isfinite(seconds):
        return str(seconds)
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6), ("ns", 1e-9)):
        if seconds >= scale or unit == "ns":
            value = seconds / scale
            digits = 0 if value >= 100 else 1 if value >= 10 else 2
            return f"{value:.{digits}f} {unit}"
    raise AssertionError("unreachable")


def format_range(low: float, high: float) -> str:
    """``30.8–33.0 µs`` style range, both ends in the unit of the upper end."""
    lo, hi = format_time(low), format_time(high)
    unit = hi.split()[1]
    if lo.split()[1] == unit:
        return f"{lo.split()[0]}–{hi}"
    return f"{lo}–{hi}"


def _loops_for(fn: Callable[[], object], target: float) -> int:
    """How many calls make one repeat last about ``target`` seconds."""
    loops = 1
    while True:
        start = time.perf_counter()
        for _ in range(loops):
            fn()
        elapsed = time.perf_counter() - start
        if elapsed >= target / 4 or loops >= 1 << 20:
            return max(1, math.ceil(loops * target / max(elapsed, 1e-9)))
        loops *= 4


def _one_repeat(fn: Callable[[], object], loops: int) -> float:
    start = time.perf_counter()
    for _ in range(loops):
        fn()
    return (time.perf_counter() - start) / loops


def _timing(samples: Sequence[float], loops: int) -> Timing:
    return Timing(statistics.median(samples), min(samples), max(samples), len(samples), loops)


def compare(
    fns: Mapping[str, Callable[[], object]],
    *,
    repeats: int = 7,
    target: float = 0.1,
    warmup: int = 3,
) -> dict[str, Timing]:
    """Time several functions, interleaving their repeats (a, b, a, b, …): the
    medians are then directly comparable as ratios measured in the same run."""
    for fn in fns.values():
        for _ in range(warmup):
            fn()
    loops = {name: _loops_for(fn, target) for name, fn in fns.items()}
    samples: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(repeats):
        for name, fn in fns.items():
            samples[name].append(_one_repeat(fn, loops[name]))
    return {name: _timing(samples[name], loops[name]) for name in fns}


def measure(
    fn: Callable[[], object], *, repeats: int = 7, target: float = 0.1, warmup: int = 3
) -> Timing:
    """Median and range of the time per call of ``fn``."""
    return compare({"fn": fn}, repeats=repeats, target=target, warmup=warmup)["fn"]


def per_action(fn: Callable[[], object], n: int) -> Timing:
    """``n`` single calls timed one by one (each call is one user action, such as an
    edit and its repaint, which must not be averaged over a batch)."""
    times = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return _timing(times, 1)


def ratio_note(a: Timing, b: Timing, b_name: str, goal: float | None = None) -> str:
    """``2.10× numpy (goal ≤ 3×: met)``: median of ``a`` over median of ``b``."""
    ratio = a.median / b.median
    text = f"{ratio:.3g}× {b_name}"
    if goal is not None:
        text += f" (goal ≤ {goal:g}×: {'met' if ratio <= goal else 'MISSED'})"
    return text


def speed_note(a: Timing, b: Timing, a_name: str = "gradviz") -> str:
    """``gradviz 23.4× faster`` / ``gradviz 1.80× slower``: ``a`` against ``b``."""
    ratio = a.median / b.median
    if ratio <= 1:
        return f"{a_name} {1 / ratio:.3g}× faster"
    return f"{a_name} {ratio:.3g}× slower"


def print_table(rows: Sequence[Row], file: TextIO | None = None) -> None:
    """One aligned table: group, case, median (range), note."""
    out = file or sys.stdout
    header = ("bench", "case", "median (range) per call", "note")
    cells = [header] + [
        (r.group, r.case, r.timing.text() if r.timing else "—", r.note) for r in rows
    ]
    widths = [max(len(c[i]) for c in cells) for i in range(3)]
    for n, c in enumerate(cells):
        line = "  ".join(c[i].ljust(widths[i]) for i in range(3)) + "  " + c[3]
        print(line.rstrip(), file=out)
        if n == 0:
            print("  ".join("-" * w for w in widths) + "  " + "-" * 4, file=out)


def run_alone(main: Callable[[], list[Row]]) -> int:
    """Run one bench module's ``main()`` and print its table; exit status 0."""
    print_table(main())
    return 0


def dense_network(
    sizes: tuple[int, ...], seed: int = 0, index: int = 0, title: str = "dense"
) -> Network:
    """``x → (W_k · + b_k, ReLU)… → f = softmax → l = −ln f[index]`` with layer sizes
    ``sizes`` (no ReLU after the last layer), He-initialised weights and small
    biases; Θ = (W_1, b_1, W_2, b_2, …) row-major."""
    import numpy as np

    from gradviz.model.network import Network, Node

    rng = np.random.default_rng(seed)
    nodes = [Node("x", "input", value=rng.standard_normal(sizes[0]))]
    prev = "x"
    for k, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True), start=1):
        w = rng.standard_normal((n_out, n_in)) * math.sqrt(2.0 / n_in)
        nodes += [
            Node(f"W{k}", "param", value=w),
            Node(f"m{k}", "matmul", [f"W{k}", prev]),
            Node(f"b{k}", "param", value=0.1 * rng.standard_normal(n_out)),
            Node(f"a{k}", "add", [f"m{k}", f"b{k}"]),
        ]
        prev = f"a{k}"
        if k < len(sizes) - 1:
            nodes.append(Node(f"h{k}", "relu", [prev]))
            prev = f"h{k}"
    nodes += [Node("f", "softmax", [prev]), Node("l", "neg_log", ["f"], attrs={"index": index})]
    return Network(nodes, title=title, output="f", loss="l")
