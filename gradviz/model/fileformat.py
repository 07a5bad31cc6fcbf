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
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any

import numpy as np

from gradviz.engine.ops import OPS, ShapeError
from gradviz.model.atomic import write_text_atomic
from gradviz.model.examples import example_path
from gradviz.model.network import NODE_KEYS, Network, Node

FORMAT = "gradviz"
VERSION = 1
MAX_FILE_BYTES = 64 * 1024 * 1024


class ModelError(ValueError):
    """A network that cannot be loaded; ``str()`` is the whole one-line message."""


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
        data = json.loads(text, parse_constant=_NonFinite.constant, parse_float=_NonFinite.number)
    except RecursionError:
        raise ModelError(f"{where}: the JSON is nested too deeply") from None
    except ValueError as e:
        raise ModelError(f"{where}: not valid JSON ({e})") from None
    return from_dict(data, where)


class _NonFinite(float):
    """A JSON number gradviz refuses (``NaN``, ``Infinity``, ``1e400``), kept with
    the text it was written as so that the error can quote it and name its node."""

    text: str

    @classmethod
    def constant(cls, name: str) -> float:
        """``parse_constant`` hook: ``NaN``, ``Infinity``, ``-Infinity``."""
        out = cls(float(name))
        out.text = name
        return out

    @classmethod
    def number(cls, text: str) -> float:
        """``parse_float`` hook: a plain float unless it overflows float64."""
        value = float(text)
        if math.isfinite(value):
            return value
        out = cls(value)
        out.text = text
        return out


def _first_nonfinite(value: Any, path: str = "") -> tuple[str, str] | None:
    """(where, as written) of the first refused number inside a decoded JSON value."""
    if isinstance(value, _NonFinite):
        return path, value.text
    if isinstance(value, float) and not math.isfinite(value):
        return path, repr(value)
    items: Any = (
        value.items()
        if isinstance(value, dict)
        else enumerate(value)
        if isinstance(value, list)
        else ()
    )
    for key, v in items:
        sub = f"{path}.{key}" if isinstance(key, str) else f"{path}[{key}]"
        found = _first_nonfinite(v, sub)
        if found is not None:
            return found
    return None


def from_dict(data: Any, where: str = "<data>") -> Network:
    """Validate a decoded JSON document and build the :class:`Network`."""

    def fail(msg: str) -> ModelError:
        return ModelError(f"{where}: {msg}")

    if not isinstance(data, dict):
        raise fail(f"the top level must be a JSON object, not {_json_type(data)}")
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
        bad = _first_nonfinite(raw)
        if bad is not None:
            raise fail(
                f"node '{node.id}': key '{bad[0].lstrip('.')}' holds {bad[1]}; "
                "only finite numbers are allowed"
            )
    bad = _first_nonfinite(extra)
    if bad is not None:
        raise fail(f"key '{bad[0].lstrip('.')}' holds {bad[1]}; only finite numbers are allowed")
    return net


def _parse_node(raw: Any, k: int, seen: set[str], fail: Any) -> Node:
    if not isinstance(raw, dict):
        raise fail(f"nodes[{k}] must be an object, not {_json_type(raw)}")
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
        node.value = _number_array(raw.get("value"), f"node '{nid}': 'value'", fail)
    if "index" in spec.attributes:
        index = raw.get("index")
        if not isinstance(index, int) or isinstance(index, bool):
            raise fail(f"node '{nid}': 'index' must be an integer (0-based)")
        node.attrs["index"] = index
    if "target" in spec.attributes:
        node.attrs["target"] = _number_array(raw.get("target"), f"node '{nid}': 'target'", fail)
    return node


def _number_array(value: Any, what: str, fail: Any) -> np.ndarray:
    """A finite float64 array of at most two dimensions, or a one-line error."""
    if value is None:
        raise fail(f"{what} is missing")
    depth = _plain_depth(value)
    if depth is None:
        depth = _nesting(value)
    if depth < 0:
        raise fail(f"{what} must hold only numbers")
    if depth > 2:
        raise fail(f"{what} is nested {depth} deep; gradviz takes scalars, vectors and matrices")
    try:
        arr = np.asarray(value, dtype=np.float64)
    except OverflowError:
        raise fail(f"{what} holds a number too large for float64") from None
    except ValueError:
        raise fail(f"{what} is ragged (rows of different lengths)") from None
    if arr.size == 0:
        raise fail(f"{what} is empty")
    if not np.all(np.isfinite(arr)):
        bad = _first_nonfinite(value)
        at, text = bad if bad is not None else ("", "a number too large for float64")
        at_text = f" at {at}" if at else ""
        why = (
            "is too large for float64"
            if text.lstrip("+-")[:1].isdigit()
            else "is not a finite number"
        )
        raise fail(f"{what} holds {text}{at_text}, which {why}")
    return arr


def _plain_depth(value: Any) -> int | None:
    """1 or 2 for a plain vector or matrix of ints and floats (the usual case, checked
    by type sets: a million entries in well under a second), else None."""
    if type(value) is not list or not value:
        return None
    if all(type(v) is list and v for v in value):
        kinds = {type(x) for row in value for x in row}
        return 2 if kinds <= {int, float} else None
    kinds = {type(v) for v in value}
    return 1 if kinds <= {int, float} else None


def _nesting(value: Any, depth: int = 0) -> int:
    """How deep lists nest around the numbers; -1 when anything is not a number."""
    if isinstance(value, bool):
        return -1
    if isinstance(value, (int, float)):
        return depth
    if isinstance(value, list) and depth < 3:
        if not value:
            return depth + 1
        inner = [_nesting(v, depth + 1) for v in value]
        return -1 if min(inner) < 0 else max(inner)
    return depth + 1 if isinstance(value, list) else -1


def validate(net: Network) -> None:
    """Structure and shapes: unique ids, known ops, existing inputs in the right
    number, leaves with values, no cycles, every op's inputs fit, ``output`` and
    ``loss`` exist and the loss is a scalar. Works on networks built or edited in
    memory as well as loaded ones. Raises :class:`ModelError` (without the file
    name) on the first fault."""
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
            d["value"] = _plain(_finite(n.value, n.id, "value"))
        if "index" in n.attrs:
            d["index"] = int(n.attrs["index"])
        if "target" in n.attrs:
            d["target"] = _plain(_finite(np.asarray(n.attrs["target"]), n.id, "target"))
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


def _finite(a: np.ndarray, nid: str, key: str) -> np.ndarray:
    """``a`` itself when every entry is finite, else a one-line :class:`ModelError`."""
    arr = np.asarray(a, dtype=np.float64)
    if not np.all(np.isfinite(arr)):
        bad = tuple(int(i) for i in np.argwhere(~np.isfinite(arr))[0])
        at = " at " + "".join(f"[{i}]" for i in bad) if bad else ""
        raise ModelError(
            f"node '{nid}': '{key}' holds {float(arr[bad])}{at}; "
            "a network file holds finite numbers only"
        )
    return arr


def _plain(a: np.ndarray) -> Any:
    """Nested lists, integers written without ``.0`` so files stay readable."""
    as_list = np.asarray(a, dtype=np.float64).tolist()

    def tidy(v: Any) -> Any:
        if isinstance(v, list):
            return [tidy(x) for x in v]
        return int(v) if float(v).is_integer() and abs(v) < 2**53 else v

    return tidy(as_list)


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


def _json_type(v: Any) -> str:
    return {
        dict: "an object",
        list: "a list",
        str: "a string",
        bool: "a boolean",
        int: "a number",
        float: "a number",
        type(None): "null",
    }.get(type(v), type(v).__name__)
