"""A label for text that changes with every edit (the forward pass, the loss in
the Jacobian panel's header) without re-running the dock's layout.

A :class:`~PySide6.QtWidgets.QLabel` asks its parent layout to recompute after
every ``setText``, even when its size stays the same; in a dock full of
word-wrapped labels that is most of an edit's cost. :class:`LiveLabel` lays its
text out in a :class:`~PySide6.QtGui.QTextDocument` (rich text or plain, wrapped
at the widget's width) and asks for a new layout only when the height it needs
at the current width, or its natural width, changes; otherwise it just repaints.
Right-click copies the text (plain).

:func:`style_label` gives a widget its size, weight and colour by font and
palette: a style sheet would do the same but costs a style-sheet polish of the
widget each time a page of the inspector is built.
"""

from __future__ import annotations

import html

from PySide6.QtCore import QSize
from PySide6.QtGui import (
    QAbstractTextDocumentLayout,
    QColor,
    QContextMenuEvent,
    QFont,
    QGuiApplication,
    QPainter,
    QPaintEvent,
    QPalette,
    QResizeEvent,
    QTextDocument,
    QTextOption,
)
from PySide6.QtWidgets import QMenu, QSizePolicy, QWidget


class LiveLabel(QWidget):
    """Read-only text, ``rich`` (a subset of HTML) or plain, wrapped or not, in the
    widget's palette; ``point_size``: its font size (default: the widget's)."""

    def __init__(
        self,
        text: str = "",
        *,
        rich: bool = True,
        wrap: bool = True,
        point_size: float | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._rich, self._wrap = rich, wrap
        self._text: str | None = None
        self._doc = QTextDocument(self)
        self._doc.setDocumentMargin(0)
        font = QFont(self.font())
        if point_size:
            font.setPointSizeF(point_size)
        self._doc.setDefaultFont(font)
        option = QTextOption()
        option.setWrapMode(QTextOption.WrapMode.WordWrap if wrap else QTextOption.WrapMode.NoWrap)
        self._doc.setDefaultTextOption(option)
        policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        policy.setHeightForWidth(wrap)
        self.setSizePolicy(policy)
        self._natural = QSize()
        self._doc_width = -1.0  # the width the document is laid out at (-1: unwrapped)
        self._heights: dict[int, int] = {}  # width → height needed, for this text
        self._published = (QSize(), -1)
        self.setText(text)

    def text(self) -> str:
        return self._text or ""

    def setText(self, text: str) -> None:  # noqa: N802 (QLabel's name: a drop-in)
        """New text; the layout is asked to move things only when the size changes."""
        if text == self._text:
            return
        self._text = text
        body = text if self._rich else html.escape(text).replace("\n", "<br>")
        self._doc.setHtml(body)
        self._doc.setTextWidth(-1)
        self._doc_width = -1.0
        size = self._doc.size()
        self._natural = QSize(int(size.width()) + 1, int(size.height()) + 1)
        self._heights = {}
        published = (self._natural, self.heightForWidth(self.width()) if self._wrap else -1)
        if published != self._published:
            self._published = published
            self.updateGeometry()
        self.update()

    def _lay_out_at(self, width: int) -> None:
        """Lay the text out for a widget ``width`` wide: unwrapped (each paragraph one
        line, as measured by setText) where the longest line fits, so that a dock's
        layout probing widths wider than the text costs no layout at all."""
        wanted = -1.0 if not self._wrap or width >= self._natural.width() else float(max(width, 1))
        if wanted != self._doc_width:
            self._doc.setTextWidth(wanted)
            self._doc_width = wanted

    # -- size ------------------------------------------------------------------
    def sizeHint(self) -> QSize:  # noqa: N802
        if self._wrap:
            return QSize(min(self._natural.width(), 400), self.heightForWidth(400))
        return self._natural

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        return QSize(40, self._natural.height()) if self._wrap else self._natural

    def hasHeightForWidth(self) -> bool:  # noqa: N802
        return self._wrap

    def heightForWidth(self, width: int) -> int:  # noqa: N802
        if not self._wrap or width >= self._natural.width():
            return self._natural.height()
        width = max(width, 1)
        height = self._heights.get(width)
        if height is None:
            self._lay_out_at(width)
            height = self._heights[width] = int(self._doc.size().height()) + 1
        return height

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._lay_out_at(self.width())

    def context_menu(self) -> QMenu:
        """Right-click: Copy, the text as plain text (the forward pass into notes)."""
        menu = QMenu(self)
        copy = menu.addAction("Copy")
        copy.triggered.connect(lambda: QGuiApplication.clipboard().setText(self.plain_text()))
        return menu

    def plain_text(self) -> str:
        """The text as shown, without markup."""
        return self._doc.toPlainText()

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:  # noqa: N802
        menu = self.context_menu()
        menu.exec(event.globalPos())
        menu.deleteLater()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        self._lay_out_at(self.width())
        p = QPainter(self)
        context = QAbstractTextDocumentLayout.PaintContext()
        context.palette = self.palette()
        self._doc.documentLayout().draw(p, context)
        p.end()


def style_label(
    widget: QWidget,
    *,
    size: float | None = None,
    bold: bool = False,
    color: str | None = None,
) -> None:
    """Point ``size``, semi-bold, text ``color`` (``#rrggbb``), without a style sheet."""
    if size or bold:
        font = QFont(widget.font())
        if size:
            font.setPointSizeF(size)
        if bold:
            font.setWeight(QFont.Weight.DemiBold)
        widget.setFont(font)
    if color:
        palette = QPalette(widget.palette())
        palette.setColor(QPalette.ColorRole.WindowText, QColor(color))
        widget.setPalette(palette)


def label_color(widget: QWidget) -> str:
    """The text colour :func:`style_label` gave (``#rrggbb``)."""
    return widget.palette().color(QPalette.ColorRole.WindowText).name()
