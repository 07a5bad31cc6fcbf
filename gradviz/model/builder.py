"""Build a layered network from a short description (File → New network…, ``gradviz new``).

A :class:`NetworkSpec` names the layer sizes ``n_0, n_1, …, n_L`` (``n_0`` the
input, ``n_L`` the output), an activation and a bias switch per weight layer, the
head and the initial weights. Layer ``k`` (1-based) computes

    h_k = act_k(W_k × h_{k−1} + b_k),   W_k of shape (n_k, n_{k−1}), b_k of shape (n_k,)

with ``h_0 = E``. The head reads ``h_L``:

* ``"softmax"``: ``f = S(h_L)`` and ``l = −ln f[target + 1]`` (``target`` 0-based);
* ``"mse"``: ``f = h_L`` itself and ``l = mean((f − t)²)`` for the target vector ``t``.

Names follow the sheet. The input is ``E``. Weight matrices are ``P, Q`` and then
``U, V, W, A, B, C, D, H, K, M, N`` (then ``W14, W15, …``): the letters the sheet
gives another meaning are skipped — ``R`` and ``S`` (ReLU and softmax), ``E`` (the
input), ``F``/``G``/``L`` (next to the nodes ``f``, ``g``, ``l``), ``I``, ``J``,
``O``, ``T`` (identity, Jacobian, zero, transpose) and ``X``–``Z`` (variables).
The bias of layer ``k`` is ``b{k}`` (label ``b₁``, ``b₂`` …), so ``b2`` is always
``Q``'s bias. Op nodes are named as on the sheet: ``z = P×E``, ``g = R(z)``,
``z2 = Q×g`` …; with a bias ``a = z + b1`` (``a2``, …). The head's output is always
``f`` and the loss always ``l``; for an MSE head ``f`` is the last layer's final node.

Nodes are written in file order ``E, P, z, b1, a, g, Q, z2, b2, a2, …, f, l``, so

    Θ = (P[1,1], …, P[n_1,n_0], b1[1], …, b1[n_1], Q[1,1], …, b2[1], …, …)

row-major, layer by layer, each weight matrix followed by its bias.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from gradviz.engine.ops import Array
from gradviz.model.fileformat import ModelError, validate
from gradviz.model.network import Network, Node

ACTIVATION_CHOICES = ("relu", "sigmoid", "tanh", "none")
HEADS = ("softmax", "mse")
INITS = ("zeros", "gaussian", "ints", "exercise")

#: The weight matrices' names, layer by layer (see the module docstring).
WEIGHT_NAMES = ("P", "Q", "U", "V", "W", "A", "B", "C", "D", "H", "K", "M", "N")
#: What the canvas writes on an activation node.
ACTIVATION_LABELS = {"relu": "ReLU", "sigmoid": "σ", "tanh": "tanh"}
#: Integers drawn by ``init="ints"``: uniform in ``[−INT_RANGE, INT_RANGE]``.
INT_RANGE = 3

_SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def subscript(k: int) -> str:
    """``12`` → ``"₁₂"``."""
    return str(k).translate(_SUBSCRIPTS)


def weight_name(k: int) -> str:
    """Name of layer ``k``'s weight matrix (1-based): ``P``, ``Q``, ``U`` …, ``W14`` …"""
    return WEIGHT_NAMES[k - 1] if k <= len(WEIGHT_NAMES) else f"W{k}"


def layer_id(base: str, k: int) -> str:
    """The sheet's numbering: ``z``, ``z2``, ``z3`` … for layer 1, 2, 3 …"""
    return base if k == 1 else f"{base}{k}"


