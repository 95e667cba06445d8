"""The desk controller: set-up → recovery code → unlock → main window → (lock) → unlock.

Two top-level windows. The *gate* (a stack of the set-up, recovery and unlock screens) is shown while
the store is locked. The main window exists only while a session is open: locking destroys it, with every
widget that showed data, so nothing sensitive stays on screen or in memory behind the unlock screen.

By default (the desk app) the store runs in a worker process that ends on lock, so no key copy survives in
this process (``ui/store_process.py``); one is started ahead whenever the unlock screen shows. Tests may pass
``store_process=False`` to keep the session on the DB worker thread of this process.
"""

from __future__ import annotations

import gc
import importlib
import logging
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication, QStackedWidget, QVBoxLayout, QWidget

from fzmediate.desk import admin
from fzmediate.i18n import _, ngettext
from fzmediate.security.idle import IdleLock
from fzmediate.services.dto import SetupResult
from fzmediate.services.workspace import Workspace
from fzmediate.settings import Settings
from ui.desk.main_window import MainWindow, ViewState, window_title
from ui.desk.recovery_page import RecoveryPage, RecoveryResetPage
from ui.desk.settings.window_state import geometry_text, restore_geometry
from ui.desk.setup_screen import SetupScreen
from ui.desk.unlock_screen import UnlockScreen
from ui.idle_watch import IdleWatcher
from ui.ops import Ops, log_failure
from ui.session_context import SessionContext
from ui.store_process import ProcessSessionContext, StoreLauncher, spec_for

if TYPE_CHECKING:
    # Only for annotations: the store (SQLAlchemy, Alembic) loads when it is first opened, not at start-up.
    from fzmediate.services.session import Session

log = logging.getLogger(__name__)


#: The main window's screens, imported while the user types the password (not when Unlock is pressed: bench/
#: bench_desk.py), one module per event-loop turn, the libraries they need before them: each turn takes a few to
#: some 25 ms, where importing them all at once stalled the gate for 250 ms and more.
SCREEN_MODULES = (
    "fzmediate.procedure.statutory_holidays",
    "fzmediate.procedure.clock",
    "fzmediate.desk.today",
    "ui.desk.today_page",
    "ui.desk.case_list_page",
    "ui.desk.settings.users_panel",
    "ui.desk.settings.backup_panel",
    "ui.desk.settings_page",
    "fzmediate.desk.supervisor",
    "ui.desk.supervisor.overdue_dashboard",
    "ui.desk.supervisor_page",
    "fzmediate.desk.documents",
    "ui.desk.document_preview",
    "ui.desk.inbox_dialog",
    "fzmediate.desk.intake",
    "ui.desk.intake.party_editor",
    "ui.desk.intake.attachments_panel",
    "ui.desk.intake.intake_dialog",
    "fzmediate.desk.case_view",
    "ui.desk.case_view.act_dialog",
    "ui.desk.case_view.documents_panel",
    "ui.desk.case_view.timeline",
    "ui.desk.case_view.case_page",
)


def preload_screens() -> None:
    """Import the main window's screens (their modules only: no widget, no data) at once."""
    for name in SCREEN_MODULES:
        _preload(name)


def _preload(name: str) -> None:
    try:
        importlib.import_module(name)
    except ImportError:  # only a head start: the screen imports it again (and fails visibly) when it opens
        log.warning("could not preload %s", name, exc_info=True)


#: Whether a store was opened in this process (set-up, unlock, recovery): the heap is never set aside after that.
#: ``done``: the gate's preparation set it aside after the screens' imports (once per process).
_heap = {"store_opened": False, "done": False}


def set_heap_aside() -> bool:
    """Move every object alive now out of the cyclic garbage collector's passes (``gc.freeze``) if no store was
    opened in this process yet; False (nothing done) while another thread is still importing.

    Start-up leaves some 200,000 objects (Qt's bindings, the store's libraries, the screens' modules) that live
    as long as the process. Left in the collector's care, its first full pass over them (100 ms and more, the
    GIL held, from whichever thread allocated at that moment) came during the screens' imports or the first
    unlock and stalled the GUI thread (bench/bench_desk.py). Frozen, a full pass only walks what was made
    since. Reference counting still frees frozen objects; only cyclic garbage made before the freeze stays —
    which is why it is done before any store was opened, so that no such garbage can hold a key."""
    if _heap["store_opened"]:
        return True
    if any(getattr(getattr(m, "__spec__", None), "_initializing", False) for m in list(sys.modules.values())):
        return False  # e.g. the store's libraries still loading on the DB worker (ui/app.py)
    gc.collect(1)  # the young garbage of the imports (milliseconds; a full pass is what this avoids)
    gc.freeze()
    return True


def _store_opened() -> None:
    _heap["store_opened"] = True


