"""The dialog of one act, generated from its form (``fzmediate.procedure.forms.ActForm``).

Every field of the act gets the editor of its type (``form_widgets``), the date it happened (an earlier date
is a late entry, 补录, and asks for the reason) and the errors beside each field: from the form's checks and
from the engine when applied. Nothing is applied on a refusal. ``hold_session``'s summary is the minutes (笔录):
a larger editor under the parties present. Ctrl+Enter applies; closing with edits asks first.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from fzmediate.desk import case_view
from fzmediate.desk.case_view import ActOutcome
from fzmediate.domain.case import PartyRole
from fzmediate.errors import StaleCaseError
from fzmediate.i18n import _
from fzmediate.procedure.form_types import AGENTS, FORM, ActForm, Choice
from ui.desk.case_view.form_widgets import FieldEditor, TextEditor, editor_for
from ui.desk.form_field import ErrorLine, fitting_size
from ui.desk.page import DeskEnv
from ui.ops import error_message, log_failure
from ui.style import set_role

#: Acts whose text is the minutes (笔录) of a session.
MINUTES_ACTS = ("hold_session", "hold_hearing", "attempt_mediation")


class ActDialog(QDialog):
    """Apply ``form``'s act to the case at ``version``; ``applied`` / ``stale`` say what happened."""

    applied = Signal(int)
    stale = Signal()

    def __init__(
        self, env: DeskEnv, case_id: str, form: ActForm, version: int, today: date, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.env = env
        self.case_id = case_id
        self.form = form
        self.version = version
        self.today = today
        self.busy = False
        self.setWindowTitle(form.label)
        self.setAccessibleName(form.label)
        outer = QVBoxLayout(self)
        title = QLabel(form.label, self)
        title.setWordWrap(True)
        set_role(title, "title")
        outer.addWidget(title)
        self.form_error = ErrorLine(self)
        outer.addWidget(self.form_error)

        body = QWidget(self)
        rows = QVBoxLayout(body)
        self.editors: dict[str, FieldEditor] = {}
        order = list(form.fields)
        if form.action in MINUTES_ACTS:  # who was present first, then the minutes
            order.sort(key=lambda f: 0 if f.type == "parties" else 1)
        principals = tuple(Choice(p.id, p.label) for p in form.parties if p.role is not PartyRole.AGENT)
        agents = tuple(Choice(p.id, p.label) for p in form.parties if p.role is PartyRole.AGENT)
        for f in order:
            if f.name == AGENTS and f.type == "text_list":
                # The agents who acted are parties of the case, stored by id: ticked in a list like the parties
                # fields (nobody can type an id the desk never shows).
                f = replace(f, type="parties", choices=agents, help=_("one or more parties of the case"))
            editor = editor_for(f, body, principals)
            if form.action in MINUTES_ACTS and f.name == "summary" and isinstance(editor, TextEditor):
                editor.label.setText(_("Minutes of the session (笔录): {label}").format(label=f.display))
                if editor.area is not None:
                    editor.area.setMinimumHeight(self.fontMetrics().height() * 14)
            self.editors[f.name] = editor
            rows.addWidget(editor)

        self.date_label = QLabel(_("Date the act took place"), body)
        self.date_label.setWordWrap(True)
        self.occurred = QDateEdit(body)
        self.occurred.setCalendarPopup(True)
        self.occurred.setDisplayFormat("yyyy-MM-dd")
        self.occurred.setDate(QDate(today.year, today.month, today.day))
        self.occurred.setMaximumDate(QDate(today.year, today.month, today.day))
        self.occurred.setAccessibleName(_("Date the act took place"))
        self.date_label.setBuddy(self.occurred)
        self.date_error = ErrorLine(body)
        self.late_label = QLabel(_("Reason for the late entry (补录)"), body)
        self.late_label.setWordWrap(True)
        self.late = QLineEdit(body)
        self.late.setAccessibleName(_("Reason for the late entry"))
        self.late_label.setBuddy(self.late)
        self.late_error = ErrorLine(body)
        for w in (self.date_label, self.occurred, self.date_error, self.late_label, self.late, self.late_error):
            rows.addWidget(w)
        rows.addStretch(1)
        self.occurred.dateChanged.connect(self._date_changed)
        self._date_changed()

        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        outer.addWidget(scroll, 1)

        self.buttons = QDialogButtonBox(self)
        self.apply_button = QPushButton(_("Apply"), self)
        self.apply_button.setAccessibleName(_("Apply the act"))
        self.apply_button.setToolTip(_("Apply the act (Ctrl+Enter)"))
        self.apply_button.setDefault(False)
        self.apply_button.setAutoDefault(False)
        self.cancel_button = QPushButton(_("Cancel"), self)
        self.cancel_button.setAccessibleName(_("Cancel"))
        self.cancel_button.setAutoDefault(False)
        self.buttons.addButton(self.apply_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(self.cancel_button, QDialogButtonBox.ButtonRole.RejectRole)
        self.apply_button.clicked.connect(self.apply)
        self.cancel_button.clicked.connect(self.reject)
        outer.addWidget(self.buttons)
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(keys), self, self.apply)
        self.resize(*fitting_size(self, 640, 640, 34, 32))
        first = next(iter(self.editors.values()), None)
        (first.input if first is not None else self.occurred).setFocus()

    # --- state ----------------------------------------------------------------------------------------
    def _date_changed(self, *_args: object) -> None:
        late = self.occurred_on() < self.today
        self.late_label.setVisible(late)
        self.late.setVisible(late)
        if not late:
            self.late_error.set_text("")

    def occurred_on(self) -> date:
        d = self.occurred.date()
        return date(d.year(), d.month(), d.day())

    def raw(self) -> dict[str, Any]:
        """What was typed, as the act's data (empty fields left out: "not given")."""
        out: dict[str, Any] = {}
        for name, editor in self.editors.items():
            value = editor.value()
            if value in ("", []):
                continue
            if editor.field.type == "boolean" and value is False and not editor.field.required:
                continue  # an unticked optional box is "not given"; a required one answers "no"
            out[name] = value
        return out

    def edited(self) -> bool:
        return any(e.edited for e in self.editors.values()) or bool(self.late.text().strip())

    def field_error(self, name: str) -> str:
        """The message shown beside field ``name`` (FORM: at the top)."""
        if name == FORM:
            return self.form_error.text()
        if name == "occurred_on":
            return self.date_error.text()
        if name == "late_reason":
            return self.late_error.text()
        return self.editors[name].error_text()

    # --- applying -------------------------------------------------------------------------------------
    def apply(self) -> None:
        if self.busy:
            return
        self.busy = True
        self.apply_button.setEnabled(False)
        on = self.occurred_on()
        self.env.context.call(
            case_view.apply_act,
            self.case_id,
            self.form.action,
            self.raw(),
            on if on != self.today else None,
            self.late.text() if on < self.today else "",
            self.version,
            on_success=self._done,
            on_failure=self._failed,
            parent=self,
        )

    def _show_errors(self, outcome: ActOutcome) -> None:
        general: list[str] = []
        for editor in self.editors.values():
            editor.set_error(outcome.error(editor.field.name))
        self.date_error.set_text(outcome.error("occurred_on") or outcome.error("out_of_order_reason"))
        self.late_error.set_text(outcome.error("late_reason"))
        for name, message in outcome.errors:
            if name not in self.editors and name not in ("occurred_on", "late_reason", "out_of_order_reason"):
                general.append(message)
        self.form_error.set_text("\n".join(general))
        first = next((e for e in self.editors.values() if e.error_text()), None)
        if first is not None:
            first.input.setFocus()

    def _done(self, outcome: ActOutcome) -> None:
        self.busy = False
        self.apply_button.setEnabled(True)
        if not outcome.applied:
            self._show_errors(outcome)
            return
        self.applied.emit(outcome.version)
        for e in self.editors.values():
            e.edited = False
        self.late.clear()
        super().accept()

    def _failed(self, error: BaseException) -> None:
        self.busy = False
        self.apply_button.setEnabled(True)
        if isinstance(error, StaleCaseError):
            QMessageBox.information(
                self, self.form.label, _("The case was changed meanwhile. It has been reloaded; please check it.")
            )
            self.stale.emit()
            super().reject()
            return
        log_failure(error)
        self.form_error.set_text(error_message(error))

    # --- closing --------------------------------------------------------------------------------------
    def confirm_discard(self) -> bool:
        """Ask before dropping edits: True to close. (Tests replace this.)"""
        answer = QMessageBox.question(
            self,
            self.form.label,
            _("Discard what you typed for this act?"),
            QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        return answer == QMessageBox.StandardButton.Discard

    def reject(self) -> None:
        if self.edited() and not self.confirm_discard():
            return
        super().reject()

    def keyPressEvent(self, event: Any) -> None:
        # Enter in a line editor must not apply by accident: only Ctrl+Enter or the button applies.
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not event.modifiers():
            return
        super().keyPressEvent(event)
