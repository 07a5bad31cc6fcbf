"""The numbers behind the inspector that the evaluation does not hand over
ready-made: finite-difference estimates, the chain-rule product along one path,
ReLU-kink notes. No widgets here.

The finite differences are central differences
(:func:`gradviz.engine.check.numeric_jacobian`), so a teacher can see that the
analytic matrix is not magic: ``(y(x + h e_j) − y(x − h e_j)) / 2h`` gives the
same column ``j`` to about 1e-10. Each column costs a few forward runs, so they
are only estimated for up to :data:`FD_MAX_COLUMNS` columns.

Huge values (a weight of 1e308) overflow to ``inf`` and ``NaN``; these are shown
as they are, without floating-point warnings.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from gradviz.engine.check import compare, local_forward, numeric_jacobian
from gradviz.engine.evaluate import Evaluation, Program, ProgramNode, forward
from gradviz.engine.ops import OPS, Array
from gradviz.model.network import Network
from gradviz.qt.theme import DisplayOptions

if TYPE_CHECKING:
    import networkx as nx  # imported where used: networkx stays off the start-up path

#: Finite differences are estimated for a Jacobian of at most this many columns.
FD_MAX_COLUMNS = 64
#: A local Jacobian with more entries than this is described, not computed (a
#: 256 × 784 weight's ∂z/∂W would be 256 × 200 704: 400 MB of mostly zeros).
DENSE_MAX_ENTRIES = 1_000_000


def fd_skipped(columns: int) -> str:
    """Why a Jacobian with ``columns`` columns has no finite-difference estimate."""
    return (
        f"central differences not estimated: {columns:,} columns (the inspector "
        f"estimates at most {FD_MAX_COLUMNS}; gradviz check runs them all)"
    )


def numeric_local_jacobian(ev: Evaluation, node_id: str, position: int) -> Array:
    """Central differences of ``node`` as a function of its input ``position``
    (the other inputs held fixed): ``(node.size, input.size)``, as ``gradviz check``
    takes them."""
    program = ev.program
    node = program.nodes[program.index_of(node_id)]
    xs = [ev.values[program.nodes[j].id] for j in node.inputs]
    with np.errstate(all="ignore"):
        return numeric_jacobian(local_forward(node, xs, position), xs[position])


def numeric_downstream_jacobian(ev: Evaluation, of: str, wrt: str) -> Array:
    """Central differences of node ``of`` as a function of node ``wrt``'s value,
    everything else held fixed: ``(of.size, wrt.size)``. ``wrt`` is replaced by a
    constant and the program re-run forward from there."""
    program = ev.program
    i, t = program.index_of(wrt), program.index_of(of)
    base = list(program.nodes)

    def fn(x: Array) -> Array:
        nodes = list(base)
        nodes[i] = ProgramNode(wrt, OPS["input"], (), {"value": x})
        return forward(Program(tuple(nodes), program.output, program.loss))[t]

    with np.errstate(all="ignore"):
        return numeric_jacobian(fn, ev.values[wrt])


def agreement(analytic: Array, numeric: Array) -> tuple[float, bool]:
    """``max |analytic − numeric|`` and whether every entry is within
    ``ATOL + RTOL·|numeric|``: ``gradviz check``'s verdict (:func:`compare`; an
    ``inf`` or ``NaN`` entry never agrees)."""
    numeric = np.asarray(numeric, dtype=np.float64)
    a = np.asarray(analytic, dtype=np.float64).reshape(numeric.shape)
    row = compare("", a, numeric)
    return row.max_error, row.ok


def local_between(net: Network, ev: Evaluation, of: str, wrt: str) -> Array:
    """``∂of/∂wrt`` along one edge (summed when ``wrt`` feeds ``of`` more than once):
    ``(of.size, wrt.size)``."""
    node = net.node(of)
    with np.errstate(over="ignore", invalid="ignore"):  # inf · 0 = NaN, shown as such
        mats = [ev.local_jacobian(of, pos) for pos, s in enumerate(node.inputs) if s == wrt]
        return np.asarray(sum(mats[1:], mats[0]), dtype=np.float64)


def too_big(ev: Evaluation, of: str, wrt: str) -> str:
    """``""``, or a sentence saying ``∂of/∂wrt`` is too big to compute and list."""
    rows, cols = ev.values[of].size, ev.values[wrt].size
    if rows * cols <= DENSE_MAX_ENTRIES:
        return ""
    return (
        f"∂{of}/∂{wrt} is a {rows} × {cols:,} matrix ({rows * cols:,} entries, mostly "
        "zeros): too big to list."
    )


def chain_product(ev: Evaluation, path: Sequence[str]) -> Array:
    """``∂path[-1]/∂path[0]`` along this one path: ``J_k ⋯ J_2 J_1`` with
    ``J_k = ∂path[k]/∂path[k−1]``, shape ``(path[-1].size, path[0].size)``.

    Multiplied from the output end by vector-Jacobian products, one row per
    output entry, so no local Jacobian is ever built (a weight's ``∂z/∂W`` is
    huge); ``inf``·0 gives ``NaN`` without a warning."""
    program, values = ev.program, ev.values
    out = values[path[-1]]
    rows = np.eye(out.size).reshape((out.size, *out.shape))  # (m, *out.shape)
    with np.errstate(all="ignore"):
        for k in range(len(path) - 1, 0, -1):
            node = program.nodes[program.index_of(path[k])]
            xs = [values[program.nodes[j].id] for j in node.inputs]
            grads = node.op.vjp(rows, xs, values[path[k]], node.attrs)
            wrt = program.index_of(path[k - 1])
            parts = [g for j, g in zip(node.inputs, grads, strict=True) if j == wrt]
            rows = sum(parts[1:], parts[0])
    return np.asarray(rows, dtype=np.float64).reshape(out.size, values[path[0]].size)


def kink_cells(
    ev: Evaluation, nid: str, options: DisplayOptions
) -> tuple[dict[tuple[int, int], str], str]:
    """Cells of ``∂nid/∂input`` taken at a ReLU kink (input exactly 0) with their
    notes, and one rich-text note about them all ("" when there is none)."""
    cells: dict[tuple[int, int], str] = {}
    notes = []
    for kid, idx in ev.nondifferentiable:
        if kid != nid:
            continue
        src = ev.inputs_of(nid)[0]
        shape = ev.values[src].shape
        k = int(np.ravel_multi_index(idx, shape)) if shape else 0
        where = f"{src}[{','.join(str(i + 1) for i in idx)}]"
        cells[(k, k)] = (
            f"{where} = 0: {nid} is not differentiable there; gradviz takes "
            "the derivative as 0 (as PyTorch and JAX do)."
        )
        notes.append(where)
    if not notes:
        return cells, ""
    return cells, (
        f"<span style='color:{options.palette.warning}'>⚠ {', '.join(notes)} = 0: "
        "not differentiable there (a ReLU kink); the marked entr"
        + ("y is" if len(notes) == 1 else "ies are")
        + " taken as 0.</span>"
    )


def downstream_kink_note(
    ev: Evaluation, graph: nx.DiGraph, nid: str, options: DisplayOptions
) -> str:
    """A note when a derivative w.r.t. ``nid`` passes a ReLU kink further on."""
    import networkx as nx

    after = nx.descendants(graph, nid) if nid in graph else set()
    kinks = sorted({k for k, _ in ev.nondifferentiable if k in after})
    if not kinks:
        return ""
    return (
        f"<span style='color:{options.palette.warning}'>⚠ The path passes a ReLU kink "
        f"at {', '.join(kinks)}: its derivative there is taken as 0.</span>"
    )
