"""The network builder: names, file order, Θ order, inits, and that every network it
builds loads back, evaluates and agrees with finite differences."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gradviz.engine.check import check_evaluation
from gradviz.engine.exact import format_scalar, format_vector
from gradviz.model.builder import (
    NetworkSpec,
    assemble,
    build_network,
    weight_name,
)
from gradviz.model.fileformat import dumps, loads, validate

SHEET_P = np.array([[3.0, 1.0], [1.0, 0.0], [-1.0, 2.0]])
SHEET_Q = np.array([[1.0, -1.0, 3.0], [-2.0, 5.0, 4.0]])


def test_sheet_numbers_come_out_of_the_assembled_network() -> None:
    net = assemble(
        NetworkSpec(layers=(2, 3, 2)), np.array([1.0, -1.0]), [SHEET_P, SHEET_Q], [None, None], 0
    )
    assert net.ids == ["E", "P", "z", "g", "Q", "z2", "f", "l"]
    assert [net.node(i).label for i in net.ids] == [
        None,
        None,
        "P×E",
        "ReLU",
        None,
        "Q×·",
        "softmax",
        "−ln",
    ]
    assert (net.output, net.loss) == ("f", "l")
    ev = net.evaluate()
    assert format_vector(ev.values["z"]) == "(2, 1, -3)"
    assert format_scalar(ev.loss) == "ln 2"
    assert format_vector(ev.gradient) == "(-3/2, 3/2, 3, -3, 0, 0, -1, -1/2, 0, 1, 1/2, 0)"


def test_biases_sit_after_their_weights_in_file_order_and_theta() -> None:
    net = build_network(NetworkSpec(layers=(2, 3, 2), bias=True))
    assert net.ids == ["E", "P", "z", "b1", "a", "g", "Q", "z2", "b2", "a2", "f", "l"]
    assert net.param_ids == ["P", "b1", "Q", "b2"]
    assert net.node("b1").label == "b₁" and net.node("a2").label == "+b₂"
    names = net.evaluate().theta_names
    assert names[:9] == [
        "P[1,1]",
        "P[1,2]",
        "P[2,1]",
        "P[2,2]",
        "P[3,1]",
        "P[3,2]",
        "b1[1]",
        "b1[2]",
        "b1[3]",
    ]
    assert names[-2:] == ["b2[1]", "b2[2]"]
    assert len(names) == 6 + 3 + 6 + 2


def test_per_layer_bias_keeps_the_layer_number() -> None:
    net = build_network(NetworkSpec(layers=(2, 3, 3, 2), bias=(False, True, False)))
    assert net.param_ids == ["P", "Q", "b2", "U"]
    assert net.node("a2").inputs == ["z2", "b2"]


def test_mse_head_names_the_last_layer_f() -> None:
    net = build_network(
        NetworkSpec(layers=(3, 4, 2), head="mse", activations=("relu", "relu"), target=(1.0, -1.0))
    )
    assert net.ids == ["E", "P", "z", "g", "Q", "z2", "f", "l"]
    assert net.node("f").op == "relu" and net.node("f").inputs == ["z2"]
    assert net.node("l").op == "mse" and net.node("l").label == "MSE"
    assert net.node("l").attrs["target"].tolist() == [1.0, -1.0]


def test_default_input_target_and_labels() -> None:
    net = build_network(NetworkSpec(layers=(3, 2, 2), activations=("tanh",), head="mse"))
    assert net.node("E").value.tolist() == [1.0, -1.0, 1.0]
    assert net.node("l").attrs["target"].tolist() == [1.0, 0.0]
    assert net.node("g").label == "tanh"
    sig = build_network(NetworkSpec(layers=(2, 2, 2), activations=("sigmoid", "relu")))
    assert sig.node("g").label == "σ" and sig.node("g2").op == "relu"
    assert sig.node("f").inputs == ["g2"]


def test_weight_names_skip_the_sheets_other_letters() -> None:
    assert [weight_name(k) for k in range(1, 15)] == [
        "P",
        "Q",
        "U",
        "V",
        "W",
        "A",
        "B",
        "C",
        "D",
        "H",
        "K",
        "M",
        "N",
        "W14",
    ]
    net = build_network(NetworkSpec(layers=(2,) * 6, activations=("relu",)))
    assert net.param_ids == ["P", "Q", "U", "V", "W"]
    assert net.node("z3").label == "U×·"


def test_inits() -> None:
    zeros = build_network(NetworkSpec(layers=(2, 3, 2), init="zeros"))
    assert not np.any(zeros.theta)
    ints = build_network(NetworkSpec(layers=(4, 5, 3), init="ints", seed=7, bias=True))
    assert np.all(ints.theta == np.round(ints.theta)) and np.max(np.abs(ints.theta)) <= 3
    assert np.array_equal(
        ints.theta,
        build_network(NetworkSpec(layers=(4, 5, 3), init="ints", seed=7, bias=True)).theta,
    )
    g1 = build_network(NetworkSpec(layers=(4, 5, 3), init="gaussian", seed=1))
    g2 = build_network(NetworkSpec(layers=(4, 5, 3), init="gaussian", seed=2))
    assert not np.array_equal(g1.theta, g2.theta)
    assert 0.05 < float(np.std(g1.theta)) < 1.5


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (NetworkSpec(layers=(2,)), "at least two layer sizes"),
        (NetworkSpec(layers=(2, 0, 2)), "at least 1 unit"),
        (NetworkSpec(activations=("gelu",)), "unknown activation 'gelu'"),
        (NetworkSpec(layers=(2, 3, 3, 2), activations=("relu",) * 4), "one activation per hidden"),
        (NetworkSpec(bias=(True,)), "one bias switch per weight layer (2)"),
        (NetworkSpec(head="hinge"), "unknown head"),
        (NetworkSpec(init="xavier"), "unknown init"),
        (NetworkSpec(input_values=(1.0, 2.0, 3.0)), "the input has 3 values"),
        (NetworkSpec(layers=(2, 3, 1)), "at least 2 outputs"),
        (NetworkSpec(target=2), "target class 3 is out of range: choose 1 to 2"),
        (NetworkSpec(head="mse", target=(1.0,)), "the target has 1 values but the output has 2"),
        (NetworkSpec(head="mse", target=1), "target vector"),
    ],
)
def test_bad_specs_are_refused_with_one_sentence(spec: NetworkSpec, message: str) -> None:
    with pytest.raises(ValueError) as info:
        build_network(spec)
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def _check_ok(net_text: str) -> None:
    net = loads(net_text)
    validate(net)
    ev = net.evaluate()
    assert ev.loss is not None and np.isfinite(ev.loss)
    for row in check_evaluation(ev):
        # −ln at a probability below the finite-difference step cannot be checked numerically
        tiny = row.name == "∂l/∂f" and float(np.min(ev.values["f"])) < 1e-5
        assert row.ok or tiny, row


@settings(max_examples=60, deadline=None)
@given(
    layers=st.lists(st.integers(1, 4), min_size=2, max_size=4),
    act=st.sampled_from(["relu", "sigmoid", "tanh", "none"]),
    out_act=st.sampled_from([None, "relu", "none", "tanh"]),
    bias=st.booleans(),
    head=st.sampled_from(["softmax", "mse"]),
    init=st.sampled_from(["zeros", "gaussian", "ints"]),
    seed=st.integers(0, 2**16),
)
def test_every_built_network_loads_evaluates_and_checks(
    layers: list[int], act: str, out_act: str | None, bias: bool, head: str, init: str, seed: int
) -> None:
    if head == "softmax" and layers[-1] < 2:
        layers[-1] = 2
    hidden = len(layers) - 2
    acts = (
        (act,) * max(hidden, 1)
        if out_act is None or hidden == 0
        else ((act,) * hidden + (out_act,))
    )
    spec = NetworkSpec(
        layers=tuple(layers), activations=acts, bias=bias, head=head, init=init, seed=seed
    )
    net = build_network(spec)
    n_theta = sum(
        layers[k] * layers[k + 1] + (layers[k + 1] if bias else 0) for k in range(len(layers) - 1)
    )
    assert net.theta.size == n_theta
    last = spec.layer_activations()[-1]
    expected = (
        "softmax" if head == "softmax" else last if last != "none" else "add" if bias else "matmul"
    )
    assert net.node("f").op == expected
    assert net.evaluate().jacobian.shape == (layers[-1], n_theta)
    _check_ok(dumps(net))
