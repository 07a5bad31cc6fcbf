"""``gradviz check MODEL``: finite differences against every analytic Jacobian."""

from __future__ import annotations

import argparse

from gradviz.commands.common import add_model_argument, load_model
from gradviz.engine.check import ATOL, RTOL, check_evaluation

HELP = "compare every Jacobian with central finite differences (exit 0 when all agree)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_model_argument(parser)


def run(args: argparse.Namespace) -> int:
    net = load_model(args)
    rows = check_evaluation(net.evaluate())
    name_w = max(len("Jacobian"), *(len(r.name) for r in rows)) if rows else 8
    print(
        f"Central differences in float64 (h = 1e-6·max(1, |x|), Richardson-refined, "
        f"smaller where needed); an entry agrees when "
        f"|analytic − numeric| ≤ {ATOL:g} + {RTOL:g}·|numeric|."
    )
    print(f"{'Jacobian'.ljust(name_w)}  {'shape':>9}  {'max |error|':>11}  result")
    failed = 0
    for r in rows:
        shape = "×".join(str(s) for s in r.shape)
        if r.skipped:
            verdict = "skipped: at a ReLU kink (input exactly 0)"
        elif r.ok:
            verdict = "ok"
        else:
            verdict = "MISMATCH"
            failed += 1
        print(f"{r.name.ljust(name_w)}  {shape:>9}  {r.max_error:11.2e}  {verdict}")
    skipped = sum(r.skipped for r in rows)
    agree = len(rows) - failed - skipped
    summary = (
        f"all {len(rows)} Jacobians agree"
        if agree == len(rows)
        else (
            f"{agree} of {len(rows)} Jacobians agree"
            + (f", {failed} disagree" if failed else "")
            + (f", {skipped} skipped at a ReLU kink" if skipped else "")
        )
    )
    print(summary)
    return 1 if failed else 0
