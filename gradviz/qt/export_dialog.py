"""File → Export…: the dialog with a live preview of the file it will write.

:class:`ExportDialog` shows the picture the exporter itself draws, scaled to fit
(for TikZ: the page pdflatex compiles, when pdflatex and pdftocairo are installed,
see :mod:`gradviz.qt.tikz_preview`, and the ``.tex`` source on request) above the
options: format (PNG at 1×, 2× or 3×, SVG, PDF, TikZ with "picture only" for
``\\input`` in a Beamer frame), theme, transparent background, values, gradients,
exact fractions (following the window), the whole graph or the selected nodes, and
the margin around the drawing. Export… asks for a file (:meth:`ExportDialog.ask_path`,
which tests replace), writes it with the command line's code
(:func:`gradviz.qt.export_files.write_export`), emits the status-bar message and
remembers the options and the folder in QSettings. A file that cannot be written
gives a one-sentence message box and leaves the dialog open, options intact.
The window's actions live in :mod:`gradviz.qt.export_actions`.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QFontDatabase, QImage
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

from gradviz.export.tikz import SCENE_UNITS_PER_CM
from gradviz.model.network import Network
from gradviz.qt.export_files import (
    DIR_KEY,
    FORMATS,
    SCALES,
    ExportOptions,
    failure_message,
    load_export_options,
    save_export_options,
    tikz_text,
    with_suffix,
    write_export,
)
from gradviz.qt.export_preview import PreviewCanvas, PreviewRenderer
from gradviz.qt.theme import DisplayOptions
from gradviz.qt.tikz_preview import TikzCompiler


class ExportDialog(QDialog):
    """Export the drawing of ``net``. ``selection`` are the node ids selected on the
    canvas (empty: "Selected nodes only" is disabled); ``window_options`` the
    window's display options (exact fractions and digits follow them)."""

    #: A file was written: the message for the status bar.
    exported = Signal(str)
    #: The TikZ preview now shows what pdflatex drew.
    tikzCompiled = Signal()  # noqa: N815

    def __init__(
        self,
        net: Network,
        settings: QSettings,
        window_options: DisplayOptions,
        selection: list[str] | tuple[str, ...] = (),
        name: str = "network",
        start_dir: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export the Drawing")
        self.net, self.settings, self.selection = net, settings, list(selection)
        self.name, self.start_dir = name, start_dir
        self.renderer = PreviewRenderer(net)
        self._tex_cache: dict[ExportOptions, str] = {}
        self._tikz_image: tuple[tuple[str, bool], QImage] | None = None  # the last compiled
        self.tikz = TikzCompiler(self)
        self.tikz.ready.connect(self._tikz_ready)
        self.tikz.failed.connect(self._tikz_failed)
        self._tikz_wanted: tuple[str, bool] | None = None  # (tex, transparent) asked last
        self._tikz_state = ""
        #: What the preview shows: "canvas" (Qt's drawing) or "pdflatex" (TikZ compiled).
        self.preview_kind = "canvas"
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
        self.show_source.setAutoDefault(False)  # Return always means Export…
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
        for signal in (
            self.format_combo.currentIndexChanged,
            self.scale_combo.currentIndexChanged,
            self.theme_combo.currentIndexChanged,
            self.picture_only_check.toggled,
            self.transparent_check.toggled,
            self.values_check.toggled,
            self.gradients_check.toggled,
            self.exact_check.toggled,
            self.selection_radio.toggled,
            self.margin_spin.valueChanged,
            self.show_source.toggled,
        ):
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
        self.scale_combo.setToolTip(
            "Pixels per canvas unit: 2× is sharp on slides and high-resolution screens"
        )
        self.picture_only_check = QCheckBox("Picture only, for \\input in a Beamer frame", box)
        self.picture_only_check.setChecked(o.picture_only)
        self.picture_only_check.setToolTip(
            "Write the tikzpicture alone (needs \\usepackage{tikz}) instead of a "
            "standalone document"
        )
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
        self.exact_check.setToolTip(
            f"Off: decimals with {o.digits} significant digits, as in the window"
        )
        self._digits = o.digits
        form.addRow("Theme:", self.theme_combo)
        for check in (
            self.transparent_check,
            self.values_check,
            self.gradients_check,
            self.exact_check,
        ):
            form.addRow(check)
        return box

    def _content_box(self, o: ExportOptions) -> QGroupBox:
        box = QGroupBox("Content", self)
        self.content_box = box
        form = QFormLayout(box)
        self.whole_radio = QRadioButton("The whole graph", box)
        n = len(self.selection)
        self.selection_radio = QRadioButton(
            f"Only the {n} selected node{'s' if n != 1 else ''}"
            if n
            else "Only the selected nodes",
            box,
        )
        has_selection = bool(self.selection)
        self.selection_radio.setEnabled(has_selection)
        if not has_selection:
            self.selection_radio.setToolTip(
                "Select nodes on the canvas first (Ctrl+click adds one)"
            )
        (
            self.selection_radio if o.selection_only and has_selection else self.whole_radio
        ).setChecked(True)
        self.margin_spin = QSpinBox(box)
        self.margin_spin.setRange(0, 400)
        self.margin_spin.setSingleStep(8)
        self.margin_spin.setSuffix(" px")
        self.margin_spin.setValue(o.margin)
        self.margin_spin.setToolTip(
            "Room around the drawing, in canvas units (pixels at 1×, points in a PDF)"
        )
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
            selection_only=(
                self.selection_radio.isChecked()
                and bool(self.selection)
                and self.format_combo.currentData() != "tex"
            ),
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
        compiled = None
        if o.fmt == "tex" and self.tikz.available:
            scale = image.width() / max(self.renderer.source_rect(o).width(), 1.0)
            key = self._compile_tikz(o, scale)
            if self._tikz_image is not None and self._tikz_image[0] == key:
                compiled = self._tikz_image[1]
        if compiled is not None:
            self.preview.set_image(compiled, o.transparent, o.theme)
            self.preview_kind = "pdflatex"
        elif not (o.fmt == "tex" and self.preview_kind == "pdflatex"):
            self.preview.set_image(image, o.transparent, o.theme)  # until LaTeX has drawn
            self.preview_kind = "canvas"
        self.info_label.setText(self.describe(o))

    def _compile_tikz(self, o: ExportOptions, scale: float) -> tuple[str, bool]:
        """Ask LaTeX for the picture unless it was asked for already (the standalone
        document: the bare picture does not compile alone), at as many pixels per
        canvas unit as the canvas preview. Returns the request's key."""
        key = (self.tikz_source(o.with_(picture_only=False)), o.transparent)
        if key != self._tikz_wanted:
            self._tikz_wanted = key
            self._tikz_state = "compiling the preview with pdflatex…"
            dpi = SCENE_UNITS_PER_CM * 2.54 * scale  # device pixels per inch
            self.tikz.request(key[0], min(max(dpi, 30.0), 400.0), o.transparent)
        return key

    def _tikz_ready(self, image: QImage, key: tuple[str, bool]) -> None:
        if key != self._tikz_wanted:
            return
        image.setDevicePixelRatio(self.preview.devicePixelRatioF())
        self._tikz_image = (key, image)
        self._tikz_state = "the preview is compiled by pdflatex"
        if self.options().fmt == "tex":
            self.refresh_preview()
            self.tikzCompiled.emit()

    def _tikz_failed(self, message: str, key: tuple[str, bool]) -> None:
        if key == self._tikz_wanted:
            self._tikz_state = f"pdflatex could not compile the preview: {message}"
            self.info_label.setText(self.describe(self.options()))

    def tikz_source(self, o: ExportOptions) -> str:
        """The ``.tex`` these options write (the last few are kept)."""
        text = self._tex_cache.get(o)
        if text is None:
            if len(self._tex_cache) > 8:
                self._tex_cache.clear()
            text = self._tex_cache[o] = tikz_text(self.net, o)
        return text

    def describe(self, o: ExportOptions) -> str:
        """One line about the file: kind, size, background, what is drawn."""
        w, h = self.renderer.export_size(o, self.selection)
        back = "transparent background" if o.transparent else f"{o.theme} background"
        part = f"{len(self.selection)} selected nodes" if o.selection_only else "the whole graph"
        if o.fmt == "png":
            head = f"PNG, {w} × {h} pixels at {o.scale}×"
        elif o.fmt == "svg":
            head = f"SVG, {w} × {h} px, text kept as text"
        elif o.fmt == "pdf":
            head = f"PDF, one page of {w} × {h} pt, fonts embedded"
        else:
            kind = "the tikzpicture alone" if o.picture_only else "a standalone LaTeX document"
            state = (
                self._tikz_state
                if self.tikz.available
                else (
                    "the preview is the canvas's drawing (with pdflatex and pdftocairo "
                    "installed it shows LaTeX's own)"
                )
            )
            return f"TikZ, {kind}; {back}; {state}"
        return f"{head}; {part}; {back}"

    # -- writing ---------------------------------------------------------------
    def suggested_path(self, o: ExportOptions) -> str:
        folder = str(self.settings.value(DIR_KEY, "") or self.start_dir or Path.home())
        return str(Path(folder) / f"{self.name}{o.suffix}")

    def ask_path(self, suggested: str) -> str | None:
        """The file to write, from a file chooser (tests replace this method)."""
        suffix = Path(suggested).suffix
        kind = next(text for s, text in FORMATS.values() if s == suffix)
        path, _ = QFileDialog.getSaveFileName(
            self, "Export the drawing as", suggested, f"{kind} (*{suffix});;All files (*)"
        )
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
        self.tikz.cancel()
        self.renderer.close()
        super().done(result)
