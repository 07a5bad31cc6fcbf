"""Run every benchmark and print one table: ``python bench/run.py [NAME …]``
(``make bench``).

Finds every ``bench/bench_*.py``, calls its ``main() -> list[Row]`` (see
:mod:`common`) and prints all rows together under a header naming the machine.
``NAME`` limits the run to modules whose name contains it (``engine`` runs
``bench_engine.py``). A module that fails is reported as a row and the run goes
on; the exit status is then 1.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import platform
import sys
import traceback
from pathlib import Path
from types import ModuleType

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from common import THREADS, Row, print_table  # noqa: E402  (first: it caps BLAS threads)


def discover(names: list[str]) -> list[Path]:
    """``bench_*.py`` files in name order, those matching any of ``names`` (all if empty)."""
    found = sorted(BENCH.glob("bench_*.py"))
    if names:
        found = [p for p in found if any(n in p.stem for n in names)]
    return found


def load(path: Path) -> ModuleType:
    """Import a bench file as a module of its own name."""
    spec = importlib.util.spec_from_file_location(path.stem, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[path.stem] = module
    spec.loader.exec_module(module)
    return module


def machine() -> str:
    """One line: CPU model, cores, Python and numpy versions, the thread cap."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import numpy

    return (
        f"{cpu}, {os.cpu_count()} cores, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}, numpy {numpy.__version__}, "
        f"{THREADS} thread(s) for BLAS/torch/XLA"
    )


def run(paths: list[Path]) -> tuple[list[Row], bool]:
    """Every module's rows; a module that raises gives one row saying so."""
    rows: list[Row] = []
    ok = True
    for path in paths:
        print(f"running {path.name} …", file=sys.stderr, flush=True)
        try:
            result = load(path).main()
        except Exception as e:  # a broken bench must not hide the others' results
            traceback.print_exc()
            rows.append(
                Row(path.stem.removeprefix("bench_"), "(failed)", None, f"{type(e).__name__}: {e}")
            )
            ok = False
            continue
        rows.extend(r for r in (result or []) if isinstance(r, Row))
    return rows, ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", help="run only bench_*.py files containing NAME")
    args = parser.parse_args(argv)
    paths = discover(args.names)
    if not paths:
        print(f"bench: error: no bench/bench_*.py matches {' '.join(args.names)}", file=sys.stderr)
        return 2
    rows, ok = run(paths)
    print(f"gradviz benchmarks on {machine()}")
    print("each figure: median time per call (min–max over repeats); ratios from one run\n")
    print_table(rows)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
