"""Change your own password: the current one again (the desk may have been left unlocked), the new one twice,
with live advice on how hard it is to guess (the same rule as set-up: stricter for administrators)."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from fzmediate.desk import admin
from fzmediate.errors import BackoffError, FzError, ValidationError
from fzmediate.i18n import _
from ui.desk.form_field import ErrorLine, FormField, repeat_differs
from ui.desk.page import DeskEnv
from ui.desk.password_fields import accept_buttons, busy_bar, password_advice
from ui.desk.settings.common import FittingDialog
from ui.desk.strength_hint import LiveHint
from ui.ops import error_message, log_failure
from ui.style import set_role


class PasswordDialog(FittingDialog):
    """Accepted once the new password is stored; a refusal is shown beside the field it concerns."""

    def __init__(self, env: DeskEnv, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.env = env
        self._busy = False
        self.setWindowTitle(_("Change your password"))
        layout = QVBoxLayout(self)
        title = QLabel(_("Change your password"), self)
        set_role(title, "title")
        title.setWordWrap(True)
        self.old = FormField(_("Current password"), password=True, parent=self)
        self.new = FormField(
            _("New password"),
            password=True,
            hint=_("At least 8 characters and hard to guess: three or four unrelated words work well."),
            parent=self,
        )
        self.new2 = FormField(_("Repeat the new password"), password=True, parent=self)
        self.message = ErrorLine(self)
        self.busy = busy_bar(self)
        self.buttons, self.ok_button = accept_buttons(self, _("Change password"), self.submit)
        for w in (title, self.old, self.new, self.new2, self.message, self.busy, self.buttons):
            layout.addWidget(w)
        for field in (self.old, self.new, self.new2):
            field.edit.returnPressed.connect(self.submit)
        self.strength = LiveHint(self.new, self._advice, parent=self)
        self.setFocusProxy(self.old.edit)

    def _advice(self, password: str) -> str:
        actor = self.env.actor
        return password_advice(password, role=actor.role, user_inputs=(actor.login, actor.full_name))

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.busy.setVisible(busy)
        for w in (self.old.edit, self.new.edit, self.new2.edit, self.ok_button):
            w.setEnabled(not busy)

    def submit(self) -> None:
        if self._busy:
            return
        for field in (self.old, self.new, self.new2):
            field.clear_error()
        self.message.set_text("")
        if not self.old.text():
            self.old.set_error(_("Current password: type the password you signed in with."))
            self.old.edit.setFocus()
            return
        if repeat_differs(self.new, self.new2):
            return
        self._set_busy(True)
        self.env.context.call(
            admin.change_password,
            self.old.text(),
            self.new.text(),
            on_success=self._done,
            on_failure=self._failed,
            parent=self,
        )

    def _done(self, _result: None) -> None:
        self._set_busy(False)
        for field in (self.old, self.new, self.new2):
            field.clear()
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        log_failure(exc)
        field = {"old": self.old, "new": self.new}.get(exc.field or "") if isinstance(exc, ValidationError) else None
        if isinstance(exc, BackoffError):
            field = self.old
        if field is not None:
            field.edit.clear()
            if field is self.new:
                self.new2.edit.clear()
            field.set_error(error_message(exc))
            field.edit.setFocus()
        else:
            self.message.set_text(error_message(exc))
            if not isinstance(exc, FzError):
                self.old.edit.clear()
