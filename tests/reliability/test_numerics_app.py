"""Numerics at the edges, through the app: a weight typed as 1e308 makes values
inf and NaN — the canvas shows them as such on the edges and marks every node
that holds one, the panels follow, nothing crashes, and Undo brings the finite
network back; a ReLU input at exactly 0 is flagged; sigmoid and softmax at huge
inputs use their stable forms (exact 1 and 0, a finite −ln of an underflowed
probability) without a single floating-point warning."""

from __future__ import annotations

import warnings
from collections.abc import Iterator

import numpy as np
import pytest
from PySide6.QtCore import Qt

from gradviz.model.document import Document
from gradviz.model.fileformat import from_dict
from gradviz.qt.main_window import MainWindow
from gradviz.qt.undo import SetEntryCommand


@pytest.fixture
def window(window: MainWindow, qtbot) -> Iterator[MainWindow]:
    """The shared window (conftest.py), shown, with warnings from gradviz as errors."""
    window.show()
    qtbot.waitExposed(window)
    with warnings.catch_warnings():
        # evaluation, finite differences, the canvas and every panel (the inspector's
        # chain product included) meet overflow without even a warning
        warnings.filterwarnings("error", module=r"gradviz\.(engine|model|qt)(\.|$)")
        yield window


def type_into_entry(
    qtbot, window: MainWindow, node: str, index: tuple[int, ...], text: str
) -> None:
    """Double-click's editor over one entry: type, Enter — as a person would."""
    editor = window.scene.open_editor(node, index)
    assert editor is not None
    editor.selectAll()
    qtbot.keyClicks(editor, text)
    qtbot.keyClick(editor, Qt.Key.Key_Return)


def edge(window: MainWindow, src: str, dst: str):
    return next(e for e in window.scene.edge_items if e.src.node_id == src and e.dst.node_id == dst)


def test_a_huge_weight_shows_inf_and_nan_and_marks_the_nodes(qtbot, window) -> None:
    type_into_entry(qtbot, window, "P", (0, 0), "1e308")
    type_into_entry(qtbot, window, "P", (0, 1), "-1e308")  # z₁ = 1e308 + 1e308 = inf
    net, ev = window.doc.network, window.doc.evaluation
    assert net.node("P").value[0, 0] == 1e308 and window.undo_stack.count() == 2
    assert ev.values["z"][0] == np.inf and np.isnan(ev.loss)
    marked = {nid for nid, item in window.scene.node_items.items() if item.warning}
    assert marked == {"z", "g", "z2", "f", "l"}
    for nid in marked:
        assert "non-finite value" in window.scene.node_items[nid].notes
    assert edge(window, "z", "g").value_label.text == "z = (inf, 1, −3)"
    assert edge(window, "z2", "f").value_label.text == "z₂ = (inf, −inf)"
    assert edge(window, "f", "l").value_label.text == "f = (NaN, NaN)"
    assert "NaN" in edge(window, "P", "z").grad_label.text
    assert window.training.loss_label.text() == "l = NaN"
    assert window.jacobian_panel.gradient_widget.texts()[0] == ["NaN"] * 12
    for nid in net.ids:  # every inspector page renders the non-finite numbers
        window.inspector.set_node(nid)
    # the parameters are finite (±1e308): the autosaved copy holds them exactly
    copy = window.autosaver.save_now()
    assert copy is not None
    assert window.autosaver.store.entries()[0].load().node("P").value[0, 1] == -1e308
    window.undo_stack.undo()
    window.undo_stack.undo()
    assert window.doc.evaluation.loss == pytest.approx(np.log(2))
    assert not any(item.warning for item in window.scene.node_items.values())
    assert window.training.loss_label.text() == "l = ln 2"


