"""``gradviz solve`` and ``gradviz export``: files written, one-line errors."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest
from export_support import compile_latex, needs_pdflatex

from gradviz.cli import main


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def one_line_error(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("gradviz: error: "), err
    assert "Traceback" not in err
    return lines[0]


@pytest.mark.parametrize("ext", [".md", ".tex", ".TEX"])
def test_solve_writes_the_solution(
    ext: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / f"sol{ext}"
    code, stdout, _ = run(["solve", "exercise3", "-o", str(out)], capsys)
    assert code == 0 and f"wrote {out}" in stdout
    text = out.read_text(encoding="utf-8")
    if ext == ".md":
        assert text.startswith("# Worked solution: Exercise 3")
    else:
        assert text.startswith(r"\documentclass") and r"\frac{3}{4}" in text


def test_solve_learning_rate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "sol.md"
    assert run(["solve", "exercise3", "-o", str(out), "--lr", "1/4"], capsys)[0] == 0
    assert r"\eta = \frac{1}{4}" in out.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["solve", "exercise3", "-o", "{tmp}/x.txt"],
            "unknown extension '.txt' (solve writes .tex or .md)",
        ),
        (["solve", "exercise3", "-o", "{tmp}/missing/x.md"], "cannot be written"),
        (["solve", "no-such-model", "-o", "{tmp}/x.md"], "no such file or bundled example"),
        (
            ["export", "exercise3", "-o", "{tmp}/x.gif"],
            "unknown extension '.gif' (export writes .png, .svg, .pdf, .tex)",
        ),
        (["export", "exercise3", "-o", "{tmp}/missing/x.tex"], "cannot be written (no folder"),
        (["export", "exercise3", "-o", "{tmp}"], "unknown extension"),
        (
            ["export", "exercise3", "-o", "{tmp}/x.png", "--picture-only"],
            "--picture-only applies to .tex output only",
        ),
    ],
)
def test_user_errors_are_one_line(
    args: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run([a.replace("{tmp}", str(tmp_path)) for a in args], capsys)
    assert code == 2
    assert message in one_line_error(err)


def test_export_to_a_folder_named_like_a_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "pic.tex"
    folder.mkdir()
    code, _, err = run(["export", "exercise3", "-o", str(folder)], capsys)
    assert code == 2 and "it is a folder" in one_line_error(err)


def test_export_tex_document_and_picture(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc, pic = tmp_path / "net.tex", tmp_path / "pic.tex"
    assert run(["export", "exercise3", "-o", str(doc), "--theme", "dark"], capsys)[0] == 0
    assert (
        run(
            [
                "export",
                "exercise3",
                "-o",
                str(pic),
                "--picture-only",
                "--scale",
                "0.5",
                "--no-values",
            ],
            capsys,
        )[0]
        == 0
    )
    doc_text, pic_text = doc.read_text(encoding="utf-8"), pic.read_text(encoding="utf-8")
    assert doc_text.startswith(r"\documentclass{article}") and r"\pagecolor{gvpage}" in doc_text
    assert r"\documentclass" not in pic_text
    assert r"\providecommand{\gradvizscale}{0.5}" in pic_text
    assert "[gvval" not in pic_text and "[gvgrad" in pic_text
    no_grad = tmp_path / "ng.tex"
    assert (
        run(
            [
                "export",
                "exercise3",
                "-o",
                str(no_grad),
                "--no-gradients",
                "--transparent",
                "--theme",
                "dark",
            ],
            capsys,
        )[0]
        == 0
    )
    text = no_grad.read_text(encoding="utf-8")
    assert r"\partial" not in text and "backgrounds" not in text


@needs_pdflatex
def test_exported_tex_compiles(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "net.tex"
    assert run(["export", "exercise3", "-o", str(out)], capsys)[0] == 0
    compile_latex(out.read_text(encoding="utf-8"), tmp_path, "again")


def test_png_without_the_qt_renderer_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "gradviz.qt.render", None)  # import fails
    code, _, err = run(["export", "exercise3", "-o", str(tmp_path / "x.png")], capsys)
    assert code == 2
    assert one_line_error(err) == (
        "gradviz: error: PNG/SVG/PDF export needs the Qt renderer "
        "(gradviz.qt.render), which is not installed"
    )


@pytest.mark.skipif(
    importlib.util.find_spec("gradviz.qt.render") is None,
    reason="gradviz.qt.render (the Qt renderer) is not in this checkout",
)
def test_png_goes_through_the_qt_renderer(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "net.png"
    code, stdout, _ = run(["export", "exercise3", "-o", str(out), "--scale", "2"], capsys)
    assert code == 0 and f"wrote {out}" in stdout
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
