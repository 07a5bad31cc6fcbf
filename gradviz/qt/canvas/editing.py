"""The interactive half of :class:`~gradviz.qt.canvas.scene.GraphScene`: a drag
of nodes becomes one :class:`~gradviz.qt.undo.MoveNodesCommand`; the inline
editor opens over an entry and a valid number becomes one
:class:`~gradviz.qt.undo.SetEntryCommand` (a refused one turns the editor red and
says why on ``statusMessage``); scrubbing pushes ``SetEntryCommand`` objects
that merge into one undo entry.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import (
    QGraphicsProxyWidget,
    QGraphicsScene,
    QGraphicsSceneHelpEvent,
    QGraphicsSceneMouseEvent,
)

from gradviz.engine.numbers import NumberError, parse_number
from gradviz.model.document import Document
from gradviz.qt.canvas import style
from gradviz.qt.canvas.entry_editor import EntryEditor
from gradviz.qt.canvas.node_items import LeafNodeItem, NodeItem
from gradviz.qt.theme import DisplayOptions, Theme
from gradviz.qt.undo import MoveNodesCommand, SetEntryCommand

if TYPE_CHECKING:
    from PySide6.QtCore import SignalInstance

    from gradviz.qt.canvas.tensor_viewer import TensorViewer

    _Base = QGraphicsScene
else:
    _Base = object


class SceneEditing(_Base):
    """Mixin for the scene (listed before ``QGraphicsScene``); the scene provides
    the attributes declared here."""

    doc: Document
    undo_stack: QUndoStack | None
    node_items: dict[str, NodeItem]
    editor: EntryEditor | None
    _editor_proxy: QGraphicsProxyWidget | None
    _spare_editor: tuple[EntryEditor, QGraphicsProxyWidget] | None
    _press: dict[str, QPointF]
    _options: DisplayOptions
    if TYPE_CHECKING:
        statusMessage: SignalInstance

        @property
        def editable(self) -> bool: ...

        @property
        def theme(self) -> Theme: ...

    # -- dragging ---------------------------------------------------------------------------
    def mousePressEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        self._press = {nid: QPointF(it.pos()) for nid, it in self.node_items.items()}
        super().mousePressEvent(event)

    def mouseReleaseEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        super().mouseReleaseEvent(event)
        self._commit_moves()

    def _commit_moves(self) -> None:
        press, self._press = self._press, {}
        if self.undo_stack is None or not press:
            return
        new: dict[str, tuple[float, float] | None] = {}
        for nid, item in self.node_items.items():
            before = press.get(nid)
            if before is not None and (item.pos() - before).manhattanLength() > 0.05:
                new[nid] = (item.pos().x(), item.pos().y())
        if not new:
            return
        old = {nid: self.doc.network.node(nid).pos for nid in new}
        self.undo_stack.push(MoveNodesCommand(self.doc, old, new))

    def helpEvent(self, event: QGraphicsSceneHelpEvent) -> None:  # noqa: N802
        for item in self.items(event.scenePos()):
            if isinstance(item, NodeItem):
                item.ensure_tooltip()
                break
        super().helpEvent(event)

    # -- big tensors -----------------------------------------------------------------------------
    def open_tensor_viewer(self, node_id: str) -> TensorViewer | None:
        """Every entry of an input or parameter in a scrollable table (editable when
        the scene is), in a window of its own over the view's window; None for an
        op node or an unknown id."""
        item = self.node_items.get(node_id)
        if not isinstance(item, LeafNodeItem):
            return None
        from gradviz.qt.canvas.tensor_viewer import TensorModel, TensorViewer  # only when wanted

        views = self.views()
        parent = views[0].window() if views else None
        model = TensorModel(self.doc, node_id, self._options, self.undo_stack)
        viewer = TensorViewer(model, parent)
        viewer.show()
        viewer.raise_()
        return viewer

    # -- editing entries ----------------------------------------------------------------------
    def open_editor(self, node_id: str, index: tuple[int, ...]) -> EntryEditor | None:
        """Open the inline editor over one entry of an input or parameter."""
        item = self.node_items.get(node_id)
        if not self.editable or not isinstance(item, LeafNodeItem) or index not in item.entries:
            return None
        self.close_editor()
        entry = item.entries[index]
        value = self.doc.entry(node_id, index)
        spare = self._spare_editor
        if spare is not None and shiboken6.isValid(spare[1]) and spare[1].scene() is self:
            editor, proxy = spare  # one editor per scene, moved from entry to entry
            editor.retarget(node_id, index, value, self.theme)
        else:
            editor = EntryEditor(node_id, index, value, self.theme)
            editor.committed.connect(self._commit_editor)
            editor.cancelled.connect(self._cancel_editor)
            proxy = self.addWidget(editor)
            proxy.setZValue(100)
            self._spare_editor = (editor, proxy)
        proxy.show()
        r = item.mapRectToScene(entry.rect)
        w = max(r.width() + 44.0, 96.0)
        h = max(float(editor.sizeHint().height()), r.height() + 6)
        editor.resize(int(w), int(h))
        proxy.setPos(r.center().x() - w / 2, r.center().y() - h / 2)
        self.editor, self._editor_proxy = editor, proxy
        self.setFocusItem(proxy, Qt.FocusReason.MouseFocusReason)
        editor.setFocus(Qt.FocusReason.MouseFocusReason)
        self.statusMessage.emit(
            f"Editing {style.entry_label(node_id, index)}: Enter sets the value, Esc cancels."
        )
        return editor

    def close_editor(self) -> None:
        """Hide the inline editor, if open, without committing (it is kept for the next)."""
        editor, proxy = self.editor, self._editor_proxy
        self.editor = self._editor_proxy = None
        if editor is None or proxy is None or not shiboken6.isValid(proxy):
            return
        editor.finished = True
        proxy.hide()

    def _commit_editor(self, text: str) -> None:
        editor = self.editor
        if editor is None:
            return
        name = style.entry_label(editor.node_id, editor.index)
        old = self.doc.entry(editor.node_id, editor.index)
        try:
            new = parse_number(text)
        except NumberError as e:
            editor.set_invalid(True)
            self.statusMessage.emit(
                f"{name}: {e}; it keeps its value {style.number(old, self._options)}."
            )
            return
        node_id, index = editor.node_id, editor.index
        self.close_editor()
        if new != old and self.undo_stack is not None:
            self.undo_stack.push(SetEntryCommand(self.doc, node_id, index, new))
        self.statusMessage.emit(f"{name} = {style.number(new, self._options)}")

    def _cancel_editor(self) -> None:
        if self.editor is not None:
            self.close_editor()
            self.statusMessage.emit("Edit cancelled.")

    def scrub_entry(
        self, node_id: str, index: tuple[int, ...], steps: float, coarse: bool = False
    ) -> None:
        """Move one entry by ``steps`` × 1/4 (× 1 when ``coarse``), merged into one undo entry."""
        if self.undo_stack is None or not steps:
            return
        step = style.SCRUB_STEP_COARSE if coarse else style.SCRUB_STEP
        new = self.doc.entry(node_id, index) + steps * step
        self.undo_stack.push(SetEntryCommand(self.doc, node_id, index, new, scrub=True))
        self.statusMessage.emit(
            f"{style.entry_label(node_id, index)} = {style.number(new, self._options)}"
        )
