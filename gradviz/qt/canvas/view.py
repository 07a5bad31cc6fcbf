"""The view onto a :class:`~gradviz.qt.canvas.scene.GraphScene`.

Zoom, pan and fit are :class:`~gradviz.qt.canvas.zoom_view.ZoomView`'s (the
wheel zooms about the cursor; Ctrl+= / Ctrl++ / Ctrl+- zoom, Ctrl+0 is 100 %,
F fits; dragging the background or with the middle button pans); over an
entry the wheel scrubs the entry instead. The background is the theme's, with
a faint dot grid that exports leave out.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QPoint, QPointF, QRect, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QKeyEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QPolygonF,
    QWheelEvent,
)
from PySide6.QtWidgets import QGraphicsView, QStyleOptionGraphicsItem, QWidget

from gradviz.qt.canvas.node_items import Entry, LeafNodeItem
from gradviz.qt.canvas.scene import GraphScene
from gradviz.qt.canvas.zoom_view import ZoomView

GRID = 40.0


class GraphView(ZoomView):
    """A zoomable, pannable view of a graph scene (see :class:`ZoomView`); the
    wheel over an editable entry scrubs it instead of zooming."""

    def __init__(self, scene: GraphScene, parent: QWidget | None = None) -> None:
        super().__init__(scene, parent)
        self._graph = scene
        self.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        # the dotted background is drawn once per zoom, pan or theme (the scene's
        # setBackgroundBrush resets the cache), not on every repaint of an edit
        self.setCacheMode(QGraphicsView.CacheModeFlag.CacheBackground)
        self.setToolTip("")
        scene.layoutChanged.connect(self._update_scene_rect)
        scene.rebuilt.connect(self.drawing_rebuilt)
        self._update_scene_rect()

    @property
    def graph_scene(self) -> GraphScene:
        return self._graph

    # -- zoom (see ZoomView) ------------------------------------------------------------
    def drawing_rect(self) -> QRectF:
        return self._graph.drawing_rect()

    def before_fit(self, rect: QRectF) -> None:
        self._update_scene_rect()

    def _update_scene_rect(self) -> None:
        """Room to pan: the drawing plus a viewport's worth (at the smallest zoom) around it."""
        rect = self._graph.drawing_rect()
        if rect.isEmpty():
            rect = QRectF(-200, -200, 400, 400)
        m = max(rect.width(), rect.height(), 800.0)
        self.setSceneRect(rect.adjusted(-m, -m, m, m))

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        lod = QStyleOptionGraphicsItem.levelOfDetailFromTransform(self.transform())
        self._graph.label_places.prepare(lod)  # a big drawing's labels are placed as they show
        super().paintEvent(event)

    # -- events ----------------------------------------------------------------------------
    def entry_at(self, pos: QPoint) -> tuple[LeafNodeItem, Entry] | None:
        """The node and entry under a viewport position, if any."""
        scene_pos = self.mapToScene(pos)
        for item in self.items(pos):
            if isinstance(item, LeafNodeItem):
                entry = item.entry_at(item.mapFromScene(scene_pos))
                return None if entry is None else (item, entry)
        return None

    def wheelEvent(self, event: QWheelEvent) -> None:
        delta = event.angleDelta().y() or event.angleDelta().x()
        hit = self.entry_at(event.position().toPoint()) if delta else None
        if hit is not None and self._graph.editable:
            coarse = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
            self._graph.scrub_entry(hit[0].node_id, hit[1].index, delta / 120.0, coarse)
            event.accept()
            return
        super().wheelEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self._graph.editor is not None and self._graph.focusItem() is not None:
            QGraphicsView.keyPressEvent(self, event)  # typing into the editor, not zooming
            return
        super().keyPressEvent(event)

    def drawBackground(self, painter: QPainter, rect: QRectF | QRect) -> None:
        rect = QRectF(rect)
        t = self._graph.theme
        painter.fillRect(rect, QColor(t.background))
        if self.zoom() * GRID < 16:  # dots closer than 16 px are noise
            return
        dot = QColor(t.grid)
        dot = dot.lighter(135) if dot.lightness() < 128 else dot.darker(112)
        pen = QPen(dot, 3.0)
        pen.setCosmetic(True)  # the same size at every zoom
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        painter.setPen(pen)
        x0 = math.floor(rect.left() / GRID) * GRID
        y0 = math.floor(rect.top() / GRID) * GRID
        nx = int((rect.right() - x0) / GRID) + 1
        ny = int((rect.bottom() - y0) / GRID) + 1
        painter.drawPoints(
            QPolygonF([QPointF(x0 + i * GRID, y0 + j * GRID) for j in range(ny) for i in range(nx)])
        )
