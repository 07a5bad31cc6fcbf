"""Pieces the command-line verbs share: loading a model argument, writing an
output file safely, checking flag values."""

from __future__ import annotations

import argparse

from gradviz.model.fileformat import load
from gradviz.model.network import Network


def add_model_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "model",
        metavar="MODEL",
        help="a network file (.json) or a bundled example's name, e.g. exercise3",
    )


def load_model(args: argparse.Namespace) -> Network:
    """The network named by ``args.model`` (raises ModelError with the one-line message)."""
    return load(args.model)


def positive_float(text: str) -> float:
    """argparse type: a finite number > 0 (fractions like 1/2 allowed)."""
    from gradviz.engine.numbers import NumberError, parse_number

    try:
        value = parse_number(text)
    except NumberError as e:
        raise argparse.ArgumentTypeError(str(e)) from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"'{text}' must be greater than 0")
    return value


def positive_int(text: str) -> int:
    """argparse type: a whole number ≥ 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"'{text}' must be at least 1")
    return value
