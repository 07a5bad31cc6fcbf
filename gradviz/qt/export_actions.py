"""The main window's export actions: File → Export… opens
:class:`~gradviz.qt.export_dialog.ExportDialog` on the window's document and
selection; File → Export Worked Solution… writes the derivation (LaTeX or
Markdown, :mod:`gradviz.export.solution`) at the document's current values, with
the toolbar's learning rate for the final gradient step. Both start in the folder
of the last export and report the written path in the status bar; a file that
cannot be written gives one sentence in a message box.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QWidget

from gradviz.qt.export_dialog import ExportDialog
from gradviz.qt.export_files import DIR_KEY, SOLUTION_FORMATS, failure_message, write_solution

if TYPE_CHECKING:
    from gradviz.qt.main_window import MainWindow


def file_stem(title: str) -> str:
    """A file name from a title: ``Exercise 3`` → ``exercise-3``."""
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-") or "network"


def selected_nodes(window: MainWindow) -> list[str]:
    """The node ids selected on the window's canvas, in file order."""
    chosen = {getattr(item, "node_id", None) for item in window.scene.selectedItems()}
    return [nid for nid in window.doc.network.ids if nid in chosen]


def document_stem(window: MainWindow) -> str:
    """The name exports suggest: the file's stem, else the title as a file name."""
    doc = window.doc
    return doc.path.stem if doc.path is not None else file_stem(doc.title)


def _start_dir(window: MainWindow) -> str:
    """The last export's folder, else the last opened file's, else home."""
    return str(
        window.settings.value(DIR_KEY, "") or window.settings.value("lastDir", "") or Path.home()
    )


def open_export_dialog(window: MainWindow) -> ExportDialog:
    """Open File → Export… for the window's document (window-modal, not blocking)."""
    dialog = ExportDialog(
        window.doc.network,
        window.settings,
        window.options,
        selected_nodes(window),
        document_stem(window),
        _start_dir(window),
        window,
    )
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.resize(
        max(dialog.width(), min(1280, round(window.width() * 0.85))),
        max(dialog.height(), min(780, round(window.height() * 0.8))),
    )
    dialog.exported.connect(window.show_status)
    dialog.open()
    return dialog


def ask_solution_path(parent: QWidget, suggested: str) -> str | None:
    """The file for the worked solution (.tex or .md, from the chosen filter)."""
    filters = [f"{text} (*{suffix})" for suffix, text in SOLUTION_FORMATS.items()]
    path, chosen = QFileDialog.getSaveFileName(
        parent, "Export the worked solution as", suggested, ";;".join(filters)
    )
    if not path:
        return None
    if Path(path).suffix.lower() not in SOLUTION_FORMATS:
        path += ".md" if chosen == filters[1] else ".tex"
    return path


def export_solution(window: MainWindow) -> bool:
    """File → Export Worked Solution…: the derivation at the current values."""
    suggested = str(Path(_start_dir(window)) / f"{document_stem(window)}-solution.tex")
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
