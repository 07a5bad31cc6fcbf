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

import math
from collections.abc import Callable
from functools import lru_cache
from typing import NamedTuple

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QGraphicsSceneHoverEvent, QStyleOptionGraphicsItem, QWidget

from gradviz.qt.canvas import style, summary
from gradviz.qt.canvas.node_base import (
    BOX_PAD_X,
    BOX_PAD_Y,
    ENTRY_COL_GAP,
    ENTRY_MIN_W,
    HALO_ALPHA,
    OP_H,
    OP_MIN_W,
    OP_PAD_X,
    Entry,
    NodeItem,
    Rect,
    _lod,
)
from gradviz.qt.theme import DisplayOptions

__all__ = ["Entry", "LeafNodeItem", "NodeItem", "OpNodeItem"]

CAPTION_GAP = 6.0  # between a caption's lowest point and the box under it
CAPTION_PAD = 2.0  # around a caption, inside its plate


def _flat_index(index: tuple[int, ...], shape: tuple[int, ...]) -> int:
    """Where ``value[index]`` lies in ``value.ravel()`` (C order) for a value of ``shape``."""
    k = 0
    for i, d in zip(index, shape, strict=True):
        k = k * d + i
    return k


class _Plan(NamedTuple):
    """Where the entries of a tensor of one shape go on its node (shared by every
    node of that shape): the grid, the shown entries' indices in order, their
    places in the flattened value, their ``(row, column)`` cells and columns,
    and the gaps' cells and symbols."""

    grid: summary.Grid
    indices: tuple[tuple[int, ...], ...]
    flat: tuple[int, ...]
    places: tuple[tuple[int, int], ...]
    cols: tuple[int, ...]
    gap_places: tuple[tuple[int, int], ...]
    gap_texts: tuple[str, ...]


@lru_cache(maxsize=1024)
def _plan(shape: tuple[int, ...]) -> _Plan:
    grid = summary.Grid.of(shape)
    cells = grid.cells()
    shown = [(idx, (i, j)) for i, j, idx in cells if idx is not None]
    gaps = [(i, j) for i, j, idx in cells if idx is None]
    return _Plan(
        grid,
        tuple(idx for idx, _ in shown),
        tuple(_flat_index(idx, shape) for idx, _ in shown),
        tuple(place for _, place in shown),
        tuple(j for _, (_, j) in shown),
        tuple(gaps),
        tuple(grid.gap_text(i, j) for i, j in gaps),
    )