@dataclass(frozen=True)
class NetworkSpec:
    """What to build.

    ``layers`` — sizes ``(n_0, …, n_L)``, input first, at least two entries.
    ``input_values`` — ``E`` (``n_0`` numbers); None picks ``(1, −1, 1, …)`` like the
    sheet's ``E_0`` (or lets the exercise generator choose).
    ``activations`` — one per hidden layer, optionally one more for the output
    layer (default ``"none"``); a single entry applies to every hidden layer (and,
    in a network without hidden layers, to the output layer).
    ``bias`` — one switch for every layer, or one per weight layer.
    ``head`` — ``"softmax"`` or ``"mse"``; ``target`` — the 0-based class for
    softmax (default 0), the target vector for MSE (default ``(1, 0, …, 0)``).
    ``init`` — ``zeros``, ``gaussian`` (``N(0, 1/n_{k−1})``, seeded), ``ints``
    (uniform integers in ``[−3, 3]``, seeded) or ``exercise`` (see
    :mod:`gradviz.model.exercise`). ``allow_kinks`` lets the exercise generator hit
    a ReLU at exactly 0.
    """

    layers: tuple[int, ...] = (2, 3, 2)
    input_values: tuple[float, ...] | None = None
    activations: tuple[str, ...] = ("relu",)
    bias: bool | tuple[bool, ...] = False
    head: str = "softmax"
    target: int | tuple[float, ...] | None = None
    init: str = "ints"
    seed: int = 0
    title: str = ""
    allow_kinks: bool = False

    @property
    def depth(self) -> int:
        """Number of weight layers ``L``."""
        return len(self.layers) - 1

    @property
    def hidden(self) -> tuple[int, ...]:
        """The hidden layers' sizes ``(n_1, …, n_{L−1})``."""
        return self.layers[1:-1]

    def layer_activations(self) -> list[str]:
        """One activation per weight layer (``L`` entries, ``"none"`` = identity)."""
        acts = list(self.activations)
        hidden = self.depth - 1
        if hidden > 0 and len(acts) == hidden:
            return acts + ["none"]
        if hidden > 1 and len(acts) == 1:
            return acts * hidden + ["none"]
        if len(acts) == self.depth:  # the last one is the output layer's
            return acts
        raise ValueError(
            f"give one activation per hidden layer ({hidden}), optionally one more for "
            f"the output layer, not {len(acts)}"
        )

    def layer_biases(self) -> list[bool]:
        """One bias switch per weight layer."""
        if isinstance(self.bias, bool):
            return [self.bias] * self.depth
        if len(self.bias) != self.depth:
            raise ValueError(
                f"give one bias switch per weight layer ({self.depth}), not {len(self.bias)}"
            )
        return [bool(b) for b in self.bias]

    def target_index(self) -> int:
        """The softmax head's class, 0-based."""
        t = 0 if self.target is None else self.target
        if not isinstance(t, int) or isinstance(t, bool):
            raise ValueError("a softmax head takes one class number as its target")
        return t

    def target_vector(self) -> Array:
        """The MSE head's target ``t`` (``n_L`` entries)."""
        if self.target is None:
            t = np.zeros(self.layers[-1])
            t[0] = 1.0
            return t
        if isinstance(self.target, int):
            raise ValueError("an MSE head takes a target vector, not a class number")
        return np.asarray(self.target, dtype=np.float64)

    def check(self) -> None:
        """Raise ``ValueError`` with one sentence when the spec cannot be built."""
        if len(self.layers) < 2:
            raise ValueError("give at least two layer sizes (input and output), e.g. 2,3,2")
        if any(n < 1 for n in self.layers):
            raise ValueError("every layer needs at least 1 unit")
        for act in self.activations:
            if act not in ACTIVATION_CHOICES:
                raise ValueError(
                    f"unknown activation {act!r} (choose from {', '.join(ACTIVATION_CHOICES)})"
                )
        self.layer_activations()
        self.layer_biases()
        if self.head not in HEADS:
            raise ValueError(f"unknown head {self.head!r} (choose softmax or mse)")
        if self.init not in INITS:
            raise ValueError(f"unknown init {self.init!r} (choose from {', '.join(INITS)})")
        if self.input_values is not None and len(self.input_values) != self.layers[0]:
            raise ValueError(
                f"the input has {len(self.input_values)} values but the first layer size "
                f"is {self.layers[0]}"
            )
        m = self.layers[-1]
        if self.head == "softmax":
            if m < 2:
                raise ValueError("a softmax head needs at least 2 outputs")
            k = self.target_index()
            if not 0 <= k < m:
                raise ValueError(f"target class {k + 1} is out of range: choose 1 to {m}")
        else:
            t = self.target_vector()
            if t.shape != (m,):
                raise ValueError(f"the target has {t.size} values but the output has {m}")
            if not np.all(np.isfinite(t)):
                raise ValueError("the target must hold finite numbers")


