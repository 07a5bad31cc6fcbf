"""The exercise generator (``--init exercise``): a fresh network in the sheet's style
whose every number can be written on the board as a simple fraction.

Small integers in, integers through every matrix product, bias and ReLU, so every
value and every local Jacobian before the head is an integer. The head decides the
rest:

* **softmax** over ``m ≤ 4`` outputs: the logits are made to tie (the sheet's
  ``z' = (1, 1)``), so ``S = (1/m, …, 1/m)``, ``J_S = diag(S) − S Sᵀ`` has entries
  ``1/m − 1/m²`` and ``−1/m²`` (denominators ``m² ≤ 16``), ``∂l/∂z' = S − e_i`` and the
  loss is ``ln m`` (``ln 2`` as on the sheet), the only number that is not a fraction;
* **MSE** over ``n ≤ 16`` outputs (identity or ReLU output layer):
  ``l = Σ (f − t)² / n`` and ``∂l/∂f = 2 (f − t) / n``, denominators dividing ``n``.

The search draws inputs in ``{±1, ±2}``, weights in ``[−3, 3]`` and biases in
``[−2, 2]`` from a seeded generator, repairs the last layer so the softmax logits
tie (one weight or bias moved by ``(z'_1 − z'_k) / h_j``, kept within ``±5``), and
rejects a draw when a ReLU input is exactly 0 (unless ``allow_kinks``), a ReLU layer
is dead or mostly dead (fewer than half its units, rounded up, positive; the sheet
keeps 2 of 3), the loss gradient is all zero, a number exceeds
:data:`MAX_ABS`, or — checked on the real evaluation with
``as_fraction(x, max_denominator=16)`` — any value, local Jacobian entry, ``J_f(Θ)``
entry or ``∇l(Θ)`` entry is not a fraction with denominator ≤ 16.

Sigmoid and tanh layers cannot give fractions (``σ(x)`` is irrational for every
integer ``x ≠ 0`` and ``σ'(0) = 1/4`` needs a zero input everywhere), so they are
refused with a ``ValueError``.
"""

from __future__ import annotations

import math

import numpy as np

from gradviz.engine.evaluate import Evaluation
from gradviz.engine.exact import as_fraction
from gradviz.engine.ops import Array
from gradviz.model.builder import NetworkSpec, assemble, describe
from gradviz.model.network import Network

MAX_DENOMINATOR = 16
MAX_ABS = 60.0
"""No value, Jacobian entry or gradient entry of an exercise exceeds this."""
MAX_TRIES = 20000
WEIGHT_RANGE = 3
BIAS_RANGE = 2
REPAIR_RANGE = 5
INPUT_CHOICES = np.array([-2.0, -1.0, 1.0, 2.0])
INPUT_WEIGHTS = np.array([0.15, 0.35, 0.35, 0.15])


def check_exercise_spec(spec: NetworkSpec) -> None:
    """``ValueError`` with one sentence when no exercise of this shape can exist."""
    spec.check()
    smooth = [a for a in spec.layer_activations() if a in ("sigmoid", "tanh")]
    if smooth:
        names = " and ".join(sorted(set(smooth)))
        raise ValueError(
            f"{names} layers give irrational numbers, so an exercise takes only ReLU or "
            "no activation (choose another init for them)"
        )
    m = spec.layers[-1]
    if spec.head == "softmax" and m * m > MAX_DENOMINATOR:
        raise ValueError(
            f"a softmax over {m} outputs has denominators {m * m}; exercises allow at most "
            f"{MAX_DENOMINATOR}, so use 2 to 4 outputs"
        )
    if spec.head == "mse" and m > MAX_DENOMINATOR:
        raise ValueError(
            f"an MSE over {m} outputs divides by {m}; exercises allow at most "
            f"{MAX_DENOMINATOR} outputs"
        )


def generate_exercise(
    spec: NetworkSpec, seed: int, *, allow_kinks: bool | None = None, max_tries: int = MAX_TRIES
) -> Network:
    """A network of ``spec``'s shape (its init ignored) whose numbers are all simple
    fractions, the same for the same ``seed``. ``allow_kinks`` defaults to
    ``spec.allow_kinks``. ``ValueError`` when the shape cannot work or no draw
    passes in ``max_tries``."""
    check_exercise_spec(spec)
    kinks = spec.allow_kinks if allow_kinks is None else allow_kinks
    rng = np.random.default_rng(seed)
    acts = spec.layer_activations()
    biases_on = spec.layer_biases()
    for _ in range(max_tries):
        draw = _draw(spec, rng, biases_on)
        if draw is None:
            continue
        e, weights, biases = draw
        out = _prefilter(spec, acts, e, weights, biases, kinks, rng)
        if out is None:
            continue
        target = _target(spec, rng, out)
        title = spec.title or f"Exercise (seed {seed}): {describe(spec)}"
        net = assemble(spec, e, weights, biases, target)
        net.title = title
        ev = net.evaluate()
        if ev.gradient is None or not all(np.any(ev.node_gradients[p]) for p in net.param_ids):
            continue  # a parameter with ∂l/∂W = 0 everywhere leaves nothing to compute
        if not kinks and ev.nondifferentiable:
            continue
        if not exercise_problems(net, ev):
            return net
    raise ValueError(
        f"no exercise of shape {'-'.join(map(str, spec.layers))} found in {max_tries} tries; "
        "try smaller layers or another seed"
    )


