"""Level of detail: a big graph fitted in the window is drawn with simplified
shapes (label bars, headless lines, plain boxes, tiny labels left out), but at
100 % and in every export each label is real text, and a 1,000-node graph is
edited in place exactly as exercise 3 is."""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ET
from pathlib import Path

from canvas_support import Canvas
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRectF, QSize
from PySide6.QtGui import QColor, QImage, QPainter, QUndoStack
from PySide6.QtSvg import QSvgGenerator
from test_canvas_editing import start_editing, type_into

import gradviz
from gradviz.model.document import Document
from gradviz.qt.canvas import GraphScene, GraphView
from gradviz.qt.canvas.labels import READABLE_PX, VISIBLE_PX
from gradviz.qt.canvas.node_items import OpNodeItem
from gradviz.qt.render import export_file
from gradviz.qt.theme import LIGHT, DisplayOptions

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from bench_canvas import ladder  # noqa: E402


def svg_texts(scene: GraphScene, scale: float) -> list[str]:
    """The text elements of the whole drawing painted at ``scale`` into an SVG."""
    rect = scene.drawing_rect()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    svg = QSvgGenerator()
    svg.setOutputDevice(buffer)
    size = QSize(max(1, round(rect.width() * scale)), max(1, round(rect.height() * scale)))
    svg.setSize(size)
    svg.setViewBox(QRectF(0, 0, size.width(), size.height()))
    painter = QPainter(svg)
    scene.render(painter, QRectF(0, 0, size.width(), size.height()), rect)
    painter.end()
    root = ET.fromstring(bytes(data.data()))
    return ["".join(el.itertext()).strip() for el in root.iter() if el.tag.endswith("text")]


def label_texts(scene: GraphScene, inline_only: bool = False) -> list[str]:
    """The visible edge labels' texts (``inline_only``: scalars and vectors, one text
    each; a matrix is its name and one text per cell)."""
    return [
        lab.text
        for e in scene.edge_items
        for lab in (e.value_label, e.grad_label)
        if lab.isVisible() and not (inline_only and lab._inline is None)
    ]


def render(scene: GraphScene, width: int, height: int) -> QImage:
    image = QImage(width, height, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(QColor(LIGHT.background))
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    scene.render(painter, QRectF(image.rect()), scene.drawing_rect())
    painter.end()
    return image


def test_at_full_size_a_300_node_graph_writes_every_label_as_text(qtbot) -> None:
    scene = GraphScene(Document(ladder(300)))
    assert len(label_texts(scene)) == 2 * len(scene.edge_items)
    inline = label_texts(scene, inline_only=True)
    texts = svg_texts(scene, 1.0)
    assert len(inline) > len(scene.edge_items)
    assert set(inline) <= set(texts)  # every value and gradient, as searchable text
    assert "W₁₀ = (1/2 −1/4; 1/4 3/4)" not in texts  # a matrix is a grid of cells…
    assert "W₁₀ =" in texts and texts.count("−1/4") >= 59  # …each cell its own text


def test_far_off_labels_are_bars_and_no_text(qtbot) -> None:
    scene = GraphScene(Document(ladder(100)))
    scale = 0.9 * READABLE_PX / 14  # the labels' 14 px text under READABLE_PX pixels
    texts = svg_texts(scene, scale)
    assert "h0" in texts  # the nodes' 17 px names are still (just) readable…
    # …the labels' not: only they write ∂ and subscripts (W₀ = …, ∂l/∂h₀ = …)
    assert not [t for t in texts if set(t) & set("∂₀₁₂₃₄₅₆₇₈₉")]
    assert [t for t in svg_texts(scene, 1.0) if set(t) & set("∂₀₁₂₃₄₅₆₇₈₉")]
    # the bars still show where the labels are: hiding the labels changes the picture
    with_labels = render(scene, 1600, 60)
    scene.label_layer.setVisible(False)
    without = render(scene, 1600, 60)
    assert with_labels != without


def test_labels_too_small_to_tint_a_pixel_are_left_out(qtbot) -> None:
    scene = GraphScene(Document(ladder(1000)))
    tallest = max(lab.height for e in scene.edge_items for lab in (e.value_label,))
    width = 1600  # the 1,000-node ladder is ~200,000 units wide: a label ~0.2 px tall
    assert tallest * width / scene.drawing_rect().width() < VISIBLE_PX
    with_labels = render(scene, width, 40)
    scene.label_layer.setVisible(False)
    assert render(scene, width, 40) == with_labels  # nothing of them was drawn
    scene.label_layer.setVisible(True)
    assert render(scene, width, 40) == with_labels


def test_exports_keep_every_label_as_text(qtbot, tmp_path: Path) -> None:
    net = gradviz.load("exercise3")
    export_file(net, tmp_path / "g.svg")
    root = ET.parse(tmp_path / "g.svg").getroot()
    texts = ["".join(el.itertext()).strip() for el in root.iter() if el.tag.endswith("text")]
    scene = GraphScene(Document(net))
    inline = label_texts(scene, inline_only=True)
    assert "z = (2, 1, −3)" in inline and set(inline) <= set(texts)
    assert {"output", "loss"} <= set(texts)  # the captions, on their plates


def test_captions_sit_on_a_plate_of_the_background_colour(qtbot) -> None:
    for theme in ("light", "dark"):
        scene = GraphScene(Document(gradviz.load("exercise3")), DisplayOptions(theme=theme))
        f = scene.node_items["f"]
        assert isinstance(f, OpNodeItem) and f.caption == "output"
        left, top, right, bottom = f._caption_extent(f.body.height())
        assert f.boundingRect().contains(QRectF(left, top, right - left, bottom - top))
        # painted on a grey canvas, the plate shows in the theme's background colour
        image = QImage(400, 200, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(QColor("#808080"))
        painter = QPainter(image)
        source = QRectF(f.pos().x() + left, f.pos().y() + top, right - left, 2.0)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        scene.setBackgroundBrush(QColor("#808080"))
        scene.render(painter, QRectF(image.rect()), source)
        painter.end()
        seen = image.pixelColor(200, 100)
        plate = QColor(scene.theme.background)
        assert abs(seen.red() - plate.red()) < 40 and abs(seen.blue() - plate.blue()) < 40


def test_a_1000_node_graph_is_edited_in_place(qtbot) -> None:
    doc = Document(ladder(1000))
    stack = QUndoStack()
    scene = GraphScene(doc, DisplayOptions(), stack)
    view = GraphView(scene)
    qtbot.addWidget(view)
    view.resize(1200, 700)
    view.show()
    qtbot.waitExposed(view)
    view.set_zoom(1.0)
    view.centerOn(scene.node_items["W100"])
    qtbot.wait(10)
    c = Canvas(doc, stack, scene, view)
    editor = start_editing(c, "W100", (0, 0))
    assert editor.text() == "1/2"
    type_into(c, "3/4")
    assert doc.entry("W100", (0, 0)) == 0.75 and stack.count() == 1
    assert c.leaf("W100").entries[(0, 0)].text == "3/4"
    assert c.value_text("W100", "m100") == "W₁₀₀ = (3/4 −1/4; 1/4 3/4)"
    # the matmul's output follows: m = W h, exactly as the engine computes it
    m = gradviz.evaluate(doc.network).values["m100"]
    shown = scene.edge_items[[e.src.node_id for e in scene.edge_items].index("m100")]
    assert shown.value_label.text.startswith("m₁₀₀ = (")
    assert shown.value_label.text.count(",") == len(m) - 1
    stack.undo()
    assert c.value_text("W100", "m100") == "W₁₀₀ = (1/2 −1/4; 1/4 3/4)"
