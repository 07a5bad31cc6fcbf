"""The backprop walk as Beamer slides: one frame, one TikZ picture, one overlay
per step of :func:`gradviz.engine.walk.walk_steps`.

The picture is the TikZ export's (:func:`gradviz.export.tikz.tikz_picture`) with
:class:`~gradviz.export.overlays.Overlays`: a value label shows from the slide its
node is computed on (``\\visible<3->``), a gradient from the slide it is complete
on, nodes not yet computed are faded, the step's node is ringed and the edges it
uses glow. Hidden labels keep their room, so the picture is the same size and
nothing moves from slide to slide. Under it an ``overlayarea`` of fixed height
shows, on slide ``k`` only (``\\only<k>``), the step and its computation with the
numbers, e.g.

    ∂l/∂z = ∂l/∂g × J_R(z) = (−3/2  3  1/2) × [1 0 0; 0 1 0; 0 0 0] = (−3/2  3  0).

:func:`walk_beamer` is a whole document (``pdflatex``; beamer from
texlive-latex-recommended, TikZ and its ``overlay-beamer-styles`` library from
texlive-pictures); :func:`walk_frame` the frame alone, for ``\\input`` into a
presentation that loads ``tikz``.
"""

from __future__ import annotations

from typing import Unpack

import numpy as np

from gradviz.engine.evaluate import Evaluation
from gradviz.engine.walk import FORWARD, WalkStep, walk_steps
from gradviz.export.escape import latex_text
from gradviz.export.mathtex import Formatter
from gradviz.export.notation import Notation
from gradviz.export.overlays import NEVER, Overlays
from gradviz.export.palette import theme_named
from gradviz.export.tikz import TexOptions, backdrop, tikz_picture
from gradviz.model.network import Network

__all__ = [
    "HIGHLIGHT",
    "slide_specs",
    "step_latex",
    "walk_beamer",
    "walk_frame",
    "walk_overlays",
    "walk_tex",
]

#: The highlight colour of the canvas (``gradviz.qt.theme``), per theme, as hex.
HIGHLIGHT = {"light": "F2A900", "dark": "FFCC4D"}
#: Arrays with more entries are named by their shape in a slide's caption.
MAX_CAPTION_CELLS = 48
PICTURE_HEIGHT = 0.6
"""The picture's share of the text height at most (the rest: the caption)."""
CAPTION_HEIGHT = 0.3

_NAMES = {"relu": "R", "sigmoid": r"\sigma", "tanh": r"\tanh", "softmax": "S"}


def slide_specs(slides: list[int]) -> str:
    """Slide numbers as a Beamer overlay specification: ``[1, 2, 3, 5]`` → ``"1-3,5"``."""
    out: list[str] = []
    nums = sorted(set(slides))
    k = 0
    while k < len(nums):
        j = k
        while j + 1 < len(nums) and nums[j + 1] == nums[j] + 1:
            j += 1
        out.append(str(nums[k]) if j == k else f"{nums[k]}-{nums[j]}")
        k = j + 1
    return ",".join(out)


def walk_overlays(net: Network, steps: list[WalkStep], theme: str = "light") -> Overlays:
    """The overlay specifications of the walk: slide ``k + 1`` shows step ``k``."""
    first_value: dict[str, int] = {}
    first_grad: dict[str, int] = {}
    ringed: dict[str, list[int]] = {}
    lit: dict[tuple[str, str, int], list[int]] = {}
    for k, step in enumerate(steps, start=1):
        for nid in step.known_values:
            first_value.setdefault(nid, k)
        for nid in step.known_gradients:
            first_grad.setdefault(nid, k)
        ringed.setdefault(step.node, []).append(k)
        if step.phase == FORWARD:
            edges = [(u, step.node, pos) for pos, u in enumerate(step.inputs)]
        else:
            edges = [step.edge] if step.edge is not None else []
        for e in edges:
            lit.setdefault(e, []).append(k)
    computed = [n.id for n in net.nodes if n.inputs]
    return Overlays(
        values={nid: f"{first_value[nid]}-" for nid in computed if nid in first_value},
        gradients={nid: f"{first_grad[nid]}-" if nid in first_grad else NEVER for nid in net.ids},
        faded={nid: f"-{first_value[nid] - 1}" for nid in computed if first_value.get(nid, 1) > 1},
        ringed={nid: slide_specs(ks) for nid, ks in ringed.items()},
        lit={e: slide_specs(ks) for e, ks in lit.items()},
        highlight=HIGHLIGHT.get(theme, HIGHLIGHT["light"]),
    )


