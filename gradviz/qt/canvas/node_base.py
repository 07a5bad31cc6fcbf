"""What every node on the canvas shares: its rounded box centred on ``pos()``
(the point saved as ``pos`` in the file), its edges, selection, notes under the
box (ReLU kinks, non-finite values), dragging (the edges follow) and, for nodes
with entries, the mouse gestures on an entry: click (``entrySelected``),
double-click (the inline editor) and Alt+drag (scrubbing).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QPainter, QPen
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsRectItem,
    QGraphicsSceneMouseEvent,
    QStyleOptionGraphicsItem,
)

from gradviz.qt.canvas import style
from gradviz.qt.theme import Theme

if TYPE_CHECKING:
    from gradviz.qt.canvas.edge_items import EdgeItem
    from gradviz.qt.canvas.scene import GraphScene

ENTRY_COL_GAP = 14.0
ENTRY_MIN_W = 18.0
BOX_PAD_X, BOX_PAD_Y = 12.0, 9.0
OP_PAD_X, OP_MIN_W, OP_H = 18.0, 70.0, 46.0
RADIUS = 9.0
#: ``(left, top, right, bottom)`` in a node's coordinates.
Rect = tuple[float, float, float, float]
#: Opacity of the background-coloured plate behind labels and captions.
HALO_ALPHA = 225


#: The item flags of a node (looked up once: each enum lookup costs a microsecond).
_SELECTABLE = QGraphicsItem.GraphicsItemFlag.ItemIsSelectable
_EDITABLE = _SELECTABLE | QGraphicsItem.GraphicsItemFlag.ItemIsMovable
_NO_PEN = QPen(Qt.PenStyle.NoPen)
#: A node's box until its first layout.
_FIRST_BODY = QRectF(-30, -20, 60, 40)


def _lod(painter: QPainter, option: QStyleOptionGraphicsItem) -> float:
    return option.levelOfDetailFromTransform(painter.worldTransform())


@dataclass
class Entry:
    """One entry of an input or parameter, painted by its node; ``rect`` in the
    node's coordinates."""

    index: tuple[int, ...]
    text: str = ""
    #: ``(x, y, width, height)`` in the node's coordinates (plain floats: a big
    #: graph lays out thousands of entries; a ``QRectF`` is made only when asked).
    box: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)
    highlighted: bool = False
    finite: bool = True

    @property
    def rect(self) -> QRectF:
        return QRectF(*self.box)


