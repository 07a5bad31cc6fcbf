"""The window's side of autosave: a timer that writes a copy of unsaved work
every 30 s (and on demand after a gradient-step run), removes it once the work
is saved or discarded, and a dialog that offers to restore, compare or discard
what a crash left behind."""

from __future__ import annotations

import itertools

from PySide6.QtCore import QObject, QTimer
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QMessageBox, QWidget

from gradviz.model.autosave import AutosaveEntry, AutosaveStore, differences
from gradviz.model.document import Document
from gradviz.model.fileformat import ModelError, load

INTERVAL_MS = 30_000
_slots = itertools.count(1)


class Autosaver(QObject):
    """Keeps one autosaved copy of ``doc`` while ``undo_stack`` is not clean."""

    def __init__(self, doc: Document, undo_stack: QUndoStack, store: AutosaveStore,
                 parent: QObject | None = None, interval_ms: int = INTERVAL_MS) -> None:
        super().__init__(parent)
        self.doc, self.undo_stack, self.store = doc, undo_stack, store
        self.slot = next(_slots)
        self.last_error: str | None = None
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.save_now)
        self.timer.start()
        undo_stack.cleanChanged.connect(self._clean_changed)

    def set_document(self, doc: Document, undo_stack: QUndoStack) -> None:
        """Follow a newly opened document (the old copy is dropped)."""
        self.undo_stack.cleanChanged.disconnect(self._clean_changed)
        self.store.remove(self.slot)
        self.doc, self.undo_stack = doc, undo_stack
        undo_stack.cleanChanged.connect(self._clean_changed)

    def save_now(self) -> None:
        """Write the copy if there are unsaved changes; never raises (a failing
        autosave must not interrupt the lecture; the reason is kept in last_error)."""
        if self.undo_stack.isClean():
            return
        try:
            self.store.write(self.doc.network, self.doc.path, self.slot)
            self.last_error = None
        except OSError as e:
            self.last_error = f"autosave to {self.store.folder} failed: {e.strerror or e}"

    def _clean_changed(self, clean: bool) -> None:
        if clean:
            self.store.remove(self.slot)

    def stop(self) -> None:
        """On a clean close: stop the timer and remove the copy."""
        self.timer.stop()
        self.store.remove(self.slot)


def offer_restore(parent: QWidget | None, store: AutosaveStore) -> list[Document]:
    """Ask about every copy a crash left; returns the documents to reopen
    (restored copies keep their original path and stay marked modified)."""
    restored: list[Document] = []
    for entry in store.orphans():
        choice = ask_restore(parent, entry)
        if choice == "restore":
            try:
                doc = Document(entry.load(), entry.source)
            except (ModelError, OSError, ValueError) as e:
                QMessageBox.warning(parent, "gradviz", f"The autosaved copy cannot be read: {e}")
                continue
            restored.append(doc)
        if choice in ("restore", "discard"):
            store.discard(entry)
    return restored


def describe(entry: AutosaveEntry) -> str:
    import time

    when = time.strftime("%Y-%m-%d %H:%M", time.localtime(entry.saved_at))
    name = str(entry.source) if entry.source else "an unsaved network"
    return f"gradviz closed unexpectedly. Unsaved changes to {name} were autosaved at {when}."


def compare_text(entry: AutosaveEntry) -> str:
    """What Compare shows: the entries that differ from the file on disk."""
    try:
        copy = entry.load()
    except (ModelError, OSError, ValueError) as e:
        return f"The autosaved copy cannot be read: {e}"
    if entry.source is None or not entry.source.exists():
        return "There is no saved file to compare with."
    try:
        saved = load(entry.source)
    except ModelError as e:
        return f"The saved file cannot be read: {e}"
    lines = differences(saved, copy)
    return "\n".join(lines) if lines else "The autosaved copy equals the saved file."


def ask_restore(parent: QWidget | None, entry: AutosaveEntry) -> str:
    """``"restore"``, ``"discard"`` or ``"later"`` (keep the copy for next time).
    Compare shows the differences and asks again."""
    while True:
        box = QMessageBox(parent)
        box.setWindowTitle("Restore unsaved work?")
        box.setIcon(QMessageBox.Icon.Question)
        box.setText(describe(entry))
        restore = box.addButton("Restore", QMessageBox.ButtonRole.AcceptRole)
        compare = box.addButton("Compare…", QMessageBox.ButtonRole.ActionRole)
        discard = box.addButton("Discard", QMessageBox.ButtonRole.DestructiveRole)
        box.addButton("Later", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(restore)
        box.exec()
        clicked = box.clickedButton()
        if clicked is restore:
            return "restore"
        if clicked is discard:
            return "discard"
        if clicked is compare:
            QMessageBox.information(parent, "Autosaved copy vs saved file", compare_text(entry))
            continue
        return "later"
