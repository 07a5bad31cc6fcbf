"""The open document: one network, where it came from, and who is watching.

Views subscribe with :meth:`Document.subscribe` and get a :class:`Change` after
every edit (plain callbacks, no Qt signals, so the model stays testable without
a window). The evaluation is recomputed lazily, once per change, and shared by
every view. Every mutating method returns what it replaced so that an undo
command can put it back.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from gradviz.engine.evaluate import Evaluation
from gradviz.engine.ops import Array
from gradviz.model.fileformat import ModelError, validate
from gradviz.model.network import Network

#: What changed: ``values`` (entries, Θ, loss target — same structure),
#: ``positions`` (nodes moved, nothing to recompute), ``structure`` (nodes or
#: edges added/removed: views rebuild), ``display`` (title and labels).
CHANGE_KINDS = ("values", "positions", "structure", "display")


@dataclass(frozen=True)
class Change:
    kind: str
    nodes: tuple[str, ...] = ()


Listener = Callable[[Change], None]


@dataclass
class Document:
    """A network being edited. ``initial`` is the network as loaded (for Reset);
    ``loss_history`` the losses seen by gradient steps, oldest first."""

    network: Network
    path: Path | None = None
    initial: Network = field(init=False)
    loss_history: list[float] = field(default_factory=list)
    _listeners: list[Listener] = field(default_factory=list, repr=False)
    _evaluation: Evaluation | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self.initial = self.network.copy()

    # -- observing -----------------------------------------------------------
    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener(change)`` after every change; returns an unsubscribe function."""
        self._listeners.append(listener)

        def unsubscribe() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)

        return unsubscribe

    def _notify(self, kind: str, nodes: tuple[str, ...] = ()) -> None:
        if kind != "positions":
            self._evaluation = None
        change = Change(kind, nodes)
        for listener in list(self._listeners):
            listener(change)

    @property
    def evaluation(self) -> Evaluation:
        """The current :class:`Evaluation`, computed at most once per change."""
        if self._evaluation is None:
            self._evaluation = self.network.evaluate()
        return self._evaluation

    @property
    def title(self) -> str:
        if self.network.title:
            return self.network.title
        return self.path.stem if self.path else "untitled"

    # -- values --------------------------------------------------------------
    def entry(self, node_id: str, index: tuple[int, ...]) -> float:
        value = self._leaf_value(node_id)
        return float(value[index])

    def set_entry(self, node_id: str, index: tuple[int, ...], new: float) -> float:
        """Set one entry of an input or parameter; returns the old entry."""
        value = self._leaf_value(node_id)
        old = float(value[index])
        value[index] = new
        self._notify("values", (node_id,))
        return old

    def set_value(self, node_id: str, new: Array) -> Array:
        """Replace a leaf's whole value (same shape); returns the old value."""
        node = self.network.node(node_id)
        old = self._leaf_value(node_id)
        new = np.asarray(new, dtype=np.float64)
        if new.shape != old.shape:
            raise ModelError(
                f"node '{node_id}': a value of shape {new.shape} does not "
                f"replace one of shape {old.shape}"
            )
        node.value = new.copy()
        self._notify("values", (node_id,))
        return old.copy()

    def set_theta(self, theta: Array) -> Array:
        """Write a whole Θ (a gradient step, Reset); returns the old Θ."""
        old = self.network.theta
        self.network.set_theta(np.asarray(theta, dtype=np.float64))
        self._notify("values", tuple(self.network.param_ids))
        return old

    def set_attr(self, node_id: str, key: str, value: Any) -> Any:
        """Change an op attribute (the loss target ``index``, an mse ``target``),
        validated first; returns the old value."""
        node = self.network.node(node_id)
        old = node.attrs.get(key)
        node.attrs[key] = value
        try:
            validate(self.network)
        except ModelError:
            node.attrs[key] = old
            raise
        self._notify("values", (node_id,))
        return old

    def _leaf_value(self, node_id: str) -> Array:
        value = self.network.node(node_id).value
        if value is None:
            raise ModelError(f"node '{node_id}' is computed, not edited")
        return value

    # -- layout and structure --------------------------------------------------
    def set_positions(
        self, positions: dict[str, tuple[float, float] | None]
    ) -> dict[str, tuple[float, float] | None]:
        """Move nodes (None forgets a saved position); returns the old positions."""
        old: dict[str, tuple[float, float] | None] = {}
        for nid, pos in positions.items():
            node = self.network.node(nid)
            old[nid] = node.pos
            if pos is None:
                node.extra.pop("pos", None)
            else:
                node.extra["pos"] = [round(float(pos[0]), 1), round(float(pos[1]), 1)]
        self._notify("positions", tuple(positions))
        return old

    def set_network(self, network: Network) -> Network:
        """Replace the whole network (a structural edit), validated first;
        returns the old one. The document keeps its path and initial values."""
        validate(network)
        old = self.network
        self.network = network
        self._notify("structure")
        return old

    def reset(self) -> Network:
        """Back to the network as loaded; returns what was there."""
        old = self.network
        self.network = self.initial.copy()
        self._notify("structure")
        return old
