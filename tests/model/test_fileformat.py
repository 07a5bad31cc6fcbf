"""The file format, the Network model, the layout and the public API.

Round trips keep every key gradviz does not interpret; saving is atomic (no
temporary file left behind, the old file intact when the write fails); the
layered layout puts every node left of its consumers.
"""

from __future__ import annotations

import json
import os
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import gradviz
from gradviz.model import fileformat
from gradviz.model.examples import example_names, example_path
from gradviz.model.fileformat import (
    ModelError,
    dumps,
    from_dict,
    load,
    loads,
    save,
    to_dict,
    validate,
)
from gradviz.model.layout import COLUMN_SPACING, layered_layout, positions
from gradviz.model.network import Network, Node


def rich_doc() -> dict[str, Any]:
    """exercise3 plus every kind of key gradviz keeps without interpreting."""
    path = example_path("exercise3")
    assert path is not None
    doc: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    doc["meta"] = {"course": "ML 1", "week": 3, "tags": ["backprop", "jacobian"]}
    doc["nodes"][0]["pos"] = [-120.5, 40]
    doc["nodes"][2]["pos"] = [100, 0]
    doc["nodes"][2]["note"] = {"colour": "#ff0000", "shown": True, "w": [1, 2.5]}
    doc["nodes"][1]["label"] = "P (weights)"
    doc["nodes"].append(
        {"id": "m", "op": "mse", "inputs": ["z2"], "target": [0.25, -1], "label": "MSE"}
    )
    return doc


# --- load / save round trip --------------------------------------------------------


def test_round_trip_keeps_every_key(tmp_path: Path) -> None:
    doc = rich_doc()
    net = from_dict(doc)
    save(net, tmp_path / "net.json")
    again = load(tmp_path / "net.json")
    assert to_dict(again) == to_dict(net)
    back = json.loads((tmp_path / "net.json").read_text(encoding="utf-8"))
    assert back["meta"] == doc["meta"]
    assert back["description"] == doc["description"]
    assert back["title"] == "Exercise 3" and back["output"] == "f" and back["loss"] == "l"
    by_id = {n["id"]: n for n in back["nodes"]}
    assert by_id["E"]["pos"] == [-120.5, 40]
    assert by_id["z"]["note"] == {"colour": "#ff0000", "shown": True, "w": [1, 2.5]}
    assert by_id["P"]["label"] == "P (weights)"
    assert by_id["l"]["index"] == 0
    assert by_id["m"]["target"] == [0.25, -1]
    assert [n["id"] for n in back["nodes"]] == [n["id"] for n in doc["nodes"]]  # file order
    for n in doc["nodes"]:  # every node comes back with exactly its keys and values
        assert by_id[n["id"]] == n


def test_dumps_is_stable_and_readable() -> None:
    net = from_dict(rich_doc())
    text = dumps(net)
    assert dumps(loads(text)) == text
    assert '{"id": "P", "op": "param", "value": [[3, 1], [1, 0], [-1, 2]], ' in text  # ints
    assert "\u2212ln" in text  # UTF-8, not \\u escapes
    assert text.endswith("}\n")


def test_values_round_trip_bit_for_bit(tmp_path: Path) -> None:
    doc = rich_doc()
    tricky = [0.1, 1 / 3, -2.5e-300, 1e300, -0.0, 2.0**53 + 2, 123456789.123456789]
    doc["nodes"].insert(0, {"id": "T", "op": "param", "value": tricky})
    save(from_dict(doc), tmp_path / "t.json")
    value = load(tmp_path / "t.json").node("T").value
    assert value is not None
    np.testing.assert_array_equal(value, np.array(tricky))
    assert '"value": [0.1, 0.3333333333333333, -2.5e-300, 1e+300, 0, ' in (
        tmp_path / "t.json"
    ).read_text(encoding="utf-8")  # -0.0 is written as 0


def test_file_order_need_not_be_topological() -> None:
    doc = rich_doc()
    doc["nodes"].reverse()
    net = from_dict(doc)
    assert net.param_ids == ["Q", "P"]  # Θ follows the file, not the computation
    ev = net.evaluate()
    assert ev.theta_names[:6] == ["Q[1,1]", "Q[1,2]", "Q[1,3]", "Q[2,1]", "Q[2,2]", "Q[2,3]"]
    assert ev.gradient is not None
    np.testing.assert_array_equal(ev.gradient, [-1, -0.5, 0, 1, 0.5, 0, -1.5, 1.5, 3, -3, 0, 0])


