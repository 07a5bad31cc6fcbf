"""``gradviz step MODEL --lr LR [--steps N] -o OUT``: gradient descent on Θ."""

from __future__ import annotations

import argparse

from gradviz.cli import UsageError
from gradviz.commands.common import (
    add_model_argument,
    add_output_argument,
    check_folder,
    load_model,
    positive_float,
    positive_int,
    writing,
)
from gradviz.engine.exact import format_scalar, format_vector
from gradviz.model.fileformat import save
from gradviz.model.training import descend

HELP = "take gradient-descent steps Θ ← Θ − lr·∇l(Θ) and write the new network"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_model_argument(parser)
    parser.add_argument(
        "--lr", type=positive_float, required=True, help="learning rate (a number > 0; 1/2 works)"
    )
    parser.add_argument("--steps", type=positive_int, default=1, help="number of steps (1)")
    add_output_argument(parser, "where to write the new network (.json)")


def run(args: argparse.Namespace) -> int:
    net = load_model(args)
    if net.loss is None:
        raise UsageError(f"{args.model}: the network has no 'loss' node to descend")
    check_folder(args.output)  # before printing any step
    descent = descend(net, args.lr, args.steps)  # refuses a step that would poison Θ
    print(f"∇{net.loss}(Θ) = {format_vector(descent.first_gradient)}")
    for k in range(descent.taken):
        before, after = descent.losses[k], descent.losses[k + 1]
        print(f"step {k + 1}: loss {format_scalar(before)} → {format_scalar(after)}")
    if descent.refused is not None:
        raise UsageError(
            f"{args.model}: step {descent.taken + 1} refused: {descent.refused}; "
            "nothing was written"
        )
    with writing(args.output):
        save(net, args.output)
    print(f"Θ = {format_vector(net.theta)}")
    print(f"wrote {args.output}")
    return 0
