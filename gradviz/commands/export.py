"""``gradviz export MODEL -o OUT.{png,svg,pdf,tex}``: the drawing, without a window.

``.tex`` is TikZ written by :mod:`gradviz.export.tikz` (a standalone document, or
with ``--picture-only`` the ``tikzpicture`` alone for ``\\input`` in a Beamer
frame). PNG, SVG and PDF render the Qt canvas through ``gradviz.qt.render``,
headless (``QT_QPA_PLATFORM=offscreen``) when there is no display.

``--walk`` exports the backprop walk as slides with the graph held in place:
``.pdf`` one page per step, ``.png`` / ``.svg`` numbered files beside ``OUT``
(``slides-01.png`` …), ``.tex`` a Beamer document with one ``\\only<n>`` overlay
per step (``--picture-only``: the frame alone); see ``gradviz.qt.walk_render``.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from gradviz.cli import UsageError
from gradviz.commands.common import (
    add_model_argument,
    add_output_argument,
    check_folder,
    load_model,
    positive_float,
    writing,
)
from gradviz.export.files import write_text_atomic
from gradviz.export.tikz import THEMES, TexOptions, tikz_tex
from gradviz.model.network import Network

HELP = "draw the network with values and gradients to PNG, SVG, PDF or TikZ (.tex)"

EXTENSIONS = (".png", ".svg", ".pdf", ".tex")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_model_argument(parser)
    add_output_argument(parser, "the file to write: .png, .svg, .pdf or .tex (TikZ)")
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
        help=".tex only: write just the tikzpicture (with --walk: the frame), for \\input "
        "in a Beamer talk",
    )
    parser.add_argument(
        "--walk",
        action="store_true",
        help="the backprop walk as slides, one per step: .pdf pages, numbered .png/.svg "
        "files (OUT-01.png …) or Beamer overlays (.tex)",
    )
    parser.add_argument(
        "--no-caption",
        dest="caption",
        action="store_false",
        help="--walk to PDF/PNG/SVG: leave out the step and its computation under the graph",
    )


def _check_output(path: Path, raw: str) -> str:
    ext = path.suffix.lower()
    if ext not in EXTENSIONS:
        raise UsageError(
            f"{raw}: unknown extension '{path.suffix}' (export writes {', '.join(EXTENSIONS)})"
        )
    check_folder(raw)
    if path.is_dir():
        raise UsageError(f"{raw}: cannot be written (it is a folder)")
    return ext


def run(args: argparse.Namespace) -> int:
    out = Path(args.output)
    ext = _check_output(out, args.output)
    if args.picture_only and ext != ".tex":
        raise UsageError("--picture-only applies to .tex output only")
    if not args.caption and not args.walk:
        raise UsageError("--no-caption applies to --walk only")
    net = load_model(args)
    if args.walk:
        print(_export_walk(net, out, args))
        return 0
    if ext == ".tex":
        text = tikz_tex(net, picture_only=args.picture_only, **_drawing_options(args))
        with writing(args.output):
            write_text_atomic(out, text)
    else:
        _render_with_qt(net, out, args)
    print(f"wrote {args.output}")
    return 0


def _export_walk(net: Network, out: Path, args: argparse.Namespace) -> str:
    """Write the walk's slides; returns the line saying what was written."""
    from gradviz.engine.walk import walk_steps

    ev = net.evaluate()
    steps = walk_steps(net.to_program(), ev)
    if not steps:
        raise UsageError(f"{args.model}: the network computes no node, so there is no walk")
    if out.suffix.lower() == ".tex":
        from gradviz.export.walk_slides import walk_tex

        text = walk_tex(net, ev, picture_only=args.picture_only, **_drawing_options(args))
        with writing(args.output):
            write_text_atomic(out, text)
        kind = "a Beamer frame" if args.picture_only else "Beamer slides"
        return f"wrote {args.output}: {kind}, {len(steps)} overlays, one per step of the walk"
    _import_qt("gradviz.qt.walk_render")
    from gradviz.qt.walk_render import export_walk, written_summary

    with _as_usage_errors(args.output):
        written = export_walk(net, out, caption=args.caption, **_drawing_options(args))
    return written_summary(args.output, written, len(steps))


def _import_qt(module: str) -> None:
    """Load the Qt renderer ``module`` headless, or say in one sentence why it cannot be."""
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    try:
        __import__(module)
    except ModuleNotFoundError as e:
        if e.name in (module, "gradviz.qt"):
            raise UsageError(
                f"PNG/SVG/PDF export needs the Qt renderer ({module}), which is not installed"
            ) from None
        raise UsageError(
            f"PNG/SVG/PDF export needs Qt, which could not be loaded (missing module {e.name})"
        ) from None
    except ImportError as e:
        raise UsageError(f"PNG/SVG/PDF export needs Qt, which could not be loaded ({e})") from None


def _render_with_qt(net: Network, out: Path, args: argparse.Namespace) -> None:
    _import_qt("gradviz.qt.render")
    from gradviz.qt.render import export_file

    with _as_usage_errors(args.output):
        export_file(net, out, **_drawing_options(args))


def _drawing_options(args: argparse.Namespace) -> TexOptions:
    """The drawing flags every export takes: pictures, TikZ and the walk's slides."""
    return {
        "scale": args.scale,
        "transparent": args.transparent,
        "theme": args.theme,
        "show_values": args.values,
        "show_gradients": args.gradients,
    }


@contextmanager
def _as_usage_errors(output: str) -> Iterator[None]:
    """A renderer's OSError or ValueError as the one-line ``gradviz: error:``."""
    try:
        with writing(output):
            yield
    except ValueError as e:
        raise UsageError(str(e)) from None
