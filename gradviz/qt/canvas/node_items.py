"""The two kinds of node on the canvas.

* :class:`LeafNodeItem` — an ``input`` or ``param`` (E, P, Q): its name above a
  box holding its entries in a bracketed grid (a vector as a column, as on the
  sheet). The node paints its entries itself (a big matrix stays one item); the
  teacher double-clicks an entry to type a value, or scrubs it with the wheel /
  Alt+drag.
* :class:`OpNodeItem` — an operation (``P×E``, ``ReLU``, ``Q×·``, ``softmax``,
  ``−ln``): its label in a rounded box. The network's output has a double
  border and the caption "output"; the loss node the caption "loss" and its value
  (``l = ln 2``). ReLU kinks and non-finite values are noted under the box in the
  warning colour.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QGraphicsSceneHoverEvent, QStyleOptionGraphicsItem, QWidget

from gradviz.qt.canvas import style
from gradviz.qt.canvas.node_base import (
    BOX_PAD_X,
    BOX_PAD_Y,
    ENTRY_COL_GAP,
    ENTRY_MIN_W,
    OP_H,
    OP_MIN_W,
    OP_PAD_X,
    Entry,
    NodeItem,
    _lod,
)
from gradviz.qt.theme import DisplayOptions

__all__ = ["Entry", "LeafNodeItem", "NodeItem", "OpNodeItem"]


class LeafNodeItem(NodeItem):
    """An input or parameter: name above, entries in a bracketed grid."""

    def __init__(
        self, node_id: str, op: str, name: str, shape: tuple[int, ...], editable: bool
    ) -> None:
        super().__init__(node_id, op, editable)
        self.name = name
        self.value_shape = shape
        self.editable = editable
        self.entries: dict[tuple[int, ...], Entry] = {idx: Entry(idx) for idx in np.ndindex(*shape)}
        self.hovered: Entry | None = None
        self.setAcceptHoverEvents(editable)
        self._grid_rect = QRectF()
        self._col_widths: list[float] = []
        kind = "input" if op == "input" else "parameter"
        dims = "×".join(str(d) for d in shape) or "scalar"
        self._tip = f"{name}: {kind}, {dims}"
        self.setToolTip(self._tip)

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
    ) -> bool:
        """Show ``value``; returns True when the node changed size (edges re-anchor)."""
        self.theme = opts.palette
        self.warning = not style.all_finite(value)
        notes = ["non-finite value"] if self.warning else []
        notes_changed = notes != self.notes
        self.notes = notes
        for idx, e in self.entries.items():
            x = float(value[idx])
            e.text = style.number(x, opts)
            e.finite = x == x and abs(x) != float("inf")
            e.highlighted = highlight == idx
        if self.hovered is not None:
            self.setToolTip(self._entry_tip(self.hovered))
        return self._layout(notes_changed)

    def _entry_tip(self, e: Entry) -> str:
        return f"{style.entry_label(self.node_id, e.index)} = {e.text}\n{style.SCRUB_TIP}"

    def _layout(self, force: bool = False) -> bool:
        rows, cols = self._grid()
        fm = style.metrics(style.ENTRY_PX)
        widths = [ENTRY_MIN_W] * cols
        for idx, e in self.entries.items():
            _, c = self._cell(idx)
            widths[c] = max(widths[c], style.text_width(e.text, style.ENTRY_PX))
        if widths == self._col_widths and not force:
            self.update()
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
            e.rect = QRectF(xs[c], self._grid_rect.top() + r * line_h, widths[c], line_h)
        nm = style.metrics(style.NAME_PX, True)
        name_w = nm.horizontalAdvance(self.name)
        name_rect = QRectF(
            -name_w / 2 - 2, self.body.top() - nm.height() - 6, name_w + 4, nm.height() + 4
        )
        notes = self._notes_rect()
        self._set_bounds(name_rect if notes is None else name_rect.united(notes))
        self.update()
        return True

    def entry_at(self, pos: QPointF) -> Entry | None:
        if not self._grid_rect.adjusted(-ENTRY_COL_GAP, -2, ENTRY_COL_GAP, 2).contains(pos):
            return None
        for e in self.entries.values():
            if e.rect.adjusted(-ENTRY_COL_GAP / 2, -1, ENTRY_COL_GAP / 2, 1).contains(pos):
                return e
        return None

    # -- hover: the entry under the mouse lights up and explains how to edit it -----
    def hoverMoveEvent(self, event: QGraphicsSceneHoverEvent) -> None:
        entry = self.entry_at(event.pos())
        if entry is not self.hovered:
            self.hovered = entry
            if entry is None:
                self.setToolTip(self._tip)
                self.setCursor(Qt.CursorShape.SizeAllCursor)
            else:
                self.setToolTip(self._entry_tip(entry))
                self.setCursor(Qt.CursorShape.PointingHandCursor)
            self.update()

    def hoverLeaveEvent(self, event: QGraphicsSceneHoverEvent) -> None:
        if self.hovered is not None:
            self.hovered = None
            self.setToolTip(self._tip)
            self.update()

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        t = self.theme
        if t is None:
            return
        self._paint_box(painter, t.param_fill if self.op == "param" else t.leaf_fill)
        lod = _lod(painter, option)
        if self.value_shape:
            g = self._grid_rect.adjusted(-11, 0, 11, 0)
            style.draw_parens(painter, g, QPen(QColor(t.text), 1.3))
        decorate = self._decorations()
        for e in self.entries.values():
            back = e.rect.adjusted(-4, -1, 4, 1)
            if e.highlighted:
                c = QColor(t.highlight)
                c.setAlpha(150)
                painter.setPen(QPen(QColor(t.highlight), 1.5))
                painter.setBrush(c)
                painter.drawRoundedRect(back, 4, 4)
            elif e is self.hovered and decorate:
                c = QColor(t.selection)
                c.setAlpha(45)
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(c)
                painter.drawRoundedRect(back, 4, 4)
        if lod * style.ENTRY_PX < 3:
            return
        fm = style.metrics(style.ENTRY_PX)
        painter.setFont(style.font(style.ENTRY_PX))
        text_pen, warn_pen = QPen(QColor(t.text)), QPen(QColor(t.warning))
        for e in self.entries.values():
            painter.setPen(text_pen if e.finite else warn_pen)
            w = style.text_width(e.text, style.ENTRY_PX)
            base = e.rect.top() + (e.rect.height() - fm.height()) / 2 + fm.ascent()
            painter.drawText(QPointF(e.rect.center().x() - w / 2, base), e.text)
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
