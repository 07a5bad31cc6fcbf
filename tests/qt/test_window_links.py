"""The main window's views following one another (gradviz.qt.window_links), and
the Help menu: Θ's column of a weight's entry, a hovered column of J_fE(Θ) named
in the status bar and lit up on the canvas, a clicked one selecting its weight."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QMessageBox

import gradviz
from gradviz.qt.main_window import MainWindow
from gradviz.qt.window_links import theta_column


@pytest.fixture
def window(qtbot, tmp_path) -> Iterator[MainWindow]:
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    w = MainWindow(settings=settings)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    yield w


def test_theta_column_counts_row_major_through_the_parameters() -> None:
    net = gradviz.load("exercise3")  # Θ = (P: 3×2, then Q: 2×3)
    assert [theta_column(net, "P", (i, j)) for i in range(3) for j in range(2)] == list(range(6))
    assert theta_column(net, "Q", (0, 0)) == 6
    assert theta_column(net, "Q", (1, 0)) == 9
    assert theta_column(net, "Q", [1, 2]) == 11
    assert theta_column(net, "z", (0,)) is None  # not a parameter
    assert theta_column(net, "nope", (0, 0)) is None
    assert theta_column(net, "P", None) is None


def test_hovering_a_column_names_its_entry_and_lights_it(window: MainWindow) -> None:
    window.jacobian_panel.parameterHovered.emit(9)
    message = window.statusBar().currentMessage()
    assert message.startswith("Column 10 of J_fE(Θ): ∂f/∂") and message.endswith("the entry Q[2,1]")
    window.jacobian_panel.parameterHovered.emit(-1)  # left the panel: nothing pinned, nothing lit
    assert window.jacobian_panel.pinned is None


def test_clicking_a_column_selects_its_weight(window: MainWindow) -> None:
    window.jacobian_panel.parameterClicked.emit(7)
    assert [item.node_id for item in window.scene.selectedItems()] == ["Q"]
    assert window.inspector.node_id == "Q"


def test_help_about_says_what_gradviz_is(window: MainWindow, monkeypatch) -> None:
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "about", lambda parent, title, text: shown.append(text))
    window.actions_by_name["about"].trigger()
    assert len(shown) == 1 and "shows backpropagation" in shown[0]


def test_the_hints_in_the_status_bar_stay_grey_in_both_themes(window: MainWindow) -> None:
    label = window.hint_label
    assert "F fits the network" in label.text() and label.styleSheet() == ""
    window.actions_by_name["theme:dark"].trigger()
    assert label.palette().color(QPalette.ColorRole.WindowText) == QColor("gray")
    window.actions_by_name["theme:light"].trigger()
    assert label.palette().color(QPalette.ColorRole.WindowText) == QColor("gray")
