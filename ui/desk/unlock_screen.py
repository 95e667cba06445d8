"""Unlock: user name and password open the store (the key derivation runs on the DB worker, or — in the desk
app — in the store's worker process, started ahead while this screen shows: see ``ui/store_process.py``)."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QLabel, QPushButton, QWidget

from fzmediate.errors import AuthenticationError, BackoffError
from fzmediate.i18n import _
from fzmediate.services.workspace import Workspace
from ui.desk.form_field import ErrorLine, FormField, centered_card
from ui.desk.password_fields import busy_bar
from ui.ops import CancelToken, OpHandle, Ops, error_message, log_failure
from ui.style import set_role

if TYPE_CHECKING:
    # Only for annotations: the store (SQLAlchemy, Alembic) loads when it is first opened, not at start-up.
    from fzmediate.desk.store_host import Opened
    from fzmediate.services.session import Session
    from ui.store_process import StoreLauncher, StoreProcess


class UnlockScreen(QWidget):
    """Emits ``unlocked(Session)``; the session must only be used from the DB worker. With a ``launcher``
    the store opens in a worker process instead and ``unlocked`` carries a ``ProcessSessionContext``.

    Emits ``recovery_requested(login)`` when the user has forgotten the password and has the recovery code.
    """

    unlocked = Signal(object)
    recovery_requested = Signal(str)

    def __init__(
        self,
        workspace: Workspace,
        ops: Ops,
        parent: QWidget | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        launcher: StoreLauncher | None = None,
    ) -> None:
        super().__init__(parent)
        self._ws = workspace
        self._ops = ops
        self._clock = clock
        self._launcher = launcher
        self._busy = False
        self._wait_until: float | None = None
        self._pending: OpHandle[Any] | None = None

        form = centered_card(self, width=420)
        title = QLabel(_("Unlock"), self)
        set_role(title, "title")
        subtitle = QLabel(_("The data on this computer is locked. Sign in to continue."), self)
        subtitle.setWordWrap(True)
        set_role(subtitle, "subtitle")
        self.notice = QLabel(self)
        self.notice.setWordWrap(True)
        set_role(self.notice, "notice")
        self.notice.setVisible(False)

        self.login = FormField(_("User name"), parent=self)
        self.password = FormField(_("Password"), password=True, parent=self)
        self.message = ErrorLine(self)

        self.unlock_button = QPushButton(_("Unlock"), self)
        self.unlock_button.setAccessibleName(_("Unlock"))
        self.unlock_button.setDefault(True)
        self.unlock_button.setMinimumHeight(36)
        self.unlock_button.clicked.connect(self.submit)

        self.busy = busy_bar(self, thin=True)

        self.forgot_button = QPushButton(_("Forgot the password? Use the recovery code"), self)
        self.forgot_button.setFlat(True)
        self.forgot_button.setAccessibleName(_("Forgot the password? Use the recovery code"))
        self.forgot_button.clicked.connect(lambda: self.recovery_requested.emit(self.login.text().strip()))

        for w in (title, subtitle, self.notice, self.login, self.password, self.message):
            form.addWidget(w)
        form.addSpacing(4)
        form.addWidget(self.unlock_button)
        form.addWidget(self.busy)
        form.addWidget(self.forgot_button)

        self.login.edit.returnPressed.connect(self._login_entered)
        self.password.edit.returnPressed.connect(self.submit)
        QWidget.setTabOrder(self.login.edit, self.password.edit)
        QWidget.setTabOrder(self.password.edit, self.unlock_button)
        QWidget.setTabOrder(self.unlock_button, self.forgot_button)

        self._countdown = QTimer(self)
        self._countdown.setInterval(250)
        self._countdown.timeout.connect(self._tick)

    # --- state -----------------------------------------------------------------------------------
    def prepare(self, login: str = "", notice: str = "") -> None:
        """Show the screen fresh: password and errors cleared, optional login and notice."""
        self.password.clear()
        self.login.clear_error()
        self.message.set_text("")
        if login:
            self.login.edit.setText(login)
        self.notice.setText(notice)
        self.notice.setVisible(bool(notice))
        self._set_busy(False)
        self.focus_first()

    def focus_first(self) -> None:
        (self.password.edit if self.login.text() else self.login.edit).setFocus()

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.busy.setVisible(busy)
        self.login.edit.setEnabled(not busy)
        self.password.edit.setEnabled(not busy)
        self.forgot_button.setEnabled(not busy)
        self._update_button()

    @property
    def waiting(self) -> bool:
        return self._wait_until is not None

    def _update_button(self) -> None:
        if self._wait_until is not None:
            seconds = max(1, math.ceil(self._wait_until - self._clock()))
            self.unlock_button.setText(_("Unlock (wait {seconds} s)").format(seconds=seconds))
            self.unlock_button.setEnabled(False)
        else:
            self.unlock_button.setText(_("Unlock"))
            self.unlock_button.setEnabled(not self._busy)

    def start_wait(self, seconds: float) -> None:
        """Disable the button with a countdown (repeated failures: the store refuses attempts meanwhile)."""
        self._wait_until = self._clock() + max(0.0, seconds)
        self._countdown.start()
        self._update_button()

    def _tick(self) -> None:
        if self._wait_until is not None and self._clock() >= self._wait_until:
            self._wait_until = None
            self._countdown.stop()
            self.message.set_text("")
        self._update_button()

    # --- actions ---------------------------------------------------------------------------------
    def _login_entered(self) -> None:
        if self.password.text():
            self.submit()
        else:
            self.password.edit.setFocus()

    def submit(self) -> None:
        if self._busy or self._wait_until is not None:
            return
        self.login.clear_error()
        self.password.clear_error()
        self.message.set_text("")
        login = self.login.text().strip()
        password = self.password.text()
        if not login:
            self.login.set_error(_("Enter your user name."))
            self.login.edit.setFocus()
            return
        if not password:
            self.password.set_error(_("Enter your password."))
            self.password.edit.setFocus()
            return
        self._set_busy(True)
        if self._launcher is not None:
            try:
                store = self._launcher.prestart()
            except Exception as exc:  # the process could not start: said like any other failure
                self._failed(login, exc)
                return
            self._submit_to_process(store, login, password)
            return
        ws = self._ws

        def work(token: CancelToken) -> Session:
            session = ws.unlock(login, password)
            if token.cancelled:  # the app is closing: nobody will take this session
                session.lock()
                token.check()
            return session

        self._pending = self._ops.run_db(
            work, on_success=self._succeeded, on_failure=lambda exc: self._failed(login, exc), parent=self
        )

    def _submit_to_process(self, store: StoreProcess, login: str, password: str) -> None:
        """Unlock in the store process (started ahead); only the actor and warnings come back."""

        def work(token: CancelToken) -> Opened:
            opened = store.unlock(login, password)
            if token.cancelled:  # the app is closing: nobody will take this session
                store.stop()
                token.check()
            return opened

        def succeeded(opened: Opened) -> None:
            from ui.store_process import ProcessSessionContext

            if self._launcher is not None:
                self._launcher.hand_over(store)
            self._succeeded(ProcessSessionContext(self._ops, store, opened))

        self._pending = self._ops.run_db(
            work, on_success=succeeded, on_failure=lambda exc: self._failed(login, exc), parent=self
        )

    def cancel(self) -> None:
        """Abandon an unlock in progress (app closing): a session it opens is locked again at once."""
        if self._pending is not None:
            self._pending.cancel()
            self._pending = None
        self._set_busy(False)

    def _succeeded(self, opened: object) -> None:
        self._pending = None
        self.password.clear()
        self.notice.setVisible(False)
        self._set_busy(False)
        self.unlocked.emit(opened)

    def _failed(self, login: str, exc: BaseException) -> None:
        self._pending = None
        log_failure(exc)
        self._set_busy(False)
        self.password.edit.clear()
        if isinstance(exc, BackoffError):
            self.password.set_error(error_message(exc))
            self.start_wait(exc.retry_after)
        elif isinstance(exc, AuthenticationError):
            self.password.set_error(error_message(exc))
            self._check_backoff(login)
        else:  # busy, damaged, too new …: FzError messages as they are; anything else generically
            self.message.set_text(error_message(exc))
        self.password.edit.setFocus()

    def _check_backoff(self, login: str) -> None:
        """After a failure, ask whether the next attempt must wait (so the countdown starts at once)."""
        ws = self._ws

        def work(token: CancelToken) -> float:
            return ws.backoff.remaining(login)

        def done(wait: float) -> None:
            if wait > 0:
                self.start_wait(wait)

        self._ops.run_db(work, on_success=done, on_failure=log_failure, parent=self)
