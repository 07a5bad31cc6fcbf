"""The gradviz file format: JSON, UTF-8, versioned.

::

    {"format": "gradviz", "version": 1, "title": "Exercise 3",
     "nodes": [{"id": "E", "op": "input", "value": [1, -1]},
               {"id": "z", "op": "matmul", "inputs": ["P", "E"], "label": "P×E"}, …],
     "output": "f", "loss": "l"}

:func:`load` validates everything and raises :class:`ModelError` with one
sentence naming the file and the node or key at fault. :func:`save` writes
atomically (a temporary file in the same folder, then a rename). Files are data
only: nothing in them is ever executed.

:func:`~gradviz.model.validation.validate` (structure and shapes) and the number
handling (:mod:`gradviz.model.json_values`) live apart; ``ModelError`` and
``validate`` are importable from here as ever.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from gradviz.engine.ops import OPS
from gradviz.model.atomic import write_text_atomic
from gradviz.model.examples import example_path
from gradviz.model.json_values import (
    Fail,
    NonFinite,
    finite_array,
    first_nonfinite,
    json_type,
    number_array,
    plain_lists,
)
from gradviz.model.network import NODE_KEYS, Network, Node
from gradviz.model.validation import ModelError, validate

__all__ = [
    "FORMAT",
    "VERSION",
    "ModelError",
    "dumps",
    "from_dict",
    "load",
    "loads",
    "resolve",
    "save",
    "to_dict",
    "validate",
]

FORMAT = "gradviz"
VERSION = 1
MAX_FILE_BYTES = 64 * 1024 * 1024


def resolve(path_or_name: str | os.PathLike[str]) -> Path:
    """A path as given if it exists, else a bundled example of that name."""
    p = Path(path_or_name)
    if p.exists():
        return p
    found = example_path(str(path_or_name))
    return found if found is not None else p


def load(path_or_name: str | os.PathLike[str]) -> Network:
    """Read and validate a network file (or a bundled example by name)."""
    path = resolve(path_or_name)
    where = str(path)
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise ModelError(f"{where}: the file is larger than {MAX_FILE_BYTES // 2**20} MB")
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise ModelError(f"{where}: no such file or bundled example") from None
    except IsADirectoryError:
        raise ModelError(f"{where}: is a folder, not a network file") from None
    except UnicodeDecodeError as e:
        raise ModelError(f"{where}: not UTF-8 text (byte {e.start})") from None
    except OSError as e:
        raise ModelError(f"{where}: cannot be read ({e.strerror})") from None
    return loads(text, where)


def loads(text: str, where: str = "<text>") -> Network:
    """Parse and validate the JSON text of a network."""
    try:
        data = json.loads(text, parse_constant=NonFinite.constant, parse_float=NonFinite.number)
    except RecursionError:
        raise ModelError(f"{where}: the JSON is nested too deeply") from None
    except ValueError as e:
        raise ModelError(f"{where}: not valid JSON ({e})") from None
    return from_dict(data, where)


def from_dict(data: Any, where: str = "<data>") -> Network:
    """Validate a decoded JSON document and build the :class:`Network`."""

    def fail(msg: str) -> ModelError:
        return ModelError(f"{where}: {msg}")

    if not isinstance(data, dict):
        raise fail(f"the top level must be a JSON object, not {json_type(data)}")
    if data.get("format") != FORMAT:
        raise fail(f"key 'format' must be \"{FORMAT}\"")
    version = data.get("version")
    if version != VERSION or isinstance(version, bool):
        raise fail(f"unknown version {json.dumps(version)} (this gradviz reads version {VERSION})")
    title = data.get("title", "")
    if not isinstance(title, str):
        raise fail("key 'title' must be a string")
    raw_nodes = data.get("nodes")
    if not isinstance(raw_nodes, list) or not raw_nodes:
        raise fail("key 'nodes' must be a non-empty list")

    nodes: list[Node] = []
    seen: set[str] = set()
    for k, raw in enumerate(raw_nodes):
        node = _parse_node(raw, k, seen, fail)
        seen.add(node.id)
        nodes.append(node)
    for node in nodes:
        for src in node.inputs:
            if src not in seen:
                raise fail(f"node '{node.id}': input '{src}' is not a node")

    extra = {
        k: v
        for k, v in data.items()
        if k not in ("format", "version", "title", "nodes", "output", "loss")
    }
    net = Network(nodes, title, None, None, extra)
    for key in ("output", "loss"):
        ref = data.get(key)
        if ref is None:
            continue
        if not isinstance(ref, str) or not net.has_node(ref):
            raise fail(f"key '{key}': {json.dumps(ref)} is not a node")
        setattr(net, key, ref)
    try:
        validate(net)
    except ModelError as e:
        raise fail(str(e)) from None
    # keys gradviz only keeps (pos, notes …) must be finite too: JSON cannot hold the rest
    for node, raw in zip(nodes, raw_nodes, strict=True):
        bad = first_nonfinite(raw)
        if bad is not None:
            raise fail(
                f"node '{node.id}': key '{bad[0].lstrip('.')}' holds {bad[1]}; "
                "only finite numbers are allowed"
            )
    bad = first_nonfinite(extra)
    if bad is not None:
        raise fail(f"key '{bad[0].lstrip('.')}' holds {bad[1]}; only finite numbers are allowed")
    return net


def _parse_node(raw: Any, k: int, seen: set[str], fail: Fail) -> Node:
    """One entry of ``nodes`` as a :class:`Node` (its inputs are checked later)."""
    if not isinstance(raw, dict):
        raise fail(f"nodes[{k}] must be an object, not {json_type(raw)}")
    nid = raw.get("id")
    if not isinstance(nid, str) or not nid:
        raise fail(f"nodes[{k}]: key 'id' must be a non-empty string")
    if nid in seen:
        raise fail(f"node '{nid}': duplicate id")
    op = raw.get("op")
    if not isinstance(op, str) or op not in OPS:
        known = ", ".join(sorted(OPS))
        raise fail(f"node '{nid}': unknown op {json.dumps(op)} (known: {known})")
    spec = OPS[op]
    inputs = raw.get("inputs", [])
    if not isinstance(inputs, list) or not all(isinstance(s, str) for s in inputs):
        raise fail(f"node '{nid}': 'inputs' must be a list of node ids")
    if len(inputs) != spec.arity:
        raise fail(f"node '{nid}': {op} takes {spec.arity} input(s), got {len(inputs)}")
    label = raw.get("label")
    if label is not None and not isinstance(label, str):
        raise fail(f"node '{nid}': 'label' must be a string")
    node = Node(
        nid,
        op,
        list(inputs),
        label=label,
        extra={key: v for key, v in raw.items() if key not in NODE_KEYS},
    )
    if spec.arity == 0:
        node.value = number_array(raw.get("value"), f"node '{nid}': 'value'", fail)
    if "index" in spec.attributes:
        index = raw.get("index")
        if not isinstance(index, int) or isinstance(index, bool):
            raise fail(f"node '{nid}': 'index' must be an integer (0-based)")
        node.attrs["index"] = index
    if "target" in spec.attributes:
        node.attrs["target"] = number_array(raw.get("target"), f"node '{nid}': 'target'", fail)
    return node


def to_dict(net: Network) -> dict[str, Any]:
    """The JSON document of a network; unknown keys come back where they were.

    Raises :class:`ModelError` when a value or target is NaN or infinite (after a
    diverging gradient step, say): JSON cannot hold it and :func:`load` would refuse
    the file, so none is ever written."""
    nodes = []
    for n in net.nodes:
        d: dict[str, Any] = {"id": n.id, "op": n.op}
        if n.inputs:
            d["inputs"] = list(n.inputs)
        if n.value is not None:
            d["value"] = plain_lists(finite_array(n.value, n.id, "value"))
        if "index" in n.attrs:
            d["index"] = int(n.attrs["index"])
        if "target" in n.attrs:
            d["target"] = plain_lists(finite_array(n.attrs["target"], n.id, "target"))
        if n.label is not None:
            d["label"] = n.label
        d.update(n.extra)
        nodes.append(d)
    doc: dict[str, Any] = {"format": FORMAT, "version": VERSION, "title": net.title}
    doc.update(net.extra)
    doc["nodes"] = nodes
    if net.output is not None:
        doc["output"] = net.output
    if net.loss is not None:
        doc["loss"] = net.loss
    return doc


def dumps(net: Network) -> str:
    """Pretty JSON: one node per line, so diffs of saved networks stay small."""
    doc = to_dict(net)
    head = {k: v for k, v in doc.items() if k != "nodes"}
    lines = [json.dumps(n, ensure_ascii=False) for n in doc["nodes"]]
    body = json.dumps(head, ensure_ascii=False, indent=2)[:-2]
    nodes_text = ",\n    ".join(lines)
    return f'{body},\n  "nodes": [\n    {nodes_text}\n  ]\n}}\n'


def save(net: Network, path: str | os.PathLike[str]) -> None:
    """Write atomically: a temporary file beside ``path``, flushed, then renamed
    over it, so a crash or a full disk never leaves half a file."""
    write_text_atomic(path, dumps(net))
