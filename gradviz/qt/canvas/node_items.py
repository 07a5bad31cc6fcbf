"""Nodes on the canvas.

* :class:`LeafNodeItem` — an ``input`` or ``param`` (E, P, Q): its name above a
  box holding its entries in a bracketed grid (a vector as a column, as on the
  sheet). Each entry is an :class:`EntryItem` the teacher can double-click to
  type a value, or scrub with the wheel / Alt+drag.
* :class:`OpNodeItem` — an operation (``P×E``, ``ReLU``, ``Q×·``, ``softmax``,
  ``−ln``): its label in a rounded box. The network's output has a double
  border and the caption "output"; the loss node the caption "loss" and its value
  (``l = ln 2``). ReLU kinks and non-finite values are noted under the box in the
  warning colour.

A node's ``pos()`` is the centre of its box, the point saved as ``pos`` in the file.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsSceneHoverEvent,
    QGraphicsSceneMouseEvent,
    QStyleOptionGraphicsItem,
    QWidget,
)

from gradviz.qt.canvas import style
from gradviz.qt.theme import DisplayOptions, Theme

if TYPE_CHECKING:
    from gradviz.qt.canvas.edge_items import EdgeItem
    from gradviz.qt.canvas.scene import GraphScene

ENTRY_COL_GAP = 14.0
ENTRY_MIN_W = 18.0
BOX_PAD_X, BOX_PAD_Y = 12.0, 9.0
OP_PAD_X, OP_MIN_W, OP_H = 18.0, 70.0, 46.0
RADIUS = 9.0


def _lod(painter: QPainter, option: QStyleOptionGraphicsItem) -> float:
    return option.levelOfDetailFromTransform(painter.worldTransform())


class NodeItem(QGraphicsItem):
    """What every node shares: its box, edges, selection, dragging and scrubbing."""

    def __init__(self, node_id: str, op: str, editable: bool) -> None:
        super().__init__()
        self.node_id = node_id
        self.op = op
        self.edges: list[EdgeItem] = []
        self.theme: Theme | None = None
        self.body = QRectF(-30, -20, 60, 40)
        self._bounds = QRectF(self.body)
        self.warning = False
        self.notes: list[str] = []
        self._scrub: tuple[EntryItem, float, int] | None = None
        flags = (
            QGraphicsItem.GraphicsItemFlag.ItemIsSelectable
            | QGraphicsItem.GraphicsItemFlag.ItemSendsGeometryChanges
        )
        if editable:
            flags |= QGraphicsItem.GraphicsItemFlag.ItemIsMovable
            self.setCursor(Qt.CursorShape.SizeAllCursor)
        self.setFlags(flags)
        self.setZValue(1)

    # -- geometry ---------------------------------------------------------------
    def boundingRect(self) -> QRectF:
        return self._bounds

    def body_in_scene(self) -> QRectF:
        return self.body.translated(self.pos())

    def anchor(self, toward: QPointF, offset: QPointF | None = None) -> QPointF:
        """Where the line from the box's centre (shifted by ``offset``) toward
        ``toward`` leaves the box, 2 units outside it."""
        c = self.pos() + (offset or QPointF())
        d = toward - c
        hw, hh = self.body.width() / 2 + 2, self.body.height() / 2 + 2
        sx = hw / abs(d.x()) if d.x() else float("inf")
        sy = hh / abs(d.y()) if d.y() else float("inf")
        s = min(sx, sy, 1.0)
        return c + d * s

    def _set_bounds(self, extra: QRectF | None = None) -> None:
        self.prepareGeometryChange()
        r = self.body.adjusted(-6, -6, 6, 6)
        if extra is not None:
            r = r.united(extra)
        self._bounds = r

    def itemChange(self, change: QGraphicsItem.GraphicsItemChange, value: object) -> object:
        if change == QGraphicsItem.GraphicsItemChange.ItemPositionHasChanged:
            for e in self.edges:
                e.adjust()
        return super().itemChange(change, value)

    # -- painting helpers -----------------------------------------------------------
    def _graph_scene(self) -> GraphScene | None:
        from gradviz.qt.canvas.scene import GraphScene

        s = self.scene()
        return s if isinstance(s, GraphScene) else None

    def _decorations(self) -> bool:
        s = self._graph_scene()
        return s is None or not s.exporting

    def _paint_box(self, painter: QPainter, fill: str, double: bool = False) -> None:
        t = self.theme
        assert t is not None
        border = QColor(t.warning if self.warning else t.node_border)
        painter.setPen(QPen(border, 2.2 if self.warning else 1.4))
        painter.setBrush(QColor(fill))
        painter.drawRoundedRect(self.body, RADIUS, RADIUS)
        if double:
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(
                self.body.adjusted(3.5, 3.5, -3.5, -3.5), RADIUS - 3, RADIUS - 3
            )
        if self.isSelected() and self._decorations():
            painter.setPen(QPen(QColor(t.selection), 2.5))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(self.body.adjusted(-4, -4, 4, 4), RADIUS + 3, RADIUS + 3)

    def _paint_notes(self, painter: QPainter) -> None:
        if not self.notes or self.theme is None:
            return
        fm = style.metrics(style.CAPTION_PX)
        painter.setFont(style.font(style.CAPTION_PX))
        painter.setPen(QColor(self.theme.warning))
        y = self.body.bottom() + 6 + fm.ascent()
        for note in self.notes:
            painter.drawText(QPointF(-fm.horizontalAdvance(note) / 2, y), note)
            y += fm.height()

    def _notes_rect(self) -> QRectF | None:
        if not self.notes:
            return None
        fm = style.metrics(style.CAPTION_PX)
        w = max(fm.horizontalAdvance(n) for n in self.notes)
        return QRectF(-w / 2 - 2, self.body.bottom() + 4, w + 4, fm.height() * len(self.notes) + 4)

    # -- mouse: select, drag (Qt), scrub and edit entries -------------------------------
    def entry_at(self, pos: QPointF) -> EntryItem | None:
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
            super().mouseMoveEvent(event)
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
        super().mouseDoubleClickEvent(event)


class EntryItem(QGraphicsItem):
    """One entry of a leaf, in its node's coordinates. Clicks go to the node
    (which knows about dragging); the entry only paints and hovers."""

    def __init__(self, parent: LeafNodeItem, index: tuple[int, ...]) -> None:
        super().__init__(parent)
        self.index = index
        self.text = ""
        self.rect = QRectF()
        self.highlighted = False
        self.hovered = False
        self.finite = True
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.setAcceptHoverEvents(True)
        self.setCursor(Qt.CursorShape.PointingHandCursor)

    def boundingRect(self) -> QRectF:
        return self.rect

    def hoverEnterEvent(self, event: QGraphicsSceneHoverEvent) -> None:
        self.hovered = True
        self.update()

    def hoverLeaveEvent(self, event: QGraphicsSceneHoverEvent) -> None:
        self.hovered = False
        self.update()

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        parent = self.parentItem()
        assert isinstance(parent, LeafNodeItem)
        t = parent.theme
        if t is None:
            return
        decorate = parent._decorations()
        if self.highlighted:
            c = QColor(t.highlight)
            c.setAlpha(150)
            painter.setPen(QPen(QColor(t.highlight), 1.5))
            painter.setBrush(c)
            painter.drawRoundedRect(self.rect.adjusted(-4, -1, 4, 1), 4, 4)
        elif self.hovered and decorate and parent.editable:
            c = QColor(t.selection)
            c.setAlpha(45)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(c)
            painter.drawRoundedRect(self.rect.adjusted(-4, -1, 4, 1), 4, 4)
        if _lod(painter, option) * style.ENTRY_PX < 3:
            return
        fm = style.metrics(style.ENTRY_PX)
        painter.setFont(style.font(style.ENTRY_PX))
        painter.setPen(QColor(t.text if self.finite else t.warning))
        w = fm.horizontalAdvance(self.text)
        base = self.rect.top() + (self.rect.height() - fm.height()) / 2 + fm.ascent()
        painter.drawText(QPointF(self.rect.center().x() - w / 2, base), self.text)


class LeafNodeItem(NodeItem):
    """An input or parameter: name above, entries in a bracketed grid."""

    def __init__(
        self, node_id: str, op: str, name: str, shape: tuple[int, ...], editable: bool
    ) -> None:
        super().__init__(node_id, op, editable)
        self.name = name
        self.value_shape = shape
        self.editable = editable
        self.entries: dict[tuple[int, ...], EntryItem] = {
            idx: EntryItem(self, idx) for idx in np.ndindex(*shape)
        }
        self._grid_rect = QRectF()
        self._col_widths: list[float] = []
        kind = "input" if op == "input" else "parameter"
        dims = "×".join(str(d) for d in shape) or "scalar"
        self.setToolTip(f"{name}: {kind}, {dims}")

    def _grid(self) -> tuple[int, int]:
        if len(self.value_shape) == 2:
            return self.value_shape[0], self.value_shape[1]
        n = int(np.prod(self.value_shape)) if self.value_shape else 1
        return n, 1

    def _cell(self, idx: tuple[int, ...]) -> tuple[int, int]:
        if len(self.value_shape) == 2:
            return idx[0], idx[1]
        if not self.value_shape:
            return 0, 0
        return int(np.ravel_multi_index(idx, self.value_shape)), 0

    def refresh(
        self,
        value: np.ndarray,
        opts: DisplayOptions,
        highlight: tuple[int, ...] | None,
        tips: bool = True,
    ) -> bool:
        """Show ``value``; returns True when the node changed size (edges re-anchor)."""
        self.theme = opts.palette
        texts = {idx: style.number(float(value[idx]), opts) for idx in self.entries}
        self.warning = not style.all_finite(value)
        self.notes = ["non-finite value"] if self.warning else []
        for idx, e in self.entries.items():
            e.text = texts[idx]
            e.finite = bool(np.isfinite(value[idx]))
            e.highlighted = highlight == idx
            if tips:
                name = style.entry_label(self.node_id, idx)
                e.setToolTip(
                    f"{name} = {texts[idx]}\n{style.SCRUB_TIP}"
                    if self.editable
                    else f"{name} = {texts[idx]}"
                )
        return self._layout()

    def _layout(self) -> bool:
        rows, cols = self._grid()
        fm = style.metrics(style.ENTRY_PX)
        widths = [ENTRY_MIN_W] * cols
        for idx, e in self.entries.items():
            _, c = self._cell(idx)
            widths[c] = max(widths[c], fm.horizontalAdvance(e.text))
        if widths == self._col_widths:
            for e in self.entries.values():
                e.update()
            return False
        self._col_widths = widths
        line_h = fm.height() + 3
        grid_w = sum(widths) + ENTRY_COL_GAP * (cols - 1)
        grid_h = line_h * rows
        bracket = 0.0 if not self.value_shape else 2 * (6.0 + 5.0)
        w = grid_w + bracket + 2 * BOX_PAD_X
        h = grid_h + 2 * BOX_PAD_Y
        self.body = QRectF(-w / 2, -h / 2, w, h)
        self._grid_rect = QRectF(-grid_w / 2, -grid_h / 2, grid_w, grid_h)
        xs = [self._grid_rect.left()]
        for cw in widths[:-1]:
            xs.append(xs[-1] + cw + ENTRY_COL_GAP)
        for idx, e in self.entries.items():
            r, c = self._cell(idx)
            e.prepareGeometryChange()
            e.rect = QRectF(xs[c], self._grid_rect.top() + r * line_h, widths[c], line_h)
            e.update()
        nm = style.metrics(style.NAME_PX, True)
        name_w = nm.horizontalAdvance(self.name)
        name_rect = QRectF(
            -name_w / 2 - 2, self.body.top() - nm.height() - 6, name_w + 4, nm.height() + 4
        )
        notes = self._notes_rect()
        self._set_bounds(name_rect if notes is None else name_rect.united(notes))
        return True

    def entry_at(self, pos: QPointF) -> EntryItem | None:
        for e in self.entries.values():
            if e.rect.adjusted(-ENTRY_COL_GAP / 2, -1, ENTRY_COL_GAP / 2, 1).contains(pos):
                return e
        return None

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        t = self.theme
        if t is None:
            return
        self._paint_box(painter, t.param_fill if self.op == "param" else t.leaf_fill)
        if self.value_shape:
            g = self._grid_rect.adjusted(-11, 0, 11, 0)
            style.draw_parens(painter, g, QPen(QColor(t.text), 1.3))
        if _lod(painter, option) * style.NAME_PX < 3:
            return
        nm = style.metrics(style.NAME_PX, True)
        painter.setFont(style.font(style.NAME_PX, True))
        painter.setPen(QColor(t.text))
        painter.drawText(
            QPointF(-nm.horizontalAdvance(self.name) / 2, self.body.top() - 6 - nm.descent()),
            self.name,
        )
        self._paint_notes(painter)


class OpNodeItem(NodeItem):
    """An operation: its label in a rounded box; output and loss marked."""

    def __init__(
        self,
        node_id: str,
        op: str,
        label: str,
        *,
        is_output: bool,
        is_loss: bool,
        show_value: bool,
        formula: str,
        editable: bool,
    ) -> None:
        super().__init__(node_id, op, editable)
        self.label = label
        self.is_output = is_output
        self.is_loss = is_loss
        self.show_value = show_value  # a loss or a sink: its value is written inside
        self.value_text = ""
        self.caption = "loss" if is_loss else "output" if is_output else ""
        tip = formula + ("  (the network's output f)" if is_output else "")
        self.setToolTip(tip + ("  (the loss)" if is_loss else ""))

    def refresh(
        self, value: np.ndarray, opts: DisplayOptions, value_prefix: str, notes: list[str]
    ) -> bool:
        self.theme = opts.palette
        self.warning = not style.all_finite(value) or bool(notes)
        self.notes = list(notes) + (["non-finite value"] if not style.all_finite(value) else [])
        if self.show_value:
            inline = style.inline_text(value, opts)
            body = inline if inline is not None else "(…)"
            self.value_text = value_prefix + body
        return self._layout()

    def _layout(self) -> bool:
        nm = style.metrics(style.NAME_PX, True)
        w = max(OP_MIN_W, nm.horizontalAdvance(self.label) + 2 * OP_PAD_X)
        h = OP_H
        if self.show_value and self.value_text:
            lm = style.metrics(style.LABEL_PX)
            w = max(w, lm.horizontalAdvance(self.value_text) + 2 * OP_PAD_X)
            h += lm.height() + 2
        body = QRectF(-w / 2, -h / 2, w, h)
        extra: QRectF | None = None
        if self.caption:
            cm = style.metrics(style.CAPTION_PX)
            cw = cm.horizontalAdvance(self.caption)
            extra = QRectF(-cw / 2 - 2, body.top() - cm.height() - 5, cw + 4, cm.height() + 4)
        changed = body != self.body
        self.body = body
        notes = self._notes_rect()
        if notes is not None:
            extra = notes if extra is None else extra.united(notes)
        self._set_bounds(extra)
        self.update()
        return changed

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        t = self.theme
        if t is None:
            return
        fill = t.loss_fill if self.is_loss else t.node_fill
        self._paint_box(painter, fill, double=self.is_output)
        if _lod(painter, option) * style.NAME_PX < 3:
            return
        nm = style.metrics(style.NAME_PX, True)
        painter.setFont(style.font(style.NAME_PX, True))
        painter.setPen(QColor(t.text))
        has_value = self.show_value and bool(self.value_text)
        lm = style.metrics(style.LABEL_PX)
        top = self.body.top() + (OP_H - nm.height()) / 2
        painter.drawText(
            QPointF(-nm.horizontalAdvance(self.label) / 2, top + nm.ascent()), self.label
        )
        if has_value:
            painter.setFont(style.font(style.LABEL_PX))
            painter.setPen(QColor(t.value))
            painter.drawText(
                QPointF(
                    -lm.horizontalAdvance(self.value_text) / 2,
                    self.body.bottom() - (OP_H - nm.height()) / 2 - lm.descent() + 2,
                ),
                self.value_text,
            )
        if self.caption:
            cm = style.metrics(style.CAPTION_PX)
            painter.setFont(style.font(style.CAPTION_PX))
            painter.setPen(QColor(t.dim_text))
            painter.drawText(
                QPointF(
                    -cm.horizontalAdvance(self.caption) / 2, self.body.top() - 6 - cm.descent()
                ),
                self.caption,
            )
        self._paint_notes(painter)
