"""The walk's local Jacobians are computed when asked, and a big one never: a
784-256-256-10 MLP's ``∂(P × E)/∂P`` would be 256 × 200 704 (411 MB).

Two guards on the MLP: no dense Jacobian of more than 10⁶ entries is ever asked of
the engine (the spy refuses before anything is allocated), and the walk's peak
memory (``tracemalloc``, which sees numpy's buffers) stays below what one such
matrix takes. The VJP route for large Jacobians is checked against the dense one
on random networks of every op by lowering the limit to 0.
"""

from __future__ import annotations

import tracemalloc
from collections.abc import Iterator

import numpy as np
import pytest
from test_scalar import SEEDS, random_network

import gradviz
from gradviz.engine import walk_jacobian
from gradviz.engine.evaluate import Evaluation
from gradviz.engine.walk import BACKWARD, WalkStep, final_gradients, walk_steps
from gradviz.engine.walk_jacobian import DENSE_JACOBIAN_LIMIT, JacobianTooLarge, LocalJacobian
from gradviz.model.builder import NetworkSpec, build_network
from gradviz.model.network import Network

MILLION = 10**6


@pytest.fixture(scope="module")
def mlp() -> tuple[Network, Evaluation]:
    net = build_network(NetworkSpec(layers=(784, 256, 256, 10), bias=True, init="gaussian", seed=3))
    return net, net.evaluate()


def backward(steps: list[WalkStep]) -> Iterator[tuple[WalkStep, LocalJacobian]]:
    for step in steps:
        if step.phase == BACKWARD:
            assert step.jacobian is not None
            yield step, step.jacobian


