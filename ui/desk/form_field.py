"""Form building blocks: a labelled input with a hint and an error line under it (the target of a
``ValidationError.field``), a stand-alone error line, and the centred card every gate screen sits in."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QLineEdit, QStyle, QVBoxLayout, QWidget

from fzmediate.i18n import _
from ui.style import set_role


class ErrorLine(QWidget):
    """A warning icon and a message (hidden while empty): colour is not the only cue."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(6)
        self.icon = QLabel(self)
        size = self.fontMetrics().height()
        self.icon.setPixmap(self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning).pixmap(size, size))
        self.icon.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.label = QLabel(self)
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        set_role(self.label, "error")
        row.addWidget(self.icon)
        row.addWidget(self.label, 1)
        self.setVisible(False)

    def set_text(self, message: str) -> None:
        self.label.setText(message)
        self.label.setAccessibleName(message)
        self.setVisible(bool(message))

    def text(self) -> str:
        return self.label.text() if not self.isHidden() else ""


class FormField(QWidget):
    def __init__(self, label: str, *, password: bool = False, hint: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = QLabel(label, self)
        self.edit = QLineEdit(self)
        self.label.setBuddy(self.edit)
        self.edit.setAccessibleName(label)
        self._hint_text = hint
        if hint:
            self.edit.setAccessibleDescription(hint)
        if password:
            self.edit.setEchoMode(QLineEdit.EchoMode.Password)
            self.edit.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)
        self.edit.setMinimumHeight(32)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.label)
        layout.addWidget(self.edit)
        self.hint = QLabel(hint, self)
        self.hint.setWordWrap(True)
        set_role(self.hint, "hint")
        self.hint.setVisible(bool(hint))
        layout.addWidget(self.hint)
        self.error = ErrorLine(self)
        layout.addWidget(self.error)

    def text(self) -> str:
        return self.edit.text()

    def set_error(self, message: str) -> None:
        self.error.set_text(message)
        # Screen readers announce the description with the field.
        self.edit.setAccessibleDescription(message or self._hint_text)

    def error_text(self) -> str:
        return self.error.text()

    def clear_error(self) -> None:
        self.set_error("")

    def clear(self) -> None:
        self.edit.clear()
        self.clear_error()


def repeat_differs(first: FormField, repeat: FormField) -> bool:
    """True (and the repeat field cleared, marked and focused) when a typed-twice password differs."""
    if first.text() == repeat.text():
        return False
    repeat.set_error(_("The two passwords differ."))
    repeat.edit.clear()
    repeat.edit.setFocus()
    return True


def centered_card(page: QWidget, *, width: int = 460) -> QVBoxLayout:
    """Put a fixed-width card in the middle of ``page``; return the card's layout to fill."""
    outer = QVBoxLayout(page)
    outer.setContentsMargins(24, 24, 24, 24)
    row = QHBoxLayout()
    outer.addStretch(1)
    outer.addLayout(row)
    outer.addStretch(1)
    card = QFrame(page)
    set_role(card, "card")
    card.setFixedWidth(width)
    row.addStretch(1)
    row.addWidget(card)
    row.addStretch(1)
    inner = QVBoxLayout(card)
    inner.setContentsMargins(28, 24, 28, 24)
    inner.setSpacing(12)
    return inner


def fitting_size(dialog: QWidget, width: int, height: int, lines_wide: int, lines_high: int) -> tuple[int, int]:
    """At least ``width`` × ``height``, larger at a large text size (in text lines), within the main window."""
    line = dialog.fontMetrics().height()
    wide, high = max(width, line * lines_wide), max(height, line * lines_high)
    parent = dialog.parentWidget()
    if parent is not None:
        room = parent.window().size()
        wide, high = min(wide, max(width, room.width() - 40)), min(high, max(height, room.height() - 40))
    return wide, high
