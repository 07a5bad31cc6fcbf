"""The heart of the worked solution: the chain rule, node by node.

For every op node ``y`` that depends on Θ (in topological order, the loss
excepted) :class:`SolutionBase` writes

* each local Jacobian ``∂y/∂x`` with respect to an input ``x`` that depends on Θ
  (``J_R(z_{E_0}(Θ_0))``, ``J_S(…)``, Exercise 1's ``Q_0``), with one sentence on
  why it looks as it does;
* for every parameter ``P`` upstream, the rule
  ``∂y/∂p_{i,j} = Σ_x J_{y,x} × ∂x/∂p_{i,j}`` (plus the direct term when ``P`` is
  an input of ``y``, e.g. ``∂z'/∂q_{i,j} = g_j u_i``), then every column
  ``∂y/∂p_{i,j}(Θ_0)`` laid out as the sheet does, one row of ``P`` per line.

The numbers are :meth:`Evaluation.jacobian_between` (``∂y/∂Θ``) and
:meth:`Evaluation.local_jacobian`.
"""

from __future__ import annotations

import numpy as np

from gradviz.engine.evaluate import Evaluation
from gradviz.export.document import Doc, Math, Section
from gradviz.export.mathtex import (
    LINE_BUDGET_EM,
    Formatter,
    formula,
    local_caption,
    local_symbol,
    visual_em,
)
from gradviz.export.notation import Notation
from gradviz.model.network import Network

COLUMN_GRID_LIMIT = 48
"""A parameter with more entries gets its block ``∂y/∂P`` as one matrix, not columns."""

CELLS_PER_ROW = 4

JACOBIAN_ENTRY_LIMIT = 2_000_000
"""``∂node/∂Θ`` with more entries (16 MB of float64) is not computed for the document."""

OP_WORDS = {
    "input": "input",
    "param": "parameter",
    "matmul": "matrix product",
    "add": "sum",
    "relu": "ReLU",
    "sigmoid": "sigmoid",
    "tanh": "tanh",
    "softmax": "softmax",
    "neg_log": "negative log-likelihood",
    "mse": "mean squared error",
}

Rows = list[list[tuple[str | None, str]]]


