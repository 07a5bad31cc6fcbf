"""An overflow (weights ±1e308, so z₁ = 1e308 + 1e308 = inf) is carried by the
numbers, never warned about: every Jacobian an Evaluation hands out is computed
with warnings as errors, and the local ∂z₂/∂Q shows the NaN of inf · 0."""

from __future__ import annotations

import warnings

import numpy as np

import gradviz


def test_every_jacobian_of_an_overflowed_network_without_a_warning() -> None:
    net = gradviz.load("exercise3")
    p = net.node("P")
    assert p.value is not None
    p.value = p.value.copy()
    p.value[0, 0], p.value[0, 1] = 1e308, -1e308
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ev = net.evaluate()
        assert ev.values["z"][0] == np.inf
        local = {
            (n.id, pos): ev.local_jacobian(n.id, pos)
            for n in ev.program.nodes
            for pos in range(len(n.inputs))
        }
        between = {n.id: ev.jacobian_between(n.id) for n in ev.program.nodes}
        assert set(ev.node_gradients) == set(ev.output_jacobians) == set(net.ids)
    assert np.isnan(local[("z2", 0)]).any()  # ∂z₂/∂Q holds g = (inf, …): inf · 0 in kron
    assert local[("z2", 0)].shape == (2, 6)
    assert between["l"].shape == (1, 12) and np.isnan(between["l"]).all()
