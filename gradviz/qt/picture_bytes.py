"""Pictures drawn into memory — PNG, SVG and PDF as bytes — so that an export
writes its file in one atomic step (:func:`gradviz.export.files.write_bytes_atomic`)
and a failure can never leave half a file or spoil the old one.

* :func:`image_png` — an image (:func:`gradviz.qt.render.draw_image`) as PNG.

The vector writers take the picture's size in scene units and a ``draw(painter, k)``
(:data:`Draw`) that paints page ``k`` with 1 scene unit = 1 device unit at the
painter's origin:

* :func:`svg_bytes` — one page, 1 scene unit = 1 CSS px, text kept as ``<text>``,
  minus the control characters XML 1.0 cannot carry;
* :func:`pdf_bytes` — ``pages`` pages at 72 dpi (1 scene unit = 1 pt), vector,
  fonts embedded.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from PySide6.QtCore import QBuffer, QIODevice, QMarginsF, QRectF, QSize, QSizeF
from PySide6.QtGui import QImage, QPageLayout, QPageSize, QPaintDevice, QPainter, QPdfWriter
from PySide6.QtSvg import QSvgGenerator

#: Qt's PNG "quality" picks the zlib level: 80 compresses lightly, twice as fast as
#: the default for files about a third larger (a 2× exercise3 is some 200 kB).
PNG_QUALITY = 80
#: Bytes XML 1.0 forbids (C0 controls but tab, newline and carriage return); in
#: UTF-8 they never occur inside a longer character, so they can be cut as bytes.
XML_INVALID = re.compile(b"[\x00-\x08\x0b\x0c\x0e-\x1f]")

#: Paints page ``k`` (0-based) of a picture.
Draw = Callable[[QPainter, int], None]


@contextmanager
def painting(device: QPaintDevice) -> Iterator[QPainter]:
    """A painter on ``device``, ended however the drawing ends. ``OSError`` when
    the device cannot be painted on."""
    painter = QPainter()
    if not painter.begin(device):
        raise OSError("the picture could not be drawn")
    try:
        yield painter
    finally:
        painter.end()


def image_png(image: QImage) -> bytes:
    """``image`` encoded as PNG (zlib level from :data:`PNG_QUALITY`)."""
    buffer = _memory()
    if not image.save(buffer, "PNG", PNG_QUALITY):  # type: ignore[call-overload]
        raise OSError("the PNG could not be encoded")
    return bytes(buffer.data().data())


def svg_bytes(width: float, height: float, title: str, description: str, draw: Draw) -> bytes:
    """Page 0 of ``draw`` as an SVG document with ``title`` and ``description``."""
    buffer = _memory()
    gen = QSvgGenerator()
    try:
        gen.setOutputDevice(buffer)
        gen.setSize(QSize(math.ceil(width), math.ceil(height)))
        gen.setViewBox(QRectF(0, 0, width, height))
        gen.setResolution(96)  # 1 scene unit = 1 CSS pixel, so the mm size Qt writes is right
        gen.setTitle(title)
        gen.setDescription(description)
        with painting(gen) as painter:
            draw(painter, 0)
    finally:
        del gen  # before the buffer it writes to
    return XML_INVALID.sub(b"", bytes(buffer.data().data()))


def pdf_bytes(width: float, height: float, title: str, draw: Draw, pages: int = 1) -> bytes:
    """``pages`` pages of ``draw``, each ``width`` × ``height`` points, as a PDF."""
    size = QPageSize(
        QSizeF(width, height), QPageSize.Unit.Point, "gradviz", QPageSize.SizeMatchPolicy.ExactMatch
    )
    margins = QMarginsF(0, 0, 0, 0)
    portrait = QPageLayout.Orientation.Portrait
    buffer = _memory()
    writer = QPdfWriter(buffer)
    try:
        writer.setResolution(72)  # 1 scene unit = 1 pt
        writer.setPageLayout(QPageLayout(size, portrait, margins, QPageLayout.Unit.Point))
        writer.setTitle(title)
        writer.setCreator("gradviz")
        with painting(writer) as painter:
            for k in range(pages):
                if k and not writer.newPage():
                    raise OSError("the PDF could not take another page")
                draw(painter, k)
    finally:
        del writer  # before the buffer it writes to
    return bytes(buffer.data().data())


def _memory() -> QBuffer:
    """An empty in-memory file, open for writing."""
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    return buffer
