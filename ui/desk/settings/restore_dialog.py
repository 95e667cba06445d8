"""Restore a backup (administrators): the file, your password again, the password valid in the backup when it
differs, and the explicit choice to replace this store by another store's backup.

What can be checked with the store open is checked first (``fzmediate.desk.admin.restore_backup``): a typo or
a wrong file changes nothing. Then the desk locks for the swap; the dialog emits ``locked(notice)`` and the
page asks the shell to show the unlock screen (sign in again, to the restored store).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QDialogButtonBox, QLabel, QPushButton, QVBoxLayout, QWidget

from fzmediate.desk import admin
from fzmediate.errors import BackoffError, FzError, ValidationError
from fzmediate.i18n import _
from ui.desk.form_field import ErrorLine, FormField
from ui.desk.page import DeskEnv
from ui.desk.settings.common import FittingDialog, ProgressRow, wrapped
from ui.ops import Progress, error_message, log_failure
from ui.style import set_role


class RestoreDialog(FittingDialog):
    """Emits ``locked(notice)`` once the session has been locked for the restore (done or failed after)."""

    locked = Signal(str)

    def __init__(self, env: DeskEnv, backup: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.env = env
        self.backup = backup
        self.setWindowTitle(_("Restore a backup"))
        layout = QVBoxLayout(self)
        title = QLabel(_("Restore a backup"), self)
        title.setWordWrap(True)
        set_role(title, "title")
        warning = wrapped(
            _(
                "⚠ The backup replaces everything recorded on this computer since it was made. The current store "
                "is kept in the data folder's backups folder. The desk locks for the restore; sign in again "
                "afterwards."
            ),
            self,
            "notice",
        )
        self.file_label = wrapped(_("Backup file: {name}").format(name=Path(backup).name), self)
        self.password = FormField(_("Your password"), password=True, parent=self)
        self.backup_password = FormField(
            _("Your password in the backup (if it was different then)"),
            password=True,
            hint=_("Leave empty when it was the same as now."),
            parent=self,
        )
        self.replace_store = QCheckBox(_("Replace this store even if the backup is of another store"), self)
        self.replace_store.setAccessibleName(_("Replace this store"))
        self.message = ErrorLine(self)
        self.progress = ProgressRow(_("Restore progress"), self)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.ok_button = QPushButton(_("Restore"), self)
        self.ok_button.setAccessibleName(_("Restore"))
        self.buttons.addButton(self.ok_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setAccessibleName(_("Cancel"))
        self.buttons.rejected.connect(self.reject)
        self.ok_button.clicked.connect(self.submit)
        for w in (
            title,
            warning,
            self.file_label,
            self.password,
            self.backup_password,
            self.replace_store,
            self.message,
            self.progress,
            self.buttons,
        ):
            layout.addWidget(w)
        self._step = 0
        self.setFocusProxy(self.password.edit)

    def submit(self) -> None:
        if self.progress.running:
            return
        for field in (self.password, self.backup_password):
            field.clear_error()
        self.message.set_text("")
        if not self.password.text():
            self.password.set_error(_("Password: type your password to confirm the restore."))
            return
        self._step = 0
        handle = self.env.context.call(
            admin.restore_backup,
            self.backup,
            self.password.text(),
            self.backup_password.text(),
            self.replace_store.isChecked(),
            on_success=self._done,
            on_failure=self._failed,
            on_cancelled=self._cancelled,
            progress=self._progress,
            parent=self,
        )
        self.progress.start(handle, _("Checking your password…"))
        self.ok_button.setEnabled(False)

    def _progress(self, p: Progress) -> None:
        self._step = p.done
        self.progress.progress(p)
        if p.done >= 2:  # locking: from here on there is no way back but the unlock screen
            self.progress.cancel_button.setEnabled(False)
            self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setEnabled(False)

    def _done(self, result: admin.RestoreResult) -> None:
        self.progress.finish()
        notice = _("Backup restored. Sign in to continue.")
        if result.kept:
            notice = _(
                "Backup restored; the store it replaced was kept in backups/{folder}. Sign in to continue."
            ).format(folder=result.kept)
        self.accept()
        self.locked.emit(notice)

    def _cancelled(self) -> None:
        self.progress.finish()
        self.ok_button.setEnabled(True)
        self.message.set_text(_("Restore cancelled. Nothing was changed."))

    def _failed(self, exc: BaseException) -> None:
        self.progress.finish()
        log_failure(exc)
        if isinstance(exc, admin.RestoreLockedError) or not isinstance(exc, FzError):
            # The session may be locked already: the unlock screen is the only safe place to go on from.
            self.reject()
            self.locked.emit(error_message(exc))
            return
        self.ok_button.setEnabled(True)
        field = None
        if isinstance(exc, ValidationError):
            field = {"password": self.password, "backup_password": self.backup_password}.get(exc.field or "")
        if isinstance(exc, BackoffError):
            field = self.password
        if field is not None:
            field.edit.clear()
            field.set_error(error_message(exc))
            field.edit.setFocus()
        else:
            self.message.set_text(error_message(exc))
