"""The graph canvas: :class:`GraphScene` draws a document's network with values
and gradients on every edge; :class:`GraphView` zooms and pans it."""

from gradviz.qt.canvas.scene import GraphScene
from gradviz.qt.canvas.view import GraphView

__all__ = ["GraphScene", "GraphView"]
