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

from PySide6.QtCore import QEvent, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QResizeEvent,
    QShowEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QFrame,
    QGraphicsScene,
    QGraphicsSceneHelpEvent,
    QGraphicsSceneMouseEvent,
    QGraphicsView,
    QToolTip,
    QWidget,
)

from gradviz.engine.paths import Path, PathSum
from gradviz.engine.scalar import ScalarGraph
from gradviz.qt.scalar_edges import EdgesItem
from gradviz.qt.scalar_items import ScalarNodeItem, ScalarStyle, display_name
from gradviz.qt.scalar_layout import EdgeKey, ScalarLayout, layout
from gradviz.qt.theme import DisplayOptions

MIN_ZOOM, MAX_ZOOM = 0.01, 6.0
FIT_MAX = 1.25
ZOOM_STEP = 1.25


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


class ScalarGraphView(QGraphicsView):
    """Zoom about the cursor, pan by dragging, F fits (also when a window-wide
    shortcut claims F: the view takes its own keys first)."""

    KEYS = (
        Qt.Key.Key_F,
        Qt.Key.Key_Plus,
        Qt.Key.Key_Equal,
        Qt.Key.Key_Minus,
        Qt.Key.Key_Underscore,
        Qt.Key.Key_0,
    )

    def __init__(self, scene: ScalarScene, parent: QWidget | None = None) -> None:
        super().__init__(scene, parent)
        self._scalars = scene
        self._auto_fit = True
        self._press_scroll = (0, 0)
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.SmartViewportUpdate)
        self.setOptimizationFlag(QGraphicsView.OptimizationFlag.DontSavePainterState)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        scene.rebuilt.connect(self._rebuilt)

    def zoom(self) -> float:
        return float(self.transform().m11())

    def set_zoom(self, factor: float, anchor: QPointF | None = None) -> None:
        """Zoom to ``factor`` (1 %…600 %) keeping ``anchor`` (scene) in place."""
        self._auto_fit = False
        factor = min(MAX_ZOOM, max(MIN_ZOOM, factor))
        ratio = factor / self.zoom()
        if abs(ratio - 1) < 1e-9:
            return
        old = self.transformationAnchor()
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.NoAnchor)
        target = anchor if anchor is not None else self.mapToScene(self.viewport().rect().center())
        screen = self.mapFromScene(target)
        self.scale(ratio, ratio)
        moved = self.mapToScene(screen) - target
        self.centerOn(self.mapToScene(self.viewport().rect().center()) - moved)
        self.setTransformationAnchor(old)

    def fit(self) -> None:
        """The whole graph, at most at 125 %; re-fits on resize until the user zooms."""
        rect = self._scalars.drawing_rect()
        if rect.isEmpty():
            return
        rect = rect.adjusted(-20, -20, 20, 20)
        m = max(rect.width(), rect.height())
        self.setSceneRect(rect.adjusted(-m, -m, m, m))
        self.fitInView(rect, Qt.AspectRatioMode.KeepAspectRatio)
        if self.zoom() > FIT_MAX:
            self.set_zoom(FIT_MAX)
            self.centerOn(rect.center())
        self._auto_fit = True

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
            if self.zoom() < MIN_ZOOM:
                self.set_zoom(MIN_ZOOM)

    def _rebuilt(self) -> None:
        self._auto_fit = True
        if self.isVisible():
            self.fit()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        super().showEvent(event)
        if self._auto_fit:
            self.fit()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        super().resizeEvent(event)
        if self._auto_fit and self.isVisible():
            self.fit()

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802
        delta = event.angleDelta().y() or event.angleDelta().x()
        if not delta:
            event.ignore()
            return
        self.set_zoom(self.zoom() * (1.0015**delta), self.mapToScene(event.position().toPoint()))
        event.accept()

    def event(self, event: QEvent) -> bool:
        # the main window binds F to "fit the canvas": here F fits this view
        if (
            event.type() == QEvent.Type.ShortcutOverride
            and isinstance(event, QKeyEvent)
            and event.key() in self.KEYS
        ):
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        key, mods = event.key(), event.modifiers()
        ctrl = bool(mods & Qt.KeyboardModifier.ControlModifier)
        if ctrl and key in (Qt.Key.Key_Plus, Qt.Key.Key_Equal):
            self.set_zoom(self.zoom() * ZOOM_STEP)
        elif ctrl and key in (Qt.Key.Key_Minus, Qt.Key.Key_Underscore):
            self.set_zoom(self.zoom() / ZOOM_STEP)
        elif ctrl and key == Qt.Key.Key_0:
            self.set_zoom(1.0)
        elif key == Qt.Key.Key_F and not (mods & ~Qt.KeyboardModifier.KeypadModifier):
            self.fit()
        else:
            super().keyPressEvent(event)
            return
        event.accept()

    def _scroll(self) -> tuple[int, int]:
        return self.horizontalScrollBar().value(), self.verticalScrollBar().value()

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        self._press_scroll = self._scroll()
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        super().mouseMoveEvent(event)
        if event.buttons() == Qt.MouseButton.NoButton:  # a box is clickable: say so
            over = self._scalars.item_at(self.mapToScene(event.position().toPoint()))
            shape = Qt.CursorShape.PointingHandCursor if over else Qt.CursorShape.OpenHandCursor
            if self.viewport().cursor().shape() != shape:
                self.viewport().setCursor(shape)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        super().mouseReleaseEvent(event)
        if self._scroll() != self._press_scroll:  # the background was dragged: a pan
            self._auto_fit = False
