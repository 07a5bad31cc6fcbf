"""The worked solution: the derivation the sheet does by hand, for any network.

For the network at its current values, in the order of Exercise 3 Q6–Q7:

1. the network as functions of Θ with the input fixed (``z_E = P × E``, …), Θ
   and the point ``E_0``, ``P_0``, ``Θ_0``;
2. the forward pass, every node's value (``z_{E_0}(Θ_0) = P_0 × E_0 = (2, 1, −3)ᵀ``);
3. node by node in topological order: each local Jacobian (``J_R(z_{E_0}(Θ_0))``,
   ``J_S``, Exercise 1's ``Q_0``) and the columns ``∂y/∂θ`` for every parameter
   upstream, with the chain rule that produces them
   (``∂g_E/∂p_{i,j} = J_R × ∂z_E/∂p_{i,j}``, ``∂z'_E/∂p_{i,j} = Q_0 × ∂g_E/∂p_{i,j}``;
   a parameter entering directly gives ``∂z'_E/∂q_{i,j} = g_j u_i``);
4. the assembled ``J_{f_E}(Θ_0)``;
5. ``∇l(Θ_0)`` through the loss (for ``−ln f[k]``: ``−1/f[k] · ∇f[k]``);
6. one gradient step ``Θ_1 = Θ_0 − η ∇l(Θ_0)`` and the loss there.

Every column comes from :meth:`Evaluation.jacobian_between` (``∂node/∂Θ``) and
every local Jacobian from :meth:`Evaluation.local_jacobian`; every number is
formatted exactly (``\\frac{3}{4}``). :func:`solution_latex` and
:func:`solution_markdown` render the same :class:`~gradviz.export.document.Doc`.
"""

from __future__ import annotations

import numpy as np

from gradviz.engine.evaluate import Evaluation
from gradviz.export.document import Doc, Math, render_latex, render_markdown
from gradviz.export.mathtex import formula, shown_indices
from gradviz.export.solution_chain import OP_WORDS, Rows, SolutionBase
from gradviz.model.network import Network

__all__ = ["solution_doc", "solution_latex", "solution_markdown"]


