"""``after_first_paint``: set-up the first frame does not show runs once, right
after the widget's first paint, or after the fallback delay when the widget is
never painted."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication, QWidget

from gradviz.qt.app import after_first_paint


def test_runs_once_after_the_first_paint(qtbot) -> None:
    widget = QWidget()
    qtbot.addWidget(widget)
    ran: list[bool] = []
    after_first_paint(widget, lambda: ran.append(widget.isVisible()), fallback_ms=60_000)
    QApplication.processEvents()
    assert ran == []  # not shown, not painted: nothing yet
    widget.show()
    qtbot.waitUntil(lambda: ran == [True])
    widget.repaint()
    QApplication.processEvents()
    assert ran == [True]  # once only


def test_a_widget_never_painted_gets_the_work_after_the_fallback(qtbot) -> None:
    widget = QWidget()
    qtbot.addWidget(widget)
    ran: list[int] = []
    after_first_paint(widget, lambda: ran.append(1), fallback_ms=20)
    qtbot.waitUntil(lambda: ran == [1])
    widget.show()
    widget.repaint()
    QApplication.processEvents()
    assert ran == [1]


def test_the_work_survives_the_widget(qtbot) -> None:
    widget = QWidget()
    ran: list[int] = []
    after_first_paint(widget, lambda: ran.append(1), fallback_ms=20)
    widget.deleteLater()  # e.g. the canvas replaced by another document's
    qtbot.waitUntil(lambda: ran == [1])
