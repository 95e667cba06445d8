"""First run: create the encrypted store and its first administrator."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QLabel, QPushButton, QWidget

from fzmediate.desk import gate
from fzmediate.errors import AlreadyInitializedError, FzError, ValidationError
from fzmediate.i18n import _
from fzmediate.security.roles import Role
from fzmediate.services.dto import SetupResult
from fzmediate.services.workspace import Workspace
from ui.desk.form_field import ErrorLine, FormField, centered_card, repeat_differs
from ui.desk.password_fields import busy_bar, login_field, password_advice
from ui.desk.strength_hint import LiveHint
from ui.ops import Ops, error_message, log_failure
from ui.store_process import run_gate
from ui.style import set_role

if TYPE_CHECKING:
    from ui.store_process import StoreLauncher


class SetupScreen(QWidget):
    """Emits ``completed(SetupResult)`` once the store exists; the result carries the recovery code.

    Emits ``store_exists(message)`` when the data directory turns out to be set up already (another
    window did it meanwhile): there is nothing to create, the user should unlock instead.
    """

    completed = Signal(object)
    store_exists = Signal(str)

    def __init__(
        self, workspace: Workspace, ops: Ops, parent: QWidget | None = None, *, launcher: StoreLauncher | None = None
    ) -> None:
        super().__init__(parent)
        self._ws = workspace
        self._ops = ops
        #: Set-up runs in the store process when there is one (its keys never exist in this process).
        self._launcher = launcher
        self._busy = False

        form = centered_card(self, width=480)
        title = QLabel(_("Set up this computer"), self)
        set_role(title, "title")
        intro = QLabel(
            _(
                "Create the first administrator. The administrator adds the other users later. "
                "All data on this computer is stored encrypted."
            ),
            self,
        )
        intro.setWordWrap(True)
        set_role(intro, "subtitle")

        self.login = login_field(self)
        self.full_name = FormField(_("Real name (optional)"), parent=self)
        self.password = FormField(
            _("Password"),
            password=True,
            hint=_("At least 8 characters and hard to guess: three or four unrelated words work well."),
            parent=self,
        )
        self.password2 = FormField(_("Repeat the password"), password=True, parent=self)
        # The desk's organisation unit decides which matters it may handle and in whose name it issues.
        self.unit_label = QLabel(_("Organisation unit of this desk"), self)
        self.unit = QComboBox(self)
        self.unit.setAccessibleName(_("Organisation unit of this desk"))
        self.unit.setAccessibleDescription(
            _("The matters this desk may handle and the body in whose name it issues documents follow from it.")
        )
        self.unit.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.unit.setMinimumContentsLength(12)
        self.unit_label.setBuddy(self.unit)
        self.unit_error = ErrorLine(self)
        self.message = ErrorLine(self)

        self.busy = busy_bar(self, thin=True)

        self.create_button = QPushButton(_("Create administrator"), self)
        self.create_button.setAccessibleName(_("Create administrator"))
        self.create_button.setDefault(True)
        self.create_button.setMinimumHeight(36)
        self.create_button.clicked.connect(self.submit)

        where = QLabel(_("Data folder: {path}").format(path=str(Path(workspace.paths.root))), self)
        where.setWordWrap(True)
        where.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        set_role(where, "hint")

        widgets: tuple[QWidget, ...] = (
            title,
            intro,
            self.login,
            self.full_name,
            self.password,
            self.password2,
            self.unit_label,
            self.unit,
            self.unit_error,
            self.message,
        )
        for w in widgets:
            form.addWidget(w)
        form.addSpacing(4)
        form.addWidget(self.create_button)
        form.addWidget(self.busy)
        form.addWidget(where)

        self._fields: dict[str, FormField] = {
            "login": self.login,
            "full_name": self.full_name,
            "password": self.password,
            "password2": self.password2,
        }
        for field in self._fields.values():
            field.edit.returnPressed.connect(self.submit)
        QWidget.setTabOrder(self.login.edit, self.full_name.edit)
        QWidget.setTabOrder(self.full_name.edit, self.password.edit)
        QWidget.setTabOrder(self.password.edit, self.password2.edit)
        QWidget.setTabOrder(self.password2.edit, self.unit)
        QWidget.setTabOrder(self.unit, self.create_button)
        self.setFocusProxy(self.login.edit)
        # Why the password is too weak, as the user types (the administrator's rule: zxcvbn score 4).
        self.strength = LiveHint(
            self.password, self._password_advice, also_watch=(self.login.edit, self.full_name.edit), parent=self
        )

        self._load_units()

    def _load_units(self) -> None:
        """The units come from the signed catalogue that ships with the app, read where the store lives."""
        run_gate(
            self._ops,
            self._launcher,
            self._ws,
            gate.units,
            on_success=self._fill_units,
            on_failure=self._units_failed,
            parent=self,
        )

    def _fill_units(self, units: tuple[tuple[str, str], ...]) -> None:
        self.unit.clear()
        self.unit.addItem(_("Choose the unit…"), "")
        for code, name in units:
            self.unit.addItem(name, code)

    def _units_failed(self, exc: BaseException) -> None:
        log_failure(exc)
        self.unit_error.set_text(error_message(exc))

    def _password_advice(self, password: str) -> str:
        return password_advice(
            password, role=Role.ADMIN, user_inputs=(self.login.text().strip(), self.full_name.text().strip())
        )

    # --- state -----------------------------------------------------------------------------------
    def reset(self) -> None:
        for field in self._fields.values():
            field.clear()
        self.strength.reset()
        self.message.set_text("")
        self._set_busy(False)

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.busy.setVisible(busy)
        for field in self._fields.values():
            field.edit.setEnabled(not busy)
        self.unit.setEnabled(not busy)
        self.create_button.setEnabled(not busy)

    def _clear_errors(self) -> None:
        for field in self._fields.values():
            field.clear_error()
        self.unit_error.set_text("")
        self.message.set_text("")

    def _clear_passwords(self) -> None:
        self.password.edit.clear()
        self.password2.edit.clear()
        self.strength.reset()

    # --- actions ---------------------------------------------------------------------------------
    def submit(self) -> None:
        if self._busy:
            return
        self._clear_errors()
        login = self.login.text()
        name = self.full_name.text()
        password = self.password.text()
        if repeat_differs(self.password, self.password2):
            return
        unit = str(self.unit.currentData() or "")
        if not unit:
            self.unit_error.set_text(_("Organisation unit: choose the unit this desk belongs to."))
            self.unit.setFocus()
            return
        self._set_busy(True)
        run_gate(
            self._ops,
            self._launcher,
            self._ws,
            gate.initialize,
            login,
            password,
            name,
            unit,
            on_success=self._succeeded,
            on_failure=self._failed,
            parent=self,
        )

    def _succeeded(self, result: SetupResult) -> None:
        self._set_busy(False)
        self._clear_passwords()
        self.completed.emit(result)

    def _failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        log_failure(exc)
        if isinstance(exc, AlreadyInitializedError):
            self._clear_passwords()
            self.store_exists.emit(error_message(exc))
            return
        field = self._fields.get(exc.field or "") if isinstance(exc, ValidationError) else None
        if isinstance(exc, ValidationError) and exc.field == "unit":
            self.unit_error.set_text(error_message(exc))
            self.unit.setFocus()
        elif field is not None:
            if field in (self.password, self.password2):
                self._clear_passwords()
            field.set_error(error_message(exc))
            field.edit.setFocus()
        else:
            self.message.set_text(error_message(exc))
            if not isinstance(exc, FzError):
                self._clear_passwords()