class _Builder(SolutionBase):
    """The sections around the chain rule: network, forward pass, Jacobian,
    gradient, one step."""

    def network(self) -> None:
        net, note, fmt = self.net, self.note, self.fmt
        s = self.doc.section("The network")
        s.para(
            "Node by node, as functions of ",
            Math(r"\Theta"),
            " with the input fixed (the notation of the sheet):",
        )
        s.equations(
            [
                [(note.fn(nid), formula(net, note, nid, point=False))]
                for nid in net.topological_order()
                if net.node(nid).inputs
            ]
        )
        parts: list[str] = ["The nodes, with their labels on the canvas: "]
        for k, node in enumerate(net.nodes):
            shape = " × ".join(str(d) for d in np.shape(self.ev.values[node.id])) or "scalar"
            parts += [
                Math(note.sym(node.id)),
                f" is node “{node.id}”, "
                f"{OP_WORDS.get(node.op, node.op)} labelled “{node.display_label}” "
                f"({shape})",
                ";  " if k < len(net.nodes) - 1 else ".",
            ]
        s.para(*parts)
        if net.output is not None:
            tail = [", the loss is ", Math(note.sym(net.loss))] if net.loss is not None else []
            s.para("The output is ", Math(note.fn(net.output)), *tail, ".")
        all_entries = note.theta_entries()
        entries = [
            r"\ldots" if k is None else note.entry(*all_entries[k])
            for k in shown_indices(len(all_entries))
        ]
        if not entries:
            s.para("The network has no parameter: ", Math(r"\Theta"), " is empty.")
            return
        s.para("The parameters, gathered row by row into one vector:")
        s.equations(self.tuple_rows(r"\Theta", fmt.tuple_lines(entries)))
        s.para("The point where everything is computed:")
        rows: Rows = [
            [(note.at(n.id, 0), fmt.value(self.ev.values[n.id]))] for n in net.nodes if not n.inputs
        ]
        rows += self.tuple_rows(r"\Theta_0", fmt.number_tuple(self.ev.theta))
        s.equations(rows)
        target = [n for n in net.nodes if n.op == "mse"]
        for n in target:
            s.para(
                "The target of ",
                Math(note.sym(n.id)),
                " is ",
                Math("t = " + fmt.value(np.asarray(n.attrs["target"]))),
                ".",
            )

    def forward(self) -> None:
        net, note, fmt, ev = self.net, self.note, self.fmt, self.ev
        s = self.doc.section("Forward pass")
        s.para("Substituting the values in the definitions, node by node:")
        rows: Rows = []
        for nid in net.topological_order():
            if net.node(nid).inputs:
                rows.append(
                    [
                        (
                            note.value(nid),
                            formula(net, note, nid, point=True) + " = " + fmt.value(ev.values[nid]),
                        )
                    ]
                )
        s.equations(rows)
        for nid, idx in ev.nondifferentiable:
            src = ev.inputs_of(nid)[0]
            where = ",".join(str(i + 1) for i in idx)
            s.para(
                "Note: entry ",
                Math(where),
                " of ",
                Math(note.value(src)),
                " is exactly 0, where the ReLU is not differentiable; "
                "the derivative is taken as 0 there.",
            )

    def jacobian(self) -> None:
        net, note, fmt, ev = self.net, self.note, self.fmt, self.ev
        if net.output is None or ev.jacobian is None or not net.param_ids:
            return
        s = self.doc.section("The Jacobian of the output")
        name = rf"J_{{{note.fn_point(net.output)}}}(\Theta_0)"
        s.para(
            "All the columns ",
            Math(self.partial(net.output, r"\theta")),
            " put together in the order of ",
            Math(r"\Theta"),
            " give ",
            Math(name),
            f" ({ev.jacobian.shape[0]} × {ev.jacobian.shape[1]}); its row k is the "
            "gradient of the output's entry k.",
        )
        blocks = fmt.matrix_blocks(ev.jacobian)
        if len(blocks) == 1:
            s.equation(name, blocks[0][2])
        else:
            for first, last, tex in blocks:
                s.para(f"Columns {first} to {last}:")
                s.equation(name + rf"_{{[\,\cdot\,,\ {first}..{last}]}}", tex)

    def gradient(self) -> None:
        net, note, fmt, ev = self.net, self.note, self.fmt, self.ev
        if net.loss is None or ev.gradient is None or ev.loss is None:
            return
        s = self.doc.section("The loss and its gradient")
        lid = net.loss
        x = net.node(lid).inputs[0]
        loss_sym = note.sym(lid)
        s.equation(rf"{loss_sym}(\Theta)", formula(net, note, lid, point=False))
        s.equation(
            rf"{loss_sym}(\Theta_0)", formula(net, note, lid, point=True) + " = " + fmt.num(ev.loss)
        )
        grad_lines = fmt.number_tuple(ev.gradient)
        if not net.param_ids:
            s.para("There is no parameter, so the gradient is empty.")
            return
        local = np.asarray(ev.local_jacobian(lid, 0)).reshape(-1)
        lhs = rf"\nabla {loss_sym}(\Theta_0)"
        jname = rf"J_{{{note.fn_point(x)}}}(\Theta_0)"
        if not self.fits(x):
            too_large = f" (too large to print here: {self.jacobian_size(x)} entries):"
            s.para(*self.row_times_jacobian(loss_sym, x, jname), too_large)
            s.equations(self.tuple_rows(lhs, grad_lines))
            return
        jx = self.d_theta(x)
        if net.node(lid).op == "neg_log":
            k = int(net.node(lid).attrs["index"])
            fk = rf"{note.fn_point(x)}[{k + 1}]"
            s.para(
                "By the chain rule, ",
                Math(
                    rf"\nabla {loss_sym}(\Theta) = -\frac{{1}}"
                    rf"{{{fk}(\Theta)}} \nabla {fk}(\Theta)"
                ),
                ", and ",
                Math(rf"\nabla {fk}"),
                f" is row {k + 1} of ",
                Math(jname),
                ". Here ",
                Math(rf"{fk}(\Theta_0) = {fmt.num(ev.values[x].reshape(-1)[k])}"),
                ":",
            )
            rows = self.tuple_rows(
                lhs,
                [fmt.num(local[k]) + r" \times " + fmt.number_tuple(jx[k])[0]]
                + fmt.number_tuple(jx[k])[1:],
            )
        else:
            s.para(*self.row_times_jacobian(loss_sym, x, jname), ":")
            if x != net.output:
                s.equation(jname, fmt.matrix(jx))
            rows = self.tuple_rows(lhs, [fmt.tuple_inline(local) + r" \times " + jname])
        rows.append([("", grad_lines[0])])
        rows += [[(None, line)] for line in grad_lines[1:]]
        s.equations(rows)

    def row_times_jacobian(self, loss_sym: str, x: str, jname: str) -> list[str]:
        """The start of the sentence "By the chain rule, the row vector ∂l/∂x times J"."""
        d = rf"\frac{{\partial {loss_sym}}}{{\partial {self.note.fn_point(x)}}}"
        return ["By the chain rule, the row vector ", Math(d), " times ", Math(jname)]

    def step(self) -> None:
        net, note, fmt, ev = self.net, self.note, self.fmt, self.ev
        if net.loss is None or ev.gradient is None or not net.param_ids:
            return
        s = self.doc.section("One step of gradient descent")
        eta = fmt.num(self.lr)
        theta1 = ev.theta - self.lr * ev.gradient
        s.para("With learning rate ", Math(rf"\eta = {eta}"), ":")
        s.equation(r"\Theta_1", r"\Theta_0 - \eta \, \nabla " + note.sym(net.loss) + r"(\Theta_0)")
        rows = self.tuple_rows(r"\Theta_1", fmt.number_tuple(theta1))
        after = net.copy()
        after.set_theta(theta1)
        ev1 = after.evaluate()
        rows += [[(note.at(p, 1), fmt.value(ev1.values[p]))] for p in net.param_ids]
        s.equations(rows)
        if ev1.loss is not None:
            s.para("and the loss at the new point:")
            s.equation(rf"{note.sym(net.loss)}(\Theta_1)", fmt.num(ev1.loss))

    def build(self) -> Doc:
        for part in (
            self.network,
            self.forward,
            self.chain,
            self.jacobian,
            self.gradient,
            self.step,
        ):
            part()
        self.doc.max_matrix_cols = self.fmt.max_cols
        return self.doc


def solution_doc(
    net: Network, ev: Evaluation | None = None, *, lr: float = 1.0, exact: bool = True
) -> Doc:
    """The derivation as a :class:`Doc` (``ev`` defaults to ``net.evaluate()``)."""
    return _Builder(net, ev if ev is not None else net.evaluate(), lr, exact).build()


def solution_latex(
    net: Network, ev: Evaluation | None = None, *, lr: float = 1.0, exact: bool = True
) -> str:
    """The worked solution as a standalone LaTeX article (pdflatex, amsmath)."""
    return render_latex(solution_doc(net, ev, lr=lr, exact=exact))


def solution_markdown(
    net: Network, ev: Evaluation | None = None, *, lr: float = 1.0, exact: bool = True
) -> str:
    """The worked solution as Markdown with ``$…$`` and ``$$…$$`` math."""
    return render_markdown(solution_doc(net, ev, lr=lr, exact=exact))
