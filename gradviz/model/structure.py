"""Structural edits of a network, for the canvas's context menus.

Every edit is a pure function ``Network → Network``: the input is never changed,
the result is validated with :func:`~gradviz.model.fileformat.validate` before it
is returned, and a refused edit raises :class:`ModelError` whose text is one
sentence saying why. Parameter order (Θ) is kept; new parameters are placed right
after the product they belong to, as the builder does (``P, b1, Q, b2, …``).

The context-menu listing of these edits lives in :mod:`gradviz.model.edit_menu`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from gradviz.engine.ops import ACTIVATIONS, OPS, Array, ShapeError
from gradviz.model.builder import ACTIVATION_LABELS, init_values, layer_id, subscript
from gradviz.model.fileformat import ModelError, validate
from gradviz.model.layout import ROW_SPACING
from gradviz.model.network import Network, Node

__all__ = [
    "add_bias",
    "bias_of",
    "change_loss",
    "change_op",
    "change_width",
    "delete_node",
    "head_of",
    "insert_activation",
    "remove_bias",
    "width_plan",
]

WIDTH_INITS = ("zeros", "gaussian", "ints")


def shapes(net: Network) -> dict[str, tuple[int, ...]]:
    """Every node's output shape (``ModelError`` when the network does not fit)."""
    out: dict[str, tuple[int, ...]] = {}
    try:
        order = net.topological_order()
    except ValueError as e:
        raise ModelError(str(e)) from None
    for nid in order:
        n = net.node(nid)
        if n.value is not None:
            out[nid] = tuple(n.value.shape)
            continue
        try:
            out[nid] = OPS[n.op].infer_shape([out[s] for s in n.inputs], n.attrs)
        except ShapeError as e:
            raise ModelError(f"node '{nid}': {e}") from None
    return out


def _node(net: Network, node_id: str) -> Node:
    if not net.has_node(node_id):
        raise ModelError(f"there is no node '{node_id}'")
    return net.node(node_id)


def fresh_id(net: Network, *bases: str) -> str:
    """The first of ``bases`` that is not a node id, else ``bases[0]`` numbered."""
    for b in bases:
        if not net.has_node(b):
            return b
    sep = "_" if bases[0][-1:].isdigit() else ""
    k = 2
    while net.has_node(f"{bases[0]}{sep}{k}"):
        k += 1
    return f"{bases[0]}{sep}{k}"


def _layer_number(net: Network, node_id: str) -> int | None:
    """The layer ``node_id`` belongs to: ``k`` when the first product (matmul) met
    going upstream is the ``k``-th in topological order (``z`` → 1, ``z2``, ``f = Q×g``
    → 2); None when there is none (the input)."""
    products = [n for n in net.topological_order() if net.node(n).op == "matmul"]
    cur: str | None = node_id
    while cur is not None and net.node(cur).op != "matmul":
        ins = [i for i in net.node(cur).inputs if net.node(i).op != "param"]
        cur = ins[0] if ins else None
    return None if cur is None else products.index(cur) + 1


def _insert_after(net: Network, anchor: str, *new: Node) -> None:
    at = net.ids.index(anchor) + 1
    net.nodes[at:at] = list(new)


def _rewire(net: Network, old: str, new: str) -> None:
    """Every consumer of ``old`` takes ``new`` instead; so do ``output`` and ``loss``."""
    for n in net.nodes:
        n.inputs = [new if s == old else s for s in n.inputs]
    if net.output == old:
        net.output = new
    if net.loss == old:
        net.loss = new


def _drop_orphans(net: Network, candidates: list[str]) -> None:
    """Remove the parameters among ``candidates`` that nothing consumes any more."""
    for c in candidates:
        if net.has_node(c) and net.node(c).op == "param" and not net.consumers(c):
            net.nodes = [n for n in net.nodes if n.id != c]


def _finish(net: Network) -> Network:
    try:
        validate(net)
    except ModelError as e:
        raise ModelError(f"the edit would leave an invalid network: {e}") from None
    return net


