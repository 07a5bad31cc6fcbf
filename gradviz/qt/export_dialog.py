"""File → Export… and File → Export Worked Solution… for the main window.

:class:`ExportDialog` shows a live preview of the file it will write (the
exporter's own drawing, scaled to fit; the ``.tex`` source for TikZ) beside the
options: format (PNG at 1×, 2× or 3×, SVG, PDF, TikZ with "picture only" for
``\\input`` in a Beamer frame), theme, transparent background, values, gradients,
exact fractions (following the window), the whole graph or the selected nodes, and
the margin around the drawing. Export… asks for a file (:meth:`ExportDialog.ask_path`,
which tests replace), writes it with the command line's code
(:func:`gradviz.qt.export_files.write_export`), reports the path in the window's
status bar and remembers the options and the folder in QSettings. A file that
cannot be written gives a one-sentence message box and leaves the dialog open.

:func:`export_solution` writes the worked solution (LaTeX or Markdown) at the
document's current values, with the toolbar's learning rate for the final step.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from gradviz.model.network import Network
from gradviz.qt.export_files import (
    FORMATS,
    SCALES,
    SOLUTION_FORMATS,
    ExportOptions,
    failure_message,
    load_export_options,
    save_export_options,
    tikz_text,
    with_suffix,
    write_export,
    write_solution,
)
from gradviz.qt.export_preview import PreviewCanvas, PreviewRenderer
from gradviz.qt.theme import DisplayOptions

if TYPE_CHECKING:
    from gradviz.qt.main_window import MainWindow

DIR_KEY = "export/dir"


def file_stem(title: str) -> str:
    """A file name from a title: ``Exercise 3`` → ``exercise-3``."""
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-") or "network"


class ExportDialog(QDialog):
    """Export the drawing of ``net``. ``selection`` are the node ids selected on the
    canvas (empty: "Selected nodes only" is disabled); ``window_options`` the
    window's display options (exact fractions and digits follow them)."""

    #: A file was written: the message for the status bar.
    exported = Signal(str)

    def __init__(self, net: Network, settings: QSettings, window_options: DisplayOptions,
                 selection: list[str] | tuple[str, ...] = (), name: str = "network",
                 start_dir: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export the Drawing")
        self.net, self.settings, self.selection = net, settings, list(selection)
        self.name, self.start_dir = name, start_dir
        self.renderer = PreviewRenderer(net)
        self._tex_cache: tuple[ExportOptions, str] | None = None
        initial = load_export_options(settings, window_options)

        root = QVBoxLayout(self)
        self.pages = QStackedWidget(self)
        self.preview = PreviewCanvas(self.pages)
        self.source_edit = QPlainTextEdit(self.pages)
        self.source_edit.setReadOnly(True)
        self.source_edit.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.source_edit.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.pages.addWidget(self.preview)
        self.pages.addWidget(self.source_edit)
        root.addWidget(self.pages, 1)
        row = QHBoxLayout()
        self.info_label = QLabel(self)
        self.info_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.show_source = QPushButton("Show the TikZ Source", self)
        self.show_source.setCheckable(True)
        row.addWidget(self.info_label, 1)
        row.addWidget(self.show_source)
        root.addLayout(row)

        boxes = QHBoxLayout()
        boxes.addWidget(self._file_box(initial))
        boxes.addWidget(self._look_box(initial))
        boxes.addWidget(self._content_box(initial))
        root.addLayout(boxes)

        buttons = QDialogButtonBox(self)
        self.export_button = buttons.addButton("Export…", QDialogButtonBox.ButtonRole.AcceptRole)
        self.export_button.setDefault(True)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.export)
        buttons.rejected.connect(self.reject)
        root.addWidget(buttons)

        self._timer = QTimer(self)  # re-render once after a burst of resizes
        self._timer.setSingleShot(True)
        self._timer.setInterval(30)
        self._timer.timeout.connect(self.refresh_preview)
        self.preview.resized.connect(self._timer.start)
        for signal in (self.format_combo.currentIndexChanged, self.scale_combo.currentIndexChanged,
                       self.theme_combo.currentIndexChanged, self.picture_only_check.toggled,
                       self.transparent_check.toggled, self.values_check.toggled,
                       self.gradients_check.toggled, self.exact_check.toggled,
                       self.selection_radio.toggled, self.margin_spin.valueChanged,
                       self.show_source.toggled):
            signal.connect(self.refresh_preview)
        self.resize(980, 640)
        self.refresh_preview()

    # -- building --------------------------------------------------------------
    def _file_box(self, o: ExportOptions) -> QGroupBox:
        box = QGroupBox("File", self)
        form = QFormLayout(box)
        self.format_combo = QComboBox(box)
        for key, (suffix, text) in FORMATS.items():
            self.format_combo.addItem(f"{text} ({suffix})", key)
        self.format_combo.setCurrentIndex(list(FORMATS).index(o.fmt))
        self.scale_combo = QComboBox(box)
        for k in SCALES:
            self.scale_combo.addItem(f"{k}×", k)
        self.scale_combo.setCurrentIndex(SCALES.index(o.scale))
        self.scale_combo.setToolTip("Pixels per canvas unit: 2× is sharp on slides and "
                                    "high-resolution screens")
        self.picture_only_check = QCheckBox("Picture only, for \\input in a Beamer frame", box)
        self.picture_only_check.setChecked(o.picture_only)
        self.picture_only_check.setToolTip(
            "Write the tikzpicture alone (needs \\usepackage{tikz}) instead of a "
            "standalone document")
        form.addRow("Format:", self.format_combo)
        form.addRow("PNG scale:", self.scale_combo)
        form.addRow(self.picture_only_check)
        return box

    def _look_box(self, o: ExportOptions) -> QGroupBox:
        box = QGroupBox("Look", self)
        form = QFormLayout(box)
        self.theme_combo = QComboBox(box)
        self.theme_combo.addItem("Light", "light")
        self.theme_combo.addItem("Dark", "dark")
        self.theme_combo.setCurrentIndex(0 if o.theme == "light" else 1)
        self.transparent_check = QCheckBox("Transparent background", box)
        self.transparent_check.setChecked(o.transparent)
        self.values_check = QCheckBox("Values above the edges", box)
        self.values_check.setChecked(o.show_values)
        self.gradients_check = QCheckBox("Gradients ∂l/∂· under the edges", box)
        self.gradients_check.setChecked(o.show_gradients)
        self.exact_check = QCheckBox("Exact fractions (3/4, ln 2)", box)
        self.exact_check.setChecked(o.exact)
        self.exact_check.setToolTip(f"Off: decimals with {o.digits} significant digits, "
                                    "as in the window")
        self._digits = o.digits
        form.addRow("Theme:", self.theme_combo)
        for check in (self.transparent_check, self.values_check, self.gradients_check,
                      self.exact_check):
            form.addRow(check)
        return box

    def _content_box(self, o: ExportOptions) -> QGroupBox:
        box = QGroupBox("Content", self)
        self.content_box = box
        form = QFormLayout(box)
        self.whole_radio = QRadioButton("The whole graph", box)
        n = len(self.selection)
        self.selection_radio = QRadioButton(
            f"Only the {n} selected node{'s' if n != 1 else ''}" if n
            else "Only the selected nodes", box)
        has_selection = bool(self.selection)
        self.selection_radio.setEnabled(has_selection)
        if not has_selection:
            self.selection_radio.setToolTip("Select nodes on the canvas first "
                                            "(Ctrl+click adds one)")
        (self.selection_radio if o.selection_only and has_selection
         else self.whole_radio).setChecked(True)
        self.margin_spin = QSpinBox(box)
        self.margin_spin.setRange(0, 400)
        self.margin_spin.setSingleStep(8)
        self.margin_spin.setSuffix(" px")
        self.margin_spin.setValue(o.margin)
        self.margin_spin.setToolTip("Room around the drawing, in canvas units "
                                    "(pixels at 1×, points in a PDF)")
        form.addRow(self.whole_radio)
        form.addRow(self.selection_radio)
        form.addRow("Margin:", self.margin_spin)
        return box

    # -- options and preview ---------------------------------------------------
    def options(self) -> ExportOptions:
        """The options as the widgets show them now."""
        return ExportOptions(
            fmt=str(self.format_combo.currentData()),
            scale=int(self.scale_combo.currentData()),
            transparent=self.transparent_check.isChecked(),
            theme=str(self.theme_combo.currentData()),
            show_values=self.values_check.isChecked(),
            show_gradients=self.gradients_check.isChecked(),
            exact=self.exact_check.isChecked(),
            digits=self._digits,
            selection_only=(self.selection_radio.isChecked() and bool(self.selection)
                            and self.format_combo.currentData() != "tex"),
            margin=self.margin_spin.value(),
            picture_only=self.picture_only_check.isChecked(),
        )

    def _enable_for(self, o: ExportOptions) -> None:
        tex = o.fmt == "tex"
        self.scale_combo.setEnabled(o.fmt == "png")
        self.picture_only_check.setEnabled(tex)
        self.margin_spin.setEnabled(not tex)
        self.whole_radio.setEnabled(not tex)
        self.selection_radio.setEnabled(bool(self.selection) and not tex)
        self.content_box.setToolTip("TikZ always draws the whole graph" if tex else "")
        self.show_source.setVisible(tex)
        if not tex and self.show_source.isChecked():
            self.show_source.blockSignals(True)
            self.show_source.setChecked(False)
            self.show_source.blockSignals(False)

    def refresh_preview(self) -> None:
        """Draw the preview and describe the file for the options shown now."""
        o = self.options()
        self._enable_for(o)
        source = o.fmt == "tex" and self.show_source.isChecked()
        self.pages.setCurrentWidget(self.source_edit if source else self.preview)
        self.show_source.setText("Show the Picture" if source else "Show the TikZ Source")
        if source:
            self.source_edit.setPlainText(self.tikz_source(o))
        image = self.renderer.image(o, self.selection, self.preview.fit_size())
        image.setDevicePixelRatio(self.preview.devicePixelRatioF())
        self.preview.set_image(image, o.transparent, o.theme)
        self.info_label.setText(self.describe(o))

    def tikz_source(self, o: ExportOptions) -> str:
        if self._tex_cache is None or self._tex_cache[0] != o:
            self._tex_cache = (o, tikz_text(self.net, o))
        return self._tex_cache[1]

    def describe(self, o: ExportOptions) -> str:
        """One line about the file: kind, size, background, what is drawn."""
        w, h = self.renderer.export_size(o, self.selection)
        back = "transparent background" if o.transparent else f"{o.theme} background"
        part = (f"{len(self.selection)} selected nodes" if o.selection_only
                else "the whole graph")
        if o.fmt == "png":
            head = f"PNG, {w} × {h} pixels at {o.scale}×"
        elif o.fmt == "svg":
            head = f"SVG, {w} × {h} px, text kept as text"
        elif o.fmt == "pdf":
            head = f"PDF, one page of {w} × {h} pt, fonts embedded"
        else:
            kind = "the tikzpicture alone" if o.picture_only else "a standalone LaTeX document"
            return (f"TikZ: {kind}; pdflatex sets the labels, nodes stand where the "
                    f"preview shows them; {back}")
        return f"{head}; {part}; {back}"

    # -- writing ---------------------------------------------------------------
    def suggested_path(self, o: ExportOptions) -> str:
        folder = str(self.settings.value(DIR_KEY, "") or self.start_dir or Path.home())
        return str(Path(folder) / f"{self.name}{o.suffix}")

    def ask_path(self, suggested: str) -> str | None:
        """The file to write, from a file chooser (tests replace this method)."""
        suffix = Path(suggested).suffix
        kind = next(text for s, text in FORMATS.values() if s == suffix)
        path, _ = QFileDialog.getSaveFileName(self, "Export the drawing as", suggested,
                                              f"{kind} (*{suffix});;All files (*)")
        return path or None

    def export(self) -> bool:
        """Ask for a file and write it. True when written (the dialog then closes);
        on failure a message box says why and the dialog stays open."""
        o = self.options()
        chosen = self.ask_path(self.suggested_path(o))
        if chosen is None:
            return False
        path = with_suffix(chosen, o.suffix)
        try:
            write_export(self.net, path, o, self.selection)
        except (OSError, ValueError) as e:
            QMessageBox.critical(self, "Export failed", failure_message(path, e))
            return False
        save_export_options(self.settings, o)
        self.settings.setValue(DIR_KEY, str(path.parent))
        self.exported.emit(f"Exported {path} ({self.describe(o).split(';')[0]})")
        self.accept()
        return True

    def done(self, result: int) -> None:
        self.renderer.close()
        super().done(result)


