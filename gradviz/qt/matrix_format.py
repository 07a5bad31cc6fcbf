"""What a :class:`~gradviz.qt.matrix_widget.MatrixWidget` shows, without Qt: the
array as a 2-D grid, the part of it that is listed, the cell texts, and the matrix
as LaTeX or plain text.

* A 0-D array is a 1 × 1 grid, a 1-D array of size ``n`` a column ``(n, 1)`` (the
  sheet's vector used as a matrix) or a row ``(1, n)``; a 3-D or bigger array is
  flattened to ``(shape[0], rest)``.
* A huge grid is *capped*: only the first ``max_rows × max_cols`` entries are
  formatted and drawn, and :func:`cap_note` says so ("showing 40 of 784 rows").
  Formatting 200 000 exact fractions would freeze the window for seconds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from gradviz.engine.exact import (
    format_array,
    format_scalar,
    latex_matrix,
    latex_scalar,
    latex_vector,
)


def as_grid(src: np.ndarray, vector_as: str = "column") -> np.ndarray:
    """``src`` (any ndim) as the 2-D grid drawn on screen (rows × columns)."""
    if src.ndim == 0:
        return src.reshape(1, 1)
    if src.ndim == 1:
        return src.reshape(-1, 1) if vector_as == "column" else src.reshape(1, -1)
    if src.ndim == 2:
        return src
    return src.reshape(src.shape[0], -1)


def cap_note(total: tuple[int, int], shown: tuple[int, int]) -> str:
    """``"showing 40 of 784 rows and 300 of 1000 columns"``; ``""`` when all are shown."""
    parts = [
        f"{s} of {t} {what}"
        for s, t, what in ((shown[0], total[0], "rows"), (shown[1], total[1], "columns"))
        if s < t
    ]
    return "showing " + " and ".join(parts) if parts else ""


@dataclass(frozen=True)
class NumberStyle:
    """How cells are written: exact fractions (``3/4``) or ``digits`` significant
    digits, always with a true minus sign (U+2212)."""

    exact: bool = True
    digits: int = 4

    def text(self, x: float) -> str:
        return format_scalar(x, exact=self.exact, digits=self.digits, unicode_minus=True)

    def cells(self, grid: np.ndarray) -> list[list[str]]:
        """Every entry of a 2-D ``grid`` as text (repeated values formatted once)."""
        seen: dict[float, str] = {}
        rows = []
        for row in grid.tolist():
            out = []
            for x in row:
                t = seen.get(x)
                if t is None:
                    t = seen[x] = self.text(x)
                out.append(t)
            rows.append(out)
        return rows


def latex_of(source: np.ndarray, vector_as: str, style: NumberStyle) -> str:
    """``source`` as LaTeX: a scalar, a column or row vector, or ``pmatrix``."""
    exact, digits = style.exact, style.digits
    if source.ndim == 0:
        return latex_scalar(float(source), exact=exact, digits=digits)
    if source.ndim == 1:
        return latex_vector(source, column=vector_as == "column", exact=exact, digits=digits)
    return latex_matrix(as_grid(source), exact=exact, digits=digits)


def plain_text_of(source: np.ndarray, style: NumberStyle) -> str:
    """``source`` as plain text (a vector in one line, a matrix row by row)."""
    shown = as_grid(source) if source.ndim > 1 else source
    return format_array(shown, exact=style.exact, digits=style.digits)


def cell_tooltip(x: float, where: Sequence[str], row: int, col: int, note: str = "") -> str:
    """``"f[1] / p₁,₁: 3/4"`` (plus ``≈ 0.75`` when that differs) and the cell's note."""
    head = " / ".join(where) if where else f"row {row + 1}, column {col + 1}"
    text = f"{head}: {format_scalar(x, unicode_minus=True)}"
    if format_scalar(x) != format_scalar(x, exact=False, digits=10):
        text += f"  ≈ {format_scalar(x, exact=False, digits=10, unicode_minus=True)}"
    return f"{text}\n{note}" if note else text


def as_float_array(matrix: ArrayLike) -> np.ndarray:
    """A float64 copy of ``matrix`` (the widget keeps its own)."""
    return np.array(matrix, dtype=np.float64)
