"""Enroll this desk with the district server (administrators, once): the server's address, the one-time code
district IT gave and, for an https address, the district CA certificate that the server's certificate must chain
to. The store makes the device key and keeps what the server assigned (unit, device code) and the CA."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from fzmediate.desk import sync as desk_sync
from fzmediate.errors import ValidationError
from fzmediate.i18n import _
from ui.desk.form_field import ErrorLine, FormField
from ui.desk.page import DeskEnv
from ui.desk.password_fields import accept_buttons, busy_bar
from ui.desk.settings.common import FittingDialog, ask_open_file, wrapped
from ui.ops import error_message, log_failure
from ui.style import set_role


class EnrollDialog(FittingDialog):
    """Accepted once the desk is enrolled (``result`` holds what the server assigned)."""

    def __init__(self, env: DeskEnv, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.env = env
        self._busy = False
        self.result_view: desk_sync.EnrollView | None = None
        self.setWindowTitle(_("Enroll this desk"))
        layout = QVBoxLayout(self)
        title = QLabel(_("Enroll this desk"), self)
        set_role(title, "title")
        title.setWordWrap(True)
        intro = wrapped(
            _(
                "District IT gives the server's address and a one-time code (valid for ten minutes). Enrollment "
                "is done once; this desk's recorded changes are sent at the first sync."
            ),
            self,
            "hint",
        )
        self.server = FormField(_("Server address"), hint=_("For example https://sync.example.org"), parent=self)
        self.code = FormField(_("Enrollment code"), hint=_("For example K7QM-2XWD-9RTA"), parent=self)
        self.ca = FormField(
            _("District CA certificate"),
            hint=_("The certificate file (.pem) district IT gave with the code; needed for an https address."),
            parent=self,
        )
        self.choose_ca = QPushButton(_("Choose file…"), self)
        self.choose_ca.clicked.connect(self._choose_ca)
        ca_row = QHBoxLayout()
        ca_row.addWidget(self.ca, 1)
        ca_row.addWidget(self.choose_ca, 0)
        self.message = ErrorLine(self)
        self.busy = busy_bar(self)
        self.buttons, self.ok_button = accept_buttons(self, _("Enroll"), self.submit)
        for top in (title, intro, self.server, self.code):
            layout.addWidget(top)
        layout.addLayout(ca_row)
        for bottom in (self.message, self.busy, self.buttons):
            layout.addWidget(bottom)
        for field in (self.server, self.code, self.ca):
            field.edit.returnPressed.connect(self.submit)
        self.setFocusProxy(self.server.edit)

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.busy.setVisible(busy)
        for w in (self.server.edit, self.code.edit, self.ca.edit, self.choose_ca, self.ok_button):
            w.setEnabled(not busy)

    def _choose_ca(self) -> None:
        path = ask_open_file(self, _("District CA certificate"), _("Certificates (*.pem *.crt *.cer)"))
        if path:
            self.ca.edit.setText(path)

    def submit(self) -> None:
        if self._busy:
            return
        for field in (self.server, self.code, self.ca):
            field.clear_error()
        self.message.set_text("")
        self._set_busy(True)
        self.env.context.call(
            desk_sync.enroll,
            self.server.text(),
            self.code.text(),
            self.ca.text(),
            on_success=self._done,
            on_failure=self._failed,
            parent=self,
        )

    def _done(self, view: desk_sync.EnrollView) -> None:
        self._set_busy(False)
        self.result_view = view
        self.code.clear()  # a used code is worth nothing, but it need not stay on screen either
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        log_failure(exc)
        field = (
            {"server": self.server, "code": self.code, "ca": self.ca}.get(exc.field or "")
            if isinstance(exc, ValidationError)
            else None
        )
        if field is not None:
            field.set_error(error_message(exc))
            field.edit.setFocus()
        else:
            self.message.set_text(error_message(exc))
