"""Users and the recovery code (administrators): who may sign in, with which role; add, remove; a new
recovery code when the old one is lost or was seen by someone who should not have it."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from fzmediate.desk import admin
from fzmediate.i18n import _
from fzmediate.security.permissions import role_label
from ui.desk.form_field import ErrorLine
from ui.desk.page import DeskEnv
from ui.desk.recovery_page import RecoveryPage
from ui.desk.settings import common
from ui.desk.settings.common import FittingDialog, ProgressRow, allow, button, section, wrapped
from ui.desk.settings.user_dialog import UserDialog
from ui.ops import Progress, error_message, log_failure

COLUMNS = ("login", "name", "role", "qualified", "state")


class RecoveryCodeDialog(FittingDialog):
    """The new recovery code, shown once (the page of set-up, in a dialog); closes when confirmed."""

    def __init__(self, code: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Recovery code"))
        self.page = RecoveryPage(self)
        self.page.show_code(code)
        self.page.finished.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.page)


class UsersPanel(QWidget):
    def __init__(self, env: DeskEnv, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.env = env
        self.rows: tuple[admin.UserRow, ...] = ()
        self.dialog: QDialog | None = None
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        box, layout = section(_("Users and the recovery code"), self)
        outer.addWidget(box)

        self.table = QTableWidget(0, len(COLUMNS), box)
        self.table.setAccessibleName(_("Users"))
        self.table.setTabKeyNavigation(False)  # Tab leaves the table (arrows move between cells)
        self.table.setHorizontalHeaderLabels(
            [_("User name"), _("Name"), _("Role"), _("Legally qualified"), _("Status")]
        )
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.setCornerButtonEnabled(False)  # one row at a time: nothing to select all of
        for corner in self.table.findChildren(QAbstractButton):
            corner.setAccessibleName(_("Users"))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        layout.addWidget(self.table)

        self.add_button = button(_("Add user…"), box)
        self.add_button.clicked.connect(self.add_user)
        self.remove_button = button(_("Remove user…"), box)
        self.remove_button.clicked.connect(self.remove_user)
        self.recovery_button = button(_("New recovery code…"), box)
        self.recovery_button.clicked.connect(self.renew_recovery_code)
        row = QHBoxLayout()
        for b in (self.add_button, self.remove_button):
            row.addWidget(b)
        row.addStretch(1)
        row.addWidget(self.recovery_button)
        layout.addLayout(row)
        layout.addWidget(
            wrapped(
                _(
                    "Names are shown masked. A role or the legal qualification cannot be edited: remove the user "
                    "and add them again under a new user name. Removing a user re-encrypts the store."
                ),
                box,
                "hint",
            )
        )
        self.progress = ProgressRow(_("Progress of the user change"), box)
        layout.addWidget(self.progress)
        self.message = ErrorLine(box)
        layout.addWidget(self.message)
        self.done_label = wrapped("", box, "notice")
        self.done_label.setVisible(False)
        layout.addWidget(self.done_label)
        self._selection_changed()

    # --- loading ---------------------------------------------------------------------------------------
    def reload(self) -> None:
        self.env.context.call(admin.list_users, on_success=self._show, on_failure=self._failed, parent=self)

    def _show(self, rows: tuple[admin.UserRow, ...]) -> None:
        selected = self.selected()
        self.rows = rows
        self.table.setRowCount(len(rows))
        for i, r in enumerate(rows):
            cells = (
                r.login + (" " + _("(you)") if r.is_self else ""),
                r.masked_name or "—",
                role_label(r.role),
                _("Yes") if r.legally_qualified else _("No"),
                _("Active") if r.active else _("Removed"),
            )
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.table.setItem(i, column, item)
            if selected is not None and r.login == selected.login:
                self.table.selectRow(i)
        self._fit_height()
        self._selection_changed()

    def _fit_height(self) -> None:
        """Tall enough for every row (a staff list is short; the page scrolls, not the table)."""
        self.table.resizeRowsToContents()
        rows = sum(self.table.rowHeight(i) for i in range(self.table.rowCount()))
        header = self.table.horizontalHeader().sizeHint().height()
        scrollbar = self.table.horizontalScrollBar().sizeHint().height()
        self.table.setMinimumHeight(rows + header + scrollbar + 2 * self.table.frameWidth() + 4)

    def selected(self) -> admin.UserRow | None:
        indexes = self.table.selectionModel().selectedRows()
        if not indexes or indexes[0].row() >= len(self.rows):
            return None
        return self.rows[indexes[0].row()]

    def _selection_changed(self) -> None:
        row = self.selected()
        if row is None:
            allow(self.remove_button, False, _("Choose a user in the table first."))
        elif row.is_self:
            allow(self.remove_button, False, _("You cannot remove yourself."))
        elif not row.active:
            allow(self.remove_button, False, _("This user was removed already."))
        else:
            allow(self.remove_button, not self.progress.running, _("Wait until the current change is done."))

    # --- actions ---------------------------------------------------------------------------------------
    def add_user(self) -> None:
        dialog = UserDialog(self.env, self)
        dialog.accepted.connect(lambda: self._added(dialog))
        self.dialog = dialog
        dialog.open()

    def _added(self, dialog: UserDialog) -> None:
        if dialog.added is not None:
            self._notice(
                _("User {login} added ({role}).").format(login=dialog.added.login, role=role_label(dialog.added.role))
            )
        self.reload()

    def remove_user(self) -> None:
        row = self.selected()
        if row is None or self.progress.running:
            return
        question = _(
            "Remove the user {login}? They can no longer sign in; what they recorded stays. The store is "
            "re-encrypted with a new key, which may take a moment."
        ).format(login=row.login)
        if not common.confirm(self, _("Remove user"), question):
            return
        self.message.set_text("")
        handle = self.env.context.call(
            admin.deactivate_user,
            row.login,
            on_success=lambda _r: self._removed(row.login),
            on_failure=self._failed,
            progress=self._progress,
            parent=self,
        )
        self.progress.start(handle, _("Removing {login}…").format(login=row.login), cancellable=False)
        self._selection_changed()

    def _progress(self, p: Progress) -> None:
        self.progress.progress(p)

    def _removed(self, login: str) -> None:
        self.progress.finish()
        self._notice(_("User {login} removed; the store was re-encrypted with a new key.").format(login=login))
        self.reload()

    def renew_recovery_code(self) -> None:
        question = _(
            "Make a new recovery code? The old code stops working at once. The new one is shown only once: "
            "print it or write it down and give it to the supervisor to keep locked away."
        )
        if not common.confirm(self, _("New recovery code"), question):
            return
        self.message.set_text("")
        self.env.context.call(
            admin.renew_recovery_code, on_success=self._show_code, on_failure=self._failed, parent=self
        )

    def _show_code(self, code: str) -> None:
        dialog = RecoveryCodeDialog(code, self)
        self.dialog = dialog
        dialog.open()

    def _notice(self, text: str) -> None:
        self.done_label.setText(text)
        self.done_label.setAccessibleName(text)
        self.done_label.setVisible(True)

    def _failed(self, exc: BaseException) -> None:
        self.progress.finish()
        log_failure(exc)
        self.message.set_text(error_message(exc))
        self._selection_changed()
