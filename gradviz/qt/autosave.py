"""The window's side of autosave.

:class:`Autosaver` writes a copy of unsaved work every 30 s (and whenever the
window asks, e.g. after a gradient-step run) through
:class:`~gradviz.model.autosave.AutosaveStore`, into the per-user folder and
never over the user's file; it removes the copy once the work is saved (the undo
stack turns clean) or the window closes cleanly. ``GRADVIZ_AUTOSAVE_MS``
overrides the interval (tests use a few hundred ms).

At start-up :func:`offer_restore` asks about every copy a crashed gradviz left:
Restore (the copy opens with its original path, marked modified), Compare (the
entries that differ from the saved file, then the question again), Discard, or
Later (the copy stays for the next start). :func:`show_restored` puts a restored
document into a window and autosaves it at once, so that a second crash before
the next timer tick loses nothing either.
"""

from __future__ import annotations

import itertools
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QWidget

from gradviz.model.autosave import AutosaveEntry, AutosaveStore, differences
from gradviz.model.document import Document
from gradviz.model.fileformat import ModelError, load

if TYPE_CHECKING:
    from gradviz.qt.main_window import MainWindow

INTERVAL_MS = 30_000
#: Compare lists at most this many differing entries (then "… and N more").
COMPARE_LINES = 40
_slots = itertools.count(1)


def interval_from_env(default: int = INTERVAL_MS) -> int:
    """``$GRADVIZ_AUTOSAVE_MS`` when it is a whole number ≥ 50, else ``default``."""
    raw = os.environ.get("GRADVIZ_AUTOSAVE_MS", "")
    try:
        value = int(raw)
    except ValueError:
        return default
    return value if value >= 50 else default


class Autosaver(QObject):
    """Keeps one autosaved copy of ``doc`` while ``undo_stack`` is not clean.

    ``noted(text)`` carries one sentence when a copy could not be written (the
    folder is not writable, the disk is full) or was skipped (a value is NaN or
    infinite); autosave itself never raises into the event loop."""

    noted = Signal(str)

    def __init__(
        self,
        doc: Document,
        undo_stack: QUndoStack,
        store: AutosaveStore | None = None,
        parent: QObject | None = None,
        interval_ms: int | None = None,
    ) -> None:
        super().__init__(parent)
        self.doc, self.undo_stack = doc, undo_stack
        self.store = store if store is not None else AutosaveStore()
        self.slot = next(_slots)
        self.last_error: str | None = None
        self.last_copy: Path | None = None
        self._pending = True  # changes since the last copy
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms if interval_ms is not None else interval_from_env())
        self.timer.timeout.connect(self._tick)
        self.timer.start()
        undo_stack.cleanChanged.connect(self._clean_changed)
        undo_stack.indexChanged.connect(self._changed)

    def set_document(self, doc: Document, undo_stack: QUndoStack) -> None:
        """Follow a newly opened document (the old copy is dropped)."""
        self.undo_stack.cleanChanged.disconnect(self._clean_changed)
        self.undo_stack.indexChanged.disconnect(self._changed)
        self.store.remove(self.slot)
        self.last_copy = None
        self.doc, self.undo_stack = doc, undo_stack
        self._pending = True
        undo_stack.cleanChanged.connect(self._clean_changed)
        undo_stack.indexChanged.connect(self._changed)
        if not self.timer.isActive():
            self.timer.start()

    def _changed(self, _index: int = 0) -> None:
        self._pending = True

    def _tick(self) -> None:
        if self._pending:
            self.save_now()

    def save_now(self) -> Path | None:
        """Write the copy if there are unsaved changes; returns its path (None when
        nothing was written). Never raises: a failing autosave must not interrupt
        the lecture; the reason goes to ``last_error`` and ``noted``."""
        if self.undo_stack.isClean():
            return None
        try:
            written = self.store.write(self.doc.network, self.doc.path, self.slot)
        except OSError as e:
            self.last_error = (
                f"Autosave to {self.store.folder} failed: "
                f"{e.strerror or e}; the work is only in memory until saved"
            )
            self.noted.emit(self.last_error)
            return None
        if written is None:
            self.last_error = self.store.skipped
            self.noted.emit(self.last_error or "Autosave skipped")
            self._pending = False  # the same values would be skipped again
            return None
        self.last_error = None
        self.last_copy = written
        self._pending = False
        return written

    def _clean_changed(self, clean: bool) -> None:
        if clean:
            self.store.remove(self.slot)
            self.last_copy = None

    def stop(self) -> None:
        """On a clean close: stop the timer and remove the copy."""
        self.timer.stop()
        self.store.remove(self.slot)
        self.last_copy = None


