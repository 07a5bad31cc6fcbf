"""The backprop walk: the forward pass node by node, then the backward pass edge
by edge, as a list of steps a lecture can go through one key press at a time.

Forward: one step per computed (non-leaf) node, in the program's topological
order: ``z = P × E = [3, 1; 1, 0; -1, 2] × (1, -1) = (2, 1, -3)``. The leaves'
values (inputs and parameters) are known from the start (:func:`known_at_start`).

Backward: one step per edge ``u → v`` (``u`` the ``position``-th input of ``v``) that
carries gradient, consumers ``v`` in reverse topological order and, for each, its
inputs in order. An edge carries gradient when ``v`` lies on a path to the seed (the
loss ``l``, or, for a network without a loss, the output ``f``) and ``u`` depends on
Θ (a parameter, or computed from one): the walk ends at the parameters' gradients
and skips the network input ``E``. The step does the one multiplication

    ∂l/∂u = ∂l/∂v × ∂v/∂u        e.g.  ∂l/∂z = ∂l/∂g × J_R(z),

a row vector (``v.size``) times the local Jacobian (``v.size × u.size``). When ``u``
feeds several nodes its contributions are added (``+=``), and its gradient is
complete after the last of them. Because every consumer of ``v`` comes after ``v`` in
topological order, ``∂l/∂v`` is always complete when its edges are walked. (Where a
probability before ``−ln`` underflows to 0 this textbook chain meets ``∞ × 0`` and
shows NaN; the engine's fused log-softmax in ``node_gradients`` stays finite.)

The cost follows what is shown: a step keeps its vectors but not its local
Jacobian, which it computes when asked, and one of more than
:data:`~gradviz.engine.walk_jacobian.DENSE_JACOBIAN_LIMIT` entries (``∂(W×h)/∂W`` of
a wide layer) is never built: the product comes from the op's VJP instead.

Each step carries what is known after it (``known_values``, ``known_gradients``
the nodes whose gradient is complete, ``known_edges`` the edges walked), so a view
can hide the rest. The steps are deterministic: forward steps follow
``program.nodes``; backward steps follow it reversed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from gradviz.engine.evaluate import Evaluation, Program, ProgramNode
from gradviz.engine.exact import format_scalar, latex_scalar
from gradviz.engine.ops import Array
from gradviz.engine.walk_format import OP_SYMBOL, TEX_SYMBOL, Fmt, tex_id
from gradviz.engine.walk_jacobian import LocalJacobian

FORWARD = "forward"
BACKWARD = "backward"

Edge = tuple[str, str, int]
"""A tensor edge ``(input id, consumer id, input position)``."""

__all__ = [
    "BACKWARD",
    "FORWARD",
    "OP_SYMBOL",
    "Edge",
    "WalkStep",
    "final_gradients",
    "known_at_start",
    "walk_steps",
]


@dataclass(frozen=True)
class WalkStep:
    """One step of the walk.

    Forward (``phase == "forward"``): ``node`` is computed from ``inputs``; ``value``
    is its value. Backward: gradient flows over the edge ``source → node`` (input
    slot ``position``): ``incoming`` is ``∂l/∂node`` (in ``node``'s shape),
    ``jacobian`` is ``∂node/∂source`` (``(node.size, source.size)``), computed only
    when asked, as :attr:`local_jacobian` (the walk never builds a big one: see
    :mod:`gradviz.engine.walk_jacobian`), ``product`` is their product, this edge's
    share of ``∂l/∂source`` (in ``source``'s shape), ``gradient_so_far`` the sum of
    the shares walked so far, and ``complete`` says every share is in. Walking the
    Jacobian of the output ``f`` instead of a loss, ``incoming`` is ``(m, node.size)``
    and ``product`` and ``gradient_so_far`` are ``(m, source.size)``, as in
    ``Evaluation.output_jacobians``. ``formula`` is symbolic, ``text`` adds the
    numbers, ``latex`` is both in LaTeX.
    """

    index: int
    phase: str
    node: str
    inputs: tuple[str, ...]
    formula: str
    text: str
    latex: str
    known_values: frozenset[str]
    known_gradients: frozenset[str] = frozenset()
    known_edges: frozenset[Edge] = frozenset()
    source: str | None = None
    position: int | None = None
    value: Array | None = None
    incoming: Array | None = None
    jacobian: LocalJacobian | None = field(default=None, repr=False, compare=False)
    product: Array | None = None
    gradient_so_far: Array | None = None
    complete: bool = True

    @property
    def edge(self) -> Edge | None:
        """The edge walked by a backward step, ``(source, node, position)``."""
        if self.source is None or self.position is None:
            return None
        return (self.source, self.node, self.position)

    @property
    def local_jacobian(self) -> Array | None:
        """A backward step's ``∂node/∂source``, computed now and not kept; above
        :data:`~gradviz.engine.walk_jacobian.DENSE_JACOBIAN_LIMIT` entries a
        stand-in of its shape holding NaN (:meth:`LocalJacobian.array`)."""
        return None if self.jacobian is None else self.jacobian.array()


def known_at_start(program: Program) -> frozenset[str]:
    """Ids whose values are known before the first step: the leaves."""
    return frozenset(n.id for n in program.nodes if not n.inputs)


class _Ctx(NamedTuple):
    program: Program
    ev: Evaluation
    fmt: Fmt
    seed: str  # the seed's id: l, or f when walking J_f
    loss_mode: bool


def _forward_step(
    node: ProgramNode, ins: list[str], ev: Evaluation, fmt: Fmt, index: int, known: frozenset[str]
) -> WalkStep:
    name = node.op.name
    xs = [ev.values[u] for u in ins]
    y = ev.values[node.id]
    shown_index = int(node.attrs.get("index", 0)) + 1  # the sheet's f[1] is index 0
    formula = node.op.formula.format(*ins, y=node.id, index=shown_index)
    tex_ids = [tex_id(u) for u in ins]
    if name == "matmul":
        numeric = f"{fmt.text(xs[0])} × {fmt.text(xs[1])}"
        tex = rf"{tex_ids[0]} \times {tex_ids[1]} = {fmt.tex(xs[0])} \times {fmt.tex(xs[1])}"
    elif name == "add":
        numeric = f"{fmt.text(xs[0])} + {fmt.text(xs[1])}"
        tex = rf"{tex_ids[0]} + {tex_ids[1]} = {fmt.tex(xs[0])} + {fmt.tex(xs[1])}"
    elif name == "neg_log":
        p = xs[0][shown_index - 1]
        numeric = f"−ln({format_scalar(p, unicode_minus=fmt.um)})"
        tex = rf"-\ln {tex_ids[0]}[{shown_index}] = -\ln\left({latex_scalar(p)}\right)"
    elif name == "mse":
        target = np.asarray(node.attrs["target"], dtype=np.float64)
        numeric = f"mean(({fmt.text(xs[0])} − {fmt.text(target)})²)"
        tex = (
            rf"\operatorname{{mean}}(({tex_ids[0]} - t)^2) = \operatorname{{mean}}"
            rf"\left(\left({fmt.tex(xs[0])} - {fmt.tex(target)}\right)^2\right)"
        )
    elif name in OP_SYMBOL:
        numeric = fmt.apply(OP_SYMBOL[name], xs[0])
        sym = TEX_SYMBOL[name]
        tex = rf"{sym}({tex_ids[0]}) = {sym}{fmt.tex(xs[0])}"
    else:  # an op without a numeric template: the formula and the result
        numeric, tex = formula.split(" = ", 1)[-1], formula.split(" = ", 1)[-1]
    text = f"{formula} = {numeric} = {fmt.text(y)}"
    latex = f"{tex_id(node.id)} = {tex} = {fmt.tex(y)}"
    return WalkStep(index, FORWARD, node.id, tuple(ins), formula, text, latex, known, value=y)


def _graph_sets(program: Program, seed: int) -> tuple[set[int], set[int]]:
    """Positions that reach ``seed``, and positions that depend on Θ."""
    reaches = {seed}
    for i in range(len(program.nodes) - 1, -1, -1):
        if i in reaches:
            reaches.update(program.nodes[i].inputs)
    requires: set[int] = set()
    for i, n in enumerate(program.nodes):
        if n.op.name == "param" or any(j in requires for j in n.inputs):
            requires.add(i)
    return reaches, requires


def _seed(program: Program, of: str | None) -> tuple[int | None, bool]:
    """The node the backward pass starts from and whether it is the loss."""
    if of is None:
        of = "loss" if program.loss is not None else "output"
    if of == "loss":
        if program.loss is None:
            raise ValueError("the network has no loss to walk back from")
        return program.loss, True
    if of == "output":
        return program.output, False
    raise ValueError(f"cannot walk back from {of!r}: choose 'loss' or 'output'")


def walk_steps(
    program: Program, evaluation: Evaluation, *, of: str | None = None, unicode_minus: bool = False
) -> list[WalkStep]:
    """Every step of the walk (see the module docstring). ``of`` chooses the seed of
    the backward pass: ``"loss"`` (``∂l/∂·``, the default when there is a loss) or
    ``"output"`` (``∂f/∂·``, rows of ``J_f``); a network with neither gets the
    forward steps only."""
    fmt = Fmt(unicode_minus)
    steps: list[WalkStep] = []
    known = set(known_at_start(program))
    for node in program.nodes:
        if node.inputs:
            known.add(node.id)
            ins = [program.nodes[j].id for j in node.inputs]
            steps.append(_forward_step(node, ins, evaluation, fmt, len(steps), frozenset(known)))
    seed, loss_mode = _seed(program, of)
    if seed is not None:
        ctx = _Ctx(program, evaluation, fmt, program.nodes[seed].id, loss_mode)
        steps.extend(_backward_steps(ctx, seed, len(steps), frozenset(known)))
    return steps


def _backward_steps(
    ctx: _Ctx, seed: int, start: int, values_known: frozenset[str]
) -> list[WalkStep]:
    """The backward steps from ``seed``: of the loss, or of ``f`` (rows of ``J_f``)."""
    program, ev, _, _, loss_mode = ctx
    nodes = program.nodes
    reaches, requires = _graph_sets(program, seed)
    edges = [
        (u, v, pos)
        for v in range(len(nodes) - 1, -1, -1)
        if v in reaches
        for pos, u in enumerate(nodes[v].inputs)
        if u in requires
    ]
    remaining: dict[int, int] = {}
    for u, _, _ in edges:
        remaining[u] = remaining.get(u, 0) + 1
    shares = dict(remaining)
    seed_value = ev.values[nodes[seed].id]
    k = 1 if loss_mode else seed_value.size
    grads: dict[int, Array] = {seed: np.eye(k) if not loss_mode else np.ones((1, 1))}
    known_grads = {nodes[seed].id}
    walked: set[Edge] = set()
    steps: list[WalkStep] = []
    for u, v, pos in edges:
        uid, vid = nodes[u].id, nodes[v].id
        u_value, v_shape = ev.values[uid], ev.values[vid].shape
        u_shape = u_value.shape
        incoming = grads[v]  # (k, v.size), complete: every consumer of v came before
        jacobian = LocalJacobian(ev, vid, pos, (incoming.shape[1], u_value.size))
        jac = jacobian.array()  # the dense matrix, or a shape-only stand-in when large
        with np.errstate(invalid="ignore", over="ignore"):
            product = jacobian.vjp_rows(incoming) if jacobian.large else incoming @ jac
        grads[u] = product if u not in grads else grads[u] + product
        remaining[u] -= 1
        complete = remaining[u] == 0
        if complete:
            known_grads.add(uid)
        walked.add((uid, vid, pos))
        several = shares[u] > 1
        arrays = (incoming, jac, product, grads[u])
        formula, text, latex = _backward_texts(ctx, (u, v, pos), arrays, several, complete)

        def shaped(a: Array, shape: tuple[int, ...]) -> Array:
            """A read-only view, no copy: the walk never writes into a gradient
            once made (it adds into new arrays), so steps can share them."""
            view = a.reshape(shape) if loss_mode else a.view()
            view.flags.writeable = False
            return view

        steps.append(
            WalkStep(
                index=start + len(steps),
                phase=BACKWARD,
                node=vid,
                source=uid,
                position=pos,
                inputs=tuple(nodes[j].id for j in nodes[v].inputs),
                formula=formula,
                text=text,
                latex=latex,
                incoming=shaped(incoming, v_shape),
                jacobian=jacobian,
                product=shaped(product, u_shape),
                gradient_so_far=shaped(grads[u], u_shape),
                complete=complete,
                known_values=values_known,
                known_gradients=frozenset(known_grads),
                known_edges=frozenset(walked),
            )
        )
    return steps


def _backward_texts(
    ctx: _Ctx,
    edge: tuple[int, int, int],
    arrays: tuple[Array, Array, Array, Array],
    accumulate: bool,
    complete: bool,
) -> tuple[str, str, str]:
    """``formula``, ``text`` and ``latex`` of one backward step; ``arrays`` are the
    incoming gradient ``(k, v.size)``, the local Jacobian, the product and the
    running total ``(k, u.size)``; ``accumulate``: the input has several shares."""
    program, ev, fmt, s, loss_mode = ctx
    show_total = accumulate and complete
    u, v, _ = edge
    incoming, jac, product, total = arrays
    un, vn = program.nodes[u], program.nodes[v]
    uid, vid = un.id, vn.id
    single = len(vn.inputs) == 1 and vn.op.name in OP_SYMBOL
    jac_sym = f"J_{OP_SYMBOL[vn.op.name]}({uid})" if single else f"∂{vid}/∂{uid}"
    jac_tex = (
        rf"J_{{{TEX_SYMBOL[vn.op.name]}}}({tex_id(uid)})"
        if single
        else rf"\frac{{\partial {tex_id(vid)}}}{{\partial {tex_id(uid)}}}"
    )
    op = "+=" if accumulate else "="
    formula = f"∂{s}/∂{uid} {op} ∂{s}/∂{vid} × {jac_sym}"
    lhs_tex, mid_tex = (
        rf"\frac{{\partial {tex_id(s)}}}{{\partial {tex_id(n)}}}" for n in (uid, vid)
    )
    op_tex = "\\mathrel{+}=" if accumulate else "="

    def vec(a: Array, shape: tuple[int, ...]) -> tuple[str, str]:
        """A (k, size) block: a row vector (a number for a scalar node) for the loss,
        a matrix for ``f``."""
        if not loss_mode:
            return fmt.text(a), fmt.tex(a)
        if not shape:
            return fmt.text(a[0, 0]), fmt.tex(a[0, 0])
        return fmt.text(a[0]), fmt.tex(a[0], row=True)

    u_shape = ev.values[uid].shape
    inc_t, inc_x = vec(incoming, ev.values[vid].shape)
    prod_t, prod_x = vec(product, u_shape)
    if loss_mode and len(u_shape) == 2:  # show ∂l/∂P as the matrix it is, too
        prod_t += " = " + fmt.text(product.reshape(u_shape))
        prod_x += " = " + fmt.tex(product.reshape(u_shape))
    text = f"{formula} = {inc_t} × {fmt.text(jac)} = {prod_t}"
    latex = (
        rf"{lhs_tex} {op_tex} {mid_tex} \times {jac_tex} = {inc_x} \times "
        rf"{fmt.tex(jac)} = {prod_x}"
    )
    if show_total:
        tot = total.reshape(u_shape) if loss_mode else total
        text += f"; in all ∂{s}/∂{uid} = {fmt.text(tot)}"
        latex += rf";\quad {lhs_tex} = {fmt.tex(tot)}"
    return formula, text, latex


def final_gradients(steps: Sequence[WalkStep]) -> dict[str, Array]:
    """Each node's gradient at the end of the walk (the seed's own excluded):
    ``∂l/∂u`` in ``u``'s shape, or ``∂f/∂u`` as ``(m, u.size)``."""
    out: dict[str, Array] = {}
    for step in steps:
        if step.phase == BACKWARD and step.complete and step.source is not None:
            assert step.gradient_so_far is not None
            out[step.source] = step.gradient_so_far
    return out
