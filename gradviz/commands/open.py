"""``gradviz [open] [FILE]``: the desktop app on a network file (default: exercise3).

A file that cannot be loaded is reported on stderr as one line
``gradviz: error: …`` with exit status 2 before any window appears.
"""

from __future__ import annotations

import argparse
import os
import sys

from gradviz.cli import UsageError
from gradviz.commands.common import positive_int
from gradviz.model.fileformat import load

HELP = "open the app on a network file or bundled example (default: exercise3)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "model",
        metavar="FILE",
        nargs="?",
        default=None,
        help="a network file (.json) or a bundled example's name",
    )
    parser.add_argument(
        "--quit-after-ms",
        type=positive_int,
        default=None,
        metavar="N",
        help="close the window after N milliseconds (smoke tests)",
    )


def _has_display() -> bool:
    if os.environ.get("QT_QPA_PLATFORM"):
        return True
    if sys.platform.startswith("linux"):
        return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    return True


def run(args: argparse.Namespace) -> int:
    # the file's one read: a bad file is a ModelError (one line, exit 2, no window,
    # no Qt loaded); a good one's network goes to the window as it is
    network = load(args.model) if args.model is not None else None
    if not _has_display():
        raise UsageError(
            "no display to open a window on (set DISPLAY, or "
            "QT_QPA_PLATFORM=offscreen for a headless run)"
        )
    from gradviz.qt.app import main

    argv = [] if args.quit_after_ms is None else ["--quit-after-ms", str(args.quit_after_ms)]
    return main(args.model, argv, network)