# -- after a crash ---------------------------------------------------------------------


def offer_restore(
    parent: QWidget | None, store: AutosaveStore
) -> list[tuple[AutosaveEntry, Document]]:
    """Ask about every copy a crash left (newest first). Discarded copies are
    deleted, "Later" ones kept; returns the (copy, document) pairs to restore,
    whose copies the caller discards once the document is shown and autosaved
    again (:func:`show_restored`). A copy that cannot be read says so and stays."""
    restored: list[tuple[AutosaveEntry, Document]] = []
    for entry in store.orphans():
        choice = ask_restore(parent, entry)
        if choice == "discard":
            store.discard(entry)
        elif choice == "restore":
            try:
                restored.append((entry, Document(entry.load(), entry.source)))
            except ModelError as e:
                from PySide6.QtWidgets import QMessageBox

                QMessageBox.warning(parent, "gradviz", str(e))
    return restored


def show_restored(
    window: MainWindow,
    doc: Document,
    entry: AutosaveEntry | None = None,
    store: AutosaveStore | None = None,
) -> None:
    """Show a restored document in ``window``: its original path, marked modified
    (Save writes it where it came from, closing asks first); autosaved at once in
    this process's slot, then the crashed process's copy is deleted."""
    if window.doc is not doc:
        window.set_document(doc)
    window.undo_stack.resetClean()  # not what is on disk: modified until saved
    window.setWindowModified(True)
    written = window.autosaver.save_now()
    if entry is not None and store is not None and written is not None:
        store.discard(entry)
    when = time.strftime("%H:%M", time.localtime(entry.saved_at)) if entry else ""
    window.show_status(
        f"Restored the work autosaved at {when}; save it to keep it"
        if when
        else "Restored the autosaved work; save it to keep it"
    )


def describe(entry: AutosaveEntry) -> str:
    """The question's text: what was autosaved, and when."""
    when = time.strftime("%Y-%m-%d %H:%M", time.localtime(entry.saved_at))
    name = str(entry.source) if entry.source else "an unsaved network"
    return f"gradviz closed unexpectedly. Unsaved changes to {name} were autosaved at {when}."


def compare_text(entry: AutosaveEntry) -> str:
    """What Compare shows: the entries that differ from the file on disk."""
    try:
        copy = entry.load()
    except ModelError as e:
        return str(e)
    if entry.source is None or not entry.source.exists():
        return "There is no saved file to compare with."
    try:
        saved = load(entry.source)
    except ModelError as e:
        return f"The saved file cannot be read: {e}"
    lines = differences(saved, copy)
    if not lines:
        return "The autosaved copy equals the saved file."
    more = len(lines) - COMPARE_LINES
    shown = lines[:COMPARE_LINES] + ([f"… and {more} more"] if more > 0 else [])
    return "Saved file → autosaved copy:\n" + "\n".join(shown)


def ask_restore(parent: QWidget | None, entry: AutosaveEntry) -> str:
    """``"restore"``, ``"discard"`` or ``"later"`` (keep the copy for next time).
    Compare shows the differences and asks again."""
    from PySide6.QtWidgets import QMessageBox

    while True:
        box = QMessageBox(parent)
        box.setWindowTitle("Restore unsaved work?")
        box.setIcon(QMessageBox.Icon.Question)
        box.setText(describe(entry))
        box.setInformativeText(
            "Restore opens the autosaved copy (the file on disk stays as it is until you "
            "save); Compare lists what differs from the saved file; Discard deletes the "
            "copy; Later asks again at the next start."
        )
        restore = box.addButton("Restore", QMessageBox.ButtonRole.AcceptRole)
        compare = box.addButton("Compare…", QMessageBox.ButtonRole.ActionRole)
        discard = box.addButton("Discard", QMessageBox.ButtonRole.DestructiveRole)
        box.addButton("Later", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(restore)
        box.exec()
        clicked = box.clickedButton()
        box.deleteLater()
        if clicked is restore:
            return "restore"
        if clicked is discard:
            return "discard"
        if clicked is compare:
            QMessageBox.information(parent, "Autosaved copy vs saved file", compare_text(entry))
            continue
        return "later"
