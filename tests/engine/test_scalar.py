"""Tests for gradviz.engine.scalar: every tensor op expanded into scalars.

The sheet's network gives exact numbers (40 scalars, ``∂l/∂p₂,₁ = 3``); random
networks (``random_network``, also used by ``test_paths`` and ``test_walk``) check
that the scalar reverse pass reproduces the tensor engine's gradients and Jacobian.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

import gradviz
from gradviz.engine.evaluate import Evaluation, Program
from gradviz.engine.exact import format_scalar
from gradviz.engine.scalar import ScalarGraph, entry_name, expand
from gradviz.model.fileformat import from_dict
from gradviz.model.network import Network

SEEDS = range(40)
RTOL, ATOL = 1e-9, 1e-12


def doc(
    nodes: list[dict[str, Any]], output: str | None = None, loss: str | None = None
) -> dict[str, Any]:
    """A file-format document around ``nodes``."""
    d: dict[str, Any] = {"format": "gradviz", "version": 1, "title": "test", "nodes": nodes}
    if output is not None:
        d["output"] = output
    if loss is not None:
        d["loss"] = loss
    return d


def random_network(seed: int) -> Network:
    """A random layered network built through the file format: 1-3 layers of
    ``matmul`` (a matrix input now and then, so matrix × matrix), optional biases
    (``add``), skip connections and ``h + h`` (fan-out), tied weights (a parameter
    used twice), every activation, and a head of softmax + −ln (fused), sigmoid +
    −ln (not fused) or mse."""
    rng = np.random.default_rng(seed)

    def val(*shape: int) -> Any:
        return np.round(rng.normal(size=shape) * 1.5, 3).tolist()

    nodes: list[dict[str, Any]] = []
    matrix_input = rng.random() < 0.25
    n0 = int(rng.integers(1, 4))
    cols = (int(rng.integers(2, 4)),) if matrix_input else ()
    nodes.append({"id": "x", "op": "input", "value": val(n0, *cols)})
    cur, width = "x", n0
    prev: tuple[str, int] | None = None
    last_w: tuple[str, int, int] | None = None
    for i in range(int(rng.integers(1, 5))):
        new_width = width if rng.random() < 0.4 else int(rng.integers(1, 5))
        if last_w is not None and last_w[1] == last_w[2] == width and rng.random() < 0.5:
            w, new_width = last_w[0], width  # tied: the same square matrix again
        else:
            w = f"W{i}"
            nodes.append({"id": w, "op": "param", "value": val(new_width, width)})
            last_w = (w, new_width, width)
        nodes.append({"id": f"h{i}", "op": "matmul", "inputs": [w, cur]})
        cur, width = f"h{i}", new_width
        if rng.random() < 0.5:
            nodes.append({"id": f"b{i}", "op": "param", "value": val(width, *cols)})
            nodes.append({"id": f"hb{i}", "op": "add", "inputs": [cur, f"b{i}"]})
            cur = f"hb{i}"
        if prev is not None and prev[1] == width and rng.random() < 0.6:
            nodes.append({"id": f"skip{i}", "op": "add", "inputs": [cur, prev[0]]})
            cur = f"skip{i}"
        if rng.random() < 0.15:
            nodes.append({"id": f"twice{i}", "op": "add", "inputs": [cur, cur]})
            cur = f"twice{i}"
        act = str(rng.choice(["relu", "sigmoid", "tanh"]))
        nodes.append({"id": f"a{i}", "op": act, "inputs": [cur]})
        cur = prev_id = f"a{i}"
        prev = (prev_id, width)
    head = rng.random()
    if not matrix_input and head < 0.45:
        nodes.append({"id": "f", "op": "softmax", "inputs": [cur]})
        nodes.append(
            {"id": "l", "op": "neg_log", "inputs": ["f"], "index": int(rng.integers(0, width))}
        )
        return from_dict(doc(nodes, "f", "l"))
    if not matrix_input and head < 0.65:
        nodes.append({"id": "f", "op": "sigmoid", "inputs": [cur]})
        nodes.append(
            {"id": "l", "op": "neg_log", "inputs": ["f"], "index": int(rng.integers(0, width))}
        )
        return from_dict(doc(nodes, "f", "l"))
    shape = (width, *cols)
    nodes.append({"id": "l", "op": "mse", "inputs": [cur], "target": val(*shape)})
    return from_dict(doc(nodes, cur, "l"))


def setup(net: Network) -> tuple[Program, Evaluation, ScalarGraph]:
    program = net.to_program()
    ev = gradviz.evaluate(net)
    return program, ev, expand(program, ev)


@pytest.fixture(scope="module")
def sheet() -> tuple[Program, Evaluation, ScalarGraph]:
    return setup(gradviz.load("exercise3"))


# ------------------------------------------------------------------- the sheet's network


def test_sheet_counts_and_kinds(sheet: tuple[Program, Evaluation, ScalarGraph]) -> None:
    _, _, g = sheet
    kinds = [n.kind for n in g.nodes]
    # 2 + 6 + 6 leaves; P×E: 6 products + 3 sums; ReLU 3; Q×g: 6 products + 2 sums;
    # softmax: 2 exp, 1 shared sum, 2 divisions; −ln 1
    assert len(g) == 40
    assert {k: kinds.count(k) for k in set(kinds)} == {
        "input": 2,
        "param": 12,
        "mul": 12,
        "sum": 6,
        "relu": 3,
        "exp": 2,
        "div": 2,
        "neg_ln": 1,
    }
    assert g.edge_count == 48
    assert [n.id for n in g.nodes] == list(range(40))
    assert all(e.source < n.id for n in g.nodes for e in n.inputs)  # topological ids


def test_sheet_leaf_names_and_theta(sheet: tuple[Program, Evaluation, ScalarGraph]) -> None:
    _, ev, g = sheet
    assert [g.nodes[i].name for i in g.theta_ids] == [
        "p_{1,1}",
        "p_{1,2}",
        "p_{2,1}",
        "p_{2,2}",
        "p_{3,1}",
        "p_{3,2}",
        "q_{1,1}",
        "q_{1,2}",
        "q_{1,3}",
        "q_{2,1}",
        "q_{2,2}",
        "q_{2,3}",
    ]
    assert [g.nodes[i].value for i in g.theta_ids] == [3, 1, 1, 0, -1, 2, 1, -1, 3, -2, 5, 4]
    p21 = g.node_of("P", (1, 0))
    assert (p21.name, p21.tensor, p21.entry, p21.kind) == ("p_{2,1}", "P", (1, 0), "param")
    assert g.node_of("E", 1).name == "e_{2}"
    assert [g.nodes[i].name for i in g.output_ids] == ["f_{1}", "f_{2}"]
    assert g.loss_id is not None and g.nodes[g.loss_id].name == "l"


def test_sheet_values_and_gradients_exact(sheet: tuple[Program, Evaluation, ScalarGraph]) -> None:
    _, _, g = sheet
    assert [g.node_of("z", i).value for i in range(3)] == [2, 1, -3]
    assert [g.node_of("g", i).value for i in range(3)] == [2, 1, 0]
    assert [g.node_of("z2", i).value for i in range(2)] == [1, 1]
    assert [format_scalar(g.node_of("f", i).value) for i in range(2)] == ["1/2", "1/2"]
    assert format_scalar(g.node_of("l", ()).value) == "ln 2"
    grads = [g.nodes[i].grad for i in g.theta_ids]
    assert [format_scalar(x) for x in grads] == [  # ∇l(Θ0), the sheet's Q7
        "-3/2",
        "3/2",
        "3",
        "-3",
        "0",
        "0",
        "-1",
        "-1/2",
        "0",
        "1",
        "1/2",
        "0",
    ]
    assert grads[:4] == [-1.5, 1.5, 3.0, -3.0]
    assert g.node_of("f", 0).grad == -2.0  # ∂l/∂f₁ = −1/f₁


def test_sheet_softmax_decomposition(sheet: tuple[Program, Evaluation, ScalarGraph]) -> None:
    _, _, g = sheet
    assert g.softmax_shifts == {"f": 0.0}
    exps = [n for n in g.nodes if n.kind == "exp"]
    (norm,) = [n for n in g.nodes if n.tensor == "f" and n.kind == "sum"]
    assert [n.value for n in exps] == [math.e, math.e]  # e^{z'_i} as the sheet writes
    assert [e.partial for e in exps[0].inputs] == [math.e]
    assert [e.source for e in norm.inputs] == [n.id for n in exps]
    assert norm.value == pytest.approx(2 * math.e) and norm.entry is None
    f1 = g.node_of("f", 0)
    assert f1.kind == "div" and [e.source for e in f1.inputs] == [exps[0].id, norm.id]
    assert f1.inputs[0].partial == pytest.approx(1 / (2 * math.e))
    assert f1.inputs[1].partial == pytest.approx(-0.5 / (2 * math.e))
    lnode = g.node_of("l", ())
    assert lnode.label == "−ln" and lnode.inputs[0].partial == -2.0


def test_sheet_matmul_products(sheet: tuple[Program, Evaluation, ScalarGraph]) -> None:
    _, _, g = sheet
    z2 = g.node_of("z", 1)
    terms = [g.nodes[e.source] for e in z2.inputs]
    assert [t.name for t in terms] == ["p_{2,1}·e_{1}", "p_{2,2}·e_{2}"]
    assert all(
        t.kind == "mul" and t.label == "×" and t.entry is None and t.tensor == "z" for t in terms
    )
    # ∂(p·e)/∂p = e and ∂(p·e)/∂e = p
    assert [(e.source, e.partial) for e in terms[0].inputs] == [
        (g.id_of("P", (1, 0)), 1.0),
        (g.id_of("E", 0), 1.0),
    ]
    assert [(e.source, e.partial) for e in terms[1].inputs] == [
        (g.id_of("P", (1, 1)), -1.0),
        (g.id_of("E", 1), 0.0),
    ]
    assert g.tensor_scalars("z") == [8, 9, 10, 11, 12, 13, 14, 15, 16]


def test_sheet_consumers_and_jacobian(sheet: tuple[Program, Evaluation, ScalarGraph]) -> None:
    _, ev, g = sheet
    g1 = g.id_of("g", 0)
    assert [g.nodes[c].name for c, _ in g.consumers(g1)] == ["q_{1,1}·g_{1}", "q_{2,1}·g_{1}"]
    assert ev.jacobian is not None
    np.testing.assert_array_equal(g.jacobian(), ev.jacobian)


# ------------------------------------------------------------------------ random networks


def check_against_engine(program: Program, ev: Evaluation, g: ScalarGraph) -> None:
    """Scalar values, ∂l/∂scalar and J_f agree with the tensor engine."""
    for node in program.nodes:
        value = ev.values[node.id]
        for idx in np.ndindex(*value.shape):
            s = g.node_of(node.id, idx)
            assert (s.tensor, s.entry) == (node.id, idx)
            assert s.value == pytest.approx(float(value[idx]), rel=RTOL, abs=ATOL)
        if ev.loss_node is not None:
            np.testing.assert_allclose(
                g.tensor_gradient(node.id, value.shape),
                ev.node_gradients[node.id],
                rtol=RTOL,
                atol=ATOL,
                err_msg=f"∂l/∂{node.id}",
            )
    assert ev.jacobian is not None
    np.testing.assert_allclose(g.jacobian(), ev.jacobian, rtol=RTOL, atol=ATOL)
    for n in g.nodes:  # each intermediate is what its kind says of its inputs
        xs = [g.nodes[e.source].value for e in n.inputs]
        if n.kind == "mul":
            assert n.value == pytest.approx(xs[0] * xs[1], rel=RTOL, abs=ATOL)
        elif n.kind == "sum":
            assert n.value == pytest.approx(math.fsum(xs), rel=RTOL, abs=ATOL)
        elif n.kind == "square":
            assert n.value == pytest.approx(xs[0] ** 2, rel=RTOL, abs=ATOL)


@pytest.mark.parametrize("seed", SEEDS)
def test_random_networks_match_tensor_engine(seed: int) -> None:
    check_against_engine(*setup(random_network(seed)))


def test_random_networks_cover_every_op() -> None:
    ops = {n.op for seed in SEEDS for n in random_network(seed).nodes}
    assert ops == {
        "input",
        "param",
        "matmul",
        "add",
        "relu",
        "sigmoid",
        "tanh",
        "softmax",
        "neg_log",
        "mse",
    }


def test_fan_out_of_one_scalar_into_one_sum_counts_twice() -> None:
    net = from_dict(
        doc(
            [
                {"id": "w", "op": "param", "value": [3]},
                {"id": "x", "op": "input", "value": [2]},
                {"id": "h", "op": "sigmoid", "inputs": ["w"]},
                {"id": "y", "op": "add", "inputs": ["h", "h"]},
                {"id": "l", "op": "mse", "inputs": ["y"], "target": [0]},
            ],
            "y",
            "l",
        )
    )
    program, ev, g = setup(net)
    y = g.node_of("y", 0)
    assert [e.source for e in y.inputs] == [g.id_of("h", 0)] * 2
    check_against_engine(program, ev, g)
    s = 1 / (1 + math.exp(-3))
    assert g.node_of("w", 0).grad == pytest.approx(2 * (2 * s) * 2 * s * (1 - s))


def test_mse_decomposition() -> None:
    net = from_dict(
        doc(
            [
                {"id": "W", "op": "param", "value": [[1, 2], [3, 4]]},
                {"id": "x", "op": "input", "value": [1, -1]},
                {"id": "y", "op": "matmul", "inputs": ["W", "x"]},
                {"id": "l", "op": "mse", "inputs": ["y"], "target": [0, 1]},
            ],
            "y",
            "l",
        )
    )
    program, ev, g = setup(net)
    # y = (-1, -1); differences (-1, -2), squares (1, 4), mean 5/2
    assert [n.value for n in g.nodes if n.kind == "sub"] == [-1, -2]
    assert [n.value for n in g.nodes if n.kind == "square"] == [1, 4]
    mean = g.node_of("l", ())
    assert (mean.kind, mean.value, [e.partial for e in mean.inputs]) == ("mean", 2.5, [0.5, 0.5])
    assert [n.name for n in g.nodes if n.kind == "square"] == [
        "(y_{1} − t_{1})²",
        "(y_{2} − t_{2})²",
    ]
    assert [g.nodes[i].grad for i in g.theta_ids] == [-1, 1, -2, 2]
    check_against_engine(program, ev, g)


def test_huge_logits_shift_the_exponentials() -> None:
    net = from_dict(
        doc(
            [
                {"id": "W", "op": "param", "value": [[400, 0], [0, 500]]},
                {"id": "x", "op": "input", "value": [2, 2]},
                {"id": "z", "op": "matmul", "inputs": ["W", "x"]},
                {"id": "f", "op": "softmax", "inputs": ["z"]},
                {"id": "l", "op": "neg_log", "inputs": ["f"], "index": 1},
            ],
            "f",
            "l",
        )
    )
    program, ev, g = setup(net)
    assert g.softmax_shifts == {"f": 1000.0}
    assert all(
        math.isfinite(n.value) and n.grad is not None and math.isfinite(n.grad) for n in g.nodes
    )
    assert [n.value for n in g.nodes if n.kind == "exp"] == [math.exp(-200), 1.0]
    assert [n.name for n in g.nodes if n.kind == "exp"][0] == "exp(z_{1} − 1000)"
    check_against_engine(program, ev, g)


def test_no_loss_leaves_gradients_unset() -> None:
    net = from_dict(
        doc(
            [
                {"id": "x", "op": "input", "value": [1, 2]},
                {"id": "W", "op": "param", "value": [[1, 1]]},
                {"id": "y", "op": "matmul", "inputs": ["W", "x"]},
            ],
            "y",
        )
    )
    _, ev, g = setup(net)
    assert g.loss_id is None and all(n.grad is None for n in g.nodes)
    assert ev.jacobian is not None
    np.testing.assert_array_equal(g.jacobian(), [[1, 2]])


def test_entry_names() -> None:
    assert entry_name("P", (1, 0)) == "p_{2,1}"
    assert entry_name("P", (1, 0), unicode=True) == "p₂,₁"
    assert entry_name("E", (0,)) == "e_{1}"
    assert entry_name("z2", (11,), unicode=True) == "z2₁₂"
    assert entry_name("W1", (0, 2)) == "W1_{1,3}"
    assert entry_name("l", ()) == "l"


def test_unknown_entry_is_a_clear_key_error(sheet: tuple[Program, Evaluation, ScalarGraph]) -> None:
    _, _, g = sheet
    with pytest.raises(KeyError, match=r"no entry p_\{4,1\} \(node 'P', index \(3, 0\)\)"):
        g.id_of("P", (3, 0))