def _draw(
    spec: NetworkSpec, rng: np.random.Generator, biases_on: list[bool]
) -> tuple[Array, list[Array], list[Array | None]] | None:
    if spec.input_values is not None:
        e = np.asarray(spec.input_values, dtype=np.float64)
    else:
        e = rng.choice(INPUT_CHOICES, size=spec.layers[0], p=INPUT_WEIGHTS)
    weights: list[Array] = []
    biases: list[Array | None] = []
    for k in range(1, spec.depth + 1):
        shape = (spec.layers[k], spec.layers[k - 1])
        weights.append(rng.integers(-WEIGHT_RANGE, WEIGHT_RANGE + 1, size=shape).astype(float))
        biases.append(
            rng.integers(-BIAS_RANGE, BIAS_RANGE + 1, size=shape[0]).astype(float)
            if biases_on[k - 1]
            else None
        )
    return e, weights, biases


def _prefilter(
    spec: NetworkSpec,
    acts: list[str],
    e: Array,
    weights: list[Array],
    biases: list[Array | None],
    kinks: bool,
    rng: np.random.Generator,
) -> Array | None:
    """Cheap forward pass on the draw (repairing the softmax tie in place): the
    last layer's output, or None when it hits a kink, a mostly dead ReLU layer or a
    number above :data:`MAX_ABS`."""
    h = e
    for k, act in enumerate(acts):
        w, b = weights[k], biases[k]
        last = k == len(acts) - 1
        if last and spec.head == "softmax" and not _tie(w, b, h, rng):
            return None
        s = w @ h + (b if b is not None else 0.0)
        if np.max(np.abs(s)) > MAX_ABS:
            return None
        if act == "relu":
            if (not kinks and np.any(s == 0)) or np.count_nonzero(s > 0) < (s.size + 1) // 2:
                return None
            s = np.where(s > 0, s, 0.0)
        h = s
    return h


def _tie(w: Array, b: Array | None, h: Array, rng: np.random.Generator) -> bool:
    """Make every logit equal the first, ``(W h + b)_k = (W h + b)_1``, by moving one
    entry of row ``k`` (a weight when ``h_j`` divides the gap, else the bias)."""
    s = w @ h + (b if b is not None else 0.0)
    for k in range(1, w.shape[0]):
        gap = s[0] - s[k]
        if gap == 0:
            continue
        cols = [
            j
            for j in rng.permutation(h.size)
            if h[j] != 0
            and float(gap / h[j]).is_integer()
            and abs(w[k, j] + gap / h[j]) <= REPAIR_RANGE
        ]
        if cols:
            w[k, cols[0]] += gap / h[cols[0]]
        elif b is not None and abs(b[k] + gap) <= REPAIR_RANGE:
            b[k] += gap
        else:
            return False
    return True


def _target(spec: NetworkSpec, rng: np.random.Generator, out: Array) -> int | Array:
    """The softmax class, or an MSE target (the spec's if given, else the output
    moved by small integers ``d ∈ [−2, 2]``, not all 0, so the loss ``mean(d²) ≤ 4``
    stays small)."""
    if spec.head == "softmax":
        return spec.target_index()
    if spec.target is not None:
        return spec.target_vector()
    d = rng.integers(-2, 3, size=out.size)
    if not np.any(d):
        d[rng.integers(out.size)] = rng.choice([-1, 1])
    return out + d


def is_simple(x: float, max_denominator: int = MAX_DENOMINATOR) -> bool:
    """Whether ``x`` is a fraction ``p/q`` with ``q ≤ max_denominator`` and
    ``|x| ≤ MAX_ABS``."""
    return abs(x) <= MAX_ABS and as_fraction(x, max_denominator=max_denominator) is not None


def exercise_problems(
    net: Network, ev: Evaluation | None = None, max_denominator: int = MAX_DENOMINATOR
) -> list[str]:
    """Every number of ``net`` a teacher would write that is not simple, as
    ``"where: value"`` strings (empty when the network is a good exercise): node
    values, local Jacobians, ``∂l/∂value`` on every node, ``J_f(Θ)``, ``∇l(Θ)``. A
    softmax-head loss must be ``ln m`` (all ``m`` probabilities ``1/m``)."""
    ev = net.evaluate() if ev is None else ev
    bad: list[str] = []

    def look(where: str, a: Array | float | None) -> None:
        if a is None:
            return
        for x in np.asarray(a, dtype=np.float64).ravel():
            if not is_simple(float(x), max_denominator):
                bad.append(f"{where}: {float(x)!r}")
                return

    loss_node = net.node(net.loss) if net.loss is not None else None
    softmax_loss = (
        loss_node is not None
        and loss_node.op == "neg_log"
        and net.node(loss_node.inputs[0]).op == "softmax"
    )
    for nid, value in ev.values.items():
        if softmax_loss and nid == net.loss:
            m = ev.values[loss_node.inputs[0]].size  # type: ignore[union-attr]
            if not math.isclose(float(value), math.log(m), rel_tol=1e-12):
                bad.append(f"loss {nid}: {float(value)!r} is not ln {m}")
            continue
        look(f"value of {nid}", value)
        for pos, src in enumerate(ev.inputs_of(nid)):
            look(f"∂{nid}/∂{src}", ev.local_jacobian(nid, pos))
    for nid, grad in ev.node_gradients.items():
        look(f"∂{net.loss}/∂{nid}", grad)
    look("J_f(Θ)", ev.jacobian)
    look("∇l(Θ)", ev.gradient)
    return bad
