"""``gradviz solve MODEL -o OUT.{tex,md} [--lr LR]``: the worked solution."""

from __future__ import annotations

import argparse
from pathlib import Path

from gradviz.cli import UsageError
from gradviz.commands.common import (
    add_model_argument,
    add_output_argument,
    load_model,
    positive_float,
    writing,
)
from gradviz.export.files import write_text_atomic
from gradviz.export.solution import solution_latex, solution_markdown

HELP = (
    "write the step-by-step derivation (values, local Jacobians, ∂·/∂θ through the chain, "
    "J_f(Θ), ∇l(Θ), one gradient step) as LaTeX or Markdown"
)

FORMATS = {".tex": solution_latex, ".md": solution_markdown}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_model_argument(parser)
    add_output_argument(
        parser,
        "the file to write: .tex (standalone LaTeX, pdflatex) or .md (Markdown with $…$ math)",
    )
    parser.add_argument(
        "--lr",
        type=positive_float,
        default=1.0,
        help="learning rate of the gradient step shown at the end (1; 1/2 works)",
    )


def run(args: argparse.Namespace) -> int:
    out = Path(args.output)
    writer = FORMATS.get(out.suffix.lower())
    if writer is None:
        raise UsageError(
            f"{args.output}: unknown extension '{out.suffix}' (solve writes .tex or .md)"
        )
    net = load_model(args)
    text = writer(net, net.evaluate(), lr=args.lr)
    with writing(args.output):
        write_text_atomic(out, text)
    print(f"wrote {args.output}")
    return 0
