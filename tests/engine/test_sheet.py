"""Every number of the exercise sheet, exactly as the sheet writes it.

The sheet's network (Ex. 3): ``f(P, Q, E) = S(Q × R(P × E))`` at
``E0 = (1, −1)``, ``P0 = [[3, 1], [1, 0], [−1, 2]]``, ``Q0 = [[1, −1, 3], [−2, 5, 4]]``;
``Θ = (p11, p12, p21, p22, p31, p32, q11, q12, q13, q21, q22, q23)``.
Each number is checked twice: as the string the teacher writes (``format_scalar``
→ ``"3/4"``) and, where the value is a dyadic fraction, as an exact float.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from network_support import document, network

import gradviz
from gradviz.engine.evaluate import Evaluation
from gradviz.engine.exact import format_scalar
from gradviz.model.fileformat import from_dict

# fmt: off
NAMES = ["P[1,1]", "P[1,2]", "P[2,1]", "P[2,2]", "P[3,1]", "P[3,2]",
         "Q[1,1]", "Q[1,2]", "Q[1,3]", "Q[2,1]", "Q[2,2]", "Q[2,3]"]
# fmt: on
P_COLUMNS = NAMES[:6]
Q_COLUMNS = NAMES[6:]


@pytest.fixture(scope="module")
def ev() -> Evaluation:
    return gradviz.evaluate(gradviz.load("exercise3"))


def as_text(a: Any) -> list[Any] | str:
    """The sheet's writing of a number, vector or matrix (nested lists of strings)."""
    arr = np.asarray(a, dtype=np.float64)
    if arr.ndim == 0:
        return format_scalar(float(arr))
    return [as_text(x) for x in arr]


def parse(text: str) -> float:
    """``"-3/4"`` → ``-0.75`` (dyadic, so exact in float64)."""
    num, _, den = text.partition("/")
    return float(num) / float(den or 1)


def assert_sheet(actual: Any, expected_text: list[Any] | str) -> None:
    """Same strings as the sheet, and the same floats bit for bit."""
    assert as_text(actual) == expected_text
    expected = np.vectorize(parse)(np.array(expected_text, dtype=object)).astype(np.float64)
    np.testing.assert_array_equal(np.asarray(actual, dtype=np.float64), expected)


def column(matrix: np.ndarray, name: str) -> np.ndarray:
    """The column of a (·, 12) Jacobian that belongs to the parameter ``name``."""
    return matrix[:, NAMES.index(name)]


def test_theta0_and_its_names(ev: Evaluation) -> None:
    assert ev.theta_names == NAMES
    assert_sheet(ev.theta, ["3", "1", "1", "0", "-1", "2", "1", "-1", "3", "-2", "5", "4"])


def test_forward_values(ev: Evaluation) -> None:
    assert_sheet(ev.values["z"], ["2", "1", "-3"])
    assert_sheet(ev.values["g"], ["2", "1", "0"])
    assert_sheet(ev.values["z2"], ["1", "1"])
    assert_sheet(ev.values["f"], ["1/2", "1/2"])


def test_loss_is_ln_2(ev: Evaluation) -> None:
    assert ev.loss == math.log(2)
    assert format_scalar(ev.loss) == "ln 2"
    assert isinstance(ev.loss, float)


def test_local_jacobians_j_s_and_j_r(ev: Evaluation) -> None:
    assert_sheet(ev.local_jacobian("f"), [["1/4", "-1/4"], ["-1/4", "1/4"]])  # Q6
    assert_sheet(ev.local_jacobian("g"), [["1", "0", "0"], ["0", "1", "0"], ["0", "0", "0"]])
    # Ex. 1 inside the network: ∂z'/∂g = Q0 and ∂z/∂E = P0
    assert_sheet(ev.local_jacobian("z2", 1), [["1", "-1", "3"], ["-2", "5", "4"]])
    assert_sheet(ev.local_jacobian("z", 1), [["3", "1"], ["1", "0"], ["-1", "2"]])


# the sheet's columns, as it writes them
# fmt: off
DZ_DP = {"P[1,1]": ["1", "0", "0"], "P[1,2]": ["-1", "0", "0"],
         "P[2,1]": ["0", "1", "0"], "P[2,2]": ["0", "-1", "0"],
         "P[3,1]": ["0", "0", "1"], "P[3,2]": ["0", "0", "-1"]}
DG_DP = {"P[1,1]": ["1", "0", "0"], "P[1,2]": ["-1", "0", "0"],
         "P[2,1]": ["0", "1", "0"], "P[2,2]": ["0", "-1", "0"],
         "P[3,1]": ["0", "0", "0"], "P[3,2]": ["0", "0", "0"]}
DZ2_DP = {"P[1,1]": ["1", "-2"], "P[1,2]": ["-1", "2"],
          "P[2,1]": ["-1", "5"], "P[2,2]": ["1", "-5"],
          "P[3,1]": ["0", "0"], "P[3,2]": ["0", "0"]}
