"""A page that asks the visitor to choose one of a few large buttons: the identity document, or whether the
other party is a person or an organisation."""

from __future__ import annotations

from PySide6.QtWidgets import QButtonGroup, QWidget

from fzmediate.i18n import _
from fzmediate.kiosk.application import ID_TYPE_LABELS, OTHER_KIND_LABELS, PERSON_ID_TYPES, Answers, Step
from ui.kiosk.application.look import set_kiosk_role, sized
from ui.kiosk.application.page import FormPage
from ui.kiosk.application.wrap_button import WrapButton


class ChoicePage(FormPage):
    def __init__(self, step: Step, parent: QWidget | None = None) -> None:
        super().__init__(step, parent)
        if step is Step.ID_TYPE:
            self._labels = {t.value: ID_TYPE_LABELS[t] for t in PERSON_ID_TYPES}
        else:
            self._labels = dict(OTHER_KIND_LABELS)
        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        self.buttons: dict[str, WrapButton] = {}
        for value in self._labels:
            button = WrapButton(self)
            button.setCheckable(True)
            set_kiosk_role(button, "choice")
            self.group.addButton(button)
            self.body.addWidget(sized(button))
            self.buttons[value] = button
        self.group.buttonClicked.connect(lambda _b: self.changed.emit())
        self.retranslate()

    def retranslate(self) -> None:
        if self.step is Step.ID_TYPE:
            self.question.setText(_("Which identity document do you have with you?"))
            self.hint.setText(_("Choose the document whose number you will enter next."))
        else:
            self.question.setText(_("Who is your dispute with?"))
            self.hint.setText(_("The person or organisation you ask the office to mediate or decide with."))
        for value, button in self.buttons.items():
            button.set_label(_(self._labels[value]))

    def value(self) -> str:
        return next((v for v, b in self.buttons.items() if b.isChecked()), "")

    def choose(self, value: str) -> None:
        """Select ``value`` (as a tap does)."""
        self.buttons[value].click()

    def load(self, answers: Answers) -> None:
        current = getattr(answers, self.step.value)
        if current in self.buttons:
            self.buttons[current].setChecked(True)

    def store(self, answers: Answers) -> None:
        setattr(answers, self.step.value, self.value())

    def clear(self) -> None:
        super().clear()
        self.group.setExclusive(False)  # an exclusive group cannot uncheck its last button
        for button in self.buttons.values():
            button.setChecked(False)
        self.group.setExclusive(True)

    def has_input(self) -> bool:
        return bool(self.value())
