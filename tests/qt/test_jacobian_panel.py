"""The Jacobian panel: J_fE(Θ0) and ∇l(Θ0) exactly as the sheet writes them,
the sheet's column labels, hovering and clicking columns, LaTeX copies."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QGuiApplication
from sheet_numbers import COLUMN_LABELS as LABELS
from sheet_numbers import SHEET_GRAD, SHEET_J

import gradviz
from gradviz.engine.exact import latex_matrix
from gradviz.model.document import Document
from gradviz.qt.jacobian_panel import JacobianPanel
from gradviz.qt.theme import DisplayOptions


@pytest.fixture
def panel(qtbot) -> JacobianPanel:
    p = JacobianPanel(Document(gradviz.load("exercise3")))
    qtbot.addWidget(p)
    p.resize(1000, 260)
    p.show()
    qtbot.waitExposed(p)
    return p


def test_the_sheets_jacobian_and_gradient(panel: JacobianPanel) -> None:
    assert panel.jacobian_widget.texts() == SHEET_J
    assert panel.gradient_widget.texts() == SHEET_GRAD
    assert panel.theta_widget.col_labels == LABELS
    assert panel.jacobian_widget.col_labels == LABELS
    assert panel.jacobian_widget.row_labels == ["f[1]", "f[2]"]
    assert panel.jacobian_widget.matrix.shape == (2, 12)
    assert "12 parameters (2 × 12)" in panel.header.text()
    assert "l = ln 2" in panel.header.text()
    assert not panel.note.isVisibleTo(panel)


def test_columns_line_up_across_the_three_rows(panel: JacobianPanel) -> None:
    xs = {
        w.mapTo(panel, w.column_center(7)).x()
        for w in (panel.theta_widget, panel.jacobian_widget, panel.gradient_widget)
    }
    assert len(xs) == 1


def test_columns_map_to_parameter_entries(panel: JacobianPanel) -> None:
    assert panel.parameter_of_column(0) == ("P", (0, 0))
    assert panel.parameter_of_column(5) == ("P", (2, 1))
    assert panel.parameter_of_column(7) == ("Q", (0, 1))
    assert panel.parameter_of_column(11) == ("Q", (1, 2))
    with pytest.raises(IndexError):
        panel.parameter_of_column(12)


def test_hover_and_click_report_and_highlight_a_column(qtbot, panel: JacobianPanel) -> None:
    hovered: list[int] = []
    clicked: list[int] = []
    panel.parameterHovered.connect(hovered.append)
    panel.parameterClicked.connect(clicked.append)
    jw = panel.jacobian_widget
    qtbot.mouseMove(jw, jw.column_center(3))
    assert hovered == [3]
    assert all(w.highlighted_columns == {3} for w in panel._widgets())
    assert "p₂,₂" in jw.tooltip_at(jw.column_center(3))
    assert "3/2" in jw.tooltip_at(jw.column_center(3))
    qtbot.mouseClick(
        panel.gradient_widget, Qt.MouseButton.LeftButton, pos=panel.gradient_widget.column_center(9)
    )
    assert clicked == [9] and panel.pinned == 9
    qtbot.mouseMove(jw, QPoint(1, 1))  # over the row labels: no column
    assert hovered[-1] == -1
    assert jw.highlighted_columns == {9}  # the pinned column stays


def test_follows_the_document(panel: JacobianPanel) -> None:
    doc = panel.doc
    doc.set_theta(doc.network.theta - doc.evaluation.gradient)
    assert panel.theta_widget.texts()[0][:2] == ["9/2", "−1/2"]
    assert panel.jacobian_widget.texts() != SHEET_J
    assert np.allclose(panel.jacobian_widget.matrix, doc.evaluation.jacobian)


def test_copy_each_matrix_as_latex(panel: JacobianPanel) -> None:
    panel.jacobian_widget.context_menu().actions()[0].trigger()
    text = QGuiApplication.clipboard().text()
    assert text == latex_matrix(panel.doc.evaluation.jacobian)
    assert text.startswith(r"\begin{pmatrix} \frac{3}{4} & -\frac{3}{4} & -\frac{3}{2}")
    panel.gradient_widget.copy_latex()
    assert (
        QGuiApplication.clipboard()
        .text()
        .startswith(r"\begin{pmatrix} -\frac{3}{2} & \frac{3}{2} & 3 & -3")
    )


def test_decimals_and_a_kink_note(panel: JacobianPanel) -> None:
    panel.set_options(DisplayOptions(exact=False, digits=3))
    assert panel.jacobian_widget.texts()[0][:3] == ["0.75", "−0.75", "−1.5"]
    assert "l = 0.693" in panel.header.text()
    panel.doc.set_entry("E", (1,), 0.5)  # z[3] = 0
    assert panel.note.isVisibleTo(panel)
    assert "z[3] = 0" in panel.note.text()


def test_matrices_resize_when_their_numbers_grow(qtbot, panel: JacobianPanel) -> None:
    narrow = panel.jacobian_widget.width()
    panel.doc.set_theta(panel.doc.network.theta - 0.05 * panel.doc.evaluation.gradient)
    qtbot.wait(20)
    for w in panel._widgets():
        assert w.size() == w.sizeHint()
    assert panel.jacobian_widget.width() > narrow  # decimals need more room than 3/4
