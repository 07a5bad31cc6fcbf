"""The backprop walk as a sequence of pictures: one PDF with a page per step, or
numbered PNG / SVG files (``slides-01.png`` … ``slides-11.png``); ``.tex`` goes to
the Beamer overlays of :mod:`gradviz.export.walk_slides`.

Every page is drawn by the canvas's own scene (:mod:`gradviz.qt.render`) with
the step applied (:class:`~gradviz.qt.walk_canvas.CanvasWalkOverlay`): values
and gradients not yet known are transparent, not removed, so every page has the
same size with the graph at the same place, as a slide sequence needs. Under
the drawing a caption band says the step (``step 9 / 11: backward, ∂l/∂z = ∂l/∂g
× J_R(z)``) and shows its computation with the numbers, matrices in brackets
(``(−3/2  3  1/2) × J = (−3/2  3  0)``); the band has the height of the tallest
step's on every page.
"""

from __future__ import annotations

import os
from functools import partial
from pathlib import Path

from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QColor, QPainter

from gradviz.engine.walk import FORWARD, WalkStep, walk_steps
from gradviz.export.files import write_bytes_atomic, write_text_atomic
from gradviz.model.network import Network
from gradviz.qt.canvas import style
from gradviz.qt.canvas.scene import GraphScene
from gradviz.qt.picture_bytes import Draw, image_png, pdf_bytes, svg_bytes
from gradviz.qt.render import (
    build_scene,
    checked_suffix,
    draw_image,
    export_rect,
    render_scene,
)
from gradviz.qt.theme import DisplayOptions
from gradviz.qt.walk_canvas import CanvasWalkOverlay, WalkState, step_caption
from gradviz.qt.walk_equation import Equation, draw_rich, rich_width
from gradviz.qt.walk_panel import backward_parts, forward_parts

FORMATS = (".pdf", ".png", ".svg", ".tex")
PAD, LINE_GAP = 18.0, 12.0
#: The caption is drawn this much larger than the canvas's text (read from the back row).
CAPTION_SCALE = 1.25
DESCRIPTION = "One step of the backprop walk of a computation graph, drawn by gradviz"


def numbered_paths(path: str | os.PathLike[str], count: int) -> list[Path]:
    """``slides.png`` → ``slides-01.png`` … (at least two digits, more for 100+ steps)."""
    p = Path(path)
    width = max(2, len(str(count)))
    return [p.with_name(f"{p.stem}-{k:0{width}d}{p.suffix}") for k in range(1, count + 1)]


def written_summary(path: str | os.PathLike[str], written: list[Path], steps: int) -> str:
    """One line saying what an export of the walk wrote."""
    suffix = Path(path).suffix.lower()
    if suffix == ".pdf":
        return f"wrote {path}: {steps} pages, one per step of the walk"
    if suffix == ".tex":
        return f"wrote {path}: Beamer slides, {steps} overlays, one per step of the walk"
    if len(written) == 1:
        return f"wrote {written[0]}: 1 step of the walk"
    return f"wrote {len(written)} files, one per step of the walk: {written[0]} … {written[-1]}"


