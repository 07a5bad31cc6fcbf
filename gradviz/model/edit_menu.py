"""The structural edits offered on a node or an edge, for the canvas's context
menus: :func:`node_edits` and :func:`edge_edits` list them (each with the reason
where it is refused, found by trying it), :func:`apply_edit` performs one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from gradviz.engine.ops import ACTIVATIONS
from gradviz.model.builder import ACTIVATION_LABELS
from gradviz.model.fileformat import ModelError
from gradviz.model.network import Network
from gradviz.model.structure import (
    add_bias,
    change_loss,
    change_op,
    change_width,
    delete_node,
    insert_activation,
    remove_bias,
    width_plan,
)

__all__ = ["EditOption", "apply_edit", "edge_edits", "node_edits"]


@dataclass(frozen=True)
class EditOption:
    """One entry of a context menu: ``action`` names the function here, ``args`` its
    keyword arguments besides the network, ``needs`` a value the caller asks the user
    for first (``"width"`` or ``"index_or_target"``), ``reason`` why it is refused
    (None when it applies)."""

    action: str
    text: str
    args: dict[str, Any] = field(default_factory=dict)
    needs: str | None = None
    reason: str | None = None

    @property
    def enabled(self) -> bool:
        return self.reason is None


_ACTIONS = {
    f.__name__: f
    for f in (
        insert_activation,
        change_op,
        add_bias,
        remove_bias,
        change_width,
        delete_node,
        change_loss,
    )
}


def apply_edit(net: Network, option: EditOption, **values: Any) -> Network:
    """Run ``option`` on ``net`` with the asked-for ``values`` (e.g. ``width=4``)."""
    if option.reason is not None:
        raise ModelError(option.reason)
    return _ACTIONS[option.action](net, **option.args, **values)


def _probe(
    net: Network, action: str, text: str, args: dict[str, Any], needs: str | None = None
) -> EditOption:
    """An option whose ``reason`` comes from trying it (a width plan for widths)."""
    try:
        if needs == "width":
            width_plan(net, args["layer_node_id"])
        elif needs is None:
            _ACTIONS[action](net, **args)
        reason = None
    except ModelError as e:
        reason = str(e)
    return EditOption(action, text, args, needs, reason)


def node_edits(net: Network, node_id: str) -> list[EditOption]:
    """The structural edits offered on a node (enabled or with their reason)."""
    n = net.node(node_id)
    opts: list[EditOption] = []
    if n.op in ACTIVATIONS:
        for act in ACTIVATIONS:
            if act != n.op:
                opts.append(
                    _probe(
                        net,
                        "change_op",
                        f"Change to {ACTIVATION_LABELS[act]}",
                        {"node_id": node_id, "new_act": act},
                    )
                )
    if n.op == "matmul":
        opts.append(_probe(net, "add_bias", "Add a bias", {"node_id": node_id}))
    if n.op == "add":
        opts.append(_probe(net, "remove_bias", "Remove the bias", {"bias_add_node_id": node_id}))
    if n.op in ("matmul", "add", "input", *ACTIVATIONS):
        opts.append(
            _probe(
                net, "change_width", "Change the width…", {"layer_node_id": node_id}, needs="width"
            )
        )
    if node_id == net.loss or node_id == net.output:
        for kind, text in (
            ("softmax", "Loss: softmax and −ln of a class…"),
            ("mse", "Loss: mean squared error to a target…"),
        ):
            opts.append(EditOption("change_loss", text, {"kind": kind}, "index_or_target"))
    opts.append(_probe(net, "delete_node", "Delete", {"node_id": node_id}))
    return opts


def edge_edits(net: Network, src: str, dst: str) -> list[EditOption]:
    """The structural edits offered on the edge ``src → dst``."""
    return [
        _probe(
            net,
            "insert_activation",
            f"Insert {ACTIVATION_LABELS[act]}",
            {"src": src, "dst": dst, "act": act},
        )
        for act in ACTIVATIONS
    ]
