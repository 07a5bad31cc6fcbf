"""Gradient descent in the model: ``descend`` takes the finite steps and refuses
the first one that would leave finite arithmetic; ``parse_learning_rate`` says
in one sentence why a typed step size is not one."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

import gradviz
from gradviz.engine.numbers import NumberError
from gradviz.model.fileformat import from_dict
from gradviz.model.network import Network
from gradviz.model.training import descend, gradient_step, parse_learning_rate

THETA0 = [3, 1, 1, 0, -1, 2, 1, -1, 3, -2, 5, 4]
GRAD0 = [-1.5, 1.5, 3, -3, 0, 0, -1, -0.5, 0, 1, 0.5, 0]


#: L = (w·1 − 0)²: a step with lr 10 maps w to w − 10·2w = −19w, so from
#: w = 1e150 the loss is 1e300, 3.61e302, 1.30e305, 4.70e307, then inf.
DIVERGING = Path(__file__).with_name("training_diverging.gradviz.json")


def with_theta(net: Network, **entries: float) -> Network:
    """``net`` with Θ entries set by position: ``with_theta(net, t0=1e308)``."""
    theta = net.theta
    for key, value in entries.items():
        theta[int(key[1:])] = value
    net.set_theta(theta)
    return net


def test_finite_steps_are_exactly_the_plain_steps() -> None:
    net, plain = gradviz.load("exercise3"), gradviz.load("exercise3")
    done = descend(net, 0.05, 5)
    losses = [gradient_step(plain, 0.05)[0] for _ in range(5)]
    assert done.taken == 5 and done.refused is None and not done.stuck
    assert done.losses == [*losses, plain.evaluate().loss]
    assert net.theta.tolist() == plain.theta.tolist()
    assert done.first_gradient.tolist() == GRAD0


def test_a_nan_loss_refuses_the_first_step_and_leaves_theta_alone() -> None:
    net = with_theta(gradviz.load("exercise3"), t0=1e308, t1=-1e308)
    before = net.theta.tolist()
    done = descend(net, 0.1, 10)
    assert done.taken == 0 and done.stuck
    assert done.refused == "the loss is NaN at these weights"
    assert math.isnan(done.losses[0]) and len(done.losses) == 1
    assert net.theta.tolist() == before


def test_a_step_landing_on_an_infinite_loss_is_refused_and_undone() -> None:
    net = gradviz.load(DIVERGING)
    done = descend(net, 10, 10)
    assert done.taken == 3 and not done.stuck
    assert done.refused == ("the loss would be inf after it (try a learning rate smaller than 10)")
    plain = gradviz.load(DIVERGING)
    for _ in range(3):
        gradient_step(plain, 10)
    assert net.theta.tolist() == plain.theta.tolist()  # the last finite point
    assert all(math.isfinite(x) for x in done.losses) and len(done.losses) == 4
    assert done.losses[-1] == net.evaluate().loss


def test_an_overflowing_step_names_the_entry() -> None:
    net = gradviz.load("exercise3")
    done = descend(net, 1e308, 3)
    assert done.taken == 0 and not done.stuck
    # ∂l/∂P[2,1] = 3 is the first entry with |lr · ∂l/∂θ| beyond 1.8e308
    assert done.refused == (
        "the new P[2,1] = P[2,1] − lr·∂l/∂P[2,1] overflows float64 "
        "(try a learning rate smaller than 1e+308)"
    )
    assert net.theta.tolist() == THETA0


def test_a_non_finite_gradient_at_a_finite_loss_is_refused() -> None:
    """L = (W·x)² with x = (1e308, 1e308) and W = (1e-300, 0): z = 1e8 and
    L = 1e16 are finite, but ∂L/∂W = 2z·x = 2e8·1e308 overflows in both entries."""
    doc = {
        "format": "gradviz",
        "version": 1,
        "title": "steep",
        "nodes": [
            {"id": "x", "op": "input", "value": [1e308, 1e308]},
            {"id": "W", "op": "param", "value": [[1e-300, 0]]},
            {"id": "z", "op": "matmul", "inputs": ["W", "x"]},
            {"id": "L", "op": "mse", "inputs": ["z"], "target": [0]},
        ],
        "output": "z",
        "loss": "L",
    }
    net = from_dict(doc, "<steep>")
    ev = net.evaluate()
    assert ev.loss is not None and math.isfinite(ev.loss)
    assert ev.gradient is not None and not np.all(np.isfinite(ev.gradient))
    done = descend(net, 0.1, 2)
    assert done.taken == 0 and done.stuck
    assert done.refused == (
        "the gradient is not finite at these weights: ∂L/∂W[1,1] = inf (and 1 more entry)"
    )
    assert net.theta.tolist() == [1e-300, 0]


@pytest.mark.parametrize("lr", [0.0, -1.0, math.nan, math.inf])
def test_descend_refuses_a_learning_rate_that_is_not_finite_and_positive(lr: float) -> None:
    net = gradviz.load("exercise3")
    with pytest.raises(ValueError, match="learning rate"):
        descend(net, lr, 1)
    assert net.theta.tolist() == THETA0


@pytest.mark.parametrize(
    ("text", "value"), [("0.05", 0.05), ("1/2", 0.5), (" 1 ", 1.0), ("5e-3", 0.005)]
)
def test_learning_rates_people_type(text: str, value: float) -> None:
    assert parse_learning_rate(text) == value


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("nan", "the learning rate must be a finite number, not nan"),
        ("-inf", "the learning rate must be a finite number, not -inf"),
        ("Infinity", "the learning rate must be a finite number, not Infinity"),
        ("1e400", "the learning rate 1e400 is too large for a float64"),
        ("0", "the learning rate must be greater than 0, not 0"),
        ("-1", "the learning rate must be greater than 0, not -1"),
        ("−1/2", "the learning rate must be greater than 0, not −1/2"),
        ("1e-400", "the learning rate must be greater than 0, not 1e-400 (it is 0 in float64)"),
        ("", "the learning rate is empty: type a number greater than 0, such as 0.1"),
        ("abc", "the learning rate must be a number greater than 0 (0.1, 1/2, 5e-3), not abc"),
        ("1/0", "the learning rate must be a number greater than 0 (0.1, 1/2, 5e-3), not 1/0"),
    ],
)
def test_refused_learning_rates_say_why(text: str, why: str) -> None:
    with pytest.raises(NumberError) as e:
        parse_learning_rate(text)
    assert str(e.value) == why
