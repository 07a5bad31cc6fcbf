"""The network as a TikZ picture for slides and exercise sheets.

:func:`tikz_picture` writes one ``tikzpicture`` that needs only ``\\usepackage{tikz}``
(matrices are ``array`` environments, no amsmath), so it can be ``\\input`` into
a Beamer frame; define ``\\gradvizscale`` first to shrink it
(``\\newcommand{\\gradvizscale}{0.6}``). :func:`tikz_document` wraps it in a
standalone ``article`` whose page is cropped to the picture: the picture is
measured in a box and ``geometry`` sets the paper to its size plus a margin (no
``standalone``/``preview``, which CI's TeX packages do not ship).

Geometry: every node sits at its canvas position (:func:`gradviz.model.layout.positions`,
scene units, y down) mapped to ``(x / 60, −y / 60)`` cm. Inputs and parameters
show their entries as a matrix; ops show their label. Each edge ``u → v`` carries
``u``'s forward value above (``z = (2, 1, -3)``) and ``∂l/∂u`` below in the
gradient colour; a node nothing consumes (the loss) gets a short outgoing arrow
with its own value. Numbers are exact (``\\frac{3}{4}``, ``\\ln 2``) unless
``exact=False``. Every user text is escaped (:mod:`gradviz.export.escape`).
"""

from __future__ import annotations

import math
import textwrap
from dataclasses import dataclass
from typing import TypedDict, Unpack

import numpy as np

from gradviz.engine.evaluate import Evaluation
from gradviz.engine.exact import latex_scalar
from gradviz.export.escape import latex_text
from gradviz.export.mathtex import visual_em
from gradviz.export.notation import Notation
from gradviz.export.overlays import Overlays, faded, shown, walk_marks
from gradviz.export.palette import THEMES, TikzTheme, theme_named
from gradviz.model.layout import positions
from gradviz.model.network import Network

__all__ = [
    "SCENE_UNITS_PER_CM",
    "THEMES",
    "DrawingOptions",
    "TexOptions",
    "TikzTheme",
    "tikz_document",
    "tikz_picture",
    "tikz_tex",
]

SCENE_UNITS_PER_CM = 62.0
"""Canvas (scene) units per centimetre of the picture: 310 between columns → 5 cm."""

MAX_MATRIX_CELLS = 36
"""Matrices with more entries are summarised by their shape instead of printed."""

MARGIN_CM = 0.4
DIGITS = 3
"""Significant digits of numbers that are not exact fractions (the drawing is small)."""
WRAP_CHARS = 22
LABEL_EM_CM = 0.28
"""One em of the footnotesize edge labels, in cm."""
NODE_ALLOWANCE_CM = 1.8
"""Edge length taken by the two node boxes at its ends."""
MAX_STRETCH = 2.5


class DrawingOptions(TypedDict, total=False):
    """What every export (picture or TeX) draws, each optional; defaults and
    meaning as :func:`tikz_picture`'s keyword arguments."""

    show_values: bool
    show_gradients: bool
    theme: str
    exact: bool
    transparent: bool


class TexOptions(DrawingOptions, total=False):
    """The options every TeX export takes: the drawing's and ``\\gradvizscale``."""

    scale: float


def backdrop(theme: str = "light", transparent: bool = False) -> bool:
    """Whether the picture fills its background (the dark theme, not transparent)."""
    return theme_named(theme).fill_background and not transparent


def _num(x: float, exact: bool) -> str:
    return latex_scalar(float(x), exact=exact, digits=DIGITS)


def _array_tex(a: np.ndarray, exact: bool) -> str:
    """Math for a value on the drawing: a scalar, a row tuple ``(2, 1, -3)``, or a
    small ``array`` matrix; big arrays by their shape."""
    arr = np.asarray(a, dtype=np.float64)
    if arr.ndim == 0 or arr.size == 1:
        return _num(arr.reshape(-1)[0], exact)
    if arr.size > MAX_MATRIX_CELLS or arr.ndim > 2:
        return r"\mbox{" + r"$\times$".join(str(s) for s in arr.shape) + " entries}"
    if arr.ndim == 1:
        return r"\left(" + ", ".join(_num(x, exact) for x in arr) + r"\right)"
    rows = [" & ".join(_num(x, exact) for x in row) for row in arr]
    cols: int = int(arr.shape[1])
    return r"\left(\begin{array}{" + "c" * cols + "}" + r" \\ ".join(rows) + r"\end{array}\right)"


