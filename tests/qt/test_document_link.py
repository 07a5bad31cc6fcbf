"""DocumentLink: a view follows one document at a time (File ▸ Open switches it,
closing the window detaches it), and edits go to that document's undo stack."""

from __future__ import annotations

from PySide6.QtGui import QUndoStack

import gradviz
from gradviz.model.document import Document
from gradviz.qt.document_link import DocumentLink
from gradviz.qt.training import TrainingToolBar


def test_switch_follows_the_new_document_only_and_detach_stops() -> None:
    first, second = Document(gradviz.load("exercise3")), Document(gradviz.load("exercise3"))
    stack, other_stack = QUndoStack(), QUndoStack()
    seen: list[tuple[Document, str]] = []
    link = DocumentLink(first, stack, lambda c: seen.append((link.doc, c.kind)))
    first.set_theta(first.network.theta * 2)
    assert seen == [(first, "values")] and link.attached
    link.switch(second)
    assert link.doc is second and link.undo_stack is stack  # no stack given: kept
    first.set_theta(first.network.theta * 2)  # the old document no longer calls back
    second.set_theta(second.network.theta * 2)
    assert seen == [(first, "values"), (second, "values")]
    link.switch(first, other_stack)
    assert link.undo_stack is other_stack
    link.detach()
    link.detach()  # a second detach does nothing
    first.set_theta(first.network.theta * 2)
    assert len(seen) == 2 and not link.attached


def test_the_toolbar_follows_the_opened_document(qtbot) -> None:
    first, second = Document(gradviz.load("exercise3")), Document(gradviz.load("exercise3"))
    bar = TrainingToolBar(first, QUndoStack())
    qtbot.addWidget(bar)
    new_stack = QUndoStack()
    bar.set_document(second, new_stack)
    assert bar.doc is second
    assert bar.step()
    assert new_stack.count() == 1 and first.network.theta.tolist() != second.network.theta.tolist()
    first.set_theta(first.network.theta * 0)  # not shown: the bar follows `second`
    assert bar.loss_label.text() != "l = ln 2" and bar.loss_label.text().startswith("l = ")
    bar.detach()
    second.set_theta(second.network.theta * 0)  # all weights 0: the loss is ln 2
    assert bar.loss_label.text() != "l = ln 2"  # detached: no longer follows
