"""Colours and display options shared by the canvas, the panels and the exports.

Values are drawn in the theme's ``value`` colour above each edge; gradients
``∂l/∂·`` in the ``gradient`` colour below it, so the two read apart at a glance
and in greyscale (different lightness, not only hue).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from PySide6.QtGui import QColor

from gradviz.export.palette import SHARED_ROLES, RoleColours
from gradviz.export.palette import THEMES as PALETTES


@dataclass(frozen=True)
class Theme(RoleColours):
    """The canvas's colours as ``#rrggbb``: the roles shared with the TikZ export
    (:class:`~gradviz.export.palette.RoleColours`) and the screen's own."""

    name: str
    grid: str
    dim_text: str
    highlight: str
    selection: str

    def color(self, role: str) -> QColor:
        return QColor(getattr(self, role))


def _theme(name: str, **screen_only: str) -> Theme:
    shared = PALETTES[name]
    return Theme(
        name=name, **{r: "#" + getattr(shared, r).lower() for r in SHARED_ROLES}, **screen_only
    )


LIGHT = _theme(
    "light", grid="#f0f2f5", dim_text="#9aa3ad", highlight="#f2a900", selection="#2d7ff9"
)
DARK = _theme("dark", grid="#262a31", dim_text="#6c7580", highlight="#ffcc4d", selection="#5aa0ff")

THEMES = {"light": LIGHT, "dark": DARK}


@dataclass(frozen=True)
class DisplayOptions:
    """How numbers are shown: exact fractions or decimals with ``digits``
    significant digits; values and gradients can be hidden; the theme by name."""

    exact: bool = True
    digits: int = 4
    show_values: bool = True
    show_gradients: bool = True
    theme: str = "light"

    @property
    def palette(self) -> Theme:
        return THEMES.get(self.theme, LIGHT)

    def with_(self, **changes: object) -> DisplayOptions:
        return replace(self, **changes)  # type: ignore[arg-type]