def _midpoint(a: Node, b: Node, dy: float = 0.0) -> dict[str, Any]:
    """``{"pos": …}`` halfway between two placed nodes (``dy`` lower), else ``{}``:
    a new node on a saved drawing lands on its edge, not on the auto layout's grid."""
    if a.pos is None or b.pos is None:
        return {}
    return {"pos": [(a.pos[0] + b.pos[0]) / 2, (a.pos[1] + b.pos[1]) / 2 + dy]}


def insert_activation(net: Network, src: str, dst: str, act: str) -> Network:
    """Put ``act`` (relu, sigmoid, tanh) on the edge ``src → dst``:
    ``dst`` then reads ``act(src)``. Refused on a parameter's edge."""
    if act not in ACTIVATIONS:
        raise ModelError(f"unknown activation '{act}' (choose relu, sigmoid or tanh)")
    s, d = _node(net, src), _node(net, dst)
    if src not in d.inputs:
        raise ModelError(f"there is no edge from '{src}' to '{dst}'")
    if s.op == "param":
        raise ModelError(f"'{src}' is a parameter: activations go between layers, not on weights")
    new = net.copy()
    k = _layer_number(net, src)
    nid = fresh_id(new, *([layer_id("g", k)] if k is not None else []), "g")
    node = Node(nid, act, [src], label=ACTIVATION_LABELS[act], extra=_midpoint(s, d))
    at = new.ids.index(dst)
    new.nodes.insert(at, node)
    new.node(dst).inputs = [nid if x == src else x for x in new.node(dst).inputs]
    return _finish(new)


def change_op(net: Network, node_id: str, new_act: str) -> Network:
    """Swap an activation for another (ReLU ↔ sigmoid ↔ tanh); a default label follows."""
    n = _node(net, node_id)
    if n.op not in ACTIVATIONS:
        raise ModelError(
            f"'{node_id}' is a {n.op}, not an activation: only ReLU, sigmoid "
            "and tanh can be swapped"
        )
    if new_act not in ACTIVATIONS:
        raise ModelError(f"unknown activation '{new_act}' (choose relu, sigmoid or tanh)")
    if new_act == n.op:
        raise ModelError(f"'{node_id}' already is a {ACTIVATION_LABELS[new_act]}")
    new = net.copy()
    m = new.node(node_id)
    if m.label is None or m.label == ACTIVATION_LABELS[m.op]:
        m.label = ACTIVATION_LABELS[new_act]
    m.op = new_act
    return _finish(new)


def bias_of(net: Network, node_id: str) -> str | None:
    """The bias parameter added right after ``node_id``, if it has one."""
    for c in net.consumers(node_id):
        cn = net.node(c)
        if cn.op == "add":
            others = [x for x in cn.inputs if x != node_id]
            if len(others) == 1 and net.node(others[0]).op == "param":
                return others[0]
    return None


def add_bias(net: Network, node_id: str) -> Network:
    """After the product ``node_id`` (a matmul with a vector result) insert
    ``+ b`` with a new parameter ``b`` of zeros; its consumers read the sum."""
    n = _node(net, node_id)
    if n.op != "matmul":
        raise ModelError(
            f"a bias is added after a weight product (a matmul), and '{node_id}' is a {n.op}"
        )
    shape = shapes(net)[node_id]
    if len(shape) != 1:
        raise ModelError(f"'{node_id}' is not a vector, so it takes no bias")
    existing = bias_of(net, node_id)
    if existing is not None:
        raise ModelError(f"'{node_id}' already has a bias ('{existing}')")
    new = net.copy()
    k = _layer_number(net, node_id) or 1
    bid = fresh_id(new, f"b{k}")
    aid = fresh_id(new, layer_id("a", k))
    users = net.consumers(node_id)
    after = net.node(users[0]) if users else Node("", "input")  # unplaced: no position
    bias = Node(
        bid,
        "param",
        value=np.zeros(shape),
        label=f"b{subscript(k)}",
        extra=_midpoint(n, after, -ROW_SPACING / 2),
    )
    add = Node(aid, "add", [node_id, bid], label=f"+b{subscript(k)}", extra=_midpoint(n, after))
    _rewire(new, node_id, aid)  # before the add exists, so it keeps reading node_id
    _insert_after(new, node_id, bias, add)
    return _finish(new)


