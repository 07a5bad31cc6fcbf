"""TikZ export: the picture's content, its options, and real pdflatex runs."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from export_support import (
    HOSTILE,
    compile_latex,
    hostile_network,
    needs_pdflatex,
    pdf_page_size_cm,
    pdf_text,
    random_network,
)

import gradviz
from gradviz.engine.exact import latex_scalar
from gradviz.export.tikz import SCENE_UNITS_PER_CM, tikz_document, tikz_picture
from gradviz.model.fileformat import from_dict
from gradviz.model.layout import positions


@pytest.fixture(scope="module")
def ex3() -> gradviz.Network:
    return gradviz.load("exercise3")


def test_nodes_sit_at_the_canvas_positions_y_flipped(ex3: gradviz.Network) -> None:
    pic = tikz_picture(ex3)
    coords = {
        m["name"]: (float(m["x"]), float(m["y"]))
        for m in re.finditer(
            r"\\node\[[^\]]*\] \((?P<name>n\d+)\) at \((?P<x>[-\d.]+),"
            r"(?P<y>[-\d.]+)\)",
            pic,
        )
    }
    assert len(coords) == len(ex3.nodes)
    for k, (nid, (x, y)) in enumerate(positions(ex3).items()):
        assert coords[f"n{k}"] == pytest.approx(
            (x / SCENE_UNITS_PER_CM, -y / SCENE_UNITS_PER_CM), abs=1e-3
        ), nid


def test_exercise3_edges_carry_the_sheets_values_and_gradients(ex3: gradviz.Network) -> None:
    pic = tikz_picture(ex3)
    assert r"{$z = \left(2, 1, -3\right)$}" in pic
    assert r"{$g = \left(2, 1, 0\right)$}" in pic
    assert r"{$z' = \left(1, 1\right)$}" in pic
    assert r"{$f = \left(\frac{1}{2}, \frac{1}{2}\right)$}" in pic
    assert r"{$l = \ln 2$}" in pic
    assert r"{$\partial l/\partial z = \left(-\frac{3}{2}, 3, 0\right)$}" in pic
    assert r"{$\partial l/\partial g = \left(-\frac{3}{2}, 3, \frac{1}{2}\right)$}" in pic
    assert r"{$\partial l/\partial f = \left(-2, 0\right)$}" in pic
    # the parameters show their entries, and ∂l/∂P as a matrix under the node
    assert r"$P$ $= \left(\begin{array}{cc}3 & 1 \\ 1 & 0 \\ -1 & 2\end{array}\right)$" in pic
    assert (
        r"\partial l/\partial Q = \left(\begin{array}{ccc}-1 & -\frac{1}{2} & 0 \\ "
        r"1 & \frac{1}{2} & 0\end{array}\right)"
    ) in pic
    # op nodes carry their (escaped) labels
    for label in (r"P$\times$E", "ReLU", r"Q$\times\cdot$", "softmax", "$-$ln"):
        assert f"{{{label}}};" in pic
    # one arrow per input, plus the loss's own
    assert pic.count(r"\draw[gvedge]") == sum(len(n.inputs) for n in ex3.nodes) + 1


def test_value_and_gradient_labels_can_be_hidden(ex3: gradviz.Network) -> None:
    no_values = tikz_picture(ex3, show_values=False)
    assert "[gvval" not in no_values and r"\partial l/\partial z" in no_values
    no_grads = tikz_picture(ex3, show_gradients=False)
    assert r"\partial l" not in no_grads and "z = " in no_grads
    bare = tikz_picture(ex3, show_values=False, show_gradients=False)
    assert "[gvval" not in bare and "[gvgrad" not in bare


def test_decimals_when_not_exact(ex3: gradviz.Network) -> None:
    pic = tikz_picture(ex3, exact=False)
    assert r"f = \left(0.5, 0.5\right)" in pic and r"\frac" not in pic
    assert "l = 0.693" in pic


def test_picture_only_is_ready_for_input_and_document_wraps_it(ex3: gradviz.Network) -> None:
    pic = tikz_picture(ex3, scale=0.6)
    assert r"\documentclass" not in pic
    assert pic.count(r"\begin{tikzpicture}") == 1 and pic.rstrip().endswith(r"\end{tikzpicture}")
    assert r"\providecommand{\gradvizscale}{0.6}" in pic
    doc = tikz_document(ex3)
    assert doc.startswith(r"\documentclass{article}")
    assert r"\usepackage{tikz}" in doc and r"\pagestyle{empty}" in doc
    assert "geometry" in doc and "preview" not in doc and "standalone" not in doc
    assert tikz_picture(ex3).strip() in doc


def test_dark_theme_has_a_backdrop_unless_transparent(ex3: gradviz.Network) -> None:
    dark = tikz_document(ex3, theme="dark")
    assert r"\usetikzlibrary{backgrounds}" in dark and r"\pagecolor{gvpage}" in dark
    assert r"\definecolor{gvbg}{HTML}{1E2127}" in dark
    clear = tikz_document(ex3, theme="dark", transparent=True)
    assert "backgrounds" not in clear and r"\pagecolor" not in clear
    assert "backgrounds" not in tikz_document(ex3)
    with pytest.raises(ValueError, match="unknown theme"):
        tikz_picture(ex3, theme="sepia")


def test_a_network_without_loss_has_no_gradients() -> None:
    net = from_dict(
        {
            "format": "gradviz",
            "version": 1,
            "nodes": [
                {"id": "x", "op": "input", "value": [1, -2]},
                {"id": "W", "op": "param", "value": [[1, 2], [3, 4]]},
                {"id": "y", "op": "matmul", "inputs": ["W", "x"]},
                {"id": "h", "op": "tanh", "inputs": ["y"]},
            ],
            "output": "h",
        }
    )
    pic = tikz_picture(net)
    assert r"\partial" not in pic
    assert r"y = \left(-3, -5\right)" in pic
    assert f"h = \\left({latex_scalar(np.tanh(-3), digits=3)}, " in pic


def test_random_network_labels_match_the_evaluation() -> None:
    for seed in range(6):
        net = random_network(seed)
        ev = gradviz.evaluate(net)
        pic = tikz_picture(net, ev)
        for node in net.nodes:
            if node.inputs and net.consumers(node.id):
                vals = ", ".join(latex_scalar(x, digits=3) for x in np.ravel(ev.values[node.id]))
                if np.size(ev.values[node.id]) > 1:
                    assert f"= \\left({vals}\\right)$" in pic, (seed, node.id)
                else:
                    assert f"= {vals}$" in pic, (seed, node.id)


def test_hostile_labels_are_escaped(tmp_path: Path) -> None:
    pic = tikz_picture(hostile_network())
    assert r"\input{" not in pic and r"\write18" not in pic and r"\immediate" not in pic
    assert r"\textbackslash{}input\{/etc/passwd\}" in pic


@needs_pdflatex
@pytest.mark.parametrize("theme", ["light", "dark"])
def test_exercise3_compiles_to_a_cropped_page(
    ex3: gradviz.Network, theme: str, tmp_path: Path
) -> None:
    pdf = compile_latex(tikz_document(ex3, theme=theme), tmp_path)
    text = pdf_text(pdf)
    for label in ("P×E", "ReLU", "softmax", "ln 2"):
        assert label in text
    width_cm, height_cm = pdf_page_size_cm(pdf)
    # the page hugs the picture: columns 0 … 1250 units = 25 cm, plus nodes and margins
    assert 26 < width_cm < 35 and 5 < height_cm < 12


@needs_pdflatex
@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_random_networks_compile(seed: int, tmp_path: Path) -> None:
    compile_latex(tikz_document(random_network(seed)), tmp_path)


@needs_pdflatex
def test_hostile_labels_compile_and_print_literally(tmp_path: Path) -> None:
    pdf = compile_latex(tikz_document(hostile_network()), tmp_path)
    flat = "".join(pdf_text(pdf).split())
    for label in (HOSTILE[0], HOSTILE[1], HOSTILE[2], "<script>alert(1)</script>"):
        assert "".join(label.split()) in flat, label
    assert not (tmp_path / "pwned").exists()


@needs_pdflatex
def test_picture_only_inputs_into_a_beamer_frame(ex3: gradviz.Network, tmp_path: Path) -> None:
    (tmp_path / "net.tex").write_text(tikz_picture(ex3, theme="dark"), encoding="utf-8")
    slides = (
        "\\documentclass{beamer}\n\\usepackage{tikz}\n\\newcommand{\\gradvizscale}{0.4}\n"
        "\\begin{document}\n\\begin{frame}{Backpropagation}\n\\centering\n\\input{net.tex}\n"
        "\\end{frame}\n\\end{document}\n"
    )
    text = pdf_text(compile_latex(slides, tmp_path, "slides"))
    assert "Backpropagation" in text and "P×E" in text


def test_a_relu_at_its_kink_is_marked() -> None:
    net = from_dict(
        {
            "format": "gradviz",
            "version": 1,
            "nodes": [
                {"id": "x", "op": "input", "value": [1, -1]},
                {"id": "W", "op": "param", "value": [[1, 1], [2, 1]]},
                {"id": "z", "op": "matmul", "inputs": ["W", "x"]},
                {"id": "h", "op": "relu", "inputs": ["z"]},
            ],
            "output": "h",
        }
    )
    pic = tikz_picture(net)
    assert re.search(r"\\node\[gvop, draw=gvwarn\] \(n3\)", pic)
    assert "draw=gvwarn] (n2)" not in pic
