"""Making and filling the canvas's items, apart from the scene that owns them.

* :func:`make_nodes` / :func:`make_edges` — one node item per node, one edge
  (a part of the edge layer, its labels parts of the label layer) per input of
  every node, in file order.
* :func:`refresh_nodes` — every node's entries or value rewritten from an
  evaluation, with a note where it is not differentiable (:func:`kink_notes`).
* :func:`refresh_edges` — every edge label rewritten from an evaluation; a node's
  value and gradient are formatted once however many edges leave it.
* :func:`edge_at` — the edge whose line or label is under a scene point.
* :func:`paused_gc` — the cyclic garbage collector paused while that is done.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import partial

import numpy as np
from PySide6.QtGui import QColor

from gradviz.engine.evaluate import Evaluation
from gradviz.model.network import Network
from gradviz.qt.canvas import style
from gradviz.qt.canvas.edge_items import EdgeColors, EdgeItem
from gradviz.qt.canvas.layers import Layer, meets
from gradviz.qt.canvas.node_items import LeafNodeItem, NodeItem, OpNodeItem
from gradviz.qt.theme import DisplayOptions

LEAF_OPS = ("input", "param")
#: A pause that made more new objects than this moves them to the oldest generation.
BULK_OBJECTS = 20_000
#: Labels move this far (as a fraction of the edge) toward the side where edges fan out.
LABEL_SHIFT = 0.12


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for a bulk build or refresh.

    A big network allocates hundreds of thousands of small objects (items, texts,
    rectangles); each full collection they trigger walks every live object again,
    a third of the time of a 1,000-node build. Nothing made here is garbage
    until the next rebuild, so collecting afterwards loses nothing.

    After a big pause (more than :data:`BULK_OBJECTS` new objects) those objects
    go straight to the oldest generation (``gc.freeze()`` then ``gc.unfreeze()``
    moves them there unscanned): left in the youngest, the first allocation
    after the pause would sweep all of them at once, 20–30 ms after a 1,000-node
    build. The next full collection, when Python decides it is due, still sees
    them all. A small pause (an edit of exercise 3) leaves the collector as it was.
    """
    if not gc.isenabled():  # paused already (nested), or switched off by the program
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        if gc.get_count()[0] > BULK_OBJECTS:
            gc.freeze()
            gc.unfreeze()
        gc.enable()


def make_nodes(
    net: Network, ev: Evaluation, succ: dict[str, list[str]], editable: bool
) -> dict[str, NodeItem]:
    """One item per node: a leaf (input, parameter) shows its entries, an op its label."""
    items: dict[str, NodeItem] = {}
    for n in net.nodes:
        if n.op in LEAF_OPS:
            shape = tuple(ev.values[n.id].shape)
            items[n.id] = LeafNodeItem(n.id, n.op, n.display_label, shape, editable)
        else:
            items[n.id] = OpNodeItem(
                n.id,
                n.op,
                n.display_label,
                is_output=n.id == net.output,
                is_loss=n.id == net.loss,
                show_value=n.id == net.loss or not succ[n.id],
                formula=partial(style.formula, n.op, n.id, list(n.inputs), dict(n.attrs)),
                editable=editable,
            )
    return items


def make_edges(
    net: Network,
    nodes: dict[str, NodeItem],
    succ: dict[str, list[str]],
    edge_layer: Layer,
    label_layer: Layer,
) -> list[EdgeItem]:
    """One edge per input of every node (parallel edges get lanes side by side)."""
    edges: list[EdgeItem] = []
    for n in net.nodes:
        pairs: dict[str, int] = {}
        for src in n.inputs:
            pairs[src] = pairs.get(src, 0) + 1
        seen: dict[str, int] = {}
        many_inputs = len(n.inputs) > 1
        for slot, src in enumerate(n.inputs):
            k = seen.get(src, 0)
            seen[src] = k + 1
            t = 0.5 - LABEL_SHIFT * many_inputs + LABEL_SHIFT * (len(succ[src]) > 1)
            edge = EdgeItem(nodes[src], nodes[n.id], slot, k - (pairs[src] - 1) / 2, t)
            edge.add_to(edge_layer, label_layer)
            edges.append(edge)
    return edges


def kink_notes(ev: Evaluation, pred: Mapping[str, Sequence[str]]) -> dict[str, list[str]]:
    """Per node, ``not differentiable: h₁ = 0`` for every entry of its input where
    it has no derivative (a ReLU at 0); ``pred``: every node's inputs."""
    kinks: dict[str, list[str]] = {}
    for nid, idx in ev.nondifferentiable:
        inputs = pred.get(nid)
        name = style.entry_label(style.pretty_name(inputs[0] if inputs else nid), tuple(idx))
        kinks.setdefault(nid, []).append(f"not differentiable: {name} = 0")
    return kinks


def refresh_nodes(
    nodes: Mapping[str, NodeItem],
    ev: Evaluation,
    opts: DisplayOptions,
    pred: Mapping[str, Sequence[str]],
    target: tuple[str, tuple[int, ...]] | None,
) -> None:
    """Rewrite every node from ``ev``: a leaf's entries (``target``'s entry
    highlighted), an op's value where it shows one and its kink notes."""
    kinks = kink_notes(ev, pred)
    for nid, item in nodes.items():
        value = np.asarray(ev.values[nid])
        if isinstance(item, LeafNodeItem):
            hl = target[1] if target is not None and target[0] == nid else None
            item.refresh(value, opts, hl)
        elif isinstance(item, OpNodeItem):
            item.refresh(value, opts, f"{style.pretty_name(nid)} = ", kinks.get(nid, []))


def refresh_edges(
    edges: Iterable[EdgeItem], ev: Evaluation, opts: DisplayOptions, halo: QColor | None
) -> None:
    """Write every edge's ``name = value`` and ``∂l/∂name = gradient`` (no gradient
    without a loss), formatting each source node's numbers once."""
    loss = ev.loss_node
    loss_name = style.pretty_name(loss) if loss is not None else ""
    colors = EdgeColors.of(opts, halo)
    texts: dict[str, tuple[str, style.Formatted, str | None, style.Formatted | None]] = {}
    for e in edges:
        src = e.src.node_id
        known = texts.get(src)
        if known is None:
            name = style.pretty_name(src)
            grad = ev.node_gradients.get(src) if loss is not None else None
            known = texts[src] = (
                f"{name} = ",
                style.formatted(np.asarray(ev.values[src]), opts),
                f"∂{loss_name}/∂{name} = " if grad is not None else None,
                None if grad is None else style.formatted(np.asarray(grad), opts),
            )
        e.refresh(*known, colors)


def edge_at(edges: Iterable[EdgeItem], x: float, y: float, radius: float = 5.0) -> EdgeItem | None:
    """The visible edge whose value or gradient label lies within ``radius`` of the
    scene point ``(x, y)``, else the one whose line does."""
    near = (x - radius, y - radius, x + radius, y + radius)
    edges = list(edges)
    for e in edges:
        for label in (e.value_label, e.grad_label):
            if label.isVisible() and e.isVisible() and meets(label.rect, near):
                return e
    best = min(
        (e for e in edges if e.isVisible() and meets(e.rect, near)),
        key=lambda e: e.distance(x, y),
        default=None,
    )
    return best if best is not None and best.distance(x, y) <= radius else None
