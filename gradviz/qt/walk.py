"""The backprop walk mode of the main window: View ▸ Backprop Walk (F5).

The walk (:func:`gradviz.engine.walk.walk_steps`) goes through the forward pass
node by node, then the backward pass edge by edge. While it runs:

* the canvas shows only what is known after the current step and highlights it
  (:mod:`gradviz.qt.walk_canvas`);
* a toolbar ``⏮ ◀ ▶ ⏭`` with the counter ``step 3 / 11: forward, z₂ = Q × g``
  (:mod:`gradviz.qt.walk_toolbar`);
* the walk panel (a dock, a tab over the Jacobian panel) shows the step's one
  multiplication with its numbers (:mod:`gradviz.qt.walk_panel`);
* the inspector and the gradient-descent toolbar, which show every value and the
  loss, are hidden until the walk ends (View brings them back meanwhile);
* the keys drive it, for a lecture: → Space PageDown next, ← PageUp Backspace
  back, Home and End the first and last step, Esc ends the walk. An application
  event filter takes these keys before the canvas or a panel can (the view would
  scroll), except while a text field or the canvas's entry editor has the focus.

Editing during the walk recomputes it: a changed weight, a step of gradient
descent, even a structural edit keep the walk going at the same step number
(clamped to the new length) with the new numbers. The steps are computed once
per evaluation of the document and cached (tens of ms on a big network).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence, QPalette
from PySide6.QtWidgets import QApplication, QDockWidget, QLineEdit, QWidget

from gradviz.engine.evaluate import Evaluation
from gradviz.model.document import Change, Document
from gradviz.qt.canvas import GraphView
from gradviz.qt.theme import DisplayOptions

if TYPE_CHECKING:
    from gradviz.engine.walk import WalkStep
    from gradviz.qt.main_window import MainWindow
    from gradviz.qt.walk_canvas import CanvasWalkOverlay
    from gradviz.qt.walk_panel import WalkPanel
    from gradviz.qt.walk_toolbar import WalkToolBar

_Key = Qt.Key
NEXT_KEYS = (_Key.Key_Right, _Key.Key_Space, _Key.Key_PageDown)
PREVIOUS_KEYS = (_Key.Key_Left, _Key.Key_PageUp, _Key.Key_Backspace)
FIRST_KEYS = (_Key.Key_Home,)
LAST_KEYS = (_Key.Key_End,)
EXIT_KEYS = (_Key.Key_Escape,)
EXPORT_FILTERS = (
    "PDF, one page per step (*.pdf)",
    "PNG images, one per step (*.png)",
    "SVG images, one per step (*.svg)",
    "Beamer slides with overlays (*.tex)",
)


def _typing_widgets() -> tuple[type[QWidget], ...]:
    """The widgets whose keys are text (their Qt types are made on first use)."""
    from PySide6.QtWidgets import QAbstractSpinBox, QComboBox, QPlainTextEdit, QTextEdit

    return (QLineEdit, QAbstractSpinBox, QTextEdit, QPlainTextEdit, QComboBox)


class WalkSteps:
    """The steps of a document's walk, recomputed only when its evaluation changes."""

    def __init__(self) -> None:
        self._evaluation: Evaluation | None = None
        self._steps: list[WalkStep] = []

    def of(self, doc: Document) -> list[WalkStep]:
        ev = doc.evaluation
        if ev is not self._evaluation:
            from gradviz.engine.walk import walk_steps

            self._steps = walk_steps(doc.network.to_program(), ev, unicode_minus=True)
            self._evaluation = ev
        return self._steps


