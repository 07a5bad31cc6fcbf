"""The scalar view zooms, pans and fits as the canvas does (both are a ZoomView):
keys, the wheel about the cursor, dragging with either button, F also inside
the main window (whose own F fits the canvas), and a first fit that keeps the
text of a 2-16-16-2 network readable instead of drawing a thin strip."""

from __future__ import annotations

import pytest
from canvas_support import wheel
from PySide6.QtCore import QPoint, QRectF, Qt
from PySide6.QtTest import QTest

import gradviz
from gradviz.model.builder import NetworkSpec, build_network
from gradviz.model.document import Document
from gradviz.qt.main_window import MainWindow
from gradviz.qt.scalar_items import TEXT_LOD
from gradviz.qt.scalar_scene import ScalarGraphView
from gradviz.qt.scalar_view import ScalarView


def open_view(qtbot, doc: Document, width: int = 1200, height: int = 600) -> ScalarView:
    view = ScalarView(doc)
    qtbot.addWidget(view)
    view.resize(width, height)
    view.show()
    qtbot.waitExposed(view)
    qtbot.waitUntil(lambda: view.graph is not None)
    return view


def shown(view: ScalarGraphView) -> QRectF:
    """The scene rectangle the viewport shows."""
    return view.mapToScene(view.viewport().rect()).boundingRect()


def test_exercise3_is_fitted_whole(qtbot) -> None:
    sv = open_view(qtbot, Document(gradviz.load("exercise3")))
    assert TEXT_LOD <= sv.view.zoom() <= ScalarGraphView.FIT_MAX
    assert shown(sv.view).contains(sv.scene.drawing_rect())


def test_a_tall_network_is_fitted_to_its_width_not_to_a_strip(qtbot) -> None:
    net = build_network(NetworkSpec(layers=(2, 16, 16, 2), bias=True, init="gaussian"))
    sv = open_view(qtbot, Document(net), 1400, 400)
    v, drawing = sv.view, sv.scene.drawing_rect()
    vp = v.viewport().rect()
    whole = min(vp.width() / drawing.width(), vp.height() / drawing.height())
    assert whole < TEXT_LOD  # fitted whole, the boxes would hide their text
    assert v.zoom() >= TEXT_LOD
    area = shown(v)
    # the whole width, its middle (where the inputs and the loss stand) in the middle
    assert area.left() <= drawing.left() and area.right() >= drawing.right()
    assert area.center().y() == pytest.approx(drawing.center().y(), abs=2 / v.zoom())
    assert area.height() < drawing.height() / 4
    QTest.keyClick(v, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    z = v.zoom()
    sv.resize(1300, 380)
    qtbot.wait(50)
    assert v.zoom() == pytest.approx(z)  # zoomed by the user: the size is not followed
    QTest.keyClick(v, Qt.Key.Key_F)
    assert v.zoom() >= TEXT_LOD


def test_keys_and_wheel_zoom(qtbot) -> None:
    v = open_view(qtbot, Document(gradviz.load("exercise3"))).view
    z0 = v.zoom()
    QTest.keyClick(v, Qt.Key.Key_Equal, Qt.KeyboardModifier.ControlModifier)
    assert v.zoom() == pytest.approx(z0 * 1.25)
    QTest.keyClick(v, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClick(v, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    assert v.zoom() == pytest.approx(z0 / 1.25)
    QTest.keyClick(v, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    assert v.zoom() == pytest.approx(1.0)
    pos = QPoint(300, 200)
    before = v.mapToScene(pos)
    wheel(v, pos, 120)  # one notch in, about the cursor
    assert v.zoom() == pytest.approx(1.0015**120)
    after = v.mapToScene(pos)
    assert abs(after.x() - before.x()) < 2 and abs(after.y() - before.y()) < 2
    for _ in range(3):
        wheel(v, pos, -120 * 20)  # far out: clamped at 1 %
    assert v.zoom() == pytest.approx(ScalarGraphView.MIN_ZOOM)
    QTest.keyClick(v, Qt.Key.Key_F)
    assert v.zoom() == pytest.approx(z0)


@pytest.mark.parametrize("button", [Qt.MouseButton.LeftButton, Qt.MouseButton.MiddleButton])
def test_dragging_pans(qtbot, button: Qt.MouseButton) -> None:
    sv = open_view(qtbot, Document(gradviz.load("exercise3")))
    v = sv.view
    v.set_zoom(1.5)
    vp = v.viewport()
    start = QPoint(vp.width() - 10, 10)  # an empty corner, not a box
    assert sv.scene.item_at(v.mapToScene(start)) is None
    centre = shown(v).center()
    QTest.mousePress(vp, button, pos=start)
    for k in range(1, 6):
        QTest.mouseMove(vp, start - QPoint(20 * k, 0))
    QTest.mouseRelease(vp, button, pos=start - QPoint(100, 0))
    assert shown(v).center().x() == pytest.approx(centre.x() + 100 / 1.5, abs=2)
    z = v.zoom()
    sv.resize(1000, 500)  # panned: the view no longer follows its size
    qtbot.wait(50)
    assert v.zoom() == pytest.approx(z)


def test_f_fits_the_scalar_view_inside_the_window(qtbot, window: MainWindow) -> None:
    window.actions_by_name["scalar_view"].trigger()
    assert window.scalar_dock is not None
    sv = window.scalar_dock.scalar_view
    qtbot.waitUntil(lambda: sv.graph is not None and sv.view.isVisible())
    canvas_zoom = window.view.zoom()
    sv.view.setFocus()
    sv.view.set_zoom(3.0)
    QTest.keyClick(sv.view, Qt.Key.Key_F)
    assert shown(sv.view).contains(sv.scene.drawing_rect())
    assert sv.view.zoom() < 3.0
    assert window.view.zoom() == pytest.approx(canvas_zoom)  # the canvas is left alone


def test_a_weight_past_the_panels_columns_is_named_too(qtbot, window: MainWindow) -> None:
    """2-16-16-2 has 354 weights; the Jacobian panel lists 300: the last is named anyway."""
    net = build_network(NetworkSpec(layers=(2, 16, 16, 2), bias=True, init="gaussian"))
    window.set_document(Document(net))
    window.actions_by_name["scalar_view"].trigger()
    assert window.scalar_dock is not None
    sv = window.scalar_dock.scalar_view
    qtbot.waitUntil(lambda: sv.graph is not None)
    last = net.param_ids[-1]
    box = sv.scene.node_items[sv.item_of(last, (1,))]
    sv.view.set_zoom(1.0)
    sv.view.centerOn(box)
    pos = sv.view.mapFromScene(box.scenePos())
    qtbot.mouseClick(sv.view.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    assert window.jacobian_panel.pinned == 353
    assert window.statusBar().currentMessage().endswith(": column 354 of J_fE(Θ)")
