"""Beamer slides of the backprop walk: the overlay specifications, the captions'
numbers, and real pdflatex runs (one page per step, labels appearing on time)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from export_support import compile_latex, hostile_network, needs_pdflatex, random_network_dict

import gradviz
from gradviz.engine.walk import walk_steps
from gradviz.export.notation import Notation
from gradviz.export.overlays import NEVER
from gradviz.export.tikz import tikz_picture
from gradviz.export.walk_slides import (
    slide_specs,
    step_latex,
    walk_beamer,
    walk_frame,
    walk_overlays,
)
from gradviz.model.fileformat import from_dict


@pytest.fixture(scope="module")
def ex3() -> gradviz.Network:
    return gradviz.load("exercise3")


def _pages(pdf: Path) -> int:
    pdfinfo = shutil.which("pdfinfo")
    if pdfinfo is None:
        return len(re.findall(rb"/Type\s*/Page(?!s)", pdf.read_bytes()))
    info = subprocess.run([pdfinfo, str(pdf)], capture_output=True, text=True, check=True)
    m = re.search(r"Pages:\s+(\d+)", info.stdout)
    assert m is not None, info.stdout
    return int(m[1])


def _page_text(pdf: Path, page: int) -> str:
    pdftotext = shutil.which("pdftotext")
    if pdftotext is None:
        pytest.skip("pdftotext is not installed (apt-get install poppler-utils)")
    args = [pdftotext, "-f", str(page), "-l", str(page), str(pdf), "-"]
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout


def test_slide_numbers_compress_into_ranges() -> None:
    assert slide_specs([1, 2, 3, 5]) == "1-3,5"
    assert slide_specs([7]) == "7"
    assert slide_specs([2, 10]) == "2,10"
    assert slide_specs([4, 3, 3, 8, 9]) == "3-4,8-9"


def test_overlays_follow_the_walk_of_exercise3(ex3: gradviz.Network) -> None:
    steps = walk_steps(ex3.to_program(), ex3.evaluate())
    ov = walk_overlays(ex3, steps)
    # forward: z, g, z2, f, l computed on slides 1–5; leaves always shown
    assert ov.values == {"z": "1-", "g": "2-", "z2": "3-", "f": "4-", "l": "5-"}
    assert ov.faded == {"g": "-1", "z2": "-2", "f": "-3", "l": "-4"}
    # backward, slide 6 on: l→f, f→z2, z2→Q, z2→g, g→z, z→P; E never gets its gradient
    assert ov.gradients["f"] == "6-"
    assert ov.gradients["z2"] == "7-"
    assert ov.gradients["Q"] == "8-"
    assert ov.gradients["g"] == "9-"
    assert ov.gradients["z"] == "10-"
    assert ov.gradients["P"] == "11-"
    assert ov.gradients["E"] == NEVER
    assert ov.ringed["g"] == "2,10"  # computed on 2, its Jacobian J_R used on 10
    assert ov.lit[("z", "g", 0)] == "2,10"
    assert ov.lit[("E", "z", 1)] == "1"  # read by the forward step, never walked back


def test_the_picture_without_overlays_is_unchanged(ex3: gradviz.Network) -> None:
    plain = tikz_picture(ex3)
    assert r"\visible" not in plain and "overlay-beamer-styles" not in plain
    walked = tikz_picture(
        ex3, overlays=walk_overlays(ex3, walk_steps(ex3.to_program(), ex3.evaluate()))
    )
    assert r"{\visible<10->{$\partial l/\partial z = \left(-\frac{3}{2}, 3, 0\right)$}}" in walked
    assert r"{\visible<5->{$l = \ln 2$}}" in walked
    assert r"\draw<2,10>[gvring]" in walked
    # the same nodes at the same places
    where = re.compile(r"\\node\[[^\]]*\] \((n\d+)\) at \(([-\d.]+),([-\d.]+)\)")
    assert where.findall(plain) == where.findall(walked)


def test_captions_carry_the_sheets_numbers(ex3: gradviz.Network) -> None:
    ev = ex3.evaluate()
    steps = walk_steps(ex3.to_program(), ev)
    note = Notation(ex3)
    first = step_latex(ex3, ev, steps[0], note)
    assert first.startswith(r"z = P \times E = \begin{pmatrix} 3 & 1 \\ 1 & 0 \\ -1 & 2")
    assert first.endswith(r"= \begin{pmatrix} 2 \\ 1 \\ -3 \end{pmatrix}")
    dz = step_latex(ex3, ev, steps[9], note)
    assert dz.startswith(
        r"\frac{\partial l}{\partial z} = \frac{\partial l}{\partial g} \times J_{R}(z)"
    )
    assert dz.endswith(r"= \begin{pmatrix} -\frac{3}{2} & 3 & 0 \end{pmatrix}")
    dp = step_latex(ex3, ev, steps[10], note)  # ∂l/∂P: the row, then P's 3×2 shape
    assert dp.endswith(
        r"= \begin{pmatrix} -\frac{3}{2} & \frac{3}{2} & 3 & -3 & 0 & 0 \end{pmatrix} = "
        r"\begin{pmatrix} -\frac{3}{2} & \frac{3}{2} \\ 3 & -3 \\ 0 & 0 \end{pmatrix}"
    )
    assert r"J_{-\ln}(f)" in step_latex(ex3, ev, steps[5], note)


@needs_pdflatex
def test_beamer_compiles_to_one_page_per_step(ex3: gradviz.Network, tmp_path: Path) -> None:
    pdf = compile_latex(walk_beamer(ex3), tmp_path, "walk")
    assert _pages(pdf) == 11
    assert "ln 2" not in _page_text(pdf, 4)  # l is computed on slide 5
    assert "ln 2" in _page_text(pdf, 5)
    assert "∂l/∂P" not in _page_text(pdf, 10)  # ∂l/∂P is the last step's
    assert "∂l/∂P" in _page_text(pdf, 11)
    assert "Step 3 of 11" in _page_text(pdf, 3)
    assert "Step 4 of 11" not in _page_text(pdf, 3)


@needs_pdflatex
def test_dark_theme_and_decimals_compile(ex3: gradviz.Network, tmp_path: Path) -> None:
    pdf = compile_latex(walk_beamer(ex3, theme="dark", exact=False), tmp_path, "dark")
    assert _pages(pdf) == 11
    assert "0.5" in _page_text(pdf, 4)


@needs_pdflatex
def test_the_frame_alone_inputs_into_a_presentation(ex3: gradviz.Network, tmp_path: Path) -> None:
    (tmp_path / "walkframe.tex").write_text(walk_frame(ex3), encoding="utf-8")
    talk = "\n".join(
        [
            r"\documentclass{beamer}",
            r"\usepackage{tikz}",
            r"\begin{document}",
            r"\begin{frame}{Before}Hello\end{frame}",
            r"\input{walkframe}",
            r"\input{walkframe}",  # twice: the save boxes are made once
            r"\end{document}",
        ]
    )
    pdf = compile_latex(talk, tmp_path, "talk")
    assert _pages(pdf) == 1 + 2 * 11


@needs_pdflatex
def test_hostile_labels_and_random_networks_compile(tmp_path: Path) -> None:
    net = hostile_network()
    pdf = compile_latex(walk_beamer(net), tmp_path, "hostile")
    assert _pages(pdf) == len(walk_steps(net.to_program(), net.evaluate()))
    assert not (tmp_path / "pwned").exists()
    for seed in (3, 11):
        net = from_dict(random_network_dict(seed), f"<random {seed}>")
        pdf = compile_latex(walk_beamer(net), tmp_path, f"random{seed}")
        assert _pages(pdf) == len(walk_steps(net.to_program(), net.evaluate()))


@needs_pdflatex
def test_a_network_without_a_loss_walks_back_from_f(tmp_path: Path) -> None:
    doc = random_network_dict(5)
    doc.pop("loss")
    doc["nodes"] = [n for n in doc["nodes"] if n["id"] != "L"]
    net = from_dict(doc, "<no loss>")
    steps = walk_steps(net.to_program(), net.evaluate())
    assert any(s.phase == "backward" for s in steps)
    pdf = compile_latex(walk_beamer(net), tmp_path, "noloss")
    assert _pages(pdf) == len(steps)