def test_loss_of_shape_one_is_a_scalar() -> None:
    net = from_dict(
        {
            "format": "gradviz",
            "version": 1,
            "nodes": [
                {"id": "x", "op": "input", "value": [1, 2]},
                {"id": "w", "op": "param", "value": [[0.5, -1]]},
                {"id": "y", "op": "matmul", "inputs": ["w", "x"]},
            ],
            "loss": "y",
        }
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ev = net.evaluate()
    assert ev.loss == -1.5 and type(ev.loss) is float
    assert ev.gradient is not None
    np.testing.assert_array_equal(ev.gradient, [1, 2])


def test_model_error_is_one_line_naming_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(
        '{"format": "gradviz", "version": 1, "nodes": [{"id": "a", "op": "nope"}]}',
        encoding="utf-8",
    )
    with pytest.raises(ModelError) as info:
        load(bad)
    assert str(info.value) == (
        f"{bad}: node 'a': unknown op \"nope\" (known: add, input, "
        "matmul, mse, neg_log, param, relu, sigmoid, softmax, tanh)"
    )


# --- atomic save -------------------------------------------------------------------


def test_save_leaves_no_temporary_file(tmp_path: Path) -> None:
    net = gradviz.load("exercise3")
    for _ in range(3):
        save(net, tmp_path / "net.json")
    assert [p.name for p in tmp_path.iterdir()] == ["net.json"]


def test_failed_rename_keeps_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "net.json"
    target.write_text("the old contents", encoding="utf-8")

    def refuse(src: Any, dst: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(fileformat.os, "replace", refuse)
    with pytest.raises(OSError, match="No space left"):
        save(gradviz.load("exercise3"), target)
    assert target.read_text(encoding="utf-8") == "the old contents"
    assert [p.name for p in tmp_path.iterdir()] == ["net.json"]


def test_failed_write_keeps_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "net.json"
    target.write_text("the old contents", encoding="utf-8")

    def fail_fsync(fd: int) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(fileformat.os, "fsync", fail_fsync)
    with pytest.raises(OSError):
        save(gradviz.load("exercise3"), target)
    assert target.read_text(encoding="utf-8") == "the old contents"
    assert [p.name for p in tmp_path.iterdir()] == ["net.json"]


def test_save_replaces_in_place(tmp_path: Path) -> None:
    target = tmp_path / "net.json"
    target.write_text("old", encoding="utf-8")
    save(gradviz.load("exercise3"), target)
    assert load(target).title == "Exercise 3"
    assert os.stat(target).st_size > 100


# --- the Network model -------------------------------------------------------------


def test_theta_and_set_theta() -> None:
    net = gradviz.load("exercise3")
    np.testing.assert_array_equal(net.theta, [3, 1, 1, 0, -1, 2, 1, -1, 3, -2, 5, 4])
    copy = net.copy()
    copy.set_theta(np.arange(12.0))
    np.testing.assert_array_equal(copy.node("P").value, [[0, 1], [2, 3], [4, 5]])
    np.testing.assert_array_equal(copy.node("Q").value, [[6, 7, 8], [9, 10, 11]])
    np.testing.assert_array_equal(net.theta, [3, 1, 1, 0, -1, 2, 1, -1, 3, -2, 5, 4])


def test_a_copy_shares_nothing_it_could_change() -> None:
    net = gradviz.load("exercise3")
    net.node("P").extra["pos"] = [10.0, 20.0]
    net.extra["note"] = {"by": ["a teacher"]}
    net.to_program()  # cached on the original
    twin = net.copy()
    assert twin._program_cache is None  # keyed by the original's arrays: of no use
    assert [n.id for n in twin.nodes] == [n.id for n in net.nodes]
    assert (twin.title, twin.output, twin.loss) == (net.title, net.output, net.loss)
    np.testing.assert_array_equal(twin.theta, net.theta)
    twin.node("P").value[0, 0] = 99.0
    twin.node("P").extra["pos"][0] = -1.0
    twin.node("z").inputs.append("Q")
    twin.node("l").attrs["index"] = 1
    twin.extra["note"]["by"].append("a student")
    assert net.node("P").value[0, 0] == 3.0 and net.node("P").extra["pos"] == [10.0, 20.0]
    assert net.node("z").inputs == ["P", "E"] and net.node("l").attrs["index"] == 0
    assert net.extra["note"] == {"by": ["a teacher"]}
    assert (
        gradviz.evaluate(net.copy()).values["f"].tolist()
        == gradviz.evaluate(net).values["f"].tolist()
    )


def test_graph_and_consumers() -> None:
    net = gradviz.load("exercise3")
    g = net.graph
    assert set(g.nodes) == {"E", "P", "z", "g", "Q", "z2", "f", "l"}
    assert g.edges["P", "z"]["position"] == 0 and g.edges["E", "z"]["position"] == 1
    assert g.nodes["z"]["label"] == "P×E" and g.nodes["E"]["label"] == "E"
    assert g.number_of_edges() == 7
    assert net.consumers("g") == ["z2"]
    assert net.topological_order() == ["E", "P", "z", "g", "Q", "z2", "f", "l"]


def test_public_api() -> None:
    net = gradviz.load("exercise3")
    assert isinstance(net, Network)
    r = gradviz.evaluate(net)
    for name in ("theta", "jacobian", "gradient"):
        assert isinstance(getattr(r, name), np.ndarray), name
    assert all(isinstance(v, np.ndarray) and v.dtype == np.float64 for v in r.values.values())
    assert r.loss is not None and r.theta_names[0] == "P[1,1]"
    path = example_path("exercise3")
    assert path is not None and "exercise3" in example_names()
    assert gradviz.evaluate(path).loss == r.loss  # a path works as well as a name
    assert gradviz.evaluate("exercise3").loss == r.loss


# --- layout ------------------------------------------------------------------------


def assert_left_to_right(net: Network, pos: dict[str, tuple[float, float]]) -> None:
    for n in net.nodes:
        for src in n.inputs:
            assert pos[src][0] < pos[n.id][0], (src, n.id)
    assert len(set(pos.values())) == len(pos)  # no two nodes on the same spot


def test_layout_of_exercise3() -> None:
    net = gradviz.load("exercise3")
    pos = layered_layout(net)
    assert_left_to_right(net, pos)
    assert pos["E"][0] == pos["P"][0] == 0.0  # inputs and params in the first column
    assert pos["Q"][0] == pos["z2"][0] - COLUMN_SPACING  # Q right before Q×·, as on the sheet
    assert pos["z"][1] == pos["z2"][1] == pos["l"][1] == 0.0


@pytest.mark.parametrize("seed", range(20))
def test_layout_of_random_dags(seed: int) -> None:
    rng = np.random.default_rng(seed)
    nodes: list[dict[str, Any]] = [{"id": "x0", "op": "input", "value": [1.0, 2.0]}]
    for k in range(1, int(rng.integers(3, 14))):
        kind = rng.choice(["param", "input", "add", "tanh"], p=[0.2, 0.1, 0.45, 0.25])
        if kind in ("param", "input"):
            nodes.append({"id": f"n{k}", "op": str(kind), "value": rng.normal(size=2).tolist()})
        else:
            arity = 2 if kind == "add" else 1
            picks = rng.integers(0, len(nodes), size=arity)
            nodes.append(
                {"id": f"n{k}", "op": str(kind), "inputs": [nodes[int(i)]["id"] for i in picks]}
            )
    net = from_dict({"format": "gradviz", "version": 1, "nodes": nodes})
    assert_left_to_right(net, layered_layout(net))


def test_saved_positions_win() -> None:
    net = from_dict(rich_doc())
    pos = positions(net)
    assert pos["E"] == (-120.5, 40.0)
    assert pos["z"] == (100.0, 0.0)
    assert pos["g"] == layered_layout(net)["g"]


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_save_refuses_what_load_would_refuse(tmp_path: Path, bad: float) -> None:
    net = gradviz.load("exercise3")
    q = net.node("Q").value
    assert q is not None
    q[1, 2] = bad
    target = tmp_path / "net.json"
    target.write_text("old", encoding="utf-8")
    with pytest.raises(ModelError, match=r"node 'Q': 'value' holds .* at \[1\]\[2\]; "):
        save(net, target)
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["net.json"]


def test_set_theta_checks_its_length() -> None:
    net = gradviz.load("exercise3")
    with pytest.raises(ValueError, match="Θ needs 12 entries, got shape"):
        net.set_theta(np.zeros(11))
    np.testing.assert_array_equal(net.theta, [3, 1, 1, 0, -1, 2, 1, -1, 3, -2, 5, 4])


@pytest.mark.parametrize("pos", [["a", 1], [1], [True, 2], None, "0,0", [1, 2, 3]])
def test_a_malformed_saved_position_falls_back_to_the_layout(pos: Any) -> None:
    doc = rich_doc()
    doc["nodes"][0]["pos"] = pos
    net = from_dict(doc)
    assert net.node("E").pos is None
    assert positions(net)["E"] == layered_layout(net)["E"]
    assert net.node("E").extra["pos"] == pos  # still kept for the round trip


def _edited(change: str) -> Network:
    net = gradviz.load("exercise3")
    if change == "duplicate":
        net.nodes.append(Node("z", "relu", ["g"]))
    elif change == "unknown-op":
        net.node("g").op = "gelu"
    elif change == "unknown-input":
        net.node("z2").inputs = ["Q", "h"]
    elif change == "arity":
        net.node("z").inputs = ["P"]
    elif change == "no-value":
        net.node("Q").value = None
    elif change == "output":
        net.output = "gone"
    elif change == "cycle":
        net.node("z").inputs = ["P", "g"]
    elif change == "shape":
        net.node("E").value = np.zeros(3)
    return net


@pytest.mark.parametrize(
    "change,message",
    [
        ("duplicate", "node 'z': duplicate id"),
        ("unknown-op", "node 'g': unknown op \"gelu\""),
        ("unknown-input", "node 'z2': input 'h' is not a node"),
        ("arity", "node 'z': matmul takes 2 input(s), got 1"),
        ("no-value", "node 'Q': 'value' is missing"),
        ("output", "key 'output': \"gone\" is not a node"),
        ("cycle", "node 'z' is on a cycle"),
        ("shape", "node 'z': matmul of (3, 2) by (3,) does not fit"),
    ],
)
def test_validate_networks_edited_in_memory(change: str, message: str) -> None:
    """The editor validates networks it changed in memory: a ModelError, never a
    KeyError or AssertionError."""
    with pytest.raises(ModelError) as info:
        validate(_edited(change))
    assert str(info.value) == message