def test_an_overflow_without_nan_is_marked_where_it_happens(qtbot, window) -> None:
    """P[1,1] = 1e308 overflows only in z' (−2·1e308 = −inf); softmax then still
    gives exactly (1, 0) and the loss exactly 0 — only z' is marked."""
    type_into_entry(qtbot, window, "P", (0, 0), "1e308")
    ev = window.doc.evaluation
    assert list(ev.values["z2"]) == [1e308, -np.inf]
    assert list(ev.values["f"]) == [1.0, 0.0] and ev.loss == 0.0
    marked = {nid for nid, item in window.scene.node_items.items() if item.warning}
    assert marked == {"z2"}
    assert edge(window, "z2", "f").value_label.text == "z₂ = (1e+308, −inf)"


def test_a_relu_input_at_zero_is_flagged(qtbot, window) -> None:
    """E = (0, 5): z = P×E = (5, 0, 10); R is not differentiable at z₂ = 0."""
    type_into_entry(qtbot, window, "E", (0,), "0")
    type_into_entry(qtbot, window, "E", (1,), "5")
    ev = window.doc.evaluation
    assert list(ev.values["z"]) == [5, 0, 10]
    assert [(nid, tuple(idx)) for nid, idx in ev.nondifferentiable] == [("g", (1,))]
    relu = window.scene.node_items["g"]
    assert relu.warning and relu.notes == ["not differentiable: z[2] = 0"]
    window.inspector.set_node("g")
    window.undo_stack.undo()
    window.undo_stack.undo()
    assert not window.scene.node_items["g"].warning


def network(nodes: list[dict], output: str, loss: str) -> Document:
    doc = {
        "format": "gradviz",
        "version": 1,
        "title": "edges",
        "nodes": nodes,
        "output": output,
        "loss": loss,
    }
    return Document(from_dict(doc, "<edges>"))


def test_sigmoid_at_huge_inputs_is_exactly_one_and_zero(window) -> None:
    window.set_document(
        network(
            [
                {"id": "x", "op": "input", "value": [1000, -1000, 0]},
                {"id": "W", "op": "param", "value": [[1, 0, 0], [0, 1, 0], [0, 0, 1]]},
                {"id": "z", "op": "matmul", "inputs": ["W", "x"]},
                {"id": "s", "op": "sigmoid", "inputs": ["z"]},
                {"id": "L", "op": "mse", "inputs": ["s"], "target": [1, 0, 0.5]},
            ],
            "s",
            "L",
        )
    )
    ev = window.doc.evaluation
    assert list(ev.values["s"]) == [1.0, 0.0, 0.5]
    assert ev.loss == 0.0 and np.all(np.isfinite(ev.gradient))
    assert not any(item.warning for item in window.scene.node_items.values())
    assert edge(window, "s", "L").value_label.text == "s = (1, 0, 1/2)"
    window.undo_stack.push(SetEntryCommand(window.doc, "x", (0,), -1e308))
    assert window.doc.evaluation.values["s"][0] == 0.0  # still no overflow
    assert window.training.step()  # a step at saturation: zero gradients, no NaN
    assert np.all(np.isfinite(window.doc.network.theta))


def test_softmax_underflow_gives_a_finite_loss(window) -> None:
    """f = S(1000, −1000) = (1, 0) in floating point, yet −ln f[2] is 2000 exactly:
    the loss is computed as log-softmax, never as −ln 0 = inf."""
    window.set_document(
        network(
            [
                {"id": "x", "op": "input", "value": [1000, -1000]},
                {"id": "f", "op": "softmax", "inputs": ["x"]},
                {"id": "l", "op": "neg_log", "inputs": ["f"], "index": 1},
            ],
            "f",
            "l",
        )
    )
    ev = window.doc.evaluation
    assert list(ev.values["f"]) == [1.0, 0.0] and ev.loss == 2000.0
    assert window.training.loss_label.text() == "l = 2000"
    assert not any(item.warning for item in window.scene.node_items.values())
    # ∂l/∂x = f − e₂ is taken through log-softmax: finite and exact
    assert list(ev.node_gradients["x"]) == [1.0, -1.0]
    assert edge(window, "x", "f").grad_label.text == "∂l/∂x = (1, −1)"
    # ∂l/∂f₂ = −1/f₂ = −e²⁰⁰⁰ really is beyond float64: shown as −inf, as it is
    assert edge(window, "f", "l").grad_label.text == "∂l/∂f = (0, −inf)"
