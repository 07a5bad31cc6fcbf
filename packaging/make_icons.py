"""Render the application icon ``resources/icons/gradviz.svg`` to the PNG sizes a
desktop needs (16, 32, 48, 64, 128, 256, 512 px), offscreen with QtSvg.

Usage: ``python packaging/make_icons.py [--out DIR] [--check]``. ``--check``
renders into memory and exits 1 when a committed PNG is missing or its pixels
differ (by more than one level in any channel) from a fresh rendering.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QRectF, Qt  # noqa: E402
from PySide6.QtGui import QGuiApplication, QImage, QPainter  # noqa: E402
from PySide6.QtSvg import QSvgRenderer  # noqa: E402

ICONS = Path(__file__).resolve().parents[1] / "resources" / "icons"
SVG = ICONS / "gradviz.svg"
SIZES = (16, 32, 48, 64, 128, 256, 512)


def png_name(size: int) -> str:
    """File name of the PNG of one size, e.g. ``gradviz-48.png``."""
    return f"gradviz-{size}.png"


def render(svg: Path, size: int) -> QImage:
    """The SVG drawn into a transparent ``size`` × ``size`` ARGB image, antialiased."""
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"make_icons: error: {svg} is not a valid SVG")
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter, QRectF(0, 0, size, size))
    painter.end()
    return image


def same_pixels(a: QImage, b: QImage) -> bool:
    """Whether two images have the same size and no channel differs by more than 1."""
    if a.size() != b.size():
        return False
    a = a.convertToFormat(QImage.Format.Format_ARGB32)
    b = b.convertToFormat(QImage.Format.Format_ARGB32)
    pa = bytes(a.constBits())
    pb = bytes(b.constBits())
    return all(abs(x - y) <= 1 for x, y in zip(pa, pb, strict=True))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ICONS, help="folder for the PNGs")
    parser.add_argument(
        "--check",
        action="store_true",
        help="compare with the PNGs in --out instead of writing them",
    )
    args = parser.parse_args(argv)
    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])  # noqa: F841
    stale = []
    for size in SIZES:
        image = render(SVG, size)
        target = args.out / png_name(size)
        if args.check:
            if not target.is_file() or not same_pixels(image, QImage(str(target))):
                stale.append(target.name)
            continue
        args.out.mkdir(parents=True, exist_ok=True)
        if not image.save(str(target)):
            raise SystemExit(f"make_icons: error: cannot write {target}")
        print(f"wrote {target}")
    if stale:
        print(
            "make_icons: out of date: "
            + ", ".join(stale)
            + " (run python packaging/make_icons.py)",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
