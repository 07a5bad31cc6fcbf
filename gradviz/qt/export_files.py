"""What the app's exports write, without any widget: the options of File → Export…,
remembered in QSettings, and the writers behind Export… and Export Worked Solution….

The writers are the command line's: PNG, SVG and PDF through
:func:`gradviz.qt.render.export_file`, TikZ through :func:`gradviz.export.tikz.tikz_tex`
(a document, or the picture alone for ``\\input`` in a Beamer frame), the
worked solution through :mod:`gradviz.export.solution`; text files are written
atomically (:func:`gradviz.export.files.write_text_atomic`). Failures come back as one
sentence from :func:`failure_message`, for a message box.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from PySide6.QtCore import QSettings

from gradviz.export.files import write_text_atomic
from gradviz.export.solution import solution_latex, solution_markdown
from gradviz.export.tikz import DrawingOptions, tikz_tex
from gradviz.model.network import Network
from gradviz.qt import render
from gradviz.qt.theme import THEMES, DisplayOptions

#: Format key → (suffix, what the file chooser calls it).
FORMATS: dict[str, tuple[str, str]] = {
    "png": (".png", "PNG image"),
    "svg": (".svg", "SVG vector drawing"),
    "pdf": (".pdf", "PDF vector drawing"),
    "tex": (".tex", "TikZ picture for LaTeX"),
}
SCALES = (1, 2, 3)
SOLUTION_FORMATS: dict[str, str] = {".tex": "LaTeX document", ".md": "Markdown with $…$ math"}
KEY = "export/"
#: The folder the last export went to.
DIR_KEY = KEY + "dir"


@dataclass(frozen=True)
class ExportOptions:
    """Everything File → Export… asks. ``scale`` is the PNG's pixels per canvas unit;
    ``margin`` the space kept around the drawing in canvas units (PNG/SVG/PDF);
    ``picture_only`` writes the bare ``tikzpicture`` instead of a standalone document;
    ``digits`` are the significant digits of decimals when ``exact`` is off."""

    fmt: str = "png"
    scale: int = 2
    transparent: bool = False
    theme: str = "light"
    show_values: bool = True
    show_gradients: bool = True
    exact: bool = True
    digits: int = 4
    selection_only: bool = False
    margin: int = 24
    picture_only: bool = False

    @property
    def suffix(self) -> str:
        return FORMATS[self.fmt][0]

    @property
    def display(self) -> DisplayOptions:
        """The canvas options that draw this export."""
        return DisplayOptions(
            exact=self.exact,
            digits=self.digits,
            show_values=self.show_values,
            show_gradients=self.show_gradients,
            theme=self.theme,
        )

    @property
    def drawing(self) -> DrawingOptions:
        """The options every format draws with (the PNG's scale aside)."""
        return {
            "transparent": self.transparent,
            "theme": self.theme,
            "show_values": self.show_values,
            "show_gradients": self.show_gradients,
            "exact": self.exact,
        }

    def with_(self, **changes: object) -> ExportOptions:
        return replace(self, **changes)  # type: ignore[arg-type]


def _flag(settings: QSettings, name: str, default: bool) -> bool:
    return bool(settings.value(KEY + name, default, type=bool))


def load_export_options(settings: QSettings, window: DisplayOptions) -> ExportOptions:
    """The options used last time; exact fractions and digits always follow the
    window, and values, gradients and theme do too until an export was made."""
    d = ExportOptions()
    fmt = str(settings.value(KEY + "format", d.fmt))
    theme = str(settings.value(KEY + "theme", window.theme))
    scale = settings.value(KEY + "scale", d.scale, type=int)
    margin = settings.value(KEY + "margin", d.margin, type=int)
    return ExportOptions(
        fmt=fmt if fmt in FORMATS else d.fmt,
        scale=int(scale) if scale in SCALES else d.scale,
        transparent=_flag(settings, "transparent", d.transparent),
        theme=theme if theme in THEMES else d.theme,
        show_values=_flag(settings, "showValues", window.show_values),
        show_gradients=_flag(settings, "showGradients", window.show_gradients),
        exact=window.exact,
        digits=window.digits,
        selection_only=_flag(settings, "selectionOnly", d.selection_only),
        margin=max(0, min(int(margin), 400)),  # type: ignore[call-overload]
        picture_only=_flag(settings, "pictureOnly", d.picture_only),
    )


def save_export_options(settings: QSettings, o: ExportOptions) -> None:
    for name, value in (
        ("format", o.fmt),
        ("scale", o.scale),
        ("transparent", o.transparent),
        ("theme", o.theme),
        ("showValues", o.show_values),
        ("showGradients", o.show_gradients),
        ("selectionOnly", o.selection_only),
        ("margin", o.margin),
        ("pictureOnly", o.picture_only),
    ):
        settings.setValue(KEY + name, value)


def tikz_text(net: Network, o: ExportOptions) -> str:
    """The ``.tex`` an export writes: a standalone document or the picture alone."""
    return tikz_tex(net, picture_only=o.picture_only, **o.drawing)


def with_suffix(path: str | os.PathLike[str], suffix: str) -> Path:
    """``path`` ending in ``suffix`` (appended when it ends otherwise: ``a.b`` → ``a.b.png``)."""
    p = Path(path)
    return p if p.suffix.lower() == suffix else p.with_name(p.name + suffix)


def write_export(
    net: Network, path: str | os.PathLike[str], o: ExportOptions, selection: Sequence[str] = ()
) -> None:
    """Write the drawing of ``net`` to ``path`` as ``o`` says; ``selection`` (node ids)
    is drawn alone when ``o.selection_only`` (PNG, SVG, PDF). Raises ``OSError`` when
    the file cannot be written, ``ValueError`` for a picture too large."""
    if o.fmt == "tex":
        write_text_atomic(path, tikz_text(net, o))
        return
    render.export_file(
        net,
        path,
        scale=o.scale if o.fmt == "png" else 1.0,
        digits=o.digits,
        margin=float(o.margin),
        selection=list(selection) if o.selection_only and selection else None,
        **o.drawing,
    )


def solution_text(net: Network, suffix: str, lr: float = 1.0) -> str:
    """The worked solution as LaTeX (``.tex``) or Markdown (``.md``), exact numbers."""
    make = solution_latex if suffix == ".tex" else solution_markdown
    return make(net, net.evaluate(), lr=lr)


def write_solution(net: Network, path: str | os.PathLike[str], lr: float = 1.0) -> None:
    """Write the worked solution; the suffix picks the format (``.md``, else LaTeX)."""
    suffix = ".md" if Path(path).suffix.lower() == ".md" else ".tex"
    write_text_atomic(path, solution_text(net, suffix, lr))


def failure_message(path: str | os.PathLike[str], error: Exception) -> str:
    """One sentence saying why ``path`` was not written."""
    p = Path(path)
    if isinstance(error, ValueError):
        return f"{p.name} was not written: {error}."
    folder = p.parent
    if not folder.is_dir():
        reason = f"the folder {folder} does not exist"
    elif p.is_dir():
        reason = "a folder of that name is in the way"
    elif not os.access(folder, os.W_OK) or (p.exists() and not os.access(p, os.W_OK)):
        reason = "you may not write there; choose another folder"
    else:
        strerror = getattr(error, "strerror", None)
        reason = strerror[0].lower() + strerror[1:] if strerror else "the file could not be created"
    return f"Cannot write {p}: {reason}."
