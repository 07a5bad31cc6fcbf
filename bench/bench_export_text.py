"""Text exports of ``exercise3``: the TikZ document and the worked solution
(LaTeX and Markdown), each from a loaded network to the finished string.

Goal (issue 4): each under 200 ms, start-up excluded. Each row times the whole
export including the evaluation it needs (``tikz_document(net)`` evaluates the
network itself); the median of 7 repeats is reported.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import Row, measure, run_alone  # noqa: E402

import gradviz  # noqa: E402
from gradviz.export.solution import solution_latex, solution_markdown  # noqa: E402
from gradviz.export.tikz import tikz_document, tikz_picture  # noqa: E402

GOAL_SECONDS = 0.200


def main() -> list[Row]:
    net = gradviz.load("exercise3")
    cases = {
        "tikz_document(exercise3)": lambda: tikz_document(net),
        "tikz_picture(exercise3, dark)": lambda: tikz_picture(net, theme="dark"),
        "solution_latex(exercise3)": lambda: solution_latex(net),
        "solution_markdown(exercise3)": lambda: solution_markdown(net),
    }
    rows = []
    for case, fn in cases.items():
        timing = measure(fn, repeats=7, target=0.1)
        verdict = "met" if timing.median < GOAL_SECONDS else "MISSED"
        rows.append(Row("export-text", case, timing, f"goal < 200 ms: {verdict}"))
    return rows


if __name__ == "__main__":
    raise SystemExit(run_alone(main))