class _Tex:
    """Numbers and arrays of a caption: exact, vectors as columns or rows."""

    def __init__(self, exact: bool) -> None:
        self.f = Formatter(exact=exact)

    def __call__(self, a: object, row: bool = False) -> str:
        arr = np.asarray(a, dtype=np.float64)
        if arr.size > MAX_CAPTION_CELLS:
            shape = r"\times".join(str(d) for d in arr.shape)
            return rf"\text{{(a ${shape}$ array)}}"
        if arr.ndim == 0 or arr.size == 1 and arr.ndim == 1:
            return self.f.num(float(arr.reshape(-1)[0]))
        if arr.ndim == 1 and row:
            return self.f.matrix(arr.reshape(1, -1))
        return self.f.value(arr) if arr.ndim == 1 else self.f.matrix(arr)


def step_latex(
    net: Network, ev: Evaluation, step: WalkStep, note: Notation, exact: bool = True
) -> str:
    """The step's computation in math mode, symbols as the TikZ picture writes
    them: ``z = P \\times E = (…) \\times (…) = (…)`` or the backward product."""
    tex = _Tex(exact)
    node = net.node(step.node)
    y = note.sym(node.id)
    if step.phase == FORWARD:
        xs = [note.sym(u) for u in step.inputs]
        vals = [ev.values[u] for u in step.inputs]
        if node.op in ("matmul", "add") and len(xs) == 2:
            sign = r"\times" if node.op == "matmul" else "+"
            body = f"{xs[0]} {sign} {xs[1]} = {tex(vals[0])} {sign} {tex(vals[1])}"
        elif node.op in _NAMES:
            name = _NAMES[node.op]
            body = rf"{name}({xs[0]}) = {name}{tex(vals[0])}"
        elif node.op == "neg_log":
            i = int(node.attrs.get("index", 0))
            p = np.asarray(vals[0]).reshape(-1)[i]
            body = rf"-\ln {xs[0]}[{i + 1}] = -\ln\left({tex(p)}\right)"
        elif node.op == "mse":
            t = np.asarray(node.attrs.get("target", 0.0), dtype=np.float64)
            n = max(t.size, 1)
            body = (
                rf"\frac{{1}}{{{n}}}\left\lVert {xs[0]} - t \right\rVert^2 = "
                rf"\frac{{1}}{{{n}}}\left\lVert {tex(vals[0])} - {tex(t)} \right\rVert^2"
            )
        else:
            body = f"\\mathrm{{{node.op}}}(" + ", ".join(xs) + ")"
        return f"{y} = {body} = {tex(ev.values[node.id])}"
    assert step.source is not None and step.incoming is not None
    assert step.jacobian is not None and step.product is not None
    local = step.jacobian.array(MAX_CAPTION_CELLS)  # the numbers, or a stand-in of its shape
    loss = net.loss is not None
    seed = note.sym((net.loss if loss else net.output) or node.id)
    u = note.sym(step.source)

    def d(x: str) -> str:
        return rf"\frac{{\partial {seed}}}{{\partial {x}}}"

    shares = sum(1 for n in net.nodes for x in n.inputs if x == step.source)
    op = r"\mathrel{+}=" if shares > 1 else "="
    jac_names = {**_NAMES, "neg_log": r"-\ln", "mse": r"\operatorname{mse}"}
    jac = (
        rf"J_{{{jac_names[node.op]}}}({u})"
        if node.op in jac_names and len(node.inputs) == 1
        else rf"\frac{{\partial {y}}}{{\partial {u}}}"
    )
    product = np.asarray(step.product)
    matrix = loss and product.ndim == 2  # ∂l/∂P: the row, then P's shape
    out = (
        f"{d(u)} {op} {d(y)} \\times {jac} = {tex(step.incoming, row=loss)} \\times "
        f"{tex(local)} = {tex(product.reshape(-1) if matrix else product, row=loss)}"
    )
    if matrix:
        out += f" = {tex(product)}"
    if shares > 1 and step.complete and step.gradient_so_far is not None:
        out += rf";\quad {d(u)} = {tex(step.gradient_so_far, row=loss)}"
    return out


def _caption(net: Network, step: WalkStep, total: int, math: str) -> str:
    phase = "forward pass" if step.phase == FORWARD else "backward pass"
    return (
        rf"\only<{step.index + 1}>{{{{\small\color{{gray}}Step {step.index + 1} of {total}"
        rf" \textperiodcentered\ {phase}}}\par\smallskip"
        rf"\sbox{{\gvwalkeq}}{{$\displaystyle {math}$}}%"
        "\n"
        r"\ifdim\wd\gvwalkeq>\linewidth\resizebox{\linewidth}{!}{\usebox{\gvwalkeq}}"
        r"\else\usebox{\gvwalkeq}\fi}"
    )


