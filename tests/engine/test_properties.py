"""Property tests: the engine's derivatives against central finite differences.

* Random layered networks (biases via ``add``, skip connections that make a node
  feed two consumers, a matrix×matrix branch, every activation, every loss):
  ``J_f(Θ)``, ``∇l(Θ)`` and every local Jacobian agree with finite differences to
  1e-6, and the forward values agree with a plain numpy re-computation.
* Every op on its own: ``local_jacobian`` against finite differences and the
  batched ``vjp`` against ``G × local_jacobian``.
* Fan-out accumulates (a targeted test that an overwriting engine fails).
* Numerics: logits of ±800, a ReLU input exactly 0, sigmoid at ±1000.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from network_support import document, network

from gradviz.engine.check import check_evaluation, numeric_jacobian
from gradviz.engine.ops import OPS, Array
from gradviz.model.fileformat import from_dict

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
ACTS = ("relu", "sigmoid", "tanh")
KINK_MARGIN = 1e-3  # ReLU inputs closer to 0 than this could cross the kink under a FD step

floats = st.floats(min_value=-2.0, max_value=2.0, allow_nan=False, allow_infinity=False)


def array(draw: st.DrawFn, *shape: int) -> list[Any]:
    return (
        np.asarray(draw(st.lists(floats, min_size=math.prod(shape), max_size=math.prod(shape))))
        .reshape(shape)
        .tolist()
    )


@st.composite
def layered_networks(draw: st.DrawFn) -> dict[str, Any]:
    """X → [matmul, add bias, (add skip), activation] × L → (matrix branch) → head.

    A skip connection adds an earlier activation (same width) or a projection of
    it to a later pre-activation, so that earlier node has two consumers.
    """
    sizes = draw(st.lists(st.integers(1, 4), min_size=2, max_size=4))
    nodes: list[dict[str, Any]] = [{"id": "X", "op": "input", "value": array(draw, sizes[0])}]
    layers: list[tuple[str, int]] = [("X", sizes[0])]
    prev, width = "X", sizes[0]
    for k, h in enumerate(sizes[1:], start=1):
        nodes += [
            {"id": f"W{k}", "op": "param", "value": array(draw, h, width)},
            {"id": f"u{k}", "op": "matmul", "inputs": [f"W{k}", prev]},
            {"id": f"b{k}", "op": "param", "value": array(draw, h)},
            {"id": f"v{k}", "op": "add", "inputs": [f"u{k}", f"b{k}"]},
        ]
        pre = f"v{k}"
        if k >= 2 and draw(st.booleans()):
            src, src_w = layers[draw(st.integers(0, len(layers) - 2))]
            if src_w != h:
                nodes += [
                    {"id": f"S{k}", "op": "param", "value": array(draw, h, src_w)},
                    {"id": f"s{k}", "op": "matmul", "inputs": [f"S{k}", src]},
                ]
                src = f"s{k}"
            nodes.append({"id": f"k{k}", "op": "add", "inputs": [pre, src]})
            pre = f"k{k}"
        nodes.append({"id": f"a{k}", "op": draw(st.sampled_from(ACTS)), "inputs": [pre]})
        prev, width = f"a{k}", h
        layers.append((prev, h))
    m = draw(st.integers(2, 3))
    if draw(st.booleans()):  # matrix × matrix, then (matrix) × vector
        r = draw(st.integers(1, 3))
        nodes += [
            {"id": "A", "op": "param", "value": array(draw, m, r)},
            {"id": "B", "op": "param", "value": array(draw, r, width)},
            {"id": "AB", "op": "matmul", "inputs": ["A", "B"]},
            {"id": "T", "op": draw(st.sampled_from(ACTS)), "inputs": ["AB"]},
            {"id": "z", "op": "matmul", "inputs": ["T", prev]},
        ]
    else:
        nodes += [
            {"id": "Wo", "op": "param", "value": array(draw, m, width)},
            {"id": "z", "op": "matmul", "inputs": ["Wo", prev]},
        ]
    head = draw(st.sampled_from(("softmax+neg_log", "softmax+mse", "sigmoid+mse", "mse")))
    if head == "mse":
        nodes.append({"id": "l", "op": "mse", "inputs": ["z"], "target": array(draw, m)})
        output = "z"
    else:
        act, loss = head.split("+")
        nodes.append({"id": "f", "op": act, "inputs": ["z"]})
        if loss == "neg_log":
            nodes.append(
                {"id": "l", "op": "neg_log", "inputs": ["f"], "index": draw(st.integers(0, m - 1))}
            )
        else:
            nodes.append({"id": "l", "op": "mse", "inputs": ["f"], "target": array(draw, m)})
        output = "f"
    return document(nodes, output=output, loss="l")


def reference_forward(doc: dict[str, Any]) -> dict[str, Array]:
    """The same network computed with bare numpy formulas (file order is topological)."""
    v: dict[str, Array] = {}
    for n in doc["nodes"]:
        xs = [v[s] for s in n.get("inputs", [])]
        op = n["op"]
        if op in ("input", "param"):
            y = np.asarray(n["value"], dtype=np.float64)
        elif op == "matmul":
            y = xs[0] @ xs[1]
        elif op == "add":
            y = xs[0] + xs[1]
        elif op == "relu":
            y = np.maximum(xs[0], 0.0)
        elif op == "sigmoid":
            y = 1.0 / (1.0 + np.exp(-xs[0]))
        elif op == "tanh":
            y = np.tanh(xs[0])
        elif op == "softmax":
            y = np.exp(xs[0]) / np.sum(np.exp(xs[0]))
        elif op == "neg_log":
            y = np.asarray(-np.log(xs[0][n["index"]]))
        else:  # mse
            y = np.asarray(np.mean((xs[0] - np.asarray(n["target"])) ** 2))
        v[n["id"]] = y
    return v


def relu_inputs(doc: dict[str, Any], values: dict[str, Array]) -> list[Array]:
    return [values[n["inputs"][0]] for n in doc["nodes"] if n["op"] == "relu"]


@SETTINGS
@given(layered_networks())
def test_random_networks_agree_with_finite_differences(doc: dict[str, Any]) -> None:
    net = from_dict(doc)
    ev = net.evaluate()
    ref = reference_forward(doc)
    assume(all(np.all(np.abs(x) > KINK_MARGIN) for x in relu_inputs(doc, ref)))
    for nid, value in ref.items():
        np.testing.assert_allclose(ev.values[nid], value, rtol=1e-12, atol=1e-12, err_msg=nid)
    assert ev.nondifferentiable == []
    rows = check_evaluation(ev)
    names = {r.name for r in rows}
    assert "J_{}(Θ)".format(doc["output"]) in names and "∇l(Θ)" in names
    bad = [(r.name, r.max_error) for r in rows if not r.ok or r.skipped]
    assert bad == []
    # ∂l/∂v for every node is an ndarray of v's shape, and ∇l(Θ) is J_l(Θ)
    for nid, value in ev.values.items():
        assert (
            type(ev.node_gradients[nid]) is np.ndarray
            and ev.node_gradients[nid].shape == value.shape
        )
    assert ev.gradient is not None
    np.testing.assert_allclose(ev.jacobian_between("l")[0], ev.gradient, rtol=1e-12, atol=1e-15)


# --- every op on its own ----------------------------------------------------------


def op_cases() -> list[tuple[str, list[tuple[int, ...]], dict[str, Any]]]:
    """(op, input shapes, attrs) covering every op and both matmul forms."""
    return [
        ("matmul", [(3, 2), (2,)], {}),
        ("matmul", [(2, 3), (3, 4)], {}),
        ("matmul", [(1, 1), (1,)], {}),
        ("add", [(3,), (3,)], {}),
        ("add", [(2, 2), (2, 2)], {}),
        ("relu", [(4,)], {}),
        ("relu", [(2, 3)], {}),
        ("sigmoid", [(4,)], {}),
        ("sigmoid", [(2, 2)], {}),
        ("tanh", [(3,)], {}),
        ("tanh", [(3, 2)], {}),
        ("softmax", [(3,)], {}),
        ("softmax", [(1,)], {}),
        ("neg_log", [(3,)], {"index": 1}),
        ("mse", [(3,)], {"target": [0.5, -1.0, 2.0]}),
        ("mse", [(2, 2)], {"target": [[1.0, 0.0], [-1.0, 0.5]]}),
    ]


@pytest.mark.parametrize(
    "name,shapes,attrs",
    op_cases(),
    ids=[f"{c[0]}-{'x'.join(map(str, c[1][0]))}" for c in op_cases()],
)
@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_every_op_against_finite_differences(
    name: str, shapes: list[tuple[int, ...]], attrs: dict[str, Any], seed: int
) -> None:
    op = OPS[name]
    rng = np.random.default_rng(seed)
    xs = [rng.uniform(-2, 2, size=s) for s in shapes]
    if name == "neg_log":
        xs = [rng.uniform(0.1, 2, size=s) for s in shapes]  # −ln needs a positive entry
    if name == "relu":
        assume(np.all(np.abs(xs[0]) > KINK_MARGIN))
    assert op.infer_shape(shapes, attrs) == np.shape(op.forward(xs, attrs))
    y = op.forward(xs, attrs)
    for i, x in enumerate(xs):
        jac = op.local_jacobian(xs, y, attrs, i)
        assert jac.shape == (y.size, x.size)

        def fn(v: Array, i: int = i) -> Array:
            args = list(xs)
            args[i] = v
            return op.forward(args, attrs)

        np.testing.assert_allclose(jac, numeric_jacobian(fn, x), rtol=1e-6, atol=1e-6)
        # the batched VJP with k random cotangents is G × J
        g = rng.normal(size=(3, *y.shape))
        vjp = op.vjp(g, xs, y, attrs)[i]
        assert vjp.shape == (3, *x.shape)
        np.testing.assert_allclose(
            vjp.reshape(3, x.size), g.reshape(3, y.size) @ jac, rtol=1e-12, atol=1e-12
        )


# --- fan-out: gradients accumulate, never overwrite -------------------------------


def test_fan_out_accumulates() -> None:
    """x feeds tanh, sigmoid and both slots of an add: ∂l/∂x sums all four paths."""
    x0 = np.array([0.3, -0.7])
    net = network(
        [
            {"id": "x", "op": "param", "value": x0.tolist()},
            {"id": "a", "op": "tanh", "inputs": ["x"]},
            {"id": "b", "op": "sigmoid", "inputs": ["x"]},
            {"id": "c", "op": "add", "inputs": ["a", "b"]},
            {"id": "d", "op": "add", "inputs": ["x", "x"]},
            {"id": "e", "op": "add", "inputs": ["c", "d"]},
            {"id": "l", "op": "mse", "inputs": ["e"], "target": [0.0, 0.0]},
        ],
        loss="l",
    )
    ev = net.evaluate()
    s = 1 / (1 + np.exp(-x0))
    e = np.tanh(x0) + s + 2 * x0
    de_dx = (1 - np.tanh(x0) ** 2) + s * (1 - s) + 2.0
    expected = (2 * e / 2) * de_dx  # mse over 2 entries: ∂l/∂e = 2e/2
    np.testing.assert_allclose(ev.node_gradients["x"], expected, rtol=1e-14)
    assert ev.gradient is not None
    np.testing.assert_allclose(ev.gradient, expected, rtol=1e-14)
    # any single path alone is visibly wrong: an engine that overwrote would show one
    for path in (1 - np.tanh(x0) ** 2, s * (1 - s), 2.0, 1.0):
        assert not np.allclose(ev.node_gradients["x"], e * path)


def test_param_used_twice_sums_both_uses() -> None:
    """z = W × (W × x): ∂z/∂W has a term from each matmul."""
    w = np.array([[1.0, 2.0], [-1.0, 0.5]])
    x = np.array([1.0, -2.0])
    net = network(
        [
            {"id": "x", "op": "input", "value": x.tolist()},
            {"id": "W", "op": "param", "value": w.tolist()},
            {"id": "h", "op": "matmul", "inputs": ["W", "x"]},
            {"id": "z", "op": "matmul", "inputs": ["W", "h"]},
        ],
        output="z",
    )
    ev = net.evaluate()
    h = w @ x
    # ∂z_r/∂W_{st} = 1_{r=s} h_t + W_{rs} x_t
    expected = np.array(
        [[(r == s) * h[t] + w[r, s] * x[t] for s in range(2) for t in range(2)] for r in range(2)]
    )
    assert ev.jacobian is not None
    np.testing.assert_array_equal(ev.jacobian, expected)


# --- numerics ---------------------------------------------------------------------


@pytest.mark.parametrize("index", [0, 1, 2])
def test_logits_of_800_give_the_exact_log_sum_exp(index: int) -> None:
    """S(800, 799, −800) underflows in its last entry; −ln S[i] must still be exact."""
    net = network(
        [
            {"id": "x", "op": "input", "value": [1.0]},
            {"id": "W", "op": "param", "value": [[800.0], [799.0], [-800.0]]},
            {"id": "z", "op": "matmul", "inputs": ["W", "x"]},
            {"id": "f", "op": "softmax", "inputs": ["z"]},
            {"id": "l", "op": "neg_log", "inputs": ["f"], "index": index},
        ],
        output="f",
        loss="l",
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ev = net.evaluate()
    z = [800.0, 799.0, -800.0]
    exact = 800.0 + math.log1p(math.exp(-1.0) + math.exp(-1600.0)) - z[index]
    assert ev.loss == pytest.approx(exact, rel=1e-15)
    assert math.isfinite(ev.loss)
    assert ev.gradient is not None and ev.jacobian is not None
    assert np.all(np.isfinite(ev.gradient)) and np.all(np.isfinite(ev.jacobian))
    s = np.exp(np.array(z) - 800.0) / np.sum(np.exp(np.array(z) - 800.0))
    expected = s - np.eye(3)[index]  # ∂l/∂z = S − e_i; ∂z/∂W = x = 1
    np.testing.assert_allclose(ev.node_gradients["z"], expected, rtol=1e-14, atol=1e-300)
    np.testing.assert_allclose(ev.gradient, expected, rtol=1e-14, atol=1e-300)


def test_relu_input_exactly_zero_is_reported_and_has_derivative_zero() -> None:
    net = network(
        [
            {"id": "x", "op": "input", "value": [1.0, -1.0]},
            {"id": "W", "op": "param", "value": [[1.0, 1.0], [2.0, 1.0], [0.0, 3.0]]},
            {"id": "z", "op": "matmul", "inputs": ["W", "x"]},
            {"id": "g", "op": "relu", "inputs": ["z"]},
            {"id": "l", "op": "mse", "inputs": ["g"], "target": [1.0, 1.0, 1.0]},
        ],
        output="g",
        loss="l",
    )
    ev = net.evaluate()
    np.testing.assert_array_equal(ev.values["z"], [0.0, 1.0, -3.0])
    assert ev.nondifferentiable == [("g", (0,))]
    np.testing.assert_array_equal(ev.local_jacobian("g"), np.diag([0.0, 1.0, 0.0]))
    np.testing.assert_array_equal(ev.node_gradients["z"], [0.0, 0.0, 0.0])  # ∂l/∂g1 = 0 here
    assert ev.jacobian is not None
    np.testing.assert_array_equal(ev.jacobian[0], np.zeros(6))  # nothing flows through z1
    rows = check_evaluation(ev)
    assert all(r.ok for r in rows)
    assert any(r.skipped and r.near_kink for r in rows)  # FD sees the kink: flagged, not failed


def test_relu_kink_in_a_matrix_reports_the_full_index() -> None:
    op = OPS["relu"]
    x = np.array([[1.0, 0.0], [0.0, -2.0]])
    assert op.nondifferentiable([x], {}) == [(0, 1), (1, 0)]


@pytest.mark.parametrize("x", [1000.0, -1000.0, 745.0, -745.0, 1e308, -1e308])
def test_sigmoid_and_tanh_at_large_inputs_are_finite(x: float) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for name, limit in (("sigmoid", 1.0 if x > 0 else 0.0), ("tanh", math.copysign(1, x))):
            op = OPS[name]
            xs = [np.array([x])]
            y = op.forward(xs, {})
            assert y[0] == pytest.approx(limit, rel=0, abs=1e-300)
            jac = op.local_jacobian(xs, y, {}, 0)
            assert np.all(np.isfinite(jac)) and jac[0, 0] == pytest.approx(0.0, abs=1e-300)
            assert np.all(np.isfinite(op.vjp(np.ones((1, 1)), xs, y, {})[0]))