class GateWindow(QWidget):
    """The window shown while the store is locked."""

    def __init__(self, workspace: Workspace, ops: Ops, launcher: StoreLauncher | None = None) -> None:
        super().__init__()
        self.setWindowTitle(window_title())
        self.resize(720, 680)
        self.stack = QStackedWidget(self)
        self.setup_screen = SetupScreen(workspace, ops, self, launcher=launcher)
        self.recovery_page = RecoveryPage(self)
        self.unlock_screen = UnlockScreen(workspace, ops, self, launcher=launcher)
        self.recovery_reset = RecoveryResetPage(workspace, ops, self, launcher=launcher)
        for page in (self.setup_screen, self.recovery_page, self.unlock_screen, self.recovery_reset):
            self.stack.addWidget(page)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)

    def show_page(self, page: QWidget) -> None:
        self.stack.setCurrentWidget(page)
        page.setFocus()


class DeskShell(QObject):
    """Owns the windows and the session context; emits ``unlocked`` and ``locked`` (after the lock ran)."""

    unlocked = Signal()
    locked = Signal()

    def __init__(
        self,
        workspace: Workspace,
        ops: Ops,
        settings: Settings | None = None,
        *,
        idle_clock: Callable[[], float] = time.monotonic,
        idle_tick_ms: int = 1000,
        store_process: bool = True,
        freeze_heap: bool = False,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        #: Set the start-up heap aside (``set_heap_aside``): the desk app and its benchmarks do; a process that
        #: runs many shells one after another (the test suite) must not, or every shell it ever made — timers
        #: included — would stay alive, out of the collector's reach, and fire long after its test.
        self._freeze_heap = freeze_heap
        self.workspace = workspace
        self.ops = ops
        self.settings = settings or Settings()
        self.context: SessionContext | None = None
        self.main_window: MainWindow | None = None
        self._last_login = ""
        self._shut_down = False
        #: Starts the store process ahead (None: the session stays on this process's DB worker).
        self._launcher = StoreLauncher(ops, lambda: spec_for(workspace)) if store_process else None

        self.gate = GateWindow(workspace, ops, self._launcher)
        self.gate.setup_screen.completed.connect(self._setup_completed)
        self.gate.setup_screen.store_exists.connect(self.show_unlock)
        self.gate.recovery_page.finished.connect(self._recovery_done)
        self.gate.unlock_screen.unlocked.connect(self._unlocked)
        self.gate.unlock_screen.recovery_requested.connect(self._show_recovery_reset)
        self.gate.recovery_reset.cancelled.connect(self.show_unlock)
        self.gate.recovery_reset.recovered.connect(self._show_new_recovery_code)

        self._idle_clock = idle_clock
        self.idle = IdleWatcher(
            IdleLock(self.settings.idle_lock_seconds, idle_clock), tick_ms=idle_tick_ms, parent=self
        )
        self.idle.idle.connect(self._idle_timeout)

    # --- navigation ------------------------------------------------------------------------------
    def start(self) -> None:
        """Show the set-up screen on first run, else the unlock screen."""
        if self.workspace.is_initialized():
            self.show_unlock()
        else:
            self.gate.setup_screen.reset()
            self.gate.show_page(self.gate.setup_screen)
        self.gate.show()
        # Load the screens' code while the user types the password, not when Unlock is pressed (a 100 ms
        # stall on the first unlock of the day, measured by bench/bench_desk.py).
        QTimer.singleShot(300, self, self._prepare_for_unlock)

    def _prepare_for_unlock(self, step: int = 0, tries: int = 20) -> None:
        """One screen module per event-loop turn; the heap set aside before the imports and after them."""
        if step < len(SCREEN_MODULES):
            if step == 0 and self._freeze_heap and not _heap["done"]:
                set_heap_aside()  # else the collector's first full pass may come during the imports
            _preload(SCREEN_MODULES[step])
            QTimer.singleShot(0, self, lambda: self._prepare_for_unlock(step + 1))
        elif self._freeze_heap and not _heap["done"]:
            if set_heap_aside() or tries == 0:
                _heap["done"] = True
            else:  # another thread is importing: what it loads lives as long, so wait for it
                QTimer.singleShot(100, self, lambda: self._prepare_for_unlock(step, tries - 1))

    def show_unlock(self, notice: str = "") -> None:
        if self._launcher is not None:
            try:
                self._launcher.prestart()  # it warms up while the user types the password
            except Exception:  # tried again, and reported, when the user presses Unlock
                log.exception("could not start the store process")
        self.gate.unlock_screen.prepare(self._last_login, notice)
        self.gate.show_page(self.gate.unlock_screen)
        self.gate.unlock_screen.focus_first()

    def _setup_completed(self, result: SetupResult) -> None:
        _store_opened()
        self._last_login = result.admin.login
        self.gate.recovery_page.show_code(result.recovery_code)
        self.gate.show_page(self.gate.recovery_page)

    def _recovery_done(self) -> None:
        self.show_unlock()

    def _show_recovery_reset(self, login: str) -> None:
        self.gate.recovery_reset.prepare(login)
        self.gate.show_page(self.gate.recovery_reset)

    def _show_new_recovery_code(self, code: str) -> None:
        _store_opened()
        self.gate.recovery_page.show_code(code)
        self.gate.show_page(self.gate.recovery_page)

    def _unlocked(self, opened: Session | ProcessSessionContext) -> None:
        _store_opened()
        if isinstance(opened, ProcessSessionContext):
            opened.on_ended = self._store_ended
            self.context = opened
        else:
            self.context = SessionContext(self.ops, opened)
        self._last_login = self.context.actor.login
        self._show_main_window(ViewState())
        self.gate.hide()
        self.idle.start()
        self.unlocked.emit()

    def _show_main_window(self, state: ViewState) -> None:
        assert self.context is not None
        window = MainWindow(self.context.actor, self.context, settings=self.settings, state=state)
        window.lock_requested.connect(self.lock)
        window.quit_requested.connect(self.quit)
        window.rebuild_requested.connect(self.rebuild_main_window)
        window.idle_lock_changed.connect(self.set_idle_lock)  # from the settings page (built when first shown)
        window.notice_lock_requested.connect(self.lock)  # after a restore: the store on disk is another one now
        if self.main_window is None:  # the first window of a session: where the user left it last time
            restore_geometry(window, self.settings.window_geometry)
        self.main_window = window
        window.show()

    def set_idle_lock(self, seconds: int) -> None:
        """The settings screen changed the lock timeout: the running idle lock follows at once."""
        self.settings = replace(self.settings, idle_lock_seconds=seconds)
        self.idle.policy = IdleLock(seconds, self._idle_clock)

    def rebuild_main_window(self) -> None:
        """Language or text size changed: a new window in the new language, same page and open cases."""
        old = self.main_window
        if old is None or self.context is None:
            return
        self.settings = old.settings
        state = old.view_state()
        geometry = old.saveGeometry()
        self._show_main_window(state)
        if self.main_window is not None:
            self.main_window.restoreGeometry(geometry)
        old.close_quietly()
        old.deleteLater()

    # --- locking ---------------------------------------------------------------------------------
    @property
    def is_unlocked(self) -> bool:
        return self.context is not None

    def _store_ended(self, message: str) -> None:
        """The store process died: back to the unlock screen, saying so."""
        if not self._shut_down:
            self.lock(notice=message)

    def _idle_timeout(self) -> None:
        minutes = max(1, round(self.settings.idle_lock_seconds / 60))
        self.lock(
            notice=ngettext(
                "Locked after {minutes} minute without activity. Unlock to continue.",
                "Locked after {minutes} minutes without activity. Unlock to continue.",
                minutes,
            ).format(minutes=minutes)
        )

    def lock(self, notice: str = "") -> None:
        """Lock now: drop the session (locked on the DB worker), destroy the main window, show unlock."""
        if self.context is None:
            return
        if self.main_window is not None and self.main_window.has_unsaved_input():
            # A security lock does not wait for the user, but it must not drop what was typed silently.
            notice = " ".join(t for t in (notice, _("Unsaved input in open dialogs was discarded.")) if t)
        # The gate is shown first: closing the last visible window would quit the app.
        self.show_unlock(notice)
        self.gate.show()
        self._end_session(on_locked=self.locked.emit)

    def quit(self) -> None:
        """Lock (queued before the workers stop) and leave the event loop."""
        self._end_session()
        app = QApplication.instance()
        if app is not None:
            app.quit()

    def shutdown(self) -> None:
        """At exit and in tests: lock any session and close the windows, without quitting the app."""
        if self._shut_down:
            return
        self._shut_down = True
        self._end_session()
        if self._launcher is not None:
            self._launcher.shutdown()
        self.gate.close()
        self.gate.deleteLater()

    def _end_session(self, on_locked: Callable[[], None] | None = None) -> None:
        self.gate.unlock_screen.cancel()
        self.idle.stop()
        context, self.context = self.context, None
        window, self.main_window = self.main_window, None
        if window is not None and context is not None and context.active:
            # Remember the window's place (queued on the store's worker ahead of the lock, so it runs first).
            self.settings = replace(window.settings, window_geometry=geometry_text(window))
            context.call(admin.save_settings, self.settings, on_failure=log_failure)
        if window is not None:
            window.close_quietly()
            window.deleteLater()
        if context is not None:
            context.close(on_done=on_locked)
