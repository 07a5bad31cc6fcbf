"""User text reaches every export literally: LaTeX, XML/SVG, Markdown."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from export_support import HOSTILE, compile_latex, needs_pdflatex, pdf_text

from gradviz.export.escape import latex_math_text, latex_text, markdown_text, xml_text

LIVE_COMMAND = re.compile(r"\\(input|include|write|immediate|end|begin|def|catcode|openout|read)\b")


@pytest.mark.parametrize(
    ("char", "latex"),
    [
        ("#", r"\#"),
        ("%", r"\%"),
        ("_", r"{\ttfamily\char95}"),
        ("&", r"\&"),
        ("$", r"\$"),
        ("{", r"\{"),
        ("}", r"\}"),
        ("~", r"\textasciitilde{}"),
        ("^", r"\textasciicircum{}"),
        ("\\", r"\textbackslash{}"),
        ("<", r"\textless{}"),
        (">", r"\textgreater{}"),
    ],
)
def test_each_tex_special_becomes_a_command_that_prints_it(char: str, latex: str) -> None:
    assert latex_text(f"a{char}b") == f"a{latex}b"


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_has_no_live_command(text: str) -> None:
    out = latex_text(text)
    assert LIVE_COMMAND.search(out) is None, out
    assert "\n" not in out and "\r" not in out
    # the only backslashes left start the commands escape.py itself writes
    commands = set(re.findall(r"\\([A-Za-z]+|.)", out))
    allowed = {
        "textbackslash",
        "textasciitilde",
        "textasciicircum",
        "textless",
        "textgreater",
        "textbar",
        "ttfamily",
        "char",
        "#",
        "%",
        "&",
        "$",
        "_",
        "{",
        "}",
        "'",
        "i",
        "times",
        "cdot",
        "partial",
        "theta",
        "sigma",
        "leq",
        "infty",
        "ldots",
        '"',
    }
    assert commands <= allowed, commands - allowed


@pytest.mark.parametrize(
    ("text", "latex"),
    [
        ("P×E", r"P$\times$E"),
        ("−ln", "$-$ln"),
        ("Q×·", r"Q$\times\cdot$"),
        ("∂l/∂θ", r"$\partial$l/$\partial\theta$"),
        ("σ(x)²", r"$\sigma$(x)$^{2}$"),
        ("W₁", "W$_{1}$"),
        ("café", r"caf\'{e}"),
        ("naïve", r"na\"{\i}ve"),
        ("中", "{[}U+4E2D{]}"),
        ("a--b", "a-{}-{}b"),
    ],
)
def test_unicode_becomes_math_safe_latex(text: str, latex: str) -> None:
    assert latex_text(text) == latex


def test_math_text_is_boxed() -> None:
    assert latex_math_text("a_b") == r"\mbox{a{\ttfamily\char95}b}"


@needs_pdflatex
def test_hostile_text_compiles_and_prints_literally(tmp_path: Path) -> None:
    lines = "\n\n".join(latex_text(t) + r"\par" for t in HOSTILE)
    doc = "\\documentclass{article}\n\\begin{document}\n" + lines + "\n\\end{document}\n"
    text = pdf_text(compile_latex(doc, tmp_path))
    flat = "".join(text.split())
    for t in HOSTILE[:6]:
        assert "".join(t.split()) in flat, t
    assert "P×E" not in flat  # (sanity: only what was written is there)
    assert not (tmp_path / "pwned").exists()


@pytest.mark.parametrize("text", [*HOSTILE, "quote \" and ' apostrophe", "\x00\x07bell"])
def test_xml_text_round_trips_through_a_parser(text: str) -> None:
    doc = f'<svg label="{xml_text(text, attribute=True)}"><text>{xml_text(text)}</text></svg>'
    root = ET.fromstring(doc)
    expected = re.sub("[\x00-\x08\x0b\x0c\x0e-\x1f]", "", text)
    assert root.attrib["label"] == expected
    assert (root[0].text or "") == expected.replace("\r", "\n")
    assert len(root) == 1  # <script> stayed text


def _commonmark_unescape(s: str) -> str:
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", s)


@pytest.mark.parametrize("text", HOSTILE + ["# heading", "1. item", "- item", "> quote"])
def test_markdown_text_is_literal(text: str) -> None:
    out = markdown_text(text)
    assert "\n" not in out
    assert _commonmark_unescape(out) == re.sub(r"[\x00-\x1f]", " ", text)
    # no unescaped inline markup is left
    assert re.search(r"(?<!\\)[*_`\[\]<>$|~&]", out.replace("\\\\", "")) is None
    assert not re.match(r"\s*([#>+-]|\d+\.)", out)