DZ2_DQ = {"Q[1,1]": ["2", "0"], "Q[1,2]": ["1", "0"], "Q[1,3]": ["0", "0"],
          "Q[2,1]": ["0", "2"], "Q[2,2]": ["0", "1"], "Q[2,3]": ["0", "0"]}
DF_DP = {"P[1,1]": ["3/4", "-3/4"], "P[1,2]": ["-3/4", "3/4"],
         "P[2,1]": ["-3/2", "3/2"], "P[2,2]": ["3/2", "-3/2"],
         "P[3,1]": ["0", "0"], "P[3,2]": ["0", "0"]}
DF_DQ = {"Q[1,1]": ["1/2", "-1/2"], "Q[1,2]": ["1/4", "-1/4"], "Q[1,3]": ["0", "0"],
         "Q[2,1]": ["-1/2", "1/2"], "Q[2,2]": ["-1/4", "1/4"], "Q[2,3]": ["0", "0"]}
# fmt: on


@pytest.mark.parametrize("name", P_COLUMNS)
def test_dz_dp_is_e_j_in_row_i(ev: Evaluation, name: str) -> None:
    """Q5: ∂z/∂p_ij = e_j · (1_{i=1}, 1_{i=2}, 1_{i=3}); z does not depend on Q."""
    jz = ev.jacobian_between("z")
    assert jz.shape == (3, 12)
    assert_sheet(column(jz, name), DZ_DP[name])
    assert not np.any(jz[:, 6:])


@pytest.mark.parametrize("name", P_COLUMNS)
def test_dg_dp_is_j_r_times_dz_dp(ev: Evaluation, name: str) -> None:
    """Q4: ∂g/∂p_ij = J_R(z) × ∂z/∂p_ij; the third row is cut by the ReLU."""
    jg = ev.jacobian_between("g")
    assert_sheet(column(jg, name), DG_DP[name])
    np.testing.assert_array_equal(
        column(jg, name), ev.local_jacobian("g") @ column(ev.jacobian_between("z"), name)
    )


@pytest.mark.parametrize("name", P_COLUMNS)
def test_dz2_dp_is_q0_times_dg_dp(ev: Evaluation, name: str) -> None:
    """Q3: ∂z'/∂p_ij = Q0 × ∂g/∂p_ij."""
    jz2 = ev.jacobian_between("z2")
    assert_sheet(column(jz2, name), DZ2_DP[name])
    q0 = ev.values["Q"]
    np.testing.assert_array_equal(column(jz2, name), q0 @ column(ev.jacobian_between("g"), name))


@pytest.mark.parametrize("name", Q_COLUMNS)
def test_dz2_dq_is_g_j_in_row_i(ev: Evaluation, name: str) -> None:
    """Q2: ∂z'/∂q_ij = g_j · (1_{i=1}, 1_{i=2})."""
    assert_sheet(column(ev.jacobian_between("z2"), name), DZ2_DQ[name])


@pytest.mark.parametrize("name", NAMES)
def test_df_dtheta_is_j_s_times_dz2(ev: Evaluation, name: str) -> None:
    """Q1: ∂f/∂x = J_S(z') × ∂z'/∂x, for all twelve columns."""
    expected = {**DF_DP, **DF_DQ}[name]
    assert ev.jacobian is not None
    assert_sheet(column(ev.jacobian, name), expected)
    assert_sheet(column(ev.jacobian_between("f"), name), expected)
    np.testing.assert_array_equal(
        column(ev.jacobian, name), ev.local_jacobian("f") @ column(ev.jacobian_between("z2"), name)
    )


def test_whole_jacobian_j_fe_theta0(ev: Evaluation) -> None:
    row1 = ["3/4", "-3/4", "-3/2", "3/2", "0", "0", "1/2", "1/4", "0", "-1/2", "-1/4", "0"]
    row2 = ["-3/4", "3/4", "3/2", "-3/2", "0", "0", "-1/2", "-1/4", "0", "1/2", "1/4", "0"]
    assert ev.jacobian is not None and ev.jacobian.shape == (2, 12)
    assert_sheet(ev.jacobian, [row1, row2])


def test_gradient_of_the_loss(ev: Evaluation) -> None:
    """Q7: ∇l(Θ0) = −1/f[1] · ∇f[1](Θ0) = −2 × (first row of J)."""
    assert ev.gradient is not None and ev.jacobian is not None
    assert_sheet(
        ev.gradient, ["-3/2", "3/2", "3", "-3", "0", "0", "-1", "-1/2", "0", "1", "1/2", "0"]
    )
    np.testing.assert_array_equal(ev.gradient, -2.0 * ev.jacobian[0])
    np.testing.assert_array_equal(ev.jacobian_between("l")[0], ev.gradient)


