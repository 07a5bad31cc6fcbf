"""The inline editor that opens over an entry on a double-click.

It takes what :func:`gradviz.engine.numbers.parse_number` takes (``3``,
``-1.5e-2``, ``3/4``, ``−2``). Enter commits, Esc cancels, leaving the field
cancels. The scene decides what a commit means; the editor only reports the
text and turns red when told the text was refused.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFocusEvent, QKeyEvent
from PySide6.QtWidgets import QLineEdit, QWidget

from gradviz.engine.exact import as_fraction
from gradviz.qt.canvas import style
from gradviz.qt.theme import Theme

_NORMAL = (
    "QLineEdit {{ background: {bg}; color: {fg}; border: 2px solid {border}; "
    "border-radius: 4px; padding: 0px 3px; }}"
)


def editable_text(x: float) -> str:
    """The text an editor starts with: the exact fraction when the float is one
    (``3/4``, ``-1``), otherwise every digit (``0.1234567890123``), so that
    pressing Enter unchanged never alters the value."""
    f = as_fraction(x)
    if f is not None and float(f) == x:
        return str(f)
    return repr(float(x))


class EntryEditor(QLineEdit):
    """A one-line editor for one entry; emits ``committed(text)`` or ``cancelled()``."""

    committed = Signal(str)
    cancelled = Signal()

    def __init__(
        self,
        node_id: str,
        index: tuple[int, ...],
        value: float,
        theme: Theme,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setFont(style.font(style.ENTRY_PX))
        self.textEdited.connect(self._edited)
        self.retarget(node_id, index, value, theme)

    def retarget(self, node_id: str, index: tuple[int, ...], value: float, theme: Theme) -> None:
        """Edit another entry (the scene keeps one editor and moves it about)."""
        self.node_id = node_id
        self.index = index
        self.theme = theme
        self.invalid = False
        self.finished = False
        self.setText(editable_text(value))
        self.selectAll()
        self.setToolTip(
            f"{style.entry_label(node_id, index)}: type 3, -1.5e-2 or 3/4; "
            "Enter sets it, Esc cancels"
        )
        self._restyle()

    def set_invalid(self, invalid: bool) -> None:
        """Red when the typed text was refused; back to normal on the next keystroke."""
        self.invalid = invalid
        self._restyle()

    def _edited(self, _text: str) -> None:
        if self.invalid:
            self.set_invalid(False)

    def _restyle(self) -> None:
        t = self.theme
        if self.invalid:
            bg, border = ("#ffd9d6", "#d0021b") if t.name == "light" else ("#5a2626", "#ff6b6b")
        else:
            bg, border = t.background, t.selection
        self.setStyleSheet(_NORMAL.format(bg=bg, fg=t.text, border=border))

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.committed.emit(self.text())
            event.accept()
            return
        if event.key() == Qt.Key.Key_Escape:
            self.cancelled.emit()
            event.accept()
            return
        super().keyPressEvent(event)

    def focusOutEvent(self, event: QFocusEvent) -> None:
        super().focusOutEvent(event)
        if not self.finished and event.reason() != Qt.FocusReason.PopupFocusReason:
            self.cancelled.emit()