class NodeItem(QGraphicsRectItem):
    """What every node shares: its box, edges, selection, dragging and scrubbing."""

    def __init__(self, node_id: str, op: str, editable: bool) -> None:
        super().__init__()
        self.node_id = node_id
        self.op = op
        self.edges: list[EdgeItem] = []
        self.theme: Theme | None = None
        self.body = _FIRST_BODY  # shared: replaced, never changed in place
        self.setPen(_NO_PEN)  # the rectangle is the bounds (see _set_geometry), never drawn
        self.setRect(_FIRST_BODY)
        #: ``(left, top, right, bottom)`` of :meth:`boundingRect` and the box's
        #: half-size plus 2, as plain floats for the placer (kept by :meth:`_set_geometry`).
        self.extent = (-30.0, -20.0, 30.0, 20.0)
        self.half = (32.0, 22.0)
        self.warning = False
        self.notes: list[str] = []
        self._tip: str | None = None
        self._scrub: tuple[Entry, float, int] | None = None
        if editable:
            self.setCursor(Qt.CursorShape.SizeAllCursor)
        self.setFlags(_EDITABLE if editable else _SELECTABLE)  # z 0: between edges and labels

    @property
    def tip(self) -> str:
        """The tooltip: made when first asked for and set on the item only then (see
        :meth:`ensure_tooltip`); a big graph has thousands of nodes."""
        if self._tip is None:
            self._tip = self.make_tip()
        return self._tip

    def make_tip(self) -> str:
        """The tooltip's text (subclasses say what they are)."""
        return ""

    def ensure_tooltip(self) -> None:
        """Give the item its tooltip (made lazily: a big graph has thousands of nodes)."""
        if not self.toolTip():
            self.setToolTip(self.tip)

    # -- geometry ---------------------------------------------------------------
    def body_in_scene(self) -> QRectF:
        return self.body.translated(self.pos())

    def anchor_box(self) -> tuple[float, float, float, float]:
        """``(x, y, hw, hh)``: the box's centre and half-size, 2 units outside it
        (what an edge's end is clipped to)."""
        p = self.pos()
        hw, hh = self.half
        return p.x(), p.y(), hw, hh

    def _set_geometry(self, w: float, h: float, *extras: Rect | None) -> None:
        """The box, ``w × h`` centred on ``pos()``, and the bounds: the box grown by 6
        and every ``(left, top, right, bottom)`` of ``extras`` (name, caption, notes)."""
        self.body = QRectF(-w / 2, -h / 2, w, h)
        left, top, right, bottom = -w / 2 - 6, -h / 2 - 6, w / 2 + 6, h / 2 + 6
        for extra in extras:
            if extra is not None:
                left, top = min(left, extra[0]), min(top, extra[1])
                right, bottom = max(right, extra[2]), max(bottom, extra[3])
        self.setRect(left, top, right - left, bottom - top)
        self.extent = (left, top, right, bottom)
        self.half = (w / 2 + 2, h / 2 + 2)

    def adjust_edges(self) -> None:
        """Re-anchor this node's edges (after a move or a change of size)."""
        for e in self.edges:
            e.adjust()

    # -- painting helpers -----------------------------------------------------------
    def _graph_scene(self) -> GraphScene | None:
        from gradviz.qt.canvas.scene import GraphScene

        s = self.scene()
        return s if isinstance(s, GraphScene) else None

    def _decorations(self) -> bool:
        s = self._graph_scene()
        return s is None or not s.exporting

    def _halos(self) -> bool:
        """Whether texts get a plate in the background colour (not in a transparent export)."""
        s = self._graph_scene()
        return s is None or s.halos

    def _paint_box(
        self, painter: QPainter, fill: str, double: bool = False, lod: float = 1.0
    ) -> None:
        """The rounded box (``double``: with a second border inside) and, when
        selected, the selection ring; at a ``lod`` where the corners' rounding is
        under a pixel, plain rectangles (they look the same and draw faster)."""
        t = self.theme
        assert t is not None
        border = style.pen(t.warning, 2.2) if self.warning else style.pen(t.node_border, 1.4)
        painter.setPen(border)
        painter.setBrush(style.brush(fill))
        rounded = lod * RADIUS >= 1.0
        if rounded:
            painter.drawRoundedRect(self.body, RADIUS, RADIUS)
        else:
            painter.drawRect(self.body)
        if double and lod * 3.5 >= 1.0:  # the inner border is apart from the outer one
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(
                self.body.adjusted(3.5, 3.5, -3.5, -3.5), RADIUS - 3, RADIUS - 3
            )
        if self.isSelected() and self._decorations():
            painter.setPen(style.pen(t.selection, 2.5))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(self.body.adjusted(-4, -4, 4, 4), RADIUS + 3, RADIUS + 3)

    def _paint_notes(self, painter: QPainter) -> None:
        if not self.notes or self.theme is None:
            return
        fm = style.metrics(style.CAPTION_PX)
        painter.setFont(style.font(style.CAPTION_PX))
        painter.setPen(style.pen(self.theme.warning))
        y = self.body.bottom() + 6 + fm.ascent()
        for note in self.notes:
            painter.drawText(QPointF(-style.text_width(note, style.CAPTION_PX) / 2, y), note)
            y += fm.height()

    def _notes_extent(self, h: float) -> Rect | None:
        """``(left, top, right, bottom)`` of the notes under a box ``h`` tall."""
        if not self.notes:
            return None
        fm = style.metrics(style.CAPTION_PX)
        w = max(style.text_width(n, style.CAPTION_PX) for n in self.notes)
        top = h / 2 + 4
        return (-w / 2 - 2, top, w / 2 + 2, top + fm.height() * len(self.notes) + 4)

    # -- mouse: select, drag (Qt), scrub and edit entries -------------------------------
    def entry_at(self, pos: QPointF) -> Entry | None:
        """The entry under ``pos`` (item coordinates), if this node has entries."""
        return None

    def mousePressEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        scene = self._graph_scene()
        entry = self.entry_at(event.pos())
        if entry is not None and scene is not None:
            scene.entrySelected.emit(self.node_id, entry.index)
            if (
                event.modifiers() & Qt.KeyboardModifier.AltModifier
                and scene.editable
                and event.button() == Qt.MouseButton.LeftButton
            ):
                self._scrub = (entry, float(event.screenPos().x()), 0)
                event.accept()
                return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        if self._scrub is None:
            super().mouseMoveEvent(event)  # Qt moves every selected movable node
            own = self.scene()
            moved = own.selectedItems() if own is not None else []
            for item in moved if self in moved else [*moved, self]:
                if isinstance(item, NodeItem):
                    item.adjust_edges()
            return
        entry, x0, done = self._scrub
        steps = int((event.screenPos().x() - x0) / style.SCRUB_PIXELS)
        scene = self._graph_scene()
        if steps != done and scene is not None:
            coarse = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
            scene.scrub_entry(self.node_id, entry.index, steps - done, coarse)
            self._scrub = (entry, x0, steps)

    def mouseReleaseEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        if self._scrub is not None:
            self._scrub = None
            event.accept()
            return
        super().mouseReleaseEvent(event)

    def mouseDoubleClickEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        scene = self._graph_scene()
        entry = self.entry_at(event.pos())
        if entry is not None and scene is not None and scene.editable:
            scene.open_editor(self.node_id, entry.index)
            event.accept()
            return
        if entry is None and scene is not None and getattr(self, "summarised", False):
            scene.open_tensor_viewer(self.node_id)  # a big tensor: every entry in a table
            event.accept()
            return
        super().mouseDoubleClickEvent(event)
