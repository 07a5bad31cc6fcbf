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

import sys
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import (  # noqa: E402  (first: it caps the BLAS threads before numpy loads)
    THREADS,
    Row,
    compare,
    dense_network,
    measure,
    ratio_note,
    run_alone,
    speed_note,
)

# isort: split
import numpy as np  # noqa: E402

import gradviz  # noqa: E402
from gradviz.engine.ops import Array  # noqa: E402
from gradviz.model.network import Network  # noqa: E402

MLP_SIZES = (784, 256, 256, 10)
DEPTHS = (2, 4, 8, 16, 32, 64)
WIDTH = 16
#: (values, J (m, n), ∇l (n,)) as numpy, torch or jax arrays
Results = tuple[list[Any], Any, Any]


def mlp_network(sizes: tuple[int, ...], seed: int = 0) -> Network:
    """:func:`common.dense_network` with the loss on entry 3 (of the MLP's ten)."""
    return dense_network(sizes, seed, index=3, title="MLP")


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


@dataclass(frozen=True)
class Library:
    """What a library version needs of torch or jax: an array from numpy, ReLU,
    softmax and log-softmax of a vector, concatenation along an axis, and waiting
    for a result to be computed."""

    array: Callable[[Array], Any]
    relu: Callable[[Any], Any]
    softmax: Callable[[Any], Any]
    log_softmax: Callable[[Any], Any]
    concat: Callable[[list[Any], int], Any]
    ready: Callable[[Any], Any]


def forward_function(net: Network, lib: Library) -> tuple[tuple[Any, ...], Callable[..., Any]]:
    """The parameters in Θ order (as ``lib`` arrays) and ``f(*params)`` →
    ``(out, out)`` with ``out`` = (S, l) stacked, for ``jacrev(..., has_aux=True)``:
    layers ``h ← W h + b`` (or ``W h`` without biases), ReLU between them, then
    ``S = softmax(h)`` and ``l = −ln S[index] = −log_softmax(h)[index]``."""
    ws = weights(net)
    step = 2 if any(w.ndim == 1 for w in ws) else 1  # parameters per layer
    index = int(net.node(net.loss or "").attrs["index"])
    x = lib.array(np.asarray(net.nodes[0].value))
    params = tuple(lib.array(w) for w in ws)

    def f(*ps: Any) -> Any:
        h = x
        for k in range(0, len(ps), step):
            h = ps[k] @ h + ps[k + 1] if step == 2 else ps[k] @ h
            if k + step < len(ps):
                h = lib.relu(h)
        out = lib.concat([lib.softmax(h), -lib.log_softmax(h)[index : index + 1]], 0)
        return out, out

    return params, f


def jacobian_runner(
    jac: Callable[..., Any], params: tuple[Any, ...], lib: Library
) -> Callable[[], Results]:
    """A timed call: ``jac(*params)`` → (values, J_S (m, n), ∇l (n,)) in Θ order."""

    def run() -> Results:
        blocks, out = jac(*params)
        m = out.shape[0] - 1
        full = lib.ready(lib.concat([b.reshape(m + 1, -1) for b in blocks], 1))
        return [out[:m], out[m]], full[:m], full[m]

    return run


def torch_version(net: Network) -> Callable[[], Results] | str:
    """``torch.func.jacrev`` of (S, l) w.r.t. every parameter at once, float64."""
    try:
        import torch
        from torch.func import jacrev
    except ImportError:
        return "torch not installed (pip install -e '.[bench]')"
    torch.set_num_threads(int(THREADS))
    soft, log_soft = partial(torch.softmax, dim=0), partial(torch.log_softmax, dim=0)
    lib = Library(torch.from_numpy, torch.relu, soft, log_soft, torch.cat, lambda a: a)
    params, f = forward_function(net, lib)
    return jacobian_runner(jacrev(f, argnums=tuple(range(len(params))), has_aux=True), params, lib)


def jax_version(net: Network) -> Callable[[], Results] | str:
    """``jax.jit(jax.jacrev(...))`` of (S, l) w.r.t. every parameter, float64
    (compilation happens in the warm-up, not in the timed calls)."""
    try:
        import jax
        import jax.numpy as jnp
    except ImportError:
        return "jax not installed (pip install -e '.[bench]')"
    jax.config.update("jax_enable_x64", True)  # type: ignore[no-untyped-call,unused-ignore]
    soft, log_soft = jax.nn.softmax, jax.nn.log_softmax
    lib = Library(jnp.asarray, jax.nn.relu, soft, log_soft, jnp.concatenate, _ready)
    params, f = forward_function(net, lib)
    jac = jax.jit(jax.jacrev(f, argnums=tuple(range(len(params))), has_aux=True))
    return jacobian_runner(jac, params, lib)


def _ready(a: Any) -> Any:
    return a.block_until_ready()


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
