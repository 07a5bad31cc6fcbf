"""Refreshing with nothing new moves nothing: the Jacobian panel and the inspector's
matrix blocks set the same texts again without any relayout or repaint (QLabel and
the matrix widgets ignore what they already show), and change when the text does."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication, QWidget

import gradviz
from gradviz.model.document import Document
from gradviz.qt.jacobian_panel import JacobianPanel
from gradviz.qt.matrix_block import MatrixBlock
from gradviz.qt.theme import DisplayOptions

WATCHED = (QEvent.Type.LayoutRequest, QEvent.Type.Paint)


class Events(QObject):
    """Layout requests and paints that reach ``root`` or any widget inside it."""

    def __init__(self, root: QWidget) -> None:
        super().__init__()
        self.seen: list[tuple[str, str]] = []
        for w in [root, *root.findChildren(QWidget)]:
            w.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() in WATCHED:
            self.seen.append((type(watched).__name__, event.type().name))
        return False


def settled(qtbot, root: QWidget, again: Callable[[], None]) -> Events:  # type: ignore[no-untyped-def]
    """Show ``root`` and watch it once it is painted and ``again()`` (showing the same
    thing again) has stopped moving anything: the first rounds after showing lay out."""
    events = Events(root)
    root.show()
    qtbot.waitUntil(lambda: (type(root).__name__, "Paint") in events.seen)
    for _ in range(10):
        events.seen.clear()
        again()
        QApplication.processEvents()
        if not events.seen:
            break
    return events


def test_a_refresh_with_nothing_new_moves_nothing(qtbot) -> None:
    panel = JacobianPanel(Document(gradviz.load("exercise3")))
    qtbot.addWidget(panel)
    panel.resize(1000, 260)
    events = settled(qtbot, panel, panel.refresh)
    for _ in range(3):
        panel.refresh()
        QApplication.processEvents()
    assert events.seen == []
    panel.doc.set_entry("E", (1,), 0.5)  # a kink: new numbers and the note
    qtbot.waitUntil(lambda: ("QLabel", "Paint") in events.seen)
    assert "z[3] = 0" in panel.note.text()
    assert ("MatrixWidget", "Paint") in events.seen


def test_a_block_shown_again_moves_nothing(qtbot) -> None:
    block = MatrixBlock("∂g/∂z", options=DisplayOptions())
    qtbot.addWidget(block)
    big = np.arange(20.0 * 3).reshape(20, 3) / 4

    def show_again() -> None:
        block.set_data(big, numeric=big, note="at a <b>kink</b>")

    show_again()
    events = settled(qtbot, block, show_again)
    for _ in range(3):
        show_again()
        QApplication.processEvents()
    assert events.seen == []
    assert block.caption_text == "showing 16 of 20 rows (Copy as LaTeX has every entry)"
    assert block.note.text() == "at a <b>kink</b>" and "✓" in block.difference_text
    block.set_data(big, numeric=big, note="")
    assert not block.note.isVisibleTo(block)
