"""The sheet's notation on screen (plain Unicode, for Qt labels and matrices).

* a parameter entry ``P[1,2]`` is the sheet's ``p₁,₂`` (lowercase, subscripts);
* other entries are ``z[1]``, ``f[2]`` — 1-based, as in the sheet's ``f[1]``;
* a node's formula is its op's ``formula`` with the node and its inputs filled
  in: ``z = P × E``, ``g = R(z)``, ``f = S(z2)``, ``l = −ln f[1]``.
"""

from __future__ import annotations

import itertools
import re

import numpy as np

from gradviz.engine.evaluate import Evaluation
from gradviz.engine.exact import format_scalar, format_vector
from gradviz.engine.ops import OPS
from gradviz.model.network import Network
from gradviz.qt.theme import DisplayOptions

#: One line per op for the inspector's header (rich text).
KINDS = {
    "input": "input — held fixed, not part of Θ",
    "param": "parameter — its entries are part of Θ",
    "matmul": "matrix product",
    "add": "sum (a bias)",
    "relu": "ReLU: R(x) = x · 1<sub>x&gt;0</sub>, entry by entry",
    "sigmoid": "sigmoid: σ(x) = 1 / (1 + e<sup>−x</sup>)",
    "tanh": "hyperbolic tangent",
    "softmax": "softmax: S(x)<sub>i</sub> = e<sup>x<sub>i</sub></sup> / Σ<sub>j</sub> "
    "e<sup>x<sub>j</sub></sup>",
    "neg_log": "negative log-likelihood",
    "mse": "mean squared error against the target t",
}


def formula_text(net: Network, node_id: str) -> str:
    """The node's formula as the sheet writes it: ``z = P × E``, ``g = R(z)``,
    ``f = S(z2)``, ``l = −ln f[1]`` (the index 1-based)."""
    node = net.node(node_id)
    op = OPS[node.op]
    index = node.attrs.get("index")
    return op.formula.format(
        *node.inputs, y=node.id, index=(index + 1) if isinstance(index, int) else "?"
    )


def function_symbol(op_name: str) -> str | None:
    """``R`` for relu, ``S`` for softmax, ``σ``, ``tanh``: the letter in ``y = R(x)``."""
    m = re.search(r"= (\S+?)\(\{0\}\)$", OPS[op_name].formula)
    return m.group(1) if m else None


def number(x: float, options: DisplayOptions) -> str:
    """One number as the options say: ``3/4`` or ``0.75``, with a true minus sign."""
    return format_scalar(x, exact=options.exact, digits=options.digits, unicode_minus=True)


def vector(v: np.ndarray, options: DisplayOptions) -> str:
    """A vector as ``(2, 1, −3)``."""
    return format_vector(v, exact=options.exact, digits=options.digits, unicode_minus=True)


_SUBSCRIPTS = str.maketrans("0123456789-", "₀₁₂₃₄₅₆₇₈₉₋")


def subscript(text: str) -> str:
    """Digits as Unicode subscripts: ``"1,2"`` → ``"₁,₂"``."""
    return text.translate(_SUBSCRIPTS)


def sheet_name(theta_name: str) -> str:
    """The sheet's name of one parameter entry: ``P[1,2]`` → ``p₁,₂``, ``b[3]`` →
    ``b₃``, a scalar ``w`` stays ``w``."""
    base, sep, rest = theta_name.partition("[")
    if not sep:
        return base.lower()
    return base.lower() + subscript(rest.rstrip("]"))


def entry_labels(
    node_id: str, shape: tuple[int, ...], *, param: bool = False, limit: int | None = None
) -> list[str]:
    """Labels of a value's entries, row-major and 1-based: ``z[1]``, ``z[2]`` …;
    for a parameter the sheet's ``p₁,₁`` …; a scalar is just its id. ``limit``:
    only the first ones (a list capped on screen needs no 200 000 labels)."""
    if not shape:
        return [node_id.lower() if param else node_id]
    labels = []
    for idx in itertools.islice(np.ndindex(*shape), limit):
        inside = ",".join(str(k + 1) for k in idx)
        labels.append(sheet_name(f"{node_id}[{inside}]") if param else f"{node_id}[{inside}]")
    return labels


def local_title(net: Network, nid: str, pos: int) -> str:
    """Rich-text title of ``∂nid/∂input``: ``∂g/∂z = J_R(z)``, ``∂z/∂E = P`` (Ex. 1)."""
    node = net.node(nid)
    src = node.inputs[pos]
    title = f"∂{nid}/∂{src}"
    sym = function_symbol(node.op)
    if sym:
        title += f" = J<sub>{sym}</sub>({src})"
    elif node.op == "matmul" and pos == 1:
        title += f" = {node.inputs[0]}  <span style='color:gray'>(Ex. 1: J = M)</span>"
    elif node.op == "add":
        title += " = I"
    return title


def gradient_title(net: Network, nid: str, loss: str) -> str:
    """Rich-text title of ``∂l/∂nid``; for a parameter, where it sits in ``∇l(Θ)``."""
    cols = net.theta_span(nid)
    if cols:
        return (
            f"∂{loss}/∂{nid}: entries {cols[0] + 1}–{cols[-1] + 1} of ∇{loss}(Θ), in {nid}'s shape"
        )
    return f"∂{loss}/∂{nid} = ∇<sub>{nid}</sub>{loss}"


def forward_line(net: Network, ev: Evaluation, nid: str, options: DisplayOptions) -> str:
    """One line of the forward pass: ``z = P × E = (2, 1, −3)``; a matrix by its size."""
    value = ev.values[nid]
    head = formula_text(net, nid)
    if value.ndim == 2:
        kind = "parameter" if net.node(nid).op == "param" else "matrix"
        return f"{head}: a {value.shape[0]} × {value.shape[1]} {kind}"
    text = number(float(value), options) if value.ndim == 0 else vector(value, options)
    return f"{head} = {text}"
