"""The main window: the canvas in the centre, the inspector at the right, the
Jacobian panel at the bottom, gradient descent in a toolbar.

Every view subscribes to the one :class:`~gradviz.model.document.Document`; an
edit anywhere (a typed weight, a step, a loss target) is one command on the
window's ``QUndoStack`` and every view follows at once from the document's single
re-evaluation. The title is ``name[*] — gradviz`` with the ``*`` bound to the
undo stack's clean state; closing, opening or starting a new document with
unsaved changes asks Save/Discard/Cancel first.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QPoint, QSettings, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QColor, QPalette, QShowEvent, QUndoStack
from PySide6.QtWidgets import QDockWidget, QLabel, QMainWindow, QMenu, QWidget

from gradviz.model.document import Document
from gradviz.model.fileformat import ModelError
from gradviz.qt import documents, window_links
from gradviz.qt.autosave import Autosaver
from gradviz.qt.canvas import GraphScene, GraphView
from gradviz.qt.inspector import Inspector
from gradviz.qt.jacobian_panel import JacobianPanel
from gradviz.qt.theme import DisplayOptions
from gradviz.qt.training import TrainingToolBar
from gradviz.qt.walk import WalkMode
from gradviz.qt.window_menus import apply_palette, build_menus, load_options, save_options

if TYPE_CHECKING:
    from gradviz.qt.scalar_view import ScalarDock

HINTS = (
    "Click a node to inspect it · double-click an entry to edit it · "
    "wheel zooms · F fits the network"
)


class MainWindow(QMainWindow):
    """The gradviz window on one document. ``settings`` defaults to the app's QSettings."""

    def __init__(
        self,
        doc: Document | None = None,
        settings: QSettings | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.settings = settings if settings is not None else QSettings()
        self.recent = documents.RecentFiles(self.settings)
        self.options: DisplayOptions = load_options(self.settings)
        self.undo_stack = QUndoStack(self)
        self._shown = False
        self._dock_sizes: tuple[int, int] | None = None  # to put back after a new view
        self.doc = doc if doc is not None else documents.load_document("exercise3")

        self.scene = self._make_scene(self.doc)
        self.view = GraphView(self.scene, self)
        self.setCentralWidget(self.view)

        self.inspector = Inspector(self.doc, self.undo_stack, self.options, self)
        self.inspector_dock = self._dock(
            "Inspector", "inspectorDock", self.inspector, Qt.DockWidgetArea.RightDockWidgetArea
        )
        self.jacobian_panel = JacobianPanel(self.doc, self.options, self)
        self.jacobian_dock = self._dock(
            "Jacobian J_fE(Θ) and gradient ∇l(Θ)",
            "jacobianDock",
            self.jacobian_panel,
            Qt.DockWidgetArea.BottomDockWidgetArea,
        )
        self.setCorner(Qt.Corner.BottomRightCorner, Qt.DockWidgetArea.RightDockWidgetArea)
        window_links.link_jacobian_panel(self)

        self.training = TrainingToolBar(self.doc, self.undo_stack, self.options, self)
        self.training.statusMessage.connect(self.show_status)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, self.training)
        self.autosaver = Autosaver(self.doc, self.undo_stack, parent=self)
        self.autosaver.noted.connect(self.show_status)
        self.training.stepsTaken.connect(lambda _n: self.autosaver.save_now())

        self.hint_label = QLabel(HINTS, self)  # grey, by palette: a style sheet costs ms
        self.hint_label.setContentsMargins(0, 0, 6, 0)
        hint = self.hint_label.palette()
        hint.setColor(QPalette.ColorRole.WindowText, QColor("gray"))
        self.hint_label.setPalette(hint)
        self.statusBar().addPermanentWidget(self.hint_label)
        self.undo_stack.cleanChanged.connect(self._clean_changed)

        self.actions_by_name: dict[str, QAction] = {}
        self.scalar_dock: ScalarDock | None = None  # View → Scalar View, made on first use
        self.file_menu: QMenu
        self.recent_menu: QMenu
        self.walk = WalkMode(self)  # View → Backprop Walk: toolbar, panel, keys
        build_menus(self)
        apply_palette(self.options)
        self._update_title()
        self._restore_layout()

    # -- construction helpers --------------------------------------------------
    def _dock(self, title: str, name: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setWidget(widget)
        dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetMovable
            | QDockWidget.DockWidgetFeature.DockWidgetFloatable
            | QDockWidget.DockWidgetFeature.DockWidgetClosable
        )
        self.addDockWidget(area, dock)
        return dock

    def _make_scene(self, doc: Document) -> GraphScene:
        scene = GraphScene(doc, self.options, self.undo_stack, self)
        window_links.link_scene(self, scene)
        scene.statusMessage.connect(self.show_status)
        scene.contextMenuRequested.connect(self._context_menu)
        return scene

    def _restore_layout(self) -> None:
        geometry = self.settings.value("window/geometry")
        state = self.settings.value("window/state")
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            self.resize(1600, 1000)
        if state is None or not self.restoreState(state):
            self.resizeDocks([self.inspector_dock], [500], Qt.Orientation.Horizontal)
            self.resizeDocks([self.jacobian_dock], [250], Qt.Orientation.Vertical)

    def save_layout(self) -> None:
        """Remember geometry, dock and toolbar state, and the display options."""
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/state", self.saveState())
        save_options(self.settings, self.options)
        self.settings.sync()

    # -- the document ----------------------------------------------------------
    def set_document(self, doc: Document) -> None:
        """Show another document: a fresh scene, empty undo history, panels follow."""
        self.walk.stop()
        old = self.scene
        old.detach()
        self.doc = doc
        self.undo_stack.clear()
        self.scene = self._make_scene(doc)
        self.view = GraphView(self.scene, self)  # the view keeps its scene: a new pair
        self._keep_dock_sizes()
        self.setCentralWidget(self.view)  # deletes the old view
        old.deleteLater()
        self.inspector.set_document(doc, self.undo_stack)
        self.jacobian_panel.set_document(doc)
        self.training.set_document(doc, self.undo_stack)
        if self.scalar_dock is not None:
            self.scalar_dock.set_document(doc)
        self.undo_stack.setClean()
        self.autosaver.set_document(doc, self.undo_stack)
        self.setWindowModified(False)
        self._update_title()
        self.view.fit()

    def _keep_dock_sizes(self) -> None:
        """Qt lays a new central widget out at its minimum and gives the docks the
        rest: the docks' sizes go back right after that layout (:meth:`event`).
        Sizes measured while that is pending would be the squeezed ones (a second
        Open in the same pass of the event loop): the first measurement stands. A
        window not shown yet has no sizes to keep (its first layout sets them)."""
        if self._dock_sizes is None and self.isVisible():
            self._dock_sizes = (self.inspector_dock.width(), self.jacobian_dock.height())

    def event(self, event: QEvent) -> bool:
        done = super().event(event)
        if event.type() == QEvent.Type.LayoutRequest and self._dock_sizes is not None:
            width, height = self._dock_sizes
            self._dock_sizes = None
            self.resizeDocks([self.inspector_dock], [width], Qt.Orientation.Horizontal)
            self.resizeDocks([self.jacobian_dock], [height], Qt.Orientation.Vertical)
        return done

    def _clean_changed(self, clean: bool) -> None:
        self.setWindowModified(not clean)

    def _update_title(self) -> None:
        self.setWindowTitle(f"{documents.document_name(self.doc)}[*] — gradviz")

    def maybe_save(self) -> bool:
        """True when it is fine to drop the document: clean, saved now, or discarded."""
        if self.undo_stack.isClean():
            return True
        answer = documents.ask_save_changes(self, documents.document_name(self.doc))
        return self.save() if answer == "save" else answer == "discard"

    def open_file(self, path: str | None = None) -> bool:
        """Open ``path`` (asking for one when None). A bad file shows the one-line
        error and keeps the current document."""
        if not self.maybe_save():
            return False
        if path is None:
            path = documents.ask_open_path(self, self._start_dir())
            if path is None:
                return False
        try:
            doc = documents.load_document(path)
        except ModelError as e:
            self.show_error(str(e))
            if not Path(path).exists():
                self.recent.remove(path)
                self._rebuild_recent_menu()
            return False
        self.set_document(doc)
        if doc.path is not None:
            self.recent.add(doc.path)
            self.settings.setValue("lastDir", str(doc.path.parent))
        self._rebuild_recent_menu()
        self.show_status(f"Opened {documents.document_name(doc)}")
        return True

    def new_from_example(self, name: str) -> bool:
        """A new, unsaved document from a bundled example."""
        if not self.maybe_save():
            return False
        try:
            doc = documents.load_document(name)
        except ModelError as e:
            self.show_error(str(e))
            return False
        doc.path = None
        self.set_document(doc)
        self.show_status(f"New network from the example {name}; Save asks where to keep it")
        return True

    def save(self) -> bool:
        if self.doc.path is None:
            return self.save_as()
        return self._write(self.doc.path)

    def save_as(self, path: str | None = None) -> bool:
        if path is None:
            start = (
                str(self.doc.path)
                if self.doc.path
                else str(Path(self._start_dir()) / f"{documents.document_name(self.doc)}.json")
            )
            path = documents.ask_save_path(self, start)
            if path is None:
                return False
        return self._write(Path(path))

    def _write(self, path: Path) -> bool:
        try:
            written = documents.write_document(self.doc, path)
        except ModelError as e:
            self.show_error(str(e))
            return False
        self.undo_stack.setClean()
        self.recent.add(written)
        self.settings.setValue("lastDir", str(written.parent))
        self._rebuild_recent_menu()
        self._update_title()
        self.show_status(f"Saved {written}")
        return True

    def _start_dir(self) -> str:
        last = self.settings.value("lastDir", "")
        return str(last) if last else str(Path.home())

    def _rebuild_recent_menu(self) -> None:
        menu = getattr(self, "recent_menu", None)
        if menu is None:
            return
        menu.clear()
        paths = self.recent.paths()
        for k, p in enumerate(paths):
            action = menu.addAction(f"&{k + 1}  {Path(p).name}")
            action.setToolTip(p)
            action.setData(p)
            action.triggered.connect(lambda _=False, p=p: self.open_file(p))
        if paths:
            menu.addSeparator()
            menu.addAction("Clear the list", self._clear_recent)
        menu.setEnabled(bool(paths))

    def _clear_recent(self) -> None:
        self.recent.clear()
        self._rebuild_recent_menu()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        super().showEvent(event)
        if not self._shown:  # fit once the docks have their final sizes
            self._shown = True
            QTimer.singleShot(0, self.view.fit)

    def _context_menu(self, target: tuple[str, ...] | None, where: QPoint) -> None:
        """A right-click on the canvas: the structural edits (loaded on first use)."""
        from gradviz.qt import structure_menu

        structure_menu.show_menu(self, target, where)

    def export(self, name: str) -> object:
        """Run ``export_actions.<name>(self)``; the export modules (dialogs, renderers,
        TikZ) load on first use, not at start-up."""
        from gradviz.qt import export_actions

        return getattr(export_actions, name)(self)

    def copy_canvas(self) -> None:
        """File ▸ Copy Canvas as Image (the renderer loads on first use)."""
        from gradviz.qt import render

        render.copy_image_to_clipboard(self.scene)
        self.show_status("The canvas is on the clipboard as an image (twice the screen size)")

    # -- messages --------------------------------------------------------------
    def show_error(self, message: str) -> None:
        """The one-line error in a message box (the same text the CLI prints)."""
        documents.show_error(self, message)

    def show_status(self, message: str) -> None:
        self.statusBar().showMessage(message, 8000)

    # -- the display options and the docks ----------------------------------------
    def set_options(self, options: DisplayOptions) -> None:
        """Exact/decimals, digits, hidden values or gradients, theme: every view at once."""
        self.options = options
        apply_palette(options)
        self.scene.set_options(options)
        self.inspector.set_options(options)
        self.jacobian_panel.set_options(options)
        self.training.set_options(options)
        self.walk.set_options(options)
        if self.scalar_dock is not None:
            self.scalar_dock.scalar_view.set_options(options)
        save_options(self.settings, options)

    def toggle_scalar_view(self, on: bool = True) -> None:
        """View → Scalar View: every scalar operation, linked to J_fE(Θ) (made on first use)."""
        if self.scalar_dock is None:
            if not on:
                return
            from gradviz.qt import scalar_view

            self.scalar_dock = scalar_view.install(self)
        self.scalar_dock.setVisible(on)
        if on:
            self.scalar_dock.raise_()

    # -- closing ---------------------------------------------------------------
    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        if not self.maybe_save():
            event.ignore()
            return
        self.save_layout()
        self.autosaver.stop()
        self.scene.detach()
        self.inspector.detach()
        self.jacobian_panel.detach()
        self.training.detach()
        if self.scalar_dock is not None:
            self.scalar_dock.scalar_view.detach()
        event.accept()
