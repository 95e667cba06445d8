"""The kiosk window: staff open it, visitors use it, the idle timer ends every visit, staff close it.

One frameless full-screen window (``ui.kiosk.app`` shows it so), holding the top bar (languages, larger text,
high contrast, home, staff) and one screen at a time:

    staff unlock → home ("what happened to you?") → an area's questions → the matter's guide → (apply here)
                                     ↘ "not sure" → who to ask (escape valve) ↙

The store is opened by staff at start (``KioskDevice.open`` on the operation helper's DB worker) and never by
anything else; the window refuses to close until the staff password is given again (``StaffExitScreen``).
When a visit ends (idle countdown, or "Home" after an application) every screen's ``reset_visit`` runs, the
clipboard is cleared and the look returns to the kiosk's defaults (language, text size, contrast).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QGuiApplication, QKeyEvent, QResizeEvent
from PySide6.QtWidgets import QApplication, QStackedWidget, QVBoxLayout, QWidget

from fzmediate.catalogue.localize import localized
from fzmediate.i18n import _, current_locale, set_locale
from fzmediate.kiosk.printouts import KioskPrinter
from fzmediate.kiosk.self_help import SelfHelpTree, build_tree
from fzmediate.kiosk.speech import ReadAloud, Voice, platform_voice
from ui.kiosk.ask import AskScreen
from ui.kiosk.env import KioskEnv, VisitScreen
from ui.kiosk.guide import GuideScreen
from ui.kiosk.home import HomeScreen
from ui.kiosk.idle import IdleWarning, VisitTimer
from ui.kiosk.look import TEXT_STEPS, apply_kiosk_look
from ui.kiosk.question import QuestionScreen
from ui.kiosk.staff import StaffExitScreen, StaffUnlockScreen
from ui.kiosk.top_bar import TopBar
from ui.ops import Ops, error_message

if TYPE_CHECKING:
    from fzmediate.catalogue.model import Bundle
    from fzmediate.services.kiosk import KioskDevice, KioskService
    from ui.kiosk.application.flow import ApplicationFlow

log = logging.getLogger(__name__)

#: How long after a matter's check is shown its guide is prepared (the check has been painted by then).
PREPARE_AFTER_MS = 150


@dataclass
class KioskOptions:
    """How this kiosk runs (from the command line; tests inject clock, voice and printer)."""

    locale: str = "zh_CN"
    printer: KioskPrinter = field(default_factory=KioskPrinter)
    idle_seconds: float = 120.0
    warning_seconds: float = 30.0
    tick_ms: int = 1000
    clock: Any = None
    voice: Voice | None = None


def application_flow_class() -> type[ApplicationFlow]:
    """The application-filing flow (``ui.kiosk.application.flow``).

    A plain import in a function (not at module level: it loads the form's libraries, on the DB worker while
    staff type — ``_preload``), written out so that the installer's import scan finds it. A broken build fails
    here, loudly, rather than hiding "apply here"."""
    from ui.kiosk.application.flow import ApplicationFlow

    return ApplicationFlow


class KioskShell(QWidget):
    #: The store is open and the home screen shows the catalogue's areas.
    ready = Signal()
    #: A visit was reset (idle, or finished).
    visit_reset = Signal()
    #: Staff gave the password to leave: the store is locked; the app quits.
    left = Signal()

    def __init__(self, device: KioskDevice | Path, ops: Ops, options: KioskOptions | None = None) -> None:
        """``device``: the kiosk's data directory (the device is made on the DB worker, so the store's libraries
        load there while staff type), or a ready ``KioskDevice`` (tests: a fast KDF, a clock)."""
        super().__init__(None, Qt.WindowType.FramelessWindowHint | Qt.WindowType.WindowStaysOnTopHint)
        self.setObjectName("kioskShell")
        self._device = device
        self.ops = ops
        self.options = options or KioskOptions()
        self.env: KioskEnv | None = None
        self.bundle: Bundle | None = None
        self.tree: SelfHelpTree | None = None
        self.reader = ReadAloud(self.options.voice if self.options.voice is not None else platform_voice())
        self.text_scale = TEXT_STEPS[0]
        self.high_contrast = False
        self._leaving = False
        #: Looked up once the store is open (``preload`` has imported it on the DB worker by then).
        self.flow_class: type[ApplicationFlow] | None = None
        self.flow: QWidget | None = None

        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(0)
        self.top_bar = TopBar(self)
        self.stack = QStackedWidget(self)
        box.addWidget(self.top_bar)
        box.addWidget(self.stack, 1)
        self.unlock_screen = StaffUnlockScreen(self)
        self.unlock_screen.submitted.connect(self._open_store)
        self.stack.addWidget(self.unlock_screen)
        self.exit_screen = StaffExitScreen(self)
        self.exit_screen.submitted.connect(self._check_exit)
        self.exit_screen.cancelled.connect(self.go_home)
        self.stack.addWidget(self.exit_screen)
        self.home: HomeScreen | None = None
        self.question: QuestionScreen | None = None
        self.guide: GuideScreen | None = None
        self.ask: AskScreen | None = None
        self.warning = IdleWarning(self)
        kwargs: dict[str, Any] = {"tick_ms": self.options.tick_ms}
        if self.options.clock is not None:
            kwargs["clock"] = self.options.clock
        self.timer = VisitTimer(
            self.warning,
            idle_seconds=self.options.idle_seconds,
            warning_seconds=self.options.warning_seconds,
            parent=self,
            **kwargs,
        )
        self.timer.expired.connect(self.end_visit)
        self.top_bar.language_chosen.connect(self.set_language)
        self.top_bar.larger_text.connect(self.larger_text)
        self.top_bar.contrast_toggled.connect(self.set_high_contrast)
        self.top_bar.home.connect(self.go_home)
        self.top_bar.staff.connect(self.ask_staff)
        self.top_bar.home_button.setEnabled(False)
        self.top_bar.staff_button.setEnabled(False)
        self._restyle()
        self.setWindowTitle(_("fzmediate kiosk"))

    # --- opening -------------------------------------------------------------------------------------
    @property
    def device(self) -> KioskDevice:
        """The kiosk device (made from the data directory on first use: on the DB worker, at opening)."""
        if isinstance(self._device, Path):
            from fzmediate.services.kiosk import KioskDevice

            self._device = KioskDevice(self._device)
        return self._device

    def preload(self) -> None:
        """Load what opening and printing need on the DB worker while staff type the password."""
        self.ops.run_db(lambda _token: _preload(), on_failure=lambda exc: log.warning("preloading failed: %r", exc))

    def _open_store(self, password: str) -> None:
        shell = self

        def open_and_read(_token: object) -> tuple[KioskService, Bundle]:
            service = shell.device.open(password)
            try:
                return service, service.catalogue.active()
            except BaseException:
                service.lock()
                raise

        self.ops.run_db(open_and_read, on_success=self._opened, on_failure=self._open_failed, parent=self)

    def _open_failed(self, exc: BaseException) -> None:
        self.unlock_screen.show_error(error_message(exc))

    def _opened(self, result: tuple[KioskService, Bundle]) -> None:
        service, bundle = result
        self.flow_class = application_flow_class()
        self.env = KioskEnv(self.ops, service)
        self.bundle = bundle
        self.tree = build_tree(bundle, localized)
        self._build_screens(self.env)
        self.unlock_screen.reset_visit()
        self.top_bar.home_button.setEnabled(True)
        self.top_bar.staff_button.setEnabled(True)
        self.go_home()
        self.timer.start()
        self.ready.emit()

    def _build_screens(self, env: KioskEnv) -> None:
        assert self.tree is not None and self.bundle is not None
        printer = self.options.printer
        self.home = HomeScreen(self)
        self.home.set_tree(self.tree)
        self.question = QuestionScreen(self)
        self.guide = GuideScreen(env, printer, self.reader, can_apply=self.flow_class is not None, parent=self)
        self.guide.set_bundle(self.bundle)
        self.ask = AskScreen(env, printer, self.reader, self)
        self.ask.set_tree(self.tree)
        for screen in (self.home, self.question, self.guide, self.ask):
            self.stack.addWidget(screen)
        self.home.area_chosen.connect(self.open_area)
        self.home.unsure.connect(self.open_ask)
        self.question.matter_chosen.connect(self.open_guide)
        self.question.check_shown.connect(self._prepare_guide)
        self.question.unsure.connect(self.open_ask)
        self.question.left.connect(self.go_home)
        self.guide.back_requested.connect(self._guide_back)
        self.guide.apply_requested.connect(self.open_application)
        self.ask.back_requested.connect(self._ask_back)
        self._ask_return: QWidget | None = None

    # --- navigation ----------------------------------------------------------------------------------
    def screens(self) -> list[VisitScreen]:
        """Every screen that follows the visit contract (the flow too, while it is open)."""
        found: list[VisitScreen] = [self.top_bar_screen(), self.unlock_screen, self.exit_screen]
        for screen in (self.home, self.question, self.guide, self.ask, self.flow):
            if screen is not None and isinstance(screen, VisitScreen):
                found.append(screen)
        return found

    def top_bar_screen(self) -> VisitScreen:
        return _BarScreen(self.top_bar)

    def _show(self, widget: QWidget) -> None:
        self.stack.setCurrentWidget(widget)

    def go_home(self) -> None:
        if self.home is None:
            return
        self._close_flow()
        self.home.reset_visit()
        self._show(self.home)

    def open_area(self, key: str) -> None:
        assert self.tree is not None and self.question is not None
        self.question.start(self.tree.area(key))
        self._show(self.question)

    def open_guide(self, code: str) -> None:
        assert self.guide is not None
        self.guide.show_matter(code)
        self._show(self.guide)

    def _prepare_guide(self, code: str) -> None:
        # After the check has been painted (a visitor reads it for seconds), not within the touch that showed it.
        QTimer.singleShot(PREPARE_AFTER_MS, self, lambda: self._prepare_now(code))

    def _prepare_now(self, code: str) -> None:
        if self.guide is not None and self.stack.currentWidget() is self.question:
            self.guide.prepare(code)

    def _guide_back(self) -> None:
        assert self.question is not None
        self._show(self.question if self.question.area is not None else self.home or self.question)

    def open_ask(self) -> None:
        assert self.ask is not None
        self._ask_return = self.stack.currentWidget()
        self.ask.body.to_top()
        self._show(self.ask)

    def _ask_back(self) -> None:
        back = self._ask_return if self._ask_return is not None else self.home
        if back is not None:
            self._show(back)

    def open_application(self, code: str) -> None:
        if self.flow_class is None or self.env is None:
            return
        self._close_flow()
        flow = self.flow_class(
            self.env,
            code,
            self,
            printer=self.options.printer.name,  # the kiosk's printer for the receipt
            print_server=self.options.printer.server,
            reader=self.reader,  # the privacy notice is read aloud by the kiosk's voice
        )
        flow.finished.connect(lambda _number: self.end_visit())  # the receipt is printed: the visit is over
        flow.cancelled.connect(self._guide_back_from_flow)
        self.flow = flow
        self.stack.addWidget(flow)
        self._show(flow)

    def _guide_back_from_flow(self) -> None:
        self._close_flow()
        if self.guide is not None:
            self._show(self.guide)

    def _close_flow(self) -> None:
        flow, self.flow = self.flow, None
        if flow is not None:
            if isinstance(flow, VisitScreen):
                flow.reset_visit()
            self.stack.removeWidget(flow)
            flow.deleteLater()

    # --- the visit -----------------------------------------------------------------------------------
    def end_visit(self) -> None:
        """Forget the visitor: every screen resets, the clipboard is emptied, the look returns to default."""
        self._close_flow()
        for screen in self.screens():
            screen.reset_visit()
        clipboard = QGuiApplication.clipboard()
        if clipboard is not None:
            clipboard.clear()
        self.text_scale = TEXT_STEPS[0]
        self.high_contrast = False
        self.set_language(self.options.locale)
        if self.home is not None:
            self._show(self.home)
        else:
            self._show(self.unlock_screen)
        self.timer.start()
        self.visit_reset.emit()

    # --- look and language ---------------------------------------------------------------------------
    def _restyle(self) -> None:
        app = QApplication.instance()
        if isinstance(app, QApplication):
            apply_kiosk_look(app, current_locale(), text_scale=self.text_scale, high_contrast=self.high_contrast)
        self.top_bar.show_state(current_locale(), self.high_contrast)

    def set_language(self, locale: str) -> None:
        set_locale(locale)
        self._restyle()
        if self.bundle is not None:  # catalogue text in the new script (zh_TW), before the screens redraw
            self.tree = build_tree(self.bundle, localized)
            for holder in (self.home, self.question, self.ask):
                if holder is not None:
                    holder.set_tree(self.tree)
        for screen in self.screens():
            screen.retranslate()
        self.warning.retranslate()
        self.setWindowTitle(_("fzmediate kiosk"))

    def larger_text(self) -> None:
        steps = list(TEXT_STEPS)
        index = steps.index(self.text_scale) if self.text_scale in steps else 0
        self.text_scale = steps[(index + 1) % len(steps)]
        self._restyle()

    def set_high_contrast(self, on: bool) -> None:
        self.high_contrast = on
        self._restyle()

    # --- leaving (staff only) ------------------------------------------------------------------------
    def ask_staff(self) -> None:
        self.exit_screen.reset_visit()
        self._show(self.exit_screen)
        self.exit_screen.password.setFocus()

    def _check_exit(self, password: str) -> None:
        from fzmediate.kiosk.staff import check_staff_password

        device = self.device
        self.ops.run_db(
            lambda _token: check_staff_password(device, password),
            on_success=lambda _none: self.leave(),
            on_failure=lambda exc: self.exit_screen.show_error(error_message(exc)),
            parent=self,
        )

    def leave(self) -> None:
        """Staff gave the password: forget the visit, lock the store (on the DB worker), allow closing."""
        self.timer.stop()
        for screen in self.screens():
            screen.reset_visit()
        env, self.env = self.env, None
        if env is not None:
            service = env.service
            self.ops.run_db(lambda _token: service.lock())
        self._leaving = True
        self.left.emit()
        self.close()

    @property
    def leaving(self) -> bool:
        return self._leaving

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._leaving:
            event.accept()
        else:
            event.ignore()  # Alt+F4 and the like: only staff leave kiosk mode

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            event.ignore()
            return
        super().keyPressEvent(event)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self.warning.isVisible():
            self.warning.setGeometry(self.rect())


def _preload() -> None:
    import fzmediate.services.kiosk  # noqa: F401  (SQLAlchemy, the store, cryptography)
    from fzmediate.documents.warmup import warm_up

    application_flow_class()
    warm_up(signing=False)  # ReportLab and the fonts, for the first print


class _BarScreen:
    """The top bar as a visit screen: it has nothing of the visitor, only its words."""

    def __init__(self, bar: TopBar) -> None:
        self.bar = bar

    def reset_visit(self) -> None:
        return None

    def retranslate(self) -> None:
        self.bar.retranslate()
