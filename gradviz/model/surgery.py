"""The primitives the structural edits (:mod:`gradviz.model.structure`) are made of.

Looking nodes up with a one-sentence :class:`ModelError`, every node's output
shape, fresh ids and layer numbers for new nodes, rewiring consumers, dropping
orphaned parameters, placing a new node between two placed ones, and the final
validation every edit ends with. Functions that change a network change the copy
they are given; the edits make that copy.
"""

from __future__ import annotations

from typing import Any

from gradviz.engine.ops import OPS, ShapeError, shape_text
from gradviz.model.fileformat import ModelError, validate
from gradviz.model.network import Network, Node

__all__ = [
    "bias_of",
    "bias_parts",
    "drop_orphans",
    "finish",
    "fresh_id",
    "insert_after",
    "layer_number",
    "midpoint",
    "node_or_error",
    "rewire",
    "shape_text",
    "shapes",
]


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


def node_or_error(net: Network, node_id: str) -> Node:
    """The node ``node_id``, or ``ModelError`` saying there is none."""
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


def layer_number(net: Network, node_id: str) -> int | None:
    """The layer ``node_id`` belongs to: ``k`` when the first product (matmul) met
    going upstream is the ``k``-th in topological order (``z`` → 1, ``z2``, ``f = Q×g``
    → 2); None when there is none (the input)."""
    products = [n for n in net.topological_order() if net.node(n).op == "matmul"]
    cur: str | None = node_id
    while cur is not None and net.node(cur).op != "matmul":
        ins = [i for i in net.node(cur).inputs if net.node(i).op != "param"]
        cur = ins[0] if ins else None
    return None if cur is None else products.index(cur) + 1


def insert_after(net: Network, anchor: str, *new: Node) -> None:
    """Put ``new`` right after ``anchor`` in file order (so Θ keeps ``P, b1, Q …``)."""
    at = net.ids.index(anchor) + 1
    net.nodes[at:at] = list(new)


def rewire(net: Network, old: str, new: str) -> None:
    """Every consumer of ``old`` takes ``new`` instead; so do ``output`` and ``loss``."""
    for n in net.nodes:
        n.inputs = [new if s == old else s for s in n.inputs]
    if net.output == old:
        net.output = new
    if net.loss == old:
        net.loss = new


def drop_orphans(net: Network, candidates: list[str]) -> None:
    """Remove the parameters among ``candidates`` that nothing consumes any more."""
    for c in candidates:
        if net.has_node(c) and net.node(c).op == "param" and not net.consumers(c):
            net.nodes = [n for n in net.nodes if n.id != c]


def finish(net: Network) -> Network:
    """``net`` once :func:`~gradviz.model.fileformat.validate` accepts it, else
    ``ModelError`` saying the edit would leave an invalid network."""
    try:
        validate(net)
    except ModelError as e:
        raise ModelError(f"the edit would leave an invalid network: {e}") from None
    return net


def midpoint(a: Node, b: Node, dy: float = 0.0) -> dict[str, Any]:
    """``{"pos": …}`` halfway between two placed nodes (``dy`` lower), else ``{}``:
    a new node on a saved drawing lands on its edge, not on the auto layout's grid."""
    if a.pos is None or b.pos is None:
        return {}
    return {"pos": [(a.pos[0] + b.pos[0]) / 2, (a.pos[1] + b.pos[1]) / 2 + dy]}


def bias_of(net: Network, node_id: str) -> str | None:
    """The bias parameter added right after ``node_id``, if it has one."""
    for c in net.consumers(node_id):
        cn = net.node(c)
        if cn.op == "add":
            others = [x for x in cn.inputs if x != node_id]
            if len(others) == 1 and net.node(others[0]).op == "param":
                return others[0]
    return None


def bias_parts(net: Network, add_id: str) -> tuple[str, str]:
    """(the computed input, the bias parameter) of a bias node, or ModelError."""
    n = node_or_error(net, add_id)
    if n.op != "add":
        raise ModelError(f"'{add_id}' is a {n.op}, not a bias (an add of a parameter)")
    params = [x for x in n.inputs if net.node(x).op == "param"]
    if len(params) != 1:
        raise ModelError(f"'{add_id}' does not add one bias parameter to one computed value")
    other = next(x for x in n.inputs if x != params[0])
    return other, params[0]
