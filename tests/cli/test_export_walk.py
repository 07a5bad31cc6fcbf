"""``gradviz export MODEL --walk -o OUT``: the backprop walk as slides, headless.

Each format is checked as a viewer would see it: the PDF has one page per step,
all of one size; the numbered PNG / SVG files exist in the right count, all of
one size, with the graph at the same place; values appear on the step that
computes them; the Beamer document compiles into one page per step."""

from __future__ import annotations

import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PySide6.QtCore import QRect
from PySide6.QtGui import QImage

from gradviz.cli import main
from gradviz.qt.render import ensure_app

STEPS = 11  # exercise3: 5 forward steps, 6 backward edges
PDFINFO, PDFTOTEXT, PDFLATEX = (shutil.which(t) for t in ("pdfinfo", "pdftotext", "pdflatex"))


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def page_sizes(pdf: Path) -> list[str]:
    """Every page's size as pdfinfo prints it (or, without pdfinfo, each ``/MediaBox``)."""
    if PDFINFO is None:
        return re.findall(r"/MediaBox\s*\[([^\]]*)\]", pdf.read_bytes().decode("latin-1"))
    info = subprocess.run(
        [PDFINFO, "-f", "1", "-l", "999", str(pdf)], capture_output=True, text=True, check=True
    ).stdout
    return re.findall(r"Page\s+\d+ size:\s+(.*)", info)


def page_text(pdf: Path, page: int) -> str:
    if PDFTOTEXT is None:
        pytest.skip("pdftotext is not installed (apt-get install poppler-utils)")
    args = [PDFTOTEXT, "-f", str(page), "-l", str(page), str(pdf), "-"]
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout


