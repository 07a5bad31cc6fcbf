"""The scalar view (issue 7) driven as a teacher would: View → Scalar View shows
exercise3's scalars with the sheet's numbers; a click on ∂f₁/∂p₂,₁ in J_fE(Θ)
highlights exactly the paths the engine lists and sums them to −3/2; a click on
a box selects its node on the canvas; an edit on the canvas is followed live."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QDockWidget

import gradviz
from gradviz.engine.paths import jacobian_entry, path_sum
from gradviz.engine.scalar import expand
from gradviz.model.builder import NetworkSpec, build_network
from gradviz.model.document import Document
from gradviz.qt.main_window import MainWindow
from gradviz.qt.scalar_items import ScalarNodeItem, display_name
from gradviz.qt.scalar_layout import layers_of, layout
from gradviz.qt.scalar_view import ScalarView
from gradviz.qt.theme import DisplayOptions
from gradviz.qt.undo import SetEntryCommand

P21 = 2  # θ's column of p₂,₁ (0-based): p₁,₁ p₁,₂ p₂,₁ …


def open_scalar_view(qtbot, w: MainWindow) -> ScalarView:
    w.actions_by_name["scalar_view"].trigger()
    assert w.scalar_dock is not None
    qtbot.waitUntil(lambda: w.scalar_dock is not None and w.scalar_dock.isVisible())
    view = w.scalar_dock.scalar_view
    qtbot.waitUntil(lambda: view.graph is not None)
    return view


def item(view: ScalarView, tensor: str, entry: tuple[int, ...]) -> ScalarNodeItem:
    return view.scene.node_items[view.item_of(tensor, entry)]


def click_box(qtbot, view: ScalarView, box: ScalarNodeItem) -> None:
    view.view.centerOn(box)
    pos = view.view.mapFromScene(box.scenePos())
    qtbot.mouseClick(view.view.viewport(), Qt.MouseButton.LeftButton, pos=pos)


def test_the_action_opens_a_dock_with_exercise3s_scalars(qtbot, window: MainWindow) -> None:
    action = window.actions_by_name["scalar_view"]
    assert action.isCheckable() and not action.isChecked()
    assert window.scalar_dock is None  # nothing is expanded before it is asked for
    view = open_scalar_view(qtbot, window)
    assert action.isChecked()
    docks = {d.objectName() for d in window.findChildren(QDockWidget)}
    assert "scalarDock" in docks
    assert window.dockWidgetArea(window.scalar_dock) == Qt.DockWidgetArea.TopDockWidgetArea
    assert len(view.scene.node_items) == 40
    f1 = item(view, "f", (0,))
    assert f1.name == "f₁" and f1.texts() == ("1/2", "−2")
    assert item(view, "P", (1, 0)).texts() == ("1", "3")  # ∂l/∂p₂,₁ = 3
    assert item(view, "P", (1, 0)).name == "p₂,₁"
    assert item(view, "l", ()).texts() == ("ln 2", "1")
    assert item(view, "g", (2,)).texts() == ("0", "1/2")  # ReLU off: ∂l/∂g₃ still 1/2
    assert item(view, "z", (2,)).texts() == ("−3", "0")
    products = [i for i in view.scene.node_items if i.kind == "mul"]
    assert len(products) == 12 and {i.symbol for i in products} == {"×"}
    window.scalar_dock.close()
    assert not action.isChecked()
    action.trigger()
    assert window.scalar_dock.isVisible()


def test_every_box_has_its_own_room_and_edges_run_left_to_right(qtbot, window) -> None:
    view = open_scalar_view(qtbot, window)
    boxes = [i.sceneBoundingRect() for i in view.scene.node_items]
    for a in range(len(boxes)):
        for b in range(a + 1, len(boxes)):
            assert not boxes[a].intersects(boxes[b]), (a, b)
    graph = view.graph
    assert graph is not None
    for n in graph.nodes:
        for pos, e in enumerate(n.inputs):
            route = view.scene.edges.route((e.source, n.id, pos))
            xs = [p.x() for p in route]
            assert xs == sorted(xs)
            assert route[0].x() == pytest.approx(boxes[e.source].right() - 3)
            assert route[-1].x() == pytest.approx(boxes[n.id].left() + 3)


def test_clicking_a_jacobian_cell_highlights_its_paths_and_their_sum(qtbot, window) -> None:
    view = open_scalar_view(qtbot, window)
    jw = window.jacobian_panel.jacobian_widget
    qtbot.mouseClick(jw, Qt.MouseButton.LeftButton, pos=jw.cell_rect(0, P21).center().toPoint())
    assert view.entry == (0, P21)
    graph = view.graph
    assert graph is not None
    expected = path_sum(graph, ("f", (0,)), ("P", (1, 0)))
    assert expected.count == 3
    shown = view.scene.focused_paths()
    assert [p.nodes for p in shown] == [p.nodes for p in expected.paths]
    assert set(view.scene.edges.highlighted_edges()) == expected.edges
    on_path = {i.scalar_id for i in view.scene.node_items if i.on_path}
    assert on_path == expected.nodes
    ends = {i.scalar_id for i in view.scene.node_items if i.endpoint}
    assert ends == {graph.id_of("f", (0,)), graph.id_of("P", (1, 0))}
    assert all(i.dimmed for i in view.scene.node_items if i.scalar_id not in expected.nodes)
    panel = view.panel
    assert "∂f₁/∂p₂,₁ = <b>−3/2</b>" in panel.title.text()
    assert panel.list.count() == 3
    products = sorted(panel.list.item(k).text().rsplit("= ", 1)[1] for k in range(3))
    assert products == ["1/4", "−1/2", "−5/4"]
    assert panel.list.item(0).text().startswith("p₂,₁ → p₂,₁·e₁ → z₂ → g₂ →")
    assert "= <b>−3/2</b>" in panel.sum_label.text()
    assert "J<sub>f<sub>E</sub></sub>(Θ)[1, 3] = −3/2 ✓" in panel.sum_label.text().replace(
        "<span style='color:#1f4e99'>", ""
    ).replace("</span>", "")
    # the local partials are written on the highlighted edges: ReLU g₂ passes 1, q₂,₂ is 5
    assert "5" in view.scene.edges.partial_labels()
    assert "−1" in view.scene.edges.partial_labels()


def test_one_path_can_stand_out_and_zero_paths_can_be_left_out(qtbot, window) -> None:
    view = open_scalar_view(qtbot, window)
    view.show_jacobian_entry(0, P21)
    panel = view.panel
    panel.list.setCurrentRow(1)
    focused = view.scene.focused_paths()
    assert len(focused) == 1 and focused[0] == view.paths.paths[1]
    assert set(view.scene.edges.highlighted_edges()) == set(focused[0].edges)
    assert panel.all_button.isEnabled()
    qtbot.waitUntil(lambda: panel.all_button.isVisible() and panel.all_button.width() > 20)
    qtbot.mouseClick(panel.all_button, Qt.MouseButton.LeftButton)
    assert len(view.scene.focused_paths()) == 3
    # ∂f₁/∂p₃,₁: all three paths run through the switched-off ReLU g₃ (partial 0)
    view.show_jacobian_entry(0, 4)
    assert view.paths is not None and view.paths.count == 3 and view.paths.zero_count == 3
    assert "<b>0</b>" in panel.title.text()
    assert "pass a zero partial" in panel.explain.text()
    panel.hide_zero.setChecked(True)
    assert view.paths.paths == () and view.paths.total == 0.0
    assert view.scene.edges.highlighted_edges() == []


def test_the_inspectors_df_dP_cells_show_paths_too(qtbot, window) -> None:
    view = open_scalar_view(qtbot, window)
    window.scene.select_node("Q")
    qtbot.waitUntil(lambda: "output" in window.inspector.blocks)
    widget = window.inspector.blocks["output"].analytic
    assert widget.matrix.shape == (2, 6)
    widget.cellClicked.emit(1, 4)  # ∂f₂/∂q₂,₂: column 6 + 4 of Θ
    assert view.entry == (1, 10)
    assert view.paths is not None
    assert view.paths.total == pytest.approx(1 / 4)
    assert "∂f₂/∂q₂,₂ = <b>1/4</b>" in view.panel.title.text()


def test_clicking_a_box_selects_its_node_and_entry_on_the_canvas(qtbot, window) -> None:
    view = open_scalar_view(qtbot, window)
    click_box(qtbot, view, item(view, "P", (1, 0)))
    selected = [i.node_id for i in window.scene.selectedItems()]
    assert selected == ["P"]
    assert window.inspector.node_id == "P"
    assert window.jacobian_panel.pinned == P21
    assert window.statusBar().currentMessage() == "θ₃ = p₂,₁: column 3 of J_fE(Θ)"
    click_box(qtbot, view, item(view, "Q", (1, 2)))  # the last of Θ, after P's 6
    assert window.jacobian_panel.pinned == 11
    assert window.statusBar().currentMessage() == "θ₁₂ = q₂,₃: column 12 of J_fE(Θ)"
    click_box(qtbot, view, item(view, "P", (1, 0)))
    # the canvas selection outlines every scalar of P in the scalar view
    assert {i.scalar_id for i in view.scene.node_items if i.marked} == set(
        view.graph.tensor_scalars("P")
    )
    # an intermediate (a product of z) selects its node z
    product = next(i for i in view.scene.node_items if i.kind == "mul" and i.tensor == "z")
    click_box(qtbot, view, product)
    assert [i.node_id for i in window.scene.selectedItems()] == ["z"]


def test_an_edit_on_the_canvas_updates_the_scalar_view_in_place(qtbot, window) -> None:
    view = open_scalar_view(qtbot, window)
    view.show_jacobian_entry(0, P21)
    before = list(view.scene.node_items)
    pos = [(i.x(), i.y()) for i in before]
    window.undo_stack.push(SetEntryCommand(window.doc, "P", (1, 0), 2.0))
    p21 = item(view, "P", (1, 0))
    assert p21.texts()[0] == "2"
    assert item(view, "z", (1,)).texts()[0] == "2"  # z₂ = 2·1 + 0·(−1)
    assert view.scene.node_items == before  # numbers rewritten, nothing rebuilt
    assert [(i.x(), i.y()) for i in view.scene.node_items] == pos
    ev = window.doc.evaluation
    assert view.paths is not None
    assert view.paths.total == pytest.approx(float(ev.jacobian[0, P21]))
    assert item(view, "f", (0,)).texts()[0] == _fmt(float(ev.values["f"][0]))
    window.undo_stack.undo()
    assert item(view, "P", (1, 0)).texts() == ("1", "3")
    assert "−3/2" in view.panel.title.text()


def _fmt(x: float) -> str:
    from gradviz.engine.exact import format_scalar

    return format_scalar(x, unicode_minus=True)


def test_a_gradient_step_and_display_options_follow(qtbot, window) -> None:
    view = open_scalar_view(qtbot, window)
    window.training.step()
    ev = window.doc.evaluation
    assert item(view, "P", (1, 0)).texts()[0] == _fmt(float(ev.values["P"][1, 0]))
    window.set_options(window.options.with_(exact=False))
    assert item(view, "f", (0,)).texts()[0] == _decimal(float(ev.values["f"][0]))
    window.set_options(window.options.with_(theme="dark"))
    assert view.scene.backgroundBrush().color().name() == "#1e2127"


def _decimal(x: float) -> str:
    from gradviz.engine.exact import format_scalar

    return format_scalar(x, exact=False, digits=4, unicode_minus=True)


def test_another_document_is_expanded_anew(qtbot, window) -> None:
    view = open_scalar_view(qtbot, window)
    view.show_jacobian_entry(0, P21)
    net = build_network(NetworkSpec(layers=(2, 2, 2), bias=True))
    window.set_document(Document(net))
    assert view.entry is None and view.paths is None
    graph = expand(net.to_program(), net.evaluate())
    assert len(view.scene.node_items) == len(graph)
    assert view.panel.list.count() == 0
    # the new canvas is followed: selecting its weight outlines the scalars
    window.scene.select_node("P")
    assert sum(i.marked for i in view.scene.node_items) == 4


def test_a_hidden_view_expands_nothing_until_shown(qtbot) -> None:
    doc = Document(gradviz.load("exercise3"))
    view = ScalarView(doc)
    qtbot.addWidget(view)
    doc.set_entry("P", (0, 0), 4.0)
    assert view.graph is None
    view.show_jacobian_entry(0, 0)
    assert view.graph is None and view.entry == (0, 0)
    view.resize(1200, 600)
    view.show()
    qtbot.waitExposed(view)
    assert view.graph is not None
    assert item(view, "P", (0, 0)).texts()[0] == "4"
    view.show_jacobian_entry(0, 0)
    assert view.paths is not None
    assert view.paths.total == pytest.approx(float(doc.evaluation.jacobian[0, 0]))


def test_layout_of_a_2_16_16_2_network() -> None:
    """About 800 scalars: columns by depth, every box apart, every edge rightward."""
    net = build_network(NetworkSpec(layers=(2, 16, 16, 2), bias=True, init="gaussian"))
    graph = expand(net.to_program(), net.evaluate())
    assert len(graph) > 700
    widths = [120.0] * len(graph)
    lay = layout(graph, widths, 60.0)
    depth = layers_of(graph)
    for n in graph.nodes:
        for e in n.inputs:
            assert depth[e.source] < depth[n.id]
            assert lay.x[e.source] < lay.x[n.id]
    columns: dict[int, list[float]] = {}
    for i, d in enumerate(depth):
        columns.setdefault(d, []).append(lay.y[i])
    for ys in columns.values():
        ys.sort()
        assert all(b - a >= 60.0 - 1e-6 for a, b in zip(ys, ys[1:], strict=False))
    # a weight sits in the column just before the product that uses it
    w = graph.id_of("Q", (0, 0))
    assert min(depth[c] for c, _ in graph.consumers(w)) == depth[w] + 1
    # every path of a Jacobian entry is found and sums to the engine's entry
    ps = jacobian_entry(graph, 0, 0)
    assert ps.total == pytest.approx(float(net.evaluate().jacobian[0, 0]), abs=1e-12)


def test_names_read_as_on_the_sheet() -> None:
    assert display_name("p_{2,1}·e_{1}") == "p₂,₁·e₁"
    assert display_name("exp(z2_{1})") == "exp(z2₁)"
    assert display_name("Σ exp(z2)") == "Σ exp(z2)"
    assert display_name("l") == "l"


def test_decimals_mode_widens_nothing_it_cannot_show(qtbot) -> None:
    view = ScalarView(Document(gradviz.load("exercise3")), DisplayOptions(exact=False))
    qtbot.addWidget(view)
    view.show()
    qtbot.waitExposed(view)
    assert item(view, "f", (0,)).texts() == ("0.5", "−2")
    before = item(view, "f", (0,)).width
    view.set_options(DisplayOptions(exact=False, digits=10))
    assert item(view, "f", (0,)).width > before
    exp1 = next(i for i in view.scene.node_items if i.kind == "exp")
    assert exp1.texts()[0] == "2.718281828"


def test_the_dock_opens_tall_and_its_place_is_remembered(qtbot, tmp_path) -> None:
    settings = QSettings(str(tmp_path / "layout.ini"), QSettings.Format.IniFormat)
    first = MainWindow(settings=settings)
    qtbot.addWidget(first)
    first.resize(1600, 1000)
    first.show()
    qtbot.waitExposed(first)
    first.actions_by_name["scalar_view"].trigger()
    dock = first.scalar_dock
    assert dock is not None
    qtbot.waitUntil(lambda: dock.height() >= 360)  # not squeezed to its minimum
    first.resizeDocks([dock], [400], Qt.Orientation.Vertical)
    qtbot.waitUntil(lambda: abs(dock.height() - 400) <= 2)
    first.save_layout()
    second = MainWindow(settings=settings)
    qtbot.addWidget(second)
    second.show()
    qtbot.waitExposed(second)
    second.actions_by_name["scalar_view"].trigger()
    again = second.scalar_dock
    assert again is not None
    # restored where it was (the offscreen screen may give the window another height)
    assert second.dockWidgetArea(again) == Qt.DockWidgetArea.TopDockWidgetArea
    qtbot.waitUntil(lambda: abs(again.height() - 400) <= 60)


def test_a_structural_edit_lays_the_graph_out_anew(qtbot) -> None:
    doc = Document(gradviz.load("exercise3"))
    view = ScalarView(doc)
    qtbot.addWidget(view)
    view.resize(1200, 600)
    view.show()
    qtbot.waitExposed(view)
    view.show_jacobian_entry(0, P21)
    assert view.panel.isVisible() and not view.hint.isVisible()
    before = list(view.scene.node_items)
    doc.set_network(build_network(NetworkSpec(layers=(2, 2, 2), bias=True)))
    assert view.entry is None and view.paths is None
    assert not view.panel.isVisible() and view.hint.isVisible()
    assert view.scene.node_items != before
    assert not any(i.dimmed or i.on_path for i in view.scene.node_items)
    assert len(view.scene.node_items) == len(expand(doc.network.to_program(), doc.evaluation))
