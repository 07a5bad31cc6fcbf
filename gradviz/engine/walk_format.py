"""How the backprop walk writes its numbers: the sheet's op symbols, arrays inline
in exact form (``(2, 1, -3)``, ``[3, 1; 1, 0]``) and in LaTeX, and arrays of more
than :data:`MAX_INLINE` entries by their size (``[16×256 matrix]``)."""

from __future__ import annotations

import numpy as np

from gradviz.engine.exact import (
    format_array,
    format_scalar,
    latex_array,
    latex_scalar,
    latex_vector,
)
from gradviz.engine.ops import Array

#: The sheet's name of each one-input op: ``J_R(z)``, ``J_S(z2)``.
OP_SYMBOL = {
    "relu": "R",
    "sigmoid": "σ",
    "tanh": "tanh",
    "softmax": "S",
    "neg_log": "−ln",
    "mse": "mse",
}
TEX_SYMBOL = {
    "relu": "R",
    "sigmoid": r"\sigma",
    "tanh": r"\tanh",
    "softmax": "S",
    "neg_log": r"-\ln",
    "mse": r"\operatorname{mse}",
}


MAX_INLINE = 100
"""Arrays with more entries are written by their size in a step's ``text`` and
``latex`` (``[16×256 matrix]``); the step's arrays hold every number (its local
Jacobian is computed when asked: see :mod:`gradviz.engine.walk_jacobian`)."""


def size_text(arr: Array, times: str) -> str:
    return (
        f"[{arr.size} entries]"
        if arr.ndim != 2
        else f"[{arr.shape[0]}{times}{arr.shape[1]} matrix]"
    )


class Fmt:
    """Inline text and LaTeX for numbers and arrays, in exact form."""

    def __init__(self, unicode_minus: bool) -> None:
        self.um = unicode_minus

    def text(self, a: Array | float) -> str:
        """Scalars ``3/4``, vectors ``(2, 1, -3)``, matrices ``[3, 1; 1, 0]``."""
        arr = np.asarray(a, dtype=np.float64)
        if arr.size > MAX_INLINE:
            return size_text(arr, "×")
        if arr.ndim == 2:
            rows = (", ".join(format_scalar(x, unicode_minus=self.um) for x in r) for r in arr)
            return "[" + "; ".join(rows) + "]"
        return format_array(arr, unicode_minus=self.um)

    def apply(self, symbol: str, a: Array) -> str:
        """``R(2, 1, -3)``: a function symbol applied to an array's text."""
        t = self.text(a)
        return symbol + t if t.startswith("(") else f"{symbol}({t})"

    @staticmethod
    def tex(a: Array | float, row: bool = False) -> str:
        """LaTeX; a vector as a row with ``row=True``."""
        arr = np.asarray(a, dtype=np.float64)
        if arr.size > MAX_INLINE:
            return r"\text{" + size_text(arr, r"$\times$") + "}"
        if arr.ndim == 1 and row:
            return latex_scalar(arr[0]) if arr.size == 1 else latex_vector(arr, column=False)
        return latex_array(arr)


def tex_id(node_id: str) -> str:
    """A node id in math mode: one letter as is, longer ids upright-italic and escaped."""
    if len(node_id) == 1 and node_id.isalpha():
        return node_id
    escaped = "".join("\\" + ch if ch in "_#%&$" else ch for ch in node_id)
    return rf"\mathit{{{escaped}}}"
