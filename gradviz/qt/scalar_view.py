"""View → Scalar View: the network expanded into its scalar operations (issue 7).

The sheet's Exercise 0 looks "inside" the chain rule: an entry of
``J_f(g(X)) × J_g(X)`` is a sum, over every path from ``x_j`` to ``f_i`` through
the scalar graph, of the product of the local partials along the path. This
view draws that graph (:mod:`gradviz.engine.scalar`, one box per product, sum,
ReLU, exponential, normalisation, ``−ln``), each box with its value and
``∂l/∂(that scalar)``, and links it to the tensor views both ways:

* clicking an entry ``∂f_i/∂θ_j`` of ``J_fE(Θ)`` (the Jacobian panel, or the
  ``∂f/∂P`` block of the inspector) highlights every path from ``θ_j`` to ``f_i``
  (:func:`gradviz.engine.paths.jacobian_entry`); the side panel lists the
  product along each path and their sum, which is the entry;
* clicking a box selects its tensor node on the canvas (and, for a weight, its
  column of ``J_fE(Θ)``); selecting a node on the canvas outlines its scalars here.

It follows the document: an edit or a gradient step rewrites the numbers in
place (the boxes stay put), a structural edit lays the graph out anew. While the
dock is hidden nothing is expanded; it catches up when shown.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QRectF, Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QDockWidget,
    QLabel,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from gradviz.engine.paths import PathSum, jacobian_entry
from gradviz.engine.scalar import ScalarGraph, expand
from gradviz.model.document import Change, Document
from gradviz.qt.document_link import DocumentLink, FollowsDocument
from gradviz.qt.scalar_panel import HINT, PathPanel
from gradviz.qt.scalar_scene import ScalarGraphView, ScalarScene
from gradviz.qt.sheet_notation import sheet_name
from gradviz.qt.theme import DisplayOptions
from gradviz.qt.window_links import theta_column

if TYPE_CHECKING:
    from gradviz.qt.main_window import MainWindow

MAX_LISTED = 200
"""Paths listed (and highlighted) at most; the sum always covers every path."""


class ScalarView(FollowsDocument, QWidget):
    """The scalar graph of a document with its path panel, kept current by itself.
    ``scalarActivated(tensor id, entry)`` reports a clicked box (``entry`` a
    0-based tuple, or None for an intermediate such as a product)."""

    scalarActivated = Signal(str, object)

    def __init__(
        self, doc: Document, options: DisplayOptions | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._options = options or DisplayOptions()
        self.graph: ScalarGraph | None = None
        self.entry: tuple[int, int] | None = None
        self.paths: PathSum | None = None
        self._dirty = True
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.scene = ScalarScene(self._options, self)
        self.view = ScalarGraphView(self.scene, splitter)
        self.panel = PathPanel(splitter)
        self.panel.set_options(self._options)
        splitter.addWidget(self.view)
        splitter.addWidget(self.panel)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([1000, 330])
        self.splitter = splitter
        self.panel.hide()  # the graph has the whole width until an entry is clicked
        self.setMinimumHeight(240)
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        self.message.hide()
        self.hint = QLabel(HINT, self)
        self.hint.setTextFormat(Qt.TextFormat.RichText)
        self.hint.setWordWrap(True)
        self.hint.setContentsMargins(8, 2, 8, 2)
        self.hint.setStyleSheet(f"color: {self._options.palette.dim_text};")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.message)
        layout.addWidget(self.hint)
        layout.addWidget(splitter, 1)
        self.scene.scalarClicked.connect(self._scalar_clicked)
        self.panel.pathFocused.connect(self._path_focused)
        self.panel.closeRequested.connect(self.clear_paths)
        self.panel.hide_zero.toggled.connect(lambda _: self._update_paths())
        self._link = DocumentLink(doc, None, self._on_change)

    # -- public ----------------------------------------------------------------------
    def set_document(self, doc: Document) -> None:
        self._link.switch(doc)
        self.entry, self.paths = None, None
        self._dirty = True
        self.refresh_if_shown()

    def detach(self) -> None:
        self._link.detach()

    def set_options(self, options: DisplayOptions) -> None:
        self._options = options
        self.scene.set_options(options)
        self.panel.set_options(options)
        self.hint.setStyleSheet(f"color: {options.palette.dim_text};")
        self._update_paths()

    def refresh(self) -> None:
        """Expand the document's network anew and redraw (in place when its shape
        is unchanged); the selected Jacobian entry is recomputed."""
        self._dirty = False
        ev = self.doc.evaluation
        try:
            graph = expand(self.doc.network.to_program(), ev)
        except ValueError as e:
            self.message.setText(f"The scalar view cannot show this network: {e}")
            self.message.show()
            self.splitter.hide()
            return
        self.message.hide()
        self.splitter.show()
        self.graph = graph
        rebuilt = self.scene.set_graph(graph)
        if self.entry is not None and (
            self.entry[0] >= len(graph.output_ids) or self.entry[1] >= len(graph.theta_ids)
        ):
            self.entry = None
        self._update_paths(keep_focus=not rebuilt)

    def refresh_if_shown(self) -> None:
        if self._dirty and self.isVisible():
            self.refresh()

    def show_jacobian_entry(self, row: int, col: int) -> None:
        """Highlight every path from θ_col to f_row (0-based) and list them."""
        self.entry = (row, col)
        if self._dirty:
            self.refresh_if_shown()
            if self._dirty:
                return
        self._update_paths()
        if self.paths is not None:
            self.view.focus_on(self._rect_of(self.paths.nodes | {self.paths.of, self.paths.wrt}))

    def clear_paths(self) -> None:
        self.entry = None
        self._update_paths()

    def mark_tensor(self, tensor: str) -> None:
        """Outline the scalars of the tensor node selected on the canvas."""
        g = self.graph
        self.scene.mark_scalars(g.tensor_scalars(tensor) if g is not None and tensor else ())

    def item_of(self, tensor: str, entry: tuple[int, ...]) -> int:
        """The id of the scalar holding ``tensor[entry]``."""
        assert self.graph is not None
        return self.graph.id_of(tensor, entry)

    # -- internals -------------------------------------------------------------------
    def _rect_of(self, ids: set[int]) -> QRectF:
        rect = QRectF()
        for i in ids:
            rect = rect.united(self.scene.node_items[i].sceneBoundingRect())
        return rect

    def _update_paths(self, keep_focus: bool = False) -> None:
        g = self.graph
        shown = g is not None and self.entry is not None and bool(g.output_ids)
        self.panel.setVisible(shown)
        self.hint.setVisible(not shown)
        if g is None or self.entry is None or not g.output_ids:
            self.paths = None
            self.scene.show_paths(None)
            self.panel.show_paths(None, None)
            return
        row, col = self.entry
        focus = self.scene.focus_path if keep_focus else None
        self.paths = jacobian_entry(
            g, row, col, max_paths=MAX_LISTED, prune_zero=self.panel.hide_zero.isChecked()
        )
        if focus is not None and focus >= len(self.paths.paths):
            focus = None
        self.scene.show_paths(self.paths, focus)
        ev = self.doc.evaluation
        entry = float(ev.jacobian[row, col]) if ev.jacobian is not None else None
        out = ev.output or "f"
        where = f"J<sub>{out}<sub>E</sub></sub>(Θ)[{row + 1}, {col + 1}]"
        self.panel.show_paths(g, self.paths, entry=entry, where=where)
        if focus is not None:
            self.panel.list.blockSignals(True)
            self.panel.list.setCurrentRow(focus)
            self.panel.list.blockSignals(False)
            self.panel.all_button.setEnabled(True)

    def _path_focused(self, row: int) -> None:
        self.scene.show_paths(self.paths, row if row >= 0 else None)

    def _scalar_clicked(self, scalar_id: int) -> None:
        if self.graph is None:
            return
        node = self.graph.nodes[scalar_id]
        self.scalarActivated.emit(node.tensor, node.entry)

    def _on_change(self, change: Change) -> None:
        if change.kind == "positions":
            return
        if change.kind == "structure":  # another network: θ_j and f_i mean other things
            self.entry = None
        self._dirty = True
        self.refresh_if_shown()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        super().showEvent(event)
        self.refresh_if_shown()


class ScalarDock(QDockWidget):
    """The scalar view as a dock of the main window (floatable: on a projector it
    can take a screen of its own). :meth:`attach` wires it to the window."""

    def __init__(self, win: MainWindow) -> None:
        super().__init__("Scalar view: every scalar operation, ∂l/∂· and the paths of J_fE(Θ)", win)
        self.setObjectName("scalarDock")
        self.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetMovable
            | QDockWidget.DockWidgetFeature.DockWidgetFloatable
            | QDockWidget.DockWidgetFeature.DockWidgetClosable
        )
        self.win = win
        self.scalar_view = ScalarView(win.doc, win.options, self)
        self.setWidget(self.scalar_view)
        self.scalar_view.scalarActivated.connect(self._activated)
        win.jacobian_panel.entryClicked.connect(self.scalar_view.show_jacobian_entry)
        win.inspector.jacobianEntryClicked.connect(self.scalar_view.show_jacobian_entry)
        self._scene_connected: object = None
        self.follow_scene()

    def follow_scene(self) -> None:
        """Outline the scalars of whatever the (current) canvas selects."""
        scene = self.win.scene
        if scene is not self._scene_connected:
            scene.nodeSelected.connect(self.scalar_view.mark_tensor)
            self._scene_connected = scene

    def set_document(self, doc: Document) -> None:
        """The window opened another document (and made a new canvas)."""
        self.scalar_view.set_document(doc)
        self.follow_scene()

    def _activated(self, tensor: str, entry: object) -> None:
        """A box was clicked: select its node on the canvas; a weight's entry also
        pins its column of J_fE(Θ)."""
        win = self.win
        win.scene.select_node(tensor)
        net = win.doc.network
        if not net.has_node(tensor) or not isinstance(entry, tuple):
            return
        col = theta_column(net, tensor, entry)
        if col is None:  # not a weight: name the entry
            win.show_status(f"{tensor}[{','.join(str(k + 1) for k in entry)}]" if entry else tensor)
            return
        win.jacobian_panel.pin(col)
        win.scene.highlight_parameter(col)
        win.show_status(
            f"θ{_sub(col + 1)} = {sheet_name(win.doc.evaluation.theta_names[col])}: "
            f"column {col + 1} of J_fE(Θ)"
        )


def _sub(k: int) -> str:
    return str(k).translate(str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉"))


def install(win: MainWindow) -> ScalarDock:
    """Create the scalar dock in the top area of ``win`` (above the canvas, full
    width: the graph reads left to right), or where the saved layout had it."""
    dock = ScalarDock(win)
    win.addDockWidget(Qt.DockWidgetArea.TopDockWidgetArea, dock)
    # restoreDockWidget also "succeeds" without a saved place (and collapses the dock)
    state = win.settings.value("window/state")
    raw = state.data() if isinstance(state, QByteArray) else state
    saved = isinstance(raw, (bytes, bytearray)) and "scalarDock".encode("utf-16-be") in raw
    if not (saved and win.restoreDockWidget(dock)):
        height = max(360, int(win.height() * 0.45))
        win.resizeDocks([dock], [height], Qt.Orientation.Vertical)
    action = win.actions_by_name.get("scalar_view")
    if action is not None:  # closing the dock unchecks View → Scalar View
        dock.toggleViewAction().toggled.connect(action.setChecked)
    return dock
