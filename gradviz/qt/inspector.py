"""The inspector dock: everything about the selected node, in the sheet's notation.

For a node ``g`` with inputs ``x_1 … x_k`` it shows

* its formula (``g = R(z)``, ``l = −ln f[1]`` with the sheet's 1-based index);
* the values of its inputs and its own value;
* its local Jacobians ``∂g/∂x_i`` (``(g.size, x_i.size)``), zeros dimmed, entries
  taken at a ReLU kink marked with a note;
* ``∂f/∂g`` (``(m, g.size)``), the Jacobian of the network output w.r.t. it — for a
  parameter these are its columns of ``J_fE(Θ)``, headed ``∂f/∂p₁,₁`` …;
* ``∂l/∂g``, the gradient of the loss w.r.t. it (in ``g``'s shape);
* the chain rule ``J_{f∘g}(X) = J_f(g(X)) × J_g(X)`` with the actual local
  Jacobians along the path from ``g`` to ``f`` and their product.

Every analytic Jacobian has its central-difference estimate beside it. The loss
node also gets a selector for the component ``−ln`` reads (an undoable
:class:`~gradviz.qt.undo.SetAttrCommand`), an mse loss a field for its target.

Each node's page (:class:`~gradviz.qt.inspector_page.InspectorPage`) is built
once and kept while the network's structure stays the same (the last
:data:`MAX_PAGES`), so clicking back and forth between nodes only flips pages.
After an edit the page shown refreshes its numbers in place (the same widgets,
new texts); hidden pages catch up when shown. Finite differences cost forward
runs, so they follow :data:`FD_DELAY_MS` after the last edit or selection.
"""

from __future__ import annotations

from collections import OrderedDict

