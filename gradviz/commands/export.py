"""``gradviz export MODEL -o OUT.{png,svg,pdf,tex}``: the drawing, without a window.

``.tex`` is TikZ written by :mod:`gradviz.export.tikz` (a standalone document, or
with ``--picture-only`` the ``tikzpicture`` alone for ``\\input`` in a Beamer
frame). PNG, SVG and PDF render the Qt canvas through ``gradviz.qt.render``,
headless (``QT_QPA_PLATFORM=offscreen``) when there is no display.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from gradviz.cli import UsageError
from gradviz.commands.common import add_model_argument, load_model, positive_float
from gradviz.export.files import write_text_atomic
from gradviz.export.tikz import THEMES, tikz_document, tikz_picture
from gradviz.model.network import Network

HELP = "draw the network with values and gradients to PNG, SVG, PDF or TikZ (.tex)"

EXTENSIONS = (".png", ".svg", ".pdf", ".tex")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_model_argument(parser)
    parser.add_argument(
        "-o",
        "--output",
        required=True,
        metavar="OUT",
        help="the file to write: .png, .svg, .pdf or .tex (TikZ)",
    )
    parser.add_argument(
        "--scale",
        type=positive_float,
        default=1.0,
        metavar="N",
        help="size factor: PNG pixels per canvas unit, TikZ \\gradvizscale (1)",
    )
    parser.add_argument(
        "--transparent",
        action="store_true",
        help="no background fill (PNG alpha, SVG/PDF/TikZ without a backdrop)",
    )
    parser.add_argument(
        "--theme", choices=sorted(THEMES), default="light", help="colours of the canvas (light)"
    )
    parser.add_argument(
        "--no-values",
        dest="values",
        action="store_false",
        help="hide the forward values on the edges",
    )
    parser.add_argument(
        "--no-gradients",
        dest="gradients",
        action="store_false",
        help="hide the gradients ∂l/∂· under the edges",
    )
    parser.add_argument(
        "--picture-only",
        action="store_true",
        help=".tex only: write just the tikzpicture, for \\input in a Beamer frame",
    )


def _check_output(path: Path, raw: str) -> str:
    ext = path.suffix.lower()
    if ext not in EXTENSIONS:
        raise UsageError(
            f"{raw}: unknown extension '{path.suffix}' (export writes {', '.join(EXTENSIONS)})"
        )
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise UsageError(f"{raw}: cannot be written (no folder {folder})")
    if path.is_dir():
        raise UsageError(f"{raw}: cannot be written (it is a folder)")
    return ext


def run(args: argparse.Namespace) -> int:
    out = Path(args.output)
    ext = _check_output(out, args.output)
    if args.picture_only and ext != ".tex":
        raise UsageError("--picture-only applies to .tex output only")
    net = load_model(args)
    if ext == ".tex":
        make = tikz_picture if args.picture_only else tikz_document
        text = make(
            net,
            net.evaluate(),
            show_values=args.values,
            show_gradients=args.gradients,
            theme=args.theme,
            scale=args.scale,
            transparent=args.transparent,
        )
        try:
            write_text_atomic(out, text)
        except OSError as e:
            raise UsageError(f"{args.output}: cannot be written ({e.strerror})") from None
    else:
        _render_with_qt(net, out, args)
    print(f"wrote {args.output}")
    return 0


def _render_with_qt(net: Network, out: Path, args: argparse.Namespace) -> None:
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    try:
        from gradviz.qt.render import export_file
    except ModuleNotFoundError as e:
        if e.name in ("gradviz.qt.render", "gradviz.qt"):
            raise UsageError(
                "PNG/SVG/PDF export needs the Qt renderer (gradviz.qt.render), "
                "which is not installed"
            ) from None
        raise UsageError(
            f"PNG/SVG/PDF export needs Qt, which could not be loaded (missing module {e.name})"
        ) from None
    except ImportError as e:
        raise UsageError(f"PNG/SVG/PDF export needs Qt, which could not be loaded ({e})") from None
    try:
        export_file(
            net,
            out,
            scale=args.scale,
            transparent=args.transparent,
            theme=args.theme,
            show_values=args.values,
            show_gradients=args.gradients,
        )
    except OSError as e:
        raise UsageError(f"{args.output}: cannot be written ({e.strerror or e})") from None
    except ValueError as e:
        raise UsageError(str(e)) from None
