"""The application icon: every PNG size exists, is square, has transparent
corners and an opaque centre, and is an up-to-date rendering of gradviz.svg."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication

ROOT = Path(__file__).resolve().parents[2]
ICONS = ROOT / "resources" / "icons"
SIZES = (16, 32, 48, 64, 128, 256, 512)


@pytest.fixture(autouse=True)
def app(qapp: QApplication) -> QApplication:
    """Reading a PNG wants an application: pytest-qt's one QApplication for every
    test (a QGuiApplication made here first would abort the widget tests after)."""
    return qapp


@pytest.mark.parametrize("size", SIZES)
def test_png_is_square_transparent_at_corners_and_opaque_inside(size: int) -> None:
    image = QImage(str(ICONS / f"gradviz-{size}.png"))
    assert not image.isNull()
    assert (image.width(), image.height()) == (size, size)
    assert image.hasAlphaChannel()
    assert image.pixelColor(0, 0).alpha() == 0
    assert image.pixelColor(size - 1, size - 1).alpha() == 0
    centre = image.pixelColor(size // 2, size // 2)
    assert centre.alpha() == 255


def test_icon_has_the_gradient_arrow_colour() -> None:
    """The orange gradient arrow survives at 16 px: some pixel is clearly orange."""
    image = QImage(str(ICONS / "gradviz-16.png"))
    orange = [image.pixelColor(x, y) for x in range(16) for y in range(16)]
    assert any(c.red() > 200 and 100 < c.green() < 190 and c.blue() < 90 for c in orange)


def test_pngs_are_rendered_from_the_current_svg() -> None:
    proc = subprocess.run(
        [sys.executable, str(ROOT / "packaging" / "make_icons.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
