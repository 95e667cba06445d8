"""Filing an application at the kiosk: one question a page, with the on-screen keyboard, then a review page,
then the application is sealed to the office, queued, and its receipt printed.

The guide page opens it with ``ApplicationFlow(env, matter_code, parent)``. It emits ``finished(number)`` when
the visitor taps "Finish" on the receipt page and ``cancelled()`` when they tap "Cancel"; either way it has
already forgotten the visit (``reset_visit``). Nothing is stored before "Send application": the answers live
in the widgets and one :class:`~fzmediate.kiosk.application.Answers` object until then, and the store is
reached only through ``env.call`` (the DB worker). The page order, the checks and the intake it builds are
the core's (``fzmediate.kiosk.application``); this module only shows them.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from fzmediate.documents.fonts import register_fonts
from fzmediate.domain.intake import IntakeError
from fzmediate.errors import FzError
from fzmediate.i18n import _
from fzmediate.kiosk.application import STEPS, Answers, Step, build_intake, check, message_for, step_of
from fzmediate.kiosk.pinyin import load_index
from fzmediate.kiosk.receipt import Submitted, print_receipt, submit_and_print
from fzmediate.kiosk.speech import ReadAloud
from ui.kiosk.application.choice_page import ChoicePage
from ui.kiosk.application.look import apply_look, set_kiosk_role, sized
from ui.kiosk.application.page import FormPage
from ui.kiosk.application.privacy_page import PrivacyPage
from ui.kiosk.application.receipt_page import ReceiptPage
from ui.kiosk.application.review_page import ReviewPage
from ui.kiosk.application.text_page import TextPage
from ui.kiosk.env import KioskEnv
from ui.kiosk.keyboard.keyboard import OnScreenKeyboard
from ui.kiosk.speech import ReadAloudBar


def _matter_info(service: Any, code: str) -> tuple[str, str, str]:
    """(name, office, consult phone) of the matter, from the kiosk's catalogue (on the DB worker). The office is
    the one whose key the kiosk seals to — it receives the application — not the matter's generic implementing
    body ("各街道办事处")."""
    office = service.office_name()
    matter = service.catalogue.active().matter(code)
    if matter is None:
        return code, office, ""
    return matter.name, office or matter.implementing_body, matter.consult_phone


class PageStack(QWidget):
    """One page shown at a time, the others hidden: unlike QStackedWidget, its height is the shown page's
    (a stacked layout takes the tallest page's height for wrapped text, so every short page would scroll)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._pages: list[QWidget] = []
        self._current: QWidget | None = None

    def addWidget(self, page: QWidget) -> None:
        self._layout.addWidget(page)
        self._pages.append(page)
        page.setVisible(self._current is None)
        if self._current is None:
            self._current = page

    def setCurrentWidget(self, page: QWidget) -> None:
        for other in self._pages:
            if other is not page:
                other.hide()
        page.show()
        self._current = page

    def currentWidget(self) -> QWidget | None:
        return self._current


class ApplicationFlow(QWidget):
    finished = Signal(str)
    cancelled = Signal()

    def __init__(
        self,
        env: KioskEnv,
        matter_code: str,
        parent: QWidget | None = None,
        *,
        printer: str | None = None,
        print_server: str | None = None,
        reader: ReadAloud | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("kioskApplication")
        self.env = env
        self.matter_code = matter_code
        self.matter_name = matter_code
        self.printer = printer
        self.print_server = print_server
        self.answers = Answers()
        self._visit = 0
        self._busy = False
        apply_look(self)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(24, 16, 24, 16)
        outer.setSpacing(10)
        header = QHBoxLayout()
        self.matter_label = QLabel(matter_code, self)
        self.matter_label.setWordWrap(True)
        set_kiosk_role(self.matter_label, "step")
        self.progress = QLabel(self)
        set_kiosk_role(self.progress, "step")
        self.progress.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        header.addWidget(self.matter_label, 1)
        header.addWidget(self.progress)
        outer.addLayout(header)

        self.pages: list[FormPage] = []
        self.stack = PageStack(self)
        for step in STEPS:
            page = self._make_page(step)
            page.changed.connect(lambda p=page: self._on_changed(p))
            self.pages.append(page)
            self.stack.addWidget(page)
        self.review = self.pages[STEPS.index(Step.REVIEW)]
        assert isinstance(self.review, ReviewPage)
        self.review.edit_requested.connect(lambda step: self.go(STEPS.index(step)))
        self.receipt = ReceiptPage(self)
        self.receipt.print_again.connect(self._print_again)
        self.receipt.done.connect(self._finish)
        self.stack.addWidget(self.receipt)
        self.scroll_area = QScrollArea(self)
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QScrollArea.Shape.NoFrame)
        self.scroll_area.setWidget(self.stack)
        outer.addWidget(self.scroll_area, 1)

        self.keyboard = OnScreenKeyboard(self)
        self.keyboard.typed.connect(self._on_typed)
        outer.addWidget(self.keyboard)

        # The privacy notice can be read aloud (the kiosk's voice; a message where there is none).
        self.read_bar: ReadAloudBar | None = None
        if reader is not None:
            self.read_bar = ReadAloudBar(env.ops, reader, self._notice_text, self)
            outer.addWidget(self.read_bar.message)

        nav = QHBoxLayout()
        self.back_button = QPushButton(self)
        self.back_button.clicked.connect(self.back)
        self.cancel_button = QPushButton(self)
        self.cancel_button.clicked.connect(self.cancel)
        self.next_button = QPushButton(self)
        set_kiosk_role(self.next_button, "primary")
        self.next_button.clicked.connect(self.next)
        nav.addWidget(sized(self.back_button, width=200))
        nav.addWidget(sized(self.cancel_button, width=200))
        if self.read_bar is not None:
            nav.addWidget(self.read_bar)
        nav.addStretch(1)
        nav.addWidget(sized(self.next_button, width=260))
        outer.addLayout(nav)

        self.current = 0
        self.retranslate()
        self.go(0)
        env.call(_matter_info, matter_code, on_success=self._matter_loaded, parent=self)
        env.call(lambda _service: load_index(), on_success=self.keyboard.set_index, parent=self)
        # The receipt's fonts take ~0.3 s to read once per process: read them now, not when the visitor sends.
        env.call(lambda _service: register_fonts(), parent=self)

    def _make_page(self, step: Step) -> FormPage:
        if step is Step.PRIVACY:
            return PrivacyPage(self)
        if step in (Step.ID_TYPE, Step.OTHER_KIND):
            return ChoicePage(step, self)
        if step is Step.REVIEW:
            return ReviewPage(self)
        return TextPage(step, self)

    def _matter_loaded(self, info: tuple[str, str, str]) -> None:
        self.matter_name, office, phone = info
        self.matter_label.setText(self.matter_name)
        page = self.pages[0]
        assert isinstance(page, PrivacyPage)
        page.set_office(office, phone)

    # --- the visit contract --------------------------------------------------------------------------
    def retranslate(self) -> None:
        apply_look(self)
        self.back_button.setText(_("Back"))
        self.back_button.setAccessibleName(_("Back to the previous question"))
        self.cancel_button.setText(_("Cancel"))
        self.cancel_button.setAccessibleName(_("Cancel the application and delete what you entered"))
        for page in self.pages:
            page.retranslate()
        self.receipt.retranslate()
        self.keyboard.retranslate()
        if self.read_bar is not None:
            self.read_bar.retranslate()
        self._update_chrome()
        current = self.stack.currentWidget()
        if isinstance(current, FormPage) and current.error.isVisible():
            self._recheck(current)

    def reset_visit(self) -> None:
        """Forget everything of this visit: answers, every field and message, the keyboard's memory, the
        receipt on screen; back to the privacy notice. A submission still under way is filed, but its result
        no longer reaches this screen."""
        self._visit += 1
        self._busy = False
        self.answers.clear()
        for page in self.pages:
            page.clear()
        self.receipt.clear()
        self.keyboard.reset_visit()
        if self.read_bar is not None:
            self.read_bar.reset_visit()
        self.go(0)

    def _notice_text(self) -> str:
        """The privacy notice as the screen shows it now, for reading aloud."""
        page = self.pages[0]
        assert isinstance(page, PrivacyPage)
        return page.spoken_text()

    # --- navigation ------------------------------------------------------------------------------------
    def page(self) -> FormPage:
        return self.pages[self.current]

    def go(self, index: int) -> None:
        self.current = max(0, min(index, len(self.pages) - 1))
        page = self.pages[self.current]
        page.load(self.answers)
        self._show(page)
        target, mode, modes = page.keyboard()
        self.keyboard.set_target(target, mode, modes=modes)
        self.keyboard.setVisible(target is not None)
        if self.read_bar is not None:
            self.read_bar.setVisible(isinstance(page, PrivacyPage))
        self._update_chrome()
        if target is not None:
            target.setFocus()
        self.scroll_area.verticalScrollBar().setValue(0)

    def _show(self, widget: QWidget) -> None:
        self.stack.setCurrentWidget(widget)

    def next(self) -> None:
        if self._busy or self.stack.currentWidget() is self.receipt:
            return
        page = self.page()
        page.store(self.answers)
        problem = check(page.step, self.answers, self._today())
        if problem:
            page.show_error(problem)
            return
        page.show_error("")
        if page.step is Step.REVIEW:
            self._submit()
        else:
            self.go(self.current + 1)

    def back(self) -> None:
        if self._busy:
            return
        self.page().store(self.answers)
        self.go(self.current - 1)

    def cancel(self) -> None:
        self.reset_visit()
        self.cancelled.emit()

    def _update_chrome(self) -> None:
        on_receipt = self.stack.currentWidget() is self.receipt
        step = self.pages[self.current].step
        if on_receipt:
            self.progress.setText(_("Application sent"))
        else:
            self.progress.setText(_("Step {number} of {total}").format(number=self.current + 1, total=len(STEPS)))
        self.progress.setAccessibleName(self.progress.text())
        self.back_button.setVisible(not on_receipt and self.current > 0)
        self.cancel_button.setVisible(not on_receipt)
        self.next_button.setVisible(not on_receipt)
        self.next_button.setEnabled(not self._busy)
        if self._busy:
            label = _("Sending …")
        elif step is Step.REVIEW:
            label = _("Send application")
        else:
            label = _("Next step")
        self.next_button.setText(label)
        self.next_button.setAccessibleName(label)

    # --- checking as the visitor types -------------------------------------------------------------------
    def _today(self) -> Any:
        return self.env.service.today()

    def _on_typed(self) -> None:
        self._on_changed(self.page())

    def _on_changed(self, page: FormPage) -> None:
        if page is not self.stack.currentWidget():
            return
        page.store(self.answers)
        if page.has_input() or page.error.isVisible():
            self._recheck(page)

    def _recheck(self, page: FormPage) -> None:
        page.show_error(check(page.step, self.answers, self._today()))

    # --- sending -----------------------------------------------------------------------------------------
    def _submit(self) -> None:
        intake = build_intake(self.matter_code, self.matter_name, self.answers)
        self._busy = True
        self._update_chrome()
        visit = self._visit
        self.env.call(
            lambda service, data: submit_and_print(service, data, printer=self.printer, server=self.print_server),
            intake,
            on_success=lambda done: self._submitted(visit, done),
            on_failure=lambda exc: self._refused(visit, exc),
            parent=self,
        )

    def _submitted(self, visit: int, done: Submitted) -> None:
        if visit != self._visit:
            return
        self._busy = False
        self.receipt.show_submitted(done)
        self._show(self.receipt)
        self.keyboard.set_target(None, self.keyboard.mode())
        self.keyboard.hide()
        self._update_chrome()
        self.receipt.finish.setFocus()

    def _refused(self, visit: int, exc: BaseException) -> None:
        if visit != self._visit:
            return
        self._busy = False
        if isinstance(exc, IntakeError) and exc.problems:
            problem = exc.problems[0]
            self.go(STEPS.index(step_of(problem)))
            self.page().show_error(message_for(problem))
            return
        self._update_chrome()
        if isinstance(exc, FzError):
            message = _("The application could not be sent: {reason}").format(reason=exc.message)
        else:
            message = _("The application could not be sent because of a fault in the kiosk. Please ask the staff.")
        self.review.show_error(message)

    def _print_again(self) -> None:
        done = self.receipt.submitted
        if done is None or not done.pdf:
            return
        self.receipt.set_print_state("printing")
        visit = self._visit
        self.env.call(
            lambda _service, pdf, title: print_receipt(
                pdf, title=title, printer=self.printer, server=self.print_server
            ),
            done.pdf,
            done.content.receipt.number,
            on_success=lambda result: self._reprinted(visit, result),
            parent=self,
        )

    def _reprinted(self, visit: int, result: tuple[Any, str]) -> None:
        if visit == self._visit:
            job, reason = result
            self.receipt.set_print_state("printed" if job is not None else "failed", reason)

    def _finish(self) -> None:
        done = self.receipt.submitted
        number = done.content.receipt.number if done is not None else ""
        self.reset_visit()
        self.finished.emit(number)
