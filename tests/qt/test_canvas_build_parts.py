"""The pieces a canvas build is made of, checked on their own: column widths of a
label's grid, the bounds of many boxes, the placer's bucketed index against a
plain list, the label placer against a brute-force greedy placer (no buckets),
one entry layout shared by every node of a shape, and the edge labels' colours."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from gradviz.model.document import Document
from gradviz.model.fileformat import from_dict
from gradviz.model.network import Network
from gradviz.qt.canvas import GraphScene, placement, style
from gradviz.qt.canvas.edge_items import SPOT_COUNT, EdgeItem
from gradviz.qt.canvas.labels import MathLabel
from gradviz.qt.canvas.layers import bounds
from gradviz.qt.canvas.node_items import LeafNodeItem
from gradviz.qt.theme import DisplayOptions

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from bench_canvas import ladder  # noqa: E402

Rect = tuple[float, float, float, float]


def test_column_widths_are_the_widest_cell_of_each_column(qapp) -> None:
    px = style.LABEL_PX
    w = style.text_width
    cells = [["1", "−3/4"], ["22", "5"]]
    assert style.column_widths(cells, px) == [w("22", px), w("−3/4", px)]
    ragged = [["1", "−3/4"], ["−333"]]  # a short row leaves its missing column alone
    assert style.column_widths(ragged, px) == [w("−333", px), w("−3/4", px)]
    assert style.column_widths([], px) == []
    assert style.line_height(px) == style.metrics(px).height()


def test_bounds_hold_every_box() -> None:
    assert bounds([]) is None
    assert bounds([(0.0, 1.0, 2.0, 3.0)]) == (0.0, 1.0, 2.0, 3.0)
    assert bounds([(0.0, 1.0, 2.0, 3.0), (-5.0, 2.0, 1.0, 9.0)]) == (-5.0, 1.0, 2.0, 9.0)


def _meets(a: Rect, b: Rect) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def test_the_bucketed_index_answers_as_a_plain_list_does() -> None:
    rng = np.random.default_rng(7)
    index = placement.RectIndex(cell=50.0)
    kept: list[Rect] = []
    for x, y, w, h in rng.uniform([-300, -300, 1, 1], [300, 300, 180, 120], (120, 4)).tolist():
        r = (x, y, x + w, y + h)  # many span several buckets
        index.add(r)
        kept.append(r)
    for r in kept[::3]:
        index.remove(r)
    kept = [r for k, r in enumerate(kept) if k % 3]
    for x, y, w, h in rng.uniform([-400, -400, 1, 1], [400, 400, 90, 60], (400, 4)).tolist():
        q = (x, y, x + w, y + h)
        assert index.hits(q) == any(_meets(q, r) for r in kept)
    r = kept[0]
    assert index.hits(r)  # itself
    assert index.hits(r, ignore=r) == any(_meets(r, o) for o in kept[1:])
    alone = placement.RectIndex(cell=50.0)
    alone.add((0.0, 0.0, 120.0, 40.0))
    assert not alone.hits((120.0, 0.0, 130.0, 40.0))  # sharing an edge is not overlapping
    assert alone.hits((119.0, 39.0, 130.0, 45.0))


def _brute_force_place(scene: GraphScene) -> list[tuple[float, float]]:
    """Every label's top-left corner as the placer's rule says, found by checking
    each candidate against every box (no buckets, no caches)."""
    boxes: list[Rect] = []
    m, nm = placement.LABEL_MARGIN, placement.NODE_MARGIN
    for node in scene.node_items.values():
        if node.isVisible():
            boxes.append(placement.node_rect(node, nm))
    todo: list[tuple[float, int, MathLabel, EdgeItem, int]] = []
    for e in scene.edge_items:
        for which, label in enumerate((e.value_label, e.grad_label)):
            if e.isVisible() and label.isVisible():
                todo.append((-label.width * label.height, len(todo), label, e, which))
    todo.sort(key=lambda t: (t[0], t[1]))

    def spot(e: EdgeItem, which: int, k: int) -> tuple[float, float]:
        return e.spot_pair(k)[which]

    def box(label: MathLabel, p: tuple[float, float], grow: float = 0.0) -> Rect:
        return (p[0] - grow, p[1] - grow, p[0] + label.width + grow, p[1] + label.height + grow)

    def free(label: MathLabel, e: EdgeItem, which: int, others: list[Rect]) -> int | None:
        for k in range(SPOT_COUNT):
            if not any(_meets(box(label, spot(e, which, k)), o) for o in others):
                return k
        return None

    def covered(r: Rect, others: list[Rect]) -> float:
        area = 0.0
        for o in others:
            w, h = min(r[2], o[2]) - max(r[0], o[0]), min(r[3], o[3]) - max(r[1], o[1])
            area += w * h if w > 0 and h > 0 else 0.0
        return area

    placed: list[Rect] = []
    spots: list[tuple[float, float]] = []
    for _, _, label, e, which in todo:
        k = free(label, e, which, boxes + placed)
        if k is None:
            near = range(placement.FALLBACK_SPOTS)
            k = min(near, key=lambda k: covered(box(label, spot(e, which, k)), boxes + placed))
        placed.append(box(label, spot(e, which, k), m))
        spots.append(spot(e, which, k))
    for n, (_, _, label, e, which) in enumerate(todo):
        others = boxes + placed[:n] + placed[n + 1 :]
        if any(_meets(placed[n], o) for o in others):
            k = free(label, e, which, others)
            if k is not None:
                placed[n] = box(label, spot(e, which, k), m)
                spots[n] = spot(e, which, k)
    corners = {id(t[2]): spots[n] for n, t in enumerate(todo)}
    return [corners[id(lb)] for e in scene.edge_items for lb in (e.value_label, e.grad_label)]


def _crowded(k: int) -> Network:
    """One weight matrix W used by every layer, with skips: edges fan out and cross."""
    rng = np.random.default_rng(3)
    data: list[dict[str, object]] = [
        {"id": "x", "op": "input", "value": rng.normal(size=3).round(3).tolist()},
        {"id": "W", "op": "param", "value": rng.normal(size=(3, 3)).round(2).tolist()},
    ]
    prev = "x"
    for i in range(k):
        data += [
            {"id": f"b{i}", "op": "param", "value": rng.normal(size=3).round(4).tolist()},
            {"id": f"m{i}", "op": "matmul", "inputs": ["W", prev]},
            {"id": f"a{i}", "op": "add", "inputs": [f"m{i}", f"b{i}"]},
            {"id": f"h{i}", "op": "tanh", "inputs": [f"a{i}"]},
            {"id": f"s{i}", "op": "add", "inputs": [f"h{i}", prev]},
        ]
        prev = f"s{i}"
    data += [
        {"id": "f", "op": "softmax", "inputs": [prev]},
        {"id": "l", "op": "neg_log", "inputs": ["f"], "index": 0},
    ]
    doc = {"format": "gradviz", "version": 1, "nodes": data, "output": "f", "loss": "l"}
    return from_dict(doc)


@pytest.mark.parametrize("net", [ladder(60), _crowded(12)], ids=["ladder", "crowded"])
def test_labels_sit_where_a_brute_force_greedy_placer_puts_them(qapp, net: Network) -> None:
    opts = DisplayOptions(exact=False, digits=3)
    scene = GraphScene(Document(net), opts)
    placed = [(lb.x(), lb.y()) for e in scene.edge_items for lb in (e.value_label, e.grad_label)]
    assert placed == _brute_force_place(scene)
    scene.detach()


def test_nodes_of_one_shape_share_a_layout_plan_but_not_their_entries(qapp) -> None:
    a = LeafNodeItem("A", "param", "A", (2, 2), editable=False)
    b = LeafNodeItem("B", "param", "B", (2, 2), editable=False)
    assert a._entry_places is b._entry_places and a.entries is not b.entries
    opts = DisplayOptions()
    a.refresh(np.array([[1.0, 2.0], [3.0, 4.0]]), opts, None)
    b.refresh(np.array([[-1.0, 0.5], [0.0, 10.0]]), opts, None)
    assert [e.text for e in a.entries.values()] == ["1", "2", "3", "4"]
    assert [e.text for e in b.entries.values()] == ["−1", "1/2", "0", "10"]
    assert a.entries[(1, 1)].box[2] < b.entries[(1, 1)].box[2]  # "10" is wider than "4"


def test_edge_labels_take_the_themes_value_and_gradient_colours(qapp) -> None:
    scene = GraphScene(Document(ladder(20)), DisplayOptions(theme="dark"))
    t = DisplayOptions(theme="dark").palette
    for e in scene.edge_items:
        assert e.value_label._color == style.color(t.value)
        assert e.grad_label._color == style.color(t.gradient)
        assert e.value_label._halo is not None and e.theme is t
    scene.detach()
