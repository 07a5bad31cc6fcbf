"""Escaping user text (labels, titles, ids) for the formats gradviz writes.

A network file comes from anyone: its labels must reach an exported document as
the literal characters the user typed, never as markup. ``\\input{/etc/passwd}``
in a label must print those characters, not read the file; ``\\write18`` must not
reach TeX as a command; ``<script>`` must not become an SVG element.

* :func:`latex_text` — LaTeX text mode, safe under plain ``pdflatex`` with the
  default OT1 fonts (no T1/TS1 glyphs, so no bitmap fonts are generated). Every
  TeX special character becomes a command that prints it; the Unicode the
  labels use (``×``, ``−``, ``∂``, Greek letters, sub/superscript digits, arrows)
  becomes the matching math symbol (``P×E`` → ``P$\\times$E``); accented Latin
  letters become accent commands (``é`` → ``\\'{e}``); anything else prints as
  its code point ``[U+4E2D]`` so a document never fails on an unknown glyph.
* :func:`latex_math_text` — the same text usable inside math (``\\mbox{…}``).
* :func:`xml_text` — XML/SVG character data and attribute values.
* :func:`markdown_text` — CommonMark inline text (every markup character
  backslash-escaped, HTML specials included).
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["latex_math_text", "latex_text", "markdown_text", "xml_text"]

_LATEX_ASCII: dict[str, str] = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "#": r"\#",
    "%": r"\%",
    "&": r"\&",
    "$": r"\$",
    "_": r"{\ttfamily\char95}",  # OT1's \_ is a rule, invisible to text search
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    "<": r"\textless{}",
    ">": r"\textgreater{}",
    "|": r"\textbar{}",
    '"': r"{\ttfamily\char34}",
    "`": r"{\ttfamily\char96}",
    # break the OT1 ligatures -- --- ?` !` so the characters print as typed
    "-": "-{}",
    "?": "?{}",
    "!": "!{}",
    "'": "'{}",
    "[": "{[}",
    "]": "{]}",
}

# Unicode symbols -> LaTeX math (typeset inside $...$ when used in text).
_LATEX_MATH_SYMBOLS: dict[str, str] = {
    "×": r"\times",
    "−": "-",
    "∂": r"\partial",
    "∇": r"\nabla",
    "·": r"\cdot",
    "⋅": r"\cdot",
    "∘": r"\circ",
    "⊙": r"\odot",
    "⊗": r"\otimes",
    "⊕": r"\oplus",
    "±": r"\pm",
    "∓": r"\mp",
    "÷": r"\div",
    "≤": r"\leq",
    "≥": r"\geq",
    "≠": r"\neq",
    "≈": r"\approx",
    "≡": r"\equiv",
    "∞": r"\infty",
    "∑": r"\sum",
    "∏": r"\prod",
    "√": r"\surd",
    "∫": r"\int",
    "∈": r"\in",
    "∉": r"\notin",
    "⊂": r"\subset",
    "∪": r"\cup",
    "∩": r"\cap",
    "∀": r"\forall",
    "∃": r"\exists",
    "¬": r"\neg",
    "∧": r"\wedge",
    "∨": r"\vee",
    "→": r"\to",
    "←": r"\leftarrow",
    "↔": r"\leftrightarrow",
    "⇒": r"\Rightarrow",
    "⇐": r"\Leftarrow",
    "⇔": r"\Leftrightarrow",
    "↦": r"\mapsto",
    "↑": r"\uparrow",
    "↓": r"\downarrow",
    "′": "'",
    "″": "''",
    "‖": r"\|",
    "∥": r"\|",
    "°": r"^\circ",
    "ℝ": r"\mathrm{I\!R}",
    "⟨": r"\langle",
    "⟩": r"\rangle",
    "…": r"\ldots",
    "⋯": r"\cdots",
    "ℓ": r"\ell",
    "∅": r"\emptyset",
    "α": r"\alpha",
    "β": r"\beta",
    "γ": r"\gamma",
    "δ": r"\delta",
    "ε": r"\varepsilon",
    "ϵ": r"\epsilon",
    "ζ": r"\zeta",
    "η": r"\eta",
    "θ": r"\theta",
    "ϑ": r"\vartheta",
    "ι": r"\iota",
    "κ": r"\kappa",
    "λ": r"\lambda",
    "μ": r"\mu",
    "ν": r"\nu",
    "ξ": r"\xi",
    "ο": "o",
    "π": r"\pi",
    "ρ": r"\rho",
    "σ": r"\sigma",
    "ς": r"\varsigma",
    "τ": r"\tau",
    "υ": r"\upsilon",
    "φ": r"\varphi",
    "ϕ": r"\phi",
    "χ": r"\chi",
    "ψ": r"\psi",
    "ω": r"\omega",
    "Α": "A",
    "Β": "B",
    "Γ": r"\Gamma",
    "Δ": r"\Delta",
    "Ε": "E",
    "Ζ": "Z",
    "Η": "H",
    "Θ": r"\Theta",
    "Ι": "I",
    "Κ": "K",
    "Λ": r"\Lambda",
    "Μ": "M",
    "Ν": "N",
    "Ξ": r"\Xi",
    "Ο": "O",
    "Π": r"\Pi",
    "Ρ": "P",
    "Σ": r"\Sigma",
    "Τ": "T",
    "Υ": r"\Upsilon",
    "Φ": r"\Phi",
    "Χ": "X",
    "Ψ": r"\Psi",
    "Ω": r"\Omega",
}
_SUPERSCRIPTS = dict(zip("⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿⁱ", "0123456789+-=()ni", strict=True))
_SUBSCRIPTS = dict(zip("₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₒₓₕₖₗₘₙₚₛₜ", "0123456789+-=()aeoxhklmnpst", strict=True))
for _k, _v in _SUPERSCRIPTS.items():
    _LATEX_MATH_SYMBOLS[_k] = f"^{{{_v}}}"
for _k, _v in _SUBSCRIPTS.items():
    _LATEX_MATH_SYMBOLS[_k] = f"_{{{_v}}}"

# Unicode text characters OT1 has (or builds) without extra fonts.
_LATEX_TEXT_SYMBOLS: dict[str, str] = {
    "ß": r"\ss{}",
    "æ": r"\ae{}",
    "Æ": r"\AE{}",
    "œ": r"\oe{}",
    "Œ": r"\OE{}",
    "ø": r"\o{}",
    "Ø": r"\O{}",
    "ł": r"\l{}",
    "Ł": r"\L{}",
    "ı": r"\i{}",
    "ȷ": r"\j{}",
    "¡": r"\textexclamdown{}",
    "¿": r"\textquestiondown{}",
    "–": "--",
    "—": "---",
    "‘": "`",
    "’": "'",
    "“": "``",
    "”": "''",
    "\u00a0": "~",
    "\u2009": r"\,",
}

# Combining marks -> OT1 accent commands (after NFD decomposition).
_ACCENTS: dict[str, str] = {
    "\u0300": "`",
    "\u0301": "'",
    "\u0302": "^",
    "\u0303": "~",
    "\u0304": "=",
    "\u0306": "u",
    "\u0307": ".",
    "\u0308": '"',
    "\u030a": "r",
    "\u030b": "H",
    "\u030c": "v",
    "\u0327": "c",
    "\u0323": "d",
    "\u0331": "b",
}

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def _accented(ch: str) -> str | None:
    """``é`` → ``\\'{e}`` when ``ch`` is an ASCII letter plus known accents."""
    parts = unicodedata.normalize("NFD", ch)
    base, marks = parts[0], parts[1:]
    if not marks or not (base.isascii() and base.isalpha()):
        return None
    out = "\\i" if base == "i" else "\\j" if base == "j" else base
    for m in marks:
        cmd = _ACCENTS.get(m)
        if cmd is None:
            return None
        out = f"\\{cmd}{{{out}}}"
    return out


