"""Key hygiene: with the store in its worker process, the GUI process never holds a Session, a database
connection, key material or a file handle on the store — during the session and after it — and locking ends
the process that held them. The same inspection run on the in-thread form finds them (so it can fail)."""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from fzmediate.services.workspace import Workspace
from fzmediate.settings import Settings
from tests.support import ADMIN_PW
from tests.ui import store_process_calls as calls
from ui.app import prepare_application
from ui.desk.shell import DeskShell
from ui.ops import Ops
from ui.store_process import ProcessSessionContext

WAIT_MS = 20_000

pytestmark = pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc (Linux)")


@pytest.fixture
def ops(qapp: QApplication) -> Iterator[Ops]:
    prepare_application(qapp, "zh_CN")
    ops = Ops()
    yield ops
    ops.shutdown()
    ops.deleteLater()


def make_shell(initialized: Workspace, ops: Ops, *, store_process: bool) -> DeskShell:
    return DeskShell(initialized, ops, Settings(idle_lock_seconds=300), idle_tick_ms=50, store_process=store_process)


def unlock(qtbot: QtBot, shell: DeskShell) -> None:
    shell.start()
    screen = shell.gate.unlock_screen
    screen.login.edit.setText("admin")
    screen.password.edit.setText(ADMIN_PW)
    with qtbot.waitSignal(shell.unlocked, timeout=WAIT_MS):
        screen.unlock_button.click()


def a_few_calls(qtbot: QtBot, shell: DeskShell) -> None:
    assert shell.context is not None
    out: list[Any] = []
    for fn, args in ((calls.whoami, ()), (calls.user_logins, ()), (calls.add_mediator, ("med7",))):
        shell.context.call(fn, *args, on_success=out.append, on_failure=out.append)
    qtbot.waitUntil(lambda: len(out) == 3 and not shell.ops.busy, timeout=WAIT_MS)
    assert not any(isinstance(v, BaseException) for v in out)


def store_secrets_here(root: Path) -> list[str]:
    """What this process holds of the store: live Session/Database/key objects and open files in its directory."""
    import sqlcipher3

    from fzmediate.security.keyslots import SlotKeys
    from fzmediate.services.session import Session
    from fzmediate.store.database import Database

    gc.collect()
    kinds = (Session, Database, SlotKeys, sqlcipher3.dbapi2.Connection)
    found = sorted({type(o).__name__ for o in gc.get_objects() if isinstance(o, kinds)})
    base = str(root.resolve())
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink("/proc/self/fd/{0}".format(fd))
        except OSError:  # closed meanwhile (the listing's own descriptor)
            continue
        if target.startswith(base):
            found.append("fd:" + Path(target).name)
    return found


def test_the_gui_process_holds_nothing_of_the_store_in_process_mode(
    qtbot: QtBot, ops: Ops, initialized: Workspace
) -> None:
    root = initialized.paths.root
    assert store_secrets_here(root) == []  # the set-up in this process left nothing behind
    shell = make_shell(initialized, ops, store_process=True)
    try:
        unlock(qtbot, shell)
        a_few_calls(qtbot, shell)
        context = shell.context
        assert isinstance(context, ProcessSessionContext) and context.pid is not None
        pid = context.pid
        assert shell.main_window is not None and shell.main_window.isVisible()
        assert store_secrets_here(root) == []
        # …while the worker process does hold the store open.
        assert any(
            os.readlink("/proc/{0}/fd/{1}".format(pid, fd)).startswith(str(root.resolve()))
            for fd in os.listdir("/proc/{0}/fd".format(pid))
        )
        with qtbot.waitSignal(shell.locked, timeout=WAIT_MS):
            shell.lock()
        assert not Path("/proc/{0}".format(pid)).exists()  # the process that held the key has ended
        assert store_secrets_here(root) == []
    finally:
        shell.shutdown()
        ops.shutdown()


def test_the_same_inspection_finds_the_store_in_thread_mode(qtbot: QtBot, ops: Ops, initialized: Workspace) -> None:
    shell = make_shell(initialized, ops, store_process=False)
    try:
        unlock(qtbot, shell)
        a_few_calls(qtbot, shell)
        held = store_secrets_here(initialized.paths.root)
        assert "Session" in held and "Database" in held
        assert any(name.startswith("fd:") for name in held)
    finally:
        shell.shutdown()
        ops.shutdown()