def init_values(shape: tuple[int, ...], init: str, rng: np.random.Generator, fan_in: int) -> Array:
    """New parameter entries of ``shape``: zeros, ``N(0, 1/fan_in)`` or integers in
    ``[−3, 3]``, drawn from ``rng``."""
    if init == "zeros":
        return np.zeros(shape)
    if init == "gaussian":
        return rng.normal(0.0, 1.0 / np.sqrt(max(fan_in, 1)), size=shape)
    if init == "ints":
        return rng.integers(-INT_RANGE, INT_RANGE + 1, size=shape).astype(np.float64)
    raise ValueError(f"unknown init {init!r} (choose zeros, gaussian or ints)")


def default_input(n: int) -> Array:
    """The sheet-style input ``(1, −1, 1, −1, …)``."""
    return np.array([1.0 if i % 2 == 0 else -1.0 for i in range(n)])


def build_network(spec: NetworkSpec) -> Network:
    """The network ``spec`` describes, validated (``ValueError`` when the spec is
    not buildable, with one sentence saying why)."""
    spec.check()
    if spec.init == "exercise":
        from gradviz.model.exercise import generate_exercise

        return generate_exercise(spec, spec.seed)
    rng = np.random.default_rng(spec.seed)
    e = (
        np.asarray(spec.input_values, dtype=np.float64)
        if spec.input_values is not None
        else default_input(spec.layers[0])
    )
    weights: list[Array] = []
    biases: list[Array | None] = []
    for k, use_bias in enumerate(spec.layer_biases(), start=1):
        n_in, n_out = spec.layers[k - 1], spec.layers[k]
        weights.append(init_values((n_out, n_in), spec.init, rng, n_in))
        biases.append(init_values((n_out,), spec.init, rng, n_in) if use_bias else None)
    return assemble(spec, e, weights, biases, _target(spec))


def _target(spec: NetworkSpec) -> int | Array:
    return spec.target_index() if spec.head == "softmax" else spec.target_vector()


def assemble(
    spec: NetworkSpec,
    e: Array,
    weights: Sequence[Array],
    biases: Sequence[Array | None],
    target: int | Array,
) -> Network:
    """Lay out the nodes for given numbers: ``weights[k−1]`` is ``W_k``,
    ``biases[k−1]`` is ``b_k`` or None, ``target`` the class (0-based) or vector."""
    acts = spec.layer_activations()
    depth = spec.depth
    nodes: list[Node] = [Node("E", "input", value=np.asarray(e, dtype=np.float64))]
    h = "E"
    for k in range(1, depth + 1):
        w = weight_name(k)
        nodes.append(Node(w, "param", value=np.asarray(weights[k - 1], dtype=np.float64)))
        z = layer_id("z", k)
        nodes.append(Node(z, "matmul", [w, h], label=f"{w}×E" if h == "E" else f"{w}×·"))
        h = z
        b = biases[k - 1]
        if b is not None:
            bid, a = f"b{k}", layer_id("a", k)
            nodes.append(
                Node(bid, "param", value=np.asarray(b, dtype=np.float64), label=f"b{subscript(k)}")
            )
            nodes.append(Node(a, "add", [h, bid], label=f"+b{subscript(k)}"))
            h = a
        act = acts[k - 1]
        if act != "none":
            g = layer_id("g", k)
            nodes.append(Node(g, act, [h], label=ACTIVATION_LABELS[act]))
            h = g
        if k == depth and spec.head == "mse":  # the head's output is always called f
            nodes[-1].id = "f"
            h = "f"
    if spec.head == "softmax":
        assert isinstance(target, int)
        nodes.append(Node("f", "softmax", [h], label="softmax"))
        nodes.append(Node("l", "neg_log", ["f"], attrs={"index": target}, label="−ln"))
    else:
        nodes.append(
            Node(
                "l",
                "mse",
                ["f"],
                attrs={"target": np.asarray(target, dtype=np.float64)},
                label="MSE",
            )
        )
    net = Network(nodes, spec.title or describe(spec), output="f", loss="l")
    try:
        validate(net)
    except ModelError as err:  # a bug here, never the user's: say so plainly
        raise ValueError(f"the built network is inconsistent: {err}") from None
    return net


def describe(spec: NetworkSpec) -> str:
    """A title such as ``2-3-2 ReLU network, softmax head``."""
    acts = [a for a in spec.layer_activations() if a != "none"]
    names = sorted(set(acts), key=acts.index)
    act_text = "/".join(ACTIVATION_LABELS[a] for a in names) if names else "linear"
    head = "softmax head" if spec.head == "softmax" else "MSE head"
    return f"{'-'.join(str(n) for n in spec.layers)} {act_text} network, {head}"
