"""A network with a huge Θ: the Jacobian panel lists the first columns and says so,
instead of formatting a million cells (which froze the window for minutes). The
matrix widgets do the capping: each keeps the whole array (Copy as LaTeX has every
entry) and lists its first rows and columns."""

import numpy as np

from gradviz.model.document import Document
from gradviz.model.network import Network, Node
from gradviz.qt.jacobian_panel import MAX_COLUMNS, MAX_ROWS, JacobianPanel


def big_network(rows: int, cols: int) -> Network:
    rng = np.random.default_rng(0)
    nodes = [
        Node("x", "input", value=rng.standard_normal(cols)),
        Node("W", "param", value=rng.standard_normal((rows, cols))),
        Node("z", "matmul", ["W", "x"]),
        Node("f", "softmax", ["z"]),
        Node("l", "neg_log", ["f"], attrs={"index": 0}),
    ]
    return Network(nodes, "big", "f", "l")


def test_big_theta_lists_the_first_columns(qtbot) -> None:  # type: ignore[no-untyped-def]
    doc = Document(big_network(4, 1000))
    panel = JacobianPanel(doc)
    qtbot.addWidget(panel)
    assert len(panel.column_labels()) == MAX_COLUMNS
    assert "shown: the first 4 rows and 300 columns" in panel.header.text()
    assert "n = 4000 parameters" in panel.header.text()


def test_the_widgets_cap_and_keep_every_entry(qtbot) -> None:  # type: ignore[no-untyped-def]
    doc = Document(big_network(50, 10))  # J: 50 × 500
    panel = JacobianPanel(doc)
    qtbot.addWidget(panel)
    ev = doc.evaluation
    j, theta, grad = panel.jacobian_widget, panel.theta_widget, panel.gradient_widget
    assert j.matrix.shape == (MAX_ROWS, MAX_COLUMNS) and j.grid_shape == (50, 500)
    assert theta.matrix.shape == grad.matrix.shape == (1, MAX_COLUMNS)
    assert np.array_equal(j.source, ev.jacobian) and np.array_equal(grad.source, ev.gradient)
    assert np.array_equal(j.matrix, ev.jacobian[:MAX_ROWS, :MAX_COLUMNS])
    assert j.row_labels == [f"f[{i + 1}]" for i in range(MAX_ROWS)]
    assert len(j.col_labels) == len(theta.natural_column_widths()) == MAX_COLUMNS
    assert "shown: the first 40 rows and 300 columns" in panel.header.text()
    assert "n = 500 parameters (50 × 500)" in panel.header.text()
    assert j.plain_text().count("\n") == 49  # a copy has all 50 rows
    small = Document(big_network(4, 10))
    panel.set_document(small)
    assert j.matrix.shape == (4, 40) and "shown:" not in panel.header.text()
