"""A page that asks for one text: a name, a document number, a phone number, an address (one line), or what
happened and what the visitor asks for (several lines). Typed on the on-screen keyboard or a real one."""

from __future__ import annotations

from PySide6.QtWidgets import QLineEdit, QPlainTextEdit, QWidget

from fzmediate.domain.identity import IdType
from fzmediate.domain.intake import MAX_ADDRESS, MAX_NAME
from fzmediate.i18n import _
from fzmediate.kiosk.application import ID_NUMBER_HINTS, ID_TYPE_LABELS, Answers, Step
from ui.kiosk.application.look import sized
from ui.kiosk.application.page import FormPage
from ui.kiosk.keyboard.keyboard import Mode, Target

_ONE_LINE = {
    Step.NAME: MAX_NAME,
    Step.ID_NUMBER: 32,
    Step.PHONE: 24,
    Step.ADDRESS: MAX_ADDRESS,
    Step.OTHER_NAME: MAX_NAME,
}
_KEYBOARD: dict[Step, tuple[Mode, tuple[Mode, ...]]] = {
    Step.NAME: (Mode.PINYIN, (Mode.PINYIN, Mode.LATIN)),
    Step.ID_NUMBER: (Mode.LATIN, (Mode.LATIN,)),
    Step.PHONE: (Mode.DIGITS, (Mode.DIGITS,)),
    Step.ADDRESS: (Mode.PINYIN, (Mode.PINYIN, Mode.LATIN)),
    Step.OTHER_NAME: (Mode.PINYIN, (Mode.PINYIN, Mode.LATIN)),
    Step.FACTS: (Mode.PINYIN, (Mode.PINYIN, Mode.LATIN)),
    Step.CLAIMS: (Mode.PINYIN, (Mode.PINYIN, Mode.LATIN)),
}


class TextPage(FormPage):
    def __init__(self, step: Step, parent: QWidget | None = None) -> None:
        super().__init__(step, parent)
        self._id_type = ""
        self._other_kind = ""
        self.editor: Target
        if step in _ONE_LINE:
            line = QLineEdit(self)
            line.setMaxLength(_ONE_LINE[step])
            line.textChanged.connect(lambda _text: self.changed.emit())
            self.editor = line
            sized(line)
        else:
            area = QPlainTextEdit(self)
            area.setTabChangesFocus(True)
            area.setMinimumHeight(160)
            area.textChanged.connect(self.changed.emit)
            self.editor = area
        self.body.addWidget(self.editor)
        self.retranslate()

    def retranslate(self) -> None:
        self.question.setText(self._question())
        self.hint.setText(self._hint())
        self.editor.setAccessibleName(self._question())
        self.editor.setAccessibleDescription(self._hint())

    def _question(self) -> str:
        step = self.step
        if step is Step.NAME:
            return _("What is your name?")
        if step is Step.ID_NUMBER:
            document = _(ID_TYPE_LABELS[IdType(self._id_type)]) if self._id_type else _("your document")
            return _("What is the number of your {document}?").format(document=document)
        if step is Step.PHONE:
            return _("Which phone number can the office call you on?")
        if step is Step.ADDRESS:
            return _("Where do you live? (You may leave this empty.)")
        if step is Step.OTHER_NAME:
            if self._other_kind == "organization":
                return _("What is the name of the company or organisation?")
            return _("What is the other person's name?")
        if step is Step.FACTS:
            return _("What happened?")
        return _("What do you ask for?")

    def _hint(self) -> str:
        step = self.step
        if step is Step.NAME:
            return _("As on your identity document. For a rare character, tap “Rare characters” on the keyboard.")
        if step is Step.ID_NUMBER:
            return _(ID_NUMBER_HINTS[IdType(self._id_type)]) if self._id_type else ""
        if step is Step.PHONE:
            return _("A mobile number has 11 digits. A number outside the mainland starts with + and the country code.")
        if step is Step.ADDRESS:
            return _("Where letters from the office can reach you.")
        if step is Step.OTHER_NAME:
            return _("As far as you know it. The office can complete it later.")
        if step is Step.FACTS:
            return _("In your own words: when, where, who, and what happened. A few sentences are enough.")
        return _("For example: pay back the deposit of 2,000 yuan; repair the leaking roof.")

    # --- answers -----------------------------------------------------------------------------------------
    def text(self) -> str:
        editor = self.editor
        return editor.text() if isinstance(editor, QLineEdit) else editor.toPlainText()

    def set_text(self, value: str) -> None:
        editor = self.editor
        if isinstance(editor, QLineEdit):
            editor.setText(value)
        else:
            editor.setPlainText(value)

    def load(self, answers: Answers) -> None:
        self._id_type, self._other_kind = answers.id_type, answers.other_kind
        self.retranslate()
        value = getattr(answers, self.step.value)
        if value != self.text():
            self.set_text(value)

    def store(self, answers: Answers) -> None:
        setattr(answers, self.step.value, self.text())

    def clear(self) -> None:
        super().clear()
        self.set_text("")  # setText / setPlainText also drop the undo history, which held the old text
        self._id_type = self._other_kind = ""
        self.retranslate()

    def keyboard(self) -> tuple[Target | None, Mode, tuple[Mode, ...]]:
        mode, modes = _KEYBOARD[self.step]
        return self.editor, mode, modes

    def has_input(self) -> bool:
        return bool(self.text())