def _bias_parts(net: Network, add_id: str) -> tuple[str, str]:
    """(the computed input, the bias parameter) of a bias node, or ModelError."""
    n = _node(net, add_id)
    if n.op != "add":
        raise ModelError(f"'{add_id}' is a {n.op}, not a bias (an add of a parameter)")
    params = [x for x in n.inputs if net.node(x).op == "param"]
    if len(params) != 1:
        raise ModelError(f"'{add_id}' does not add one bias parameter to one computed value")
    other = next(x for x in n.inputs if x != params[0])
    return other, params[0]


def remove_bias(net: Network, bias_add_node_id: str) -> Network:
    """Remove the bias node ``a = z + b``: its consumers read ``z``; ``b`` goes too
    unless something else uses it."""
    other, bias = _bias_parts(net, bias_add_node_id)
    new = net.copy()
    _rewire(new, bias_add_node_id, other)
    new.nodes = [n for n in new.nodes if n.id != bias_add_node_id]
    _drop_orphans(new, [bias])
    return _finish(new)


def delete_node(net: Network, node_id: str) -> Network:
    """Delete a node; its consumers read its (computed) input instead when the
    shapes agree. The weight of a deleted product and the bias of a deleted bias
    node go too when nothing else uses them. Refused for the loss, for a leaf that
    is needed, and where shapes or a −ln's need for probabilities forbid it."""
    n = _node(net, node_id)
    users = net.consumers(node_id)
    if node_id == net.loss:
        raise ModelError(
            f"'{node_id}' is the network's loss: change the loss instead of deleting it"
        )
    kind = "parameter" if n.op == "param" else "input"
    if not n.inputs:
        if users:
            raise ModelError(
                f"the {kind} '{node_id}' is needed by " + ", ".join(f"'{u}'" for u in users)
            )
        new = net.copy()
        new.nodes = [m for m in new.nodes if m.id != node_id]
        return _finish(new)
    if n.op == "add":
        try:
            through, bias = _bias_parts(net, node_id)
        except ModelError:
            raise ModelError(
                f"'{node_id}' adds two computed values: it is unclear which one "
                "its consumers should take"
            ) from None
        dropped = [bias]
    elif n.op == "matmul":
        through, dropped = n.inputs[1], [n.inputs[0]]
    else:
        through, dropped = n.inputs[0], []
    if users or net.output == node_id:
        sh = shapes(net)
        if sh[through] != sh[node_id]:
            who = ", ".join(f"'{u}'" for u in users) if users else "the output"
            raise ModelError(
                f"'{through}' has shape {_shape(sh[through])} but '{node_id}' has "
                f"{_shape(sh[node_id])}, so {who} cannot take '{through}' instead"
            )
        for u in users:
            if net.node(u).op == "neg_log" and net.node(through).op != "softmax":
                raise ModelError(
                    f"the −ln in '{u}' needs a softmax's probabilities, and "
                    f"'{through}' would give it raw scores"
                )
    new = net.copy()
    _rewire(new, node_id, through)
    new.nodes = [m for m in new.nodes if m.id != node_id]
    _drop_orphans(new, dropped)
    return _finish(new)


def _shape(s: tuple[int, ...]) -> str:
    return "(" + ", ".join(map(str, s)) + ("," if len(s) == 1 else "") + ")"


@dataclass
class WidthPlan:
    """What a width change touches: the ``start`` node (a product whose weight's
    rows change, or the input), the ``biases`` (vectors) and ``next_weights``
    (matrices whose columns change) along the layer, the ``losses`` reading it."""

    start: str
    weight: str | None
    old: int
    biases: list[str] = field(default_factory=list)
    next_weights: list[str] = field(default_factory=list)
    losses: list[str] = field(default_factory=list)


