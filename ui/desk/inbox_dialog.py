"""Applications filed at kiosks, waiting at this desk: import a file, register through the intake form, reject.

The list shows masked summaries only (the sealed boxes open on the store's side). Registering opens the same
intake form as a new case, pre-filled from the application, so it is checked like an application on paper;
rejecting asks for the reason (kept in the encrypted store). Reached from Today's applications section and
from the Cases menu.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from fzmediate.desk import inbox
from fzmediate.i18n import _, ngettext
from fzmediate.services.inbox_dto import ImportResult, InboxEntry, status_label
from ui.a11y import name_qt_internals
from ui.desk.case_view.print_dialog import fit_height
from ui.desk.form_field import ErrorLine, FormField
from ui.ops import error_message
from ui.style import set_role

if TYPE_CHECKING:
    from fzmediate.store.changes import OpChanges
    from ui.desk.page import DeskEnv


class RejectDialog(QDialog):
    """Why an application is refused: required, shown beside the field when missing or refused."""

    def __init__(self, number: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Reject application"))
        heading = QLabel(_("Reject application {number}").format(number=number or "—"), self)
        heading.setWordWrap(True)
        set_role(heading, "title")
        self.reason = FormField(
            _("Reason for rejecting"),
            hint=_("Say why, so the applicant can be told: for example, the dispute is already before a court."),
            parent=self,
        )
        self.error = ErrorLine(self)
        self.reject_button = QPushButton(_("Reject"), self)
        self.reject_button.setAccessibleName(_("Reject"))
        self.reject_button.setDefault(True)
        cancel = QPushButton(_("Cancel"), self)
        cancel.setAccessibleName(_("Cancel"))
        cancel.clicked.connect(self.reject)
        self.reject_button.clicked.connect(self._check)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.reject_button)
        buttons.addWidget(cancel)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(self.reason)
        layout.addWidget(self.error)
        layout.addLayout(buttons)
        self.setMinimumWidth(520)
        fit_height(self)

    def text(self) -> str:
        return self.reason.edit.text().strip()

    def _check(self) -> None:
        if not self.text():
            self.reason.set_error(_("Give the reason for rejecting the application."))
            return
        self.accept()


class InboxDialog(QDialog):
    """The kiosk applications waiting at this desk (pending, or all with their outcome)."""

    COLUMNS = ("number", "submitted", "matter", "applicants", "parties", "status")

    def __init__(self, env: DeskEnv, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.env = env
        self._entries: list[InboxEntry] = []
        self.setWindowTitle(_("Applications from kiosks"))
        heading = QLabel(_("Applications from kiosks"), self)
        set_role(heading, "title")
        intro = QLabel(
            _(
                "Applications filed at community kiosks arrive here still sealed to this office. Register one "
                "through the intake form (checked as on paper), or reject it with the reason."
            ),
            self,
        )
        intro.setWordWrap(True)
        self.show_all = QCheckBox(_("Show registered and rejected applications too"), self)
        self.show_all.setAccessibleName(self.show_all.text())
        self.show_all.toggled.connect(self.reload)
        self.table = QTableWidget(0, len(self.COLUMNS), self)
        self.table.setHorizontalHeaderLabels(
            [_("Number"), _("Submitted"), _("Matter"), _("Applicants"), _("Parties"), _("Status")]
        )
        self.table.setAccessibleName(_("Applications from kiosks"))
        self.table.setTabKeyNavigation(False)  # Tab leaves the table (arrows move between cells)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.table.doubleClicked.connect(lambda _index: self.register_selected())
        self.status = QLabel("", self)
        self.status.setWordWrap(True)
        self.status.setAccessibleName(_("Status"))
        self.error = ErrorLine(self)

        self.import_button = QPushButton(_("Import applications file…"), self)
        self.register_button = QPushButton(_("Register…"), self)
        self.reject_button = QPushButton(_("Reject…"), self)
        close = QPushButton(_("Close"), self)
        for button in (self.import_button, self.register_button, self.reject_button, close):
            button.setAccessibleName(button.text().rstrip("…"))
        self.import_button.clicked.connect(self.choose_file)
        self.register_button.clicked.connect(self.register_selected)
        self.reject_button.clicked.connect(self.reject_selected)
        close.clicked.connect(self.close)
        buttons = QHBoxLayout()
        buttons.addWidget(self.import_button)
        buttons.addStretch(1)
        buttons.addWidget(self.register_button)
        buttons.addWidget(self.reject_button)
        buttons.addWidget(close)

        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(intro)
        layout.addWidget(self.show_all)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.status)
        layout.addWidget(self.error)
        layout.addLayout(buttons)
        self.resize(900, 560)
        name_qt_internals(self)
        env.ops.changed.connect(self._on_changed)
        self._update_buttons()
        self.reload()

    # --- reading ---------------------------------------------------------------------------------------
    def reload(self) -> None:
        self.status.setText(_("Loading…"))
        self.env.context.call(
            inbox.applications,
            not self.show_all.isChecked(),
            on_success=self._show,
            on_failure=self._failed,
            parent=self,
        )

    def _show(self, entries: tuple[InboxEntry, ...]) -> None:
        self._entries = list(entries)
        self.table.setRowCount(len(entries))
        for row, e in enumerate(entries):
            values = (
                e.number or "—",
                e.submitted_at[:16].replace("T", " ") if e.submitted_at else "—",
                e.matter_code or "—",
                _("、").join(e.applicants) or "—",
                str(e.parties),
                status_label(e.status) if e.readable else _("damaged: can only be rejected"),
            )
            for column, value in enumerate(values):
                item = QTableWidgetItem(value)
                item.setData(Qt.ItemDataRole.UserRole, e.application_id)
                self.table.setItem(row, column, item)
        self.status.setText(
            ngettext("{n} application.", "{n} applications.", len(entries)).format(n=len(entries))
            if entries
            else _("No applications are waiting.")
        )
        self._update_buttons()

    def _failed(self, exc: BaseException) -> None:
        self.status.setText("")
        self.error.set_text(error_message(exc))

    def _on_changed(self, changes: OpChanges, initiator: object) -> None:
        if "application" in changes.kinds or "case" in changes.kinds:
            self.reload()

    def selected(self) -> InboxEntry | None:
        rows = {i.row() for i in self.table.selectedIndexes()}
        return self._entries[rows.pop()] if len(rows) == 1 and self._entries else None

    def _update_buttons(self) -> None:
        entry = self.selected()
        pending = entry is not None and entry.status == "pending"
        self.register_button.setEnabled(pending and entry is not None and entry.readable)
        self.reject_button.setEnabled(pending)
        why = "" if pending else _("Select a pending application first.")
        for button in (self.register_button, self.reject_button):
            button.setToolTip(why if not button.isEnabled() else "")
            button.setAccessibleDescription(button.toolTip())

    # --- acting ----------------------------------------------------------------------------------------
    def choose_file(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self, _("Import applications file"), "", _("Kiosk applications (*.json);;All files (*)")
        )
        if path:
            self.import_path(path)

    def import_path(self, path: str) -> None:
        self.error.set_text("")
        self.status.setText(_("Importing…"))
        self.env.context.call(inbox.import_file, path, on_success=self._imported, on_failure=self._failed, parent=self)

    def _imported(self, result: ImportResult) -> None:
        self.status.setText(
            _("{added} new applications imported; {already} were already here.").format(
                added=result.added, already=result.already
            )
        )
        self.reload()

    def register_selected(self) -> None:
        entry = self.selected()
        if entry is None or entry.status != "pending" or not entry.readable:
            return
        from ui.desk.intake.intake_dialog import open_intake

        # The intake form opens the new case in its tab through the main window (our parent).
        host = self.parentWidget()
        open_intake(self.env, host if host is not None else self, entry.application_id)

    def reject_selected(self) -> None:
        entry = self.selected()
        if entry is None or entry.status != "pending":
            return
        dialog = RejectDialog(entry.number, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        self.reject_entry(entry.application_id, dialog.text())

    def reject_entry(self, application_id: str, reason: str) -> None:
        self.error.set_text("")
        self.env.context.call(
            inbox.reject,
            application_id,
            reason,
            on_success=lambda _r: self.reload(),
            on_failure=self._failed,
            parent=self,
        )


def open_inbox(env: DeskEnv, parent: QWidget) -> InboxDialog:
    """Show the kiosk applications (non-modal: the intake form opens beside it)."""
    dialog = InboxDialog(env, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
    dialog.show()
    return dialog
