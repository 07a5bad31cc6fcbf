"""Column widths are measured once per new content: a new minimum width (stacked
matrices aligning), a size hint asked again or a repaint reuse the measurement,
and a Jacobian panel refresh measures each of its three matrices once."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtGui import QFont

import gradviz
from gradviz.model.document import Document
from gradviz.qt.jacobian_panel import JacobianPanel
from gradviz.qt.matrix_geometry import MIN_COL_W, PAD_X, MatrixGeometry


@pytest.fixture
def measured(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """One entry (the number of columns) per measurement of a matrix's cells."""
    calls: list[int] = []
    measure = MatrixGeometry._measure_columns

    def counting(self: MatrixGeometry) -> list[int]:
        calls.append(self._cols)
        return measure(self)

    monkeypatch.setattr(MatrixGeometry, "_measure_columns", counting)
    return calls


def test_a_new_minimum_reuses_the_natural_widths(qtbot, measured: list[int]) -> None:
    geo = MatrixGeometry(QFont(), QFont(), show_col_labels=True)
    geo.set_content([["1", "−3/4"], ["10", "0"]], 2, ["a", "b"], ["p₁", "p₂"])
    natural = geo.natural_column_widths()
    assert all(w >= MIN_COL_W for w in natural)
    assert natural[1] == max(MIN_COL_W, 2 * PAD_X + geo.fm.horizontalAdvance("−3/4"))
    geo.min_col_ws = [natural[0] + 40, 0]
    geo.invalidate()
    assert geo.col_ws() == [natural[0] + 40, natural[1]]
    assert geo.size().width() > 0 and geo.natural_column_widths() == natural
    assert measured == [2]  # one measurement for all of the above
    geo.set_content([["1000000", "0"], ["1", "0"]], 2, ["a", "b"], ["p₁", "p₂"])
    assert geo.natural_column_widths()[0] > natural[0]
    assert measured == [2, 2]  # new texts: measured again


def test_forgetting_widths_lets_columns_shrink(qtbot) -> None:
    geo = MatrixGeometry(QFont(), QFont(), show_col_labels=False)
    geo.set_content([["−1234567/8"]], 1, [], [])
    wide = geo.natural_column_widths()[0]
    geo.set_content([["1"]], 1, [], [])
    assert geo.natural_column_widths() == [wide]  # scrubbing: never jitters back
    geo.forget_widths()
    narrow = max(MIN_COL_W, 2 * PAD_X + geo.fm.horizontalAdvance("1"))
    assert geo.natural_column_widths() == [narrow] and narrow < wide


def test_a_panel_refresh_measures_each_matrix_once(qtbot, measured: list[int]) -> None:
    panel = JacobianPanel(Document(gradviz.load("exercise3")))
    qtbot.addWidget(panel)
    panel.show()
    qtbot.waitExposed(panel)
    doc = panel.doc
    measured.clear()
    doc.set_theta(doc.network.theta - 0.05 * doc.evaluation.gradient)  # new widths too
    assert measured == [12, 12, 12]  # Θ, J_fE(Θ), ∇l(Θ): 12 columns each, once
    assert panel.theta_widget.natural_column_widths()[0] > MIN_COL_W
    texts = panel.jacobian_widget.texts()
    qtbot.waitUntil(lambda: panel.jacobian_widget.size() == panel.jacobian_widget.sizeHint())
    assert measured == [12, 12, 12]  # laying out and painting measure nothing
    assert panel.jacobian_widget.texts() == texts
    assert np.allclose(panel.gradient_widget.matrix[0], doc.evaluation.gradient)
