"""The backprop walk's toolbar: ``⏮ ◀ ▶ ⏭``, the step counter (``step 3 / 11:
forward, z₂ = Q × g``, ``J_R`` with a true subscript), Export… and End Walk.

The four player buttons have icons drawn here in the palette's text colour: the
usual fonts lack ⏮ and ⏭, and the style's media icons vanish on the dark theme.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPalette, QPixmap, QPolygonF
from PySide6.QtWidgets import QLabel, QToolBar, QWidget

from gradviz.qt.walk_panel import rich

if TYPE_CHECKING:
    from gradviz.qt.walk import WalkMode


def _media_icon(parts: tuple[str, ...], color: QColor, size: int = 24) -> QIcon:
    """A player button: triangles pointing ``left`` / ``right`` and ``bar`` s, left to right."""
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(color)
    widths = [3.0 if part == "bar" else 9.0 for part in parts]
    x = (size - sum(widths) - 1.5 * (len(parts) - 1)) / 2
    top, bottom, mid = size * 0.25, size * 0.75, size / 2
    for part, w in zip(parts, widths, strict=True):
        if part == "bar":
            painter.drawRect(QRectF(x, top, w, bottom - top))
        else:
            tip, back = (x, x + w) if part == "left" else (x + w, x)
            painter.drawPolygon(
                QPolygonF([QPointF(tip, mid), QPointF(back, top), QPointF(back, bottom)])
            )
        x += w + 1.5
    painter.end()
    return QIcon(pixmap)


class WalkToolBar(QToolBar):
    """``⏮ ◀ ▶ ⏭``, the step counter, and the button that ends the walk."""

    def __init__(self, mode: WalkMode, parent: QWidget) -> None:
        super().__init__("Backprop walk", parent)
        self.setObjectName("walkToolBar")
        buttons = []
        for text, slot, tip in (
            ("⏮", mode.first, "First step (Home)"),
            ("◀", mode.previous, "Previous step (← or Page Up)"),
            ("▶", mode.next, "Next step (→, Space or Page Down)"),
            ("⏭", mode.last, "Last step (End)"),
        ):
            action = self.addAction(text, slot)
            action.setToolTip(tip)
            buttons.append(action)
        self.first_action, self.previous_action, self.next_action, self.last_action = buttons
        self.paint_icons(self.palette().color(QPalette.ColorRole.ButtonText))
        self.caption = ""
        self.counter = QLabel("", self)
        self.counter.setTextFormat(Qt.TextFormat.RichText)
        self.counter.setMinimumWidth(360)
        self.counter.setStyleSheet("font-size: 12pt; padding: 0 10px;")
        self.addWidget(self.counter)
        self.addSeparator()
        self.export_action = self.addAction("Export…", mode.export_dialog)
        self.export_action.setToolTip("Export the walk: PDF, PNG/SVG files or Beamer slides")
        self.end_action = self.addAction("End Walk", mode.stop)
        self.end_action.setToolTip("Leave the walk, show every value and gradient (Esc)")

    def paint_icons(self, color: QColor) -> None:
        """The four buttons' icons drawn in ``color`` (the fonts at hand lack ⏮ ⏭,
        and the style's media icons vanish on a dark theme)."""
        shapes = (("bar", "left"), ("left",), ("right",), ("right", "bar"))
        for action, parts in zip(
            (self.first_action, self.previous_action, self.next_action, self.last_action),
            shapes,
            strict=True,
        ):
            action.setIcon(_media_icon(parts, color))

    def show_position(self, index: int, total: int, caption: str) -> None:
        self.caption = caption
        self.counter.setText(rich(caption))
        self.first_action.setEnabled(index > 0)
        self.previous_action.setEnabled(index > 0)
        self.next_action.setEnabled(index < total - 1)
        self.last_action.setEnabled(index < total - 1)