def test_pdf_has_one_page_per_step_all_one_size(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "slides.pdf"
    code, stdout, err = run(["export", "exercise3", "--walk", "-o", str(out)], capsys)
    assert code == 0, err
    assert stdout.strip() == f"wrote {out}: {STEPS} pages, one per step of the walk"
    sizes = page_sizes(out)
    assert len(sizes) == STEPS and len(set(sizes)) == 1
    assert len(re.findall(rb"/Type\s*/Page\b", out.read_bytes())) == STEPS
    # l = ln 2 shows from step 5 on; ∂l/∂P only on the last page
    assert "ln 2" not in page_text(out, 4)
    assert "l = ln 2" in page_text(out, 5)
    assert "∂l/∂P" not in page_text(out, 10)
    assert "∂l/∂P" in page_text(out, 11)
    assert "step 3 / 11: forward, z₂ = Q × g" in page_text(out, 3)


def test_png_files_are_numbered_one_size_graph_held_still(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "slides.png"
    code, stdout, err = run(
        ["export", "exercise3", "--walk", "-o", str(out), "--scale", "1"], capsys
    )
    assert code == 0, err
    first, last = tmp_path / "slides-01.png", tmp_path / "slides-11.png"
    assert stdout.strip() == (f"wrote {STEPS} files, one per step of the walk: {first} … {last}")
    files = sorted(tmp_path.glob("slides-*.png"))
    assert [f.name for f in files] == [f"slides-{k:02d}.png" for k in range(1, STEPS + 1)]
    assert not out.exists()
    ensure_app()
    images = [QImage(str(f)) for f in files]
    assert all(not im.isNull() for im in images)
    assert len({(im.width(), im.height()) for im in images}) == 1
    assert len({f.read_bytes() for f in files}) == STEPS  # every step looks different
    # E (top left) is neither computed nor walked on steps 2 and 3: the same pixels
    corner = QRect(0, 0, 140, 110)
    assert images[1].copy(corner) == images[2].copy(corner)
    assert images[0].copy(corner) != images[1].copy(corner)  # step 1 lit the edge E → z


def test_svg_files_are_valid_and_show_values_on_time(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "walk.svg"
    code, _, err = run(["export", "exercise3", "--walk", "-o", str(out), "--theme", "dark"], capsys)
    assert code == 0, err
    files = [tmp_path / f"walk-{k:02d}.svg" for k in range(1, STEPS + 1)]
    assert all(f.exists() for f in files)
    sizes = set()
    texts = []
    for f in files:
        root = ET.parse(f).getroot()
        sizes.add((root.get("width"), root.get("height"), root.get("viewBox")))
        texts.append(" ".join(t.strip() for t in root.itertext()))
    assert len(sizes) == 1
    assert "ln 2" not in texts[3] and "l = ln 2" in texts[4]
    assert "∂l/∂z = (−3/2, 3, 0)" not in texts[8] and "∂l/∂z = (−3/2, 3, 0)" in texts[9]


def test_no_caption_leaves_just_the_graph(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with_caption, without = tmp_path / "a.pdf", tmp_path / "b.pdf"
    assert run(["export", "exercise3", "--walk", "-o", str(with_caption)], capsys)[0] == 0
    assert (
        run(["export", "exercise3", "--walk", "--no-caption", "-o", str(without)], capsys)[0] == 0
    )
    assert "step 3 / 11" not in page_text(without, 3)
    assert "step 3 / 11" in page_text(with_caption, 3)

    def height(pdf: Path) -> float:
        size = page_sizes(pdf)[0]
        m = re.search(r"x ([\d.]+)", size)  # pdfinfo: "1718 x 584 pts"; else "0 0 w h"
        return float(m[1]) if m is not None else float(size.split()[3])

    assert height(without) < height(with_caption)


@pytest.mark.skipif(
    PDFLATEX is None,
    reason="pdflatex is not installed (apt-get install "
    "texlive-latex-base texlive-pictures texlive-latex-recommended)",
)
def test_beamer_tex_compiles_into_one_page_per_step(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "slides.tex"
    code, stdout, err = run(["export", "exercise3", "--walk", "-o", str(out)], capsys)
    assert code == 0, err
    assert stdout.strip() == f"wrote {out}: Beamer slides, 11 overlays, one per step of the walk"
    text = out.read_text(encoding="utf-8")
    assert text.startswith(r"\documentclass[aspectratio=169]{beamer}")
    assert len(re.findall(r"\\only<\d+>", text)) == STEPS
    assert PDFLATEX is not None
    proc = subprocess.run(
        [PDFLATEX, "-interaction=nonstopmode", "-halt-on-error", "-no-shell-escape", out.name],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        errors="replace",
        timeout=300,
        stdin=subprocess.DEVNULL,
    )
    pdf = tmp_path / "slides.pdf"
    assert proc.returncode == 0 and pdf.exists(), proc.stdout[-3000:]
    assert len(page_sizes(pdf)) == STEPS


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--walk", "-o", "{tmp}/x.gif"], "unknown extension '.gif'"),
        (["--no-caption", "-o", "{tmp}/x.pdf"], "--no-caption applies to --walk only"),
        (["--walk", "--picture-only", "-o", "{tmp}/x.pdf"], "--picture-only applies to .tex"),
        (["--walk", "-o", "{tmp}/missing/x.pdf"], "cannot be written"),
    ],
)
def test_mistakes_are_one_line(
    args: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["export", "exercise3", *(a.replace("{tmp}", str(tmp_path)) for a in args)]
    code, _, err = run(argv, capsys)
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("gradviz: error: ") and message in lines[0]


def test_the_frame_alone_for_a_talk(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "frame.tex"
    code, stdout, _ = run(
        ["export", "exercise3", "--walk", "--picture-only", "-o", str(out)], capsys
    )
    assert code == 0 and "a Beamer frame, 11 overlays" in stdout
    text = out.read_text(encoding="utf-8")
    assert r"\documentclass" not in text
    assert text.count(r"\begin{frame}") == 1 and text.rstrip().endswith(r"\end{frame}")
