"""The matrix widget every panel draws with: exact texts, capped huge arrays that
say so, hit tests, tooltips, and updates that change only what changed."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication

from gradviz.qt.matrix_format import NumberStyle, as_grid, cap_note
from gradviz.qt.matrix_widget import MatrixWidget


def test_grids_and_cap_notes() -> None:
    assert as_grid(np.array(2.0)).shape == (1, 1)
    assert as_grid(np.arange(3.0)).shape == (3, 1)
    assert as_grid(np.arange(3.0), "row").shape == (1, 3)
    assert as_grid(np.zeros((2, 3, 4))).shape == (2, 12)
    assert cap_note((784, 256), (40, 256)) == "showing 40 of 784 rows"
    assert cap_note((784, 1000), (40, 300)) == "showing 40 of 784 rows and 300 of 1000 columns"
    assert cap_note((3, 2), (3, 2)) == ""
    assert NumberStyle().cells(np.array([[0.75, -0.25], [0.75, 0.0]])) == [
        ["3/4", "−1/4"],
        ["3/4", "0"],
    ]
    assert NumberStyle(exact=False, digits=3).cells(np.array([[1 / 3]])) == [["0.333"]]


def test_a_huge_matrix_lists_its_corner_and_says_so(qtbot) -> None:
    big = np.arange(784 * 256, dtype=np.float64).reshape(784, 256) / 4
    w = MatrixWidget(big, max_rows=40, max_cols=300)
    qtbot.addWidget(w)
    assert w.matrix.shape == (40, 256) and w.grid_shape == (784, 256)
    assert len(w.texts()) == 40 and w.texts()[0][:3] == ["0", "1/4", "1/2"]
    assert w.cap_note == "showing 40 of 784 rows"
    assert w.source.shape == (784, 256)  # all 200,704 entries are kept…
    assert not w.copies_all and w.latex().count(r"\\") == 39  # …and the 40 rows listed copied
    small = MatrixWidget(np.eye(2), max_rows=40, max_cols=300)
    qtbot.addWidget(small)
    assert small.cap_note == ""


def hover(w: MatrixWidget, at: QPointF) -> None:
    """The pointer moves over ``at`` (a mouse-move event, as the window would send;
    QTest's own move is lost when the cursor already rests there from an earlier test)."""
    event = QMouseEvent(
        QEvent.Type.MouseMove,
        at,
        w.mapToGlobal(at),
        Qt.MouseButton.NoButton,
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(w, event)


def test_hit_tests_and_tooltips(qtbot) -> None:
    w = MatrixWidget(
        np.array([[0.75, -0.25], [1.0, 0.0]]),
        row_labels=["f[1]", "f[2]"],
        col_labels=["p₁,₁", "p₁,₂"],
    )
    qtbot.addWidget(w)
    w.show()
    for r in range(2):
        for c in range(2):
            center = w.cell_rect(r, c).center().toPoint()
            assert (w.row_at(center), w.column_at(center)) == (r, c)
    assert w.column_at(QPoint(1, 1)) == -1
    assert w.column_at(QPoint(w.width() - 1, w.height() // 2)) == -1
    tip = w.tooltip_at(w.cell_rect(0, 1).center().toPoint())
    assert tip == "f[1] / p₁,₂: −1/4  ≈ −0.25"
    hover(w, w.cell_rect(0, 1).center())
    assert w.toolTip() == tip  # what Qt shows when the pointer rests
    hover(w, w.cell_rect(1, 0).center())
    assert w.toolTip() == "f[2] / p₁,₁: 1"
    with qtbot.waitSignal(w.cellClicked) as clicked:
        qtbot.mouseClick(w, Qt.MouseButton.LeftButton, pos=w.cell_rect(1, 0).center().toPoint())
    assert clicked.args == [1, 0]


class Recorder(MatrixWidget):
    """Remembers the regions it was asked to repaint."""

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        self.regions: list[tuple[int, int, int, int]] = []
        super().__init__(*args, **kwargs)

    def paintEvent(self, event) -> None:  # type: ignore[no-untyped-def]  # noqa: N802
        r = event.rect()
        self.regions.append((r.x(), r.y(), r.width(), r.height()))
        super().paintEvent(event)


def shown_recorder(qtbot, m: np.ndarray, **kwargs) -> Recorder:  # type: ignore[no-untyped-def]
    """A :class:`Recorder` of ``m`` on screen, its first paint done."""
    w = Recorder(m, **kwargs)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    qtbot.waitUntil(lambda: bool(w.regions))
    return w


def test_new_numbers_repaint_only_the_changed_cells(qtbot) -> None:
    m = np.array([[3.0, 1.0, 4.0], [1.0, 5.0, 9.0]])
    w = shown_recorder(qtbot, m, col_labels=["a", "b", "c"])
    size = w.size()
    w.regions.clear()
    m[1, 2] = 2.0  # same width: one cell changes
    w.set_matrix(m)
    qtbot.waitUntil(lambda: bool(w.regions))
    x, y, width, height = w.regions[-1]
    cell = w.cell_rect(1, 2).toAlignedRect()
    assert width < size.width() / 2 and height < size.height() / 2
    assert x <= cell.x() and x + width >= cell.right() and y <= cell.y()
    assert w.texts()[1] == ["1", "5", "2"] and w.size() == size
    w.regions.clear()
    w.set_matrix(m)  # nothing changed: nothing repainted
    w.set_highlighted_columns(set())
    w.set_column_breaks([])
    qtbot.wait(30)
    assert w.regions == []