def _own_param(net: Network, pid: str, user: str, ndim: int) -> None:
    p = net.node(pid)
    if p.op != "param" or p.value is None or p.value.ndim != ndim:
        raise ModelError(
            f"'{user}' does not read a parameter '{pid}' that a width change can resize"
        )
    others = [u for u in net.consumers(pid) if u != user]
    if others:
        raise ModelError(
            f"'{pid}' is also used by '{others[0]}', so its size is not this layer's alone"
        )


def width_plan(net: Network, node_id: str) -> WidthPlan:
    """Find the layer of ``node_id`` (its product, bias, activation, weight or the
    input) and everything its width reaches; ``ModelError`` when it cannot change."""
    start = _node(net, node_id).id
    while net.node(start).op not in ("matmul", "input"):
        cur = net.node(start)
        users = net.consumers(start)
        user = net.node(users[0]) if len(users) == 1 else None
        if (
            cur.op == "param"
            and user is not None
            and (user.op == "add" or (user.op == "matmul" and user.inputs[0] == start))
        ):
            start = user.id
        elif cur.op in ACTIVATIONS or cur.op == "softmax":
            start = cur.inputs[0]
        elif cur.op == "add":
            start = _bias_parts(net, start)[0]
        else:
            raise ModelError(
                f"'{node_id}' is not part of a layer (a weight product with its "
                "bias and activation)"
            )
    first = net.node(start)
    sh = shapes(net)
    if len(sh[start]) != 1:
        raise ModelError(f"'{start}' is not a vector, so it has no width to change")
    weight = None
    if first.op == "matmul":
        weight = first.inputs[0]
        _own_param(net, weight, start, 2)
    plan = WidthPlan(start, weight, sh[start][0])
    layer, queue = {start}, [start]
    while queue:
        x = queue.pop()
        for c in net.consumers(x):
            cn = net.node(c)
            if cn.op == "add":
                other = next((i for i in cn.inputs if i != x), x)
                if other not in layer:
                    _own_param(net, other, c, 1)
                    plan.biases.append(other)
            elif cn.op == "matmul" and cn.inputs[1] == x and cn.inputs[0] != x:
                _own_param(net, cn.inputs[0], c, 2)
                plan.next_weights.append(cn.inputs[0])
                continue
            elif cn.op in ("neg_log", "mse"):
                plan.losses.append(c)
                continue
            elif cn.op not in (*ACTIVATIONS, "softmax"):
                raise ModelError(f"'{c}' reads '{x}' in a way a width change cannot follow")
            if c not in layer:
                layer.add(c)
                queue.append(c)
    return plan


def change_width(
    net: Network, layer_node_id: str, width: int, init: str = "zeros", seed: int = 0
) -> Network:
    """Give a layer ``width`` units: its weight ``W`` (n × m) becomes ``width × m``,
    its bias ``width``, the next weight's columns ``width``; entries that existed are
    kept, new ones are drawn by ``init`` (zeros, gaussian, ints; seeded). An MSE
    target is padded with zeros or cut; a −ln class must stay in range."""
    if not isinstance(width, (int, np.integer)) or isinstance(width, bool) or width < 1:
        raise ModelError("a layer needs a whole number of units, at least 1")
    if init not in WIDTH_INITS:
        raise ModelError(f"unknown init '{init}' for new weights (choose zeros, gaussian or ints)")
    plan = width_plan(net, layer_node_id)
    width = int(width)
    if width == plan.old:
        raise ModelError(f"the layer of '{layer_node_id}' already has {width} units")
    for lid in plan.losses:
        loss = net.node(lid)
        if loss.op == "neg_log" and loss.attrs["index"] >= width:
            raise ModelError(
                f"the loss '{lid}' takes class {loss.attrs['index'] + 1}, which a "
                f"layer of {width} units does not have"
            )
    rng = np.random.default_rng(seed)
    keep = min(plan.old, width)
    new = net.copy()

    def resize(pid: str, axis: int, fan_in: int) -> None:
        node = new.node(pid)
        assert node.value is not None
        shape = list(node.value.shape)
        shape[axis] = width
        out = init_values(tuple(shape), init, rng, fan_in)
        index = tuple(slice(0, keep) if a == axis else slice(None) for a in range(len(shape)))
        out[index] = node.value[index]
        node.value = out

    if plan.weight is not None:
        fan_in = int(new.node(plan.weight).value.shape[1])  # type: ignore[union-attr]
        resize(plan.weight, 0, fan_in)
    else:
        fan_in = 1
        resize(plan.start, 0, fan_in)
    for b in plan.biases:
        resize(b, 0, fan_in)
    for w in plan.next_weights:
        resize(w, 1, width)
    for lid in plan.losses:
        loss = new.node(lid)
        if loss.op == "mse":
            t = np.zeros(width)
            t[:keep] = np.asarray(loss.attrs["target"], dtype=np.float64)[:keep]
            loss.attrs["target"] = t
    return _finish(new)


