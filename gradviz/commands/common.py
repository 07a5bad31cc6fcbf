"""Pieces the command-line verbs share: loading a model argument, writing an
output file safely, checking flag values."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from gradviz.cli import UsageError
from gradviz.model.fileformat import load
from gradviz.model.network import Network


def add_model_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "model",
        metavar="MODEL",
        help="a network file (.json) or a bundled example's name, e.g. exercise3",
    )


def add_output_argument(parser: argparse.ArgumentParser, help: str) -> None:
    """The required ``-o/--output OUT`` of a verb that writes a file."""
    parser.add_argument("-o", "--output", required=True, metavar="OUT", help=help)


def check_folder(output: str) -> None:
    """Say before any work that ``output`` cannot be written: its folder is missing."""
    folder = Path(output).parent
    if not folder.is_dir():
        raise UsageError(f"{output}: cannot be written (no folder '{folder}')")


@contextmanager
def writing(output: str) -> Iterator[None]:
    """Writing ``output``: an ``OSError`` becomes the one line
    ``gradviz: error: OUT: cannot be written (reason)``."""
    try:
        yield
    except OSError as e:
        raise UsageError(f"{output}: cannot be written ({e.strerror or e})") from None


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
