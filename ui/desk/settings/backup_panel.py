"""Backup, restore and the store check: back up now to a chosen folder (supervisors and administrators),
restore (administrators), check the database pages and the signed audit chain, quickly or deeply."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QHBoxLayout, QListWidget, QRadioButton, QVBoxLayout, QWidget

from fzmediate.desk import admin
from fzmediate.i18n import _, ngettext
from ui.desk.form_field import ErrorLine
from ui.desk.page import DeskEnv
from ui.desk.settings import common
from ui.desk.settings.common import ProgressRow, allow, button, section, wrapped
from ui.desk.settings.restore_dialog import RestoreDialog
from ui.ops import Progress, error_message, log_failure


class BackupPanel(QWidget):
    """Emits ``lock_requested(notice)`` after a restore: the desk must lock and show the unlock screen."""

    lock_requested = Signal(str)

    def __init__(self, env: DeskEnv, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.env = env
        self.dialog: QDialog | None = None
        self.last_backup: admin.BackupResult | None = None
        self.last_check: admin.CheckResult | None = None
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        box, layout = section(_("Backup, restore and check"), self)
        outer.addWidget(box)

        layout.addWidget(
            wrapped(
                _(
                    "A backup is encrypted: it opens only with a password (or the recovery code) valid when it was "
                    "made. Keep backups on another medium, locked away."
                ),
                box,
                "hint",
            )
        )
        self.backup_button = button(_("Back up now…"), box)
        self.backup_button.clicked.connect(self.back_up)
        self.restore_button = button(_("Restore a backup…"), box)
        self.restore_button.clicked.connect(self.restore)
        row = QHBoxLayout()
        row.addWidget(self.backup_button)
        row.addWidget(self.restore_button)
        row.addStretch(1)
        layout.addLayout(row)
        self.backup_progress = ProgressRow(_("Backup progress"), box)
        layout.addWidget(self.backup_progress)
        self.backup_result = wrapped("", box, "notice")
        self.backup_result.setVisible(False)
        layout.addWidget(self.backup_result)
        self.backup_error = ErrorLine(box)
        layout.addWidget(self.backup_error)

        self.quick = QRadioButton(_("Quick check"), box)
        self.quick.setAccessibleName(_("Quick check"))
        self.quick.setChecked(True)
        self.deep = QRadioButton(_("Deep check (reads every page; takes longer)"), box)
        self.deep.setAccessibleName(_("Deep check"))
        self.check_button = button(_("Check the store"), box)
        self.check_button.clicked.connect(self.check)
        check_row = QHBoxLayout()
        check_row.addWidget(self.quick)
        check_row.addWidget(self.deep)
        check_row.addStretch(1)
        check_row.addWidget(self.check_button)
        layout.addLayout(check_row)
        self.check_progress = ProgressRow(_("Check progress"), box)
        layout.addWidget(self.check_progress)
        self.check_summary = wrapped("", box)
        self.check_summary.setVisible(False)
        layout.addWidget(self.check_summary)
        self.problems = QListWidget(box)
        self.problems.setAccessibleName(_("Problems the check found"))
        self.problems.setWordWrap(True)
        self.problems.setVisible(False)
        layout.addWidget(self.problems)

        context = env.context
        backup, restore, check = context.may("backup"), context.may("restore"), context.may("check")
        allow(self.backup_button, bool(backup), backup.reason)
        allow(self.restore_button, bool(restore), restore.reason)
        allow(self.check_button, bool(check), check.reason)
        for radio in (self.quick, self.deep):
            allow(radio, bool(check), check.reason)

    # --- backup ----------------------------------------------------------------------------------------
    def back_up(self) -> None:
        if self.backup_progress.running:
            return
        folder = common.ask_folder(self, _("Folder for the backup"))
        if not folder:
            return
        self.backup_error.set_text("")
        self.backup_result.setVisible(False)
        handle = self.env.context.call(
            admin.write_backup,
            folder,
            on_success=self._backed_up,
            on_failure=self._backup_failed,
            on_cancelled=self._backup_cancelled,
            progress=self._backup_progress,
            parent=self,
        )
        self.backup_progress.start(handle, _("Preparing the backup…"))
        self.backup_button.setEnabled(False)

    def _backup_progress(self, p: Progress) -> None:
        # Cancel stays available to the end: a cancelled backup leaves no part file behind.
        self.backup_progress.progress(p)

    def _backed_up(self, result: admin.BackupResult) -> None:
        self.backup_progress.finish()
        self.backup_button.setEnabled(True)
        self.last_backup = result
        megabytes = max(0.1, round(result.size / 1_000_000, 1))
        text = _("Backup written: {path} ({size} MB).").format(path=result.path, size=megabytes)
        self.backup_result.setText(text)
        self.backup_result.setAccessibleName(text)
        self.backup_result.setVisible(True)

    def _backup_cancelled(self) -> None:
        self.backup_progress.finish()
        self.backup_button.setEnabled(True)
        self.backup_error.set_text(_("Backup cancelled; no file was written."))

    def _backup_failed(self, exc: BaseException) -> None:
        self.backup_progress.finish()
        self.backup_button.setEnabled(True)
        log_failure(exc)
        self.backup_error.set_text(error_message(exc))

    # --- restore ---------------------------------------------------------------------------------------
    def restore(self) -> None:
        path = common.ask_open_file(
            self,
            _("Choose the backup to restore"),
            _("fzmediate backups (*{suffix})").format(suffix=admin.BACKUP_SUFFIX),
        )
        if not path:
            return
        dialog = RestoreDialog(self.env, path, self)
        dialog.locked.connect(self.lock_requested)
        self.dialog = dialog
        dialog.open()

    # --- check -----------------------------------------------------------------------------------------
    def check(self) -> None:
        if self.check_progress.running:
            return
        deep = self.deep.isChecked()
        self.check_summary.setVisible(False)
        self.problems.setVisible(False)
        handle = self.env.context.call(
            admin.check_store,
            deep,
            on_success=self._checked,
            on_failure=self._check_failed,
            progress=self.check_progress.progress,
            parent=self,
        )
        self.check_progress.start(handle, _("Checking the store…"), cancellable=False)
        self.check_button.setEnabled(False)

    def _checked(self, result: admin.CheckResult) -> None:
        self.check_progress.finish()
        self.check_button.setEnabled(True)
        self.last_check = result
        if result.ok:
            text = _("✓ Check passed: database pages intact, audit chain of {n} events intact.").format(
                n=result.audit_events
            )
        else:
            text = ngettext(
                "⚠ The check found {n} problem. Tell the district's IT contact; do not delete any file.",
                "⚠ The check found {n} problems. Tell the district's IT contact; do not delete any file.",
                len(result.problems),
            ).format(n=len(result.problems))
        self.check_summary.setText(text)
        self.check_summary.setAccessibleName(text)
        self.check_summary.setVisible(True)
        self.problems.clear()
        self.problems.addItems(list(result.problems))
        self.problems.setVisible(not result.ok)

    def _check_failed(self, exc: BaseException) -> None:
        self.check_progress.finish()
        self.check_button.setEnabled(True)
        log_failure(exc)
        self.check_summary.setText(_("⚠ The check could not run: {problem}").format(problem=error_message(exc)))
        self.check_summary.setVisible(True)
