"""Live advice under a field while the user types: why a new password is too easy to guess, or which group
of a recovery code to check. Debounced, so that scoring runs once typing pauses, not on every key."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QLineEdit

from ui.desk.form_field import FormField

#: Pause in typing after which the text is assessed.
DEBOUNCE_MS = 300


class LiveHint(QObject):
    """Shows ``assess(text)`` in ``field``'s hint line (word-wrapped, never clipped) once typing pauses.

    ``assess`` returns the advice for the current text ("" for none); an empty field shows the field's own
    hint again. ``also_watch`` are other inputs the advice depends on (the login and name for a password).
    """

    def __init__(
        self,
        field: FormField,
        assess: Callable[[str], str],
        *,
        also_watch: tuple[QLineEdit, ...] = (),
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent or field)
        self._field = field
        self._assess = assess
        self._default = field.hint.text()
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(DEBOUNCE_MS)
        self.timer.timeout.connect(self.refresh)
        for edit in (field.edit, *also_watch):
            edit.textEdited.connect(self._typed)

    def _typed(self, _text: str) -> None:
        self.timer.start()

    def refresh(self) -> None:
        """Assess now (also what the debounce timer calls)."""
        self.timer.stop()
        text = self._field.text()
        advice = self._assess(text) if text else ""
        shown = advice or (self._default if not text else "")
        self._field.hint.setText(shown)
        self._field.hint.setVisible(bool(shown))
        self._field.edit.setAccessibleDescription(shown or self._default)

    def advice(self) -> str:
        """The advice currently shown (for tests and screen readers)."""
        return self._field.hint.text() if not self._field.hint.isHidden() else ""

    def reset(self) -> None:
        self.timer.stop()
        self._field.hint.setText(self._default)
        self._field.hint.setVisible(bool(self._default))
