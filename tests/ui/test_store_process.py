"""The store in a worker process: calls, progress, cancellation, errors and the changes broadcast cross the
pipe exactly as they work in-thread; locking ends the process; a killed process sends the desk back to the
unlock screen. A real encrypted store (fast KDF), a real spawned process."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from fzmediate.desk.store_host import Opened, RemoteFailure, StoreProcessEnded
from fzmediate.errors import AuthenticationError, FzError, LockedError
from fzmediate.i18n import _, set_locale
from fzmediate.services.workspace import Workspace
from fzmediate.settings import Settings
from fzmediate.store.outbox import OpChanges
from tests.support import ADMIN_PW
from tests.ui import store_process_calls as calls
from tests.ui.conftest import MonoClock
from ui.desk.shell import DeskShell
from ui.ops import CancelToken, Ops, Progress, error_message
from ui.store_process import ProcessSessionContext, StoreLauncher, StoreProcess, ended_message, spec_for

WAIT_MS = 20_000


def run_db(qtbot: QtBot, ops: Ops, fn: Any) -> Any:
    out: dict[str, Any] = {}
    ops.run_db(fn, on_success=lambda v: out.setdefault("value", v), on_failure=lambda e: out.setdefault("error", e))
    qtbot.waitUntil(lambda: bool(out), timeout=WAIT_MS)
    if "error" in out:
        raise out["error"]
    return out["value"]


def outcome(qtbot: QtBot, ctx: ProcessSessionContext, fn: Any, *args: Any, **callbacks: Any) -> dict[str, Any]:
    """``ctx.call`` and wait: {"value": …} or {"error": …} (or {"cancelled": True})."""
    out: dict[str, Any] = {}
    ctx.call(
        fn,
        *args,
        on_success=lambda v: out.setdefault("value", v),
        on_failure=lambda e: out.setdefault("error", e),
        on_cancelled=lambda: out.setdefault("cancelled", True),
        **callbacks,
    )
    qtbot.waitUntil(lambda: bool(out), timeout=WAIT_MS)
    return out


def gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def close(qtbot: QtBot, ctx: ProcessSessionContext) -> None:
    done: list[bool] = []
    if ctx.close(on_done=lambda: done.append(True)) is not None:
        qtbot.waitUntil(lambda: bool(done), timeout=WAIT_MS)


@pytest.fixture
def ctx(qtbot: QtBot, app: QApplication, ops: Ops, initialized: Workspace) -> Iterator[ProcessSessionContext]:
    store = StoreProcess(spec_for(initialized))

    def unlock(token: CancelToken) -> Opened:
        return store.unlock("admin", ADMIN_PW)

    context = ProcessSessionContext(ops, store, run_db(qtbot, ops, unlock))
    yield context
    close(qtbot, context)


@pytest.fixture
def proc_shell(app: QApplication, initialized: Workspace, ops: Ops) -> Iterator[DeskShell]:
    shell = DeskShell(initialized, ops, Settings(idle_lock_seconds=300), idle_clock=MonoClock(), idle_tick_ms=20)
    yield shell
    shell.shutdown()
    ops.shutdown()


def unlock_in_shell(qtbot: QtBot, shell: DeskShell) -> ProcessSessionContext:
    screen = shell.gate.unlock_screen
    screen.login.edit.setText("admin")
    screen.password.edit.setText(ADMIN_PW)
    with qtbot.waitSignal(shell.unlocked, timeout=WAIT_MS):
        screen.unlock_button.click()
    assert isinstance(shell.context, ProcessSessionContext)
    return shell.context


# --- calls ----------------------------------------------------------------------------------------------
def test_a_call_runs_in_the_store_process_and_returns_its_result(qtbot: QtBot, ctx: ProcessSessionContext) -> None:
    assert ctx.active and ctx.actor.login == "admin" and ctx.trust_warnings == ()
    assert ctx.may("manage_users").allowed
    login, pid = outcome(qtbot, ctx, calls.whoami)["value"]
    assert login == "admin"
    assert pid == ctx.pid and pid != os.getpid()
    assert outcome(qtbot, ctx, calls.user_logins)["value"] == ("admin",)


def test_progress_and_cancellation_cross_the_boundary(qtbot: QtBot, ctx: ProcessSessionContext) -> None:
    seen: list[Progress] = []
    assert outcome(qtbot, ctx, calls.count, 4, progress=seen.append)["value"] == 4
    qtbot.waitUntil(lambda: len(seen) == 4)
    assert [(p.done, p.total, p.text) for p in seen] == [(i, 4, "step") for i in range(1, 5)]

    ticks: list[Progress] = []
    out: dict[str, Any] = {}
    handle = ctx.call(
        calls.until_cancelled,
        15.0,
        progress=ticks.append,
        on_success=lambda v: out.setdefault("value", v),
        on_cancelled=lambda: out.setdefault("cancelled", True),
    )
    qtbot.waitUntil(lambda: len(ticks) >= 2, timeout=WAIT_MS)  # it runs, in the other process
    handle.cancel()
    qtbot.waitUntil(lambda: bool(out), timeout=5_000)  # long before its 15 s
    assert out == {"cancelled": True}
    assert outcome(qtbot, ctx, calls.whoami)["value"][0] == "admin"  # the process serves the next call


def test_an_fz_error_arrives_with_its_class_localized_message_and_field(
    qtbot: QtBot, ctx: ProcessSessionContext
) -> None:
    exc = outcome(qtbot, ctx, calls.refuse_keyword_only)["error"]
    assert type(exc) is calls.KeywordOnlyError  # re-created although its __init__ is keyword-only
    assert exc.message == _("Enter your password.") and str(exc) == exc.message
    assert exc.message != "Enter your password."  # localized (zh_CN) in the store process
    assert exc.field == "password" and exc.code == 7
    assert error_message(exc) == exc.message

    set_locale("en")  # the UI language changed: the next call is answered in it
    exc = outcome(qtbot, ctx, calls.refuse_keyword_only)["error"]
    assert exc.message == "Enter your password."

    set_locale("zh_CN")
    exc = outcome(qtbot, ctx, calls.refuse_local_class)["error"]
    assert type(exc) is FzError  # its class cannot cross: a plain FzError with the same message and field
    assert exc.message == _("Enter your user name.") and exc.field == "login"


def test_another_error_arrives_without_its_text(qtbot: QtBot, ctx: ProcessSessionContext) -> None:
    exc = outcome(qtbot, ctx, calls.fail_with_personal_data, "13800138000")["error"]
    assert isinstance(exc, RemoteFailure) and not isinstance(exc, FzError)
    assert exc.type_name == "ValueError"
    assert "13800138000" not in str(exc) and "13800138000" not in repr(exc.args)
    assert error_message(exc) == _("Something went wrong. The details were written to the log file.")

    exc = outcome(qtbot, ctx, calls.unpicklable_result)["error"]
    assert isinstance(exc, TypeError) and "cannot cross the store process boundary" in str(exc)
    with pytest.raises(TypeError, match="cannot cross"):
        ctx.call(calls.whoami, lambda: None)  # checked before anything is sent
    assert outcome(qtbot, ctx, calls.whoami)["value"][0] == "admin"


def test_a_write_is_broadcast_once_and_a_read_is_not(qtbot: QtBot, ops: Ops, ctx: ProcessSessionContext) -> None:
    received: list[tuple[OpChanges, object]] = []
    ops.changed.connect(lambda changes, initiator: received.append((changes, initiator)))
    assert outcome(qtbot, ctx, calls.add_mediator, "med9")["value"] == "med9"
    qtbot.waitUntil(lambda: bool(received))
    changes, _initiator = received[0]
    assert "user" in changes.kinds
    outcome(qtbot, ctx, calls.user_logins)
    qtbot.wait(50)
    assert len(received) == 1


def test_unlock_errors_cross_with_their_details(qtbot: QtBot, ops: Ops, initialized: Workspace) -> None:
    store = StoreProcess(spec_for(initialized))
    try:
        with pytest.raises(AuthenticationError) as caught:
            run_db(qtbot, ops, lambda token: store.unlock("admin", "wrong-password"))
        assert caught.value.message == _("Wrong user name or password. The database was not opened.")
        assert caught.value.retry_after == 0.0
        opened = run_db(qtbot, ops, lambda token: store.unlock("admin", ADMIN_PW))  # the same process, again
        assert opened.actor.login == "admin"
    finally:
        run_db(qtbot, ops, lambda token: store.stop())
    assert store.pid is not None and gone(store.pid)


# --- lock, death, pre-start ------------------------------------------------------------------------------
def test_lock_ends_the_process_and_a_later_call_fails_locked(qtbot: QtBot, ctx: ProcessSessionContext) -> None:
    pid = ctx.pid
    assert pid is not None and not gone(pid)
    close(qtbot, ctx)
    assert not ctx.active and gone(pid)
    assert isinstance(outcome(qtbot, ctx, calls.whoami)["error"], LockedError)
    with pytest.raises(NotImplementedError):
        ctx.run(lambda session, token: None)


def test_the_shell_unlocks_in_a_pre_started_process_and_lock_ends_it(
    qtbot: QtBot, proc_shell: DeskShell, initialized: Workspace
) -> None:
    proc_shell.start()
    context = unlock_in_shell(qtbot, proc_shell)
    assert proc_shell.main_window is not None and proc_shell.main_window.isVisible()
    pid = context.pid
    assert pid is not None and outcome(qtbot, context, calls.whoami)["value"] == ("admin", pid)
    with qtbot.waitSignal(proc_shell.locked, timeout=WAIT_MS):
        proc_shell.lock()
    assert gone(pid) and proc_shell.context is None
    Workspace(initialized.paths.root, kdf=initialized.kdf).unlock("admin", ADMIN_PW).lock()  # directory released
    again = unlock_in_shell(qtbot, proc_shell)  # a fresh process
    assert again.pid not in (None, pid)


def test_a_killed_store_process_returns_to_the_unlock_screen_with_a_message(
    qtbot: QtBot, proc_shell: DeskShell
) -> None:
    proc_shell.start()
    context = unlock_in_shell(qtbot, proc_shell)
    pid = context.pid
    assert pid is not None
    out: dict[str, Any] = {}
    context.call(calls.sleep, 10.0, on_failure=lambda e: out.setdefault("error", e))
    qtbot.wait(200)
    with qtbot.waitSignal(proc_shell.locked, timeout=WAIT_MS):
        os.kill(pid, signal.SIGKILL)
    qtbot.waitUntil(lambda: bool(out), timeout=WAIT_MS)
    assert isinstance(out["error"], StoreProcessEnded) and isinstance(out["error"], LockedError)
    assert out["error"].message == ended_message()
    screen = proc_shell.gate.unlock_screen
    assert proc_shell.main_window is None and proc_shell.gate.isVisible()
    assert proc_shell.gate.stack.currentWidget() is screen
    assert screen.notice.isVisibleTo(screen) and screen.notice.text() == ended_message()
    assert unlock_in_shell(qtbot, proc_shell).pid not in (None, pid)


def test_the_launcher_keeps_one_process_ahead(qtbot: QtBot, ops: Ops, initialized: Workspace) -> None:
    launcher = StoreLauncher(ops, lambda: spec_for(initialized))
    first = launcher.prestart()
    assert launcher.prestart() is first  # still starting or waiting: the same one
    launcher.hand_over(first)
    second = launcher.prestart()
    assert second is not first
    launcher.shutdown()
    run_db(qtbot, ops, lambda token: first.stop())
    qtbot.waitUntil(lambda: not ops.busy, timeout=WAIT_MS)
    assert first.pid is not None and second.pid is not None
    assert gone(first.pid) and gone(second.pid)
