"""Colours and display options shared by the canvas, the panels and the exports.

Values are drawn in the theme's ``value`` colour above each edge; gradients
``∂l/∂·`` in the ``gradient`` colour below it, so the two read apart at a glance
and in greyscale (different lightness, not only hue).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from PySide6.QtGui import QColor


@dataclass(frozen=True)
class Theme:
    name: str
    background: str
    grid: str
    node_fill: str
    leaf_fill: str
    param_fill: str
    loss_fill: str
    node_border: str
    text: str
    dim_text: str
    edge: str
    value: str
    gradient: str
    highlight: str
    selection: str
    warning: str

    def color(self, role: str) -> QColor:
        return QColor(getattr(self, role))


LIGHT = Theme(
    name="light", background="#ffffff", grid="#f0f2f5", node_fill="#eef3fb",
    leaf_fill="#f4f4f4", param_fill="#fff6e0", loss_fill="#fdecea", node_border="#3b4a5e",
    text="#1b2430", dim_text="#9aa3ad", edge="#5d6b7c", value="#1f4e99",
    gradient="#b3261e", highlight="#f2a900", selection="#2d7ff9", warning="#c25e00",
)

DARK = Theme(
    name="dark", background="#1e2127", grid="#262a31", node_fill="#2b3442",
    leaf_fill="#2c2f35", param_fill="#3a3326", loss_fill="#3d2a2a", node_border="#aab6c5",
    text="#e6e9ee", dim_text="#6c7580", edge="#8a96a6", value="#7fb2ff",
    gradient="#ff8a7a", highlight="#ffcc4d", selection="#5aa0ff", warning="#ffae57",
)

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
