"""The inspector shows, for every node of the sheet's network, the sheet's own
matrices: formulas, local Jacobians, ∂f/∂·, ∂l/∂·, the chain rule and the
finite-difference check, and the loss target selector."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtGui import QGuiApplication, QUndoStack
from PySide6.QtWidgets import QLabel

import gradviz
from gradviz.model.document import Document
from gradviz.model.fileformat import from_dict
from gradviz.qt.inspector import Inspector
from gradviz.qt.inspector_text import LiveLabel, label_color
from gradviz.qt.undo import SetEntryCommand

SHEET_J = [
    ["3/4", "−3/4", "−3/2", "3/2", "0", "0", "1/2", "1/4", "0", "−1/2", "−1/4", "0"],
    ["−3/4", "3/4", "3/2", "−3/2", "0", "0", "−1/2", "−1/4", "0", "1/2", "1/4", "0"],
]


def label_text(ins: Inspector) -> str:
    """Everything the labels of the page shown say."""
    labels = [*ins.page.findChildren(QLabel), *ins.page.findChildren(LiveLabel)]
    return "\n".join(label.text() for label in labels)


def finite_differences(qtbot, ins: Inspector) -> None:
    """Wait for the estimates, which follow a selection or an edit a moment later."""
    qtbot.waitUntil(lambda: not ins.fd_pending, timeout=3000)


@pytest.fixture
def inspector(qtbot) -> Inspector:
    ins = Inspector(Document(gradviz.load("exercise3")), QUndoStack())
    qtbot.addWidget(ins)
    ins.resize(460, 900)
    ins.show()
    return ins


@pytest.mark.parametrize(
    "node, formula",
    [
        ("E", "E ∈ ℝ<sup>2</sup>"),
        ("P", "P ∈ ℝ<sup>3×2</sup>"),
        ("z", "z = P × E"),
        ("g", "g = R(z)"),
        ("z2", "z2 = Q × g"),
        ("f", "f = S(z2)"),
        ("l", "l = −ln f[1]"),
    ],
)
def test_formulas_in_the_sheets_notation(inspector: Inspector, node: str, formula: str) -> None:
    inspector.set_node(node)
    assert inspector.formula_label is not None
    assert inspector.formula_label.text() == formula


def test_local_jacobians_are_the_sheets(inspector: Inspector) -> None:
    inspector.set_node("g")
    assert inspector.blocks["input:0"].analytic.texts() == [["2"], ["1"], ["−3"]]
    assert inspector.blocks["value"].analytic.texts() == [["2"], ["1"], ["0"]]
    j_r = inspector.blocks["local:0"].analytic
    assert j_r.texts() == [["1", "0", "0"], ["0", "1", "0"], ["0", "0", "0"]]  # Ex. 2
    assert j_r.row_labels == ["g[1]", "g[2]", "g[3]"] and j_r.col_labels[0] == "z[1]"
    inspector.set_node("f")
    assert inspector.blocks["local:0"].analytic.texts() == [["1/4", "−1/4"], ["−1/4", "1/4"]]
    inspector.set_node("z")
    assert inspector.blocks["local:1"].analytic.texts() == [["3", "1"], ["1", "0"], ["−1", "2"]]
    assert "Ex. 1" in inspector.blocks["local:1"].title.text()  # ∂z/∂E = P
    j_p = inspector.blocks["local:0"].analytic  # Q5: ∂z/∂p_ij = e_j · 1_{i=·}
    assert j_p.col_labels == ["p₁,₁", "p₁,₂", "p₂,₁", "p₂,₂", "p₃,₁", "p₃,₂"]
    assert j_p.matrix.tolist() == [[1, -1, 0, 0, 0, 0], [0, 0, 1, -1, 0, 0], [0, 0, 0, 0, 1, -1]]
    inspector.set_node("l")
    assert inspector.blocks["local:0"].analytic.texts() == [["−2", "0"]]  # −1/f[1]


@pytest.mark.parametrize("param, cols", [("P", slice(0, 6)), ("Q", slice(6, 12))])
def test_a_parameter_shows_its_columns_of_the_jacobian(inspector, param, cols) -> None:
    inspector.set_node(param)
    out = inspector.blocks["output"].analytic
    assert out.texts() == [row[cols] for row in SHEET_J]
    letter = param.lower()
    assert out.col_labels[0] == f"∂f/∂{letter}₁,₁"
    assert out.row_labels == ["f[1]", "f[2]"]
    assert inspector.blocks["chain:product"].analytic.texts() == out.texts()
    assert f"columns {cols.start + 1}–{cols.stop}" in label_text(inspector)


def test_gradient_of_the_loss_in_the_parameters_shape(inspector) -> None:
    inspector.set_node("P")
    assert inspector.blocks["gradient"].analytic.texts() == [
        ["−3/2", "3/2"],
        ["3", "−3"],
        ["0", "0"],
    ]
    inspector.set_node("Q")
    assert inspector.blocks["gradient"].analytic.texts() == [["−1", "−1/2", "0"], ["1", "1/2", "0"]]
    inspector.set_node("g")
    grad = inspector.blocks["gradient"].analytic
    assert grad.texts() == [["−3/2", "3", "1/2"]]  # a row: ∇_g l
    assert grad.col_labels == ["g[1]", "g[2]", "g[3]"]


def test_the_chain_rule_along_the_path_to_the_output(inspector) -> None:
    inspector.set_node("z")
    chain = [inspector.blocks[f"chain:{k}"] for k in range(3)]
    assert [b.title.text().split(" = ")[0] for b in chain] == ["∂f/∂z2", "× ∂z2/∂g", "× ∂g/∂z"]
    assert chain[0].analytic.texts() == [["1/4", "−1/4"], ["−1/4", "1/4"]]  # J_S(z2)
    assert chain[1].analytic.texts() == [["1", "−1", "3"], ["−2", "5", "4"]]  # Q
    assert chain[2].analytic.texts() == [["1", "0", "0"], ["0", "1", "0"], ["0", "0", "0"]]
    product = inspector.blocks["chain:product"].analytic
    assert product.texts() == [["3/4", "−3/2", "0"], ["−3/4", "3/2", "0"]]
    assert product.texts() == inspector.blocks["output"].analytic.texts()
    ev = inspector.doc.evaluation
    assert product.matrix.tolist() == ev.jacobian_between("f", "z").tolist()


def test_finite_differences_agree_and_can_be_hidden(qtbot, inspector) -> None:
    inspector.set_node("P")
    block = inspector.blocks["output"]
    assert inspector.fd_pending and not block.numeric.isVisibleTo(inspector)  # a moment later
    finite_differences(qtbot, inspector)
    assert block.numeric is not None
    assert np.allclose(block.numeric.matrix, block.analytic.matrix, atol=1e-8)
    assert not np.array_equal(block.numeric.matrix, block.analytic.matrix)  # really numeric
    assert block.difference_text.startswith("max |Δ| = ") and block.difference_text.endswith("✓")
    assert block.numeric.texts()[0][0] == "0.75"  # decimals: an estimate, not exact
    assert block.numeric.isVisibleTo(inspector)
    assert inspector.fd_check is not None
    inspector.fd_check.setChecked(False)
    assert not block.numeric.isVisibleTo(inspector)
    inspector.set_node("g")
    assert not inspector.blocks["local:0"].numeric.isVisibleTo(inspector)


def test_a_relu_kink_is_marked_with_a_note(qtbot, inspector) -> None:
    inspector.doc.set_entry("E", (1,), 0.5)  # z = (7/2, 1, 0): z[3] sits on the kink
    inspector.set_node("g")
    finite_differences(qtbot, inspector)
    block = inspector.blocks["local:0"]
    assert list(block.analytic.marked) == [(2, 2)]
    assert "z[3] = 0" in block.analytic.marked[(2, 2)]
    assert block.note.isVisibleTo(inspector) and "z[3] = 0" in block.note.text()
    assert "kink" in block.difference_text  # differences see 1/2 there: not a failure
    inspector.set_node("P")
    assert "kink at g" in inspector.blocks["output"].note.text()


def test_the_loss_target_selector_is_undoable(qtbot, inspector) -> None:
    stack = inspector._undo
    inspector.set_node("l")
    spin = inspector.page.index_spin
    assert spin is not None and spin.value() == 1 and spin.maximum() == 2
    spin.stepUp()
    assert inspector.doc.network.node("l").attrs["index"] == 1
    assert inspector.formula_label.text() == "l = −ln f[2]"
    assert stack.undoText() == "Loss reads f[2]"
    assert inspector.doc.evaluation.gradient[0] == 1.5  # ∇l flips sign
    stack.push(SetEntryCommand(inspector.doc, "E", (0,), 2.0))
    loss_f2 = inspector.doc.evaluation.loss
    stack.undo()
    stack.undo()
    assert inspector.doc.network.node("l").attrs["index"] == 0
    assert spin.value() == 1 and inspector.formula_label.text() == "l = −ln f[1]"
    stack.redo()
    stack.redo()
    assert inspector.doc.evaluation.loss == loss_f2
    spin.setValue(1)
    assert inspector.doc.evaluation.loss != loss_f2  # f is no longer (1/2, 1/2)


def test_an_mse_target_is_edited_in_place(qtbot) -> None:
    net = from_dict(
        {
            "format": "gradviz",
            "version": 1,
            "title": "mse",
            "nodes": [
                {"id": "x", "op": "input", "value": [1, 2]},
                {"id": "W", "op": "param", "value": [[1, 0], [0, 1]]},
                {"id": "y", "op": "matmul", "inputs": ["W", "x"]},
                {"id": "l", "op": "mse", "inputs": ["y"], "target": [0, 0]},
            ],
            "output": "y",
            "loss": "l",
        }
    )
    ins = Inspector(Document(net), QUndoStack())
    qtbot.addWidget(ins)
    ins.set_node("l")
    edit = ins.page.target_edit
    assert edit is not None and edit.text() == "0, 0"
    assert ins.doc.evaluation.loss == 2.5
    edit.setText("1, 3/2")
    edit.editingFinished.emit()
    assert ins.doc.network.node("l").attrs["target"].tolist() == [1, 1.5]
    assert ins.doc.evaluation.loss == 0.125
    edit.setText("1, 2, 3")
    edit.editingFinished.emit()
    assert "#fde7e7" in edit.styleSheet()
    assert ins.doc.network.node("l").attrs["target"].tolist() == [1, 1.5]
    ins._undo.undo()
    assert ins.doc.evaluation.loss == 2.5


def test_edits_refresh_the_same_widgets(inspector) -> None:
    inspector.set_node("z")
    value = inspector.blocks["value"]
    inspector.doc.set_entry("P", (0, 0), 5.0)
    assert inspector.blocks["value"] is value
    assert value.analytic.texts() == [["4"], ["1"], ["−3"]]


def test_nothing_selected_shows_the_forward_pass(inspector) -> None:
    inspector.set_node(None)
    text = label_text(inspector)
    assert "z = P × E = (2, 1, −3)" in text
    assert "l = −ln f[1] = ln 2" in text
    assert "P: a 3 × 2 parameter" in text


def test_a_long_forward_pass_wraps_in_the_dock(qtbot) -> None:
    """A 16-entry vector is wider than the dock: its line wraps (no sideways scrolling)."""
    from gradviz.model.builder import NetworkSpec, build_network

    net = build_network(NetworkSpec(layers=(2, 16, 16, 2), activations=("relu",), init="ints"))
    ins = Inspector(Document(net), QUndoStack())
    qtbot.addWidget(ins)
    ins.resize(420, 900)
    ins.show()
    qtbot.waitExposed(ins)
    summary = ins.page.summary
    assert summary is not None and "z2 = Q × g = (" in summary.text()
    qtbot.waitUntil(lambda: summary.width() <= ins.viewport().width())
    assert ins.horizontalScrollBar().maximum() == 0
    line = summary.fontMetrics().lineSpacing()
    lines = summary.text().count("\n") + 1
    assert summary.height() > (lines + 1) * line * 0.9  # at least one line was wrapped


def test_the_forward_pass_is_copied_from_its_context_menu(inspector) -> None:
    inspector.set_node(None)
    summary = inspector.page.summary
    assert summary is not None
    QGuiApplication.clipboard().clear()
    [copy] = [a for a in summary.context_menu().actions() if a.text() == "Copy"]
    copy.trigger()
    copied = QGuiApplication.clipboard().text()
    assert "z = P × E = (2, 1, −3)" in copied and "l = −ln f[1] = ln 2" in copied
    assert copied == summary.plain_text() and "<" not in copied


def test_copy_as_latex_from_the_context_menu(inspector) -> None:
    inspector.set_node("f")
    menu = inspector.blocks["local:0"].analytic.context_menu()
    [copy] = [a for a in menu.actions() if a.text() == "Copy as LaTeX"]
    copy.trigger()
    assert QGuiApplication.clipboard().text() == (
        r"\begin{pmatrix} \frac{1}{4} & -\frac{1}{4} \\ -\frac{1}{4} & \frac{1}{4} "
        r"\end{pmatrix}"
    )


def test_finite_differences_follow_an_edit_a_moment_later(qtbot, inspector) -> None:
    inspector.set_node("z")
    block = inspector.blocks["output"]
    finite_differences(qtbot, inspector)
    before = block.numeric.matrix
    inspector.doc.set_entry("P", (0, 0), 5.0)  # scrubbing: analytic now, differences next
    assert np.array_equal(block.numeric.matrix, before)
    assert not np.allclose(block.numeric.matrix, block.analytic.matrix, atol=1e-8)
    qtbot.waitUntil(
        lambda: np.allclose(block.numeric.matrix, block.analytic.matrix, atol=1e-8), timeout=3000
    )
    assert block.difference_text.endswith("✓")


def test_switching_nodes_many_times_is_stable(qtbot, inspector) -> None:
    """Rebuilding drops every old widget; nothing may be freed twice (this once
    crashed inside Qt's text layout a few rebuilds later)."""
    import gc

    nodes = ["E", "P", "z", "g", "Q", "z2", "f", "l", None]
    for k in range(12):
        for node in nodes:
            inspector.set_node(node)
            inspector.doc.set_entry("P", (0, 0), 3 + (k % 4) / 4)
            qtbot.wait(1)
        gc.collect()
    inspector.set_node("g")
    assert inspector.blocks["local:0"].analytic.texts()[0] == ["1", "0", "0"]


@pytest.mark.parametrize("node", ["P", "z", "g", "f", "l"])
def test_every_matrix_gets_the_room_it_asks_for(qtbot, inspector, node: str) -> None:
    inspector.set_node("E")
    inspector.set_node(node)
    qtbot.wait(20)  # let the layouts run
    for key, block in inspector.blocks.items():
        for matrix in (block.analytic, block.numeric):
            if matrix is None or not matrix.isVisibleTo(inspector):
                continue
            assert matrix.size() == matrix.sizeHint(), key
            assert matrix.width() > 30 and matrix.height() > 20, key


def test_options_reach_the_inspector(inspector) -> None:
    from gradviz.qt.theme import DARK, DisplayOptions

    inspector.set_node("f")
    inspector.set_options(DisplayOptions(exact=False, digits=3))
    assert inspector.blocks["local:0"].analytic.texts()[0] == ["0.25", "−0.25"]
    inspector.set_options(DisplayOptions(theme="dark"))
    assert inspector.blocks["local:0"].analytic.texts()[0] == ["1/4", "−1/4"]
    headings = inspector.page.headings
    assert headings and all(label_color(h) == DARK.value for h in headings)
    assert all(h.font().pointSizeF() == 10.5 and h.font().bold() for h in headings)


def test_finite_differences_agree_only_where_both_sides_are_finite() -> None:
    """The inspector's verdict is ``gradviz check``'s: an inf entry confirms nothing."""
    from gradviz.qt.inspector_maths import agreement

    assert agreement(np.array([[0.75, -0.75]]), np.array([[0.75, -0.75 + 1e-9]])) == (
        pytest.approx(1e-9),
        True,
    )
    err, ok = agreement(np.array([[np.inf, 1.0]]), np.array([[np.inf, 1.0]]))
    assert not ok and np.isnan(err)  # inf − inf: undefined, not a match
    err, ok = agreement(np.array([[1e308, 1.0]]), np.array([[np.inf, 1.0]]))
    assert not ok and err == np.inf
