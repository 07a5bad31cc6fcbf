"""The operations a gradviz network is made of, each with its forward map, its
local Jacobian and its vector-Jacobian product (VJP).

Shapes and conventions (float64 throughout):

* An op maps inputs ``x_1, …, x_k`` (numpy arrays) to one output ``y``.
* ``local_jacobian(xs, y, attrs, i)`` is the explicit matrix ``∂y/∂x_i`` of shape
  ``(y.size, x_i.size)``, both sides flattened row-major: the sheet's ``J_z = M``
  (Ex. 1), ``J_R = diag(1_{x>0})`` (Ex. 2), ``J_S = diag(S) − S Sᵀ`` (Q6).
* ``vjp(G, xs, y, attrs)`` takes a *batch* of cotangents ``G`` of shape
  ``(k, *y.shape)`` and returns, for every input, ``G · ∂y/∂x_i`` of shape
  ``(k, *x_i.shape)``. Batching lets one reverse sweep compute a whole Jacobian
  (one row per output entry) and the loss gradient together.

Ops register themselves by name in :data:`OPS`; the file format's ``"op"`` key
looks them up there.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]
Shape = tuple[int, ...]
Attrs = Mapping[str, Any]


class ShapeError(ValueError):
    """Raised when an op's inputs or attributes do not fit; the message is one
    sentence fragment such as ``matmul of (3, 2) by (3,) does not fit``."""


def shape_text(shape: Shape) -> str:
    """A shape as Python writes it: ``(3,)``, ``(2, 3)``."""
    return "(" + ", ".join(str(n) for n in shape) + ("," if len(shape) == 1 else "") + ")"


class Op(ABC):
    """Base class: one differentiable operation. Subclasses set ``name``,
    ``arity`` and ``formula`` and override the maths."""

    name: ClassVar[str] = ""
    arity: ClassVar[int] = 1
    #: The sheet-style formula, ``{y}`` the node, ``{0}``, ``{1}`` its inputs.
    formula: ClassVar[str] = "{y} = ?({0})"
    #: Attribute names this op takes (besides ``inputs``).
    attributes: ClassVar[tuple[str, ...]] = ()
    #: Whether the output is a scalar (a loss).
    scalar_output: ClassVar[bool] = False

    def infer_shape(self, shapes: Sequence[Shape], attrs: Attrs) -> Shape:
        """Output shape for these input shapes, or :class:`ShapeError`."""
        return shapes[0]

    @abstractmethod
    def forward(self, xs: Sequence[Array], attrs: Attrs) -> Array:
        """The output ``y`` for inputs ``xs``."""

    @abstractmethod
    def vjp(self, g: Array, xs: Sequence[Array], y: Array, attrs: Attrs) -> list[Array]:
        """Batched ``G·∂y/∂x_i`` for every input: ``g`` is ``(k, *y.shape)``."""

    def local_jacobian(self, xs: Sequence[Array], y: Array, attrs: Attrs, i: int) -> Array:
        """``∂y/∂x_i`` as a ``(y.size, x_i.size)`` matrix. The default feeds the
        identity through the VJP, one row per output entry."""
        seeds = np.eye(y.size).reshape((y.size, *y.shape))
        return self.vjp(seeds, xs, y, attrs)[i].reshape(y.size, xs[i].size)

    def nondifferentiable(self, xs: Sequence[Array], attrs: Attrs) -> list[tuple[int, ...]]:
        """Indices into the (first) input where the op is not differentiable."""
        return []


class Leaf(Op):
    """``input`` and ``param``: a node that holds a value and computes nothing."""

    arity = 0
    attributes = ("value",)

    def forward(self, xs: Sequence[Array], attrs: Attrs) -> Array:
        return np.asarray(attrs["value"], dtype=np.float64)

    def vjp(self, g: Array, xs: Sequence[Array], y: Array, attrs: Attrs) -> list[Array]:
        return []


class Input(Leaf):
    """The network's input ``E``: held fixed, not part of Θ."""

    name = "input"
    formula = "{y}"


