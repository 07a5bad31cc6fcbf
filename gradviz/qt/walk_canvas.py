"""One step of the backprop walk drawn on the canvas, and its sheet-style formula.

:class:`CanvasWalkOverlay` is what :meth:`GraphScene.set_walk_overlay` applies
after every refresh of the scene:

* a value written along an edge (``z = (2, 1, −3)``) shows only once its source is
  computed; a gradient (``∂l/∂z = …``) only once it is complete;
* nodes not computed yet are faded, and so are the edges into them; a loss or
  sink whose value is written inside its box reads ``l = ?`` until computed;
* the step is highlighted: a forward step rings the node computed and lights the
  edges it reads; a backward step lights the edge ``u → v`` the gradient crosses
  and rings ``v``, whose local Jacobian is multiplied.

Hidden labels are made transparent (opacity 0), not invisible, so the label
placement and the drawing's bounding rectangle are those of the full picture:
nothing moves from one step to the next, and every exported page has the same
size with the graph at the same place.
"""

from __future__ import annotations

from dataclasses import dataclass

import shiboken6
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from gradviz.engine.walk import BACKWARD, FORWARD, OP_SYMBOL, Edge, WalkStep
from gradviz.model.network import Network
from gradviz.qt.canvas.node_items import LeafNodeItem, NodeItem, OpNodeItem
from gradviz.qt.canvas.scene import GraphScene
from gradviz.qt.canvas.style import formula as node_formula
from gradviz.qt.canvas.style import pretty_name

#: Opacity of nodes (and the edges into them) whose value is not computed yet.
FADED = 0.3
#: The ring around the node of the step: this far outside its box, this thick.
RING_GAP, RING_WIDTH = 7.0, 5.0


@dataclass(frozen=True)
class WalkState:
    """What the canvas shows after step ``index`` (0-based) of ``total``: the nodes
    whose values and whose (complete) gradients are known, the node ringed and
    the edges lit (``(source, consumer, input position)``)."""

    index: int
    total: int
    phase: str
    values: frozenset[str]
    gradients: frozenset[str]
    ringed: str
    lit: frozenset[Edge]

    @classmethod
    def of(cls, step: WalkStep, total: int) -> WalkState:
        if step.phase == FORWARD:
            lit = frozenset((u, step.node, k) for k, u in enumerate(step.inputs))
        else:
            lit = frozenset([step.edge]) if step.edge is not None else frozenset()
        return cls(
            step.index, total, step.phase, step.known_values, step.known_gradients, step.node, lit
        )


def step_formula(net: Network, step: WalkStep) -> str:
    """The step's computation in the canvas's notation (ids with subscripts):
    ``z = P × E``, ``g = R(z)``; backward ``∂l/∂z = ∂l/∂g × J_R(z)``, with ``+=`` for
    one of several shares of a node feeding more than one node."""
    node = net.node(step.node)
    if step.phase == FORWARD:
        return node_formula(node.op, node.id, list(node.inputs), node.attrs)
    seed = net.loss if net.loss is not None else net.output
    s = pretty_name(seed or "f")
    u, v = pretty_name(step.source or ""), pretty_name(step.node)
    symbol = OP_SYMBOL.get(node.op) if len(node.inputs) == 1 else None
    jac = f"J_{symbol}({u})" if symbol else f"∂{v}/∂{u}"
    shares = sum(1 for n in net.nodes for x in n.inputs if x == step.source)
    op = "+=" if shares > 1 else "="
    return f"∂{s}/∂{u} {op} ∂{s}/∂{v} × {jac}"


def step_caption(net: Network, step: WalkStep, total: int) -> str:
    """``step 3 / 11: forward, z₂ = Q × g`` (steps counted from 1)."""
    return f"step {step.index + 1} / {total}: {step.phase}, {step_formula(net, step)}"


class WalkRing(QGraphicsItem):
    """A glowing ring around its parent node's box (drawn behind the box)."""

    def __init__(self) -> None:
        super().__init__()
        self.color = QColor("#f2a900")
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemStacksBehindParent, True)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)

    def _ring(self) -> QRectF:
        parent = self.parentItem()
        body = parent.body if isinstance(parent, NodeItem) else QRectF()
        return body.adjusted(-RING_GAP, -RING_GAP, RING_GAP, RING_GAP)

    def boundingRect(self) -> QRectF:
        pad = RING_WIDTH / 2 + 1
        return self._ring().adjusted(-pad, -pad, pad, pad)

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        glow = QColor(self.color)
        glow.setAlpha(200)
        painter.setPen(QPen(glow, RING_WIDTH))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRoundedRect(self._ring(), 12, 12)


class CanvasWalkOverlay:
    """Applies a :class:`WalkState` to a :class:`GraphScene` (see the module docstring)."""

    def __init__(self, state: WalkState) -> None:
        self.state = state
        self._ring: WalkRing | None = None

    def apply(self, scene: GraphScene) -> None:
        st = self.state
        for nid, item in scene.node_items.items():
            known = isinstance(item, LeafNodeItem) or nid in st.values
            item.setOpacity(1.0 if known else FADED)
            if isinstance(item, OpNodeItem) and item.show_value and not known:
                item.value_text = f"{pretty_name(nid)} = ?"
                item.update()
        for e in scene.edge_items:
            src, dst = e.src.node_id, e.dst.node_id
            e.value_label.setOpacity(1.0 if src in st.values else 0.0)
            e.grad_label.setOpacity(1.0 if src in st.gradients else 0.0)
            e.setOpacity(1.0 if dst in st.values else FADED)
            e.highlighted = (src, dst, e.slot) in st.lit
            e.update()
        self._place_ring(scene)

    def _place_ring(self, scene: GraphScene) -> None:
        target = scene.node_items.get(self.state.ringed)
        ring = self._ring
        if ring is None or not shiboken6.isValid(ring):
            ring = self._ring = WalkRing()
        ring.color = QColor(scene.theme.highlight)
        if target is None:
            if ring.scene() is not None:
                ring.scene().removeItem(ring)
            return
        if ring.parentItem() is not target:
            ring.setParentItem(target)
        ring.prepareGeometryChange()
        ring.update()

    def remove(self, scene: GraphScene) -> None:
        """Everything shown again, nothing highlighted, the ring gone."""
        for item in scene.node_items.values():
            item.setOpacity(1.0)
        for e in scene.edge_items:
            for part in (e, e.value_label, e.grad_label):
                part.setOpacity(1.0)
            e.highlighted = False
            e.update()
        ring = self._ring
        if ring is not None and shiboken6.isValid(ring) and ring.scene() is not None:
            ring.scene().removeItem(ring)
        self._ring = None


__all__ = [
    "BACKWARD",
    "FORWARD",
    "CanvasWalkOverlay",
    "WalkRing",
    "WalkState",
    "step_caption",
    "step_formula",
]
