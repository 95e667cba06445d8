"""Add a user (administrators): user name, real name, role, the legal qualification of a supervisor, and a
first password the new user changes after signing in. Refusals are shown beside the field they name."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from fzmediate.desk import admin
from fzmediate.errors import ValidationError
from fzmediate.i18n import _
from fzmediate.security.permissions import Role, role_label
from ui.desk.form_field import ErrorLine, FormField, repeat_differs
from ui.desk.page import DeskEnv
from ui.desk.password_fields import accept_buttons, busy_bar, login_field, password_advice
from ui.desk.settings.common import FittingDialog, allow, wrapped
from ui.desk.strength_hint import LiveHint
from ui.ops import error_message, log_failure
from ui.style import set_role

ROLES: tuple[Role, ...] = (Role.MEDIATOR, Role.SUPERVISOR, Role.ADMIN)


class UserDialog(FittingDialog):
    """Accepted once the user exists; ``added`` holds the new row."""

    def __init__(self, env: DeskEnv, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.env = env
        self.added: admin.UserRow | None = None
        self._busy = False
        self.setWindowTitle(_("Add a user"))
        layout = QVBoxLayout(self)
        title = QLabel(_("Add a user"), self)
        title.setWordWrap(True)
        set_role(title, "title")
        self.login = login_field(self)
        self.full_name = FormField(_("Real name"), parent=self)
        self.role_label = QLabel(_("Role"), self)
        self.role = QComboBox(self)
        self.role.setAccessibleName(_("Role"))
        for role in ROLES:
            self.role.addItem(role_label(role), role.value)
        self.role_label.setBuddy(self.role)
        self.qualified = QCheckBox(_("Legally qualified (may do the legality review)"), self)
        self.qualified.setAccessibleName(_("Legally qualified"))
        self.role.currentIndexChanged.connect(self._role_changed)
        self.password = FormField(
            _("First password"),
            password=True,
            hint=_("Give it to the user in person; they change it after signing in (Settings)."),
            parent=self,
        )
        self.password2 = FormField(_("Repeat the first password"), password=True, parent=self)
        self.message = ErrorLine(self)
        self.busy = busy_bar(self)
        self.buttons, self.ok_button = accept_buttons(self, _("Add user"), self.submit)
        note = wrapped(_("The role is signed with your key; the user name cannot be changed later."), self, "hint")
        for w in (
            title,
            self.login,
            self.full_name,
            self.role_label,
            self.role,
            self.qualified,
            self.password,
            self.password2,
            note,
            self.message,
            self.busy,
            self.buttons,
        ):
            layout.addWidget(w)
        self._fields = {"login": self.login, "full_name": self.full_name, "password": self.password}
        self.strength = LiveHint(
            self.password, self._advice, also_watch=(self.login.edit, self.full_name.edit), parent=self
        )
        self._role_changed()
        self.setFocusProxy(self.login.edit)

    def chosen_role(self) -> Role:
        return Role(str(self.role.currentData()))

    def _role_changed(self, _index: int = 0) -> None:
        supervisor = self.chosen_role() is Role.SUPERVISOR
        if not supervisor:
            self.qualified.setChecked(False)
        allow(self.qualified, supervisor, _("Only a supervisor can carry the legal-qualification flag."))
        if self.password.text():
            self.strength.refresh()  # an administrator's password must be harder to guess

    def _advice(self, password: str) -> str:
        return password_advice(
            password, role=self.chosen_role(), user_inputs=(self.login.text().strip(), self.full_name.text().strip())
        )

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.busy.setVisible(busy)
        for w in (self.login.edit, self.full_name.edit, self.password.edit, self.password2.edit, self.ok_button):
            w.setEnabled(not busy)
        self.role.setEnabled(not busy)

    def submit(self) -> None:
        if self._busy:
            return
        for field in (*self._fields.values(), self.password2):
            field.clear_error()
        self.message.set_text("")
        if repeat_differs(self.password, self.password2):
            return
        new = admin.NewUser(
            login=self.login.text().strip(),
            full_name=self.full_name.text().strip(),
            role=self.chosen_role().value,
            legally_qualified=self.qualified.isChecked(),
            password=self.password.text(),
        )
        self._set_busy(True)
        self.env.context.call(admin.add_user, new, on_success=self._done, on_failure=self._failed, parent=self)

    def _done(self, row: admin.UserRow) -> None:
        self._set_busy(False)
        self.added = row
        self.password.clear()
        self.password2.clear()
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        log_failure(exc)
        field = self._fields.get(exc.field or "") if isinstance(exc, ValidationError) else None
        if field is not None:
            if field is self.password:
                self.password.edit.clear()
                self.password2.edit.clear()
            field.set_error(error_message(exc))
            field.edit.setFocus()
        else:
            self.message.set_text(error_message(exc))