class SolutionBase:
    """State shared by the sections (network, evaluation, notation, formatter,
    the document being written) and the chain-rule section itself."""

    def __init__(self, net: Network, ev: Evaluation, lr: float, exact: bool) -> None:
        self.net, self.ev, self.lr = net, ev, lr
        self.note = Notation(net)
        self.fmt = Formatter(exact=exact)
        self.theta_jac: dict[str, np.ndarray] = {}
        title = net.title or "gradviz network"
        self.doc = Doc(
            f"Worked solution: {title}",
            "Backpropagation step by step, in exact numbers (written by gradviz).",
        )

    def d_theta(self, nid: str) -> np.ndarray:
        """``∂node/∂Θ`` as a (node.size, n) matrix (cached)."""
        if nid not in self.theta_jac:
            self.theta_jac[nid] = self.ev.jacobian_between(nid, None)
        return self.theta_jac[nid]

    def jacobian_size(self, nid: str) -> int:
        """Entries of ``∂node/∂Θ``: node size × len(Θ)."""
        return int(np.size(self.ev.values[nid])) * int(self.ev.theta.size)

    def fits(self, nid: str) -> bool:
        """Whether ``∂node/∂Θ`` is small enough to compute for the document."""
        return self.jacobian_size(nid) <= JACOBIAN_ENTRY_LIMIT

    def theta_slice(self, pid: str) -> slice:
        start = 0
        for p in self.net.param_ids:
            size = int(np.asarray(self.net.node(p).value).size)
            if p == pid:
                return slice(start, start + size)
            start += size
        raise KeyError(pid)

    def tuple_rows(self, lhs: str, lines: list[str]) -> Rows:
        rows: Rows = [[(lhs, lines[0])]]
        rows += [[(None, line)] for line in lines[1:]]
        return rows

    def partial(self, of: str, entry: str, point: bool = True) -> str:
        head = self.note.fn_point(of) if point else self.note.fn(of)
        return rf"\frac{{\partial {head}}}{{\partial {entry}}}" + (r"(\Theta_0)" if point else "")

    def chain(self) -> None:
        net, note = self.net, self.note
        if not net.param_ids:
            return
        self.doc.section("The chain rule, node by node")
        for nid in net.topological_order():
            node = net.node(nid)
            if not node.inputs or nid == net.loss or not note.depends_on_theta(nid):
                continue
            kind = OP_WORDS.get(node.op, node.op)
            title = f"Node “{nid}”: {node.label}" if node.label else f"Node “{nid}” ({kind})"
            s = self.doc.section(title, level=2)
            s.para(
                Math(note.fn(nid) + " = " + formula(net, note, nid, point=False)),
                ", with value ",
                Math(note.value(nid)),
                " computed above.",
            )
            self.local_jacobians(s, nid)
            for pid in note.param_ancestors(nid):
                self.columns(s, nid, pid)
            if nid == net.output:
                s.para(
                    "These columns, in the order of ",
                    Math(r"\Theta"),
                    ", are the columns of the Jacobian of the output.",
                )

    def local_jacobians(self, s: Section, nid: str) -> None:
        net, note, ev = self.net, self.note, self.ev
        for pos, x in enumerate(net.node(nid).inputs):
            if not note.depends_on_theta(x):
                continue
            xv = np.asarray(ev.values[x])
            sym = local_symbol(net, note, nid, pos, xv.ndim)
            caption = local_caption(net, nid, pos, xv.shape)
            if caption:
                s.para(*caption)
            s.equation(sym, self.fmt.matrix(ev.local_jacobian(nid, pos)))

    def columns(self, s: Section, nid: str, pid: str) -> None:
        net, note, fmt, ev = self.net, self.note, self.fmt, self.ev
        node = net.node(nid)
        generic = note.generic_entry(pid)
        terms = []
        for pos, x in enumerate(node.inputs):
            if x == pid:
                terms.append(self.direct_term(nid, pos, pid))
            elif pid in note.param_ancestors(x):
                xv = np.asarray(ev.values[x])
                terms.append(
                    local_symbol(net, note, nid, pos, xv.ndim)
                    + r" \times "
                    + self.partial(x, generic)
                )
        s.para("The derivatives with respect to the entries of ", Math(note.sym(pid)), ":")
        s.equation(self.partial(nid, generic), " + ".join(terms))
        if not self.fits(nid):
            s.para(f"(∂/∂Θ of this node has {self.jacobian_size(nid)} entries: too many to print.)")
            return
        block = self.d_theta(nid)[:, self.theta_slice(pid)]
        shape = np.shape(ev.values[nid])
        entries = [i for p, i in note.theta_entries() if p == pid]
        if len(entries) > COLUMN_GRID_LIMIT:
            s.para("With this many entries, the whole block at once (one column per entry):")
            s.equation(
                rf"\frac{{\partial {note.fn_point(nid)}}}{{\partial {note.sym(pid)}}}"
                r"(\Theta_0)",
                fmt.matrix(block),
            )
            return
        cells = []
        for k, index in enumerate(entries):
            column = block[:, k].reshape(shape) if shape else block[0, k]
            cells.append((index, self.partial(nid, note.entry(pid, index)), fmt.value(column)))
        widest = max(visual_em(rhs) for _, _, rhs in cells) + 5.0  # + the ∂y/∂θ on the left
        per_row = max(1, min(CELLS_PER_ROW, int(LINE_BUDGET_EM // widest)))
        rows: Rows = []
        row: list[tuple[str | None, str]] = []
        for index, lhs, rhs in cells:
            if row and (len(row) == per_row or (len(index) == 2 and index[1] == 0)):
                rows.append(row)
                row = []
            row.append((lhs, rhs))
        rows.append(row)
        s.equations(rows)

    def direct_term(self, nid: str, pos: int, pid: str) -> str:
        """``∂y/∂p_{i,j}`` when ``p`` is an input of ``y`` itself."""
        net, note, ev = self.net, self.note, self.ev
        node = net.node(nid)
        pval = np.asarray(ev.values[pid])
        if node.op == "matmul" and pos == 0 and np.ndim(ev.values[node.inputs[1]]) == 1:
            x = node.inputs[1]
            xj = (
                f"{note.entry_base(x)}_{{j}}"
                if not net.node(x).inputs
                else rf"\bigl({note.value(x)}\bigr)_{{j}}"
            )
            rows = pval.shape[0]
            if rows <= 4:
                unit = (
                    r"\begin{pmatrix} "
                    + r" \\ ".join(rf"\mathbf{{1}}_{{i={r + 1}}}" for r in range(rows))
                    + r" \end{pmatrix}"
                )
            else:
                unit = r"\mathbf{u}_{i}"
            return rf"{xj} \times {unit}"
        if node.op == "add":
            return r"\mathbf{u}_{" + ",".join("ijkl"[: pval.ndim]) + "}"
        if node.op == "matmul" and pos == 1 and pval.ndim == 1:
            return rf"\text{{column $j$ of }} {note.value(node.inputs[0])}"
        return (
            rf"\frac{{\partial {note.fn_point(nid)}}}{{\partial {note.sym(pid)}}}"
            r"\,\mathbf{u}_{" + note.generic_entry(pid) + "}"
        )