class Param(Leaf):
    """A weight matrix or vector: its entries, row-major, are part of Θ."""

    name = "param"
    formula = "{y}"


class MatMul(Op):
    """``y = A × x`` with ``A`` of shape (a, b) and ``x`` of shape (b,) or (b, c).

    Ex. 1 of the sheet: for a vector ``x``, ``∂y/∂x = A``; and
    ``∂y_r/∂A_{s,t} = 1_{r=s} x_t`` (Q2, Q5: ``∂z/∂p_{ij} = e_j · 1_{i=·}``).
    """

    name = "matmul"
    arity = 2
    formula = "{y} = {0} × {1}"

    def infer_shape(self, shapes: Sequence[Shape], attrs: Attrs) -> Shape:
        a, b = shapes
        if len(a) == 2 and len(b) in (1, 2) and a[1] == b[0]:
            return (a[0],) + tuple(b[1:])
        raise ShapeError(f"matmul of {shape_text(a)} by {shape_text(b)} does not fit")

    def forward(self, xs: Sequence[Array], attrs: Attrs) -> Array:
        return xs[0] @ xs[1]

    def vjp(
        self, g: Array, xs: Sequence[Array], y: Array, attrs: Attrs, out: Array | None = None
    ) -> list[Array]:
        """``out`` (optional, shape ``(k, *A.shape)``) receives ``∂/∂A`` in place:
        the evaluator points it into the Jacobian it assembles, saving a copy."""
        a, x = xs
        if x.ndim == 1:  # g: (k, a) -> dA (k, a, b) = G ⊗ x, dx (k, b) = G A
            return [np.multiply(g[:, :, None], x[None, None, :], out=out), g @ a]
        # g: (k, a, c) -> dA = G Bᵀ (k, a, b), dB = Aᵀ G (k, b, c)
        return [np.matmul(g, x.T, out=out), np.matmul(a.T, g)]

    def local_jacobian(self, xs: Sequence[Array], y: Array, attrs: Attrs, i: int) -> Array:
        a, x = xs
        if x.ndim == 1:
            if i == 1:
                return a.copy()  # Ex. 1: J_z = M
            # ∂y_r/∂A_{s,t} = 1_{r=s} x_t: row r holds xᵀ in block r, shape (a, a·b)
            return np.asarray(np.kron(np.eye(a.shape[0]), x[None, :]), dtype=np.float64)
        return super().local_jacobian(xs, y, attrs, i)


class Add(Op):
    """``y = x_1 + x_2`` for inputs of the same shape (a bias): both Jacobians are I."""

    name = "add"
    arity = 2
    formula = "{y} = {0} + {1}"

    def infer_shape(self, shapes: Sequence[Shape], attrs: Attrs) -> Shape:
        if shapes[0] != shapes[1]:
            raise ShapeError(
                f"add of {shape_text(shapes[0])} and {shape_text(shapes[1])} needs equal shapes"
            )
        return shapes[0]

    def forward(self, xs: Sequence[Array], attrs: Attrs) -> Array:
        return xs[0] + xs[1]

    def vjp(self, g: Array, xs: Sequence[Array], y: Array, attrs: Attrs) -> list[Array]:
        return [g, g]

    def local_jacobian(self, xs: Sequence[Array], y: Array, attrs: Attrs, i: int) -> Array:
        return np.eye(y.size)


class Elementwise(Op):
    """An elementwise activation: its Jacobian is ``diag(σ'(x))``."""

    @abstractmethod
    def derivative(self, x: Array, y: Array) -> Array:
        """``σ'(x)`` entry by entry (``y = σ(x)`` is given to save work)."""

    def vjp(self, g: Array, xs: Sequence[Array], y: Array, attrs: Attrs) -> list[Array]:
        return [g * self.derivative(xs[0], y)[None, ...]]

    def local_jacobian(self, xs: Sequence[Array], y: Array, attrs: Attrs, i: int) -> Array:
        return np.diag(self.derivative(xs[0], y).ravel())


