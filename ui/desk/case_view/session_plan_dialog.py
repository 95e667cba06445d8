"""Planned sessions of a case: the Sessions tab (list, plan, cancel) and its two small dialogs.

Planning is not a legal act (``hold_session`` records the session held). Errors from the service come back
with their field and are shown beside it; a cancellation needs a reason and is kept.
"""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QDate, QDateTime, QTime
from PySide6.QtWidgets import (
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from fzmediate.desk import case_view
from fzmediate.errors import FzError
from fzmediate.i18n import _
from fzmediate.services.plan_dto import MAX_MINUTES, MIN_MINUTES, PlannedSession
from ui.desk.form_field import ErrorLine
from ui.desk.page import DeskEnv
from ui.ops import error_message, log_failure


def _buttons(dialog: QDialog, ok: str) -> tuple[QDialogButtonBox, QPushButton]:
    box = QDialogButtonBox(dialog)
    button = box.addButton(ok, QDialogButtonBox.ButtonRole.AcceptRole)
    button.setAccessibleName(ok)
    cancel = box.addButton(QDialogButtonBox.StandardButton.Cancel)
    cancel.setAccessibleName(_("Cancel"))
    box.rejected.connect(dialog.reject)
    return box, button


class SessionPlanDialog(QDialog):
    """Plan a session: start (local time), duration, place, staff (user names), note."""

    def __init__(self, env: DeskEnv, case_id: str, mediator: str, now: datetime, parent: QWidget | None = None):
        super().__init__(parent)
        self.env = env
        self.case_id = case_id
        self.setWindowTitle(_("Plan a session"))
        form = QFormLayout(self)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        start = QDateTime(QDate(now.year, now.month, now.day), QTime(9, 0)).addDays(1)
        self.starts = QDateTimeEdit(start, self)
        self.starts.setCalendarPopup(True)
        self.starts.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.minutes = QSpinBox(self)
        self.minutes.setRange(MIN_MINUTES, MAX_MINUTES)
        self.minutes.setSingleStep(15)
        self.minutes.setValue(60)
        self.minutes.setSuffix(" " + _("min"))
        self.place = QLineEdit(self)
        self.staff = QLineEdit(mediator or env.actor.login, self)
        self.note = QPlainTextEdit(self)
        self.note.setTabChangesFocus(True)
        self.note.setMaximumHeight(self.fontMetrics().height() * 5)
        self.errors: dict[str, ErrorLine] = {}
        for key, label, widget in (
            ("starts_at", _("Start"), self.starts),
            ("minutes", _("Duration"), self.minutes),
            ("place", _("Place"), self.place),
            ("staff", _("Staff (user names, separated by commas)"), self.staff),
            ("note", _("Note"), self.note),
        ):
            widget.setAccessibleName(label)
            box = QWidget(self)
            col = QVBoxLayout(box)
            col.setContentsMargins(0, 0, 0, 0)
            col.addWidget(widget)
            self.errors[key] = ErrorLine(box)
            col.addWidget(self.errors[key])
            form.addRow(label, box)
        self.general = ErrorLine(self)
        form.addRow(self.general)
        box, self.ok = _buttons(self, _("Plan"))
        self.ok.clicked.connect(self.submit)
        form.addRow(box)
        self.place.setFocus()

    def submit(self) -> None:
        d = self.starts.dateTime()
        when = datetime(d.date().year(), d.date().month(), d.date().day(), d.time().hour(), d.time().minute())
        staff = tuple(s.strip() for s in self.staff.text().replace("，", ",").split(",") if s.strip())
        self.ok.setEnabled(False)
        self.env.context.call(
            case_view.plan_session,
            self.case_id,
            when,
            self.minutes.value(),
            self.place.text(),
            staff,
            self.note.toPlainText(),
            on_success=self._done,
            on_failure=self._failed,
            parent=self,
        )

    def _done(self, _plan: PlannedSession) -> None:
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self.ok.setEnabled(True)
        for line in (*self.errors.values(), self.general):
            line.set_text("")
        if not isinstance(error, FzError):
            log_failure(error)
        self.errors.get(getattr(error, "field", None) or "", self.general).set_text(error_message(error))


class CancelPlanDialog(QDialog):
    def __init__(self, env: DeskEnv, plan: PlannedSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.env = env
        self.plan = plan
        self.setWindowTitle(_("Cancel a planned session"))
        layout = QVBoxLayout(self)
        label = QLabel(_("Reason for cancelling"), self)
        label.setWordWrap(True)
        self.reason = QLineEdit(self)
        self.reason.setAccessibleName(_("Reason for cancelling"))
        label.setBuddy(self.reason)
        self.error = ErrorLine(self)
        layout.addWidget(label)
        layout.addWidget(self.reason)
        layout.addWidget(self.error)
        box, self.ok = _buttons(self, _("Cancel the session"))
        self.ok.clicked.connect(self.submit)
        layout.addWidget(box)

    def submit(self) -> None:
        self.ok.setEnabled(False)
        self.env.context.call(
            case_view.cancel_session,
            self.plan.id,
            self.reason.text(),
            self.plan.version,
            on_success=lambda _p: self.accept(),
            on_failure=self._failed,
            parent=self,
        )

    def _failed(self, error: BaseException) -> None:
        self.ok.setEnabled(True)
        if not isinstance(error, FzError):
            log_failure(error)
        self.error.set_text(error_message(error))


class SessionsPanel(QWidget):
    """The case's planned sessions, earliest first, cancelled ones marked; plan and cancel buttons."""

    def __init__(self, env: DeskEnv, case_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.env = env
        self.case_id = case_id
        self.mediator = ""
        self.now = datetime.now()
        self.plans: tuple[PlannedSession, ...] = ()
        layout = QVBoxLayout(self)
        self.table = QTableWidget(0, 5, self)
        self.table.setAccessibleName(_("Planned sessions"))
        self.table.setTabKeyNavigation(False)  # Tab leaves the table (arrows move in it): no keyboard trap
        self.table.setHorizontalHeaderLabels([_("Start"), _("Duration"), _("Place"), _("Staff"), _("Status")])
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        layout.addWidget(self.table, 1)
        row = QHBoxLayout()
        self.plan_button = QPushButton(_("Plan a session…"), self)
        self.plan_button.setAccessibleName(_("Plan a session"))
        self.plan_button.clicked.connect(self.open_plan)
        self.cancel_button = QPushButton(_("Cancel the selected session…"), self)
        self.cancel_button.setAccessibleName(_("Cancel the selected session"))
        self.cancel_button.clicked.connect(self.open_cancel)
        row.addWidget(self.plan_button)
        row.addWidget(self.cancel_button)
        row.addStretch(1)
        layout.addLayout(row)
        self.table.itemSelectionChanged.connect(self._selection)
        self._selection()

    def set_plans(self, plans: tuple[PlannedSession, ...], mediator: str, now: datetime) -> None:
        self.plans, self.mediator, self.now = plans, mediator, now
        self.table.setRowCount(len(plans))
        for r, p in enumerate(plans):
            status = _("cancelled: {reason}").format(reason=p.cancelled_reason) if p.cancelled else _("planned")
            texts = (
                p.starts_at.strftime("%Y-%m-%d %H:%M"),
                _("{n} min").format(n=p.minutes),
                p.place,
                ", ".join(p.staff),
                status,
            )
            for c, text in enumerate(texts):
                self.table.setItem(r, c, QTableWidgetItem(text))
        self.table.resizeColumnsToContents()
        self._selection()

    def selected(self) -> PlannedSession | None:
        rows = self.table.selectionModel().selectedRows()
        return self.plans[rows[0].row()] if rows else None

    def _selection(self) -> None:
        plan = self.selected()
        ok = plan is not None and not plan.cancelled
        self.cancel_button.setEnabled(ok)
        why = "" if ok else _("Select a planned session that is not cancelled.")
        self.cancel_button.setToolTip(why)
        self.cancel_button.setAccessibleDescription(why)

    def open_plan(self) -> SessionPlanDialog:
        dialog = SessionPlanDialog(self.env, self.case_id, self.mediator, self.now, self)
        dialog.open()
        return dialog

    def open_cancel(self) -> CancelPlanDialog | None:
        plan = self.selected()
        if plan is None:
            return None
        dialog = CancelPlanDialog(self.env, plan, self)
        dialog.open()
        return dialog
