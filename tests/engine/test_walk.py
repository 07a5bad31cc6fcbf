"""Tests for gradviz.engine.walk: the forward pass node by node, then the backward
pass edge by edge.

Step counts and order are checked against the topological order and, for which
edges carry gradient, against an independent networkx computation; the walk's
final gradients equal the engine's ``node_gradients`` (and ``output_jacobians``
when walking ``J_f``).
"""

from __future__ import annotations

from typing import Any

import networkx as nx
import numpy as np
import pytest
from sheet_numbers import BACKWARD_EDGES
from test_scalar import SEEDS, doc, random_network

import gradviz
from gradviz.engine.evaluate import Evaluation, Program
from gradviz.engine.exact import format_array
from gradviz.engine.walk import (
    BACKWARD,
    FORWARD,
    WalkStep,
    final_gradients,
    known_at_start,
    walk_steps,
)
from gradviz.model.fileformat import from_dict
from gradviz.model.network import Network


def run(net: Network, **kw: Any) -> tuple[Program, Evaluation, list[WalkStep]]:
    program = net.to_program()
    ev = gradviz.evaluate(net)
    return program, ev, walk_steps(program, ev, **kw)


@pytest.fixture(scope="module")
def sheet() -> tuple[Program, Evaluation, list[WalkStep]]:
    return run(gradviz.load("exercise3"))


def test_sheet_steps_in_order(sheet: tuple[Program, Evaluation, list[WalkStep]]) -> None:
    _, _, steps = sheet
    assert [s.index for s in steps] == list(range(11))
    assert [(s.phase, s.node) for s in steps[:5]] == [
        (FORWARD, "z"),
        (FORWARD, "g"),
        (FORWARD, "z2"),
        (FORWARD, "f"),
        (FORWARD, "l"),
    ]
    assert [s.edge for s in steps[5:]] == BACKWARD_EDGES
    assert all(s.phase == BACKWARD for s in steps[5:])


def test_sheet_forward_texts(sheet: tuple[Program, Evaluation, list[WalkStep]]) -> None:
    _, _, steps = sheet
    assert [s.text for s in steps[:5]] == [
        "z = P × E = [3, 1; 1, 0; -1, 2] × (1, -1) = (2, 1, -3)",
        "g = R(z) = R(2, 1, -3) = (2, 1, 0)",
        "z2 = Q × g = [1, -1, 3; -2, 5, 4] × (2, 1, 0) = (1, 1)",
        "f = S(z2) = S(1, 1) = (1/2, 1/2)",
        "l = −ln f[1] = −ln(1/2) = ln 2",
    ]
    assert steps[0].inputs == ("P", "E") and steps[0].formula == "z = P × E"
    assert steps[3].latex == (
        r"f = S(\mathit{z2}) = S\begin{pmatrix} 1 \\ 1 \end{pmatrix}"
        r" = \begin{pmatrix} \frac{1}{2} \\ \frac{1}{2} \end{pmatrix}"
    )
    np.testing.assert_array_equal(steps[0].value, [2, 1, -3])


def test_sheet_backward_texts(sheet: tuple[Program, Evaluation, list[WalkStep]]) -> None:
    _, _, steps = sheet
    assert [s.text for s in steps[5:]] == [
        "∂l/∂f = ∂l/∂l × J_−ln(f) = 1 × [-2, 0] = (-2, 0)",
        "∂l/∂z2 = ∂l/∂f × J_S(z2) = (-2, 0) × [1/4, -1/4; -1/4, 1/4] = (-1/2, 1/2)",
        "∂l/∂Q = ∂l/∂z2 × ∂z2/∂Q = (-1/2, 1/2) × [2, 1, 0, 0, 0, 0; 0, 0, 0, 2, 1, 0]"
        " = (-1, -1/2, 0, 1, 1/2, 0) = [-1, -1/2, 0; 1, 1/2, 0]",
        "∂l/∂g = ∂l/∂z2 × ∂z2/∂g = (-1/2, 1/2) × [1, -1, 3; -2, 5, 4] = (-3/2, 3, 1/2)",
        "∂l/∂z = ∂l/∂g × J_R(z) = (-3/2, 3, 1/2) × [1, 0, 0; 0, 1, 0; 0, 0, 0] = (-3/2, 3, 0)",
        "∂l/∂P = ∂l/∂z × ∂z/∂P = (-3/2, 3, 0) × [1, -1, 0, 0, 0, 0; 0, 0, 1, -1, 0, 0;"
        " 0, 0, 0, 0, 1, -1] = (-3/2, 3/2, 3, -3, 0, 0) = [-3/2, 3/2; 3, -3; 0, 0]",
    ]
    relu = steps[9]
    assert relu.formula == "∂l/∂z = ∂l/∂g × J_R(z)"
    np.testing.assert_array_equal(relu.local_jacobian, np.diag([1, 1, 0]))
    np.testing.assert_array_equal(relu.incoming, [-1.5, 3, 0.5])
    np.testing.assert_array_equal(relu.product, [-1.5, 3, 0])
    assert steps[10].product is not None and steps[10].product.shape == (3, 2)
    assert r"J_{R}(z)" in relu.latex and r"-\frac{3}{2}" in relu.latex