def test_gradients_on_every_edge(ev: Evaluation) -> None:
    """∂l/∂value for every node: ndarrays of the node's shape, the sheet's numbers."""
    for nid, value in ev.values.items():
        grad = ev.node_gradients[nid]
        assert type(grad) is np.ndarray, nid
        assert grad.shape == value.shape, nid
    assert_sheet(ev.node_gradients["l"], "1")
    assert_sheet(ev.node_gradients["f"], ["-2", "0"])  # ∂(−ln f1)/∂f = (−1/f1, 0)
    assert_sheet(ev.node_gradients["z2"], ["-1/2", "1/2"])  # S − e_1
    assert_sheet(ev.node_gradients["g"], ["-3/2", "3", "1/2"])  # Q0ᵀ (S − e_1)
    assert_sheet(ev.node_gradients["z"], ["-3/2", "3", "0"])
    # ∂l/∂f between two nodes agrees with the per-node gradient (fused log-softmax)
    np.testing.assert_array_equal(ev.jacobian_between("l", "f")[0], ev.node_gradients["f"])
    assert ev.nondifferentiable == []


# --- Exercise 1: the Jacobian of a linear map X ↦ M × X is M ----------------------


@pytest.mark.parametrize("seed", range(8))
def test_ex1_jacobian_of_linear_map_is_m(seed: int) -> None:
    rng = np.random.default_rng(seed)
    rows, cols = (int(n) for n in rng.integers(1, 7, size=2))
    m = rng.normal(size=(rows, cols))
    x = rng.normal(size=cols)
    net = network(
        [
            {"id": "X", "op": "input", "value": x.tolist()},
            {"id": "M", "op": "param", "value": m.tolist()},
            {"id": "z", "op": "matmul", "inputs": ["M", "X"]},
        ],
        output="z",
    )
    ev = net.evaluate()
    np.testing.assert_array_equal(ev.local_jacobian("z", 1), m)
    np.testing.assert_allclose(ev.jacobian_between("z", "X"), m, rtol=0, atol=1e-15)
    # and w.r.t. M itself (Q5): ∂z_r/∂m_{s,t} = 1_{r=s} x_t
    expected = np.kron(np.eye(rows), x[None, :])
    np.testing.assert_array_equal(ev.local_jacobian("z", 0), expected)
    assert ev.jacobian is not None
    np.testing.assert_allclose(ev.jacobian, expected, rtol=0, atol=1e-15)


# --- Exercise 0: ∂(f_i∘g)/∂x_j (X) = ∇f_i(g(X)) · ∂g/∂x_j (X) ------------------------

ACTS = ("relu", "sigmoid", "tanh")


def random_network(seed: int) -> dict[str, Any]:
    """X → g = act(W1 X + b1) → f = softmax(W2 act2(g)) with random sizes and weights."""
    rng = np.random.default_rng(seed)
    k, h, m = (int(n) for n in rng.integers(2, 6, size=3))
    act = ACTS[seed % 3]
    act2 = ACTS[(seed // 3) % 3]
    return document(
        [
            {"id": "X", "op": "input", "value": rng.normal(size=k).tolist()},
            {"id": "W1", "op": "param", "value": rng.normal(size=(h, k)).tolist()},
            {"id": "b1", "op": "param", "value": rng.normal(size=h).tolist()},
            {"id": "u", "op": "matmul", "inputs": ["W1", "X"]},
            {"id": "v", "op": "add", "inputs": ["u", "b1"]},
            {"id": "g", "op": act, "inputs": ["v"]},
            {"id": "a", "op": act2, "inputs": ["g"]},
            {"id": "W2", "op": "param", "value": rng.normal(size=(m, h)).tolist()},
            {"id": "z", "op": "matmul", "inputs": ["W2", "a"]},
            {"id": "f", "op": "softmax", "inputs": ["z"]},
        ],
        output="f",
    )


@pytest.mark.parametrize("seed", range(12))
def test_ex0_chain_rule_entry_by_entry(seed: int) -> None:
    ev = from_dict(random_network(seed)).evaluate()
    j_fg = ev.jacobian_between("f", "X")  # J_{f∘g}(X), (m, k)
    j_f = ev.jacobian_between("f", "g")  # J_f(g(X)); row i is ∇f_i(g(X))
    j_g = ev.jacobian_between("g", "X")  # J_g(X); column j is ∂g/∂x_j (X)
    m, k = j_fg.shape
    for i in range(m):
        for j in range(k):
            assert j_fg[i, j] == pytest.approx(float(j_f[i] @ j_g[:, j]), rel=1e-12, abs=1e-14)
    # the same matrix identity J_{f∘g} = J_f(g) × J_g for the weights before g
    for wrt in ("W1", "b1"):
        np.testing.assert_allclose(
            ev.jacobian_between("f", wrt),
            j_f @ ev.jacobian_between("g", wrt),
            rtol=1e-12,
            atol=1e-14,
        )
