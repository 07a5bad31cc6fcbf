"""Big tensors shown as a summary, never entry by entry.

A tensor with more than :data:`MAX_CELLS` entries, or more than
:data:`MAX_LINES` rows or columns, is *big*. The canvas then shows a preview: its
first :data:`HEAD` rows and its last row, its first :data:`HEAD` columns and its
last column, with ``⋮``, ``⋯`` and ``⋱`` standing for what is left out, and one
line of facts (``ℝ¹⁰⁰⁰ˣ¹⁰⁰⁰ · min −0.99 · max 0.98 · mean 0.01``). A 1000×1000
weight matrix is then 16 numbers on its node and on its edge, not a million;
all of them are one double-click away in the tensor viewer
(:mod:`gradviz.qt.canvas.tensor_viewer`).

A vector is shown as a column (on its node) or a line (on its edge); a tensor of
three or more dimensions as its first axis by the rest flattened.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from gradviz.engine.exact import format_scalar

MAX_CELLS = 64
MAX_LINES = 10
HEAD = 3
#: The symbols standing for left-out rows, columns and both.
VDOTS, HDOTS, DDOTS = "⋮", "⋯", "⋱"

_SUPERSCRIPTS = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def as_matrix_shape(shape: tuple[int, ...]) -> tuple[int, int]:
    """Rows × columns as a tensor is drawn: a scalar 1×1, a vector n×1, a matrix
    itself, more dimensions the first axis by the rest."""
    if not shape:
        return 1, 1
    if len(shape) == 1:
        return shape[0], 1
    return shape[0], math.prod(shape[1:])


def is_big(shape: tuple[int, ...]) -> bool:
    """Whether a tensor of this shape is summarised rather than shown whole."""
    rows, cols = as_matrix_shape(shape)
    return rows * cols > MAX_CELLS or rows > MAX_LINES or cols > MAX_LINES


def tensor_index(shape: tuple[int, ...], r: int, c: int) -> tuple[int, ...]:
    """The index into a tensor of ``shape`` of row ``r``, column ``c`` of the matrix
    it is drawn as (see :func:`as_matrix_shape`)."""
    if not shape:
        return ()
    if len(shape) == 1:
        return (r,)
    if len(shape) == 2:
        return (r, c)
    return (r, *(int(i) for i in np.unravel_index(c, shape[1:])))


def preview(n: int, keep: bool) -> list[int | None]:
    """Which of ``n`` rows (or columns) are shown: all when ``keep`` or there are
    few, else the first :data:`HEAD`, a gap (None) and the last."""
    if keep or n <= HEAD + 2:
        return list(range(n))
    return [*range(HEAD), None, n - 1]


@dataclass(frozen=True)
class Grid:
    """The rows and columns of the drawn matrix that are shown (None: a gap)."""

    shape: tuple[int, ...]
    rows: tuple[int | None, ...]
    cols: tuple[int | None, ...]
    big: bool

    @classmethod
    def of(cls, shape: tuple[int, ...]) -> Grid:
        """The grid of a tensor (a vector as a column)."""
        big = is_big(shape)
        rows, cols = as_matrix_shape(shape)
        return cls(shape, tuple(preview(rows, not big)), tuple(preview(cols, not big)), big)

    def index(self, r: int, c: int) -> tuple[int, ...]:
        """The tensor index of the drawn matrix's row ``r``, column ``c``."""
        return tensor_index(self.shape, r, c)

    def cells(self) -> list[tuple[int, int, tuple[int, ...] | None]]:
        """``(grid row, grid column, tensor index)`` of every shown cell, row by row;
        the index is None in a gap."""
        out: list[tuple[int, int, tuple[int, ...] | None]] = []
        for i, r in enumerate(self.rows):
            for j, c in enumerate(self.cols):
                out.append((i, j, None if r is None or c is None else self.index(r, c)))
        return out

    def gap_text(self, i: int, j: int) -> str:
        """The symbol of the gap at grid row ``i``, column ``j``."""
        if self.rows[i] is None and self.cols[j] is None:
            return DDOTS
        return VDOTS if self.rows[i] is None else HDOTS


def superscript_shape(shape: tuple[int, ...]) -> str:
    """``ℝ¹⁰⁰⁰ˣ¹⁰⁰⁰`` (``ℝ`` alone for a scalar)."""
    return "ℝ" + "ˣ".join(str(d).translate(_SUPERSCRIPTS) for d in shape)


def facts(value: np.ndarray, exact: bool, digits: int) -> str:
    """``ℝ¹⁰⁰⁰ˣ¹⁰⁰⁰ · min −0.99 · max 0.98 · mean 0.01`` (min/max/mean in decimals
    unless exact and they are simple fractions)."""
    if value.size == 0:
        return superscript_shape(value.shape)

    def num(x: float) -> str:
        return format_scalar(x, exact=exact, digits=min(digits, 4), unicode_minus=True)

    lo, hi, mean = float(np.min(value)), float(np.max(value)), float(np.mean(value))
    return f"{superscript_shape(value.shape)} · min {num(lo)} · max {num(hi)} · mean {num(mean)}"


def preview_cells(value: np.ndarray, number: Callable[[float], str]) -> list[list[str]]:
    """The shown cells of a tensor as text, row by row (a vector as a column), gaps
    as ``⋮ ⋯ ⋱``; ``number`` formats one float."""
    grid = Grid.of(tuple(value.shape))
    rows: list[list[str]] = [[] for _ in grid.rows]
    for i, j, idx in grid.cells():
        rows[i].append(grid.gap_text(i, j) if idx is None else number(float(value[idx])))
    return rows


def preview_inline(value: np.ndarray, number: Callable[[float], str]) -> str:
    """A long vector on one line: ``(a, b, c, …, z)``."""
    keep = preview(value.shape[0], False)
    return "(" + ", ".join("…" if k is None else number(float(value[k])) for k in keep) + ")"