def test_sheet_known_sets(sheet: tuple[Program, Evaluation, list[WalkStep]]) -> None:
    program, _, steps = sheet
    start = known_at_start(program)
    assert start == {"E", "P", "Q"}
    assert [sorted(s.known_values - start) for s in steps[:5]] == [
        ["z"],
        ["g", "z"],
        ["g", "z", "z2"],
        ["f", "g", "z", "z2"],
        ["f", "g", "l", "z", "z2"],
    ]
    assert all(not s.known_gradients and not s.known_edges for s in steps[:5])
    assert all(s.known_values == steps[4].known_values for s in steps[5:])
    assert [sorted(s.known_gradients) for s in steps[5:7]] == [["f", "l"], ["f", "l", "z2"]]
    assert steps[-1].known_gradients == {"l", "f", "z2", "Q", "g", "z", "P"}  # not E
    assert [len(s.known_edges) for s in steps[5:]] == [1, 2, 3, 4, 5, 6]


def test_sheet_final_gradients(sheet: tuple[Program, Evaluation, list[WalkStep]]) -> None:
    _, ev, steps = sheet
    final = final_gradients(steps)
    assert set(final) == {"f", "z2", "Q", "g", "z", "P"}
    for node_id, grad in final.items():
        np.testing.assert_array_equal(grad, ev.node_gradients[node_id])
    assert format_array(final["P"]).splitlines() == [
        "[ -3/2  3/2 ]",
        "[    3   -3 ]",
        "[    0    0 ]",
    ]


def test_sheet_walk_of_the_output_jacobian() -> None:
    program, ev, steps = run(gradviz.load("exercise3"), of="output")
    # no loss edge: f's Jacobian is walked back, 4 forward + l's forward + 5 edges
    assert [s.edge for s in steps if s.phase == BACKWARD] == [
        ("z2", "f", 0),
        ("Q", "z2", 0),
        ("g", "z2", 1),
        ("z", "g", 0),
        ("P", "z", 0),
    ]
    final = final_gradients(steps)
    for node_id, jac in final.items():
        np.testing.assert_array_equal(jac, ev.output_jacobians[node_id])
    assert ev.jacobian is not None
    np.testing.assert_array_equal(np.concatenate([final["P"], final["Q"]], axis=1), ev.jacobian)
    assert steps[6].text.startswith("∂f/∂Q = ∂f/∂z2 × ∂z2/∂Q = [1/4, -1/4; -1/4, 1/4] × ")


def test_fan_out_accumulates_with_plus_equals() -> None:
    net = from_dict(
        doc(
            [
                {"id": "x", "op": "input", "value": [1, 2]},
                {"id": "W", "op": "param", "value": [[1, 0], [0, 2]]},
                {"id": "h", "op": "matmul", "inputs": ["W", "x"]},
                {"id": "h2", "op": "matmul", "inputs": ["W", "h"]},
                {"id": "y", "op": "add", "inputs": ["h2", "h"]},
                {"id": "l", "op": "mse", "inputs": ["y"], "target": [0, 0]},
            ],
            "y",
            "l",
        )
    )
    _, ev, steps = run(net)
    back = [s for s in steps if s.phase == BACKWARD]
    assert [s.edge for s in back] == [
        ("y", "l", 0),
        ("h2", "y", 0),
        ("h", "y", 1),
        ("W", "h2", 0),
        ("h", "h2", 1),
        ("W", "h", 0),
    ]
    assert [s.complete for s in back] == [True, True, False, False, True, True]
    assert back[2].formula == "∂l/∂h += ∂l/∂y × ∂y/∂h"
    assert "; in all ∂l/∂h = " in back[4].text and "in all" not in back[2].text
    assert "h" not in back[3].known_gradients and "h" in back[4].known_gradients
    final = final_gradients(steps)
    for node_id, grad in final.items():
        np.testing.assert_allclose(grad, ev.node_gradients[node_id], rtol=1e-12, atol=1e-12)