class LeafNodeItem(NodeItem):
    """An input or parameter: name above, entries in a bracketed grid (a big
    tensor's preview and one line of facts, see :mod:`~gradviz.qt.canvas.summary`)."""

    def __init__(
        self, node_id: str, op: str, name: str, shape: tuple[int, ...], editable: bool
    ) -> None:
        super().__init__(node_id, op, editable)
        self.name = name
        self.value_shape = shape
        self.editable = editable
        plan = _plan(shape)
        self.grid = plan.grid
        #: A big tensor shows a preview; double-clicking elsewhere than on an entry opens all.
        self.summarised = self.grid.big
        self.entries: dict[tuple[int, ...], Entry] = {idx: Entry(idx) for idx in plan.indices}
        #: Per entry, in order: where it lies in the flattened value, its grid cell and column.
        self._flat, self._entry_places, self._entry_cols = plan.flat, plan.places, plan.cols
        self.gaps = [Entry((), text) for text in plan.gap_texts]
        self._gap_places = plan.gap_places
        self.facts = ""
        self.hovered: Entry | None = None
        self.setAcceptHoverEvents(editable)
        self._grid_rect = QRectF()
        self._col_widths: list[float] = []

    def make_tip(self) -> str:
        kind = "input" if self.op == "input" else "parameter"
        shape = self.value_shape
        tip = f"{self.name}: {kind}, {'×'.join(str(d) for d in shape) or 'scalar'}"
        if self.summarised:
            tip += (
                f" ({math.prod(shape):,} entries; the corners are shown)\n"
                "Double-click beside the numbers to read or edit every entry."
            )
        return tip

    def refresh(
        self,
        value: np.ndarray,
        opts: DisplayOptions,
        highlight: tuple[int, ...] | None,
    ) -> bool:
        """Show ``value``; returns True when the node changed size (edges re-anchor)."""
        self.theme = opts.palette
        if self.summarised:  # a preview: its entries, picked out of the big tensor
            xs = [float(value[idx]) for idx in self.entries]
            finite = style.all_finite(value)
        else:  # every entry shown: one pass over the flattened value
            flat = value.ravel().tolist()
            xs = [float(flat[k]) for k in self._flat]
            finite = all(map(math.isfinite, xs))
        self.warning = not finite
        notes = [] if finite else ["non-finite value"]
        facts = summary.facts(value, opts.exact, opts.digits) if self.summarised else ""
        force = notes != self.notes or facts != self.facts
        self.notes, self.facts = notes, facts
        number, exact, digits = style.cached_number, opts.exact, opts.digits
        for (idx, e), x in zip(self.entries.items(), xs, strict=True):
            e.text = number(x, exact, digits)
            e.finite = math.isfinite(x)
            e.highlighted = highlight == idx
        if self.hovered is not None:
            self.setToolTip(self._entry_tip(self.hovered))
        return self._layout(force)

    def _entry_tip(self, e: Entry) -> str:
        return f"{style.entry_label(self.node_id, e.index)} = {e.text}\n{style.SCRUB_TIP}"

    def _layout(self, force: bool = False) -> bool:
        rows, cols = len(self.grid.rows), len(self.grid.cols)
        px = style.ENTRY_PX
        widths = [ENTRY_MIN_W] * cols
        text_width = style.text_width
        for e, c in zip(self.entries.values(), self._entry_cols, strict=True):
            w = text_width(e.text, px)
            if w > widths[c]:
                widths[c] = w
        for (_, c), gap in zip(self._gap_places, self.gaps, strict=True):
            widths[c] = max(widths[c], style.text_width(gap.text, px))
        if widths == self._col_widths and not force:
            self.update()
            return False
        self._col_widths = widths
        line_h = style.line_height(px) + 3
        grid_w = sum(widths) + ENTRY_COL_GAP * (cols - 1)
        grid_h = line_h * rows
        bracket = 0.0 if not self.value_shape else 2 * (6.0 + 5.0)
        facts_h = style.line_height(style.CAPTION_PX) + 6 if self.facts else 0.0
        facts_w = style.text_width(self.facts, style.CAPTION_PX) if self.facts else 0.0
        w = max(grid_w + bracket, facts_w) + 2 * BOX_PAD_X
        h = grid_h + facts_h + 2 * BOX_PAD_Y
        left, top = -grid_w / 2, -h / 2 + BOX_PAD_Y
        self._grid_rect = QRectF(left, top, grid_w, grid_h)
        xs = [left]
        for cw in widths[:-1]:
            xs.append(xs[-1] + cw + ENTRY_COL_GAP)
        for e, (r, c) in zip(self.entries.values(), self._entry_places, strict=True):
            e.box = (xs[c], top + r * line_h, widths[c], line_h)
        for (r, c), gap in zip(self._gap_places, self.gaps, strict=True):
            gap.box = (xs[c], top + r * line_h, widths[c], line_h)
        name_w = style.text_width(self.name, style.NAME_PX, True)
        nm_h = style.line_height(style.NAME_PX, True)
        name_top = -h / 2 - nm_h - 6
        name = (-name_w / 2 - 2, name_top, name_w / 2 + 2, name_top + nm_h + 4)
        self._set_geometry(w, h, name, self._notes_extent(h))
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
                self.setToolTip(self.tip)
                self.setCursor(Qt.CursorShape.SizeAllCursor)
            else:
                self.setToolTip(self._entry_tip(entry))
                self.setCursor(Qt.CursorShape.PointingHandCursor)
            self.update()

    def hoverLeaveEvent(self, event: QGraphicsSceneHoverEvent) -> None:
        if self.hovered is not None:
            self.hovered = None
            self.setToolTip(self.tip)
            self.update()

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        t = self.theme
        if t is None:
            return
        lod = _lod(painter, option)
        self._paint_box(painter, t.param_fill if self.op == "param" else t.leaf_fill, lod=lod)
        if lod * self.body.height() < 4:  # a few pixels tall: the box says it all
            return
        if self.value_shape:
            g = self._grid_rect.adjusted(-11, 0, 11, 0)
            style.draw_parens(painter, g, style.pen(t.text, 1.3))
        decorate = self._decorations()
        for e in self.entries.values():
            back = e.rect.adjusted(-4, -1, 4, 1)
            if e.highlighted:
                painter.setPen(style.pen(t.highlight, 1.5))
                painter.setBrush(style.brush(t.highlight, 150))
                painter.drawRoundedRect(back, 4, 4)
            elif e is self.hovered and decorate:
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(style.brush(t.selection, 45))
                painter.drawRoundedRect(back, 4, 4)
        if lod * style.ENTRY_PX < 3:
            return
        fm = style.metrics(style.ENTRY_PX)
        painter.setFont(style.font(style.ENTRY_PX))
        text_pen, warn_pen = style.pen(t.text), style.pen(t.warning)
        for e in (*self.entries.values(), *self.gaps):
            painter.setPen(text_pen if e.finite else warn_pen)
            w = style.text_width(e.text, style.ENTRY_PX)
            base = e.rect.top() + (e.rect.height() - fm.height()) / 2 + fm.ascent()
            painter.drawText(QPointF(e.rect.center().x() - w / 2, base), e.text)
        if self.facts:
            below = self.body.bottom() - BOX_PAD_Y - style.metrics(style.CAPTION_PX).descent()
            style.draw_centred(painter, self.facts, style.CAPTION_PX, below, t.dim_text)
        above = self.body.top() - 6 - style.metrics(style.NAME_PX, True).descent()
        style.draw_centred(painter, self.name, style.NAME_PX, above, t.text, bold=True)
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
        formula: Callable[[], str],
        editable: bool,
    ) -> None:
        """``formula()`` gives the sheet-style formula for the tooltip (asked for
        only when the tooltip is first wanted)."""
        super().__init__(node_id, op, editable)
        self.label = label
        self.is_output = is_output
        self.is_loss = is_loss
        self.show_value = show_value  # a loss or a sink: its value is written inside
        self.value_text = ""
        self._laid_out: tuple[str, ...] | None = None  # the texts the box was sized for
        self.caption = "loss" if is_loss else "output" if is_output else ""
        self._formula = formula

    def make_tip(self) -> str:
        tip = self._formula() + ("  (the network's output f)" if self.is_output else "")
        return tip + ("  (the loss)" if self.is_loss else "")

    def refresh(
        self, value: np.ndarray, opts: DisplayOptions, value_prefix: str, notes: list[str]
    ) -> bool:
        self.theme = opts.palette
        finite = style.all_finite(value)
        self.warning = not finite or bool(notes)
        self.notes = list(notes) + ([] if finite else ["non-finite value"])
        if self.show_value:
            inline = style.inline_text(value, opts)
            body = inline if inline is not None else "(…)"
            self.value_text = value_prefix + body
        key = (self.value_text, *self.notes)
        if key == self._laid_out:
            self.update()
            return False
        self._laid_out = key
        return self._layout()

    def _layout(self) -> bool:
        w = max(OP_MIN_W, style.text_width(self.label, style.NAME_PX, True) + 2 * OP_PAD_X)
        h = OP_H
        if self.show_value and self.value_text:
            w = max(w, style.text_width(self.value_text, style.LABEL_PX) + 2 * OP_PAD_X)
            h += style.line_height(style.LABEL_PX) + 2
        changed = (w, h) != (self.body.width(), self.body.height())
        caption = self._caption_extent(h) if self.caption else None
        self._set_geometry(w, h, caption, self._notes_extent(h))
        self.update()
        return changed

    def _caption_extent(self, h: float) -> Rect:
        """The caption's plate above a box ``h`` tall, ``(left, top, right, bottom)``:
        its text (lowest point :data:`CAPTION_GAP` above the box) with
        :data:`CAPTION_PAD` around it."""
        cm = style.metrics(style.CAPTION_PX)
        cw = style.text_width(self.caption, style.CAPTION_PX)
        pad = CAPTION_PAD
        top = -h / 2 - CAPTION_GAP - cm.height()
        return (-cw / 2 - 3 * pad, top - pad, cw / 2 + 3 * pad, top + cm.height() + pad)

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        t = self.theme
        if t is None:
            return
        lod = _lod(painter, option)
        fill = t.loss_fill if self.is_loss else t.node_fill
        self._paint_box(painter, fill, double=self.is_output, lod=lod)
        if lod * style.NAME_PX < 3:
            return
        nm = style.metrics(style.NAME_PX, True)
        margin = (OP_H - nm.height()) / 2
        top = self.body.top() + margin + nm.ascent()
        style.draw_centred(painter, self.label, style.NAME_PX, top, t.text, bold=True)
        if self.show_value and self.value_text:
            base = self.body.bottom() - margin - style.metrics(style.LABEL_PX).descent() + 2
            style.draw_centred(painter, self.value_text, style.LABEL_PX, base, t.value)
        if self.caption:
            if self._halos():  # a plate in the background colour: the canvas's dots stay behind
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(style.brush(t.background, HALO_ALPHA))
                left, top, right, bottom = self._caption_extent(self.body.height())
                painter.drawRoundedRect(QRectF(left, top, right - left, bottom - top), 4, 4)
            above = self.body.top() - CAPTION_GAP - style.metrics(style.CAPTION_PX).descent()
            style.draw_centred(painter, self.caption, style.CAPTION_PX, above, t.dim_text)
        self._paint_notes(painter)
