"""The backprop walk on a 784-256-256-10 MLP in the main window: started with F5
and stepped with the keys, it names the two huge local Jacobians (∂z/∂P is
256 × 200 704) by their shape, never building them, and exports its slides."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from gradviz.engine.evaluate import Evaluation
from gradviz.model.builder import NetworkSpec, build_network
from gradviz.model.document import Document
from gradviz.qt.main_window import MainWindow


@pytest.fixture
def big(window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> MainWindow:
    """The window on the MLP; asking the engine for any dense local Jacobian of
    more than 10⁶ entries fails the test."""
    original = Evaluation.local_jacobian

    def refuse(self: Evaluation, node_id: str, input_position: int = 0) -> np.ndarray:
        program = self.program
        node = program.nodes[program.index_of(node_id)]
        source = program.nodes[node.inputs[input_position]].id
        size = self.values[node_id].size * self.values[source].size
        assert size <= 10**6, f"a dense ∂{node_id}/∂{source} of {size} entries"
        return original(self, node_id, input_position)

    monkeypatch.setattr(Evaluation, "local_jacobian", refuse)
    net = build_network(NetworkSpec(layers=(784, 256, 256, 10), bias=True, init="gaussian"))
    window.set_document(Document(net))
    return window


def visible_texts(w: MainWindow) -> list[str]:
    assert w.walk.panel is not None
    return [label.text() for label in w.walk.panel.findChildren(QLabel) if label.isVisible()]


def test_stepping_the_mlp_names_the_huge_jacobians_by_their_shape(big: MainWindow, qtbot) -> None:
    qtbot.keyClick(big.view, Qt.Key.Key_F5)
    assert big.walk.active and big.walk.caption().startswith("step 1 / 25: forward")
    qtbot.keyClick(big.view, Qt.Key.Key_End)
    assert big.walk.index == 24
    assert big.walk.caption().endswith("∂l/∂P = ∂l/∂z × ∂z/∂P")
    texts = visible_texts(big)
    assert any("256 × 200704 entries, too many to show" in t for t in texts)
    assert any("200704 entries, too many to show" in t for t in texts)  # ∂l/∂P as a row
    panel = big.walk.panel
    assert panel is not None and "incoming" in panel.matrices  # ∂l/∂z: 256 numbers
    shown = panel.matrices["incoming"].source.reshape(-1)
    np.testing.assert_array_equal(shown, big.walk.steps[24].incoming)
    np.testing.assert_allclose(shown, big.doc.evaluation.node_gradients["z"], atol=1e-15)
    qtbot.keyClick(big.view, Qt.Key.Key_Left, delay=0)
    qtbot.keyClick(big.view, Qt.Key.Key_Left)  # ∂l/∂g: two steps after Q's
    q = next(s for s in big.walk.steps if s.source == "Q")
    assert big.walk.index == q.index + 3
    big.walk.go(q.index)
    assert any("256 × 65536 entries, too many to show" in t for t in visible_texts(big))
    big.walk.go(q.index + 1)  # ∂z2/∂g = Q: 65 536 entries, computed, named by its shape
    assert any("256 × 256 entries, too many to show" in t for t in visible_texts(big))


def test_the_mlps_walk_exports_as_slides(big: MainWindow, tmp_path: Path) -> None:
    big.walk.start()
    written = big.walk.export_to(tmp_path / "walk.tex")
    text = written[0].read_text(encoding="utf-8")
    assert r"\only<25>" in text and r"a $256\times200704$ array" in text
    assert big.walk.active and big.walk.index == 0
