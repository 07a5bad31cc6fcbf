"""Scalar view and backprop walk speed (issue 7), engine side.

The scalar view must stay fluid for about 1,000 scalar nodes (a 2-16-16-2
network): layout + full paint under 200 ms in the Qt view. This bench times the
engine's share of that budget on a 2-16-16-2 ReLU network with biases, softmax and
−ln (and on the sheet's ``exercise3`` for scale):

* ``expand``: every tensor op expanded into scalars, with the scalar reverse pass;
* ``backward``: one scalar reverse sweep from the loss;
* ``path_sum``: every path from a first-layer weight to ``f₁`` (listed) and the sum;
* ``jacobian``: ``J_f(Θ)`` from one scalar reverse sweep per output entry;
* ``walk_steps``: the whole backprop walk with its texts.

Each figure is the median (range) over repeats of the time per call
(:mod:`common`). Run alone with ``python bench/bench_scalar.py``.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import Row, dense_network, measure, run_alone  # noqa: E402

import gradviz  # noqa: E402
from gradviz.engine.paths import path_sum  # noqa: E402
from gradviz.engine.scalar import expand  # noqa: E402
from gradviz.engine.walk import walk_steps  # noqa: E402
from gradviz.model.network import Network  # noqa: E402

SIZES = (2, 16, 16, 2)
BUDGET = 0.200  # seconds: the layout + full paint budget for the scalar view


def rows_for(case: str, net: Network) -> list[Row]:
    """Time expansion, reverse sweep, one path sum, the Jacobian and the walk."""
    program = net.to_program()
    ev = gradviz.evaluate(net)
    graph = expand(program, ev)
    assert graph.loss_id is not None and ev.jacobian is not None
    np.testing.assert_allclose(graph.jacobian(), ev.jacobian, rtol=1e-9, atol=1e-12)
    first = program.nodes[program.params[0]].id
    ps = path_sum(graph, graph.output_ids[0], (first, (0, 0)))
    assert math.isclose(ps.total, float(ev.jacobian[0, 0]), rel_tol=1e-9, abs_tol=1e-12)
    steps = walk_steps(program, ev)

    t_expand = measure(lambda: expand(program, ev), repeats=9)
    share = f"{100 * t_expand.median / BUDGET:.1f}% of the {BUDGET * 1e3:.0f} ms view budget"
    loss_id = graph.loss_id
    return [
        Row(
            "scalar",
            f"expand {case}",
            t_expand,
            f"{len(graph)} scalars, {graph.edge_count} edges; {share}",
        ),
        Row(
            "scalar",
            f"backward {case}",
            measure(lambda: graph.backward(loss_id)),
            "one scalar reverse sweep from l",
        ),
        Row(
            "scalar",
            f"path_sum {case}",
            measure(lambda: path_sum(graph, graph.output_ids[0], (first, (0, 0)))),
            f"∂f₁/∂{first}[1,1]: {ps.count} paths",
        ),
        Row(
            "scalar",
            f"jacobian {case}",
            measure(graph.jacobian),
            f"J_f {ev.jacobian.shape[0]}×{ev.jacobian.shape[1]} by scalar sweeps",
        ),
        Row(
            "scalar",
            f"walk_steps {case}",
            measure(lambda: walk_steps(program, ev)),
            f"{len(steps)} steps with texts",
        ),
    ]


def main() -> list[Row]:
    sizes = "-".join(str(n) for n in SIZES)
    return rows_for("exercise3", gradviz.load("exercise3")) + rows_for(sizes, dense_network(SIZES))


if __name__ == "__main__":
    raise SystemExit(run_alone(main))
