"""The network's head and loss: which one it has, and changing it.

Two heads: ``−ln S(x)[i]`` (a softmax ``S`` of the scores ``x``, then the −ln of
class ``i``) and ``mean((x − t)²)`` (the mean squared error to a target ``t`` of
``x``'s shape).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from gradviz.engine.ops import Array
from gradviz.model.fileformat import ModelError
from gradviz.model.network import Network, Node
from gradviz.model.surgery import finish, fresh_id, insert_after, midpoint, shape_text, shapes

__all__ = ["LOSS_KINDS", "change_loss", "head_of"]

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
    _, scores, soft = head_of(net)
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
            at = midpoint(net.node(scores), net.node(lid)) if net.has_node(lid) else {}
            insert_after(new, scores, Node(soft, "softmax", [scores], label="softmax", extra=at))
        attrs: dict[str, Any] = {"index": int(index)}
        op, label, reads, output = "neg_log", "−ln", soft, soft
    else:
        target = np.asarray(index_or_target, dtype=np.float64)
        if target.shape != size:
            raise ModelError(
                f"the target has shape {shape_text(target.shape)} but '{scores}' has "
                f"{shape_text(size)}"
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
    return finish(new)
