"""The finite-difference checker itself: accurate where plain central differences
are not, and able to catch a wrong derivative."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import gradviz
from gradviz.engine.check import check_evaluation, compare, numeric_jacobian
from gradviz.engine.ops import OPS


@pytest.mark.parametrize("p", [0.5, 3.35e-4, 1e-5, 1e-7, 1e-9])
def test_minus_log_at_small_probabilities(p: float) -> None:
    """−ln x at a tiny x: a fixed step 1e-6 would leave the domain (x − h < 0) or
    be off by far more than 1e-6 relative; the checker shrinks its step."""
    x = np.array([p, 0.5])
    num = numeric_jacobian(lambda v: np.asarray(-np.log(v[0])), x)
    assert num.shape == (1, 2)
    assert num[0, 0] == pytest.approx(-1.0 / p, rel=1e-7)
    assert num[0, 1] == 0.0


def test_step_never_trusts_two_halves_that_agree_by_rounding() -> None:
    """y = 1000 + 0.07 x: at h = 1e-6 rounding alone makes D(h) and D(h/2) differ by
    ~5e-8, so the step shrinks; at h ≈ 1e-14 both halves round to exactly 0 and
    "agree". The rounding floor in the score must keep that step from winning."""
    num = numeric_jacobian(lambda v: np.asarray([1e3 + 0.07 * v[0]]), np.array([0.3]))
    assert num[0, 0] == pytest.approx(0.07, abs=2e-7)


def test_near_kink_but_not_at_it() -> None:
    """ReLU input 1e-7: the first step crosses the kink, a smaller one does not."""
    relu = OPS["relu"]
    x = np.array([1e-7, -1e-7, 2.0])
    num = numeric_jacobian(lambda v: relu.forward([v], {}), x)
    np.testing.assert_array_equal(np.round(num, 9), np.diag([1.0, 0.0, 1.0]))


def test_checker_catches_a_wrong_vjp(monkeypatch: pytest.MonkeyPatch) -> None:
    ev_ok = gradviz.evaluate("exercise3")
    assert all(r.ok and not r.skipped for r in check_evaluation(ev_ok))
    softmax = OPS["softmax"]
    monkeypatch.setattr(
        type(softmax), "vjp", lambda self, g, xs, y, attrs: [g * y[None, :]]
    )  # forgets −S Sᵀ
    rows = {r.name: r for r in check_evaluation(gradviz.evaluate("exercise3"))}
    assert not rows["J_f(Θ)"].ok
    assert rows["J_f(Θ)"].max_error == pytest.approx(1.0, abs=1e-6)  # ∂f/∂p21: (−1/2, 5/2)
    assert rows["∇l(Θ)"].ok  # the loss goes through the fused log-softmax, not vjp
    assert rows["∂f/∂z2"].ok  # the explicit local J_S is still right


def test_derivative_of_minus_ln_at_a_tiny_probability() -> None:
    """−ln x at x ≈ 9e-14 (a softmax probability of e^−30, found by hypothesis): the
    derivative −1/x ≈ −1e13 is checked to 1e-6 relative, with a step relative to x."""
    import math

    import numpy as np

    from gradviz.engine.check import numeric_jacobian

    x = np.array([math.exp(-30.0), 0.5])
    num = numeric_jacobian(lambda v: -np.log(v[:1]), x)
    assert abs(num[0, 0] - (-1.0 / x[0])) <= 1e-6 * (1.0 / x[0])


def test_huge_weight_raises_no_warning_and_fails_honestly() -> None:
    """A weight of 1e308 overflows the products behind it. With warnings as errors
    the check still runs; rows that met an overflow fail with an inf or NaN error
    (never pass), and rows the overflow does not reach still agree."""
    net = gradviz.load("exercise3")
    p = net.node("P")
    assert p.value is not None
    p.value = p.value.copy()
    p.value[0, 0] = 1e308
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        rows = {r.name: r for r in check_evaluation(net.evaluate())}
    assert not rows["∂z2/∂Q"].ok and math.isnan(rows["∂z2/∂Q"].max_error)
    assert not rows["∂z2/∂Q"].skipped
    assert rows["∂g/∂z"].ok and rows["∂l/∂f"].ok
    assert not any(r.ok and not math.isfinite(r.max_error) for r in rows.values())


def test_compare_never_passes_an_infinite_or_nan_entry() -> None:
    """Before: |1 − inf| = inf ≤ 1e-6 + 1e-6·inf, so an infinite numeric entry "agreed"."""
    finite_vs_inf = compare("a", np.array([1.0, 2.0]), np.array([1.0, np.inf]))
    assert not finite_vs_inf.ok and finite_vs_inf.max_error == math.inf
    inf_vs_inf = compare("b", np.array([np.inf]), np.array([np.inf]))
    assert not inf_vs_inf.ok and math.isnan(inf_vs_inf.max_error)
    assert compare("c", np.array([1.0]), np.array([1.0 + 1e-9])).ok


def test_richardson_step_does_not_overflow_a_huge_finite_derivative() -> None:
    """y = 1.5e308·x: D(h) is 1.5e308, finite, but 4·D(h/2) would overflow."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        num = numeric_jacobian(lambda v: 1.5e308 * v, np.array([0.25]))
    assert num[0, 0] == pytest.approx(1.5e308, rel=1e-9)
