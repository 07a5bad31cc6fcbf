"""The ``gradviz`` command: ``gradviz [FILE]`` opens the app; the verbs
``open``, ``report``, ``check``, ``step``, ``export``, ``solve``, ``new`` work
without a window. Each verb lives in its own module under
:mod:`gradviz.commands` with ``HELP``, ``add_arguments(parser)`` and
``run(args) -> int``.

Every error a user can cause (a bad file, a bad flag value) is one line on
stderr starting ``gradviz: error:`` and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from typing import NoReturn

VERBS = ("open", "report", "check", "step", "export", "solve", "new")


class UsageError(Exception):
    """A bad command-line value; its text is the whole message."""


class _Parser(argparse.ArgumentParser):
    """argparse, but a bad flag is one line ``gradviz: error: …`` (exit 2) rather
    than a usage block; subparsers inherit the class."""

    def error(self, message: str) -> NoReturn:
        verb = self.prog.split(" ", 1)[1] if " " in self.prog else ""
        where = f"{verb}: " if verb else ""
        hint = f"gradviz {verb} --help" if verb else "gradviz --help"
        self.exit(2, f"gradviz: error: {where}{message} (see '{hint}')\n")


def _available_verbs(candidates: Sequence[str] = VERBS) -> list[str]:
    """The verbs among ``candidates`` whose module exists (others may not be built yet)."""
    found = []
    for verb in candidates:
        try:
            importlib.import_module(f"gradviz.commands.{verb}")
        except ModuleNotFoundError as e:
            if e.name != f"gradviz.commands.{verb}":
                raise
            continue
        found.append(verb)
    return found


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The argument parser. With ``only``, just that verb's module is imported (so
    ``gradviz report`` never loads the Qt-backed verbs, nor trips over one that is
    broken); without it, or when that verb does not exist, every verb is listed."""
    from gradviz import __version__

    parser = _Parser(
        prog="gradviz",
        description="See backpropagation: values, Jacobians and gradients of a network, "
        "in exact fractions. Without a verb, opens the app.",
        epilog="MODEL is a .json network file or the name of a bundled example (exercise3).",
    )
    parser.add_argument("--version", action="version", version=f"gradviz {__version__}")
    sub = parser.add_subparsers(dest="verb", metavar="VERB")
    verbs = _available_verbs([only]) if only is not None else []
    for verb in verbs or _available_verbs():
        module = importlib.import_module(f"gradviz.commands.{verb}")
        p = sub.add_parser(verb, help=module.HELP, description=module.HELP)
        module.add_arguments(p)
        p.set_defaults(run=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    top_level = ("-h", "--help", "--version")
    if not args_list or (args_list[0] not in VERBS and args_list[0] not in top_level):
        args_list.insert(0, "open")  # `gradviz`, `gradviz FILE`, `gradviz --quit-after-ms N`
    parser = build_parser(only=args_list[0] if args_list[0] in VERBS else None)
    args = parser.parse_args(args_list)
    from gradviz.model.fileformat import ModelError

    try:
        return int(args.run(args))
    except (ModelError, UsageError) as e:
        print(f"gradviz: error: {e}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # `gradviz report … | head`
        return 0
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
