"""The graph scene: the whole network of a :class:`~gradviz.model.document.Document`.

It subscribes to the document and keeps itself current: a ``values`` change
rewrites the texts of the existing items in place (no rebuild: an edit is
repainted within one frame), ``positions`` moves nodes, ``structure`` and
``display`` rebuild. With an undo stack the scene is interactive: nodes drag
(one :class:`~gradviz.qt.undo.MoveNodesCommand` per drag), entries are edited by
double-click or scrubbed, each change one command on the stack. Without one it
is a read-only picture, as used for export.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Protocol

import shiboken6
from PySide6.QtCore import QPoint, QPointF, QRect, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QUndoStack
from PySide6.QtWidgets import (
    QGraphicsProxyWidget,
    QGraphicsScene,
    QGraphicsSceneContextMenuEvent,
    QWidget,
)

from gradviz.engine.evaluate import Evaluation
from gradviz.model import layout
from gradviz.model.document import Change, Document
from gradviz.qt.canvas import build, layers, paths, placement, style
from gradviz.qt.canvas.edge_items import EdgeItem
from gradviz.qt.canvas.editing import SceneEditing
from gradviz.qt.canvas.entry_editor import EntryEditor
from gradviz.qt.canvas.label_places import LabelPlaces
from gradviz.qt.canvas.layers import Layer, to_qrect, union
from gradviz.qt.canvas.node_base import HALO_ALPHA
from gradviz.qt.canvas.node_items import LeafNodeItem, NodeItem
from gradviz.qt.theme import DisplayOptions, Theme

#: Stacking: edge lines under the nodes (at the default z, 0), labels above them.
EDGE_Z, LABEL_Z = -1.0, 2.0


class WalkOverlay(Protocol):
    """A backprop walk's state on the canvas (see :mod:`gradviz.qt.walk_canvas`)."""

    def apply(self, scene: GraphScene) -> None: ...
    def remove(self, scene: GraphScene) -> None: ...


