"""Θ columns of 3-D parameters: the panel names the entry behind each column the way
the canvas does (row-major over every axis), and the numbers in that column are the
derivatives with respect to that very entry."""

from __future__ import annotations

import numpy as np
import pytest

from gradviz.model.document import Document
from gradviz.model.network import Network, Node
from gradviz.qt.jacobian_panel import JacobianPanel
from gradviz.qt.sheet_notation import sheet_name

#: T[i, j, k] = (4i + 2j + k)/4 and U = −T/2, both 2 × 2 × 2 (entries 0-based)
T = np.arange(8, dtype=float).reshape(2, 2, 2) / 4
U = -T / 2


def cube_network() -> Network:
    """f = T + U (2 × 2 × 2), l = mean(f²): Θ = (T row-major, U row-major), 16 entries."""
    nodes = [
        Node("T", "param", value=T),
        Node("U", "param", value=U),
        Node("f", "add", ["T", "U"]),
        Node("l", "mse", ["f"], attrs={"target": np.zeros((2, 2, 2))}),
    ]
    return Network(nodes, "cube", "f", "l")


@pytest.fixture
def panel(qtbot) -> JacobianPanel:  # type: ignore[no-untyped-def]
    p = JacobianPanel(Document(cube_network()))
    qtbot.addWidget(p)
    return p


def test_columns_of_a_3d_parameter_map_to_its_entries(panel: JacobianPanel) -> None:
    assert panel.parameter_of_column(0) == ("T", (0, 0, 0))
    assert panel.parameter_of_column(5) == ("T", (1, 0, 1))
    assert panel.parameter_of_column(6) == ("T", (1, 1, 0))
    assert panel.parameter_of_column(8) == ("U", (0, 0, 0))
    assert panel.parameter_of_column(13) == ("U", (1, 0, 1))
    assert panel.parameter_of_column(15) == ("U", (1, 1, 1))
    for col in (16, -1):
        with pytest.raises(IndexError):
            panel.parameter_of_column(col)


def test_each_column_holds_the_derivatives_wrt_its_entry(panel: JacobianPanel) -> None:
    j = panel.jacobian_widget.matrix  # ∂f/∂θ, 8 × 16: f = T + U, so a unit column each
    g = panel.gradient_widget.matrix[0]  # ∂l/∂θ = 2 f[idx] / 8 = f[idx] / 4
    f = T + U
    assert j.shape == (8, 16)
    for col, label in enumerate(panel.column_labels()):
        pid, idx = panel.parameter_of_column(col)
        assert label == sheet_name(f"{pid}[{','.join(str(i + 1) for i in idx)}]")
        unit = np.zeros(8)
        unit[np.ravel_multi_index(idx, (2, 2, 2))] = 1.0
        assert j[:, col].tolist() == unit.tolist()
        assert g[col] == f[idx] / 4
    assert panel.column_labels()[5] == "t₂,₁,₂"
    assert panel.gradient_widget.texts()[0][5] == "5/32"  # f[2,1,2] = 5/8, over 4
