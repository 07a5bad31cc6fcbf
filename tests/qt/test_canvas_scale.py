"""A big network stays cheap to draw: one graphics item per node plus two layers
(every edge line, every edge label), labels still placed apart, the layers
never in the way of the mouse, and far-zoomed paints that skip what cannot be
seen. Speed itself is measured in ``bench/bench_canvas.py``."""

from __future__ import annotations

import sys
from pathlib import Path

from canvas_support import open_canvas, overlaps
from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor, QImage, QPainter

import gradviz
from gradviz.engine.exact import format_scalar
from gradviz.model.document import Document
from gradviz.qt.canvas import GraphScene
from gradviz.qt.canvas.layers import Layer
from gradviz.qt.theme import LIGHT

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from bench_canvas import ladder  # noqa: E402


def test_a_300_node_ladder_is_one_item_per_node_and_two_layers(qtbot) -> None:
    net = ladder(300)
    scene = GraphScene(Document(net))
    layers = [it for it in scene.items() if isinstance(it, Layer)]
    assert len(scene.items()) == len(net.nodes) + 2 and len(layers) == 2
    node_z = {item.zValue() for item in scene.node_items.values()}
    assert scene.edge_layer.zValue() < min(node_z) and max(node_z) < scene.label_layer.zValue()
    edges = sum(len(n.inputs) for n in net.nodes)
    assert len(scene.edge_items) == edges
    assert len(scene.edge_layer.parts) == edges and len(scene.label_layer.parts) == 2 * edges
    assert overlaps(scene) == []
    f = gradviz.evaluate(net).values["f"]
    shown = ", ".join(format_scalar(x, unicode_minus=True) for x in f)
    assert scene.edge_items[-1].value_label.text == f"f = ({shown})"  # the engine's numbers
    scene.detach()


def test_the_layers_stay_out_of_the_mouses_way(qtbot) -> None:
    c = open_canvas(qtbot)
    label = c.edge("z", "g").value_label
    middle = label.sceneBoundingRect().center()
    assert not [it for it in c.scene.items(middle) if isinstance(it, Layer)]
    assert c.scene.target_at(middle) == ("edge", "z", "g")  # the label still names its edge
    line = c.edge("g", "z2").line()
    assert c.scene.target_at(line.pointAt(0.5)) == ("edge", "g", "z2")
    assert c.scene.target_at(c.scene.node_items["g"].pos()) == ("node", "g")


def test_hidden_and_faded_parts_are_repainted_where_they_are(qtbot) -> None:
    c = open_canvas(qtbot)
    e = c.edge("z", "g")
    before = c.scene.drawing_rect()
    e.value_label.setVisible(False)
    assert not e.value_label.isVisible() and c.scene.drawing_rect().height() <= before.height()
    e.value_label.setVisible(True)
    e.setOpacity(0.3)
    assert e.opacity() == 0.3
    image = QImage(800, 300, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(QColor("white"))
    painter = QPainter(image)
    c.scene.render(painter, QRectF(image.rect()), c.scene.drawing_rect())
    painter.end()
    assert not image.isNull()


def test_far_zoom_paints_bars_for_labels_and_lines_without_heads(qtbot) -> None:
    net = ladder(100)
    scene = GraphScene(Document(net))
    rect = scene.drawing_rect()
    image = QImage(400, 40, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(QColor(LIGHT.background))
    painter = QPainter(image)
    scene.render(painter, QRectF(image.rect()), rect)  # about 1/100 of the size
    painter.end()
    inked = sum(
        image.pixelColor(x, y) != QColor(LIGHT.background)
        for x in range(0, 400, 2)
        for y in range(0, 40, 2)
    )
    assert inked > 50  # the nodes, lines and label bars still show the shape of the net
    scene.detach()