class WalkPages:
    """Every step of ``net``'s walk drawn on pages of one size (scene units)."""

    def __init__(
        self, net: Network, options: DisplayOptions, margin: float = 24.0, caption: bool = True
    ) -> None:
        self.net, self.options, self.caption = net, options, caption
        self.scene: GraphScene = build_scene(net, options)
        ev = self.scene.doc.evaluation
        self.steps: list[WalkStep] = walk_steps(net.to_program(), ev, unicode_minus=True)
        if not self.steps:
            self.scene.detach()
            raise ValueError("the network computes no node, so there is no walk to export")
        self.source = export_rect(self.scene, margin)
        self.equations = (
            [
                Equation(
                    forward_parts(net, s, ev.values)
                    if s.phase == FORWARD
                    else backward_parts(net, s),
                    options,
                )
                for s in self.steps
            ]
            if caption
            else []
        )
        head = style.metrics(style.NAME_PX, True).height()
        eq_h = max((e.height for e in self.equations), default=0.0)
        eq_w = max((e.width for e in self.equations), default=0.0)
        cap_w = (
            max(
                (rich_width(self._caption(k), style.NAME_PX, True) for k in range(len(self.steps))),
                default=0.0,
            )
            if caption
            else 0.0
        )
        k = CAPTION_SCALE
        self.band = (2 * PAD + k * (head + LINE_GAP + eq_h)) if caption else 0.0
        self.width = max(self.source.width(), k * max(eq_w, cap_w) + 2 * margin)
        self.height = self.source.height() + self.band
        self.margin = margin
        self._overlay = CanvasWalkOverlay(WalkState.of(self.steps[0], len(self.steps)))

    def _caption(self, k: int) -> str:
        return step_caption(self.net, self.steps[k], len(self.steps))

    def paint(self, painter: QPainter, k: int, transparent: bool = False) -> None:
        """Page ``k`` (0-based) in scene units at the painter's origin."""
        theme = self.options.palette
        if not transparent:
            painter.fillRect(QRectF(0, 0, self.width, self.height), QColor(theme.background))
        self._overlay.state = WalkState.of(self.steps[k], len(self.steps))
        self.scene.set_walk_overlay(self._overlay)
        dx = (self.width - self.source.width()) / 2
        target = QRectF(dx, 0, self.source.width(), self.source.height())
        render_scene(self.scene, painter, target, self.source, transparent)
        if not self.caption:
            return
        painter.save()
        painter.translate(self.margin, self.source.height() + PAD)
        painter.scale(CAPTION_SCALE, CAPTION_SCALE)
        painter.setFont(style.font(style.NAME_PX, True))
        painter.setPen(QColor(theme.text))
        fm = style.metrics(style.NAME_PX, True)
        draw_rich(painter, QPointF(0, fm.ascent()), self._caption(k), style.NAME_PX, True)
        self.equations[k].paint(painter, 0, fm.height() + LINE_GAP, theme)
        painter.restore()

    def close(self) -> None:
        self.scene.set_walk_overlay(None)
        self.scene.detach()


def export_walk(
    net: Network,
    path: str | os.PathLike[str],
    *,
    scale: float = 1.0,
    transparent: bool = False,
    theme: str = "light",
    exact: bool = True,
    show_values: bool = True,
    show_gradients: bool = True,
    margin: float = 24.0,
    caption: bool = True,
    picture_only: bool = False,
) -> list[Path]:
    """Write the walk of ``net`` to ``path``: ``.pdf`` one page per step, ``.png`` /
    ``.svg`` numbered files beside ``path``, ``.tex`` Beamer overlays (``picture_only``:
    the frame alone). Returns the files written. ``ValueError`` (one sentence) for a
    bad extension, theme or scale, ``OSError`` when a file cannot be written."""
    suffix = checked_suffix(path, FORMATS, "the walk ", theme, scale)
    if suffix == ".tex":
        from gradviz.export.walk_slides import walk_tex

        text = walk_tex(
            net,
            picture_only=picture_only,
            theme=theme,
            exact=exact,
            show_values=show_values,
            show_gradients=show_gradients,
            scale=scale,
            transparent=transparent,
        )
        write_text_atomic(Path(path), text)
        return [Path(path)]
    options = DisplayOptions(
        exact=exact, show_values=show_values, show_gradients=show_gradients, theme=theme
    )
    pages = WalkPages(net, options, margin, caption)
    try:
        if suffix == ".pdf":
            _write_pdf(pages, Path(path), transparent)
            return [Path(path)]
        files = numbered_paths(path, len(pages.steps))
        for k, file in enumerate(files):
            if suffix == ".png":
                _write_png(pages, k, file, scale, transparent)
            else:
                _write_svg(pages, k, file, transparent)
        return files
    finally:
        pages.close()


def _write_pdf(pages: WalkPages, path: Path, transparent: bool) -> None:
    title = f"{pages.net.title or 'gradviz'}: the backprop walk"
    draw = partial(pages.paint, transparent=transparent)
    write_bytes_atomic(path, pdf_bytes(pages.width, pages.height, title, draw, len(pages.steps)))


def _write_png(pages: WalkPages, k: int, path: Path, scale: float, transparent: bool) -> None:
    draw = _page(pages, k, transparent)
    image = draw_image(pages.width, pages.height, scale, draw, "each picture")
    write_bytes_atomic(path, image_png(image))


def _write_svg(pages: WalkPages, k: int, path: Path, transparent: bool) -> None:
    title = f"{pages.net.title or 'gradviz'}: step {k + 1} of the backprop walk"
    draw = _page(pages, k, transparent)
    write_bytes_atomic(path, svg_bytes(pages.width, pages.height, title, DESCRIPTION, draw))


def _page(pages: WalkPages, k: int, transparent: bool) -> Draw:
    """Draws page ``k`` whatever page number the writer asks for (each file has one)."""
    return lambda painter, _page: pages.paint(painter, k, transparent)
