"""Tests for gradviz.engine.paths: a Jacobian entry as a sum over scalar paths.

The path sum of every entry of ``J_f(Θ)`` (every output entry × every θ) equals
the tensor engine's ``evaluation.jacobian``, on the sheet's network (exactly: the
sheet's fractions) and on random networks.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from test_scalar import SEEDS, doc, random_network, setup

import gradviz
from gradviz.engine.evaluate import Evaluation, Program
from gradviz.engine.exact import format_scalar
from gradviz.engine.paths import PathSum, jacobian_entry, path_sum
from gradviz.engine.scalar import ScalarGraph
from gradviz.model.fileformat import from_dict

SHEET_J = [
    ["3/4", "-3/4", "-3/2", "3/2", "0", "0", "1/2", "1/4", "0", "-1/2", "-1/4", "0"],
    ["-3/4", "3/4", "3/2", "-3/2", "0", "0", "-1/2", "-1/4", "0", "1/2", "1/4", "0"],
]
SHEET_GRAD = ["-3/2", "3/2", "3", "-3", "0", "0", "-1", "-1/2", "0", "1", "1/2", "0"]


@pytest.fixture(scope="module")
def sheet() -> tuple[Program, Evaluation, ScalarGraph]:
    return setup(gradviz.load("exercise3"))


def check_paths(g: ScalarGraph, ps: PathSum) -> None:
    """Every listed path is a real chain of edges from wrt to of, with the product
    of the partials on it."""
    for p in ps.paths:
        assert p.nodes[0] == ps.wrt and p.nodes[-1] == ps.of
        for (src, dst, pos), partial in zip(p.edges, p.partials, strict=True):
            edge = g.nodes[dst].inputs[pos]
            assert edge.source == src and edge.partial == partial
        assert p.product == math.prod(p.partials)
    assert len(set(ps.paths)) == len(ps.paths)


def test_sheet_entry_p21_is_minus_three_halves(
    sheet: tuple[Program, Evaluation, ScalarGraph],
) -> None:
    _, _, g = sheet
    ps = path_sum(g, of=("f", (0,)), wrt=("P", (1, 0)))
    assert ps.total == pytest.approx(-1.5, abs=1e-12) and format_scalar(ps.total) == "-3/2"
    assert (ps.count, ps.zero_count, ps.truncated) == (3, 0, False)
    assert [format_scalar(p.product) for p in ps.paths] == ["1/4", "-1/2", "-5/4"]
    names = [[g.nodes[i].name for i in p.nodes] for p in ps.paths]
    # through z2₁ and the shared normalising sum; z2₁ straight into f₁ = e₁/s; via z2₂
    assert names[0][-3:] == ["exp(z2_{1})", "Σ exp(z2)", "f_{1}"]
    assert names[1][-2:] == ["exp(z2_{1})", "f_{1}"]
    assert names[2][4:] == ["q_{2,2}·g_{2}", "z2_{2}", "exp(z2_{2})", "Σ exp(z2)", "f_{1}"]
    assert names[0][:4] == ["p_{2,1}", "p_{2,1}·e_{1}", "z_{2}", "g_{2}"]
    check_paths(g, ps)
    lines = ps.describe(g)
    assert lines[0] == "∂f_{1}/∂p_{2,1}: 3 paths" and lines[-1] == "sum = -3/2"
    assert lines[2].endswith("1 × 1 × 1 × (-1) × 1 × 2.718 × 0.1839 = (-1/2)")


def test_sheet_every_jacobian_entry(sheet: tuple[Program, Evaluation, ScalarGraph]) -> None:
    _, ev, g = sheet
    assert ev.jacobian is not None
    for row in range(2):
        for col in range(12):
            ps = jacobian_entry(g, row, col)
            assert format_scalar(ps.total) == SHEET_J[row][col]
            assert ps.total == pytest.approx(ev.jacobian[row, col], abs=1e-12)
            assert ps.listed_sum == pytest.approx(ps.total, abs=1e-12)
            check_paths(g, ps)


def test_sheet_loss_gradient_as_path_sums(sheet: tuple[Program, Evaluation, ScalarGraph]) -> None:
    _, _, g = sheet
    totals = [path_sum(g, ("l", ()), t).total for t in g.theta_ids]
    assert [format_scalar(x) for x in totals] == SHEET_GRAD


def test_relu_off_paths_are_zero_and_can_be_pruned(
    sheet: tuple[Program, Evaluation, ScalarGraph],
) -> None:
    _, _, g = sheet
    full = path_sum(g, ("f", 0), ("P", (2, 0)))  # g₃ = R(−3) = 0: the ReLU is off
    assert (full.count, full.zero_count, len(full.paths), full.total) == (3, 3, 3, 0.0)
    assert all(p.product == 0 for p in full.paths)
    pruned = path_sum(g, ("f", 0), ("P", (2, 0)), prune_zero=True)
    assert (pruned.paths, pruned.count, pruned.zero_count, pruned.total) == ((), 3, 3, 0.0)
    assert not pruned.truncated
    # p₁,₂ reaches f₁ only through nonzero partials: pruning keeps all three
    assert len(path_sum(g, ("f", 0), ("P", (0, 1)), prune_zero=True).paths) == 3


def test_limit_truncates_the_list_but_not_the_sum(
    sheet: tuple[Program, Evaluation, ScalarGraph],
) -> None:
    _, ev, g = sheet
    ps = path_sum(g, ("f", 1), ("P", (1, 0)), max_paths=2)
    assert (len(ps.paths), ps.count, ps.truncated) == (2, 3, True)
    assert format_scalar(ps.total) == "3/2"
    assert ps.describe(g)[-2] == "… 1 more path(s) not listed"


def test_degenerate_pairs(sheet: tuple[Program, Evaluation, ScalarGraph]) -> None:
    _, _, g = sheet
    same = path_sum(g, ("g", 0), ("g", 0))
    assert (same.count, same.total, [p.nodes for p in same.paths]) == (1, 1.0, [(17,)])
    backwards = path_sum(g, ("P", (0, 0)), ("f", 0))  # f does not feed P
    assert (backwards.count, backwards.total, backwards.paths) == (0, 0.0, ())
    unrelated = path_sum(g, ("z", 0), ("P", (1, 0)))  # p₂,₁ only feeds z₂
    assert (unrelated.count, unrelated.total) == (0, 0.0)
    assert path_sum(g, g.output_ids[0], g.theta_ids[2]).total == pytest.approx(-1.5)
    assert path_sum(g, g.id_of("z", 1), g.id_of("P", (1, 0))).edges == {(4, 11, 0), (11, 13, 0)}


def test_bad_references_are_clear_errors(sheet: tuple[Program, Evaluation, ScalarGraph]) -> None:
    _, _, g = sheet
    with pytest.raises(KeyError, match="no scalar with id 40"):
        path_sum(g, 40, 0)
    with pytest.raises(KeyError, match="no entry"):
        path_sum(g, ("f", 2), ("P", (0, 0)))
    with pytest.raises(KeyError, match="column 12 is out of range"):
        jacobian_entry(g, 0, 12)
    with pytest.raises(KeyError, match="row 2 is out of range"):
        jacobian_entry(g, 2, 0)


def test_one_scalar_used_twice_gives_two_paths() -> None:
    net = from_dict(
        doc(
            [
                {"id": "w", "op": "param", "value": [0.5]},
                {"id": "y", "op": "add", "inputs": ["w", "w"]},
            ],
            "y",
        )
    )
    _, ev, g = setup(net)
    ps = path_sum(g, ("y", 0), ("w", 0))
    assert [p.positions for p in ps.paths] == [(0,), (1,)]
    assert ps.total == 2.0 and ev.jacobian is not None and ev.jacobian[0, 0] == 2.0


@pytest.mark.parametrize("seed", SEEDS)
def test_random_networks_every_entry(seed: int) -> None:
    program, ev, g = setup(random_network(seed))
    assert ev.jacobian is not None
    m, n = ev.jacobian.shape
    assert (len(g.output_ids), len(g.theta_ids)) == (m, n)
    for row in range(m):
        for col in range(n):
            ps = jacobian_entry(g, row, col)
            assert not ps.truncated and len(ps.paths) == ps.count
            np.testing.assert_allclose(ps.total, ev.jacobian[row, col], rtol=1e-9, atol=1e-12)
            np.testing.assert_allclose(ps.listed_sum, ev.jacobian[row, col], rtol=1e-9, atol=1e-12)
            check_paths(g, ps)
    if ev.gradient is not None and g.loss_id is not None:
        grads = [path_sum(g, g.loss_id, t).total for t in g.theta_ids]
        np.testing.assert_allclose(grads, ev.gradient, rtol=1e-9, atol=1e-12)
