"""Structural edits of a network, for the canvas's context menus.

Every edit is a pure function ``Network → Network``: the input is never changed,
the result is validated with :func:`~gradviz.model.fileformat.validate` before it
is returned, and a refused edit raises :class:`ModelError` whose text is one
sentence saying why. Parameter order (Θ) is kept; new parameters are placed right
after the product they belong to, as the builder does (``P, b1, Q, b2, …``).

Here: activations, biases and deleting a node. Width changes live in
:mod:`gradviz.model.layer_width`, the loss in :mod:`gradviz.model.loss_head`, the
primitives all of them use in :mod:`gradviz.model.surgery`; their public names
are importable from here too. The context-menu listing of these edits lives in
:mod:`gradviz.model.edit_menu`.
"""

from __future__ import annotations

import numpy as np

from gradviz.engine.ops import ACTIVATIONS
from gradviz.model.builder import ACTIVATION_LABELS, layer_id, subscript
from gradviz.model.fileformat import ModelError
from gradviz.model.layer_width import WIDTH_INITS, WidthPlan, change_width, width_plan
from gradviz.model.layout import ROW_SPACING
from gradviz.model.loss_head import LOSS_KINDS, change_loss, head_of
from gradviz.model.network import Network, Node
from gradviz.model.surgery import (
    bias_of,
    bias_parts,
    drop_orphans,
    finish,
    fresh_id,
    insert_after,
    layer_number,
    midpoint,
    node_or_error,
    rewire,
    shape_text,
    shapes,
)

__all__ = [
    "LOSS_KINDS",
    "WIDTH_INITS",
    "WidthPlan",
    "add_bias",
    "bias_of",
    "change_loss",
    "change_op",
    "change_width",
    "delete_node",
    "fresh_id",
    "head_of",
    "insert_activation",
    "remove_bias",
    "shapes",
    "width_plan",
]


def insert_activation(net: Network, src: str, dst: str, act: str) -> Network:
    """Put ``act`` (relu, sigmoid, tanh) on the edge ``src → dst``:
    ``dst`` then reads ``act(src)``. Refused on a parameter's edge."""
    if act not in ACTIVATIONS:
        raise ModelError(f"unknown activation '{act}' (choose relu, sigmoid or tanh)")
    s, d = node_or_error(net, src), node_or_error(net, dst)
    if src not in d.inputs:
        raise ModelError(f"there is no edge from '{src}' to '{dst}'")
    if s.op == "param":
        raise ModelError(f"'{src}' is a parameter: activations go between layers, not on weights")
    new = net.copy()
    k = layer_number(net, src)
    nid = fresh_id(new, *([layer_id("g", k)] if k is not None else []), "g")
    node = Node(nid, act, [src], label=ACTIVATION_LABELS[act], extra=midpoint(s, d))
    at = new.ids.index(dst)
    new.nodes.insert(at, node)
    new.node(dst).inputs = [nid if x == src else x for x in new.node(dst).inputs]
    return finish(new)


def change_op(net: Network, node_id: str, new_act: str) -> Network:
    """Swap an activation for another (ReLU ↔ sigmoid ↔ tanh); a default label follows."""
    n = node_or_error(net, node_id)
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
    return finish(new)


def add_bias(net: Network, node_id: str) -> Network:
    """After the product ``node_id`` (a matmul with a vector result) insert
    ``+ b`` with a new parameter ``b`` of zeros; its consumers read the sum."""
    n = node_or_error(net, node_id)
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
    k = layer_number(net, node_id) or 1
    bid = fresh_id(new, f"b{k}")
    aid = fresh_id(new, layer_id("a", k))
    users = net.consumers(node_id)
    after = net.node(users[0]) if users else Node("", "input")  # unplaced: no position
    bias = Node(
        bid,
        "param",
        value=np.zeros(shape),
        label=f"b{subscript(k)}",
        extra=midpoint(n, after, -ROW_SPACING / 2),
    )
    add = Node(aid, "add", [node_id, bid], label=f"+b{subscript(k)}", extra=midpoint(n, after))
    rewire(new, node_id, aid)  # before the add exists, so it keeps reading node_id
    insert_after(new, node_id, bias, add)
    return finish(new)


def remove_bias(net: Network, bias_add_node_id: str) -> Network:
    """Remove the bias node ``a = z + b``: its consumers read ``z``; ``b`` goes too
    unless something else uses it."""
    other, bias = bias_parts(net, bias_add_node_id)
    new = net.copy()
    rewire(new, bias_add_node_id, other)
    new.nodes = [n for n in new.nodes if n.id != bias_add_node_id]
    drop_orphans(new, [bias])
    return finish(new)


def delete_node(net: Network, node_id: str) -> Network:
    """Delete a node; its consumers read its (computed) input instead when the
    shapes agree. The weight of a deleted product and the bias of a deleted bias
    node go too when nothing else uses them. Refused for the loss, for a leaf that
    is needed, and where shapes or a −ln's need for probabilities forbid it."""
    n = node_or_error(net, node_id)
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
        return finish(new)
    through, dropped = _passed_through(net, node_id)
    if users or net.output == node_id:
        _check_bypass(net, node_id, through, users)
    new = net.copy()
    rewire(new, node_id, through)
    new.nodes = [m for m in new.nodes if m.id != node_id]
    drop_orphans(new, dropped)
    return finish(new)


def _passed_through(net: Network, node_id: str) -> tuple[str, list[str]]:
    """(the input a deleted computed node's consumers read instead, the parameters
    that go with it: a product's weight, a bias node's bias)."""
    n = net.node(node_id)
    if n.op == "add":
        try:
            through, bias = bias_parts(net, node_id)
        except ModelError:
            raise ModelError(
                f"'{node_id}' adds two computed values: it is unclear which one "
                "its consumers should take"
            ) from None
        return through, [bias]
    if n.op == "matmul":
        return n.inputs[1], [n.inputs[0]]
    return n.inputs[0], []


def _check_bypass(net: Network, node_id: str, through: str, users: list[str]) -> None:
    """``ModelError`` unless ``users`` (or the output) can read ``through`` instead
    of ``node_id``: the shapes agree and no −ln loses its softmax."""
    sh = shapes(net)
    if sh[through] != sh[node_id]:
        who = ", ".join(f"'{u}'" for u in users) if users else "the output"
        raise ModelError(
            f"'{through}' has shape {shape_text(sh[through])} but '{node_id}' has "
            f"{shape_text(sh[node_id])}, so {who} cannot take '{through}' instead"
        )
    for u in users:
        if net.node(u).op == "neg_log" and net.node(through).op != "softmax":
            raise ModelError(
                f"the −ln in '{u}' needs a softmax's probabilities, and "
                f"'{through}' would give it raw scores"
            )