class ReLU(Elementwise):
    """``R(x) = x · 1_{x>0}``; Ex. 2: ``J_R = diag(1_{x>0})``. At ``x = 0`` the
    derivative is taken as 0 (PyTorch's and JAX's choice) and the point is reported
    by :meth:`nondifferentiable`."""

    name = "relu"
    formula = "{y} = R({0})"

    def forward(self, xs: Sequence[Array], attrs: Attrs) -> Array:
        # max(x, 0) keeps a NaN visible (np.where would hide it as 0); + 0.0 turns −0 into 0
        out: Array = np.maximum(xs[0], 0.0) + 0.0
        return out

    def vjp(self, g: Array, xs: Sequence[Array], y: Array, attrs: Attrs) -> list[Array]:
        return [g * (xs[0] > 0)]  # one multiply by the boolean mask, no float copy

    def derivative(self, x: Array, y: Array) -> Array:
        return (x > 0).astype(np.float64)

    def nondifferentiable(self, xs: Sequence[Array], attrs: Attrs) -> list[tuple[int, ...]]:
        return [tuple(int(i) for i in idx) for idx in np.argwhere(xs[0] == 0)]


class Sigmoid(Elementwise):
    """``σ(x) = 1 / (1 + e^{−x})``, computed without overflow for large ``|x|``;
    ``σ'(x) = σ(x)(1 − σ(x))``."""

    name = "sigmoid"
    formula = "{y} = σ({0})"

    def forward(self, xs: Sequence[Array], attrs: Attrs) -> Array:
        x = xs[0]
        e = np.exp(-np.abs(x))  # never overflows
        return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))

    def derivative(self, x: Array, y: Array) -> Array:
        return y * (1.0 - y)


class Tanh(Elementwise):
    """``tanh(x)``; ``tanh'(x) = 1 − tanh(x)²``."""

    name = "tanh"
    formula = "{y} = tanh({0})"

    def forward(self, xs: Sequence[Array], attrs: Attrs) -> Array:
        return np.tanh(xs[0])

    def derivative(self, x: Array, y: Array) -> Array:
        return 1.0 - y * y


def softmax(z: Array) -> Array:
    """``S(z)_i = e^{z_i} / Σ_j e^{z_j}``, the max subtracted first so it never overflows."""
    if z.size <= 32 and z.ndim == 1:  # plain floats: cheaper than four numpy calls
        zs = z.tolist()
        m = max(zs)
        es = [math.exp(v - m) for v in zs]
        total = math.fsum(es)
        return np.array([v / total for v in es])
    e = np.exp(z - z.max())
    out: Array = e / e.sum()
    return out


def log_sum_exp(z: Array) -> float:
    """``ln Σ_j e^{z_j}``, exact for logits of any size (the max is factored out)."""
    m = float(np.max(z))
    return m + float(np.log(np.sum(np.exp(z - m))))


class Softmax(Op):
    """The softmax normaliser of a vector: ``J_S = diag(S) − S Sᵀ`` (the sheet's Q6,
    ``S_1(1−S_1)`` on the diagonal, ``−S_1 S_2`` off it)."""

    name = "softmax"
    formula = "{y} = S({0})"

    def infer_shape(self, shapes: Sequence[Shape], attrs: Attrs) -> Shape:
        if len(shapes[0]) != 1:
            raise ShapeError(f"softmax takes a vector, not shape {shape_text(shapes[0])}")
        return shapes[0]

    def forward(self, xs: Sequence[Array], attrs: Attrs) -> Array:
        return softmax(xs[0])

    def vjp(self, g: Array, xs: Sequence[Array], y: Array, attrs: Attrs) -> list[Array]:
        return [(g - (g @ y)[:, None]) * y[None, :]]

    def local_jacobian(self, xs: Sequence[Array], y: Array, attrs: Attrs, i: int) -> Array:
        return np.diag(y) - np.outer(y, y)


