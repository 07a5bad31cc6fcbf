"""Many light-weight drawings painted by one graphics item.

A big network has thousands of edges and twice as many labels. As one
``QGraphicsItem`` each, every one costs a Python object Qt must index and, at
every repaint, one call from C++ into Python; that is most of the time of a
build and of a paint. So edges and labels are :class:`Part` objects (plain
Python) and one :class:`Layer` item per kind paints all the parts that meet the
exposed rectangle: two items instead of thousands, at the same z-values as
before (edges under the nodes, labels above everything), so the picture is the
same pixel for pixel.

A part keeps the small part of the ``QGraphicsItem`` interface the rest of the
app uses: ``isVisible``/``setVisible``, ``opacity``/``setOpacity``, ``update``,
``pos``/``setPos``, ``boundingRect`` and ``sceneBoundingRect``. A layer is
never hit by the mouse (:meth:`Layer.collidesWithPath` is false), so clicks,
hovers and ``itemAt`` see the nodes and the background as before; the scene
finds the edge under a point itself (:func:`gradviz.qt.canvas.build.edge_at`).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from PySide6.QtCore import QPoint, QPointF, QRect, QRectF, Qt
from PySide6.QtGui import QPainter, QPainterPath
from PySide6.QtWidgets import QGraphicsItem, QGraphicsScene, QStyleOptionGraphicsItem, QWidget

#: ``(left, top, right, bottom)`` in scene units.
Rect = tuple[float, float, float, float]
EMPTY: Rect = (0.0, 0.0, 0.0, 0.0)


def to_qrect(r: Rect) -> QRectF:
    return QRectF(r[0], r[1], r[2] - r[0], r[3] - r[1])


def union(a: Rect | None, b: Rect) -> Rect:
    if a is None:
        return b
    return (min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3]))


def bounds(rects: list[Rect]) -> Rect | None:
    """The smallest rectangle holding all of ``rects`` (None when there are none)."""
    if not rects:
        return None
    lefts, tops, rights, bottoms = zip(*rects, strict=True)
    return (min(lefts), min(tops), max(rights), max(bottoms))


def meets(a: Rect, b: Rect) -> bool:
    """Whether two rectangles overlap (touching edges do not count)."""
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def render_lod(
    painter: QPainter,
    target: QRectF | QRect,
    source: QRectF | QRect,
    scene: QGraphicsScene,
    mode: Qt.AspectRatioMode,
) -> float:
    """Pixels per scene unit when ``scene.render`` draws ``source`` (null: the
    scene's rectangle) into ``target`` (null: the painter's whole device) in
    ``mode``, times the painter's own scale: the smaller of the two axes' scales
    when the aspect ratio is kept, else the larger (that way labels are placed
    when in doubt)."""
    dev = painter.device()
    to = QRectF(target) if not target.isNull() else QRectF(0, 0, dev.width(), dev.height())
    src = QRectF(source) if not source.isNull() else scene.sceneRect()
    if src.isEmpty():
        return 0.0
    sx, sy = to.width() / src.width(), to.height() / src.height()
    scale = min(sx, sy) if mode == Qt.AspectRatioMode.KeepAspectRatio else max(sx, sy)
    return scale * QStyleOptionGraphicsItem.levelOfDetailFromTransform(painter.worldTransform())


def inside(a: Rect, b: Rect) -> bool:
    """Whether ``a`` lies within ``b``."""
    return b[0] <= a[0] and b[1] <= a[1] and a[2] <= b[2] and a[3] <= b[3]


class Part:
    """One drawing of a :class:`Layer`; subclasses keep :attr:`rect` and give
    :meth:`draw`. Every change of what or where it draws goes through
    :meth:`changed` with the rectangle it covered before, so the layer repaints
    both places."""

    def __init__(self) -> None:
        self.layer: Layer | None = None
        self._visible = True
        self._opacity = 1.0
        #: Where the part draws, in scene units; subclasses keep it current.
        self.rect: Rect = EMPTY

    # -- what subclasses provide -------------------------------------------------
    def draw(self, painter: QPainter, lod: float) -> None:
        """Paint in scene coordinates (the painter's state is the part's to set)."""

    @staticmethod
    def draw_many(painter: QPainter, parts: Sequence[Part], lod: float) -> None:
        """Paint ``parts`` (all of this class, all opaque) in order; a subclass may
        draw them in bulk where, at this ``lod``, each is a plain shape."""
        for p in parts:
            p.draw(painter, lod)

    # -- the QGraphicsItem-like interface -------------------------------------------
    def isVisible(self) -> bool:  # noqa: N802  (the name QGraphicsItem callers use)
        return self._visible

    def setVisible(self, visible: bool) -> None:  # noqa: N802
        if visible != self._visible:
            self._visible = visible
            self.changed(self.rect)

    def opacity(self) -> float:
        return self._opacity

    def setOpacity(self, opacity: float) -> None:  # noqa: N802
        if opacity != self._opacity:
            self._opacity = opacity
            self.changed(self.rect)

    def update(self) -> None:
        """Repaint the part where it is."""
        self.changed(self.rect)

    def sceneBoundingRect(self) -> QRectF:  # noqa: N802
        return to_qrect(self.rect)

    def changed(self, before: Rect) -> None:
        """Tell the layer the part changed; ``before`` is the rectangle it covered."""
        layer = self.layer
        if layer is not None:
            if layer._batch:  # one refit at the end of the batch (see Layer.part_changed)
                layer._drawn = None
            else:
                layer.part_changed(self, before)


class Layer(QGraphicsItem):
    """One graphics item at ``z`` painting every visible :class:`Part` it holds."""

    def __init__(self, z: float) -> None:
        super().__init__()
        self.parts: list[Part] = []
        self._bounds: Rect | None = None
        #: :meth:`drawing_rect` as last computed; None once any part changed since.
        self._drawn: tuple[Rect | None] | None = None
        self._batch = 0
        #: The parts are not in place yet (see :mod:`~gradviz.qt.canvas.label_places`):
        #: the layer paints nothing and its parts count for no drawing's bounds.
        self.pending = False
        self.setZValue(z)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption, True)

    def add(self, part: Part) -> None:
        part.layer = self
        self.parts.append(part)
        if not self._batch:
            self.part_changed(part, part.rect)

    def __iter__(self) -> Iterator[Part]:
        return iter(self.parts)

    # -- bounds and repaints -----------------------------------------------------------
    def batch(self) -> _Batch:
        """``with layer.batch():`` many changes, one refit and one repaint at the end."""
        return _Batch(self)

    def refit(self) -> None:
        """Bounds of exactly the visible parts; repaint all of it."""
        self._drawn = None
        bounds = self.drawing_rect()
        self.prepareGeometryChange()
        self._bounds = bounds
        QGraphicsItem.update(self)

    def part_changed(self, part: Part, before: Rect) -> None:
        self._drawn = None
        if self._batch:
            return
        now = part.rect
        b = self._bounds
        if b is None or not inside(now, b):
            self.prepareGeometryChange()  # grow only; refit() shrinks
            self._bounds = union(b, now)
        QGraphicsItem.update(self, to_qrect(union(before, now)))

    def drawing_rect(self) -> Rect | None:
        """The union of the visible parts' rectangles (None when there are none)."""
        if self._drawn is None:
            self._drawn = (bounds([p.rect for p in self.parts if p._visible]),)
        return self._drawn[0]

    # -- QGraphicsItem ---------------------------------------------------------------
    def boundingRect(self) -> QRectF:
        return QRectF() if self._bounds is None else to_qrect(self._bounds)

    def shape(self) -> QPainterPath:
        return QPainterPath()

    def collidesWithPath(  # noqa: N802
        self,
        path: QPainterPath,
        mode: Qt.ItemSelectionMode = Qt.ItemSelectionMode.IntersectsItemShape,
    ) -> bool:
        return False  # never under the mouse: clicks and hovers reach what lies below

    def contains(self, point: QPointF | QPoint) -> bool:  # type: ignore[override]
        return False

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        if self.pending:
            return
        e = option.exposedRect
        x0, y0, x1, y1 = e.left(), e.top(), e.right(), e.bottom()
        lod = option.levelOfDetailFromTransform(painter.worldTransform())
        shown = [
            p
            for p in self.parts
            if p._visible
            and p._opacity > 0.0
            and (r := p.rect)[0] < x1
            and x0 < r[2]
            and r[1] < y1
            and y0 < r[3]
        ]
        if not shown:
            return
        if all(p._opacity == 1.0 for p in shown):
            type(shown[0]).draw_many(painter, shown, lod)
            return
        base = painter.opacity()  # a walk fades some parts: one at a time
        for p in shown:
            painter.setOpacity(base * p._opacity)
            p.draw(painter, lod)
        painter.setOpacity(base)


class _Batch:
    def __init__(self, layer: Layer) -> None:
        self.layer = layer

    def __enter__(self) -> Layer:
        self.layer._batch += 1
        return self.layer

    def __exit__(self, *exc: object) -> None:
        self.layer._batch -= 1
        if not self.layer._batch:
            self.layer.refit()
