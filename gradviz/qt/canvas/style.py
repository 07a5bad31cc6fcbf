"""Fonts, sizes and number formatting shared by every canvas item and the exports.

All fonts use pixel sizes and no hinting, so that text is measured once in scene
units and scales linearly with the view, the PNG scale or the PDF resolution:
nothing is clipped at any zoom and exports match the canvas.
"""

from __future__ import annotations

import math
from functools import cache, lru_cache
from itertools import repeat

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QPainter, QPainterPath, QPen

from gradviz.engine.exact import format_scalar
from gradviz.engine.ops import OPS
from gradviz.qt.canvas import summary
from gradviz.qt.theme import DisplayOptions

FAMILIES = ["DejaVu Sans", "Noto Sans", "Helvetica Neue", "Helvetica", "Arial", "sans-serif"]

#: Pixel sizes in scene units (one unit is one pixel at 100 % zoom).
NAME_PX = 17  # a node's name or op label
ENTRY_PX = 16  # an editable entry of an input or parameter
LABEL_PX = 14  # the value and gradient written along an edge
CAPTION_PX = 12  # "output", "loss", a kink note

#: The canvas spreads the model's layered layout (250 × 170 units between
#: columns and rows) so that a matrix label fits between two nodes.
COLUMN_SPACING = 310.0
ROW_SPACING = 250.0

#: Scrubbing: one wheel notch or SCRUB_PIXELS of Alt+drag moves an entry by
#: SCRUB_STEP (SCRUB_STEP_COARSE with Shift).
SCRUB_STEP = 0.25
SCRUB_STEP_COARSE = 1.0
SCRUB_PIXELS = 12.0
SCRUB_TIP = (
    "Double-click to type a value (3, -1.5e-2, 3/4).\n"
    "Scrub: wheel or Alt+drag sideways changes it by 1/4 (with Shift: by 1)."
)

#: How many measured texts and formatted numbers are remembered: enough for every
#: label and entry of a 5,000-node network (a smaller cache would forget each one
#: before it is asked for again, on every refresh).
TEXT_CACHE = 1 << 16

_SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


@cache
def font(px: int, bold: bool = False, italic: bool = False) -> QFont:
    """The canvas font at ``px`` pixels: DejaVu Sans or the system sans, unhinted."""
    f = QFont()
    f.setFamilies(FAMILIES)
    f.setStyleHint(QFont.StyleHint.SansSerif)
    f.setPixelSize(px)
    f.setBold(bold)
    f.setItalic(italic)
    f.setHintingPreference(QFont.HintingPreference.PreferNoHinting)
    f.setKerning(True)
    return f


@cache
def metrics(px: int, bold: bool = False, italic: bool = False) -> QFontMetricsF:
    return QFontMetricsF(font(px, bold, italic))


@lru_cache(maxsize=TEXT_CACHE)
def text_width(text: str, px: int, bold: bool = False) -> float:
    """Advance width of one line of ``text`` in scene units."""
    return metrics(px, bold).horizontalAdvance(text)


@cache
def line_height(px: int, bold: bool = False) -> float:
    """Height of one line of text at ``px`` pixels (``metrics(px).height()``, remembered)."""
    return metrics(px, bold).height()


def column_widths(cells: list[list[str]], px: int) -> list[float]:
    """The width of each column of a grid of texts (rows may be ragged): its widest cell."""
    if cells and all(len(r) == len(cells[0]) for r in cells):
        return [max(map(text_width, col, repeat(px))) for col in zip(*cells, strict=True)]
    ncols = max((len(r) for r in cells), default=0)
    return [
        max((text_width(r[j], px) for r in cells if j < len(r)), default=0.0) for j in range(ncols)
    ]


@lru_cache(maxsize=256)
def color(name: str, alpha: int = 255) -> QColor:
    """One shared ``QColor`` per colour name and opacity (shared: never change it)."""
    c = QColor(name)
    c.setAlpha(alpha)
    return c


@lru_cache(maxsize=256)
def pen(
    name: str, width: float = 1.0, alpha: int = 255, cap: Qt.PenCapStyle = Qt.PenCapStyle.SquareCap
) -> QPen:
    """One shared solid pen per colour, width, opacity and cap (made once, not per
    paint; ``pen(name)`` is what ``painter.setPen(QColor(name))`` sets)."""
    return QPen(color(name, alpha), width, Qt.PenStyle.SolidLine, cap)


@lru_cache(maxsize=256)
def brush(name: str, alpha: int = 255) -> QBrush:
    """One shared solid brush per colour name and opacity."""
    return QBrush(color(name, alpha))


def draw_centred(
    painter: QPainter, text: str, px: int, baseline: float, color: str, bold: bool = False
) -> None:
    """One line of ``text`` at ``px`` pixels in ``color``, centred on x = 0, its
    baseline at ``baseline`` (item coordinates)."""
    painter.setFont(font(px, bold))
    painter.setPen(pen(color))
    painter.drawText(QPointF(-text_width(text, px, bold) / 2, baseline), text)