@pytest.fixture
def refuse_big_dense(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Every size of local Jacobian asked of the engine; more than 10⁶ entries fails."""
    asked: list[int] = []
    original = Evaluation.local_jacobian

    def spy(self: Evaluation, node_id: str, input_position: int = 0) -> np.ndarray:
        node = self.program.nodes[self.program.index_of(node_id)]
        source = self.program.nodes[node.inputs[input_position]].id
        size = self.values[node_id].size * self.values[source].size
        asked.append(size)
        assert size <= MILLION, f"a dense ∂{node_id}/∂{source} of {size} entries"
        return original(self, node_id, input_position)

    monkeypatch.setattr(Evaluation, "local_jacobian", spy)
    return asked


@pytest.mark.parametrize("of", ["loss", "output"])
def test_walking_the_mlp_builds_no_big_jacobian(
    mlp: tuple[Network, Evaluation], refuse_big_dense: list[int], of: str
) -> None:
    net, ev = mlp
    program = net.to_program()
    tracemalloc.start()
    try:
        steps = walk_steps(program, ev, of=of)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    # loss: 2.9 MB; J_f: 22 MB, mostly ∂f/∂P itself (10 × 200 704) — one dense ∂z/∂P is 411 MB
    limit = 8 * MILLION if of == "loss" else 40 * MILLION
    assert peak < limit
    assert max(refuse_big_dense) <= DENSE_JACOBIAN_LIMIT
    shapes = {(s.source, s.node): j.shape for s, j in backward(steps) if j.large}
    assert shapes == {("P", "z"): (256, 256 * 784), ("Q", "z2"): (256, 256 * 256)}
    k = 1 if of == "loss" else 10
    for step, jac in backward(steps):
        # what a step holds: gradients of its two nodes, never a (v.size × u.size) matrix
        u, v = ev.values[step.source or ""].size, ev.values[step.node].size
        assert np.size(step.incoming) == k * v and np.size(step.product) == k * u
        assert np.size(step.gradient_so_far) == k * u
        assert jac.shape == (v, u) and not any(
            isinstance(x, np.ndarray) for x in vars(jac).values()
        )
    want = ev.node_gradients if of == "loss" else ev.output_jacobians
    for nid, grad in final_gradients(steps).items():
        np.testing.assert_allclose(grad, want[nid], rtol=1e-9, atol=1e-15)


def test_a_big_jacobian_is_a_stand_in_of_its_shape(
    mlp: tuple[Network, Evaluation], refuse_big_dense: list[int]
) -> None:
    net, ev = mlp
    steps = walk_steps(net.to_program(), ev)
    step, jac = next((s, j) for s, j in backward(steps) if s.source == "P")
    shown = step.local_jacobian
    assert shown is not None and shown.shape == (256, 200704)
    assert shown.strides == (0, 0) and not shown.flags.writeable and np.isnan(shown[0, 0])
    with pytest.raises(JacobianTooLarge, match="256 × 200704: 51380224 entries"):
        jac.dense()
    assert "[256×200704 matrix]" in step.text and r"[256$\times$200704 matrix]" in step.latex
    # its numbers on demand: ∂z_r/∂P_{s,t} = 1_{r=s} E_t
    e = ev.values["E"]
    expected = np.zeros((3, 5))
    expected[0] = e[:5]
    np.testing.assert_array_equal(jac.block(3, 5), expected)
    np.testing.assert_array_equal(jac.block(2, 790)[1, 784:], e[:6])
    assert refuse_big_dense == [s for s in refuse_big_dense if s <= DENSE_JACOBIAN_LIMIT]


def test_a_small_jacobian_is_computed_when_asked(refuse_big_dense: list[int]) -> None:
    net = gradviz.load("exercise3")
    ev = net.evaluate()
    steps = walk_steps(net.to_program(), ev)
    asked = len(refuse_big_dense)
    relu = next(s for s in steps if s.edge == ("z", "g", 0))
    np.testing.assert_array_equal(relu.local_jacobian, np.diag([1, 1, 0]))
    assert len(refuse_big_dense) == asked + 1  # not kept: asked again each time
    assert relu.jacobian is not None and not relu.jacobian.large
    np.testing.assert_array_equal(relu.jacobian.block(2, 9), np.eye(2, 3))
    with pytest.raises(ValueError, match="read-only"):
        np.asarray(relu.product)[0] = 7.0


@pytest.mark.parametrize("seed", SEEDS)
def test_the_vjp_route_gives_the_dense_products(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    net = random_network(seed)
    program, ev = net.to_program(), net.evaluate()
    for of in ("loss", "output"):
        dense = walk_steps(program, ev, of=of)
        monkeypatch.setattr(walk_jacobian, "DENSE_JACOBIAN_LIMIT", 0)  # every one "large"
        lazy = walk_steps(program, ev, of=of)
        monkeypatch.undo()
        assert [s.edge for s in lazy] == [s.edge for s in dense]
        for a, b in zip(backward(lazy), backward(dense), strict=True):
            (sa, ja), (sb, jb) = a, b
            full = jb.dense()
            with np.errstate(all="ignore"):
                np.testing.assert_allclose(sa.product, sb.product, rtol=1e-12, atol=1e-14)
                np.testing.assert_allclose(sa.gradient_so_far, sb.gradient_so_far, rtol=1e-12)
            monkeypatch.setattr(walk_jacobian, "DENSE_JACOBIAN_LIMIT", 0)
            assert ja.large and np.isnan(ja.array()).all()
            np.testing.assert_allclose(ja.block(2, 3), full[:2, :3], rtol=1e-12, atol=1e-15)
            g = np.arange(1.0, 1.0 + 2 * full.shape[0]).reshape(2, -1)
            np.testing.assert_allclose(ja.vjp_rows(g), g @ full, rtol=1e-12, atol=1e-12)
            monkeypatch.undo()


def test_a_view_gets_numbers_only_below_the_size_it_shows(
    mlp: tuple[Network, Evaluation], refuse_big_dense: list[int]
) -> None:
    net, ev = mlp
    steps = walk_steps(net.to_program(), ev)
    square = next(j for _, j in backward(steps) if j.shape == (256, 256))  # ∂(Q×g)/∂g
    asked = len(refuse_big_dense)
    stand_in = square.array(600)  # the walk panel names arrays over 600 entries
    assert stand_in.shape == (256, 256) and np.isnan(stand_in).all()
    assert not stand_in.flags.writeable and len(refuse_big_dense) == asked  # not computed
    dense = square.array()  # 65,536 entries: under the limit, computed when asked
    assert np.isfinite(dense).all() and refuse_big_dense[asked:] == [256 * 256]
