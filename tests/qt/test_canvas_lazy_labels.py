"""A big drawing places its edge labels when they first show: not at all while
they are too small to tint a pixel, roughly (each at its first spot) while they
are bars too small to read, and as a small drawing's once they can be
read, pointed at or exported."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QUndoStack

from gradviz.model.document import Document
from gradviz.qt.canvas import GraphScene, GraphView, label_places
from gradviz.qt.canvas.labels import READABLE_PX, VISIBLE_PX
from gradviz.qt.canvas.layers import bounds, to_qrect, union
from gradviz.qt.canvas.placement import node_rect, place_labels
from gradviz.qt.render import export_rect
from gradviz.qt.theme import LIGHT, DisplayOptions

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from bench_canvas import ladder  # noqa: E402

NET = ladder(600)  # 597 edges: more than EAGER_LABEL_EDGES


def corners(scene: GraphScene) -> list[tuple[float, float]]:
    """Every label's top-left corner, in edge order (value, then gradient)."""
    return [(lab.x(), lab.y()) for e in scene.edge_items for lab in (e.value_label, e.grad_label)]


def eager(doc: Document, monkeypatch: pytest.MonkeyPatch) -> GraphScene:
    """The same drawing with its labels placed as it is built (as a small one's are)."""
    with monkeypatch.context() as m:
        m.setattr(label_places, "EAGER_LABEL_EDGES", 10**9)
        scene = GraphScene(doc)
    assert not scene.label_layer.pending
    return scene


def paint(scene: GraphScene, lod: float, width: int = 800, height: int = 200) -> QImage:
    """The top-left corner of the drawing painted at ``lod`` pixels per scene unit."""
    image = QImage(width, height, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(QColor(LIGHT.background))
    r = scene.drawing_rect()
    painter = QPainter(image)
    source = QRectF(r.left(), r.top(), width / lod, height / lod)
    scene.render(painter, QRectF(image.rect()), source)
    painter.end()
    return image


def test_a_big_drawing_is_built_without_placing_its_labels(qtbot) -> None:
    assert len(NET.nodes) > label_places.EAGER_LABEL_EDGES
    scene = GraphScene(Document(NET))
    assert scene.label_layer.pending
    assert set(corners(scene)) == {(0.0, 0.0)}  # not placed at all
    nodes = bounds([node_rect(n) for n in scene.node_items.values()])
    lines = scene.edge_layer.drawing_rect()
    assert nodes is not None and lines is not None
    whole = scene.drawing_rect()
    assert whole == to_qrect(union(nodes, lines))  # unplaced labels count for nothing
    # seen whole, a label would be a third of a pixel: nothing is drawn, nothing placed
    lod = 1000 / whole.width()
    assert lod * scene.label_places.tallest < VISIBLE_PX
    image = QImage(1000, 40, QImage.Format.Format_ARGB32_Premultiplied)
    painter = QPainter(image)
    scene.render(painter, QRectF(image.rect()), whole)
    painter.end()
    assert scene.label_layer.pending


def test_bars_stand_at_their_first_spot_and_readable_labels_as_built_eagerly(
    qtbot, monkeypatch: pytest.MonkeyPatch
) -> None:
    doc = Document(NET)
    scene = GraphScene(doc)
    far = 0.5 * READABLE_PX / 14  # bars: a label 1.5 px, its text under READABLE_PX
    hidden = scene.label_layer
    hidden.setVisible(False)
    without = paint(scene, far)
    hidden.setVisible(True)
    assert paint(scene, far) != without  # the bars are drawn…
    assert not scene.label_layer.pending and scene.label_places.rough
    first = [p for e in scene.edge_items for p in e.spot_pair(0)]
    assert corners(scene) == first  # …each label at its edge's first spot
    paint(scene, 1.0)  # readable: kept apart, exactly as when placed at once
    assert not scene.label_places.rough
    assert corners(scene) == corners(eager(doc, monkeypatch))
    assert scene.drawing_rect() == eager(doc, monkeypatch).drawing_rect()


def test_a_view_places_the_labels_it_shows(qtbot, monkeypatch: pytest.MonkeyPatch) -> None:
    doc = Document(NET)
    scene = GraphScene(doc, DisplayOptions(), QUndoStack())
    view = GraphView(scene)
    qtbot.addWidget(view)
    view.resize(1200, 600)
    view.show()
    qtbot.waitExposed(view)
    assert view.zoom() == pytest.approx(view.MIN_ZOOM)  # the fit is clamped: labels are bars
    qtbot.waitUntil(lambda: scene.label_places.rough)
    view.set_zoom(1.0)
    view.centerOn(scene.node_items["W50"])
    qtbot.waitUntil(lambda: not scene.label_places.rough)
    assert corners(scene) == corners(eager(doc, monkeypatch))
    scene.detach()


def test_pointing_at_a_label_or_exporting_places_them(
    qtbot, monkeypatch: pytest.MonkeyPatch
) -> None:
    doc = Document(NET)
    placed = eager(doc, monkeypatch)
    edge = next(e for e in placed.edge_items if e.src.node_id == "m7")
    spot = edge.value_label.sceneBoundingRect().center()
    scene = GraphScene(doc)
    assert scene.target_at(spot) == ("edge", "m7", "a7")
    assert corners(scene) == corners(placed)
    again = GraphScene(doc)
    rect = export_rect(again, 0.0)
    assert not again.label_layer.pending and rect == placed.drawing_rect()


def test_edits_keep_the_labels_as_far_as_they_were_placed(
    qtbot, monkeypatch: pytest.MonkeyPatch
) -> None:
    doc = Document(NET)
    scene = GraphScene(doc)
    placed = eager(doc, monkeypatch)  # sees the same edits
    doc.set_entry("W3", (0, 0), 123456.75)  # a wider value: the labels of W₃ grow
    assert scene.label_layer.pending and set(corners(scene)) == {(0.0, 0.0)}
    paint(scene, 0.5 * READABLE_PX / 14)
    doc.set_entry("W3", (0, 1), 98765.25)
    assert scene.label_places.rough  # still bars: moved to the first spots of the new sizes
    assert corners(scene) == [p for e in scene.edge_items for p in e.spot_pair(0)]
    scene.label_places.ensure()
    place_labels(placed.node_items.values(), placed.edge_items)  # afresh, as ensure does
    assert corners(scene) == corners(placed)
    doc.set_entry("W3", (1, 1), 0.5)  # placed: labels stay where they were if still free
    assert not scene.label_places.rough and corners(scene) == corners(placed)
    doc.set_network(ladder(620))  # a structural change rebuilds: placed afresh on need
    assert scene.label_layer.pending and set(corners(scene)) == {(0.0, 0.0)}


def test_rendering_expanded_to_fill_places_the_labels_it_shows(qtbot) -> None:
    scene = GraphScene(Document(NET))
    whole = scene.drawing_rect()  # very wide: kept whole in 800 × 200 it is a thin line
    image = QImage(800, 200, QImage.Format.Format_ARGB32_Premultiplied)
    painter = QPainter(image)
    scene.render(painter, QRectF(image.rect()), whole, Qt.AspectRatioMode.KeepAspectRatio)
    assert scene.label_layer.pending  # a label under half a pixel: none placed
    expand = Qt.AspectRatioMode.KeepAspectRatioByExpanding  # scaled to fill the height
    scene.render(painter, QRectF(image.rect()), whole, aspectRatioMode=expand)
    painter.end()
    assert scene.label_places.final  # readable there: placed, as a small drawing's
