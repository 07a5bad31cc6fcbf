"""How the main window's views follow one another's selection.

* A node picked on the canvas fills the inspector (and brings its dock forward).
* An entry of a weight picked on the canvas pins its column of ``J_fE(Θ)`` in the
  Jacobian panel (:func:`theta_column`).
* A column hovered in the Jacobian panel lights its parameter entry up on the
  canvas and names it in the status bar; a click selects that parameter.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from gradviz.model.network import Network

if TYPE_CHECKING:
    from gradviz.qt.canvas import GraphScene
    from gradviz.qt.main_window import MainWindow


def theta_column(net: Network, node_id: str, index: object) -> int | None:
    """The column of Θ (0-based) of entry ``index`` of parameter ``node_id``.

    Θ lists the parameters in ``net.param_ids`` order, each one's entries in
    row-major order, so a ``3×2`` weight ``P`` first in Θ has ``P[1,0]`` in
    column ``1·2 + 0 = 2``. None when ``node_id`` is not a parameter or ``index``
    is not a tuple of indices."""
    if not net.has_node(node_id) or net.node(node_id).op != "param":
        return None
    if not isinstance(index, (tuple, list)):
        return None
    value = net.node(node_id).value
    assert value is not None  # a parameter holds its value
    within = int(np.ravel_multi_index(tuple(int(k) for k in index), value.shape))
    return net.theta_span(node_id).start + within


def link_scene(win: MainWindow, scene: GraphScene) -> None:
    """A canvas's selections drive the inspector and the Jacobian panel."""
    scene.nodeSelected.connect(lambda node_id: _node_selected(win, node_id))
    scene.entrySelected.connect(lambda node_id, index: _entry_selected(win, node_id, index))


def link_jacobian_panel(win: MainWindow) -> None:
    """The Jacobian panel's columns point at their parameter on the canvas."""
    win.jacobian_panel.parameterHovered.connect(lambda col: _parameter_hovered(win, col))
    win.jacobian_panel.parameterClicked.connect(lambda col: _parameter_clicked(win, col))


def _node_selected(win: MainWindow, node_id: str) -> None:
    win.inspector.set_node(node_id or None)
    if node_id:
        win.inspector_dock.raise_()


def _entry_selected(win: MainWindow, node_id: str, index: object) -> None:
    col = theta_column(win.doc.network, node_id, index)
    if col is not None:
        win.jacobian_panel.pin(col)


def _parameter_hovered(win: MainWindow, col: int) -> None:
    panel = win.jacobian_panel
    win.scene.highlight_parameter(col if col >= 0 else panel.pinned)
    if col >= 0:
        pid, idx = panel.parameter_of_column(col)
        name = panel.column_labels()[col]
        win.show_status(
            f"Column {col + 1} of J_fE(Θ): ∂f/∂{name}, the entry "
            f"{pid}[{','.join(str(i + 1) for i in idx)}]"
        )


def _parameter_clicked(win: MainWindow, col: int) -> None:
    pid, _ = win.jacobian_panel.parameter_of_column(col)
    win.scene.select_node(pid)
    win.inspector.set_node(pid)
    win.scene.highlight_parameter(col)
