"""Changing how many units a layer has (the canvas's "Change Width…").

A layer is a weight product ``z = W x`` (``W`` of shape ``n × m``) with its bias
and activation, or the input. :func:`width_plan` finds everything its width
``n`` reaches; :func:`change_width` makes it ``width``: ``W`` becomes
``width × m``, the bias ``width``, the next weight's columns ``width``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from gradviz.engine.ops import ACTIVATIONS
from gradviz.model.builder import init_values
from gradviz.model.fileformat import ModelError
from gradviz.model.network import Network
from gradviz.model.surgery import bias_parts, finish, node_or_error, shapes

__all__ = ["WIDTH_INITS", "WidthPlan", "change_width", "width_plan"]

WIDTH_INITS = ("zeros", "gaussian", "ints")


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
    """``ModelError`` unless ``pid`` is an ``ndim``-dimensional parameter only ``user`` reads."""
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


def _layer_start(net: Network, node_id: str) -> str:
    """The product (or input) that starts the layer of ``node_id``: up from its
    bias, activation or softmax, down from its weight or bias parameter."""
    start = node_or_error(net, node_id).id
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
            start = bias_parts(net, start)[0]
        else:
            raise ModelError(
                f"'{node_id}' is not part of a layer (a weight product with its "
                "bias and activation)"
            )
    return start


def width_plan(net: Network, node_id: str) -> WidthPlan:
    """Find the layer of ``node_id`` (its product, bias, activation, weight or the
    input) and everything its width reaches; ``ModelError`` when it cannot change."""
    start = _layer_start(net, node_id)
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
    return finish(new)
