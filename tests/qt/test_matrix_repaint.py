"""New numbers repaint the box around the changed cells (one rectangle, from its
corner cells), never less: two far-apart changes repaint both and what is between."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRect
from test_panels_matrix import shown_recorder


def test_the_repainted_box_holds_every_changed_cell(qtbot) -> None:  # type: ignore[no-untyped-def]
    m = np.arange(1.0, 21.0).reshape(4, 5)
    w = shown_recorder(qtbot, m)
    whole = w.rect()
    w.regions.clear()
    m[1, 3], m[2, 1] = 5.0, 7.0  # two cells, same widths: far apart, in no corner
    w.set_matrix(m)
    qtbot.waitUntil(lambda: bool(w.regions))
    region = QRect(*w.regions[-1])
    box = w.cell_rect(1, 1).united(w.cell_rect(2, 3)).toAlignedRect()
    assert region.contains(box)
    for r, c in ((0, 0), (3, 4), (0, 3), (3, 1)):  # cells outside the box stay
        assert not region.contains(w.cell_rect(r, c).toAlignedRect().center())
    assert region != whole and w.texts()[1][3] == "5" and w.texts()[2][1] == "7"
