"""``gradviz new --layers 2,3,2 [--act relu] [--head softmax --target 1] [--bias]
[--init ints --seed 3] [--input 1,-1] -o net.json``: build a layered network."""

from __future__ import annotations

import argparse
import re

import numpy as np

from gradviz.cli import UsageError
from gradviz.commands.common import add_output_argument, writing
from gradviz.engine.exact import format_array, format_scalar
from gradviz.engine.numbers import NumberError, parse_number
from gradviz.model.builder import ACTIVATION_CHOICES, HEADS, INITS, NetworkSpec, build_network
from gradviz.model.fileformat import save
from gradviz.model.network import Network

HELP = "build a new layered network (sizes, activations, biases, head, initial weights)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    # let values such as "-1,2" or "-1/2,0" through as values, not as unknown options
    parser._negative_number_matcher = re.compile(r"^-\d[\d.,/ eE+-]*$")
    parser.add_argument(
        "--layers",
        required=True,
        metavar="N0,N1,…",
        help="layer sizes, input first and output last, e.g. 2,3,2",
    )
    parser.add_argument(
        "--act",
        default="relu",
        metavar="ACT[,ACT…]",
        help="activation of the hidden layers: one for all, or one per hidden "
        "layer plus optionally one for the output layer; "
        f"{', '.join(ACTIVATION_CHOICES)} (relu)",
    )
    parser.add_argument(
        "--head",
        default="softmax",
        metavar="HEAD",
        help="softmax (then −ln of the target class) or mse (identity output, "
        "mean squared error to the target vector) (softmax)",
    )
    parser.add_argument(
        "--target",
        metavar="T",
        help="softmax: the class, 1-based like the sheet's f[1] (1); "
        "mse: the target vector, e.g. 1,0 (1,0,…,0)",
    )
    parser.add_argument(
        "--bias",
        nargs="?",
        const="all",
        metavar="0/1,…",
        help="add biases b₁, b₂, …: to every layer, or per layer as 1,0",
    )
    parser.add_argument(
        "--init",
        default="ints",
        metavar="INIT",
        help=f"initial weights: {', '.join(INITS)} (ints: integers in "
        "[−3, 3]; exercise: small integers whose every derivative is a "
        "simple fraction)",
    )
    parser.add_argument("--seed", type=int, default=0, help="random seed (0)")
    parser.add_argument(
        "--input",
        metavar="E1,E2,…",
        help="the input E, e.g. 1,-1 (default 1,-1,1,…; chosen by --init exercise)",
    )
    parser.add_argument(
        "--allow-kinks",
        action="store_true",
        help="with --init exercise, allow ReLU inputs of exactly 0",
    )
    parser.add_argument("--title", default="", help="the network's title")
    add_output_argument(parser, "where to write the network (.json)")


def _items(text: str, flag: str) -> list[str]:
    parts = [p.strip() for p in text.split(",")]
    if not text.strip() or any(not p for p in parts):
        raise UsageError(f"{flag} '{text}' must be a comma-separated list with no empty entries")
    return parts


def _numbers(text: str, flag: str) -> tuple[float, ...]:
    out = []
    for p in _items(text, flag):
        try:
            out.append(parse_number(p))
        except NumberError as e:
            raise UsageError(f"{flag}: {e}") from None
    return tuple(out)


def _sizes(text: str) -> tuple[int, ...]:
    sizes = []
    for p in _items(text, "--layers"):
        if not p.isdigit() or int(p) < 1:
            raise UsageError(f"--layers: '{p}' is not a layer size (a whole number ≥ 1)")
        sizes.append(int(p))
    if len(sizes) < 2:
        raise UsageError("--layers needs at least an input and an output size, e.g. 2,3,2")
    return tuple(sizes)


def _bias(text: str | None, depth: int) -> bool | tuple[bool, ...]:
    if text is None:
        return False
    if text == "all":
        return True
    flags = []
    for p in _items(text, "--bias"):
        if p not in ("0", "1"):
            raise UsageError(f"--bias: '{p}' must be 1 (bias) or 0 (none)")
        flags.append(p == "1")
    if len(flags) != depth:
        raise UsageError(
            f"--bias gives {len(flags)} switches but the network has {depth} weight layers"
        )
    return tuple(flags)


def _target(text: str | None, head: str) -> int | tuple[float, ...] | None:
    if text is None:
        return None
    if head == "softmax":
        if not text.strip().isdigit() or int(text) < 1:
            raise UsageError(f"--target '{text}' must be a class number (1 is the sheet's f[1])")
        return int(text) - 1
    return _numbers(text, "--target")


def spec_from_args(args: argparse.Namespace) -> NetworkSpec:
    """The :class:`NetworkSpec` the flags describe (``UsageError`` on a bad flag)."""
    layers = _sizes(args.layers)
    acts = tuple(a.lower() for a in _items(args.act, "--act"))
    for a in acts:
        if a not in ACTIVATION_CHOICES:
            raise UsageError(
                f"--act: unknown activation '{a}' (choose from {', '.join(ACTIVATION_CHOICES)})"
            )
    if args.head not in HEADS:
        raise UsageError(f"--head: unknown head '{args.head}' (choose softmax or mse)")
    if args.init not in INITS:
        raise UsageError(f"--init: unknown init '{args.init}' (choose from {', '.join(INITS)})")
    spec = NetworkSpec(
        layers=layers,
        input_values=_numbers(args.input, "--input") if args.input is not None else None,
        activations=acts,
        bias=_bias(args.bias, len(layers) - 1),
        head=args.head,
        target=_target(args.target, args.head),
        init=args.init,
        seed=args.seed,
        title=args.title,
        allow_kinks=args.allow_kinks,
    )
    try:
        spec.check()
    except ValueError as e:
        raise UsageError(str(e)) from None
    return spec


def summary(net: Network, path: str) -> str:
    """What ``new`` prints: every input and parameter, the loss and Θ's layout."""
    ev = net.evaluate()
    lines = [f"wrote {path}: {net.title}"]
    for n in net.nodes:
        if n.value is None:
            continue
        text = format_array(n.value).splitlines()
        shape = "×".join(map(str, n.value.shape))
        head = f"  {n.display_label} ({shape}) = "
        lines.append(head + ("\n" + " " * len(head)).join(text))
    if ev.loss is not None and net.loss is not None:
        lines.append(f"  loss {net.loss} = {format_scalar(ev.loss)}")
    sizes = ", ".join(
        f"{p} {'×'.join(map(str, np.asarray(net.node(p).value).shape))}" for p in net.param_ids
    )
    lines.append(f"  Θ has {ev.theta.size} entries: {sizes}")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    spec = spec_from_args(args)
    try:
        net = build_network(spec)
    except ValueError as e:
        raise UsageError(str(e)) from None
    with writing(args.output):
        save(net, args.output)
    print(summary(net, args.output))
    return 0