class WalkMode(QObject):
    """The walk of ``window``'s document: :meth:`start`, :meth:`go`, :meth:`stop`."""

    stepChanged = Signal(int)
    activeChanged = Signal(bool)

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.win = window
        self.steps_cache = WalkSteps()
        self.index = 0
        self.active = False
        self._overlay: CanvasWalkOverlay | None = None  # made with the widgets
        self._unsubscribe: Callable[[], None] | None = None
        self._doc: Document | None = None
        self._hidden: list[QWidget] = []
        self._recompute = QTimer(self)
        self._recompute.setSingleShot(True)
        self._recompute.setInterval(0)
        self._recompute.timeout.connect(self._show)

        # the toolbar and the panel's dock are made when the walk first starts
        self.toolbar: WalkToolBar | None = None
        self.panel: WalkPanel | None = None
        self.dock: QDockWidget | None = None

        self.toggle_action = QAction("&Backprop Walk", window)
        self.toggle_action.setCheckable(True)
        self.toggle_action.setShortcut(QKeySequence("F5"))
        self.toggle_action.setStatusTip(
            "Step through the forward pass node by node, then the backward pass edge by edge"
        )
        self.toggle_action.toggled.connect(self._toggled)
        self.export_action = QAction("Export &Walk…", window)
        self.export_action.setStatusTip(
            "The walk as slides: one PDF page, PNG or SVG per step, or Beamer overlays"
        )
        self.export_action.triggered.connect(self.export_dialog)
        window.actions_by_name["walk"] = self.toggle_action
        window.actions_by_name["export_walk"] = self.export_action

    def _widgets(self) -> tuple[WalkToolBar, WalkPanel, QDockWidget]:
        """The toolbar, the panel and its dock, made on first use (so their modules,
        and the walk's drawing on the canvas, load only when a walk first starts)."""
        if self.toolbar is None or self.panel is None or self.dock is None:
            from gradviz.qt.walk_panel import WalkPanel
            from gradviz.qt.walk_toolbar import WalkToolBar

            win = self.win
            self.toolbar = WalkToolBar(self, win)
            win.addToolBar(Qt.ToolBarArea.TopToolBarArea, self.toolbar)
            self.panel = WalkPanel(win.options, win)
            self.dock = QDockWidget("Backprop walk: this step's multiplication", win)
            self.dock.setObjectName("walkDock")
            self.dock.setWidget(self.panel)
            win.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.dock)
        return self.toolbar, self.panel, self.dock

    # -- the steps -------------------------------------------------------------------
    @property
    def steps(self) -> list[WalkStep]:
        return self.steps_cache.of(self.win.doc)

    @property
    def step(self) -> WalkStep | None:
        steps = self.steps
        return steps[self.index] if self.active and steps else None

    def caption(self) -> str:
        """The toolbar's counter text (empty when no walk runs)."""
        return self.toolbar.caption if self.active and self.toolbar is not None else ""

    # -- starting and stopping ---------------------------------------------------------
    def _toggled(self, on: bool) -> None:
        if on and not self.active:
            self.start()
        elif not on and self.active:
            self.stop()

    def start(self, index: int = 0) -> bool:
        """Enter walk mode at step ``index``; False (and a status message) when the
        network has nothing to walk."""
        if not self.steps:
            self.win.show_status("Nothing to walk: the network computes no node")
            self._set_checked(False)
            return False
        self.active = True
        self._doc = self.win.doc
        self._unsubscribe = self._doc.subscribe(self._on_change)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)
        # the inspector and the loss in the training toolbar would give the values away
        self._hidden = [w for w in (self.win.inspector_dock, self.win.training) if w.isVisible()]
        for w in self._hidden:
            w.hide()
        toolbar, _, dock = self._widgets()
        toolbar.show()
        jacobian = self.win.jacobian_dock
        if jacobian.isVisible() and not jacobian.isFloating():
            self.win.tabifyDockWidget(jacobian, dock)  # the panel gets the whole width
        dock.show()
        dock.raise_()
        self._set_checked(True)
        self.win.view.setFocus(Qt.FocusReason.OtherFocusReason)
        self.activeChanged.emit(True)
        self.go(index)
        return True

    def stop(self) -> None:
        """Leave walk mode: the canvas shows every value and gradient again."""
        if not self.active:
            return
        self.active = False
        self._recompute.stop()
        if self._unsubscribe is not None:
            self._unsubscribe()
        self._unsubscribe = self._doc = None
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
        self.win.scene.set_walk_overlay(None)
        toolbar, panel, dock = self._widgets()
        toolbar.hide()
        dock.hide()
        for w in self._hidden:
            w.show()
        self._hidden = []
        panel.show_idle()
        self._set_checked(False)
        self.activeChanged.emit(False)

    def _set_checked(self, on: bool) -> None:
        self.toggle_action.blockSignals(True)
        self.toggle_action.setChecked(on)
        self.toggle_action.blockSignals(False)

    # -- moving --------------------------------------------------------------------------
    def go(self, index: int) -> None:
        """Show step ``index`` (0-based, clamped to the walk)."""
        if not self.active:
            return
        self.index = index
        self._show()

    def next(self) -> None:
        self.go(self.index + 1)

    def previous(self) -> None:
        self.go(self.index - 1)

    def first(self) -> None:
        self.go(0)

    def last(self) -> None:
        self.go(len(self.steps) - 1)

    def _show(self) -> None:
        from gradviz.qt.walk_canvas import CanvasWalkOverlay, WalkState, step_caption

        if not self.active:
            return
        steps = self.steps
        if not steps:
            self.stop()
            return
        self.index = max(0, min(self.index, len(steps) - 1))
        step = steps[self.index]
        net = self.win.doc.network
        state = WalkState.of(step, len(steps))
        if self._overlay is None:
            self._overlay = CanvasWalkOverlay(state)
        self._overlay.state = state
        self.win.scene.set_walk_overlay(self._overlay)
        toolbar, panel, _ = self._widgets()
        toolbar.show_position(self.index, len(steps), step_caption(net, step, len(steps)))
        panel.show_step(net, step, len(steps), self.win.doc.evaluation.values)
        self.stepChanged.emit(self.index)

    def _on_change(self, change: Change) -> None:
        if change.kind != "positions":
            self._recompute.start()  # once the burst of changes is over

    def set_options(self, options: DisplayOptions) -> None:
        """Exact or decimals, theme: the panel follows (the canvas does by itself)."""
        if self.panel is not None:
            self.panel.set_options(options)
        if self.toolbar is not None:  # the window's palette has just changed with the theme
            self.toolbar.paint_icons(self.toolbar.palette().color(QPalette.ColorRole.ButtonText))

    # -- keys ----------------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        kind = event.type()
        if not self.active or kind not in (QEvent.Type.KeyPress, QEvent.Type.ShortcutOverride):
            return False
        assert isinstance(event, QKeyEvent)
        widget = watched if isinstance(watched, QWidget) else QApplication.focusWidget()
        if widget is None or widget.window() is not self.win or self._typing(widget):
            return False
        move = self._move_for(event)
        if move is None:
            return False
        event.accept()
        if kind == QEvent.Type.KeyPress:
            move()
        return True

    def _move_for(self, event: QKeyEvent) -> Callable[[], None] | None:
        mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if mods != Qt.KeyboardModifier.NoModifier:
            return None
        key = event.key()
        for keys, move in (
            (NEXT_KEYS, self.next),
            (PREVIOUS_KEYS, self.previous),
            (FIRST_KEYS, self.first),
            (LAST_KEYS, self.last),
            (EXIT_KEYS, self.stop),
        ):
            if key in keys:
                return move
        return None

    def _typing(self, widget: QWidget) -> bool:
        """Whether keys are text for ``widget``: a field, or the canvas's entry editor."""
        typing = _typing_widgets()
        focus = QApplication.focusWidget() or widget
        if isinstance(focus, typing) or isinstance(widget, typing):
            return True
        if isinstance(focus, GraphView):
            scene = focus.graph_scene
            return scene.editor is not None and scene.focusItem() is not None
        return False

    # -- export --------------------------------------------------------------------------
    def export_dialog(self) -> None:
        """File ▸ Export Walk…: ask where, then write the slides as the CLI does."""
        from PySide6.QtWidgets import QFileDialog

        doc = self.win.doc
        stem = doc.path.stem if doc.path is not None else "walk"
        folder = Path(str(self.win.settings.value("lastDir", "") or Path.home()))
        path, chosen = QFileDialog.getSaveFileName(
            self.win,
            "Export the backprop walk",
            str(folder / f"{stem}-walk.pdf"),
            ";;".join(EXPORT_FILTERS),
        )
        if not path:
            return
        if not Path(path).suffix:  # the extension of the chosen filter, "… (*.png)"
            m = re.search(r"\*(\.\w+)\)", chosen)
            path += m[1] if m else ".pdf"
        self.export_to(path)

    def export_to(self, path: str | Path) -> list[Path]:
        """Write the walk of the current document to ``path`` with the window's
        display options; errors go to a message box. Returns the files written."""
        from gradviz.qt.walk_render import export_walk, written_summary

        o = self.win.options
        try:
            written = export_walk(
                self.win.doc.network,
                path,
                theme=o.theme,
                exact=o.exact,
                show_values=o.show_values,
                show_gradients=o.show_gradients,
            )
        except (OSError, ValueError) as e:
            self.win.show_error(f"{path}: the walk could not be exported ({e})")
            return []
        self.win.show_status(written_summary(path, written, len(self.steps)))
        return written
