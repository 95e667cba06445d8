"""The recovery code: shown once (after set-up or a reset) to print or write down for the supervisor, and
typed back in to set a new password when every password is forgotten."""

from __future__ import annotations

import html
import itertools
import re

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QTextDocument
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QPushButton, QWidget

from fzmediate.desk import gate
from fzmediate.errors import AuthenticationError, ValidationError
from fzmediate.i18n import _, current_locale
from fzmediate.security import recovery_code
from fzmediate.services.validation import validate_recovery_code
from fzmediate.services.workspace import Workspace
from ui.desk.form_field import ErrorLine, FormField, centered_card, repeat_differs
from ui.desk.password_fields import busy_bar, password_advice
from ui.desk.strength_hint import LiveHint
from ui.fonts import monospace_font
from ui.ops import Ops, error_message, log_failure
from ui.store_process import StoreLauncher, run_gate
from ui.style import set_role


def ask_printer(parent: QWidget) -> QPrinter | None:
    """Ask where to print (a separate function so that tests can replace the dialog)."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    dialog = QPrintDialog(printer, parent)
    dialog.setWindowTitle(_("Print the recovery code"))
    if dialog.exec() != QPrintDialog.DialogCode.Accepted:
        return None
    return printer


class RecoveryPage(QWidget):
    """Emits ``finished`` when the user confirms having the code; the code is then wiped from the page."""

    finished = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._code = ""
        form = centered_card(self, width=560)
        title = QLabel(_("Recovery code"), self)
        set_role(title, "title")
        lead = QLabel(
            _("This code is shown only this once. It is the only way back in if every password is forgotten."),
            self,
        )
        lead.setWordWrap(True)

        self.code_label = QLabel(self)
        self.code_label.setFont(monospace_font(current_locale(), 24))
        self.code_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.code_label.setTextFormat(Qt.TextFormat.PlainText)
        self.code_label.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        set_role(self.code_label, "code")

        steps = QLabel(
            _(
                "1. Print this code, or write it down exactly.\n"
                "2. Give it to your supervisor, who keeps it locked away, not beside this computer.\n"
                "3. With the code a new administrator password can be set; without it and without any "
                "password, the data on this computer cannot be recovered by anyone."
            ),
            self,
        )
        steps.setWordWrap(True)

        self.print_button = QPushButton(_("Print…"), self)
        self.print_button.setAccessibleName(_("Print the recovery code"))
        self.print_button.clicked.connect(self.print_code)

        self.confirm = QCheckBox(_("I have written down or printed the recovery code."), self)
        self.confirm.setAccessibleName(_("I have written down or printed the recovery code."))
        self.continue_button = QPushButton(_("Continue"), self)
        self.continue_button.setAccessibleName(_("Continue"))
        self.continue_button.setDefault(True)
        self.continue_button.setEnabled(False)
        self.continue_button.setMinimumHeight(36)
        self.confirm.toggled.connect(self.continue_button.setEnabled)
        self.continue_button.clicked.connect(self._continue)

        buttons = QHBoxLayout()
        buttons.addWidget(self.print_button)
        buttons.addStretch(1)
        buttons.addWidget(self.continue_button)

        for w in (title, lead, self.code_label, steps, self.confirm):
            form.addWidget(w)
        form.addLayout(buttons)
        QWidget.setTabOrder(self.print_button, self.confirm)
        QWidget.setTabOrder(self.confirm, self.continue_button)
        self.setFocusProxy(self.confirm)

    def show_code(self, code: str) -> None:
        self._code = code
        self.code_label.setText(code)
        self.code_label.setAccessibleName(_("Recovery code"))
        self.confirm.setChecked(False)

    def code(self) -> str:
        return self._code

    def print_code(self) -> None:
        printer = ask_printer(self)
        if printer is None:
            return
        doc = QTextDocument(self)
        doc.setDefaultFont(self.font())
        doc.setHtml(
            "<h2>{title}</h2><p style='font-size:22pt; font-family:monospace'>{code}</p><p>{text}</p>".format(
                title=html.escape(_("fzmediate recovery code")),
                code=html.escape(self._code),
                text=html.escape(_("Keep this sheet locked away. Do not store it beside the computer.")),
            )
        )
        doc.print_(printer)

    def _continue(self) -> None:
        if not self.confirm.isChecked():
            return
        self.clear()
        self.finished.emit()

    def clear(self) -> None:
        """Wipe the code from the page (it is never shown again)."""
        self._code = ""
        self.code_label.clear()
        self.confirm.setChecked(False)


def code_advice(text: str) -> str:
    """What to fix in a typed recovery code, once it looks complete ("" while typing or when it is fine)."""
    significant = [ch for ch in text if ch.isalnum()]
    groups = [g for g in re.split(r"[\s\-]+", text.strip()) if g]
    if len(significant) < recovery_code.CODE_LENGTH and len(groups) < recovery_code.GROUPS:
        return ""  # still typing (a code in the old format is shorter, and is checked when submitted)
    try:
        validate_recovery_code(text)
    except ValidationError as exc:
        return exc.message
    return ""


class RecoveryResetPage(QWidget):
    """A forgotten password: the recovery code sets a new one.

    Emits ``recovered(new_code)`` (the used code is replaced; show the new one once) or ``cancelled``.
    """

    recovered = Signal(str)
    cancelled = Signal()

    def __init__(
        self, workspace: Workspace, ops: Ops, parent: QWidget | None = None, *, launcher: StoreLauncher | None = None
    ) -> None:
        super().__init__(parent)
        self._ws = workspace
        self._ops = ops
        #: The reset runs in the store process when there is one (the key it opens never exists here).
        self._launcher = launcher
        self._busy = False
        form = centered_card(self, width=480)
        title = QLabel(_("Reset a password with the recovery code"), self)
        set_role(title, "title")
        title.setWordWrap(True)
        lead = QLabel(
            _("The supervisor keeps the recovery code sealed. After the reset it no longer works; a new one is shown."),
            self,
        )
        lead.setWordWrap(True)
        set_role(lead, "subtitle")

        self.code = FormField(
            _("Recovery code"),
            hint=_("7 groups of 4 characters. Upper or lower case, spaces and hyphens do not matter."),
            parent=self,
        )
        self.code.edit.setFont(monospace_font(current_locale(), 13))
        self.login = FormField(_("User name"), parent=self)
        self.password = FormField(_("New password"), password=True, parent=self)
        self.password2 = FormField(_("Repeat the new password"), password=True, parent=self)
        self.message = ErrorLine(self)
        self.code_hint = LiveHint(self.code, code_advice, parent=self)
        self.strength = LiveHint(self.password, self._password_advice, also_watch=(self.login.edit,), parent=self)

        self.reset_button = QPushButton(_("Set the new password"), self)
        self.reset_button.setAccessibleName(_("Set the new password"))
        self.reset_button.setDefault(True)
        self.reset_button.setMinimumHeight(36)
        self.reset_button.clicked.connect(self.submit)
        self.back_button = QPushButton(_("Back"), self)
        self.back_button.setAccessibleName(_("Back to unlock"))
        self.back_button.clicked.connect(self._back)

        self.busy = busy_bar(self, thin=True)

        buttons = QHBoxLayout()
        buttons.addWidget(self.back_button)
        buttons.addStretch(1)
        buttons.addWidget(self.reset_button)
        for w in (title, lead, self.code, self.login, self.password, self.password2, self.message):
            form.addWidget(w)
        form.addLayout(buttons)
        form.addWidget(self.busy)

        self._fields: dict[str, FormField] = {
            "recovery_code": self.code,
            "login": self.login,
            "password": self.password,
            "password2": self.password2,
        }
        for field in self._fields.values():
            field.edit.returnPressed.connect(self.submit)
        chain = [self.code.edit, self.login.edit, self.password.edit, self.password2.edit, self.reset_button]
        for a, b in itertools.pairwise(chain):
            QWidget.setTabOrder(a, b)
        QWidget.setTabOrder(self.reset_button, self.back_button)
        self.setFocusProxy(self.code.edit)

    def _password_advice(self, password: str) -> str:
        # The role is known only once the code has opened the store; an administrator then needs more.
        return password_advice(password, user_inputs=(self.login.text().strip(),))

    def prepare(self, login: str = "") -> None:
        """Show the page fresh (nothing typed kept from an earlier visit)."""
        for field in self._fields.values():
            field.clear()
        self.code_hint.reset()
        self.strength.reset()
        self.message.set_text("")
        if login:
            self.login.edit.setText(login)
        self._set_busy(False)

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.busy.setVisible(busy)
        for field in self._fields.values():
            field.edit.setEnabled(not busy)
        self.reset_button.setEnabled(not busy)
        self.back_button.setEnabled(not busy)

    def _back(self) -> None:
        self.prepare()
        self.cancelled.emit()

    def submit(self) -> None:
        if self._busy:
            return
        for field in self._fields.values():
            field.clear_error()
        self.message.set_text("")
        code, login, password = self.code.text(), self.login.text().strip(), self.password.text()
        if not code.strip():
            self.code.set_error(_("Enter the recovery code."))
            self.code.edit.setFocus()
            return
        if not login:
            self.login.set_error(_("Enter your user name."))
            self.login.edit.setFocus()
            return
        if repeat_differs(self.password, self.password2):
            return
        self._set_busy(True)
        run_gate(
            self._ops,
            self._launcher,
            self._ws,
            gate.recover,
            code,
            login,
            password,
            on_success=self._succeeded,
            on_failure=self._failed,
            parent=self,
        )

    def _succeeded(self, new_code: str) -> None:
        self.prepare()
        self.recovered.emit(new_code)

    def _failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        log_failure(exc)
        field: FormField | None = None
        if isinstance(exc, ValidationError):
            field = self._fields.get(exc.field or "")
        elif isinstance(exc, AuthenticationError):
            field = self.code  # a wrong code, or a wait after too many
        if field is None:
            self.message.set_text(error_message(exc))
            return
        if field in (self.password, self.password2):
            self.password.edit.clear()
            self.password2.edit.clear()
            self.strength.reset()
        field.set_error(error_message(exc))
        field.edit.setFocus()