class GraphScene(SceneEditing, QGraphicsScene):
    """The network drawn as the sheet draws it. See the module docstring."""

    nodeSelected = Signal(str)
    entrySelected = Signal(str, object)
    statusMessage = Signal(str)
    #: Nodes were built or moved: views update their scrollable area.
    layoutChanged = Signal()
    #: The whole drawing was rebuilt (another network, a structural edit).
    rebuilt = Signal()
    #: Right-click: ``("node", id)``, ``("edge", src, dst)`` or None, and the screen point.
    contextMenuRequested = Signal(object, QPoint)

    def __init__(
        self,
        doc: Document,
        options: DisplayOptions | None = None,
        undo_stack: QUndoStack | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.doc = doc
        self._options = options if options is not None else DisplayOptions()
        self.undo_stack = undo_stack
        self.node_items: dict[str, NodeItem] = {}
        self.edge_items: list[EdgeItem] = []
        #: Every edge line (under the nodes) and every edge label (above everything).
        self.edge_layer = Layer(EDGE_Z)
        self.label_layer = Layer(LABEL_Z)
        self._auto: dict[str, tuple[float, float]] = {}
        self._xs: dict[int, float] = {}
        self._row = style.ROW_SPACING
        #: How far the labels are placed (a big drawing's, as they first show); one
        #: per build, made with the build's layers.
        self.label_places = LabelPlaces(self.label_layer, self.node_items, self.edge_items)
        self._succ: dict[str, list[str]] = {}
        self._pred: dict[str, list[str]] = {}
        self._highlight: int | None = None
        self._visible: set[str] | None = None
        self._walk: WalkOverlay | None = None
        self.exporting = False
        self._transparent = False
        self.editor: EntryEditor | None = None
        self._editor_proxy: QGraphicsProxyWidget | None = None
        self._spare_editor: tuple[EntryEditor, QGraphicsProxyWidget] | None = None
        self._press: dict[str, QPointF] = {}
        self._selected = ""
        self._quiet = False
        self._unsubscribe = doc.subscribe(self._on_change)
        self.selectionChanged.connect(self._on_selection_changed)
        self._apply_background()
        self.rebuild()

    # -- public API ------------------------------------------------------------------
    @property
    def editable(self) -> bool:
        return self.undo_stack is not None

    @property
    def options(self) -> DisplayOptions:
        return self._options

    @property
    def theme(self) -> Theme:
        return self._options.palette

    def set_options(self, options: DisplayOptions) -> None:
        """Exact or decimal, digits, values/gradients shown, theme: re-drawn in place."""
        self._options = options
        self._apply_background()
        if self.editor is not None:
            self.editor.theme = options.palette
            self.editor.set_invalid(self.editor.invalid)
        self.refresh_values()
        self.update()

    @property
    def halos(self) -> bool:
        """Whether labels and captions sit on a plate of the background colour
        (always, but in a transparent export)."""
        return not (self.exporting and self._transparent)

    def drawing_rect(self) -> QRectF:
        """The bounding rectangle of everything drawn (visible nodes, edges, labels;
        labels not placed yet count for nothing)."""
        rect = placement.node_rect
        bounds = layers.bounds([rect(n) for n in self.node_items.values() if n.isVisible()])
        for layer in (self.edge_layer, self.label_layer):
            part = None if layer.pending else layer.drawing_rect()
            if part is not None:
                bounds = union(bounds, part)
        return QRectF() if bounds is None else to_qrect(bounds)

    def select_node(self, node_id: str | None) -> None:
        """Select one node (None or an unknown id: nothing); emits ``nodeSelected``."""
        self.clearSelection()
        item = self.node_items.get(node_id or "")
        if item is not None:
            item.setSelected(True)

    def highlight_parameter(self, theta_index: int | None) -> None:
        """Highlight Θ's entry number ``theta_index`` (0-based) on its node and every
        edge on a path from that parameter to the output or the loss; None clears."""
        self._highlight = theta_index
        self._apply_highlight()

    def set_visible_nodes(self, node_ids: Iterable[str] | None) -> None:
        """Show only these nodes and the edges between them (None: everything)."""
        self._visible = None if node_ids is None else set(node_ids)
        self._apply_visibility()
        self._place_edges()

    def set_walk_overlay(self, overlay: WalkOverlay | None) -> None:
        """Show one step of the backprop walk: ``overlay.apply(scene)`` hides what is
        not yet known and highlights the step, again after every refresh; None
        ends the walk and shows everything."""
        if self._walk is not None and self._walk is not overlay:
            self._walk.remove(self)
        self._walk = overlay
        self.refresh_values()

    def detach(self) -> None:
        """Stop following the document (the scene keeps what it shows)."""
        self._unsubscribe()

    @contextmanager
    def export_mode(self, transparent: bool = False) -> Iterator[None]:
        """While drawing an export: no selection, hover or editor; no background and
        no halos behind labels when ``transparent``."""
        saved = (self.exporting, self._transparent)
        self.exporting, self._transparent = True, transparent
        proxy_visible = self._editor_proxy is not None and self._editor_proxy.isVisible()
        if self._editor_proxy is not None:
            self._editor_proxy.setVisible(False)
        self._apply_background()
        if transparent:
            self.refresh_values()
        try:
            yield
        finally:
            self.exporting, self._transparent = saved
            if self._editor_proxy is not None:
                self._editor_proxy.setVisible(proxy_visible)
            self._apply_background()
            if transparent:
                self.refresh_values()

    # -- building ----------------------------------------------------------------------
    def rebuild(self) -> None:
        """Throw every item away and draw the document's network anew."""
        self.close_editor()
        self._quiet = True
        try:
            self.clear()
            self.node_items.clear()
            self.edge_items.clear()
            self.edge_layer, self.label_layer = Layer(EDGE_Z), Layer(LABEL_Z)
            with build.paused_gc(), self.edge_layer.batch(), self.label_layer.batch():
                self._build()
            self.addItem(self.edge_layer)
            self.addItem(self.label_layer)
            if self._selected in self.node_items:
                self.node_items[self._selected].setSelected(True)
        finally:
            self._quiet = False
        self._on_selection_changed()
        self.layoutChanged.emit()
        self.rebuilt.emit()

    def _build(self) -> None:
        """Items for every node and edge, their texts, the spread layout, the labels placed."""
        net = self.doc.network
        self._succ = {n.id: [] for n in net.nodes}
        self._pred = {n.id: list(n.inputs) for n in net.nodes}
        for n in net.nodes:
            for src in n.inputs:
                self._succ[src].append(n.id)
        self._auto = layout.layered_layout(net)
        ev = self.doc.evaluation
        self.node_items.update(build.make_nodes(net, ev, self._succ, self.editable))
        self.edge_items.extend(
            build.make_edges(net, self.node_items, self._succ, self.edge_layer, self.label_layer)
        )
        self.label_places = LabelPlaces(self.label_layer, self.node_items, self.edge_items)
        self._refresh(ev, place=False)
        columns = {nid: round(x / layout.COLUMN_SPACING) for nid, (x, _) in self._auto.items()}
        self._xs = placement.column_positions(columns, self.node_items, self.edge_items)
        self._row = placement.row_spacing(self.edge_items)
        placed = placement.canvas_layout(
            ((n.id, n.pos) for n in net.nodes), self._auto, self._xs, self._row
        )
        for nid, (x, y) in placed.items():
            item = self.node_items[nid]
            item.setPos(x, y)
            self.addItem(item)
        self._place_edges()

    def refresh_values(self) -> None:
        """Rewrite every number in place from the document's (cached) evaluation."""
        with build.paused_gc():
            self._refresh(self.doc.evaluation)

    def _refresh(self, ev: Evaluation, place: bool = True) -> None:
        opts = self._options
        t = opts.palette
        halo = style.color(t.background, HALO_ALPHA) if self.halos else None
        target = self._highlight_target()
        build.refresh_nodes(self.node_items, ev, opts, self._pred, target)
        build.refresh_edges(self.edge_items, ev, opts, halo)
        on_path = paths.on_path(self.doc.network, target, self._succ, self._pred)
        for e in self.edge_items:
            e.highlighted = on_path(e.src.node_id, e.dst.node_id)
        self._apply_visibility()
        if place:
            self._place_edges(sticky=True)
        if self._walk is not None:
            self._walk.apply(self)

    def _place_edges(self, sticky: bool = False) -> None:
        """Re-anchor every edge and place the labels again as far as they were
        placed (see :mod:`label_places`; ``sticky``: each where it was, if that
        still covers nothing)."""
        at = placement.positions(self.node_items.values())
        for e in self.edge_items:
            e.adjust(labels=False, at=at)
        self.label_places.again(sticky, at)

    def render(
        self,
        painter: QPainter,
        target: QRectF | QRect = QRectF(),  # noqa: B008  (Qt's own defaults)
        source: QRectF | QRect = QRectF(),  # noqa: B008
        aspectRatioMode: Qt.AspectRatioMode = Qt.AspectRatioMode.KeepAspectRatio,  # noqa: N803
    ) -> None:
        """``QGraphicsScene.render``, the labels placed first as far as they show at
        that scale (see :mod:`label_places`)."""
        mode = aspectRatioMode
        if not self.label_places.final:
            self.label_places.prepare(layers.render_lod(painter, target, source, self, mode))
        super().render(painter, target, source, mode)

    def _apply_background(self) -> None:
        if self.exporting and self._transparent:
            self.setBackgroundBrush(Qt.BrushStyle.NoBrush)
        else:
            self.setBackgroundBrush(QColor(self.theme.background))

    def _apply_visibility(self) -> None:
        vis = self._visible
        opts = self._options
        for nid, item in self.node_items.items():
            item.setVisible(vis is None or nid in vis)
        values = opts.show_values
        grads = opts.show_gradients and self.doc.network.loss is not None
        for e in self.edge_items:
            shown = vis is None or (e.src.node_id in vis and e.dst.node_id in vis)
            e.setVisible(shown)
            e.value_label.setVisible(shown and values)
            e.grad_label.setVisible(shown and grads and e.grad_label.has_text)

    def contextMenuEvent(self, event: QGraphicsSceneContextMenuEvent) -> None:  # noqa: N802
        if not self.editable or self.exporting:
            event.ignore()
            return
        target = self.target_at(event.scenePos())
        if event.reason() == QGraphicsSceneContextMenuEvent.Reason.Keyboard and self._selected:
            target = ("node", self._selected)  # the menu key: the selected node's menu
        self.contextMenuRequested.emit(target, event.screenPos())
        event.accept()

    def target_at(self, pos: QPointF) -> tuple[str, ...] | None:
        """What a right-click at ``pos`` means: the node there, else the edge whose
        line (within 5 units) or value/gradient label is there, else None."""
        for item in self.items(pos):
            if isinstance(item, NodeItem) and item.isVisible():
                return ("node", item.node_id)
        self.label_places.ensure()
        e = build.edge_at(self.edge_items, pos.x(), pos.y(), 5.0)
        return None if e is None else ("edge", e.src.node_id, e.dst.node_id)

    # -- document changes -----------------------------------------------------------------
    def _on_change(self, change: Change) -> None:
        if not shiboken6.isValid(self):  # the scene was deleted without detach()
            self._unsubscribe()
            return
        if change.kind == "values":
            self.refresh_values()
        elif change.kind == "positions":
            self._apply_positions(change.nodes)
        else:
            self.rebuild()

    def position_of(self, node_id: str) -> tuple[float, float]:
        """Where a node stands: its saved position, else the spread layered layout."""
        node = self.doc.network.node(node_id)
        return placement.canvas_layout([(node_id, node.pos)], self._auto, self._xs, self._row)[
            node_id
        ]

    def _apply_positions(self, node_ids: Iterable[str]) -> None:
        ids = list(node_ids) or list(self.node_items)
        for nid in ids:
            item = self.node_items.get(nid)
            if item is not None:
                x, y = self.position_of(nid)
                if item.pos() != QPointF(x, y):
                    item.setPos(x, y)
        self._place_edges()
        self.layoutChanged.emit()

    # -- selection and highlight -----------------------------------------------------------
    def _on_selection_changed(self) -> None:
        if self._quiet or not shiboken6.isValid(self):
            return
        sel = [it.node_id for it in self.selectedItems() if isinstance(it, NodeItem)]
        nid = sel[0] if sel else ""
        if nid != self._selected:
            self._selected = nid
            self.nodeSelected.emit(nid)

    def _highlight_target(self) -> tuple[str, tuple[int, ...]] | None:
        return self.doc.network.theta_entry(self._highlight)

    def _apply_highlight(self) -> None:
        target = self._highlight_target()
        for nid, item in self.node_items.items():
            if isinstance(item, LeafNodeItem):
                for idx, entry in item.entries.items():
                    want = target is not None and target == (nid, idx)
                    if entry.highlighted != want:
                        entry.highlighted = want
                        item.update()
        on_path = paths.on_path(self.doc.network, target, self._succ, self._pred)
        for e in self.edge_items:
            want = on_path(e.src.node_id, e.dst.node_id)
            if e.highlighted != want:
                e.highlighted = want
                e.update()
        if self._walk is not None:
            self._walk.apply(self)
