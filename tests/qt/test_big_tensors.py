"""Big tensors: a 1000×1000 weight matrix is a preview on the canvas (16 numbers,
ellipses and one line of facts), never a million cells, and every entry is one
double-click away in a table that reads and edits them through the undo stack."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QUndoStack
from PySide6.QtTest import QTest

from gradviz.model.document import Document
from gradviz.model.network import Network, Node
from gradviz.qt.canvas import GraphScene, GraphView
from gradviz.qt.canvas.node_items import LeafNodeItem
from gradviz.qt.canvas.summary import Grid, facts, is_big, preview, tensor_index
from gradviz.qt.canvas.tensor_viewer import TensorModel, TensorViewer
from gradviz.qt.theme import DisplayOptions

N = 1000


def big_network(n: int = N) -> Network:
    """x ∈ ℝⁿ, W ∈ ℝⁿˣⁿ with W[i, j] = ((i + 2j) mod 9 − 4)/4, h = W×x, g = R(h),
    V ∈ ℝ²ˣⁿ, f = S(V×g), l = −ln f[1]."""
    i, j = np.indices((n, n))
    w = ((i + 2 * j) % 9 - 4) / 4.0
    x = (np.arange(n) % 7 - 3).astype(float)
    v = np.vstack([np.full(n, 0.25), np.full(n, -0.25)])
    nodes = [
        Node("x", "input", value=x),
        Node("W", "param", value=w),
        Node("h", "matmul", inputs=["W", "x"]),
        Node("g", "relu", inputs=["h"]),
        Node("V", "param", value=v),
        Node("z", "matmul", inputs=["V", "g"]),
        Node("f", "softmax", inputs=["z"]),
        Node("l", "neg_log", inputs=["f"], attrs={"index": 0}),
    ]
    return Network(nodes, title="Big", output="f", loss="l")


@pytest.fixture(scope="module")
def big() -> Network:
    return big_network()


def test_the_preview_keeps_the_first_rows_a_gap_and_the_last() -> None:
    assert preview(1000, keep=False) == [0, 1, 2, None, 999]
    assert preview(5, keep=False) == [0, 1, 2, 3, 4]
    assert preview(1000, keep=True) == list(range(1000))
    assert not is_big((3, 2)) and not is_big((10, 6)) and not is_big((10,))
    assert is_big((11,)) and is_big((10, 7)) and is_big((2, 1000)) and is_big((1000, 1000))
    g = Grid.of((1000, 1000))
    assert g.rows == (0, 1, 2, None, 999) and g.cols == (0, 1, 2, None, 999)
    cells = g.cells()
    assert len(cells) == 25 and sum(idx is not None for _, _, idx in cells) == 16
    assert [g.gap_text(3, 0), g.gap_text(0, 3), g.gap_text(3, 3)] == ["⋮", "⋯", "⋱"]
    assert tensor_index((4, 3, 2), 3, 5) == (3, 2, 1)  # a 3-D tensor drawn 4 × 6
    assert facts(np.array([[1.0, -0.5], [0.25, 0.25]]), True, 4) == (
        "ℝ²ˣ² · min −1/2 · max 1 · mean 1/4"
    )


def test_a_million_entry_parameter_is_a_preview_on_its_node_and_edge(qtbot, big) -> None:
    scene = GraphScene(Document(big))
    # 8 node items and 2 layers (every edge line, every edge label): no item per entry
    assert len(scene.items()) == 10
    w = scene.node_items["W"]
    assert isinstance(w, LeafNodeItem) and w.summarised
    assert len(w.entries) == 16 and len(w.gaps) == 9
    assert sorted(w.entries)[:4] == [(0, 0), (0, 1), (0, 2), (0, 999)]
    assert w.entries[(1, 2)].text == "1/4"  # ((1 + 4) mod 9 − 4)/4
    assert w.entries[(999, 999)].text == "−1"  # (2997 mod 9 − 4)/4
    assert w.facts.startswith("ℝ¹⁰⁰⁰ˣ¹⁰⁰⁰ · min −1 · max 1 · mean ")
    assert "1,000,000 entries" in w.tip
    x = scene.node_items["x"]
    assert isinstance(x, LeafNodeItem) and len(x.entries) == 4 and x.facts.startswith("ℝ¹⁰⁰⁰ ·")
    edge = next(e for e in scene.edge_items if e.src.node_id == "W")
    assert edge.value_label.text == (
        "W = (−1 −1/2 0 ⋯ −1; −3/4 −1/4 1/4 ⋯ −3/4; −1/2 0 1/2 ⋯ −1/2; ⋮ ⋮ ⋮ ⋱ ⋮; −1 −1/2 0 ⋯ −1)"
    )
    x_edge = next(e for e in scene.edge_items if e.src.node_id == "x")
    assert x_edge.value_label.text == "x = (−3, −2, −1, …, 2)"  # 999 mod 7 − 3 = 2
    small = scene.node_items["V"]
    assert isinstance(small, LeafNodeItem) and small.summarised and len(small.entries) == 8
    scene.detach()


def test_editing_the_big_matrix_updates_only_what_is_shown(qtbot, big) -> None:
    doc = Document(big.copy())
    scene = GraphScene(doc, undo_stack=QUndoStack())
    doc.set_entry("W", (999, 0), 2.0)
    w = scene.node_items["W"]
    assert isinstance(w, LeafNodeItem)
    assert w.entries[(999, 0)].text == "2" and "max 2" in w.facts
    doc.set_entry("W", (500, 500), -7.0)  # not shown: only the facts change
    assert "min −7" in w.facts and len(w.entries) == 16
    scene.detach()


def test_the_table_model_reads_every_entry_one_based(qtbot, big) -> None:
    doc = Document(big)
    model = TensorModel(doc, "W", DisplayOptions())
    assert (model.rowCount(), model.columnCount()) == (1000, 1000)
    display = Qt.ItemDataRole.DisplayRole
    assert model.data(model.index(0, 0), display) == "−1"
    assert model.data(model.index(999, 999), display) == "−1"
    assert model.data(model.index(123, 457), display) == "−1/2"  # (123 + 914) mod 9 = 2
    assert model.data(model.index(0, 1), Qt.ItemDataRole.EditRole) == "-1/2"
    assert model.data(model.index(123, 457), Qt.ItemDataRole.ToolTipRole) == "W[124,458] = −1/2"
    assert model.headerData(0, Qt.Orientation.Horizontal, display) == "1"
    assert model.headerData(999, Qt.Orientation.Vertical, display) == "1000"
    assert not model.flags(model.index(0, 0)) & Qt.ItemFlag.ItemIsEditable  # no undo stack
    vector = TensorModel(doc, "x")
    assert (vector.rowCount(), vector.columnCount()) == (1000, 1)
    assert vector.data(vector.index(999, 0), display) == "2"
    decimals = TensorModel(doc, "W", DisplayOptions(exact=False, digits=3))
    assert decimals.data(decimals.index(0, 1), display) == "−0.5"
    for m in (model, vector, decimals):
        m.detach()


def test_the_table_edits_through_the_undo_stack_and_follows_the_document(qtbot, big) -> None:
    doc = Document(big.copy())
    stack = QUndoStack()
    model = TensorModel(doc, "W", DisplayOptions(), stack)
    changed: list[int] = []
    model.dataChanged.connect(lambda a, b: changed.append(b.row()))
    cell = model.index(700, 3)
    assert model.flags(cell) & Qt.ItemFlag.ItemIsEditable
    assert model.setData(cell, "3/4")
    assert doc.entry("W", (700, 3)) == 0.75
    assert stack.count() == 1 and stack.undoText() == "Set W[701,4] to 3/4"
    assert model.data(cell, Qt.ItemDataRole.DisplayRole) == "3/4" and changed == [999]
    assert not model.setData(cell, "three")
    assert model.error.startswith("W[701,4]: ") and stack.count() == 1
    stack.undo()
    assert model.data(cell, Qt.ItemDataRole.DisplayRole) == "0"  # (700 + 6) mod 9 = 4
    model.detach()


def test_double_click_beside_the_numbers_opens_the_viewer(qtbot, big) -> None:
    doc = Document(big)
    scene = GraphScene(doc, undo_stack=QUndoStack())
    view = GraphView(scene)
    qtbot.addWidget(view)
    view.resize(1400, 700)
    view.show()
    qtbot.waitExposed(view)
    w = scene.node_items["W"]
    assert isinstance(w, LeafNodeItem)
    facts_point = QPointF(0, w.body.bottom() - 8)  # the line of facts, under the entries
    pos = view.mapFromScene(w.mapToScene(facts_point))
    QTest.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    viewers = [v for v in view.window().findChildren(TensorViewer)]
    assert scene.editor is None and len(viewers) == 1
    viewer = viewers[0]
    qtbot.addWidget(viewer)
    assert viewer.windowTitle() == "W — 1000×1000 parameter"
    assert viewer.table.model().rowCount() == 1000
    assert viewer.facts.text().startswith("ℝ¹⁰⁰⁰ˣ¹⁰⁰⁰ · min −1 · max 1")
    viewer.table.scrollTo(viewer.model.index(999, 999))  # the far corner is reachable
    qtbot.waitUntil(lambda: viewer.table.rowAt(viewer.table.viewport().height() - 5) > 900)
    viewer.close()
    scene.detach()
