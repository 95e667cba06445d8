"""Assign (or reassign) a case to a mediator: pick the person, confirm; refusals are said in the dialog.

The list of people and the assignment itself are store calls (``fzmediate.desk.supervisor``). A case with a
pending recusal is not reassigned here: the recusal decision (回避决定, with reasons and the replacement) is an
act recorded in the case, and the service refuses with a sentence saying so.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QLabel, QPushButton, QVBoxLayout, QWidget

from fzmediate.desk import supervisor as sv
from fzmediate.i18n import _
from ui.desk.form_field import ErrorLine
from ui.desk.page import DeskEnv
from ui.ops import error_message, log_failure
from ui.style import set_role


class AssignDialog(QDialog):
    """Emits ``assigned(Assignment)`` once the store has recorded the assignment (then closes)."""

    assigned = Signal(object)

    def __init__(self, env: DeskEnv, case_id: str, number: str, current: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.env = env
        self.case_id = case_id
        self.current = current
        title = _("Reassign case") if current else _("Assign case")
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        layout = QVBoxLayout(self)
        heading = QLabel(_("Case {number}").format(number=number), self)
        set_role(heading, "subtitle")
        heading.setWordWrap(True)
        layout.addWidget(heading)
        if current:
            now = QLabel(_("Now handled by {login}.").format(login=current), self)
            now.setWordWrap(True)
            layout.addWidget(now)
        label = QLabel(_("Mediator"), self)
        self.mediator = QComboBox(self)
        self.mediator.setAccessibleName(_("Mediator"))
        self.mediator.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.mediator.setEnabled(False)
        label.setBuddy(self.mediator)
        layout.addWidget(label)
        layout.addWidget(self.mediator)
        self.status = QLabel(_("Loading the mediators…"), self)
        set_role(self.status, "hint")
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        self.error = ErrorLine(self)
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(self)
        self.assign_button = QPushButton(_("Reassign") if current else _("Assign"), self)
        self.assign_button.setAccessibleName(self.assign_button.text())
        self.assign_button.setEnabled(False)
        self.cancel_button = buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.cancel_button.setText(_("Cancel"))
        self.cancel_button.setAccessibleName(_("Cancel"))
        buttons.addButton(self.assign_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.assign_button.clicked.connect(self.submit)
        self.cancel_button.clicked.connect(self.reject)
        layout.addWidget(buttons)
        env.context.call(sv.mediators, on_success=self._loaded, on_failure=self._failed, parent=self)

    def _loaded(self, people: tuple[sv.Mediator, ...]) -> None:
        self.mediator.clear()
        for person in people:
            self.mediator.addItem(person.label, person.login)
        index = self.mediator.findData(self.current)
        # The current handler is listed (a reassignment picks someone else); start on the first other person.
        if index >= 0 and self.mediator.count() > 1:
            self.mediator.setCurrentIndex(1 if index == 0 else 0)
        self.mediator.setEnabled(bool(people))
        self.assign_button.setEnabled(bool(people))
        self.status.setText("" if people else _("There is no active mediator to assign."))
        self.status.setVisible(not people)
        self.adjustSize()

    def selected_login(self) -> str:
        return str(self.mediator.currentData() or "")

    def submit(self) -> None:
        login = self.selected_login()
        if not login:
            return
        self.error.set_text("")
        self.assign_button.setEnabled(False)
        self.env.context.call(
            sv.assign, self.case_id, login, on_success=self._done, on_failure=self._failed, parent=self
        )

    def _done(self, result: sv.Assignment) -> None:
        self.assigned.emit(result)
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        log_failure(exc)
        self.error.set_text(error_message(exc))
        self.assign_button.setEnabled(self.mediator.count() > 0)
        self.adjustSize()
