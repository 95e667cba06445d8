"""What every page of the application form has: its step, one question in large type, a hint, the answer
widget, and a large error line that names the field and the rule (shown as the visitor types, once there is
something to judge, and on "Next")."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from fzmediate.kiosk.application import Answers, Step
from ui.kiosk.application.look import set_kiosk_role
from ui.kiosk.keyboard.keyboard import Mode, Target


class FormPage(QWidget):
    """One page. Subclasses build ``body``, read and write :class:`Answers`, and say what the keyboard types."""

    #: The visitor changed the answer (the flow re-checks it).
    changed = Signal()

    def __init__(self, step: Step, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.step = step
        self.setObjectName("page_" + step.value)
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(0, 0, 0, 0)
        self.layout_.setSpacing(12)
        self.question = QLabel(self)
        self.question.setWordWrap(True)
        set_kiosk_role(self.question, "question")
        self.layout_.addWidget(self.question)
        self.hint = QLabel(self)
        self.hint.setWordWrap(True)
        set_kiosk_role(self.hint, "hint")
        self.layout_.addWidget(self.hint)
        self.body = QVBoxLayout()
        self.body.setSpacing(8)
        self.layout_.addLayout(self.body)
        self.error = QLabel(self)
        self.error.setWordWrap(True)
        self.error.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        set_kiosk_role(self.error, "error")
        self.error.hide()
        self.layout_.addWidget(self.error)
        self.layout_.addStretch(1)

    # --- what subclasses provide ------------------------------------------------------------------------
    def retranslate(self) -> None:
        raise NotImplementedError

    def load(self, answers: Answers) -> None:
        """Show ``answers`` (coming back to the page)."""

    def store(self, answers: Answers) -> None:
        """Put the page's answer into ``answers``."""

    def clear(self) -> None:
        """Forget every answer and message on the page."""
        self.show_error("")

    def keyboard(self) -> tuple[Target | None, Mode, tuple[Mode, ...]]:
        """The widget the on-screen keyboard types into (None: no keyboard), its mode and the modes offered."""
        return None, Mode.PINYIN, ()

    def has_input(self) -> bool:
        """Whether the visitor has typed or chosen anything here (messages wait until then)."""
        return False

    # --- messages ------------------------------------------------------------------------------------------
    def show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.setAccessibleName(message)
        self.error.setVisible(bool(message))
