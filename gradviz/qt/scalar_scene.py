"""The scalar view's scene and view: every scalar operation of the network as a
box, laid out left to right (:mod:`gradviz.qt.scalar_layout`).

:class:`ScalarScene` builds its items from a
:class:`~gradviz.engine.scalar.ScalarGraph`, rewrites numbers in place after an
edit that keeps the graph's shape (:meth:`ScalarScene.update_values`), and shows
a :class:`~gradviz.engine.paths.PathSum` by highlighting its paths
(:meth:`ScalarScene.show_paths`). A click on a box emits ``scalarClicked(id)``.
:class:`ScalarGraphView` zooms (wheel, Ctrl+= / Ctrl+- / Ctrl+0), pans (drag) and
fits (F) like the main canvas, down to the 1 % a 1,000-scalar network needs.
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QMouseEvent,
)
from PySide6.QtWidgets import (
    QGraphicsScene,
    QGraphicsSceneHelpEvent,
    QGraphicsSceneMouseEvent,
    QGraphicsView,
    QToolTip,
    QWidget,
)

from gradviz.engine.paths import Path, PathSum
from gradviz.engine.scalar import ScalarGraph
from gradviz.qt.canvas.zoom_view import ZoomView
from gradviz.qt.scalar_edges import EdgesItem
from gradviz.qt.scalar_items import TEXT_LOD, ScalarNodeItem, ScalarStyle, display_name
from gradviz.qt.scalar_layout import EdgeKey, ScalarLayout, layout
from gradviz.qt.theme import DisplayOptions


def structure_of(graph: ScalarGraph) -> tuple[tuple[str, tuple[int, ...]], ...]:
    """What the drawing depends on: each scalar's kind and input ids."""
    return tuple((n.kind, tuple(e.source for e in n.inputs)) for n in graph.nodes)


