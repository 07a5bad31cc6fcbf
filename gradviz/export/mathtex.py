"""LaTeX math pieces for the worked solution: numbers, vectors and matrices in the
sheet's style, each op's formula and the name and meaning of its local Jacobian.

Conventions (amsmath): a node's vector value is a column ``pmatrix`` (the sheet's
``z_{E_0}(Θ_0) = (2, 1, −3)ᵀ`` written upright), up to :data:`COLUMN_VECTOR_LIMIT`
entries, a shortened row ``(a, …, z)ᵀ`` beyond; Θ-length vectors (Θ, ∇l) are
tuples ``(3, 1, …)`` broken into lines that fit the page (very long ones elided,
:func:`shown_indices`); Jacobians are ``pmatrix`` blocks of at most
:data:`TUPLE_CHUNK` columns. Matrices with more than :data:`PRINT_LIMIT` entries
are described by their shape instead of printed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from gradviz.engine.exact import latex_scalar
from gradviz.export.document import Math
from gradviz.export.notation import Notation
from gradviz.model.network import Network

TUPLE_CHUNK = 12
TUPLE_MAX, TUPLE_HEAD, TUPLE_TAIL = 96, 48, 12
PRINT_LIMIT = 400
COLUMN_VECTOR_LIMIT = 24
LINE_BUDGET_EM = 36.0
"""Rough width of a display line (A4, 2 cm margins, 11 pt) left for a right side."""

_FRAC = re.compile(r"\\frac\{([^{}]*)\}\{([^{}]*)\}")
_COMMAND = re.compile(r"\\[A-Za-z]+|[{}^_]")
_ENV = re.compile(r"\\(begin|end)\{[a-z*]+\}")


def visual_em(tex: str) -> float:
    """A rough printed width in em of a small piece of math: a fraction counts as
    its wider part, ``\\times 10^{-7}`` as a few characters, commands as nothing; a
    ``pmatrix`` as its widest row plus the brackets."""
    extra = 0.0
    if r"\begin{pmatrix}" in tex:
        tex = _ENV.sub("", tex)
        extra = 1.5
    rows = tex.split(r"\\")
    return extra + max(sum(_plain_em(cell) + 0.6 for cell in row.split("&")) for row in rows)


def _plain_em(tex: str) -> float:
    text = _FRAC.sub(lambda m: "x" * max(len(m[1]), len(m[2])), tex)
    text = text.replace(r"\times", "xx")
    return 0.55 * len(_COMMAND.sub("", text).replace(" ", ""))


@dataclass
class Formatter:
    """Formats numbers exactly (``\\frac{3}{4}``) or as decimals and records the
    widest ``pmatrix`` it wrote (amsmath's ``MaxMatrixCols`` must cover it)."""

    exact: bool = True
    max_cols: int = field(default=10)

    def num(self, x: float) -> str:
        return latex_scalar(float(x), exact=self.exact)

    def _pmatrix(self, rows: list[list[str]]) -> str:
        self.max_cols = max(self.max_cols, max((len(r) for r in rows), default=0))
        body = r" \\ ".join(" & ".join(r) for r in rows)
        return rf"\begin{{pmatrix}} {body} \end{{pmatrix}}"

    def too_big(self, a: np.ndarray) -> str | None:
        arr = np.asarray(a)
        if arr.size <= PRINT_LIMIT or arr.ndim == 1:
            return None
        shape = r" \times ".join(str(s) for s in arr.shape)
        return rf"\text{{(a ${shape}$ array, not printed)}}"

    def value(self, a: np.ndarray) -> str:
        """A node's value: scalar, column vector (row tuple ᵀ when long), matrix."""
        arr = np.asarray(a, dtype=np.float64)
        big = self.too_big(arr)
        if big is not None:
            return big
        if arr.ndim == 0:
            return self.num(float(arr))
        if arr.ndim == 1:
            if arr.size <= COLUMN_VECTOR_LIMIT:
                return self._pmatrix([[self.num(x)] for x in arr])
            head = ", ".join(self.num(x) for x in arr[:4])
            tail = ", ".join(self.num(x) for x in arr[-2:])
            return (
                rf"\left({head}, \ldots, {tail}\right)^{{T}}"
                rf"\ \text{{({arr.size} entries)}}"
            )
        if arr.ndim == 2:
            return self._pmatrix([[self.num(x) for x in row] for row in arr])
        return r"\left[" + r",\ ".join(self.value(sub) for sub in arr) + r"\right]"

    def matrix(self, m: np.ndarray) -> str:
        """A 2-D array as one ``pmatrix`` (or its shape when too big)."""
        arr = np.asarray(m, dtype=np.float64)
        big = self.too_big(arr)
        if big is not None:
            return big
        return self._pmatrix([[self.num(x) for x in row] for row in arr.reshape(arr.shape[0], -1)])

    def matrix_blocks(self, m: np.ndarray) -> list[tuple[int, int, str]]:
        """A wide matrix cut into column blocks: ``(first, last, pmatrix)``, 1-based."""
        arr = np.asarray(m, dtype=np.float64)
        if arr.size > PRINT_LIMIT:
            return [(1, arr.shape[1], self.matrix(arr))]
        n = arr.shape[1]
        widest = max((visual_em(self.num(x)) for x in arr.ravel()), default=1.0) + 1.0
        per = max(1, min(TUPLE_CHUNK, int(LINE_BUDGET_EM // widest)))
        return [
            (a + 1, min(a + per, n), self.matrix(arr[:, a : a + per]))
            for a in range(0, max(n, 1), per)
        ]

    def tuple_inline(self, v: np.ndarray) -> str:
        return r"\left(" + ", ".join(self.num(x) for x in np.ravel(v)) + r"\right)"

    def tuple_lines(self, items: list[str]) -> list[str]:
        """``(a, b, …)`` as lines of at most :data:`TUPLE_CHUNK` items that fit
        :data:`LINE_BUDGET_EM`."""
        if not items:
            return [r"()"]
        chunks: list[list[str]] = [[]]
        width = 0.0
        for item in items:
            w = visual_em(item) + 0.8
            if chunks[-1] and (len(chunks[-1]) == TUPLE_CHUNK or width + w > LINE_BUDGET_EM):
                chunks.append([])
                width = 0.0
            chunks[-1].append(item)
            width += w
        lines = []
        for k, chunk in enumerate(chunks):
            head = r"\bigl(" if k == 0 else ""
            tail = r"\bigr)" if k == len(chunks) - 1 else ","
            lines.append(head + ", ".join(chunk) + tail)
        return lines

    def number_tuple(self, v: np.ndarray) -> list[str]:
        """A vector as tuple lines; a very long one elided (:func:`shown_indices`)."""
        flat = np.ravel(v)
        return self.tuple_lines(
            [r"\ldots" if k is None else self.num(flat[k]) for k in shown_indices(flat.size)]
        )


def shown_indices(n: int) -> list[int | None]:
    """Which entries of an ``n``-vector a tuple prints: all up to :data:`TUPLE_MAX`,
    else the first :data:`TUPLE_HEAD`, ``None`` (for ``\\ldots``) and the last
    :data:`TUPLE_TAIL` (a 269 322-entry Θ is not a document)."""
    if n <= TUPLE_MAX:
        return list(range(n))
    return [*range(TUPLE_HEAD), None, *range(n - TUPLE_TAIL, n)]


def operand(net: Network, note: Notation, node_id: str, point: bool) -> str:
    """How an input appears in a formula: ``P`` / ``z_{E}`` (function level) or
    ``P_0`` / ``z_{E_0}(\\Theta_0)`` (at the point)."""
    if point:
        return note.value(node_id)
    return note.fn(node_id)


def formula(net: Network, note: Notation, node_id: str, point: bool) -> str:
    """The op applied to its inputs: ``P \\times E``, ``R(z_{E})``, ``-\\ln f_{E}[1]``."""
    node = net.node(node_id)
    xs = [operand(net, note, s, point) for s in node.inputs]
    op = node.op
    if op == "matmul":
        return rf"{xs[0]} \times {xs[1]}"
    if op == "add":
        return f"{xs[0]} + {xs[1]}"
    if op in ("relu", "sigmoid", "tanh", "softmax"):
        name = {"relu": "R", "sigmoid": r"\sigma", "tanh": r"\tanh", "softmax": "S"}[op]
        return rf"{name}\left({xs[0]}\right)"
    if op == "neg_log":
        return rf"-\ln {xs[0]}[{int(node.attrs['index']) + 1}]"
    if op == "mse":
        n = np.asarray(node.attrs["target"]).size
        return rf"\frac{{1}}{{{n}}} \left\lVert {xs[0]} - t \right\rVert^2"
    return node.op + "(" + ", ".join(xs) + ")"


_ELEMENTWISE_NAME = {"relu": "R", "sigmoid": r"\sigma", "tanh": r"\tanh", "softmax": "S"}


def _captions() -> dict[str, list[str]]:
    return {
        "relu": [
            "Exercise 2: the Jacobian of the ReLU is diagonal, ",
            Math(r"\mathbf{1}_{x_i > 0}"),
            " on the diagonal (at ",
            Math("x_i = 0"),
            " it is not differentiable; gradviz takes 0).",
        ],
        "sigmoid": [
            "The sigmoid acts entry by entry: its Jacobian is diagonal, ",
            Math(r"\sigma(x_i)\,(1 - \sigma(x_i))"),
            " on the diagonal.",
        ],
        "tanh": [
            "tanh acts entry by entry: its Jacobian is diagonal, ",
            Math(r"1 - \tanh^2(x_i)"),
            " on the diagonal.",
        ],
        "softmax": [
            "The Jacobian of the softmax (Q6): ",
            Math(r"S_i(1 - S_i)"),
            " on the diagonal, ",
            Math(r"-S_i S_j"),
            " off it.",
        ],
        "add": ["A sum: the Jacobian with respect to each term is the identity."],
    }


def local_symbol(net: Network, note: Notation, node_id: str, pos: int, x_ndim: int) -> str:
    """The name of ``∂node/∂input_pos`` at the point: ``J_R(z_{E_0}(\\Theta_0))``,
    ``Q_0`` (Exercise 1: the Jacobian of ``X ↦ M × X`` is ``M``), ``I``, …"""
    node = net.node(node_id)
    x = node.inputs[pos]
    if node.op in _ELEMENTWISE_NAME:
        return rf"J_{{{_ELEMENTWISE_NAME[node.op]}}}\left({note.value(x)}\right)"
    if node.op == "matmul" and pos == 1 and x_ndim == 1:
        return note.value(node.inputs[0])
    if node.op == "add":
        return "I"
    return rf"\frac{{\partial {note.fn_point(node_id)}}}{{\partial {note.fn_point(x)}}}"


def local_caption(net: Network, node_id: str, pos: int, xshape: tuple[int, ...]) -> list[str]:
    """One sentence (text and :class:`Math` parts) saying why the local Jacobian
    looks as it does; empty when there is nothing general to say."""
    node = net.node(node_id)
    if node.op == "matmul" and pos == 1 and len(xshape) == 1:
        return [
            "Exercise 1: the Jacobian of ",
            Math(r"X \mapsto M \times X"),
            " is ",
            Math("M"),
            " itself.",
        ]
    return _captions().get(node.op, [])
