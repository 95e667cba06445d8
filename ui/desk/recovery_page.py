"""The recovery code, shown once after set-up: print or write it down, then hand it to the supervisor."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QTextDocument
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QPushButton, QWidget

from fzmediate.i18n import _, current_locale
from ui.desk.form_field import centered_card
from ui.fonts import monospace_font
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