def _leaf_tex(a: np.ndarray, exact: bool) -> str:
    """A leaf's value inside its node: vectors as columns, as the sheet writes E."""
    arr = np.asarray(a, dtype=np.float64)
    if arr.ndim == 1 and 1 < arr.size <= MAX_MATRIX_CELLS:
        return _array_tex(arr[:, None], exact)
    return _array_tex(arr, exact)


def _fmt(x: float) -> str:
    """A TikZ coordinate in cm with at most 3 decimals."""
    text = f"{x:.3f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _wrapped(label: str) -> str:
    """A label escaped, long ones broken at spaces into lines of about
    :data:`WRAP_CHARS` characters (the node is ``align=center``)."""
    lines = textwrap.wrap(label, WRAP_CHARS, break_long_words=False, break_on_hyphens=False) or [""]
    return r"\\".join(latex_text(line) for line in lines)


def _node_text(net: Network, nid: str, note: Notation, ev: Evaluation, exact: bool) -> str:
    node = net.node(nid)
    if node.inputs:
        return _wrapped(node.display_label)
    name = _wrapped(node.label) if node.label else f"${note.sym(nid)}$"
    return f"{name} $= {_leaf_tex(ev.values[nid], exact)}$"


def _style_of(net: Network, nid: str) -> str:
    node = net.node(nid)
    if nid == net.loss:
        return "gvloss"
    return {"input": "gvinput", "param": "gvparam"}.get(node.op, "gvop")


def _value_math(nid: str, ev: Evaluation, note: Notation, exact: bool) -> str:
    return f"{note.sym(nid)} = {_array_tex(ev.values[nid], exact)}"


def _gradient_math(nid: str, ev: Evaluation, note: Notation, exact: bool) -> str | None:
    grads = ev.node_gradients.get(nid)
    if grads is None or ev.loss_node is None:
        return None
    loss = note.sym(ev.loss_node)
    return (
        rf"\partial {loss}/\partial {note.sym(nid)} = "
        f"{_array_tex(np.asarray(grads, dtype=np.float64), exact)}"
    )


def _label_sides(dx: float, dy: float) -> tuple[str, str, bool]:
    """(value side, gradient side, sloped) for an edge going (dx, dy) in cm."""
    angle = math.degrees(math.atan2(dy, dx)) if (dx or dy) else 0.0
    if abs(angle) <= 50 or abs(angle) >= 130:
        return "above", "below", True
    return "left", "right", False


@dataclass
class _Edge:
    src: str
    dst: str | None  # None: the short arrow out of a node nothing consumes
    value: str | None
    gradient: str | None
    bend: int = 0
    slot: int = 0


def _edges(
    net: Network, ev: Evaluation, note: Notation, *, values: bool, gradients: bool, exact: bool
) -> list[_Edge]:
    """Every edge with its label math; edges out of leaves carry none (the leaf
    shows its value, its gradient is written under it)."""
    out: list[_Edge] = []
    for node in net.nodes:
        seen: dict[str, int] = {}
        for slot, src in enumerate(node.inputs):
            k = seen[src] = seen.get(src, -1) + 1
            leaf = not net.node(src).inputs
            out.append(
                _Edge(
                    src,
                    node.id,
                    _value_math(src, ev, note, exact) if values and not leaf else None,
                    _gradient_math(src, ev, note, exact) if gradients and not leaf else None,
                    18 * k,
                    slot,
                )
            )
    for nid in net.ids:
        if net.node(nid).inputs and not net.consumers(nid):
            out.append(
                _Edge(
                    nid,
                    None,
                    _value_math(nid, ev, note, exact) if values else None,
                    _gradient_math(nid, ev, note, exact) if gradients else None,
                )
            )
    return out


def _stretch(edges: list[_Edge], cm: dict[str, tuple[float, float]]) -> float:
    """A uniform factor (1 to :data:`MAX_STRETCH`) that makes the widest edge label
    fit along its edge, node boxes taken off; the canvas's shape is kept."""
    factor = 1.0
    for e in edges:
        if e.dst is None:
            continue
        (x0, y0), (x1, y1) = cm[e.src], cm[e.dst]
        length = math.hypot(x1 - x0, y1 - y0)
        width = max(visual_em(t) for t in (e.value or "", e.gradient or "")) * LABEL_EM_CM
        if length > 0 and width > 0:
            factor = max(factor, (width + NODE_ALLOWANCE_CM) / length)
    return min(factor, MAX_STRETCH)


