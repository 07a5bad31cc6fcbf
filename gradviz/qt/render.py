"""Pictures of the graph for slides: PNG, SVG and PDF, drawn by the canvas's own
items (:class:`~gradviz.qt.canvas.GraphScene`), so an export looks exactly like
the canvas for the same file and options.

* PNG — a ``QImage`` at ``scale`` × the drawing's size (``scale=2``: twice the
  pixels each way), truly transparent (alpha 0) under ``transparent=True``.
* SVG — ``QSvgGenerator``: vector, and every label stays a ``<text>`` element.
* PDF — ``QPdfWriter`` at 72 dpi, one page exactly the drawing's size in
  points: vector, fonts embedded, text searchable and selectable.

Each picture is cropped to the drawing plus ``margin`` scene units, drawn into
memory (:mod:`gradviz.qt.picture_bytes`) and written atomically: a failed write
leaves an older file as it was. Without a
running application one is created (offscreen when there is no display), so the
CLI's ``gradviz export`` works headless.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QRectF, Qt
from PySide6.QtGui import QColor, QGuiApplication, QImage, QPainter
from PySide6.QtWidgets import QApplication

from gradviz.export.files import write_bytes_atomic
from gradviz.model.document import Document
from gradviz.model.network import Network
from gradviz.qt.canvas.scene import GraphScene
from gradviz.qt.picture_bytes import Draw, image_png, painting, pdf_bytes, svg_bytes
from gradviz.qt.theme import THEMES, DisplayOptions

FORMATS = (".png", ".svg", ".pdf")
#: Largest PNG side in pixels (Qt's raster engine and most viewers stop near here).
MAX_PIXELS = 16384

#: A picture's title when the network has none, and the SVG's description.
TITLE = "gradviz drawing"
DESCRIPTION = "Computation graph with forward values and gradients, drawn by gradviz"

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
    """The part of the scene a picture shows: the drawing plus ``margin`` all round
    (every label placed first)."""
    scene.label_places.ensure()
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


def blank_image(width: float, height: float, scale: float, what: str = "the picture") -> QImage:
    """A transparent ARGB image of ``scale`` × ``width`` × ``height`` (rounded up),
    tagged 96 × ``scale`` dpi so viewers show a 2× picture sharper, not larger.
    ``ValueError`` (one sentence naming ``what``) for a scale that is not a positive
    number or a side past :data:`MAX_PIXELS`."""
    if not (scale > 0 and math.isfinite(scale)):
        raise ValueError(f"the scale must be a positive number, not {scale}")
    w, h = max(1, math.ceil(width * scale)), max(1, math.ceil(height * scale))
    if max(w, h) > MAX_PIXELS:
        raise ValueError(
            f"{what} would be {w}×{h} pixels, more than {MAX_PIXELS} on a "
            "side; choose a smaller scale or export SVG or PDF"
        )
    image = QImage(w, h, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    dots = round(96 / 0.0254 * scale)
    image.setDotsPerMeterX(dots)
    image.setDotsPerMeterY(dots)
    return image


def draw_image(
    width: float, height: float, scale: float, draw: Draw, what: str = "the picture"
) -> QImage:
    """Page 0 of ``draw`` (``width`` × ``height`` scene units) in a :func:`blank_image`,
    stretched to its whole pixels."""
    image = blank_image(width, height, scale, what)
    with painting(image) as painter:
        painter.scale(image.width() / width, image.height() / height)
        draw(painter, 0)
    return image


def _scene_drawing(scene: GraphScene, source: QRectF, transparent: bool) -> Draw:
    """Paints ``source`` of ``scene`` at the painter's origin, 1 scene unit = 1 unit."""
    target = QRectF(0, 0, source.width(), source.height())
    return lambda painter, _page: render_scene(scene, painter, target, source, transparent)


def scene_to_image(
    scene: GraphScene, scale: float = 1.0, transparent: bool = False, margin: float = 24.0
) -> QImage:
    """The drawing as an ARGB image of ``scale`` × its size in scene units."""
    source = export_rect(scene, margin)
    draw = _scene_drawing(scene, source, transparent)
    return draw_image(source.width(), source.height(), scale, draw)


def scene_bytes(
    scene: GraphScene,
    suffix: str,
    scale: float = 1.0,
    transparent: bool = False,
    margin: float = 24.0,
    title: str = "",
) -> bytes:
    """The drawing as the file of ``suffix``: ``.png`` (:func:`scene_to_image`),
    ``.svg`` (1 scene unit = 1 px, labels as ``<text>``, control characters dropped:
    XML 1.0 cannot carry them) or ``.pdf`` (one vector page the drawing's size,
    1 scene unit = 1 pt, fonts embedded, text searchable)."""
    source = export_rect(scene, margin)
    draw = _scene_drawing(scene, source, transparent)
    w, h = source.width(), source.height()
    if suffix == ".png":
        return image_png(draw_image(w, h, scale, draw))
    if suffix == ".svg":
        return svg_bytes(w, h, title or TITLE, DESCRIPTION, draw)
    return pdf_bytes(w, h, title or TITLE, draw)


def copy_image_to_clipboard(scene: GraphScene, scale: float = 2.0) -> QImage:
    """Put the drawing on the clipboard as an image (2× for sharp slides); returns it."""
    image = scene_to_image(scene, scale)
    clipboard = QGuiApplication.clipboard()
    if clipboard is not None:
        clipboard.setImage(image)
    return image


def checked_suffix(
    path: str | os.PathLike[str], formats: tuple[str, ...], what: str, theme: str, scale: float
) -> str:
    """``path``'s suffix (lower case) when an export of ``what`` (``""`` or ``"the walk "``)
    can write it with ``theme`` at ``scale``; ``ValueError`` with one sentence if not."""
    suffix = Path(path).suffix.lower()
    if suffix not in formats:
        choices = ", ".join(formats[:-1]) + " or " + formats[-1]
        raise ValueError(
            f"{path}: cannot export {what}to '{suffix or 'no extension'}'; choose {choices}"
        )
    if theme not in THEMES:
        raise ValueError(f"unknown theme '{theme}'; choose {' or '.join(THEMES)}")
    if not (scale > 0 and math.isfinite(scale)):
        raise ValueError(f"the scale must be a positive number, not {scale}")
    return suffix


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
    suffix = checked_suffix(path, FORMATS, "", theme, scale)
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
        data = scene_bytes(scene, suffix, scale, transparent, margin, net.title)
        write_bytes_atomic(path, data)
    finally:
        scene.detach()
