"""The scalar view's side panel: one Jacobian entry as a sum over paths.

Exercise 0 of the sheet: ``∂(f_i∘g)/∂x_j`` is a sum, over every path from
``x_j`` to ``f_i`` through the scalar graph, of the product of the local partial
derivatives along the path. :class:`PathPanel` writes that sum for the entry the
teacher clicked: ``∂f₁/∂p₂,₁ = −3/2`` as a title, one row per path (its scalars,
its partials multiplied out, its product), the sum of the products, and the
engine's own entry of ``J_fE(Θ)`` beside it with a check mark. Selecting a row
lets that path stand out alone in the graph.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from gradviz.engine.exact import format_scalar
from gradviz.engine.paths import PathSum
from gradviz.engine.scalar import ScalarGraph
from gradviz.qt.scalar_items import display_name
from gradviz.qt.theme import DisplayOptions

HINT = (
    "Click an entry of J<sub>f<sub>E</sub></sub>(Θ) (the Jacobian panel, or ∂f/∂P in the "
    "inspector) to see it as a sum over paths. Click a box to find its node on the "
    "canvas. Wheel zooms, drag pans, F fits."
)


class PathPanel(QWidget):
    """The side panel: ``∂f_i/∂θ_j``, one row per path (its nodes, its partials and
    their product), and the sum. Selecting a row makes that path stand out."""

    pathFocused = Signal(int)  # -1: every path
    closeRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._options = DisplayOptions()
        self.title = QLabel(self)
        self.title.setTextFormat(Qt.TextFormat.RichText)
        self.title.setWordWrap(True)
        self.explain = QLabel(self)
        self.explain.setWordWrap(True)
        self.explain.setTextFormat(Qt.TextFormat.RichText)
        self.list = QListWidget(self)
        self.list.setWordWrap(True)
        self.list.setAlternatingRowColors(True)
        self.list.currentRowChanged.connect(self._row_changed)
        self.sum_label = QLabel(self)
        self.sum_label.setWordWrap(True)
        self.sum_label.setTextFormat(Qt.TextFormat.RichText)
        self.all_button = QPushButton("Show every path", self)
        self.all_button.clicked.connect(self.show_all)
        self.close_button = QPushButton("Hide the paths", self)
        self.close_button.setToolTip("Back to the whole graph, nothing highlighted")
        self.close_button.clicked.connect(self.closeRequested)
        self.hide_zero = QCheckBox("Leave out paths with a zero factor", self)
        self.hide_zero.setToolTip(
            "A switched-off ReLU has partial 0: every path through it contributes 0 to the sum"
        )
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.setSpacing(6)
        layout.addWidget(self.title)
        layout.addWidget(self.explain)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.sum_label)
        buttons = QHBoxLayout()
        buttons.addWidget(self.all_button)
        buttons.addWidget(self.close_button)
        layout.addLayout(buttons)
        layout.addWidget(self.hide_zero)
        self.set_options(self._options)
        self.show_paths(None, None)

    def set_options(self, options: DisplayOptions) -> None:
        """Number format and theme (colours set explicitly: a style sheet keeps the
        palette it was polished with)."""
        self._options = options
        t = options.palette
        pick = QColor(t.highlight)
        self.title.setStyleSheet(f"font-size: 17pt; color: {t.text};")
        self.explain.setStyleSheet(f"color: {t.dim_text if t.name == 'dark' else t.text};")
        self.sum_label.setStyleSheet(f"font-size: 14pt; color: {t.text};")
        self.list.setStyleSheet(
            f"QListWidget {{ font-size: 12pt; background: {t.background}; color: {t.text}; "
            f"alternate-background-color: {t.grid}; }} "
            "QListWidget::item { padding: 4px; } "
            f"QListWidget::item:selected {{ background: rgba({pick.red()}, {pick.green()}, "
            f"{pick.blue()}, 90); color: {t.text}; }}"
        )

    def _num(self, x: float, paren: bool = False) -> str:
        o = self._options
        text = format_scalar(x, exact=o.exact, digits=o.digits, unicode_minus=True)
        return f"({text})" if paren and text.startswith("−") else text

    def show_paths(
        self,
        graph: ScalarGraph | None,
        ps: PathSum | None,
        *,
        entry: float | None = None,
        where: str = "",
    ) -> None:
        """Describe ``ps`` (None: the hint). ``entry`` is the engine's own
        ``J_fE(Θ)`` entry to compare the sum with; ``where`` names its cell."""
        self.list.blockSignals(True)
        self.list.clear()
        self.list.blockSignals(False)
        if graph is None or ps is None:
            self.title.setText("Paths of a Jacobian entry")
            self.explain.setText(HINT)
            self.sum_label.setText("")
            self.all_button.setEnabled(False)
            return
        t = self._options.palette
        of, wrt = (display_name(graph.nodes[i].name) for i in (ps.of, ps.wrt))
        self.title.setText(f"∂{of}/∂{wrt} = <b>{self._num(ps.total)}</b>")
        n = ps.count
        listed = len(ps.paths)
        text = (
            f"the sum over the {n} path{'s' if n != 1 else ''} from {wrt} to {of} of the "
            "product of the local partial derivatives along each path (Exercise 0)"
        )
        if ps.zero_count:
            text += (
                f"; {ps.zero_count} of them pass a zero partial (a switched-off ReLU, "
                "a zero weight) and add 0"
            )
        if listed < n:
            text += f". <b>{listed}</b> are listed"
        self.explain.setText(text)
        for p in ps.paths:
            names = " → ".join(display_name(graph.nodes[i].name) for i in p.nodes)
            factors = " × ".join(self._num(x, True) for x in p.partials) or "1"
            item = QListWidgetItem(f"{names}\n{factors} = {self._num(p.product)}", self.list)
            if p.product == 0.0:
                item.setForeground(Qt.GlobalColor.gray)
        terms = " + ".join(self._num(p.product, True) for p in ps.paths[:12])
        if listed > 12 or listed < n:
            terms += " + …"
        check = ""
        if entry is not None:
            ok = bool(np.isclose(ps.total, entry, rtol=1e-9, atol=1e-12))
            mark = f"<span style='color:{t.value if ok else t.warning}'>{'✓' if ok else '≠'}</span>"
            check = f"<br>= {where} = {self._num(entry)} {mark}"
        self.sum_label.setText(f"sum: {terms} = <b>{self._num(ps.total)}</b>{check}")
        self.all_button.setEnabled(False)

    def _row_changed(self, row: int) -> None:
        self.all_button.setEnabled(row >= 0)
        self.pathFocused.emit(row)

    def show_all(self) -> None:
        self.list.setCurrentRow(-1)
        self.list.clearSelection()
        self.all_button.setEnabled(False)
        self.pathFocused.emit(-1)
