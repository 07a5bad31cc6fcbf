"""A graphics view that zooms about a point and fits its drawing, for every
graph view of the app (the canvas's :class:`~gradviz.qt.canvas.view.GraphView`
and any other view of a drawing: subclass it and give :meth:`drawing_rect`).

The zoom is the view's scale (1.0 = 100 %), clamped to ``MIN_ZOOM … MAX_ZOOM``.
:meth:`fit` shows the whole drawing (with ``FIT_MARGIN`` around it) at most at
``FIT_MAX``; until the user zooms (any :meth:`set_zoom`) the view fits again
whenever it is shown, resized or told its drawing was rebuilt
(:meth:`drawing_rebuilt`). Subclasses change the class attributes to taste.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QResizeEvent, QShowEvent
from PySide6.QtWidgets import QGraphicsScene, QGraphicsView, QWidget


class ZoomView(QGraphicsView):
    """Zoom about a scene point, fit the drawing, follow the size until the user zooms."""

    MIN_ZOOM = 0.05
    MAX_ZOOM = 12.0
    ZOOM_STEP = 1.25
    FIT_MAX = 1.5
    FIT_MARGIN = 24.0

    def __init__(self, scene: QGraphicsScene, parent: QWidget | None = None) -> None:
        super().__init__(scene, parent)
        self._auto_fit = True  # follow the window's size until the user zooms or pans
        self._fitted_size = QSize()  # the widget's size at the last fit
        # No scroll bars: panning is by dragging, and bars beside a fitted slide look untidy.
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

    # -- what subclasses give --------------------------------------------------------
    def drawing_rect(self) -> QRectF:
        """The scene rectangle :meth:`fit` shows (default: every item)."""
        scene = self.scene()
        return QRectF() if scene is None else scene.itemsBoundingRect()

    def before_fit(self, rect: QRectF) -> None:
        """Called by :meth:`fit` with the rectangle about to be shown (e.g. to make
        the scrollable area around it)."""

    # -- zoom ------------------------------------------------------------------------
    def zoom(self) -> float:
        """The current scale (1.0 = 100 %)."""
        return float(self.transform().m11())

    def set_zoom(self, factor: float, anchor: QPointF | None = None) -> None:
        """Zoom to ``factor`` (clamped to ``MIN_ZOOM … MAX_ZOOM``), keeping ``anchor``
        (a scene point) where it is on screen, or the view's centre."""
        self._auto_fit = False
        factor = min(self.MAX_ZOOM, max(self.MIN_ZOOM, factor))
        ratio = factor / self.zoom()
        if abs(ratio - 1) < 1e-9:
            return
        old = self.transformationAnchor()
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.NoAnchor)
        centre = self.mapToScene(self.viewport().rect().center())
        target = anchor if anchor is not None else centre
        screen = self.mapFromScene(target)
        self.scale(ratio, ratio)
        moved = self.mapToScene(screen) - target
        self.centerOn(self.mapToScene(self.viewport().rect().center()) - moved)
        self.setTransformationAnchor(old)

    def zoom_in(self) -> None:
        self.set_zoom(self.zoom() * self.ZOOM_STEP)

    def zoom_out(self) -> None:
        self.set_zoom(self.zoom() / self.ZOOM_STEP)

    def reset_zoom(self) -> None:
        self.set_zoom(1.0)

    def fit(self) -> None:
        """Show the whole drawing, at most at ``FIT_MAX``; until the user zooms or
        pans, the view fits again whenever it is resized or the drawing rebuilt."""
        rect = self.drawing_rect()
        if rect.isEmpty():
            return
        m = self.FIT_MARGIN
        rect = rect.adjusted(-m, -m, m, m)
        self.before_fit(rect)
        self.fitInView(rect, Qt.AspectRatioMode.KeepAspectRatio)
        if self.zoom() > self.FIT_MAX:
            self.set_zoom(self.FIT_MAX)
            self.centerOn(rect.center())
        elif self.zoom() < self.MIN_ZOOM:
            self.set_zoom(self.MIN_ZOOM)
        self._auto_fit = True
        self._fitted_size = self.size()

    def drawing_rebuilt(self) -> None:
        """The drawing changed as a whole: fit again unless the user has zoomed."""
        if self._auto_fit and self.isVisible():
            self.fit()

    # -- events ----------------------------------------------------------------------------
    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        super().showEvent(event)
        if self._auto_fit:
            self.fit()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        super().resizeEvent(event)
        # Only a new widget size re-fits: scroll bars coming and going resize the
        # viewport alone, and re-fitting for them looped forever on a tiny canvas.
        if self._auto_fit and self.isVisible() and self.size() != self._fitted_size:
            self.fit()