@lru_cache(maxsize=TEXT_CACHE)
def pretty_name(node_id: str) -> str:
    """A node id as a teacher writes it: trailing digits become subscripts (``z2`` → ``z₂``)."""
    stem = node_id.rstrip("0123456789")
    if stem and stem != node_id and stem[-1].isalpha() and not stem[-1].isdigit():
        return stem + node_id[len(stem) :].translate(_SUBSCRIPTS)
    return node_id


def number(x: float, opts: DisplayOptions) -> str:
    """One number as the options ask: ``3/4`` (exact) or ``0.75`` (decimals), minus as U+2212."""
    return cached_number(x, opts.exact, opts.digits)


@lru_cache(maxsize=TEXT_CACHE)
def cached_number(x: float, exact: bool, digits: int) -> str:
    """:func:`number` with the options spelled out (the cache behind it)."""
    return format_scalar(x, exact=exact, digits=digits, unicode_minus=True)


#: A value as an edge label writes it: one line of text, or (None and) rows of cells.
Formatted = tuple[str | None, list[list[str]]]


def formatted(value: np.ndarray, opts: DisplayOptions) -> Formatted:
    """``(inline, cells)`` for an edge label: a scalar or vector inline, a matrix as cells."""
    inline = inline_text(value, opts)
    return inline, [] if inline is not None else grid_cells(value, opts)


def inline_text(value: np.ndarray, opts: DisplayOptions) -> str | None:
    """A scalar or a vector on one line (``(2, 1, −3)``; a long one ``(a, b, c, …, z)``);
    None for a matrix or more."""
    if value.ndim == 0 or value.size == 1 and value.ndim <= 1:
        return number(float(value.reshape(-1)[0]), opts)
    if value.ndim == 1:
        if value.size > summary.MAX_LINES:
            return summary.preview_inline(value, lambda x: number(x, opts))
        return "(" + ", ".join(_numbers(value.tolist(), opts)) + ")"
    return None


def _numbers(xs: list[float], opts: DisplayOptions) -> list[str]:
    """:func:`number` of each of ``xs`` (plain Python numbers, as ``tolist`` gives)."""
    exact, digits = repeat(opts.exact), repeat(opts.digits)
    return list(map(cached_number, map(float, xs), exact, digits))


def grid_cells(value: np.ndarray, opts: DisplayOptions) -> list[list[str]]:
    """The entries of a matrix (or of a vector as a column) as text, row by row; a
    big one as its preview (see :mod:`~gradviz.qt.canvas.summary`)."""
    if summary.is_big(tuple(value.shape)):
        return summary.preview_cells(value, lambda x: number(x, opts))
    if value.ndim <= 1:
        return [[x] for x in _numbers(value.reshape(-1).tolist(), opts)]
    rows = value if value.ndim == 2 else value.reshape(value.shape[0], -1)
    return [_numbers(row, opts) for row in rows.tolist()]


def entry_label(node_id: str, index: tuple[int, ...]) -> str:
    """1-based name of one entry, as in Θ's names: ``P[1,2]``, ``E[2]``."""
    if not index:
        return node_id
    return f"{node_id}[{','.join(str(i + 1) for i in index)}]"


def paren_path(rect: QRectF, left: bool) -> QPainterPath:
    """A round bracket spanning ``rect``'s height, drawn in its width (pmatrix style)."""
    path = QPainterPath()
    top, bottom = rect.top(), rect.bottom()
    mid = (top + bottom) / 2
    if left:
        outer, inner = rect.left(), rect.right()
    else:
        outer, inner = rect.right(), rect.left()
    path.moveTo(inner, top)
    path.cubicTo(
        QPointF(outer, top + (mid - top) * 0.35),
        QPointF(outer, bottom - (bottom - mid) * 0.35),
        QPointF(inner, bottom),
    )
    return path


def draw_parens(painter: QPainter, rect: QRectF, pen: QPen, width: float = 6.0) -> None:
    """Round brackets at both sides of ``rect`` (the brackets lie inside it)."""
    painter.setPen(pen)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawPath(paren_path(QRectF(rect.left(), rect.top(), width, rect.height()), True))
    painter.drawPath(
        paren_path(QRectF(rect.right() - width, rect.top(), width, rect.height()), False)
    )


def all_finite(value: np.ndarray) -> bool:
    """No NaN or infinity in ``value`` (a small one checked without numpy's overhead)."""
    if value.size <= 16:
        return all(map(math.isfinite, value.ravel().tolist()))
    return bool(np.isfinite(value).all())


def formula(op: str, node_id: str, inputs: list[str], attrs: dict[str, object]) -> str:
    """The sheet-style formula of an op node, e.g. ``g = R(z)``, ``l = −ln f[1]``."""
    index = attrs.get("index", 0)
    try:
        return OPS[op].formula.format(
            *[pretty_name(s) for s in inputs],
            y=pretty_name(node_id),
            index=int(index) + 1 if isinstance(index, int) else index,
        )
    except (IndexError, KeyError, ValueError):
        return f"{pretty_name(node_id)} = {op}(…)"
