"""The main window's menus and the display options they switch.

File: New (from a bundled example), Open…, Open Recent, Save, Save As…, the
export group, Quit. Edit: Undo/Redo (Ctrl+Z, Ctrl+Shift+Z, Ctrl+Y). View: exact
fractions or decimals and their digits, values and gradients shown or hidden,
light or dark theme, zoom, the docks. Gradient descent: Step, Run, Reset.
Display options are remembered in QSettings under ``view/``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QSettings
from PySide6.QtGui import QAction, QActionGroup, QColor, QKeySequence, QPalette
from PySide6.QtWidgets import QApplication, QMenu

from gradviz.model.examples import example_names
from gradviz.qt.theme import THEMES, DisplayOptions

if TYPE_CHECKING:
    from gradviz.qt.main_window import MainWindow

DIGITS = (2, 3, 4, 5, 6, 8, 10)


def load_options(settings: QSettings) -> DisplayOptions:
    """The display options saved last time (defaults: exact, 4 digits, light)."""
    d = DisplayOptions()
    theme = str(settings.value("view/theme", d.theme))
    digits = settings.value("view/digits", d.digits, type=int)
    return DisplayOptions(
        exact=bool(settings.value("view/exact", d.exact, type=bool)),
        digits=int(digits) if int(digits) in DIGITS else d.digits,  # type: ignore[call-overload]
        show_values=bool(settings.value("view/showValues", d.show_values, type=bool)),
        show_gradients=bool(settings.value("view/showGradients", d.show_gradients, type=bool)),
        theme=theme if theme in THEMES else d.theme,
    )


def save_options(settings: QSettings, o: DisplayOptions) -> None:
    settings.setValue("view/exact", o.exact)
    settings.setValue("view/digits", o.digits)
    settings.setValue("view/showValues", o.show_values)
    settings.setValue("view/showGradients", o.show_gradients)
    settings.setValue("view/theme", o.theme)


def apply_palette(options: DisplayOptions) -> None:
    """Dark theme: the whole window goes dark, not only the canvas."""
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        return
    if options.theme != "dark":
        app.setPalette(app.style().standardPalette())
        return
    t = options.palette
    pal = QPalette()
    roles = {
        QPalette.ColorRole.Window: "#25292f",
        QPalette.ColorRole.WindowText: t.text,
        QPalette.ColorRole.Base: t.background,
        QPalette.ColorRole.AlternateBase: t.grid,
        QPalette.ColorRole.Text: t.text,
        QPalette.ColorRole.Button: "#30353d",
        QPalette.ColorRole.ButtonText: t.text,
        QPalette.ColorRole.Highlight: t.selection,
        QPalette.ColorRole.HighlightedText: "#ffffff",
        QPalette.ColorRole.ToolTipBase: t.grid,
        QPalette.ColorRole.ToolTipText: t.text,
        QPalette.ColorRole.PlaceholderText: t.dim_text,
        QPalette.ColorRole.Link: t.value,
        QPalette.ColorRole.BrightText: t.highlight,
    }
    for role, color in roles.items():
        pal.setColor(role, QColor(color))
    for role in (
        QPalette.ColorRole.Text,
        QPalette.ColorRole.ButtonText,
        QPalette.ColorRole.WindowText,
    ):
        pal.setColor(QPalette.ColorGroup.Disabled, role, QColor(t.dim_text))
    app.setPalette(pal)


def _action(
    win: MainWindow,
    name: str,
    text: str,
    slot: object = None,
    *,
    shortcuts: tuple[str | QKeySequence.StandardKey, ...] = (),
    checkable: bool = False,
    checked: bool = False,
    tip: str = "",
) -> QAction:
    action = QAction(text, win)
    if shortcuts:
        action.setShortcuts([QKeySequence(s) for s in shortcuts])
    if checkable:
        action.setCheckable(True)
        action.setChecked(checked)
    if tip:
        action.setStatusTip(tip)
    if slot is not None:
        action.triggered.connect(slot)
    win.actions_by_name[name] = action
    return action


def _option_toggle(win: MainWindow, menu: QMenu, field: str, text: str, **kw: Any) -> None:
    """A checkable action for the yes/no display option ``field`` (named ``field``)."""
    menu.addAction(
        _action(
            win,
            field,
            text,
            lambda on: win.set_options(win.options.with_(**{field: on})),
            checkable=True,
            checked=getattr(win.options, field),
            **kw,
        )
    )


def _option_choices(
    win: MainWindow, menu: QMenu, field: str, choices: Sequence[tuple[object, str]]
) -> None:
    """One checked action among ``choices`` (value, text) for the display option
    ``field``; each is named ``field:value`` (``digits:4``, ``theme:dark``)."""
    group = QActionGroup(win)
    for value, text in choices:
        action = _action(
            win,
            f"{field}:{value}",
            text,
            lambda _=False, v=value: win.set_options(win.options.with_(**{field: v})),
            checkable=True,
            checked=getattr(win.options, field) == value,
        )
        group.addAction(action)
        menu.addAction(action)


def _new_network(win: MainWindow) -> None:
    """File → New Network… (the builder dialog loads on first use)."""
    from gradviz.qt.builder_dialog import new_network

    new_network(win)


def _export_actions(win: MainWindow, menu: QMenu) -> None:
    """File's export group: Export… (the dialog with a preview), Export Worked
    Solution…, Export Walk…, Copy Canvas as Image."""
    menu.addAction(
        _action(
            win,
            "export",
            "&Export…",
            lambda: win.export("open_export_dialog"),
            shortcuts=("Ctrl+E",),
            tip="PNG, SVG, PDF or TikZ of the drawing, with a preview",
        )
    )
    menu.addAction(
        _action(
            win,
            "export_solution",
            "Export &Worked Solution…",
            lambda: win.export("export_solution"),
            tip="The derivation step by step, as LaTeX or Markdown",
        )
    )
    menu.addAction(win.walk.export_action)
    menu.addAction(
        _action(
            win,
            "copy_image",
            "Copy Canvas as Image",
            win.copy_canvas,
            shortcuts=("Ctrl+Shift+C",),
        )
    )


def build_menus(win: MainWindow) -> None:
    """Create the menu bar of ``win`` (actions also in ``win.actions_by_name``)."""
    bar = win.menuBar()
    # File
    file_menu = bar.addMenu("&File")
    win.file_menu = file_menu
    file_menu.addAction(
        _action(
            win,
            "new_network",
            "&New Network…",
            lambda: _new_network(win),
            shortcuts=("Ctrl+Shift+N",),
            tip="Build a layered network or a fresh exercise",
        )
    )
    new_menu = file_menu.addMenu("&New from Example")
    for name in example_names():
        new_menu.addAction(
            _action(win, f"new:{name}", name, lambda _=False, n=name: win.new_from_example(n))
        )
    file_menu.addAction(
        _action(
            win,
            "open",
            "&Open…",
            lambda: win.open_file(),
            shortcuts=(QKeySequence.StandardKey.Open,),
        )
    )
    win.recent_menu = file_menu.addMenu("Open &Recent")
    win._rebuild_recent_menu()
    file_menu.addSeparator()
    file_menu.addAction(
        _action(win, "save", "&Save", win.save, shortcuts=(QKeySequence.StandardKey.Save,))
    )
    file_menu.addAction(
        _action(win, "save_as", "Save &As…", lambda: win.save_as(), shortcuts=("Ctrl+Shift+S",))
    )
    file_menu.addSeparator()
    _export_actions(win, file_menu)
    file_menu.addSeparator()
    file_menu.addAction(_action(win, "quit", "&Quit", win.close, shortcuts=("Ctrl+Q",)))

    # Edit
    edit = bar.addMenu("&Edit")
    undo = win.undo_stack.createUndoAction(win, "&Undo")
    undo.setShortcuts([QKeySequence("Ctrl+Z")])
    redo = win.undo_stack.createRedoAction(win, "&Redo")
    redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
    win.actions_by_name["undo"], win.actions_by_name["redo"] = undo, redo
    edit.addAction(undo)
    edit.addAction(redo)

    # View
    view = bar.addMenu("&View")
    _option_toggle(
        win,
        view,
        "exact",
        "&Exact Fractions",
        shortcuts=("Ctrl+Shift+F",),
        tip="3/4 and ln 2 instead of 0.75 and 0.6931",
    )
    digits = view.addMenu("&Digits for Decimals")
    _option_choices(win, digits, "digits", [(d, f"{d} significant digits") for d in DIGITS])
    view.addSeparator()
    _option_toggle(win, view, "show_values", "Show &Values on Edges")
    _option_toggle(win, view, "show_gradients", "Show &Gradients on Edges")
    show_fd = _action(
        win,
        "show_fd",
        "Show &Finite Differences in the Inspector",
        checkable=True,
        checked=True,
        slot=win.inspector.set_fd_visible,
    )
    win.inspector.fdVisibilityChanged.connect(show_fd.setChecked)
    view.addAction(show_fd)
    view.addSeparator()
    _option_choices(win, view, "theme", [("light", "&Light Theme"), ("dark", "Dar&k Theme")])
    view.addSeparator()
    view.addAction(
        _action(
            win, "zoom_in", "Zoom &In", lambda: win.view.zoom_in(), shortcuts=("Ctrl++", "Ctrl+=")
        )
    )
    view.addAction(
        _action(win, "zoom_out", "Zoom &Out", lambda: win.view.zoom_out(), shortcuts=("Ctrl+-",))
    )
    view.addAction(_action(win, "fit", "&Fit to Window", lambda: win.view.fit(), shortcuts=("F",)))
    view.addSeparator()
    # Ctrl+Shift+S is Save As: the scalar view (an eXpansion of every op) takes Ctrl+Shift+X
    view.addAction(
        _action(
            win,
            "scalar_view",
            "&Scalar View",
            win.toggle_scalar_view,
            shortcuts=("Ctrl+Shift+X",),
            checkable=True,
            tip="Every scalar operation with its value and ∂l/∂·; click an "
            "entry of J_fE(Θ) to see its paths",
        )
    )
    view.addAction(win.walk.toggle_action)  # Backprop Walk (F5), gradviz.qt.walk
    for dock in (win.inspector_dock, win.jacobian_dock):
        view.addAction(dock.toggleViewAction())
    view.addAction(win.training.toggleViewAction())

    # Gradient descent
    train = bar.addMenu("&Gradient Descent")
    train.addAction(
        _action(
            win,
            "step",
            "&Step",
            win.training.step,
            shortcuts=("Ctrl+Return",),
            tip="Θ ← Θ − lr·∇l(Θ)",
        )
    )
    train.addAction(
        _action(
            win,
            "run",
            "&Run N Steps",
            lambda: win.training.run(win.training.steps_spin.value()),
            shortcuts=("Ctrl+Shift+Return",),
        )
    )
    train.addAction(_action(win, "reset", "Reset Θ to the &Loaded Values", win.training.reset))

    # Help
    help_menu = bar.addMenu("&Help")
    help_menu.addAction(_action(win, "about", "&About gradviz", lambda: _about(win)))


def _about(win: MainWindow) -> None:
    from PySide6.QtWidgets import QMessageBox

    QMessageBox.about(
        win,
        "About gradviz",
        "<b>gradviz</b> shows backpropagation: forward values above every edge, "
        "∂l/∂· below it, every Jacobian one click away, in exact fractions.",
    )
