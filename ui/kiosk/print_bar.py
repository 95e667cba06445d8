"""The print control of a kiosk screen: one big button, then a large message (printing, done, or why not).

The PDF is made and handed to the print system on the DB worker (``KioskEnv.call``): the catalogue comes from
the kiosk's store, and ``lp`` may take a moment. What is printed names nobody (``fzmediate.kiosk.printouts``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QVBoxLayout, QWidget

from fzmediate.i18n import _
from fzmediate.kiosk.printouts import KioskPrinter
from ui.kiosk.env import KioskEnv
from ui.kiosk.widgets import TouchButton, label
from ui.ops import error_message, log_failure

if TYPE_CHECKING:
    from fzmediate.services.kiosk import KioskService
    from fzmediate.services.print_dto import PrintJob

#: What to print: (service) → (pdf bytes, job title), run on the DB worker.
MakePdf = Callable[["KioskService"], tuple[bytes, str]]


class PrintBar(QWidget):
    #: A job reached the print queue (its CUPS job id).
    printed = Signal(str)

    def __init__(self, env: KioskEnv, printer: KioskPrinter, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._env = env
        self._printer = printer
        self._make: MakePdf | None = None
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        self.button = TouchButton(parent=self, primary=True)
        self.button.clicked.connect(self.print_now)
        #: The screen places the message where it has room (a row of its own, above its actions).
        self.message = label("", parent, "message")
        self.message.hide()
        box.addWidget(self.button)
        self._state = ""
        self._error = ""
        self.retranslate()

    def set_document(self, make: MakePdf | None) -> None:
        self._make = make
        self._set_state("")

    def print_now(self) -> None:
        make, printer = self._make, self._printer
        if make is None or self._state == "busy":
            return

        def run(service: KioskService) -> PrintJob:
            pdf, title = make(service)
            return printer.send(pdf, title)

        self._set_state("busy")
        self._env.call(run, on_success=self._done, on_failure=self._failed, parent=self)

    def _done(self, job: PrintJob) -> None:
        self._set_state("done")
        self.printed.emit(job.job_id)

    def _failed(self, exc: BaseException) -> None:
        log_failure(exc)
        self._error = error_message(exc)
        self._set_state("failed")

    def _set_state(self, state: str) -> None:
        self._state = state
        self.button.setEnabled(state != "busy")
        text = {
            "busy": _("Printing… please wait."),
            "done": _("Printed. Please take your paper from the printer."),
            "failed": _("Nothing was printed: {reason}").format(reason=self._error),
        }.get(state, "")
        self.message.setText(text)
        self.message.setAccessibleName(text)
        self.message.setVisible(bool(text))

    def reset_visit(self) -> None:
        self._make = None
        self._error = ""
        self._set_state("")

    def retranslate(self) -> None:
        self.button.set_texts(_("Print this page"))
        self.button.setAccessibleDescription(_("Free of charge; your name is not printed"))
        self._set_state(self._state)
