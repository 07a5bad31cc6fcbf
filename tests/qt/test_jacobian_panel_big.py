"""A network with a huge Θ: the Jacobian panel lists the first columns and says so,
instead of formatting a million cells (which froze the window for minutes)."""

import numpy as np

from gradviz.model.document import Document
from gradviz.model.network import Network, Node
from gradviz.qt.jacobian_panel import MAX_COLUMNS, JacobianPanel


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
