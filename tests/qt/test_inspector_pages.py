"""The inspector keeps its pages: an edit rewrites the numbers of the same widgets,
clicking back to a node flips to its page, huge matrices list their corner and
say so, and inf/NaN are shown without a floating-point warning."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from PySide6.QtGui import QUndoStack
from test_inspector import label_text
from test_jacobian_panel_big import big_network

import gradviz
from gradviz.model.document import Document
from gradviz.qt.inspector import Inspector
from gradviz.qt.inspector_maths import FD_MAX_COLUMNS
from gradviz.qt.matrix_block import MAX_COLS, MAX_ROWS


def make(qtbot, doc: Document) -> Inspector:
    ins = Inspector(doc, QUndoStack())
    qtbot.addWidget(ins)
    ins.resize(460, 900)
    ins.show()
    return ins


@pytest.fixture
def inspector(qtbot) -> Inspector:
    return make(qtbot, Document(gradviz.load("exercise3")))


def test_an_edit_rewrites_the_numbers_of_the_same_widgets(qtbot, inspector) -> None:
    inspector.set_node("P")
    page, block = inspector.page, inspector.blocks["value"]
    widgets = {key: (b, b.analytic) for key, b in inspector.blocks.items()}
    inspector.doc.set_entry("P", (0, 0), 5.0)
    assert inspector.page is page and inspector.blocks["value"] is block
    assert {key: (b, b.analytic) for key, b in inspector.blocks.items()} == widgets
    assert block.analytic.texts() == [["5", "1"], ["1", "0"], ["−1", "2"]]
    ev = inspector.doc.evaluation
    out = inspector.blocks["output"].analytic
    assert out.matrix.tolist() == ev.output_jacobians["P"].tolist()
    assert inspector.blocks["chain:product"].analytic.matrix.tolist() == out.matrix.tolist()


def test_clicking_back_flips_to_the_kept_page_with_current_numbers(inspector) -> None:
    inspector.set_node("z")
    z_page, z_value = inspector.page, inspector.blocks["value"]
    inspector.set_node(None)
    empty = inspector.page
    inspector.set_node("g")
    inspector.doc.set_entry("P", (0, 0), 5.0)  # z = (4, 1, −3) while g is shown
    inspector.set_node("z")
    assert inspector.page is z_page and inspector.blocks["value"] is z_value
    assert z_value.analytic.texts() == [["4"], ["1"], ["−3"]]
    assert not empty.isVisibleTo(inspector) and z_page.isVisibleTo(inspector)
    inspector.set_node(None)
    assert inspector.page is empty
    assert "z = P × E = (4, 1, −3)" in empty.summary.text()
    inspector.forget_pages()  # the page shown stays, the others are built afresh
    assert inspector.page is empty
    inspector.set_node("z")
    assert inspector.page is not z_page
    assert inspector.blocks["value"].analytic.texts() == [["4"], ["1"], ["−3"]]


def test_a_new_structure_builds_new_pages(inspector) -> None:
    inspector.set_node("g")
    old = inspector.page
    inspector.doc.set_attr("l", "index", 1)  # a value change keeps the page
    assert inspector.page is old
    net = inspector.doc.network
    inspector.doc.set_network(net)  # a structure change
    assert inspector.page is not old and inspector.node_id == "g"
    assert inspector.blocks["local:0"].analytic.texts()[0] == ["1", "0", "0"]


def test_a_huge_weight_lists_its_corner_and_says_so(qtbot) -> None:
    ins = make(qtbot, Document(big_network(50, 1000)))
    ins.set_node("W")
    value = ins.blocks["value"]
    assert (MAX_ROWS, MAX_COLS) == (16, 16)
    assert len(value.analytic.texts()) == 16 and len(value.analytic.texts()[0]) == 16
    assert value.caption_text == (
        "showing 16 of 50 rows and 16 of 1000 columns (Copy as LaTeX has every entry)"
    )
    out = ins.blocks["output"]  # ∂f/∂W: 50 × 50 000
    assert out.analytic.grid_shape == (50, 50_000)
    assert out.caption_text.startswith("showing 16 of 50 rows and 16 of 50000 columns")
    assert out.analytic.col_labels[:2] == ["∂f/∂w₁,₁", "∂f/∂w₁,₂"]
    ev = ins.doc.evaluation
    assert np.allclose(out.analytic.matrix, ev.output_jacobians["W"][:16, :16])
    assert "columns 1–50000 of" in label_text(ins)
    # ∂z/∂W would be 50 × 50 000 mostly zeros: described, not computed
    factor = ins.blocks["chain:1"]
    assert "too big to list" in factor.caption_text and not factor.analytic.isVisibleTo(ins)
    product = ins.blocks["chain:product"].analytic  # by vector-Jacobian products instead
    assert np.allclose(product.matrix, ev.output_jacobians["W"][:16, :16])
    qtbot.waitUntil(lambda: not ins.fd_pending, timeout=5000)
    assert f"at most {FD_MAX_COLUMNS}" in out.difference_text
    assert not out.numeric.isVisibleTo(ins)
    ins.set_node("z")  # 50 entries: estimated
    qtbot.waitUntil(lambda: not ins.fd_pending, timeout=5000)
    assert ins.blocks["output"].difference_text.endswith("✓")


def test_huge_values_show_inf_and_nan_without_warnings(qtbot, inspector) -> None:
    doc = inspector.doc
    doc.set_entry("P", (0, 0), 1e308)
    doc.set_entry("P", (0, 1), -1e308)  # z[1] = inf
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for nid in doc.network.ids:
            inspector.set_node(nid)
            inspector.set_fd_visible(False)
            inspector.set_fd_visible(True)  # the estimates now, not later
        inspector.set_node("P")
        product = inspector.blocks["chain:product"].analytic
        assert "NaN" in {t for row in product.texts() for t in row}
        inspector.set_node("g")
        assert inspector.blocks["input:0"].analytic.texts()[0] == ["inf"]


def test_the_overview_has_no_finite_differences_to_wait_for(qtbot, inspector) -> None:
    inspector.set_fd_visible(True)
    inspector.set_node("z")
    assert inspector.fd_pending  # a node page: its estimates follow a moment later
    inspector.set_node(None)
    inspector.doc.set_entry("P", (0, 0), 5.0)
    assert inspector.page.fd_check is None and not inspector.fd_pending
    inspector.set_document(Document(gradviz.load("exercise3")), QUndoStack())
    assert not inspector.fd_pending  # nothing to refresh a second time
