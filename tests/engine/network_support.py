"""Small networks written inline in the engine tests: the node list and the
top-level keys of the file format, without its boilerplate."""

from __future__ import annotations

from typing import Any

from gradviz.model.fileformat import from_dict
from gradviz.model.network import Network


def document(nodes: list[dict[str, Any]], **top: Any) -> dict[str, Any]:
    """The file-format dict of ``nodes`` with top-level keys such as
    ``output="z"`` or ``loss="l"``."""
    return {"format": "gradviz", "version": 1, "nodes": nodes, **top}


def network(nodes: list[dict[str, Any]], **top: Any) -> Network:
    """The network of :func:`document` (``from_dict`` checks it as for a file)."""
    return from_dict(document(nodes, **top))
