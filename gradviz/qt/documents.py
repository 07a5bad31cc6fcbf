"""Opening, saving and remembering documents, apart from the window's layout.

* :func:`load_document` reads a file (or a bundled example by name: such a
  document has no path, so Save asks where to write instead of overwriting the
  example) and raises :class:`~gradviz.model.fileformat.ModelError` with the same
  one-line message the command line prints.
* :func:`write_document` saves atomically (:func:`gradviz.model.fileformat.save`:
  a temporary file beside the target, flushed, renamed over it).
* :class:`RecentFiles` keeps the most recently opened files in QSettings.
* :func:`ask_save_changes` is the Save/Discard/Cancel question; tests replace
  ``QMessageBox.question`` to answer it.

The dialogs' Qt classes are imported when a dialog is first shown: making their
Python types costs milliseconds the start-up's first paint does not need.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QWidget

from gradviz.model.document import Document
from gradviz.model.examples import example_path
from gradviz.model.fileformat import ModelError, load, save
from gradviz.model.network import Network

FILE_FILTER = "gradviz networks (*.json);;All files (*)"
RECENT_KEY = "recentFiles"
RECENT_LIMIT = 8


def load_document(path_or_name: str | os.PathLike[str], network: Network | None = None) -> Document:
    """A :class:`Document` for a file, or for a bundled example (then without a path).
    ``network``: what that file holds, when the caller has read it already (``gradviz
    FILE`` reads it once, to refuse a bad file before any window): not read again."""
    net = network if network is not None else load(path_or_name)
    p = Path(path_or_name)
    if not p.exists() and example_path(str(path_or_name)) is not None:
        return Document(net, None)
    return Document(net, p.resolve())


def write_document(doc: Document, path: str | os.PathLike[str]) -> Path:
    """Save ``doc.network`` atomically to ``path`` (``.json`` added when there is no
    suffix) and make it the document's path. Raises ModelError with one line when
    the file cannot be written (read-only folder, full disk: the old file is left
    as it was, the document keeps its path) or the network holds NaN or ±inf
    (a file holds finite numbers only: nothing is written)."""
    target = Path(path)
    if not target.suffix:
        target = target.with_suffix(".json")
    try:
        save(doc.network, target)
    except ModelError as e:
        raise ModelError(f"{target}: not saved, because {e}") from None
    except OSError as e:
        raise ModelError(f"{target}: cannot be written ({e.strerror or e})") from None
    doc.path = target.resolve()
    return doc.path


def document_name(doc: Document) -> str:
    """What the title bar calls the document: the file name, else the network's title."""
    return doc.path.name if doc.path is not None else doc.title


class RecentFiles:
    """The last :data:`RECENT_LIMIT` files opened or saved, newest first."""

    def __init__(
        self, settings: QSettings, key: str = RECENT_KEY, limit: int = RECENT_LIMIT
    ) -> None:
        self.settings, self.key, self.limit = settings, key, limit

    def paths(self) -> list[str]:
        raw: object = self.settings.value(self.key, [])
        if isinstance(raw, str):  # one entry comes back as a plain string
            return [raw] if raw else []
        if isinstance(raw, (list, tuple)):
            return [str(p) for p in raw if p]
        return []

    def _store(self, paths: list[str]) -> None:
        self.settings.setValue(self.key, paths[: self.limit])
        self.settings.sync()

    def add(self, path: str | os.PathLike[str]) -> None:
        p = str(Path(path).resolve())
        self._store([p] + [q for q in self.paths() if q != p])

    def remove(self, path: str | os.PathLike[str]) -> None:
        p = str(Path(path).resolve())
        self._store([q for q in self.paths() if q != p])

    def clear(self) -> None:
        self._store([])


def ask_save_changes(parent: QWidget, name: str) -> Literal["save", "discard", "cancel"]:
    """Save, Discard or Cancel for unsaved changes to ``name``."""
    from PySide6.QtWidgets import QMessageBox

    button = QMessageBox.StandardButton
    answer = QMessageBox.question(
        parent,
        "Unsaved changes",
        f"“{name}” has unsaved changes. Save them before going on?",
        button.Save | button.Discard | button.Cancel,
        button.Save,
    )
    if answer == button.Save:
        return "save"
    return "discard" if answer == button.Discard else "cancel"


def show_error(parent: QWidget, message: str) -> None:
    """The one-line error in a message box (the same text the CLI prints)."""
    from PySide6.QtWidgets import QMessageBox

    QMessageBox.critical(parent, "gradviz", message)


def ask_open_path(parent: QWidget, start: str) -> str | None:
    from PySide6.QtWidgets import QFileDialog

    path, _ = QFileDialog.getOpenFileName(parent, "Open a network", start, FILE_FILTER)
    return path or None


def ask_save_path(parent: QWidget, start: str) -> str | None:
    from PySide6.QtWidgets import QFileDialog

    path, _ = QFileDialog.getSaveFileName(parent, "Save the network as", start, FILE_FILTER)
    return path or None
