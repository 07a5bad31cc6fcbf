"""Copy as LaTeX and Copy as text take every entry of a capped matrix, up to
MAX_COPY_ENTRIES; of a bigger one the part listed, and the menu says so (a
million-entry Jacobian would freeze the window for minutes)."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtGui import QGuiApplication

from gradviz.qt import matrix_widget
from gradviz.qt.matrix_widget import MatrixWidget


def menu_texts(w: MatrixWidget) -> list[str]:
    return [a.text() for a in w.context_menu().actions()]


@pytest.fixture
def capped(qtbot, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """``capped(rows, cols, max_rows, max_cols)``: a ``rows × cols`` widget of
    0, 1, 2, … listing at most ``max_rows × max_cols``; copies take every entry
    up to 900."""
    monkeypatch.setattr(matrix_widget, "MAX_COPY_ENTRIES", 900)

    def make(rows: int, cols: int, max_rows: int, max_cols: int) -> MatrixWidget:
        m = np.arange(float(rows * cols)).reshape(rows, cols)
        w = MatrixWidget(m, max_rows=max_rows, max_cols=max_cols)
        qtbot.addWidget(w)
        return w

    return make


def test_a_capped_matrix_copies_every_entry_up_to_the_limit(capped) -> None:  # type: ignore[no-untyped-def]
    w = capped(30, 30, 10, 10)
    assert w.matrix.shape == (10, 10) and w.copies_all
    assert w.latex().count(r"\\") == 29 and "899" in w.latex()  # all 30 rows
    assert menu_texts(w) == ["Copy as LaTeX", "Copy as text"]


def test_past_the_limit_the_part_listed_is_copied_and_the_menu_says_so(capped) -> None:  # type: ignore[no-untyped-def]
    w = capped(50, 50, 10, 12)
    assert not w.copies_all
    latex = w.latex()
    assert latex.count(r"\\") == 9 and "& 11" in latex and "2499" not in latex
    assert menu_texts(w) == [
        "Copy as LaTeX (the 10 × 12 listed)",
        "Copy as text (the 10 × 12 listed)",
    ]
    w.context_menu().actions()[1].trigger()
    assert QGuiApplication.clipboard().text() == w.plain_text()
    assert len(w.plain_text().splitlines()) == 10