def _split_libraries(picture: str) -> tuple[list[str], str]:
    """``\\usetikzlibrary`` lines (they go before the frame) and the rest."""
    libs = [line for line in picture.splitlines() if line.startswith(r"\usetikzlibrary")]
    rest = "\n".join(line for line in picture.splitlines() if line not in libs)
    return libs, rest


def walk_frame(
    net: Network,
    evaluation: Evaluation | None = None,
    *,
    theme: str = "light",
    exact: bool = True,
    show_values: bool = True,
    show_gradients: bool = True,
    scale: float = 1.0,
    transparent: bool = False,
) -> str:
    """The ``\\usetikzlibrary`` lines and one Beamer ``frame`` (see the module
    docstring). ``scale`` is unused: the picture is fitted to the frame."""
    ev = evaluation if evaluation is not None else net.evaluate()
    steps = walk_steps(net.to_program(), ev)
    if not steps:
        raise ValueError("the network computes no node, so there is no walk to export")
    note = Notation(net)
    picture = tikz_picture(
        net,
        ev,
        show_values=show_values,
        show_gradients=show_gradients,
        theme=theme,
        exact=exact,
        transparent=transparent,
        overlays=walk_overlays(net, steps, theme),
    )
    libs, picture = _split_libraries(picture)
    title = latex_text(net.title or "the network")
    h = PICTURE_HEIGHT
    fit = (
        r"\ifnum\numexpr\wd\gvwalkbox/65536*(\dimexpr" + f"{h}" + r"\textheight\relax/65536)"
        r"\relax>\numexpr(\ht\gvwalkbox+\dp\gvwalkbox)/65536*(\linewidth/65536)\relax"
        "\n  "
        r"\resizebox{\linewidth}{!}{\usebox{\gvwalkbox}}%"
        "\n"
        r"\else"
        "\n  "
        r"\resizebox{!}{" + f"{h}" + r"\textheight}{\usebox{\gvwalkbox}}%"
        "\n"
        r"\fi"
    )
    lines = [
        f"% gradviz: the backprop walk of {title.replace(chr(10), ' ')}, "
        f"one overlay per step ({len(steps)} steps).",
        *libs,
        r"\makeatletter\@ifundefined{gvwalkbox}{\newsavebox{\gvwalkbox}}{}"
        r"\@ifundefined{gvwalkeq}{\newsavebox{\gvwalkeq}}{}\makeatother",
        rf"\begin{{frame}}[t]{{Backprop walk: {title}}}",
        r"\centering",
        r"\sbox{\gvwalkbox}{%",
        picture.rstrip("\n") + "%",
        "}%",
        fit,
        r"\par\medskip",
        rf"\begin{{overlayarea}}{{\linewidth}}{{{CAPTION_HEIGHT}\textheight}}",
        r"\centering",
    ]
    for step in steps:
        lines.append(_caption(net, step, len(steps), step_latex(net, ev, step, note, exact)))
    lines += [r"\end{overlayarea}", r"\end{frame}"]
    return "\n".join(lines) + "\n"


def walk_beamer(
    net: Network, evaluation: Evaluation | None = None, **options: Unpack[TexOptions]
) -> str:
    """A whole Beamer document (16:9) holding :func:`walk_frame` drawn with ``options``."""
    frame = walk_frame(net, evaluation, **options)
    page = [
        r"\documentclass[aspectratio=169]{beamer}",
        r"\usepackage{tikz}",
        r"\setbeamertemplate{navigation symbols}{}",
    ]
    theme = options.get("theme", "light")
    if backdrop(theme, options.get("transparent", False)):
        page += [
            rf"\definecolor{{gvpage}}{{HTML}}{{{theme_named(theme).background}}}",
            r"\setbeamercolor{background canvas}{bg=gvpage}",
            r"\setbeamercolor{normal text}{fg=white}",
            r"\setbeamercolor{frametitle}{fg=white}",
        ]
    page += [r"\begin{document}", frame.rstrip("\n"), r"\end{document}"]
    return "\n".join(page) + "\n"


def walk_tex(
    net: Network,
    evaluation: Evaluation | None = None,
    *,
    picture_only: bool = False,
    **options: Unpack[TexOptions],
) -> str:
    """The ``.tex`` a walk export writes: :func:`walk_beamer`, or with ``picture_only``
    the :func:`walk_frame` alone for ``\\input`` into a presentation."""
    make = walk_frame if picture_only else walk_beamer
    return make(net, evaluation, **options)
