"""Re-issuing a document: the reason is required, because the new version replaces the sealed one for good.

An issued document is never changed; a correction is a new version that points to the one it supersedes, and
the reason is stored with it (and shown in the history). The dialog refuses an empty reason beside the field.
It stays open while the panel issues on the DB worker (:meth:`ReissueDialog.busy`), so a refusal of the
service (``ValidationError`` on ``reason``) lands beside the field too; on success the panel closes it.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from fzmediate.desk.documents import MAX_REASON
from fzmediate.i18n import _
from ui.desk.case_view.print_dialog import fit_height
from ui.desk.form_field import ErrorLine, FormField
from ui.style import set_role


class ReissueDialog(QDialog):
    """Ask why ``document`` (now at ``version``) is issued again."""

    #: The user asked to re-issue with this reason (already checked not to be empty).
    reason_given = Signal(str)

    def __init__(self, document: str, version: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Re-issue"))
        self.heading = QLabel(_("Re-issue {document}").format(document=document), self)
        self.heading.setWordWrap(True)
        set_role(self.heading, "title")
        self.explanation = QLabel(
            _(
                "Version {new} will be sealed and will replace version {old}. Version {old} is kept, marked as "
                "superseded; the reason is recorded with the new version."
            ).format(new=version + 1, old=version),
            self,
        )
        self.explanation.setWordWrap(True)
        self.reason = FormField(
            _("Reason for re-issuing"),
            hint=_("For example: a wrong date in the performance terms was corrected."),
            parent=self,
        )
        self.reason.edit.setMaxLength(MAX_REASON)
        self.error = ErrorLine(self)
        self.issue_button = QPushButton(_("Re-issue"), self)
        self.issue_button.setDefault(True)
        self.issue_button.setAccessibleName(_("Re-issue"))
        self.cancel_button = QPushButton(_("Cancel"), self)
        self.cancel_button.setAccessibleName(_("Cancel"))
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.issue_button)
        buttons.addWidget(self.cancel_button)

        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.explanation)
        layout.addWidget(self.reason)
        layout.addWidget(self.error)
        layout.addLayout(buttons)
        self.setMinimumWidth(self.explanation.fontMetrics().horizontalAdvance("0") * 56)

        self.issue_button.clicked.connect(self.submit)
        self.cancel_button.clicked.connect(self.reject)
        self.reason.edit.returnPressed.connect(self.submit)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        fit_height(self)

    def submit(self) -> None:
        """Check the reason here (not empty), then hand it to the panel; the dialog waits for the result."""
        text = " ".join(self.reason.text().split())
        self.error.set_text("")
        if not text:
            self.reason.set_error(_("Enter the reason: it is recorded with the new version."))
            self.reason.edit.setFocus()
            fit_height(self)
            return
        self.reason.clear_error()
        self.busy(True)
        self.reason_given.emit(text)

    def busy(self, on: bool) -> None:
        """While the new version is being sealed: no second click, no edits."""
        self.issue_button.setEnabled(not on)
        self.reason.edit.setReadOnly(on)

    def refused(self, message: str, field: str | None) -> None:
        """The service refused: beside the field when it is about the reason, else under the form."""
        self.busy(False)
        if field == "reason":
            self.reason.set_error(message)
            self.reason.edit.setFocus()
        else:
            self.error.set_text(message)
        fit_height(self)