LOSS_KINDS = ("softmax", "mse")


def head_of(net: Network) -> tuple[str | None, str | None, str | None]:
    """(kind, scores node, softmax node) of the network's loss: kind ``"softmax"``
    (``−ln S(scores)[i]``), ``"neg_log"`` (−ln of a non-softmax), ``"mse"`` or None."""
    if net.loss is None:
        return None, net.output, None
    loss = net.node(net.loss)
    y = loss.inputs[0] if loss.inputs else None
    if loss.op == "neg_log" and y is not None and net.node(y).op == "softmax":
        return "softmax", net.node(y).inputs[0], y
    if loss.op in ("neg_log", "mse"):
        return loss.op, y, None
    return None, net.output, None


def change_loss(net: Network, kind: str, index_or_target: int | Array | list[float]) -> Network:
    """Make the loss ``−ln S(x)[index]`` (kind ``"softmax"``, ``index`` 0-based) or
    ``mean((x − t)²)`` (kind ``"mse"``, ``t`` the target), where ``x`` is what the
    current head reads (the scores before a softmax, else the output)."""
    if kind not in LOSS_KINDS:
        raise ModelError(f"unknown loss '{kind}' (choose softmax or mse)")
    current, scores, soft = head_of(net)
    if scores is None:
        raise ModelError("the network has no output to put a loss on")
    size = shapes(net)[scores]
    new = net.copy()
    lid = new.loss if new.loss is not None else fresh_id(new, "l", "loss")
    if kind == "softmax":
        index = index_or_target
        if not isinstance(index, (int, np.integer)) or isinstance(index, bool):
            raise ModelError("a softmax loss takes one class number")
        n = int(np.prod(size))
        if len(size) != 1 or not 0 <= int(index) < n:
            raise ModelError(
                f"class {int(index) + 1} is out of range: '{scores}' has {n} "
                f"entries (classes 1 to {n})"
            )
        if soft is None:
            soft = fresh_id(new, "f", "s")
            at = _midpoint(net.node(scores), net.node(lid)) if net.has_node(lid) else {}
            _insert_after(new, scores, Node(soft, "softmax", [scores], label="softmax", extra=at))
        attrs: dict[str, Any] = {"index": int(index)}
        op, label, reads, output = "neg_log", "−ln", soft, soft
    else:
        target = np.asarray(index_or_target, dtype=np.float64)
        if target.shape != size:
            raise ModelError(
                f"the target has shape {_shape(target.shape)} but '{scores}' has {_shape(size)}"
            )
        if not np.all(np.isfinite(target)):
            raise ModelError("the target must hold finite numbers")
        attrs = {"target": target}
        op, label, reads, output = "mse", "MSE", scores, scores
    if new.has_node(lid):
        node = new.node(lid)
        node.op, node.inputs, node.attrs, node.label = op, [reads], attrs, label
    else:
        new.nodes.append(Node(lid, op, [reads], attrs=attrs, label=label))
    new.loss = lid
    new.output = output
    if kind == "mse" and soft is not None and not new.consumers(soft):
        new.nodes = [m for m in new.nodes if m.id != soft]
    return _finish(new)
