"""The exercise generator: on hundreds of seeds, every number a teacher writes down
is a fraction with denominator ≤ 16 (the softmax loss is ln m), nothing is dead and
no ReLU sits on its kink."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from gradviz.engine.exact import as_fraction, format_scalar
from gradviz.model.builder import NetworkSpec, build_network
from gradviz.model.exercise import exercise_problems, generate_exercise, is_simple
from gradviz.model.fileformat import dumps, load, loads
from gradviz.model.network import Network


def fractions_of(a: object) -> list[Fraction]:
    """Every entry as a Fraction with denominator ≤ 16 (fails the test otherwise)."""
    out = []
    for x in np.asarray(a, dtype=np.float64).ravel():
        f = as_fraction(float(x), max_denominator=16)
        assert f is not None, f"{x!r} is not a fraction with denominator ≤ 16"
        out.append(f)
    return out


def assert_good_exercise(net: Network) -> None:
    """Check the promises independently of the generator's own check."""
    ev = net.evaluate()
    assert ev.nondifferentiable == []
    for nid, value in ev.values.items():
        if nid != "l" or net.node("l").op == "mse":
            fractions_of(value)
        for pos in range(len(net.node(nid).inputs)):
            fractions_of(ev.local_jacobian(nid, pos))
    for g in ev.node_gradients.values():
        fractions_of(g)
    fractions_of(ev.jacobian)
    assert any(f != 0 for f in fractions_of(ev.gradient)), "dead network: ∇l = 0"
    for pid in net.param_ids:
        assert np.any(ev.node_gradients[pid]), f"{pid} gets no gradient: nothing to compute"
    for node in net.nodes:
        if node.op == "relu":
            assert np.any(ev.values[node.id] > 0), f"dead ReLU layer {node.id}"
    if net.node("l").op == "neg_log":
        m = ev.values["f"].size
        assert all(f == Fraction(1, m) for f in fractions_of(ev.values["f"]))
        assert format_scalar(ev.loss) == f"ln {m}"


def test_two_hundred_sheet_style_exercises() -> None:
    spec = NetworkSpec(layers=(2, 3, 2))
    seen = set()
    for seed in range(200):
        net = generate_exercise(spec, seed)
        assert_good_exercise(net)
        assert exercise_problems(net) == []
        theta = net.theta
        assert np.all(theta == np.round(theta)) and np.max(np.abs(theta)) <= 5
        seen.add(tuple(theta))
    assert len(seen) > 190  # the seeds really give different exercises


@pytest.mark.parametrize(
    "spec",
    [
        NetworkSpec(layers=(2, 3, 2), bias=True),
        NetworkSpec(layers=(3, 4, 3)),
        NetworkSpec(layers=(2, 3, 3, 2), bias=(True, False, True)),
        NetworkSpec(layers=(2, 4), activations=("none",)),
        NetworkSpec(layers=(2, 3, 2), head="mse"),
        NetworkSpec(layers=(3, 4, 2), head="mse", activations=("relu", "relu"), bias=True),
        NetworkSpec(layers=(2, 2, 2, 2), head="mse", activations=("none",) * 3),
    ],
    ids=lambda s: f"{'-'.join(map(str, s.layers))}-{s.head}-bias{s.bias}",
)
def test_other_shapes_and_heads(spec: NetworkSpec) -> None:
    for seed in range(25):
        assert_good_exercise(generate_exercise(spec, seed))


def test_same_seed_same_exercise_and_it_survives_a_file() -> None:
    spec = NetworkSpec(layers=(2, 3, 2), init="exercise", seed=11)
    a, b = build_network(spec), generate_exercise(spec, 11)
    assert dumps(a) == dumps(b)
    assert_good_exercise(loads(dumps(a)))
    assert a.title == "Exercise (seed 11): 2-3-2 ReLU network, softmax head"


def test_given_input_target_and_class_are_kept() -> None:
    net = generate_exercise(NetworkSpec(layers=(2, 3, 2), input_values=(1.0, -1.0), target=1), 5)
    assert net.node("E").value.tolist() == [1.0, -1.0]
    assert net.node("l").attrs["index"] == 1
    assert_good_exercise(net)
    mse = generate_exercise(NetworkSpec(layers=(2, 3, 2), head="mse", target=(0.0, 1.0)), 5)
    assert mse.node("l").attrs["target"].tolist() == [0.0, 1.0]
    assert_good_exercise(mse)


def test_allow_kinks_still_gives_fractions() -> None:
    spec = NetworkSpec(layers=(2, 3, 2), input_values=(1.0, -1.0), allow_kinks=True)
    kinked = 0
    for seed in range(60):
        net = generate_exercise(spec, seed)
        ev = net.evaluate()
        kinked += bool(ev.nondifferentiable)
        fractions_of(ev.jacobian)
        fractions_of(ev.gradient)
    assert kinked > 0  # kinks are allowed, and they do come up


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (NetworkSpec(layers=(2, 3, 2), activations=("sigmoid",)), "sigmoid layers give irrational"),
        (NetworkSpec(layers=(2, 3, 2), activations=("tanh", "relu")), "tanh layers"),
        (NetworkSpec(layers=(2, 3, 5)), "a softmax over 5 outputs has denominators 25"),
        (NetworkSpec(layers=(2, 3, 17), head="mse"), "an MSE over 17 outputs"),
    ],
)
def test_impossible_exercises_are_refused(spec: NetworkSpec, message: str) -> None:
    with pytest.raises(ValueError) as info:
        generate_exercise(spec, 0)
    assert message in str(info.value)


def test_giving_up_says_so() -> None:
    with pytest.raises(ValueError, match="no exercise of shape 2-3-2 found in 3 tries"):
        generate_exercise(NetworkSpec(layers=(2, 3, 2)), 0, max_tries=3)


def test_the_checker_tells_good_from_bad() -> None:
    assert exercise_problems(load("exercise3")) == []  # the sheet itself is a good exercise
    gaussian = build_network(NetworkSpec(layers=(2, 3, 2), init="gaussian", seed=1))
    problems = exercise_problems(gaussian)
    assert problems and problems[0].startswith("value of P")
    assert is_simple(3 / 4) and is_simple(-1 / 16) and not is_simple(1 / 17)
    assert not is_simple(61.0)
