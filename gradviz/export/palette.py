"""The colours of gradviz's drawings by role, light and dark: the one definition
that the Qt canvas (``gradviz.qt.theme`` builds its themes from it) and the TikZ
export share, so the two drawings always match."""

from __future__ import annotations

from dataclasses import dataclass, fields

__all__ = ["SHARED_ROLES", "THEMES", "RoleColours", "TikzTheme", "theme_named"]


@dataclass(frozen=True)
class RoleColours:
    """The colour of each role that the canvas and the TikZ export share; each
    theme's class adds its own (the canvas: grid, selection, …)."""

    background: str
    node_fill: str
    leaf_fill: str
    param_fill: str
    loss_fill: str
    node_border: str
    text: str
    edge: str
    value: str
    gradient: str
    warning: str


#: The role names of :class:`RoleColours`, in order.
SHARED_ROLES: tuple[str, ...] = tuple(f.name for f in fields(RoleColours))


@dataclass(frozen=True)
class TikzTheme(RoleColours):
    """The canvas colours (``gradviz.qt.theme``), as 6-digit hex without ``#``, and
    whether the picture fills its background (the dark theme does)."""

    fill_background: bool


THEMES: dict[str, TikzTheme] = {
    "light": TikzTheme(
        background="FFFFFF",
        node_fill="EEF3FB",
        leaf_fill="F4F4F4",
        param_fill="FFF6E0",
        loss_fill="FDECEA",
        node_border="3B4A5E",
        text="1B2430",
        edge="5D6B7C",
        value="1F4E99",
        gradient="B3261E",
        warning="C25E00",
        fill_background=False,
    ),
    "dark": TikzTheme(
        background="1E2127",
        node_fill="2B3442",
        leaf_fill="2C2F35",
        param_fill="3A3326",
        loss_fill="3D2A2A",
        node_border="AAB6C5",
        text="E6E9EE",
        edge="8A96A6",
        value="7FB2FF",
        gradient="FF8A7A",
        warning="FFAE57",
        fill_background=True,
    ),
}


def theme_named(name: str) -> TikzTheme:
    """The palette called ``name`` (``light`` or ``dark``); ValueError otherwise."""
    try:
        return THEMES[name]
    except KeyError:
        raise ValueError(f"unknown theme {name!r} (light or dark)") from None
