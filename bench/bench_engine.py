"""Engine speed: ``gradviz.evaluate`` (forward values, the full Jacobian
``J_f(Θ)`` and ``∇l(Θ)``) against the same numbers computed by hand.

* ``exercise3`` (the sheet's 2-3-2 network, Θ of size 12): goal ≤ 3× a bare
  hand-written numpy computation, and faster than ``torch.func.jacrev``.
* a 784-256-256-10 ReLU/softmax/NLL MLP with biases (Θ of size 269 322, the
  Jacobian 10 × Θ): goal ≤ 1.5× hand-written numpy.
* ``torch.func.jacrev`` and ``jax.jacrev`` (jit-compiled, float64) on both when
  importable (``pip install -e '.[bench]'``), else a note.
* growth: the time of one evaluation of a chain of ``depth`` dense ReLU layers
  of fixed width, depth 2 … 64, and the fitted exponent of time ∝ nodes^k.

Every hand-written and library result is checked against gradviz's numbers
before it is timed, so each row times the same computation.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import (  # noqa: E402  (first: it caps the BLAS threads before numpy loads)
    THREADS,
    Row,
    compare,
    measure,
    ratio_note,
    run_alone,
    speed_note,
)

# isort: split
import numpy as np  # noqa: E402

import gradviz  # noqa: E402
from gradviz.engine.ops import Array  # noqa: E402
from gradviz.model.network import Network, Node  # noqa: E402

MLP_SIZES = (784, 256, 256, 10)
DEPTHS = (2, 4, 8, 16, 32, 64)
WIDTH = 16
#: (values, J (m, n), ∇l (n,)) as numpy, torch or jax arrays
Results = tuple[list[Any], Any, Any]


def mlp_network(sizes: tuple[int, ...], seed: int = 0, index: int = 3) -> Network:
    """A dense ReLU network ``x → (W_k · + b_k, ReLU)… → softmax → −ln S[index]``
    with He-initialised weights; Θ = (W_1, b_1, W_2, b_2, …) row-major."""
    rng = np.random.default_rng(seed)
    nodes = [Node("x", "input", value=rng.standard_normal(sizes[0]))]
    prev = "x"
    for k, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True), start=1):
        w = rng.standard_normal((n_out, n_in)) * math.sqrt(2.0 / n_in)
        nodes += [
            Node(f"W{k}", "param", value=w),
            Node(f"m{k}", "matmul", [f"W{k}", prev]),
            Node(f"b{k}", "param", value=0.1 * rng.standard_normal(n_out)),
            Node(f"a{k}", "add", [f"m{k}", f"b{k}"]),
        ]
        prev = f"a{k}"
        if k < len(sizes) - 1:
            nodes.append(Node(f"h{k}", "relu", [prev]))
            prev = f"h{k}"
    nodes += [Node("S", "softmax", [prev]), Node("l", "neg_log", ["S"], attrs={"index": index})]
    return Network(nodes, title="MLP", output="S", loss="l")


def weights(net: Network) -> list[Array]:
    return [np.asarray(net.node(p).value) for p in net.param_ids]


# -- hand-written numpy ---------------------------------------------------------------


def exercise3_numpy(e: Array, p: Array, q: Array, index: int = 0) -> Results:
    """z = P E, g = R(z), z' = Q g, f = S(z'), l = −ln f[index]; J_f(Θ) by the chain
    rule: ∂f/∂Q_{st} = J_S[:, s] g_t and ∂f/∂P_{st} = (J_S Q diag(1_{z>0}))[:, s] E_t;
    ∇l = the same with the cotangent S − e_index instead of J_S."""
    z = p @ e
    g = np.where(z > 0, z, 0.0)
    z2 = q @ g
    ex = np.exp(z2 - z2.max())
    s = ex / ex.sum()
    loss = -(z2[index] - z2.max() - np.log(ex.sum()))
    cot = np.empty((3, 2))  # rows 0, 1: J_S; row 2: ∂l/∂z' = S − e_index
    cot[:2] = np.diag(s) - np.outer(s, s)
    cot[2] = s
    cot[2, index] -= 1.0
    dz = (cot @ q) * (z > 0)
    full = np.concatenate(
        [(dz[:, :, None] * e).reshape(3, 6), (cot[:, :, None] * g).reshape(3, 6)], axis=1
    )
    return [z, g, z2, s, np.asarray(loss)], full[:2], full[2]


def mlp_numpy(x: Array, ws: list[Array], index: int) -> Results:
    """The MLP by hand, as one would write it: forward, then one batched reverse
    sweep with the m + 1 cotangents (rows of J_S and S − e_index) through every
    layer; ∂a/∂W = cot ⊗ input, ∂a/∂b = cot; blocks concatenated in Θ order."""
    acts, pre = [x], []
    for k in range(0, len(ws) - 2, 2):
        a = ws[k] @ acts[-1] + ws[k + 1]
        pre.append(a)
        acts.append(np.where(a > 0, a, 0.0))
    logits = ws[-2] @ acts[-1] + ws[-1]
    ex = np.exp(logits - logits.max())
    s = ex / ex.sum()
    loss = -(logits[index] - logits.max() - np.log(ex.sum()))
    m = s.size
    cot = np.empty((m + 1, m))
    cot[:m] = np.diag(s) - np.outer(s, s)
    cot[m] = s
    cot[m, index] -= 1.0
    blocks: list[Array] = []
    for k in range(len(ws) - 2, -1, -2):
        inp = acts[k // 2]
        blocks += [cot, (cot[:, :, None] * inp).reshape(m + 1, -1)]  # b_k, then W_k
        if k:
            cot = (cot @ ws[k]) * (pre[k // 2 - 1] > 0)
    full = np.concatenate(blocks[::-1], axis=1)
    return [*pre, s, np.asarray(loss)], full[:m], full[m]


# -- libraries ------------------------------------------------------------------------


def chain(net: Network) -> tuple[Array, list[Array], int, int]:
    """The pieces a library version needs: input, parameters in Θ order, the
    parameters per layer (2 with biases, else 1) and the loss index."""
    ws = weights(net)
    step = 2 if any(w.ndim == 1 for w in ws) else 1
    x = np.asarray(net.nodes[0].value)
    return x, ws, step, int(net.node(net.loss or "").attrs["index"])


def torch_version(net: Network) -> Callable[[], Results] | str:
    """``torch.func.jacrev`` of (S, l) w.r.t. every parameter at once, float64."""
    try:
        import torch
        from torch.func import jacrev
    except ImportError:
        return "torch not installed (pip install -e '.[bench]')"
    x_np, ws, step, index = chain(net)
    torch.set_num_threads(int(THREADS))
    x = torch.from_numpy(x_np)
    params = tuple(torch.from_numpy(w) for w in ws)

    def f(*ps: Any) -> Any:
        h = x
        for k in range(0, len(ps), step):
            h = ps[k] @ h + ps[k + 1] if step == 2 else ps[k] @ h
            if k + step < len(ps):
                h = torch.relu(h)
        out = torch.cat([torch.softmax(h, 0), -torch.log_softmax(h, 0)[index : index + 1]])
        return out, out

    jac = jacrev(f, argnums=tuple(range(len(params))), has_aux=True)

    def run() -> Results:
        blocks, out = jac(*params)
        m = out.shape[0] - 1
        full = torch.cat([b.reshape(m + 1, -1) for b in blocks], 1)
        return [out[:m], out[m]], full[:m], full[m]

    return run


def jax_version(net: Network) -> Callable[[], Results] | str:
    """``jax.jit(jax.jacrev(...))`` of (S, l) w.r.t. every parameter, float64
    (compilation happens in the warm-up, not in the timed calls)."""
    try:
        import jax
        import jax.numpy as jnp
    except ImportError:
        return "jax not installed (pip install -e '.[bench]')"
    jax.config.update("jax_enable_x64", True)  # type: ignore[no-untyped-call,unused-ignore]
    x_np, ws, step, index = chain(net)
    x = jnp.asarray(x_np)
    params = tuple(jnp.asarray(w) for w in ws)

    def f(*ps: Any) -> Any:
        h = x
        for k in range(0, len(ps), step):
            h = ps[k] @ h + ps[k + 1] if step == 2 else ps[k] @ h
            if k + step < len(ps):
                h = jax.nn.relu(h)
        out = jnp.concatenate([jax.nn.softmax(h), -jax.nn.log_softmax(h)[index : index + 1]])
        return out, out

    jac = jax.jit(jax.jacrev(f, argnums=tuple(range(len(params))), has_aux=True))

    def run() -> Results:
        blocks, out = jac(*params)
        m = out.shape[0] - 1
        full = jnp.concatenate([b.reshape(m + 1, -1) for b in blocks], 1).block_until_ready()
        return [out[:m], out[m]], full[:m], full[m]

    return run


# -- the benchmarks -------------------------------------------------------------------


def agree(name: str, got: Results, want: gradviz.Evaluation) -> None:
    """Stop the bench if a competitor computes different numbers than gradviz."""
    assert want.jacobian is not None and want.gradient is not None
    np.testing.assert_allclose(np.asarray(got[1]), want.jacobian, atol=1e-9, err_msg=name)
    np.testing.assert_allclose(np.asarray(got[2]), want.gradient, atol=1e-9, err_msg=name)


def versus(
    group: str,
    case: str,
    net: Network,
    hand: Callable[[], Results],
    goal: float,
    repeats: int,
    target: float,
) -> list[Row]:
    """gradviz, hand-written numpy, torch and jax on one network, interleaved."""
    reference = gradviz.evaluate(net)
    rivals: dict[str, Callable[[], Results]] = {"numpy": hand}
    notes: dict[str, str] = {}
    for name, make in (("torch.func.jacrev", torch_version), ("jax.jacrev (jit)", jax_version)):
        made = make(net)
        if isinstance(made, str):
            notes[name] = made
        else:
            rivals[name] = made
    for name, fn in rivals.items():
        agree(name, fn(), reference)
    fns: dict[str, Callable[[], object]] = {"gradviz": lambda: gradviz.evaluate(net), **rivals}
    times = compare(fns, repeats=repeats, target=target)
    g = times["gradviz"]
    rows = [
        Row(group, f"{case}: gradviz.evaluate", g, ratio_note(g, times["numpy"], "numpy", goal)),
        Row(group, f"{case}: hand-written numpy", times["numpy"]),
    ]
    for name in ("torch.func.jacrev", "jax.jacrev (jit)"):
        if name in times:
            t = times[name]
            rows.append(Row(group, f"{case}: {name}", t, speed_note(g, t)))
        else:
            rows.append(Row(group, f"{case}: {name}", None, notes[name]))
    return rows


def exercise3_rows() -> list[Row]:
    net = gradviz.load("exercise3")
    e, p, q = (np.asarray(net.node(i).value) for i in ("E", "P", "Q"))
    return versus(
        "engine", "exercise3", net, lambda: exercise3_numpy(e, p, q), 3.0, repeats=9, target=0.1
    )


def mlp_rows() -> list[Row]:
    net = mlp_network(MLP_SIZES)
    x = np.asarray(net.node("x").value)
    ws = weights(net)
    return versus(
        "engine", "MLP 784-256-256-10", net, lambda: mlp_numpy(x, ws, 3), 1.5, repeats=7, target=0.3
    )


def growth_rows() -> list[Row]:
    """Evaluate time for depth 2 … 64 at width WIDTH, and the exponent k of
    time ∝ nodes^k fitted by least squares on the logs of the fastest repeats
    (the least disturbed by other processes); k ≈ 1 is linear. The same fit for
    ``Network.to_program`` alone shows whether building the program grows faster."""
    rows: list[Row] = []
    nodes: list[int] = []
    secs: list[float] = []
    prog_secs: list[float] = []
    for depth in DEPTHS:
        net = mlp_network((WIDTH,) * (depth + 1), seed=depth)
        t = measure(partial(gradviz.evaluate, net), repeats=5, target=0.1)
        prog_secs.append(measure(net.to_program, repeats=5, target=0.05).low)
        n = len(net.nodes)
        nodes.append(n)
        secs.append(t.low)
        note = f"{t.median / n * 1e6:.1f} µs per node"
        rows.append(Row("growth", f"depth {depth:2d} × width {WIDTH} ({n} nodes)", t, note))
    fits = []
    for what, ys in (("gradviz.evaluate", secs), ("of it net.to_program", prog_secs)):
        k = float(np.polyfit(np.log(nodes), np.log(ys), 1)[0])
        fits.append(f"{what} k = {k:.2f} ({'linear' if k < 1.15 else 'SUPERLINEAR'})")
    rows.append(Row("growth", "fit: time ∝ nodes^k", None, "; ".join(fits)))
    return rows


def main() -> list[Row]:
    return exercise3_rows() + mlp_rows() + growth_rows()


if __name__ == "__main__":
    raise SystemExit(run_alone(main))
