"""The checker meets overflow without a single floating-point warning, whichever
entry of whichever parameter or input is huge, infinite or NaN: every numpy
operation it runs sits inside an ``np.errstate`` of its own (finite differences,
the comparison, the local Jacobians), so ``check_evaluation`` needs none."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import gradviz
from gradviz.engine.check import check_evaluation

EDGE_VALUES = [1e308, -1e308, math.inf, -math.inf, math.nan]


def cases() -> list[tuple[str, int]]:
    """(node, flat index) of every entry of every value-bearing node of exercise3."""
    net = gradviz.load("exercise3")
    return [
        (nid, k)
        for nid in net.ids
        if (value := net.node(nid).value) is not None
        for k in range(value.size)
    ]


@pytest.mark.parametrize("node,index", cases())
def test_an_edge_value_anywhere_raises_no_warning(node: str, index: int) -> None:
    for edge_value in EDGE_VALUES:
        net = gradviz.load("exercise3")
        target = net.node(node)
        assert target.value is not None
        value = np.array(target.value, dtype=np.float64)
        value.reshape(-1)[index] = edge_value
        target.value = value
        ev = net.evaluate()
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            rows = check_evaluation(ev)
        assert rows, (node, index, edge_value)
        # a row whose error is inf or NaN never passes
        assert not any(r.ok and not math.isfinite(r.max_error) for r in rows)
        if not math.isfinite(edge_value):  # (1e308 may meet a ReLU's 0 and vanish)
            assert not all(r.ok for r in rows), (node, index, edge_value)
