"""Staff only: the password that opens the kiosk at start, and the one that leaves kiosk mode.

Both screens only collect the password; the shell checks it (``KioskDevice.open`` at start,
``fzmediate.kiosk.staff.check_staff_password`` to leave) on the operation helper. The field is cleared after
every attempt and with every visit reset.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLineEdit, QVBoxLayout, QWidget

from fzmediate.i18n import _
from ui.kiosk.look import touch_px
from ui.kiosk.widgets import PageBody, TouchButton, label


class _PasswordScreen(QWidget):
    submitted = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        self.body = PageBody(self)
        box.addWidget(self.body, 1)
        column = self.body.column
        self.title = label("", self, "title")
        self.intro = label("", self)
        self.field_label = label("", self, "heading")
        self.password = QLineEdit(self)
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setMaximumWidth(700)
        self.password.setMinimumHeight(touch_px(self.screen()))
        self.field_label.setBuddy(self.password)
        self.password.returnPressed.connect(self.submit)
        self.message = label("", self, "message")
        self.message.hide()
        self.buttons = QHBoxLayout()
        self.ok_button = TouchButton(parent=self, primary=True)
        self.ok_button.clicked.connect(self.submit)
        self.buttons.addWidget(self.ok_button, 1)
        for w in (self.title, self.intro, self.field_label, self.password, self.message):
            column.addWidget(w)
        column.addLayout(self.buttons)
        column.addStretch(1)

    def submit(self) -> None:
        secret = self.password.text()
        self.password.clear()
        if secret:
            self.set_busy(True)
            self.submitted.emit(secret)

    def set_busy(self, busy: bool) -> None:
        self.ok_button.setEnabled(not busy)
        self.password.setEnabled(not busy)

    def show_error(self, text: str) -> None:
        self.set_busy(False)
        self.message.setText(text)
        self.message.setAccessibleName(text)
        self.message.setVisible(bool(text))
        self.password.setFocus()

    def reset_visit(self) -> None:
        self.password.clear()
        self.show_error("")


class StaffUnlockScreen(_PasswordScreen):
    """At start: staff open the kiosk's store."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.retranslate()

    def retranslate(self) -> None:
        self.title.setText(_("Start the kiosk (staff)"))
        self.intro.setText(_("Enter the kiosk staff password to open the kiosk for visitors."))
        self.field_label.setText(_("Kiosk staff password"))
        self.password.setAccessibleName(_("Kiosk staff password"))
        self.ok_button.set_texts(_("Open the kiosk"))


class StaffExitScreen(_PasswordScreen):
    """Leaving kiosk mode: staff only."""

    cancelled = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.cancel_button = TouchButton(parent=self)
        self.cancel_button.clicked.connect(self._cancel)
        self.buttons.insertWidget(0, self.cancel_button, 1)
        self.retranslate()

    def _cancel(self) -> None:
        self.reset_visit()
        self.cancelled.emit()

    def retranslate(self) -> None:
        self.title.setText(_("Staff only: leave kiosk mode"))
        self.intro.setText(_("Visitors: please touch Back. This is for the staff who look after the kiosk."))
        self.field_label.setText(_("Kiosk staff password"))
        self.password.setAccessibleName(_("Kiosk staff password"))
        self.ok_button.set_texts(_("Leave kiosk mode"))
        self.cancel_button.set_texts(_("Back"))
