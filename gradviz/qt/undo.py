"""Undo commands: every edit, drag, step and target change is one ``QUndoCommand``
on the window's ``QUndoStack`` (Ctrl+Z / Ctrl+Shift+Z). Each command calls the
:class:`~gradviz.model.document.Document`, which notifies the views."""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QUndoCommand

from gradviz.engine.exact import format_scalar
from gradviz.engine.ops import Array
from gradviz.model.document import Document
from gradviz.model.network import Network

#: Scrubbing an entry (Alt+drag, wheel) merges consecutive changes of the same entry.
SCRUB_MERGE_ID = 1001


class SetEntryCommand(QUndoCommand):
    """``node[index] := new`` for an input or parameter entry."""

    def __init__(
        self,
        doc: Document,
        node_id: str,
        index: tuple[int, ...],
        new: float,
        *,
        scrub: bool = False,
    ) -> None:
        self.doc, self.node_id, self.index, self.new = doc, node_id, tuple(index), float(new)
        self.old = doc.entry(node_id, self.index)
        self.scrub = scrub
        entry = ",".join(str(i + 1) for i in self.index)
        super().__init__(f"Set {node_id}[{entry}] to {format_scalar(self.new)}")

    def redo(self) -> None:
        self.doc.set_entry(self.node_id, self.index, self.new)

    def undo(self) -> None:
        self.doc.set_entry(self.node_id, self.index, self.old)

    def id(self) -> int:
        return SCRUB_MERGE_ID if self.scrub else -1

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not (
            isinstance(other, SetEntryCommand)
            and other.scrub
            and other.node_id == self.node_id
            and other.index == self.index
        ):
            return False
        self.new = other.new
        self.setText(other.text())
        return True


class MoveNodesCommand(QUndoCommand):
    """Nodes dragged on the canvas: positions are saved in the file."""

    def __init__(
        self,
        doc: Document,
        old: dict[str, tuple[float, float] | None],
        new: dict[str, tuple[float, float] | None],
    ) -> None:
        self.doc, self.old, self.new = doc, dict(old), dict(new)
        names = ", ".join(sorted(new))
        super().__init__(f"Move {names}" if len(new) < 4 else f"Move {len(new)} nodes")

    def redo(self) -> None:
        self.doc.set_positions(self.new)

    def undo(self) -> None:
        self.doc.set_positions(self.old)


class SetThetaCommand(QUndoCommand):
    """A gradient step, several steps, or Reset: all of Θ at once."""

    def __init__(
        self, doc: Document, new: Array, text: str, losses: list[float] | None = None
    ) -> None:
        self.doc = doc
        self.old = doc.network.theta
        self.new = np.asarray(new, dtype=np.float64).copy()
        self.old_history = list(doc.loss_history)
        self.new_history = list(losses) if losses is not None else list(doc.loss_history)
        super().__init__(text)

    def redo(self) -> None:
        self.doc.loss_history[:] = self.new_history
        self.doc.set_theta(self.new)

    def undo(self) -> None:
        self.doc.loss_history[:] = self.old_history
        self.doc.set_theta(self.old)


class SetAttrCommand(QUndoCommand):
    """An op attribute: the class ``−ln`` reads (``index``), an mse ``target``."""

    def __init__(self, doc: Document, node_id: str, key: str, new: object, text: str) -> None:
        self.doc, self.node_id, self.key, self.new = doc, node_id, key, new
        self.old = doc.network.node(node_id).attrs.get(key)
        super().__init__(text)

    def redo(self) -> None:
        self.doc.set_attr(self.node_id, self.key, self.new)

    def undo(self) -> None:
        self.doc.set_attr(self.node_id, self.key, self.old)


class ReplaceNetworkCommand(QUndoCommand):
    """A structural edit: the whole network before and after (validated by the model)."""

    def __init__(self, doc: Document, new: Network, text: str) -> None:
        self.doc = doc
        self.old = doc.network.copy()
        self.new = new.copy()
        super().__init__(text)

    def redo(self) -> None:
        self.doc.set_network(self.new.copy())

    def undo(self) -> None:
        self.doc.set_network(self.old.copy())