import shiboken6
from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import (
    QCheckBox,
    QFrame,
    QLabel,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from gradviz.model.document import Change, Document
from gradviz.qt.document_link import DocumentLink, FollowsDocument
from gradviz.qt.inspector_page import InspectorPage
from gradviz.qt.matrix_block import MatrixBlock
from gradviz.qt.theme import DisplayOptions

#: Finite differences are recomputed this long after the last edit or selection.
FD_DELAY_MS = 120
#: Pages kept for quick return (the forward pass and the last nodes visited).
MAX_PAGES = 8


class Inspector(FollowsDocument, QScrollArea):
    """The dock's widget. ``set_node(id | None)`` selects what it shows; it follows
    the document's changes by itself."""

    fdVisibilityChanged = Signal(bool)
    #: An entry of ∂f/∂P (a weight's columns of J_fE(Θ)) was clicked: (row, column of Θ).
    jacobianEntryClicked = Signal(int, int)

    def __init__(
        self,
        doc: Document,
        undo_stack: QUndoStack,
        options: DisplayOptions | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setMinimumWidth(360)
        self._options = options or DisplayOptions()
        self._node_id: str | None = None
        self._show_fd = True
        self._pages: OrderedDict[str | None, InspectorPage] = OrderedDict()
        self._page: InspectorPage | None = None
        host = QWidget(self)
        self._host_layout = QVBoxLayout(host)
        self._host_layout.setContentsMargins(0, 0, 0, 0)
        self.setWidget(host)
        self._link = DocumentLink(doc, undo_stack, self._on_change)
        self._fd_timer = QTimer(self)
        self._fd_timer.setSingleShot(True)
        self._fd_timer.setInterval(FD_DELAY_MS)
        self._fd_timer.timeout.connect(self._refresh_fd)
        self._show(None)

    # -- what tests and the window read ----------------------------------------
    @property
    def node_id(self) -> str | None:
        return self._node_id

    @property
    def page(self) -> InspectorPage:
        """The page shown."""
        assert self._page is not None
        return self._page

    @property
    def blocks(self) -> dict[str, MatrixBlock]:
        return self.page.blocks

    @property
    def formula_label(self) -> QLabel | None:
        return self.page.formula_label

    @property
    def fd_check(self) -> QCheckBox | None:
        return self.page.fd_check

    @property
    def fd_pending(self) -> bool:
        """Finite differences are due (they follow an edit or a selection)."""
        return self._fd_timer.isActive()

    # -- public ----------------------------------------------------------------
    def set_document(self, doc: Document, undo_stack: QUndoStack | None = None) -> None:
        """Follow another document (File ▸ Open); the selection is cleared."""
        self._link.switch(doc, undo_stack)
        self._node_id = None
        self._drop_all()
        self._show(None)

    def set_node(self, node_id: str | None) -> None:
        """Show ``node_id`` (``None`` or ``""``: nothing selected)."""
        node_id = node_id or None
        if node_id is not None and not self.doc.network.has_node(node_id):
            node_id = None
        if node_id == self._node_id:
            return
        self._node_id = node_id
        self._show(node_id)

    def set_options(self, options: DisplayOptions) -> None:
        """Number format and theme; a new theme rebuilds (headings carry its colours)."""
        theme_changed = options.theme != self._options.theme
        self._options = options
        page = self.page
        for key in [k for k, p in self._pages.items() if p is not page or theme_changed]:
            self._drop(key)
        if theme_changed:
            self._show(self._node_id)
            return
        page.set_options(options)
        page.refresh(self.doc.evaluation, fd=False)
        self._fd_later()

    def set_fd_visible(self, visible: bool) -> None:
        """Show or hide the finite-difference estimates beside every Jacobian."""
        if visible == self._show_fd:
            return
        self._show_fd = visible
        for page in self._pages.values():
            page.set_fd_visible(visible)
        self.fdVisibilityChanged.emit(visible)
        if visible:
            self._refresh_fd()

    def detach(self) -> None:
        self._link.detach()

    # -- document changes ------------------------------------------------------
    def _on_change(self, change: Change) -> None:
        if change.kind == "positions":
            return
        if change.kind in ("structure", "display"):
            if self._node_id is not None and not self.doc.network.has_node(self._node_id):
                self._node_id = None
            self._drop_all()
            self._show(self._node_id)
            return
        for page in self._pages.values():  # hidden pages catch up when shown
            page.stale, page.fd_current = True, False
        self.page.refresh(self.doc.evaluation, fd=False)
        self._fd_later()

    def _refresh_fd(self) -> None:
        """The page shown, finite differences included."""
        self._fd_timer.stop()
        self.page.refresh(self.doc.evaluation, fd=True)

    def _fd_later(self) -> None:
        """Finite differences a moment after the last edit (scrubbing stays smooth)."""
        if self._show_fd and not self.page.fd_current:
            self._fd_timer.start()
        else:  # e.g. the overview, shown before another page's estimates were due
            self._fd_timer.stop()

    # -- pages -----------------------------------------------------------------
    def _show(self, node_id: str | None) -> None:
        """Flip to ``node_id``'s page, building it the first time."""
        scroll = self.verticalScrollBar().value()
        page = self._pages.get(node_id)
        if page is None:
            page = InspectorPage(
                self.doc, self._undo, self._options, node_id, self._show_fd, self.widget()
            )
            if page.fd_check is not None:
                page.fd_check.toggled.connect(self.set_fd_visible)
            page.entryClicked.connect(self.jacobianEntryClicked)
            page.hide()
            self._host_layout.addWidget(page)
            self._pages[node_id] = page
            while len(self._pages) > MAX_PAGES:
                self._drop(next(iter(self._pages)))
        self._pages.move_to_end(node_id)
        if page.stale:
            page.refresh(self.doc.evaluation, fd=False)
        if self._page is not page:
            if self._page is not None:
                self._page.hide()
            self._page = page
            page.show()
        self.verticalScrollBar().setValue(scroll)
        self._fd_later()

    def _drop(self, key: str | None) -> None:
        page = self._pages.pop(key)
        if page is self._page:
            self._page = None
        page.hide()
        self._host_layout.removeWidget(page)
        page.updaters.clear()  # the closures hold the page: no cycle left for gc
        # deleted now, as QScrollArea.setWidget did with the old content: a page
        # left to deleteLater and gc together once crashed a long test run
        shiboken6.delete(page)

    def forget_pages(self) -> None:
        """Drop the pages kept besides the one shown (the next selection builds afresh)."""
        for key in [k for k, page in self._pages.items() if page is not self._page]:
            self._drop(key)

    def _drop_all(self) -> None:
        for key in list(self._pages):
            self._drop(key)