def test_walk_choices() -> None:
    no_loss = from_dict(
        doc(
            [
                {"id": "x", "op": "input", "value": [1, 2]},
                {"id": "W", "op": "param", "value": [[1, 1]]},
                {"id": "y", "op": "matmul", "inputs": ["W", "x"]},
            ],
            "y",
        )
    )
    _, ev, steps = run(no_loss)  # no loss: the output's Jacobian is walked
    assert [s.edge or s.node for s in steps] == ["y", ("W", "y", 0)]
    np.testing.assert_array_equal(steps[1].product, [[1, 2]])
    with pytest.raises(ValueError, match="no loss to walk back from"):
        walk_steps(no_loss.to_program(), ev, of="loss")
    with pytest.raises(ValueError, match="choose 'loss' or 'output'"):
        walk_steps(no_loss.to_program(), ev, of="weights")
    bare = from_dict(
        doc(
            [
                {"id": "x", "op": "input", "value": [1, 2]},
                {"id": "y", "op": "relu", "inputs": ["x"]},
            ]
        )
    )
    assert [s.phase for s in run(bare)[2]] == [FORWARD]


def test_unicode_minus() -> None:
    _, _, steps = run(gradviz.load("exercise3"), unicode_minus=True)
    assert steps[0].text == "z = P × E = [3, 1; 1, 0; −1, 2] × (1, −1) = (2, 1, −3)"


def expected_edges(net: Network, seed: str) -> list[tuple[str, str, int]]:
    """Edges carrying gradient, computed with networkx: the consumer reaches the seed
    and the input is a parameter or descends from one."""
    g = net.graph
    params = set(net.param_ids)
    needs = {n for n in g if n in params or nx.ancestors(g, n) & params}
    edges = []
    for v in reversed(net.to_program().nodes):
        if v.id == seed or nx.has_path(g, v.id, seed):
            node = net.node(v.id)
            edges += [(u, v.id, pos) for pos, u in enumerate(node.inputs) if u in needs]
    return edges


@pytest.mark.parametrize("seed", SEEDS)
def test_random_networks(seed: int) -> None:
    net = random_network(seed)
    program, ev, steps = run(net)
    order = [n.id for n in program.nodes]
    forward = [s for s in steps if s.phase == FORWARD]
    back = [s for s in steps if s.phase == BACKWARD]
    assert steps == forward + back and [s.index for s in steps] == list(range(len(steps)))
    assert [s.node for s in forward] == [n.id for n in program.nodes if n.inputs]
    assert ev.loss_node is not None
    assert [s.edge for s in back] == expected_edges(net, ev.loss_node)
    # consumers in reverse topological order; ∂l/∂v complete before its edges
    positions = [order.index(s.node) for s in back]
    assert positions == sorted(positions, reverse=True)
    before = {ev.loss_node}
    for s in back:
        assert s.node in before
        before = set(s.known_gradients)
    final = final_gradients(steps)
    assert set(final) == {s.source for s in back}
    assert set(net.param_ids) <= set(final)  # every parameter of these networks reaches l
    for node_id, grad in final.items():
        np.testing.assert_allclose(
            grad, ev.node_gradients[node_id], rtol=1e-9, atol=1e-12, err_msg=f"∂l/∂{node_id}"
        )
    out = walk_steps(program, ev, of="output")
    for node_id, jac in final_gradients(out).items():
        np.testing.assert_allclose(jac, ev.output_jacobians[node_id], rtol=1e-9, atol=1e-12)


def test_big_arrays_are_written_by_size_but_kept_whole() -> None:
    rng = np.random.default_rng(1)
    net = from_dict(
        doc(
            [
                {"id": "x", "op": "input", "value": [1.0] * 10},
                {"id": "W", "op": "param", "value": rng.integers(-3, 4, (11, 10)).tolist()},
                {"id": "y", "op": "matmul", "inputs": ["W", "x"]},
                {"id": "l", "op": "mse", "inputs": ["y"], "target": [0] * 11},
            ],
            "y",
            "l",
        )
    )
    _, ev, steps = run(net)
    assert steps[0].text.startswith("y = W × x = [11×10 matrix] × (1, 1, 1, 1, 1, 1, 1,")
    assert r"\text{[11$\times$10 matrix]}" in steps[0].latex
    last = steps[-1]
    assert last.edge == ("W", "y", 0)
    assert "[11×110 matrix]" in last.text and last.text.endswith("= [110 entries] = [11×10 matrix]")
    assert last.local_jacobian is not None and last.local_jacobian.shape == (11, 110)
    np.testing.assert_array_equal(last.product, ev.node_gradients["W"])
