"""The review page: every answer on one page, each with a "Change" button back to its question, before the
visitor sends the application."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QGridLayout, QLabel, QPushButton, QWidget

from fzmediate.domain.identity import IdType
from fzmediate.i18n import _
from fzmediate.kiosk.application import ID_TYPE_LABELS, OTHER_KIND_LABELS, STEPS, Answers, Step, field_label
from ui.kiosk.application.look import set_kiosk_role, sized
from ui.kiosk.application.page import FormPage

#: The pages the review lists (all but the notice and itself).
SHOWN = tuple(s for s in STEPS if s not in (Step.PRIVACY, Step.REVIEW))


class ReviewPage(FormPage):
    edit_requested = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(Step.REVIEW, parent)
        grid = QGridLayout()
        grid.setHorizontalSpacing(16)
        grid.setVerticalSpacing(6)
        self.labels: dict[Step, QLabel] = {}
        self.values: dict[Step, QLabel] = {}
        self.edit_buttons: dict[Step, QPushButton] = {}
        for row, step in enumerate(SHOWN):
            label = QLabel(self)
            label.setWordWrap(True)
            set_kiosk_role(label, "hint")
            value = QLabel(self)
            value.setWordWrap(True)
            value.setTextFormat(Qt.TextFormat.PlainText)  # a name is shown as typed, never read as markup
            set_kiosk_role(value, "number")
            button = QPushButton(self)
            button.clicked.connect(lambda _checked=False, s=step: self.edit_requested.emit(s))
            grid.addWidget(label, row, 0)
            grid.addWidget(value, row, 1)
            grid.addWidget(sized(button, width=120), row, 2)
            self.labels[step], self.values[step], self.edit_buttons[step] = label, value, button
        grid.setColumnStretch(0, 2)
        grid.setColumnStretch(1, 5)
        self.body.addLayout(grid)
        self._answers = Answers()
        self.retranslate()

    def retranslate(self) -> None:
        self.question.setText(_("Please check your application"))
        self.hint.setText(_("Tap “Change” to correct an answer. When everything is right, tap “Send application”."))
        for step in SHOWN:
            self.labels[step].setText(field_label(step))
            self.edit_buttons[step].setText(_("Change"))
            self.edit_buttons[step].setAccessibleName(_("Change: {field}").format(field=field_label(step)))
        self.load(self._answers)

    def _shown(self, step: Step, answers: Answers) -> str:
        value = getattr(answers, step.value)
        if step is Step.ID_TYPE and value:
            return _(ID_TYPE_LABELS[IdType(value)])
        if step is Step.OTHER_KIND and value:
            return _(OTHER_KIND_LABELS[value])
        if step is Step.ADDRESS and not value.strip():
            return _("(not given)")
        return str(value)

    def load(self, answers: Answers) -> None:
        self._answers = answers
        for step in SHOWN:
            text = self._shown(step, answers)
            self.values[step].setText(text)
            self.values[step].setAccessibleName("{0}: {1}".format(field_label(step), text))

    def clear(self) -> None:
        super().clear()
        self._answers = Answers()
        self.load(self._answers)