def _label_nodes(e: _Edge, vside: str, gside: str, ov: Overlays | None = None) -> str:
    parts = []
    val, grad = (None, None) if ov is None else (ov.values.get(e.src), ov.gradients.get(e.src))
    if e.value is not None:
        parts.append(f"node[gvval, {vside}] {{{shown(val, f'${e.value}$')}}}")
    if e.gradient is not None:
        parts.append(f"node[gvgrad, {gside}] {{{shown(grad, f'${e.gradient}$')}}}")
    return " ".join(parts)


def tikz_picture(
    net: Network,
    evaluation: Evaluation | None = None,
    *,
    show_values: bool = True,
    show_gradients: bool = True,
    theme: str = "light",
    exact: bool = True,
    scale: float = 1.0,
    transparent: bool = False,
    overlays: Overlays | None = None,
) -> str:
    """The ``tikzpicture`` alone (plus the ``\\providecommand`` for its scale, ``scale``
    unless the including document defined ``\\gradvizscale`` first, and, for the dark
    theme, ``\\usetikzlibrary{backgrounds}``), ready for ``\\input``. The light theme
    and ``transparent=True`` draw no backdrop. ``overlays`` (Beamer only) draws it
    step by step (:class:`Overlays`)."""
    ev = evaluation if evaluation is not None else net.evaluate()
    th = theme_named(theme)
    filled = backdrop(theme, transparent)
    note = Notation(net)
    name = {nid: f"n{k}" for k, nid in enumerate(net.ids)}
    grads_on = show_gradients and ev.loss_node is not None
    edges = _edges(net, ev, note, values=show_values, gradients=grads_on, exact=exact)
    base = {
        nid: (x / SCENE_UNITS_PER_CM, -y / SCENE_UNITS_PER_CM)
        for nid, (x, y) in positions(net).items()
    }
    k = _stretch(edges, base)
    cm = {nid: (x * k, y * k) for nid, (x, y) in base.items()}

    out = [
        "% gradviz: the network as a TikZ picture. Needs \\usepackage{tikz}.",
        "% Scale it with \\newcommand{\\gradvizscale}{0.6} before \\input.",
        r"\providecommand{\gradvizscale}{" + _fmt(scale) + "}",
    ]
    options = [
        r"scale=\gradvizscale",
        "every node/.append style={transform shape}",
        "gvbase/.style={draw=gvborder, thick, rounded corners=3pt, text=gvtext, "
        "inner sep=4pt, minimum height=8mm, minimum width=14mm, align=center, "
        "font=\\small}",
        "gvop/.style={gvbase, fill=gvnode}",
        "gvinput/.style={gvbase, fill=gvleaf}",
        "gvparam/.style={gvbase, fill=gvparam}",
        "gvloss/.style={gvbase, fill=gvloss}",
        "gvedge/.style={draw=gvedge, thick, ->, >=stealth, shorten >=1pt}",
        "gvval/.style={text=gvvalue, font=\\footnotesize, inner sep=3.5pt}",
        "gvgrad/.style={text=gvgrad, font=\\footnotesize, inner sep=3.5pt}",
    ]
    if overlays is not None:
        out.insert(2, r"\usetikzlibrary{overlay-beamer-styles}")
        options += [
            "gvring/.style={draw=gvhl, line width=3pt, rounded corners=5pt, opacity=0.85}",
            "gvglow/.style={draw=gvhl, line width=6pt, opacity=0.6, line cap=round}",
        ]
    if filled:
        out.insert(2, r"\usetikzlibrary{backgrounds}")
        options += [
            "show background rectangle",
            "background rectangle/.style={fill=gvbg, draw=none}",
            f"inner frame sep={MARGIN_CM}cm",
        ]
    out.append(r"\begin{tikzpicture}[" + ",\n  ".join(options) + "]")
    for color, hexa in (
        ("gvbg", th.background),
        ("gvnode", th.node_fill),
        ("gvleaf", th.leaf_fill),
        ("gvparam", th.param_fill),
        ("gvloss", th.loss_fill),
        ("gvborder", th.node_border),
        ("gvtext", th.text),
        ("gvedge", th.edge),
        ("gvvalue", th.value),
        ("gvgrad", th.gradient),
        ("gvwarn", th.warning),
        *([("gvhl", overlays.highlight)] if overlays is not None else []),
    ):
        out.append(rf"\definecolor{{{color}}}{{HTML}}{{{hexa}}}")

    out.append("% nodes (a ReLU evaluated at a kink, input exactly 0, has a warning border)")
    kinks = {nid for nid, _ in ev.nondifferentiable}
    for nid in net.ids:
        x, y = cm[nid]
        style = _style_of(net, nid) + (", draw=gvwarn" if nid in kinks else "")
        style += faded(overlays, nid)
        out.append(
            rf"\node[{style}] ({name[nid]}) at ({_fmt(x)},{_fmt(y)}) "
            f"{{{_node_text(net, nid, note, ev, exact)}}};"
        )
    if grads_on:
        out.append("% ∂l/∂(leaf) under each input and parameter")
        for nid in net.ids:
            grad = _gradient_math(nid, ev, note, exact)
            if not net.node(nid).inputs and net.consumers(nid) and grad is not None:
                spec = overlays.gradients.get(nid) if overlays is not None else None
                text = shown(spec, f"${grad}$")
                out.append(rf"\node[gvgrad, anchor=north] at ({name[nid]}.south) {{{text}}};")
    if overlays is not None:
        out += walk_marks(overlays, name, edges)
    out.append("% edges: the source's value above, ∂l/∂(source) below")
    for e in edges:
        if e.dst is None:
            labels = _label_nodes(e, "above", "below", overlays)
            fade = faded(overlays, e.src, edge=True)
            out.append(rf"\draw[gvedge{fade}] ({name[e.src]}.east) -- {labels} ++(2.4,0);")
            continue
        (x0, y0), (x1, y1) = cm[e.src], cm[e.dst]
        vside, gside, sloped = _label_sides(x1 - x0, y1 - y0)
        opts = (
            ("sloped, " if sloped else "") + "pos=0.5" + (f", bend left={e.bend}" if e.bend else "")
        )
        out.append(
            rf"\draw[gvedge{faded(overlays, e.dst, edge=True)}] ({name[e.src]}) to[{opts}] "
            f"{_label_nodes(e, vside, gside, overlays)} ({name[e.dst]});"
        )
    out.append(r"\end{tikzpicture}")
    return "\n".join(out) + "\n"


