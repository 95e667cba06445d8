"""After sending: the application number in large type, what happens next, the acceptance deadline, whether
the receipt printed (and "Print again"), and "Finish". Shows the receipt's content only: masked name, no
numbers."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from fzmediate.i18n import _
from fzmediate.kiosk.receipt import Submitted
from fzmediate.kiosk.receipt_pdf import receipt_lines
from ui.kiosk.application.look import set_kiosk_role, sized


class ReceiptPage(QWidget):
    print_again = Signal()
    done = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("page_receipt")
        self.submitted: Submitted | None = None
        self._print_state = ""
        self._print_error = ""
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(10)
        self.title = QLabel(self)
        self.title.setWordWrap(True)
        set_kiosk_role(self.title, "question")
        layout.addWidget(self.title)
        self.number = QLabel(self)
        self.number.setWordWrap(True)
        set_kiosk_role(self.number, "question")
        layout.addWidget(self.number)
        self.details = QLabel(self)
        self.details.setWordWrap(True)
        self.details.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(self.details)
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        set_kiosk_role(self.status, "number")
        layout.addWidget(self.status)
        row = QHBoxLayout()
        self.again = QPushButton(self)
        self.again.clicked.connect(self.print_again.emit)
        self.finish = QPushButton(self)
        set_kiosk_role(self.finish, "primary")
        self.finish.clicked.connect(self.done.emit)
        row.addWidget(sized(self.again, width=220))
        row.addStretch(1)
        row.addWidget(sized(self.finish, width=220))
        layout.addLayout(row)
        layout.addStretch(1)
        self.retranslate()

    def retranslate(self) -> None:
        self.title.setText(_("Your application has been sent"))
        self.again.setText(_("Print the receipt again"))
        self.again.setAccessibleName(_("Print the receipt again"))
        self.finish.setText(_("Finish"))
        self.finish.setAccessibleName(_("Finish and return to the start"))
        self._fill()

    def show_submitted(self, submitted: Submitted) -> None:
        self.submitted = submitted
        self._print_state = "printed" if submitted.job is not None else "failed"
        self._print_error = submitted.print_error
        self._fill()

    def set_print_state(self, state: str, reason: str = "") -> None:
        """``printing``, ``printed`` or ``failed`` (with the print system's reason)."""
        self._print_state = state
        self._print_error = reason
        self._fill()

    def _fill(self) -> None:
        submitted = self.submitted
        if submitted is None:
            self.number.setText("")
            self.number.setAccessibleName("")
            self.details.setText("")
            self.status.setText("")
            self.details.setAccessibleName("")
            return
        lines = receipt_lines(submitted.content)
        number = "{0}: {1}".format(*lines[0])
        self.number.setText(number)
        self.number.setAccessibleName(number)
        text = "\n".join("{0}: {1}".format(label, value) for label, value in lines[1:])
        self.details.setText(text)
        self.details.setAccessibleName(text)
        if self._print_state == "printing":
            status = _("Printing your receipt …")
        elif self._print_state == "printed":
            status = _("Your receipt is printing. Please take it from the printer.")
        else:
            status = _(
                "The receipt could not be printed ({reason}). Please write down the application number above, "
                "or ask the staff."
            ).format(reason=self._print_error or _("printer problem"))
        self.status.setText(status)
        self.status.setAccessibleName(status)

    def clear(self) -> None:
        self.submitted = None
        self._print_state = ""
        self._print_error = ""
        self._fill()