def latex_text(text: str) -> str:
    """``text`` for LaTeX *text* mode, every character printed literally.

    >>> latex_text("P×E")
    'P$\\\\times$E'
    >>> latex_text("50% of $x_1")
    '50\\\\% of \\\\$x\\\\_1'
    """
    out: list[str] = []
    math: list[str] = []  # a run of math symbols is typeset in one $...$

    def flush() -> None:
        if math:
            out.append("$" + "".join(math) + "$")
            math.clear()

    for ch in _CONTROL.sub(" ", str(text)):
        if ch in _LATEX_MATH_SYMBOLS:
            sym = _LATEX_MATH_SYMBOLS[ch]
            # keep adjacent commands apart: \times\alpha, not \timesalpha
            if math and sym[0].isalpha() and math[-1][-1:].isalpha():
                math.append(" ")
            math.append(sym)
            continue
        flush()
        if ch.isascii():
            out.append(_LATEX_ASCII.get(ch, ch))
        elif ch in _LATEX_TEXT_SYMBOLS:
            out.append(_LATEX_TEXT_SYMBOLS[ch])
        else:
            acc = _accented(ch)
            out.append(acc if acc is not None else f"{{[}}U+{ord(ch):04X}{{]}}")
    flush()
    return "".join(out)


def latex_math_text(text: str) -> str:
    """``text`` as an upright box usable inside math: ``\\mbox{…}`` around
    :func:`latex_text` (works without amsmath, e.g. in an ``\\input`` TikZ picture)."""
    return r"\mbox{" + latex_text(text) + "}"


_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def xml_text(text: str, *, attribute: bool = False) -> str:
    """``text`` for XML/SVG: ``& < >`` (and quotes, for attribute values) as
    entities; characters XML 1.0 forbids (control characters, lone surrogates)
    dropped, since no entity can carry them."""
    s = _XML_INVALID.sub("", str(text))
    s = s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if attribute:
        s = s.replace('"', "&quot;").replace("'", "&#39;")
        s = s.replace("\n", "&#10;").replace("\r", "&#13;").replace("\t", "&#9;")
    return s


_MARKDOWN_INLINE = set("\\`*_[]<>&$|~^")
_MARKDOWN_BLOCK_START = re.compile(r"^(\s*)([#+\-=>!]|\d+(?=[.)]))")


def markdown_text(text: str) -> str:
    """``text`` for CommonMark/GitHub inline text, shown literally: control
    characters and line breaks become spaces (a label cannot open a new block);
    every character with an inline Markdown or HTML meaning (``\\ ` * _ [ ] < > &
    $ | ~ ^``) is backslash-escaped, as is a leading block marker (``#``, ``-``,
    ``+``, ``>``, ``1.``), so nothing becomes a link, tag, heading, list or math."""
    s = _CONTROL.sub(" ", str(text))
    s = "".join("\\" + ch if ch in _MARKDOWN_INLINE else ch for ch in s)
    m = _MARKDOWN_BLOCK_START.match(s)
    if m:
        lead, marker = m.groups()
        if marker.isdigit():  # "1." → "1\." keeps the number, drops the list
            cut = len(lead) + len(marker)
            return s[:cut] + "\\" + s[cut:]
        return lead + "\\" + s[len(lead) :]
    return s
