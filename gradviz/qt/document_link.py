"""A view's hold on the open document: which :class:`Document` it shows, the
undo stack its edits go to, and its subscription to the document's changes.

Every dock and toolbar that follows the document did the same three things by
hand: subscribe in ``__init__``, unsubscribe-then-resubscribe (and swap the undo
stack) on File ▸ Open, and unsubscribe when the window closes. A
:class:`DocumentLink` does them once::

    self._link = DocumentLink(doc, undo_stack, self._on_change)
    ...
    self._link.switch(new_doc, new_stack)  # File ▸ Open
    self._link.detach()                    # the window closes

A view that holds one mixes in :class:`FollowsDocument` for its ``doc`` (and, if
it edits, ``_undo``) read through the link.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QUndoStack

from gradviz.model.document import Change, Document


class DocumentLink:
    """``doc`` and ``undo_stack`` of one view (None for a view that never edits);
    ``on_change(change)`` is called after every change of ``doc`` until
    :meth:`detach` (or :meth:`switch`)."""

    def __init__(
        self,
        doc: Document,
        undo_stack: QUndoStack | None,
        on_change: Callable[[Change], None],
    ) -> None:
        self.doc = doc
        self.undo_stack = undo_stack
        self._on_change = on_change
        self._unsubscribe: Callable[[], None] | None = doc.subscribe(on_change)

    @property
    def stack(self) -> QUndoStack:
        """The undo stack, for a view that edits (and so was given one)."""
        assert self.undo_stack is not None, "this view was linked without an undo stack"
        return self.undo_stack

    @property
    def attached(self) -> bool:
        return self._unsubscribe is not None

    def switch(self, doc: Document, undo_stack: QUndoStack | None = None) -> None:
        """Follow ``doc`` instead (and push edits onto ``undo_stack`` when given);
        the old document no longer calls back."""
        self.detach()
        self.doc = doc
        if undo_stack is not None:
            self.undo_stack = undo_stack
        self._unsubscribe = doc.subscribe(self._on_change)

    def detach(self) -> None:
        """Stop following the document (a second call does nothing)."""
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None


class FollowsDocument:
    """Mixin for a view holding a :class:`DocumentLink` as ``self._link``: the
    document it shows and (for a view that edits) the undo stack, read through it."""

    _link: DocumentLink

    @property
    def doc(self) -> Document:
        return self._link.doc

    @property
    def _undo(self) -> QUndoStack:
        return self._link.stack