class NegLog(Op):
    """``l = −ln x[index]`` (``index`` 0-based; the sheet's ``−ln f[1]`` is index 0).
    ``∂l/∂x_j = −1_{j=index} / x_index``.

    Directly after a softmax the evaluator computes it as a log-softmax
    (:meth:`from_logits`) so that it stays exact when the probability underflows.
    """

    name = "neg_log"
    formula = "{y} = −ln {0}[{index}]"
    attributes = ("index",)
    scalar_output = True

    def infer_shape(self, shapes: Sequence[Shape], attrs: Attrs) -> Shape:
        if len(shapes[0]) != 1:
            raise ShapeError(f"neg_log takes a vector, not shape {shape_text(shapes[0])}")
        index = attrs.get("index")
        if not isinstance(index, int) or isinstance(index, bool):
            raise ShapeError("neg_log needs an integer 'index'")
        if not 0 <= index < shapes[0][0]:
            raise ShapeError(
                f"index {index} is out of range for a vector of {shapes[0][0]} entries "
                f"(0 to {shapes[0][0] - 1})"
            )
        return ()

    def forward(self, xs: Sequence[Array], attrs: Attrs) -> Array:
        with np.errstate(divide="ignore"):
            return np.asarray(-np.log(xs[0][attrs["index"]]), dtype=np.float64)

    def vjp(self, g: Array, xs: Sequence[Array], y: Array, attrs: Attrs) -> list[Array]:
        x = xs[0]
        index = attrs["index"]
        out = np.zeros((g.shape[0], x.size))
        # −g / x_i, with a zero cotangent giving 0 even when x_i underflowed to 0
        with np.errstate(divide="ignore", invalid="ignore"):
            out[:, index] = np.where(g == 0.0, 0.0, -g / x[index])
        return [out]

    @staticmethod
    def from_logits(z: Array, index: int) -> float:
        """``−ln S(z)[index] = ln Σ e^{z_j} − z_index`` (log-softmax), summed as
        ``(max z − z_index) + ln Σ e^{z_j − max z}`` so that equal logits give
        exactly ``ln n`` (the sheet's ``ln 2``) with no rounding from ``m − m``."""
        if z.size <= 32:  # plain floats: a few numpy calls cost more than the maths
            zs = z.tolist()
            m = max(zs)
            total = math.fsum(math.exp(v - m) for v in zs)
            return float((m - zs[index]) + math.log(total))
        m = float(np.max(z))
        return (m - float(z[index])) + float(np.log(np.sum(np.exp(z - m))))

    @staticmethod
    def vjp_logits(g: Array, s: Array, index: int) -> Array:
        """Gradient through softmax and −ln at once: ``∂l/∂z = S(z) − e_index``."""
        d = s.copy()
        d[index] -= 1.0
        return g[:, None] * d[None, :]


class MSE(Op):
    """``l = mean((x − t)²)`` over all entries, ``t`` the attribute ``target``;
    ``∂l/∂x = 2 (x − t) / n``."""

    name = "mse"
    formula = "{y} = mean(({0} − t)²)"
    attributes = ("target",)
    scalar_output = True

    def infer_shape(self, shapes: Sequence[Shape], attrs: Attrs) -> Shape:
        target = np.asarray(attrs.get("target"), dtype=np.float64)
        if target.shape != shapes[0]:
            raise ShapeError(
                f"target of shape {shape_text(target.shape)} does not match "
                f"the input's shape {shape_text(shapes[0])}"
            )
        return ()

    def forward(self, xs: Sequence[Array], attrs: Attrs) -> Array:
        d = xs[0] - np.asarray(attrs["target"], dtype=np.float64)
        return np.asarray(np.mean(d * d))

    def vjp(self, g: Array, xs: Sequence[Array], y: Array, attrs: Attrs) -> list[Array]:
        x = xs[0]
        d = (x - np.asarray(attrs["target"], dtype=np.float64)) * (2.0 / x.size)
        return [g.reshape((g.shape[0],) + (1,) * x.ndim) * d[None, ...]]


OPS: dict[str, Op] = {
    op.name: op
    for op in (
        Input(),
        Param(),
        MatMul(),
        Add(),
        ReLU(),
        Sigmoid(),
        Tanh(),
        Softmax(),
        NegLog(),
        MSE(),
    )
}
"""Every op by its file-format name."""

ACTIVATIONS = ("relu", "sigmoid", "tanh")
