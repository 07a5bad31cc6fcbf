"""Pictures of the graph for slides: PNG, SVG and PDF, drawn by the canvas's own
items (:class:`~gradviz.qt.canvas.GraphScene`), so an export looks exactly like
the canvas for the same file and options.

* PNG — a ``QImage`` at ``scale`` × the drawing's size (``scale=2``: twice the
  pixels each way), truly transparent (alpha 0) under ``transparent=True``.
* SVG — ``QSvgGenerator``: vector, and every label stays a ``<text>`` element.
* PDF — ``QPdfWriter`` at 72 dpi, one page exactly the drawing's size in
  points: vector, fonts embedded, text searchable and selectable.

Each picture is cropped to the drawing plus ``margin`` scene units. Without a
running application one is created (offscreen when there is no display), so the
CLI's ``gradviz export`` works headless.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Iterable
from pathlib import Path

from PySide6.QtCore import (
    QBuffer,
    QCoreApplication,
    QIODevice,
    QMarginsF,
    QRectF,
    QSize,
    QSizeF,
    Qt,
)
from PySide6.QtGui import (
    QColor,
    QGuiApplication,
    QImage,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
)
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import QApplication

from gradviz.model.atomic import write_text_atomic
from gradviz.model.document import Document
from gradviz.model.network import Network
from gradviz.qt.canvas.scene import GraphScene
from gradviz.qt.theme import THEMES, DisplayOptions

FORMATS = (".png", ".svg", ".pdf")
#: Largest PNG side in pixels (Qt's raster engine and most viewers stop near here).
MAX_PIXELS = 16384

#: Qt's PNG "quality" picks the zlib level: 80 compresses lightly, twice as fast as
#: the default for files about a third larger (a 2× exercise3 is some 200 kB).
PNG_QUALITY = 80

_app: QCoreApplication | None = None


def ensure_app() -> QCoreApplication:
    """The running Qt application, or a new ``QApplication`` (offscreen without a display)."""
    global _app
    app = QCoreApplication.instance()
    if app is not None:
        return app
    if not os.environ.get("QT_QPA_PLATFORM") and not (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    ):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    _app = QApplication(["gradviz"])
    return _app


def build_scene(net: Network, options: DisplayOptions | None = None) -> GraphScene:
    """A read-only scene of ``net`` (the network is not modified)."""
    ensure_app()
    return GraphScene(Document(net), options or DisplayOptions())


def export_rect(scene: GraphScene, margin: float = 24.0) -> QRectF:
    """The part of the scene a picture shows: the drawing plus ``margin`` all round."""
    rect = scene.drawing_rect()
    if rect.isEmpty():
        rect = QRectF(0, 0, 1, 1)
    return rect.adjusted(-margin, -margin, margin, margin)


def render_scene(
    scene: GraphScene, painter: QPainter, target: QRectF, source: QRectF, transparent: bool = False
) -> None:
    """Draw ``source`` (scene units) of ``scene`` into ``target`` (device units) as
    an export: no selection or editor; no background or label halos when transparent."""
    painter.setRenderHints(
        QPainter.RenderHint.Antialiasing
        | QPainter.RenderHint.TextAntialiasing
        | QPainter.RenderHint.SmoothPixmapTransform
    )
    with scene.export_mode(transparent):
        if not transparent:
            painter.fillRect(target, QColor(scene.theme.background))
        scene.render(painter, target, source, Qt.AspectRatioMode.IgnoreAspectRatio)


def scene_to_image(
    scene: GraphScene, scale: float = 1.0, transparent: bool = False, margin: float = 24.0
) -> QImage:
    """The drawing as an ARGB image of ``scale`` × its size in scene units."""
    if not (scale > 0 and math.isfinite(scale)):
        raise ValueError(f"the scale must be a positive number, not {scale}")
    source = export_rect(scene, margin)
    w = max(1, math.ceil(source.width() * scale))
    h = max(1, math.ceil(source.height() * scale))
    if max(w, h) > MAX_PIXELS:
        raise ValueError(
            f"the picture would be {w}×{h} pixels, more than {MAX_PIXELS} on a "
            "side; choose a smaller scale or export SVG or PDF"
        )
    image = QImage(w, h, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    dots = round(96 / 0.0254 * scale)  # 96 dpi at 1×: viewers show 2× sharper, not larger
    image.setDotsPerMeterX(dots)
    image.setDotsPerMeterY(dots)
    painter = QPainter(image)
    try:
        render_scene(scene, painter, QRectF(0, 0, w, h), source, transparent)
    finally:
        painter.end()
    return image


def scene_to_svg(
    scene: GraphScene,
    path: str | os.PathLike[str],
    transparent: bool = False,
    margin: float = 24.0,
    title: str = "",
) -> None:
    """Write the drawing as SVG (1 scene unit = 1 px; labels as ``<text>``), atomically.
    Control characters a label or title may hold are dropped: XML 1.0 cannot carry
    them, and QSvgGenerator would write them raw (a file no SVG reader opens)."""
    source = export_rect(scene, margin)
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    gen = QSvgGenerator()
    gen.setOutputDevice(buffer)
    gen.setSize(QSize(math.ceil(source.width()), math.ceil(source.height())))
    gen.setViewBox(QRectF(0, 0, source.width(), source.height()))
    gen.setResolution(96)  # 1 scene unit = 1 CSS pixel, so the mm size Qt writes is right
    gen.setTitle(title or "gradviz drawing")
    gen.setDescription("Computation graph with forward values and gradients, drawn by gradviz")
    painter = QPainter()
    if not painter.begin(gen):
        raise OSError(f"{path}: cannot be written")
    try:
        render_scene(
            scene, painter, QRectF(0, 0, source.width(), source.height()), source, transparent
        )
    finally:
        painter.end()
    text = bytes(buffer.data().data()).decode("utf-8", errors="replace")
    write_text_atomic(path, _XML_INVALID.sub("", text))


#: Characters XML 1.0 forbids (C0 controls but tab, newline and carriage return).
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def scene_to_pdf(
    scene: GraphScene,
    path: str | os.PathLike[str],
    transparent: bool = False,
    margin: float = 24.0,
    title: str = "",
) -> None:
    """Write the drawing as a one-page vector PDF the size of the drawing
    (1 scene unit = 1 pt), fonts embedded, text searchable."""
    source = export_rect(scene, margin)
    writer = QPdfWriter(str(path))
    writer.setResolution(72)
    size = QPageSize(
        QSizeF(source.width(), source.height()),
        QPageSize.Unit.Point,
        "gradviz",
        QPageSize.SizeMatchPolicy.ExactMatch,
    )
    writer.setPageLayout(
        QPageLayout(
            size, QPageLayout.Orientation.Portrait, QMarginsF(0, 0, 0, 0), QPageLayout.Unit.Point
        )
    )
    writer.setTitle(title or "gradviz drawing")
    writer.setCreator("gradviz")
    painter = QPainter()
    if not painter.begin(writer):
        raise OSError(f"{path}: cannot be written")
    try:
        render_scene(
            scene, painter, QRectF(0, 0, source.width(), source.height()), source, transparent
        )
    finally:
        painter.end()


def copy_image_to_clipboard(scene: GraphScene, scale: float = 2.0) -> QImage:
    """Put the drawing on the clipboard as an image (2× for sharp slides); returns it."""
    image = scene_to_image(scene, scale)
    clipboard = QGuiApplication.clipboard()
    if clipboard is not None:
        clipboard.setImage(image)
    return image


def export_file(
    net: Network,
    path: str | os.PathLike[str],
    *,
    scale: float = 1.0,
    transparent: bool = False,
    theme: str = "light",
    show_values: bool = True,
    show_gradients: bool = True,
    exact: bool = True,
    margin: float = 24.0,
    selection: Iterable[str] | None = None,
    digits: int = 4,
) -> None:
    """Draw ``net`` as the canvas does and write it to ``path`` (.png, .svg or .pdf).

    ``selection`` (node ids) draws only those nodes and the edges between them;
    ``digits`` is the number of significant digits of decimals (``exact=False``).
    Raises ``ValueError`` with one sentence for an unknown extension, theme,
    scale or node, ``OSError`` when the file cannot be written.
    """
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise ValueError(
            f"{path}: cannot export to '{suffix or 'no extension'}'; choose .png, .svg or .pdf"
        )
    if theme not in THEMES:
        raise ValueError(f"unknown theme '{theme}'; choose {' or '.join(THEMES)}")
    if not (scale > 0 and math.isfinite(scale)):
        raise ValueError(f"the scale must be a positive number, not {scale}")
    options = DisplayOptions(
        exact=exact,
        digits=digits,
        show_values=show_values,
        show_gradients=show_gradients,
        theme=theme,
    )
    scene = build_scene(net, options)
    try:
        if selection is not None:
            chosen = list(selection)
            unknown = [s for s in chosen if s not in scene.node_items]
            if unknown:
                raise ValueError(f"cannot export node '{unknown[0]}': the network has no such node")
            scene.set_visible_nodes(chosen)
        if suffix == ".png":
            image = scene_to_image(scene, scale, transparent, margin)
            if not image.save(str(path), "PNG", PNG_QUALITY):  # type: ignore[call-overload]
                raise OSError(f"{path}: cannot be written")
        elif suffix == ".svg":
            scene_to_svg(scene, path, transparent, margin, net.title)
        else:
            scene_to_pdf(scene, path, transparent, margin, net.title)
    finally:
        scene.detach()
