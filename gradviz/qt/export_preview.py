"""The export dialog's preview: the picture an export will write, scaled to fit.

:class:`PreviewRenderer` keeps one read-only :class:`~gradviz.qt.canvas.GraphScene`
of the network and re-draws it for each set of
:class:`~gradviz.qt.export_files.ExportOptions` with the exporter's own
:func:`gradviz.qt.render.scene_to_image`, so the preview is the export at a
smaller scale (same crop, margin, theme, transparency, labels).
:class:`PreviewCanvas` shows that image centred, over a checkerboard where it is
transparent, as image editors do.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from PySide6.QtCore import QRectF, QSize, Signal
from PySide6.QtGui import QBrush, QColor, QImage, QPainter, QPaintEvent, QPixmap, QResizeEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

from gradviz.model.document import Document
from gradviz.model.network import Network
from gradviz.qt import render
from gradviz.qt.canvas import GraphScene
from gradviz.qt.export_files import ExportOptions

#: Largest preview scale relative to the export's 1× (a tiny network is not blown up).
MAX_PREVIEW_SCALE = 1.5


class PreviewRenderer:
    """Draws ``net`` as an export with given options, at any size.

    The scene is built once; an options change is :meth:`GraphScene.set_options`
    plus the visible nodes, as in :func:`gradviz.qt.render.export_file`."""

    def __init__(self, net: Network) -> None:
        self.net = net
        self.scene = GraphScene(Document(net), ExportOptions().display)
        self._shown: tuple[object, ...] | None = None

    def _apply(self, o: ExportOptions, selection: Sequence[str]) -> None:
        visible = tuple(selection) if o.selection_only and selection and o.fmt != "tex" else None
        key = (o.display, visible)
        if key == self._shown:
            return
        self.scene.set_options(o.display)
        self.scene.set_visible_nodes(visible)
        self._shown = key

    def source_rect(self, o: ExportOptions, selection: Sequence[str] = ()) -> QRectF:
        """The part of the scene the export shows (canvas units)."""
        self._apply(o, selection)
        return render.export_rect(self.scene, self.margin(o))

    @staticmethod
    def margin(o: ExportOptions) -> float:
        return float(o.margin) if o.fmt != "tex" else 24.0

    def export_size(self, o: ExportOptions, selection: Sequence[str] = ()) -> tuple[int, int]:
        """The written picture's size: pixels for PNG (× its scale), canvas units
        (SVG px, PDF pt) otherwise."""
        rect = self.source_rect(o, selection)
        k = o.scale if o.fmt == "png" else 1
        return max(1, math.ceil(rect.width() * k)), max(1, math.ceil(rect.height() * k))

    def image(self, o: ExportOptions, selection: Sequence[str], fit: QSize) -> QImage:
        """The export drawn to fit inside ``fit`` device pixels (ARGB, alpha 0 where
        transparent), never larger than :data:`MAX_PREVIEW_SCALE` × the 1× picture."""
        rect = self.source_rect(o, selection)
        longest = max(rect.width(), rect.height(), 1.0)
        scale = min(
            fit.width() / max(rect.width(), 1.0),
            fit.height() / max(rect.height(), 1.0),
            MAX_PREVIEW_SCALE,
            (render.MAX_PIXELS - 1) / longest,
        )
        return render.scene_to_image(self.scene, max(scale, 0.01), o.transparent, self.margin(o))

    def close(self) -> None:
        self.scene.detach()


#: Checkerboard squares under a transparent preview: a light slide for the light
#: theme, a dark one for the dark theme (light text on white would vanish).
CHECKER = {"light": ("#ffffff", "#e3e3e3"), "dark": ("#2a2d33", "#1c1e22")}


def checkerboard(theme: str = "light", size: int = 8) -> QPixmap:
    """A 2×2 tile of squares in two shades, the usual sign of transparency."""
    a, b = CHECKER.get(theme, CHECKER["light"])
    tile = QPixmap(2 * size, 2 * size)
    tile.fill(QColor(a))
    p = QPainter(tile)
    p.fillRect(0, 0, size, size, QColor(b))
    p.fillRect(size, size, size, size, QColor(b))
    p.end()
    return tile


class PreviewCanvas(QWidget):
    """Shows one image centred and scaled down to fit (device-pixel sharp), with a
    checkerboard under it when ``transparent``; a hairline frames the page.
    ``resized`` tells the dialog to re-render at the new size."""

    resized = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.image = QImage()
        self.transparent = False
        self._checkers = {name: QBrush(checkerboard(name)) for name in CHECKER}
        self._checker = self._checkers["light"]
        self.setMinimumSize(360, 180)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(860, 300)

    def fit_size(self) -> QSize:
        """The device pixels available for the image (8 px of room all round)."""
        dpr = self.devicePixelRatioF()
        return QSize(
            max(1, round((self.width() - 16) * dpr)), max(1, round((self.height() - 16) * dpr))
        )

    def set_image(self, image: QImage, transparent: bool, theme: str = "light") -> None:
        """Show ``image``; where it is transparent, a checkerboard of ``theme``'s shades."""
        self.image, self.transparent = image, transparent
        self._checker = self._checkers.get(theme, self._checkers["light"])
        self.update()

    def image_rect(self) -> QRectF:
        """Where the image is drawn, in widget coordinates."""
        if self.image.isNull():
            return QRectF()
        dpr = self.devicePixelRatioF()
        w, h = self.image.width() / dpr, self.image.height() / dpr
        k = min(1.0, (self.width() - 16) / max(w, 1.0), (self.height() - 16) / max(h, 1.0))
        w, h = w * k, h * k
        return QRectF((self.width() - w) / 2, (self.height() - h) / 2, w, h)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        p = QPainter(self)
        p.fillRect(self.rect(), self.palette().mid())
        target = self.image_rect()
        if not target.isEmpty():
            if self.transparent:
                p.fillRect(target, self._checker)
            p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
            p.drawImage(target, self.image)
            p.setPen(QColor(0, 0, 0, 70))
            p.drawRect(target.adjusted(-0.5, -0.5, 0.5, 0.5))
        p.end()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        super().resizeEvent(event)
        self.resized.emit()