def tikz_document(
    net: Network, evaluation: Evaluation | None = None, **options: Unpack[TexOptions]
) -> str:
    """A standalone LaTeX document (``pdflatex``, packages from texlive-latex-base
    and texlive-pictures) whose page is the picture (:func:`tikz_picture` with
    ``options``) plus a margin."""
    picture = tikz_picture(net, evaluation, **options)
    theme = options.get("theme", "light")
    filled = backdrop(theme, options.get("transparent", False))
    margin = 0 if filled else MARGIN_CM  # the dark frame brings its own margin
    page = [
        r"\documentclass{article}",
        r"\usepackage{tikz}",
        r"\pagestyle{empty}",
        r"\newsavebox{\gradvizbox}",
        r"\sbox{\gradvizbox}{%",
        picture.rstrip("\n") + "%",
        "}",
        r"\usepackage[paperwidth=\dimexpr\wd\gradvizbox+" + f"{2 * margin}cm" + r"+1pt\relax,",
        r"  paperheight=\dimexpr\ht\gradvizbox+\dp\gradvizbox+"
        + f"{2 * margin}cm"
        + r"+1pt\relax,",
        f"  margin={margin}cm]{{geometry}}",
    ]
    if filled:
        background = theme_named(theme).background
        page += [rf"\definecolor{{gvpage}}{{HTML}}{{{background}}}", r"\pagecolor{gvpage}"]
    page += [r"\begin{document}", r"\noindent\usebox{\gradvizbox}", r"\end{document}"]
    return "\n".join(page) + "\n"


def tikz_tex(
    net: Network,
    evaluation: Evaluation | None = None,
    *,
    picture_only: bool = False,
    **options: Unpack[TexOptions],
) -> str:
    """The ``.tex`` a TikZ export writes: :func:`tikz_document`, or with
    ``picture_only`` the :func:`tikz_picture` alone for ``\\input`` in a Beamer frame."""
    make = tikz_picture if picture_only else tikz_document
    return make(net, evaluation, **options)
