"""Beamer overlays for the TikZ picture (:func:`gradviz.export.tikz.tikz_picture`):
the same drawing, shown one step of the backprop walk at a time
(:mod:`gradviz.export.walk_slides`). Labels not yet known keep their room
(``\\visible``, ``\\phantom``) so nothing moves between slides; a node not yet
computed is faded through the ``alt`` key of TikZ's ``overlay-beamer-styles``;
the step's node is ringed and its edges glow in the highlight colour.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

__all__ = ["NEVER", "OverlayEdge", "Overlays", "faded", "shown", "walk_marks"]


class OverlayEdge(Protocol):
    """An edge of the picture: ``src`` → ``dst`` (None: the loss's arrow out),
    ``dst``'s input number ``slot``, bent by ``bend`` degrees."""

    src: str
    dst: str | None
    slot: int
    bend: int


NEVER = "never"
"""An overlay specification for a label that takes its room but never shows."""


@dataclass(frozen=True)
class Overlays:
    """Beamer overlay specifications (``"3-"``, ``"-2"``, ``"4,7"``) that draw the
    picture one step at a time (:mod:`gradviz.export.walk_slides`): ``values`` and
    ``gradients`` say from which slide a node's value and ``∂l/∂node`` labels show
    (:data:`NEVER`: never; absent: always), ``faded`` on which slides a node and the
    edges into it are drawn faded, ``ringed`` on which a node is ringed in
    ``highlight`` (hex), ``lit`` on which an edge ``(source, consumer, input
    position)`` glows. Hidden labels keep their room (``\visible``), so nothing
    moves from one slide to the next."""

    values: Mapping[str, str] = field(default_factory=dict)
    gradients: Mapping[str, str] = field(default_factory=dict)
    faded: Mapping[str, str] = field(default_factory=dict)
    ringed: Mapping[str, str] = field(default_factory=dict)
    lit: Mapping[tuple[str, str, int], str] = field(default_factory=dict)
    highlight: str = "F2A900"


def shown(spec: str | None, body: str) -> str:
    """``body`` on the slides of ``spec`` only, its room kept on the others."""
    if spec is None:
        return body
    if spec == NEVER:
        return rf"{{\phantom{{{body}}}}}"
    # grouped: as the first token of a node's text, a bare \visible<…> breaks the path
    return rf"{{\visible<{spec}>{{{body}}}}}"


def faded(ov: Overlays | None, nid: str | None, edge: bool = False) -> str:
    """Extra options for a node, or with ``edge`` an edge into it, faded on some
    slides (``alt`` from TikZ's ``overlay-beamer-styles`` library, in
    texlive-pictures); an edge's labels keep full strength (its source is known)."""
    spec = None if ov is None or nid is None else ov.faded.get(nid)
    fade = "opacity=0.3, text opacity=1" if edge else "opacity=0.3"
    return "" if not spec else f", alt={{<{spec}>{{{fade}}}{{}}}}"


def walk_marks(ov: Overlays, name: Mapping[str, str], edges: Iterable[OverlayEdge]) -> list[str]:
    """The rings round nodes and the glows under edges, each on its slides."""
    out = ["% the walk: the step's node ringed, its edges lit (under the arrows)"]
    for nid, spec in ov.ringed.items():
        if nid in name:
            n = name[nid]
            out.append(
                rf"\draw<{spec}>[gvring] ([shift={{(-4pt,-4pt)}}]{n}.south west) "
                rf"rectangle ([shift={{(4pt,4pt)}}]{n}.north east);"
            )
    for e in edges:
        lit = ov.lit.get((e.src, e.dst, e.slot)) if e.dst is not None else None
        if lit and e.dst is not None:
            bend = f"[bend left={e.bend}]" if e.bend else ""
            out.append(rf"\draw<{lit}>[gvglow] ({name[e.src]}) to{bend} ({name[e.dst]});")
    return out
