"""A tiny document model for the worked solution, written out as LaTeX or Markdown.

The solution is built once as :class:`Doc` (sections of paragraphs and displayed
equations) and rendered by :func:`render_latex` or :func:`render_markdown`. Plain
text (:class:`str` parts, which may hold user labels) is escaped for the target
format; :class:`Math` parts are LaTeX math built from escaped names, emitted as
``$…$`` in both formats. A display :class:`Equations` is a grid of ``lhs = rhs``
cells: ``align*`` in LaTeX (page breaks allowed), ``aligned`` inside ``$$`` in
Markdown.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from gradviz.export.escape import latex_text, markdown_text

__all__ = ["Doc", "Equations", "Math", "Para", "Section", "render_latex", "render_markdown"]


class Math(str):
    """A piece of inline LaTeX math (already safe: built from escaped names)."""


@dataclass
class Para:
    """A paragraph: plain text (escaped on output) and inline math, in order."""

    parts: list[str]


@dataclass
class Equations:
    """A display: ``rows`` of ``(lhs, rhs)`` cells written ``lhs = rhs``; an empty
    ``lhs`` continues a chain (``= rhs``), ``None`` continues a long right side
    (no relation); ``relation`` replaces ``=``."""

    rows: list[list[tuple[str | None, str]]]
    relation: str = "="


@dataclass
class Section:
    title: str
    blocks: list[Para | Equations] = field(default_factory=list)
    level: int = 1

    def para(self, *parts: str) -> None:
        self.blocks.append(Para(list(parts)))

    def equations(self, rows: list[list[tuple[str | None, str]]]) -> None:
        if rows:
            self.blocks.append(Equations(rows))

    def equation(self, lhs: str, rhs: str) -> None:
        self.blocks.append(Equations([[(lhs, rhs)]]))


@dataclass
class Doc:
    title: str
    subtitle: str
    sections: list[Section] = field(default_factory=list)
    max_matrix_cols: int = 10

    def section(self, title: str, level: int = 1) -> Section:
        s = Section(title, level=level)
        self.sections.append(s)
        return s


def _para(p: Para, escape: Callable[[str], str]) -> str:
    return "".join(f"${part}$" if isinstance(part, Math) else escape(part) for part in p.parts)


def _aligned_body(eq: Equations) -> str:
    lines = []
    for row in eq.rows:
        cells = [
            rf"& \qquad {rhs}" if lhs is None else f"{lhs} &{eq.relation} {rhs}" for lhs, rhs in row
        ]
        lines.append(" & ".join(cells))
    return " \\\\\n".join(lines)


def render_latex(doc: Doc) -> str:
    """A standalone ``article`` (amsmath, amssymb, geometry): compiles with pdflatex."""
    out = [
        r"\documentclass[11pt]{article}",
        r"\usepackage[a4paper,margin=2cm]{geometry}",
        r"\usepackage{amsmath,amssymb}",
        r"\allowdisplaybreaks",
        rf"\setcounter{{MaxMatrixCols}}{{{max(10, doc.max_matrix_cols)}}}",
        r"\setlength{\parindent}{0pt}",
        r"\setlength{\parskip}{0.6em}",
        r"\begin{document}",
        r"\begin{center}",
        r"{\Large " + latex_text(doc.title) + r"}\\[0.4em]",
        latex_text(doc.subtitle),
        r"\end{center}",
    ]
    for sec in doc.sections:
        cmd = {1: "section*", 2: "subsection*"}.get(sec.level, "subsubsection*")
        out.append(rf"\{cmd}{{{latex_text(sec.title)}}}")
        for block in sec.blocks:
            if isinstance(block, Para):
                out.append(_para(block, latex_text) + "\n")
            elif len(block.rows) == 1 and len(block.rows[0]) == 1:
                lhs, rhs = block.rows[0][0]
                out.append(rf"\[ {lhs or ''} {block.relation} {rhs} \]")
            else:
                out += [r"\begin{align*}", _aligned_body(block), r"\end{align*}"]
    out.append(r"\end{document}")
    return "\n".join(out) + "\n"


def render_markdown(doc: Doc) -> str:
    """Markdown with ``$…$`` / ``$$…$$`` math (GitHub, MathJax, KaTeX)."""
    out = [f"# {markdown_text(doc.title)}", "", markdown_text(doc.subtitle), ""]
    for sec in doc.sections:
        out += [f"{'#' * (sec.level + 1)} {markdown_text(sec.title)}", ""]
        for block in sec.blocks:
            if isinstance(block, Para):
                out += [_para(block, markdown_text), ""]
            elif len(block.rows) == 1 and len(block.rows[0]) == 1:
                lhs, rhs = block.rows[0][0]
                out += ["$$", f"{lhs or ''} {block.relation} {rhs}", "$$", ""]
            else:
                out += ["$$", r"\begin{aligned}", _aligned_body(block), r"\end{aligned}", "$$", ""]
    return "\n".join(out).rstrip("\n") + "\n"
