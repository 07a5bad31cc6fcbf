"""The local Jacobian of one backward step of the walk, computed only when asked.

A backward step over the edge ``u → v`` multiplies the incoming gradient by
``∂v/∂u``, a ``(v.size, u.size)`` matrix. For a weight matrix that matrix is huge
while the product is not: in a 784-256-256-10 MLP ``∂(W₁ × E)/∂W₁`` is
256 × (256·784), 51 million entries (411 MB), for a product of 200 704 numbers. So
the walk does not keep these matrices: a step holds a :class:`LocalJacobian`,
which knows the shape and builds the dense matrix on demand, and only when it has
at most :data:`DENSE_JACOBIAN_LIMIT` entries. Its product with a gradient is
``G × J`` with the dense ``J`` when that is small (the textbook product, the same
bits as ever), and the op's vector–Jacobian product otherwise (the same numbers,
up to rounding, without the matrix; see :mod:`gradviz.engine.ops`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gradviz.engine.evaluate import Evaluation
from gradviz.engine.ops import Array

DENSE_JACOBIAN_LIMIT = 100_000
"""Local Jacobians with more entries are never built as dense matrices (800 KB of
float64). Every view of a walk names far smaller arrays by their shape (the walk
panel above 600 entries, step texts above 100, slide captions above 48), so no
shown number needs a bigger one."""


class JacobianTooLarge(ValueError):
    """Raised when asked for the dense form of a Jacobian above the limit."""


@dataclass(frozen=True)
class LocalJacobian:
    """``∂node/∂input`` (input slot ``position``) at ``evaluation``'s values, of
    shape ``(node.size, input.size)``, both sides flattened row-major."""

    evaluation: Evaluation
    node: str
    position: int
    shape: tuple[int, int]

    @property
    def size(self) -> int:
        """``node.size × input.size``: the entries of the dense matrix."""
        return self.shape[0] * self.shape[1]

    @property
    def large(self) -> bool:
        """Whether it has more than :data:`DENSE_JACOBIAN_LIMIT` entries (never built)."""
        return self.size > DENSE_JACOBIAN_LIMIT

    def dense(self) -> Array:
        """The whole matrix, computed now (not kept); :class:`JacobianTooLarge` when
        it is :attr:`large`."""
        if self.large:
            rows, cols = self.shape
            raise JacobianTooLarge(
                f"∂{self.node}/∂(input {self.position}) is {rows} × {cols}: "
                f"{self.size} entries, more than the {DENSE_JACOBIAN_LIMIT} a walk builds"
            )
        return self.evaluation.local_jacobian(self.node, self.position)

    def array(self, limit: int = DENSE_JACOBIAN_LIMIT) -> Array:
        """The dense matrix when it has at most ``limit`` entries (and never more
        than :data:`DENSE_JACOBIAN_LIMIT`), else a read-only stand-in of its shape
        that holds NaN (no numbers: they were never computed) and takes no memory.
        A view passes the size above which it names an array by its shape instead
        of showing its numbers, so a stand-in's NaN is never shown."""
        if self.size > min(limit, DENSE_JACOBIAN_LIMIT):
            return np.broadcast_to(np.float64(np.nan), self.shape)
        return self.dense()

    def block(self, rows: int, cols: int) -> Array:
        """The top-left ``rows × cols`` block (clipped to the shape), via the op's
        vector–Jacobian product of the first ``rows`` unit rows: it costs
        ``rows × input.size`` numbers, not the whole matrix."""
        rows, cols = min(rows, self.shape[0]), min(cols, self.shape[1])
        if not self.large:
            return self.dense()[:rows, :cols].copy()
        return self.vjp_rows(np.eye(rows, self.shape[0]))[:, :cols].copy()

    def vjp_rows(self, g: Array) -> Array:
        """``G × J`` by the op's VJP, never forming ``J``: ``(k, node.size)`` →
        ``(k, input.size)``."""
        program = self.evaluation.program
        node = program.nodes[program.index_of(self.node)]
        values = self.evaluation.values
        xs = [values[program.nodes[j].id] for j in node.inputs]
        y = values[self.node]
        with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
            grads = node.op.vjp(g.reshape((g.shape[0], *y.shape)), xs, y, node.attrs)
        return np.asarray(grads[self.position], dtype=np.float64).reshape(g.shape[0], -1)