def selected_nodes(window: MainWindow) -> list[str]:
    """The node ids selected on the window's canvas, in file order."""
    chosen = {getattr(item, "node_id", None) for item in window.scene.selectedItems()}
    return [nid for nid in window.doc.network.ids if nid in chosen]


def _name(window: MainWindow) -> str:
    doc = window.doc
    return doc.path.stem if doc.path is not None else file_stem(doc.title)


def _start_dir(window: MainWindow) -> str:
    return str(window.settings.value(DIR_KEY, "") or window.settings.value("lastDir", "")
               or Path.home())


def open_export_dialog(window: MainWindow) -> ExportDialog:
    """Open File → Export… for the window's document (window-modal, not blocking)."""
    dialog = ExportDialog(window.doc.network, window.settings, window.options,
                          selected_nodes(window), _name(window), _start_dir(window), window)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.resize(max(dialog.width(), min(1280, round(window.width() * 0.85))),
                  max(dialog.height(), min(780, round(window.height() * 0.8))))
    dialog.exported.connect(window.show_status)
    dialog.open()
    return dialog


def ask_solution_path(parent: QWidget, suggested: str) -> str | None:
    """The file for the worked solution (.tex or .md, from the chosen filter)."""
    filters = [f"{text} (*{suffix})" for suffix, text in SOLUTION_FORMATS.items()]
    path, chosen = QFileDialog.getSaveFileName(parent, "Export the worked solution as",
                                               suggested, ";;".join(filters))
    if not path:
        return None
    if Path(path).suffix.lower() not in SOLUTION_FORMATS:
        path += ".md" if chosen == filters[1] else ".tex"
    return path


def export_solution(window: MainWindow) -> bool:
    """File → Export Worked Solution…: the derivation at the current values."""
    suggested = str(Path(_start_dir(window)) / f"{_name(window)}-solution.tex")
    path = ask_solution_path(window, suggested)
    if path is None:
        return False
    lr = window.training.learning_rate() or 1.0
    try:
        write_solution(window.doc.network, path, lr)
    except (OSError, ValueError) as e:
        window.show_error(failure_message(path, e))
        return False
    window.settings.setValue(DIR_KEY, str(Path(path).parent))
    window.show_status(f"Wrote the worked solution to {path}")
    return True
