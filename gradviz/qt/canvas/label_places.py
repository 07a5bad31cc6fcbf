"""When a scene's edge labels get their places.

Keeping every label clear of every node and label
(:func:`~gradviz.qt.canvas.placement.place_labels`) is the biggest single share
of building a big drawing, and a big drawing is first seen whole or at the
view's smallest zoom, where no label can be read. So a drawing of more than
:data:`EAGER_LABEL_EDGES` edges places its labels as they first show:

* not at all while the tallest would tint less than half a pixel (see
  :func:`~gradviz.qt.canvas.labels.labels_show`): the label layer is *pending*,
  paints nothing and counts for no drawing's bounds;
* roughly, each at its first spot, overlaps and all, while they are bars too
  small to read (:func:`~gradviz.qt.canvas.labels.readable`);
* properly, by the same placer as a small drawing's, once they can be read, are pointed at
  or exported (:meth:`LabelPlaces.ensure`).

A smaller drawing's labels are placed as it is built. After a value edit or a
move the labels are placed again as far as they were (properly: each stays at
its spot while that is still free).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from gradviz.qt.canvas import build, labels, placement
from gradviz.qt.canvas.edge_items import EdgeItem
from gradviz.qt.canvas.layers import Layer
from gradviz.qt.canvas.node_base import NodeItem

#: Up to this many edges the labels are placed as the drawing is built.
EAGER_LABEL_EDGES = 500


class LabelPlaces:
    """How far the labels of ``edges`` (parts of ``layer``) are placed: see the
    module docstring. ``nodes``: every node item by id (labels keep off them)."""

    def __init__(
        self, layer: Layer, nodes: Mapping[str, NodeItem], edges: Sequence[EdgeItem]
    ) -> None:
        self.layer, self.nodes, self.edges = layer, nodes, edges
        self._tallest: float | None = None
        #: The labels stand at their first spots, not yet kept apart.
        self.rough = False
        layer.pending = len(edges) > EAGER_LABEL_EDGES

    @property
    def tallest(self) -> float:
        """The tallest label's height (scene units), measured when first asked (the
        labels have their texts by then; a label's height follows its value's
        shape, which only a rebuild changes): whether any shows at a scale."""
        if self._tallest is None:
            heights = (max(e.value_label.height, e.grad_label.height) for e in self.edges)
            self._tallest = max(heights, default=0.0)
        return self._tallest

    @property
    def final(self) -> bool:
        """Whether every label is where it covers nothing (as far as it can be)."""
        return not (self.layer.pending or self.rough)

    def again(self, sticky: bool, at: Mapping[str, tuple[float, float]] | None = None) -> None:
        """After the edges were re-anchored: place the labels as far as they were
        placed (``sticky``: each where it was, if that is still free; ``at``: the
        nodes' positions by id, when known)."""
        if self.rough:
            placement.place_roughly(self.edges)
        elif not self.layer.pending:
            placement.place_labels(self.nodes.values(), self.edges, sticky, at)

    def ensure(self) -> None:
        """Every label where it covers nothing, now."""
        if not self.final:
            with build.paused_gc(), self.layer.batch():
                self.layer.pending = self.rough = False
                placement.place_labels(self.nodes.values(), self.edges)

    def prepare(self, lod: float) -> None:
        """Before drawing at ``lod`` pixels per scene unit: the labels placed as far
        as they show there (roughly as bars, properly once readable)."""
        if self.final or not labels.labels_show(lod, self.tallest):
            return
        if labels.readable(lod):
            self.ensure()
        elif self.layer.pending:
            with self.layer.batch():
                self.layer.pending, self.rough = False, True
                placement.place_roughly(self.edges)
