"""The bundled example networks (``resources/examples/*.json``), found whether
gradviz runs from a checkout, an installed wheel or a PyInstaller bundle."""

from __future__ import annotations

import sys
from pathlib import Path


def resources_dir() -> Path:
    """The folder holding ``examples/`` and ``icons/``."""
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        return Path(frozen) / "gradviz" / "resources"
    try:
        import gradviz.resources as res

        return Path(res.__file__).resolve().parent
    except ImportError:  # running from a checkout without installing
        return Path(__file__).resolve().parents[2] / "resources"


def examples_dir() -> Path:
    return resources_dir() / "examples"


def example_names() -> list[str]:
    """Names of the bundled examples, e.g. ``exercise3``."""
    return sorted(p.stem for p in examples_dir().glob("*.json"))


def example_path(name: str) -> Path | None:
    """The file of a bundled example, or None when there is none by that name."""
    if "/" in name or "\\" in name or name.startswith("."):
        return None
    p = examples_dir() / f"{name.removesuffix('.json')}.json"
    return p if p.is_file() else None
