"""Checking a network's structure and shapes, whether loaded, built or edited.

:func:`validate` raises :class:`ModelError` (one sentence, without a file name)
on the first fault; :mod:`gradviz.model.fileformat` adds the file's name when it
loads one.
"""

from __future__ import annotations

import json

import numpy as np

from gradviz.engine.ops import OPS, ShapeError
from gradviz.model.network import Network

__all__ = ["ModelError", "validate"]


class ModelError(ValueError):
    """A network that cannot be loaded; ``str()`` is the whole one-line message."""


def validate(net: Network) -> None:
    """Structure and shapes: unique ids, known ops, existing inputs in the right
    number, leaves with values, no cycles, every op's inputs fit, ``output`` and
    ``loss`` exist and the loss is a scalar (shape ``()`` or ``(1,)``). Works on
    networks built or edited in memory as well as loaded ones. Raises
    :class:`ModelError` (without the file name) on the first fault."""
    ids: set[str] = set()
    for node in net.nodes:
        if node.id in ids:
            raise ModelError(f"node '{node.id}': duplicate id")
        ids.add(node.id)
    for node in net.nodes:
        spec = OPS.get(node.op)
        if spec is None:
            raise ModelError(f"node '{node.id}': unknown op {json.dumps(node.op)}")
        for src in node.inputs:
            if src not in ids:
                raise ModelError(f"node '{node.id}': input '{src}' is not a node")
        if len(node.inputs) != spec.arity:
            raise ModelError(
                f"node '{node.id}': {node.op} takes {spec.arity} input(s), got {len(node.inputs)}"
            )
        if spec.arity == 0 and node.value is None:
            raise ModelError(f"node '{node.id}': 'value' is missing")
    for key in ("output", "loss"):
        ref = getattr(net, key)
        if ref is not None and ref not in ids:
            raise ModelError(f"key '{key}': {json.dumps(ref)} is not a node")
    try:
        order = net.topological_order()
    except ValueError as e:
        raise ModelError(str(e)) from None
    shapes: dict[str, tuple[int, ...]] = {}
    for nid in order:
        node = net.node(nid)
        spec = OPS[node.op]
        if node.value is not None and spec.arity == 0:
            shapes[nid] = tuple(np.shape(node.value))
            continue
        try:
            shapes[nid] = spec.infer_shape([shapes[s] for s in node.inputs], node.attrs)
        except ShapeError as e:
            raise ModelError(f"node '{nid}': {e}") from None
    if net.loss is not None and shapes[net.loss] not in ((), (1,)):
        raise ModelError(
            f"key 'loss': node '{net.loss}' is not a scalar (shape {shapes[net.loss]})"
        )
