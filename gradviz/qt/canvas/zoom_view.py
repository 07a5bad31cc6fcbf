"""A graphics view that zooms about a point, pans and fits its drawing, for every
graph view of the app (the canvas's :class:`~gradviz.qt.canvas.view.GraphView`,
the scalar view's :class:`~gradviz.qt.scalar_scene.ScalarGraphView`, and any
other view of a drawing: subclass it and give :meth:`drawing_rect`).

The zoom is the view's scale (1.0 = 100 %), clamped to ``MIN_ZOOM … MAX_ZOOM``.
:meth:`fit` shows the whole drawing (with ``FIT_MARGIN`` around it) at most at
``FIT_MAX``; until the user zooms or pans the view fits again whenever it is
shown, resized or told its drawing was rebuilt (:meth:`drawing_rebuilt`).
Subclasses change the class attributes to taste.

Input, the same in every view: the wheel zooms about the cursor (each notch of
120 multiplies the zoom by ``1.0015**120 ≈ 1.2``); Ctrl+= / Ctrl++ zoom in and
Ctrl+- out by ``ZOOM_STEP``, Ctrl+0 is 100 %, F fits; dragging the background
or with the middle button pans. With ``CLAIMS_KEYS`` the view takes those keys
before the window's shortcuts (a window-wide F that fits another view).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPoint, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QKeyEvent, QMouseEvent, QPainter, QResizeEvent, QShowEvent, QWheelEvent
from PySide6.QtWidgets import QFrame, QGraphicsScene, QGraphicsView, QWidget

#: The keys :meth:`ZoomView.keyPressEvent` handles (with Ctrl, but F alone).
ZOOM_KEYS = (
    Qt.Key.Key_F,
    Qt.Key.Key_Plus,
    Qt.Key.Key_Equal,
    Qt.Key.Key_Minus,
    Qt.Key.Key_Underscore,
    Qt.Key.Key_0,
)


class ZoomView(QGraphicsView):
    """Zoom about a scene point, pan, fit the drawing, follow the size until the
    user zooms or pans."""

    MIN_ZOOM = 0.05
    MAX_ZOOM = 12.0
    ZOOM_STEP = 1.25
    FIT_MAX = 1.5
    FIT_MARGIN = 24.0
    CLAIMS_KEYS = False

    def __init__(self, scene: QGraphicsScene, parent: QWidget | None = None) -> None:
        super().__init__(scene, parent)
        self._auto_fit = True  # follow the window's size until the user zooms or pans
        self._fitted_size = QSize()  # the widget's size at the last fit
        self._pan_from: QPoint | None = None  # a middle-button drag's last position
        self._scroll_at_press = (0, 0)
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.SmartViewportUpdate)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
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

    def place_fitted(self, rect: QRectF) -> None:
        """Show ``rect`` (the drawing and its margin) whole, at most at ``FIT_MAX``.
        Subclasses may show less of a drawing too tall to read when whole."""
        self.fitInView(rect, Qt.AspectRatioMode.KeepAspectRatio)
        if self.zoom() > self.FIT_MAX:
            self.set_zoom(self.FIT_MAX)
            self.centerOn(rect.center())
        elif self.zoom() < self.MIN_ZOOM:
            self.set_zoom(self.MIN_ZOOM)

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
        """Show the drawing (see :meth:`place_fitted`); until the user zooms or
        pans, the view fits again whenever it is resized or the drawing rebuilt."""
        rect = self.drawing_rect()
        if rect.isEmpty():
            return
        m = self.FIT_MARGIN
        rect = rect.adjusted(-m, -m, m, m)
        self.before_fit(rect)
        self.place_fitted(rect)
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

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802
        delta = event.angleDelta().y() or event.angleDelta().x()
        if not delta:
            event.ignore()
            return
        anchor = self.mapToScene(event.position().toPoint())
        self.set_zoom(self.zoom() * (1.0015**delta), anchor)
        event.accept()

    def event(self, event: QEvent) -> bool:
        if (
            self.CLAIMS_KEYS
            and event.type() == QEvent.Type.ShortcutOverride
            and isinstance(event, QKeyEvent)
            and event.key() in ZOOM_KEYS
        ):
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        key, mods = event.key(), event.modifiers()
        ctrl = bool(mods & Qt.KeyboardModifier.ControlModifier)
        if ctrl and key in (Qt.Key.Key_Plus, Qt.Key.Key_Equal):
            self.zoom_in()
        elif ctrl and key in (Qt.Key.Key_Minus, Qt.Key.Key_Underscore):
            self.zoom_out()
        elif ctrl and key == Qt.Key.Key_0:
            self.reset_zoom()
        elif key == Qt.Key.Key_F and not (mods & ~Qt.KeyboardModifier.KeypadModifier):
            self.fit()
        else:
            super().keyPressEvent(event)
            return
        event.accept()

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if event.button() == Qt.MouseButton.MiddleButton:
            self._pan_from = event.position().toPoint()
            self._auto_fit = False
            self.viewport().setCursor(Qt.CursorShape.ClosedHandCursor)
            event.accept()
            return
        self._scroll_at_press = self._scroll()
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if self._pan_from is not None:
            pos = event.position().toPoint()
            d = pos - self._pan_from
            self._pan_from = pos
            self.horizontalScrollBar().setValue(self.horizontalScrollBar().value() - d.x())
            self.verticalScrollBar().setValue(self.verticalScrollBar().value() - d.y())
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if self._pan_from is not None and event.button() == Qt.MouseButton.MiddleButton:
            self._pan_from = None
            self.viewport().setCursor(Qt.CursorShape.OpenHandCursor)
            event.accept()
            return
        super().mouseReleaseEvent(event)
        if self._scroll() != self._scroll_at_press:  # the background was dragged: a pan
            self._auto_fit = False

    def _scroll(self) -> tuple[int, int]:
        return self.horizontalScrollBar().value(), self.verticalScrollBar().value()