class ScalarScene(QGraphicsScene):
    """The expanded graph drawn micrograd-style. See the module docstring."""

    scalarClicked = Signal(int)
    #: Items were built anew (another graph): views fit again.
    rebuilt = Signal()

    def __init__(
        self, options: DisplayOptions | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.style_ = ScalarStyle(options or DisplayOptions())
        self.setItemIndexMethod(QGraphicsScene.ItemIndexMethod.BspTreeIndex)
        self.graph: ScalarGraph | None = None
        self.layout: ScalarLayout | None = None
        self.node_items: list[ScalarNodeItem] = []
        self.edges = EdgesItem(self.style_)
        self.addItem(self.edges)
        self.paths: PathSum | None = None
        self.focus_path: int | None = None
        self._structure: tuple[tuple[str, tuple[int, ...]], ...] = ()
        self._marked: set[int] = set()
        self.setBackgroundBrush(QColor(self.style_.theme.background))

    # -- building --------------------------------------------------------------------
    def set_graph(self, graph: ScalarGraph) -> bool:
        """Show ``graph``. A graph of the same shape only has its numbers rewritten
        (positions stay); returns True when the items were built anew."""
        shape = structure_of(graph)
        if self.graph is not None and shape == self._structure:
            self.graph = graph
            self.update_values(graph)
            return False
        self.graph, self._structure = graph, shape
        for item in self.node_items:
            self.removeItem(item)
        st = self.style_
        names = [display_name(n.name) for n in graph.nodes]
        body = st.body_width()
        widths = [st.width_of(n, name, body) for n, name in zip(graph.nodes, names, strict=True)]
        self.layout = lay = layout(graph, widths, st.height)
        items = []
        for n in graph.nodes:
            item = ScalarNodeItem(n, st, widths[n.id], names[n.id])
            item.setPos(lay.x[n.id], lay.y[n.id])
            self.addItem(item)
            items.append(item)
        self.node_items = items
        self.edges.set_graph(graph, lay, widths, st.height)
        self.paths, self.focus_path = None, None
        self._marked = set()
        self._apply_states()
        self.rebuilt.emit()
        return True

    def update_values(self, graph: ScalarGraph) -> None:
        """New values, gradients and partials on the same boxes and edges."""
        for item, n in zip(self.node_items, graph.nodes, strict=True):
            item.set_numbers(n.value, n.grad)
        self.edges.set_partials(graph)

    def set_options(self, options: DisplayOptions) -> None:
        """Exact/decimals, digits, theme: numbers re-formatted, colours re-read; more
        digits widen the boxes (a new layout, without a highlight)."""
        wider = options.digits != self.style_.options.digits
        self.style_.set_options(options)
        self.setBackgroundBrush(QColor(self.style_.theme.background))
        if self.graph is not None and wider:
            self._structure = ()
            self.set_graph(self.graph)
        elif self.graph is not None:
            self.edges.set_partials(self.graph)
        self.update()

    def drawing_rect(self) -> QRectF:
        """Everything drawn: boxes and edges."""
        rect = self.edges.sceneBoundingRect()
        for item in (self.node_items[0], self.node_items[-1]) if self.node_items else ():
            rect = rect.united(item.sceneBoundingRect())
        lay = self.layout
        if lay is not None and self.node_items:
            h = self.style_.height
            top, bottom = min(lay.y) - h / 2, max(lay.y) + h / 2
            left = lay.column_x[0] - lay.column_width[0] / 2
            right = lay.column_x[-1] + lay.column_width[-1] / 2
            rect = rect.united(QRectF(left, top, right - left, bottom - top))
        return rect

    # -- highlighting ----------------------------------------------------------------------
    def show_paths(self, paths: PathSum | None, focus: int | None = None) -> None:
        """Highlight every listed path of ``paths`` (None: clear); ``focus`` picks one
        listed path to stand out alone."""
        self.paths, self.focus_path = paths, focus
        self._apply_states()

    def focused_paths(self) -> list[Path]:
        """The paths drawn highlighted: all listed ones, or the focused one."""
        if self.paths is None:
            return []
        if self.focus_path is not None and 0 <= self.focus_path < len(self.paths.paths):
            return [self.paths.paths[self.focus_path]]
        return list(self.paths.paths)

    def mark_scalars(self, ids: Iterable[int]) -> None:
        """Outline these scalars (the tensor selected on the canvas)."""
        self._marked = set(ids)
        for item in self.node_items:
            want = item.scalar_id in self._marked
            if item.marked != want:
                item.marked = want
                item.update()

    def _apply_states(self) -> None:
        shown = self.focused_paths()
        nodes = {n for p in shown for n in p.nodes}
        edges: set[EdgeKey] = {e for p in shown for e in p.edges}
        ends = set() if self.paths is None else {self.paths.of, self.paths.wrt}
        active = bool(shown) or self.paths is not None
        for item in self.node_items:
            i = item.scalar_id
            state = (
                i in nodes,
                i in ends,
                active and i not in nodes and i not in ends,
                i in self._marked,
            )
            if (item.on_path, item.endpoint, item.dimmed, item.marked) != state:
                item.on_path, item.endpoint, item.dimmed, item.marked = state
                item.update()
        self.edges.set_highlight(edges)

    # -- events --------------------------------------------------------------------------
    def item_at(self, pos: QPointF) -> ScalarNodeItem | None:
        for item in self.items(pos):
            if isinstance(item, ScalarNodeItem):
                return item
        return None

    def mousePressEvent(self, event: QGraphicsSceneMouseEvent) -> None:  # noqa: N802
        item = self.item_at(event.scenePos())
        if item is not None and event.button() == Qt.MouseButton.LeftButton:
            self.scalarClicked.emit(item.scalar_id)
            event.accept()
            return
        super().mousePressEvent(event)

    def helpEvent(self, event: QGraphicsSceneHelpEvent) -> None:  # noqa: N802
        item = self.item_at(event.scenePos())
        if item is None:
            QToolTip.hideText()
            return
        QToolTip.showText(event.screenPos(), item.tooltip())


class ScalarGraphView(ZoomView):
    """Zoom about the cursor, pan by dragging, F fits (:class:`ZoomView`; also when
    a window-wide shortcut claims F: the view takes its own keys first).

    A drawing too tall to read when fitted whole (a wide layer expands to a
    column of hundreds of boxes; below ``TEXT_LOD`` the boxes hide their text)
    is fitted to the width instead, at most at
    ``FIT_MAX`` and at least whole, showing the middle of the drawing, where
    the inputs and the loss stand: zoom ``= min(FIT_MAX, max(whole, width fit))``.
    """

    MIN_ZOOM = 0.01  # a 1,000-scalar network
    MAX_ZOOM = 6.0
    FIT_MAX = 1.25
    FIT_MARGIN = 20.0
    CLAIMS_KEYS = True

    def __init__(self, scene: ScalarScene, parent: QWidget | None = None) -> None:
        super().__init__(scene, parent)
        self._scalars = scene
        self.setOptimizationFlag(QGraphicsView.OptimizationFlag.DontSavePainterState)
        scene.rebuilt.connect(self._rebuilt)

    def drawing_rect(self) -> QRectF:
        return self._scalars.drawing_rect()

    def before_fit(self, rect: QRectF) -> None:
        m = max(rect.width(), rect.height())
        self.setSceneRect(rect.adjusted(-m, -m, m, m))

    def place_fitted(self, rect: QRectF) -> None:
        vp = self.viewport().rect()
        whole = min(vp.width() / rect.width(), vp.height() / rect.height())
        if whole >= TEXT_LOD:  # the boxes' text is drawn: show it all
            super().place_fitted(rect)
            return
        zoom = min(self.FIT_MAX, max(whole, vp.width() / rect.width(), self.MIN_ZOOM))
        self.resetTransform()
        self.scale(zoom, zoom)
        self.centerOn(rect.center())

    def focus_on(self, rect: QRectF) -> None:
        """Bring ``rect`` (scene) into view, zoomed so that text is readable."""
        self._auto_fit = False
        if self.zoom() < 0.6:
            self.set_zoom(0.8)
        vw = self.viewport().width() / self.zoom()
        vh = self.viewport().height() / self.zoom()
        if rect.width() <= vw and rect.height() <= vh:
            self.centerOn(rect.center())
        else:
            self.fitInView(rect.adjusted(-30, -30, 30, 30), Qt.AspectRatioMode.KeepAspectRatio)
            if self.zoom() < self.MIN_ZOOM:
                self.set_zoom(self.MIN_ZOOM)

    def _rebuilt(self) -> None:
        """Another graph: fit it, however the last one was zoomed."""
        self._auto_fit = True
        self.drawing_rebuilt()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        super().mouseMoveEvent(event)
        if event.buttons() == Qt.MouseButton.NoButton:  # a box is clickable: say so
            over = self._scalars.item_at(self.mapToScene(event.position().toPoint()))
            shape = Qt.CursorShape.PointingHandCursor if over else Qt.CursorShape.OpenHandCursor
            if self.viewport().cursor().shape() != shape:
                self.viewport().setCursor(shape)
