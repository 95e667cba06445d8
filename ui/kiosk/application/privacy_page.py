"""The first page: the privacy notice (``fzmediate.kiosk.privacy_notice``), and "I agree" before any question."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QWidget

from fzmediate.i18n import _
from fzmediate.kiosk.application import Answers, Step
from fzmediate.kiosk.privacy_notice import notice_sections
from ui.kiosk.application.look import set_kiosk_role, sized
from ui.kiosk.application.page import FormPage
from ui.kiosk.application.wrap_button import WrapButton


class PrivacyPage(FormPage):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(Step.PRIVACY, parent)
        self._office = ""
        self._phone = ""
        self.sections: list[tuple[QLabel, QLabel]] = []
        for _i in range(len(notice_sections("", ""))):
            heading = QLabel(self)
            heading.setWordWrap(True)
            set_kiosk_role(heading, "number")
            text = QLabel(self)
            text.setWordWrap(True)
            self.body.addWidget(heading)
            self.body.addWidget(text)
            self.sections.append((heading, text))
        self.agree = WrapButton(self)
        self.agree.setCheckable(True)
        set_kiosk_role(self.agree, "choice")
        self.agree.toggled.connect(lambda _on: self.changed.emit())
        self.body.addWidget(sized(self.agree))
        self.retranslate()

    def set_office(self, office: str, phone: str) -> None:
        """The office and phone of the matter (catalogue data), once the flow has read them."""
        self._office, self._phone = office, phone
        self.retranslate()

    def retranslate(self) -> None:
        self.question.setText(_("Before you start: how your information is used"))
        self.hint.setText(_("Please read it before you start; it takes about a minute."))
        for (heading, text), (title, body) in zip(
            self.sections, notice_sections(self._office, self._phone), strict=True
        ):
            heading.setText(title)
            text.setText(body)
        self.agree.set_label(_("I have read this and agree to go on"))
        self.agree.setAccessibleName(_("I have read the privacy notice and agree to go on"))

    def spoken_text(self) -> str:
        """The notice as shown, in reading order (headings, then their text)."""
        parts = [self.question.text()]
        for heading, text in self.sections:
            parts += [heading.text(), text.text()]
        return "\n".join(p for p in parts if p)

    def load(self, answers: Answers) -> None:
        self.agree.setChecked(answers.privacy_accepted)

    def store(self, answers: Answers) -> None:
        answers.privacy_accepted = self.agree.isChecked()

    def clear(self) -> None:
        super().clear()
        self.agree.setChecked(False)

    def has_input(self) -> bool:
        return self.agree.isChecked()
