"""Shared helpers for the canvas tests: open exercise3 in a shown view and find items."""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QUndoStack, QWheelEvent
from PySide6.QtWidgets import QApplication

import gradviz
from gradviz.model.document import Document
from gradviz.qt.canvas import GraphScene, GraphView
from gradviz.qt.canvas.edge_items import EdgeItem
from gradviz.qt.canvas.node_items import LeafNodeItem
from gradviz.qt.theme import DisplayOptions


@dataclass
class Canvas:
    doc: Document
    stack: QUndoStack
    scene: GraphScene
    view: GraphView
    messages: list[str] = field(default_factory=list)
    selected: list[str] = field(default_factory=list)
    entries: list[tuple[str, object]] = field(default_factory=list)

    def edge(self, src: str, dst: str) -> EdgeItem:
        return next(
            e for e in self.scene.edge_items if e.src.node_id == src and e.dst.node_id == dst
        )

    def value_text(self, src: str, dst: str) -> str:
        return self.edge(src, dst).value_label.text

    def grad_text(self, src: str, dst: str) -> str:
        return self.edge(src, dst).grad_label.text

    def leaf(self, node_id: str) -> LeafNodeItem:
        item = self.scene.node_items[node_id]
        assert isinstance(item, LeafNodeItem)
        return item

    def entry_point(self, node_id: str, index: tuple[int, ...]) -> QPoint:
        """Viewport coordinates of the centre of one entry."""
        leaf = self.leaf(node_id)
        return self.view.mapFromScene(leaf.mapToScene(leaf.entries[index].rect.center()))

    def node_point(self, node_id: str, dy: float = 0.0) -> QPoint:
        item = self.scene.node_items[node_id]
        return self.view.mapFromScene(item.pos() + QPointF(0, dy))


def open_canvas(
    qtbot: object, options: DisplayOptions | None = None, editable: bool = True
) -> Canvas:
    doc = Document(gradviz.load("exercise3"))
    stack = QUndoStack()
    scene = GraphScene(doc, options or DisplayOptions(), stack if editable else None)
    view = GraphView(scene)
    qtbot.addWidget(view)  # type: ignore[attr-defined]
    view.resize(1500, 700)
    view.show()
    qtbot.waitExposed(view)  # type: ignore[attr-defined]
    view.fit()
    c = Canvas(doc, stack, scene, view)
    scene.statusMessage.connect(c.messages.append)
    scene.nodeSelected.connect(c.selected.append)
    scene.entrySelected.connect(lambda nid, idx: c.entries.append((nid, idx)))
    return c


def wheel(
    view: GraphView,
    pos: QPoint,
    delta: int,
    modifiers: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier,
) -> None:
    """One wheel turn of ``delta`` eighths of a degree (120 = one notch) at a viewport point."""
    vp = view.viewport()
    event = QWheelEvent(
        QPointF(pos),
        QPointF(vp.mapToGlobal(pos)),
        QPoint(0, 0),
        QPoint(0, delta),
        Qt.MouseButton.NoButton,
        modifiers,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(vp, event)


def overlaps(scene: GraphScene) -> list[tuple[str, str]]:
    """Pairs of visible nodes and labels whose boxes intersect (should be none)."""
    boxes = [(f"node {n}", it.sceneBoundingRect()) for n, it in scene.node_items.items()]
    for e in scene.edge_items:
        for lab in (e.value_label, e.grad_label):
            if lab.isVisible():
                boxes.append((lab.text, lab.sceneBoundingRect()))
    return [
        (a, b) for i, (a, ra) in enumerate(boxes) for b, rb in boxes[i + 1 :] if ra.intersects(rb)
    ]
