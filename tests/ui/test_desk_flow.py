"""The desk shell end to end on a real store: first-run set-up, the recovery code, unlock, wrong password,
back-off, manual lock and idle auto-lock. Chinese is typed with setText (keyClicks is ASCII-only)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from fzmediate.errors import LockedError
from fzmediate.security.roles import Role, role_label
from fzmediate.services.session import Session
from fzmediate.services.workspace import Workspace
from tests.support import ADMIN_PW, ADMIN_PW_2, FAST_KDF, OTHER_PW
from tests.ui.conftest import IDLE_SECONDS, TICK_MS, MonoClock
from ui.desk.setup_screen import SetupScreen
from ui.desk.shell import DeskShell


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def click(qtbot: QtBot, button: object) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def unlock(qtbot: QtBot, shell: DeskShell, login: str = "admin", password: str = ADMIN_PW) -> None:
    screen = shell.gate.unlock_screen
    screen.login.edit.setText(login)
    screen.password.edit.setText(password)
    with qtbot.waitSignal(shell.unlocked, timeout=10_000):
        click(qtbot, screen.unlock_button)


def current_session(shell: DeskShell) -> Session:
    assert shell.context is not None
    session = shell.context._session
    assert session is not None
    return session


# --- first run ----------------------------------------------------------------------------------------
def choose_unit(qtbot: QtBot, setup: SetupScreen, code: str) -> None:
    """Pick the desk's unit once the list has arrived from the worker."""
    qtbot.waitUntil(lambda: setup.unit.findData(code) >= 0, timeout=10_000)
    setup.unit.setCurrentIndex(setup.unit.findData(code))


def test_first_run_setup_shows_the_recovery_code_once_then_unlock(
    qtbot: QtBot, shell: DeskShell, workspace: Workspace
) -> None:
    shell.start()
    gate = shell.gate
    assert gate.isVisible()
    assert gate.stack.currentWidget() is gate.setup_screen
    setup = gate.setup_screen
    setup.login.edit.setText("wangli")
    setup.full_name.edit.setText("王丽𠮷")
    setup.password.edit.setText(ADMIN_PW)
    setup.password2.edit.setText(ADMIN_PW)
    click(qtbot, setup.create_button)  # no unit chosen yet: said beside the unit list, nothing created
    assert setup.unit_error.text() and not workspace.is_initialized()
    choose_unit(qtbot, setup, "PS-JD-PS")
    click(qtbot, setup.create_button)
    assert setup.busy.isVisibleTo(setup)  # busy while the KDF runs on the worker
    qtbot.waitUntil(lambda: gate.stack.currentWidget() is gate.recovery_page, timeout=10_000)

    page = gate.recovery_page
    code = page.code_label.text()
    assert code and code == page.code()
    assert page.code_label.font().fixedPitch()
    assert page.code_label.font().pointSizeF() >= 20
    assert setup.password.text() == "" and setup.password2.text() == ""
    assert not page.continue_button.isEnabled()  # "I have written it down" is required
    click(qtbot, page.continue_button)
    assert gate.stack.currentWidget() is gate.recovery_page
    page.confirm.setChecked(True)
    assert page.continue_button.isEnabled()
    click(qtbot, page.continue_button)

    assert gate.stack.currentWidget() is gate.unlock_screen
    assert page.code_label.text() == "" and page.code() == ""  # shown once, then wiped
    assert gate.unlock_screen.login.text() == "wangli"
    assert workspace.is_initialized()
    # The code shown is the one the store accepts.
    new_code = workspace.recover(code, "wangli", OTHER_PW)
    assert new_code and new_code != code
    with workspace.unlock("wangli", OTHER_PW) as s:
        assert s.organisation.desk_unit_code() == "PS-JD-PS"


def test_setup_validation_messages_appear_next_to_the_named_field(
    qtbot: QtBot, shell: DeskShell, workspace: Workspace
) -> None:
    shell.start()
    setup = shell.gate.setup_screen
    choose_unit(qtbot, setup, "PS-JD-PS")

    setup.login.edit.setText("王丽")  # a real name is not a login name
    setup.password.edit.setText(ADMIN_PW)
    setup.password2.edit.setText(ADMIN_PW)
    click(qtbot, setup.create_button)
    qtbot.waitUntil(lambda: bool(setup.login.error_text()), timeout=10_000)
    assert setup.password.error_text() == ""
    assert setup.login.edit.hasFocus() or not shell.gate.isActiveWindow()

    setup.login.edit.setText("wangli")
    setup.password.edit.setText("short")
    setup.password2.edit.setText("short")
    click(qtbot, setup.create_button)
    qtbot.waitUntil(lambda: bool(setup.password.error_text()), timeout=10_000)
    assert setup.login.error_text() == ""
    assert setup.password.text() == "" and setup.password2.text() == ""

    setup.password.edit.setText(ADMIN_PW)
    setup.password2.edit.setText(ADMIN_PW_2)
    click(qtbot, setup.create_button)
    assert setup.password2.error_text()  # checked before anything is sent
    assert not workspace.is_initialized()
    assert shell.gate.stack.currentWidget() is setup


# --- unlock -------------------------------------------------------------------------------------------
def test_unlock_opens_the_main_window_with_user_and_role(
    qtbot: QtBot, shell: DeskShell, initialized: Workspace
) -> None:
    shell.start()
    assert shell.gate.stack.currentWidget() is shell.gate.unlock_screen
    unlock(qtbot, shell)
    window = shell.main_window
    assert window is not None and window.isVisible()
    assert not shell.gate.isVisible()
    assert "admin" in window.user_label.text()
    assert role_label(Role.ADMIN) in window.role_label.text()
    assert window.windowTitle()
    assert shell.gate.unlock_screen.password.text() == ""


def test_wrong_password_shows_a_message_clears_the_field_and_leaves_the_db_untouched(
    qtbot: QtBot, shell: DeskShell, initialized: Workspace
) -> None:
    db = initialized.paths.db
    before = sha256(db)
    shell.start()
    screen = shell.gate.unlock_screen
    screen.login.edit.setText("admin")
    screen.password.edit.setText("wrong-password")
    click(qtbot, screen.unlock_button)
    qtbot.waitUntil(lambda: bool(screen.password.error_text()), timeout=10_000)
    assert screen.password.text() == ""
    assert shell.main_window is None and not shell.is_unlocked
    assert screen.unlock_button.isEnabled()
    assert sha256(db) == before


def test_repeated_failures_disable_the_button_with_a_countdown(
    qtbot: QtBot, shell: DeskShell, initialized: Workspace
) -> None:
    from fzmediate.errors import AuthenticationError

    for _ in range(4):  # free attempts, straight through the service
        with pytest.raises(AuthenticationError):
            initialized.unlock("admin", "wrong-password")
    shell.start()
    screen = shell.gate.unlock_screen
    screen.login.edit.setText("admin")
    screen.password.edit.setText("wrong-password")
    click(qtbot, screen.unlock_button)  # the fifth failure starts the wait
    qtbot.waitUntil(lambda: screen.waiting, timeout=10_000)
    assert not screen.unlock_button.isEnabled()
    assert any(ch.isdigit() for ch in screen.unlock_button.text())
    screen.password.edit.setText(ADMIN_PW)
    screen.submit()  # refused while waiting: nothing is sent
    assert not screen.busy.isVisibleTo(screen) and not shell.is_unlocked


def test_backoff_error_from_the_store_starts_the_countdown(
    qtbot: QtBot, shell: DeskShell, initialized: Workspace
) -> None:
    from fzmediate.errors import AuthenticationError

    for _ in range(5):
        with pytest.raises(AuthenticationError):
            initialized.unlock("admin", "wrong-password")
    shell.start()
    screen = shell.gate.unlock_screen
    screen.login.edit.setText("admin")
    screen.password.edit.setText(ADMIN_PW)  # even the right password waits
    click(qtbot, screen.unlock_button)
    qtbot.waitUntil(lambda: screen.waiting, timeout=10_000)
    assert screen.password.error_text()
    assert not screen.unlock_button.isEnabled()
    assert not shell.is_unlocked


# --- locking ------------------------------------------------------------------------------------------
def test_manual_lock_closes_the_store_and_releases_the_data_directory(
    qtbot: QtBot, shell: DeskShell, initialized: Workspace, data_dir: Path
) -> None:
    shell.start()
    unlock(qtbot, shell)
    session = current_session(shell)
    window = shell.main_window
    assert window is not None
    assert window.lock_action.shortcut().toString() == "Ctrl+L"
    with qtbot.waitSignal(shell.locked, timeout=10_000):
        window.lock_action.trigger()

    assert shell.context is None and shell.main_window is None
    assert shell.gate.isVisible()
    assert shell.gate.stack.currentWidget() is shell.gate.unlock_screen
    assert shell.gate.unlock_screen.password.text() == ""
    with pytest.raises(LockedError):
        session.users.list()
    # The data-directory lock was released: another Workspace can open the store.
    other = Workspace(data_dir, kdf=FAST_KDF)
    other.unlock("admin", ADMIN_PW).lock()


def test_ctrl_l_locks(qtbot: QtBot, shell: DeskShell, initialized: Workspace) -> None:
    shell.start()
    unlock(qtbot, shell)
    window = shell.main_window
    assert window is not None
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    with qtbot.waitSignal(shell.locked, timeout=10_000):
        qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert not shell.is_unlocked


def test_unlock_again_after_lock(qtbot: QtBot, shell: DeskShell, initialized: Workspace) -> None:
    shell.start()
    unlock(qtbot, shell)
    with qtbot.waitSignal(shell.locked, timeout=10_000):
        shell.lock()
    assert shell.gate.unlock_screen.login.text() == "admin"
    unlock(qtbot, shell)
    assert shell.main_window is not None and shell.main_window.isVisible()


def test_idle_auto_lock_after_the_timeout(
    qtbot: QtBot, shell: DeskShell, initialized: Workspace, mono: MonoClock
) -> None:
    shell.start()
    unlock(qtbot, shell)
    session = current_session(shell)
    mono.advance(IDLE_SECONDS - 1)
    qtbot.wait(5 * TICK_MS)  # a few ticks: not yet due
    assert shell.is_unlocked
    mono.advance(2)
    with qtbot.waitSignal(shell.locked, timeout=10_000):
        pass
    assert shell.main_window is None
    assert shell.gate.isVisible()
    screen = shell.gate.unlock_screen
    assert shell.gate.stack.currentWidget() is screen
    assert screen.notice.isVisibleTo(screen) and screen.notice.text()
    with pytest.raises(LockedError):
        session.users.list()


def test_user_input_postpones_the_idle_lock(
    qtbot: QtBot, shell: DeskShell, initialized: Workspace, mono: MonoClock
) -> None:
    shell.start()
    unlock(qtbot, shell)
    window = shell.main_window
    assert window is not None
    mono.advance(IDLE_SECONDS - 10)
    qtbot.keyClick(window, Qt.Key.Key_Shift)  # any input counts as activity
    mono.advance(IDLE_SECONDS - 10)
    qtbot.wait(5 * TICK_MS)
    assert shell.is_unlocked
    qtbot.mouseMove(window.centralWidget())
    qtbot.mouseClick(window.centralWidget(), Qt.MouseButton.LeftButton)
    assert shell.idle.policy.remaining() == pytest.approx(IDLE_SECONDS)
    mono.advance(IDLE_SECONDS + 1)
    with qtbot.waitSignal(shell.locked, timeout=10_000):
        pass


def test_no_idle_checks_while_locked(qtbot: QtBot, shell: DeskShell, initialized: Workspace) -> None:
    shell.start()
    assert not shell.idle.active
    unlock(qtbot, shell)
    assert shell.idle.active
    with qtbot.waitSignal(shell.locked, timeout=10_000):
        shell.lock()
    assert not shell.idle.active


def test_setup_when_another_window_set_up_the_store_meanwhile_goes_to_unlock(
    qtbot: QtBot, shell: DeskShell, workspace: Workspace
) -> None:
    shell.start()
    setup = shell.gate.setup_screen
    workspace.initialize("admin", ADMIN_PW)  # e.g. the CLI, after this window opened
    choose_unit(qtbot, setup, "PS-JD-PS")
    setup.login.edit.setText("wangli")
    setup.password.edit.setText(ADMIN_PW)
    setup.password2.edit.setText(ADMIN_PW)
    click(qtbot, setup.create_button)
    screen = shell.gate.unlock_screen
    qtbot.waitUntil(lambda: shell.gate.stack.currentWidget() is screen, timeout=10_000)
    assert screen.notice.isVisibleTo(screen) and screen.notice.text()
    assert setup.password.text() == ""


def test_the_recovery_code_can_be_printed(
    qtbot: QtBot, shell: DeskShell, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtPrintSupport import QPrinter

    import ui.desk.recovery_page

    pdf = tmp_path / "code.pdf"

    def to_pdf(parent: object) -> QPrinter:
        printer = QPrinter()
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(pdf))
        return printer

    monkeypatch.setattr(ui.desk.recovery_page, "ask_printer", to_pdf)
    page = shell.gate.recovery_page
    page.show_code("ABCD-EFGH-IJKL-MNOP-QRST")
    click(qtbot, page.print_button)
    assert pdf.read_bytes().startswith(b"%PDF")
    monkeypatch.setattr(ui.desk.recovery_page, "ask_printer", lambda parent: None)  # cancelled: nothing
    click(qtbot, page.print_button)


def test_closing_during_an_unlock_locks_the_session_it_opens(
    qtbot: QtBot, shell: DeskShell, initialized: Workspace, data_dir: Path
) -> None:
    import threading

    shell.start()
    hold = threading.Event()
    shell.ops.run_db(lambda t: hold.wait(5))  # keep the DB worker busy so the unlock is still queued/running
    screen = shell.gate.unlock_screen
    screen.login.edit.setText("admin")
    screen.password.edit.setText(ADMIN_PW)
    click(qtbot, screen.unlock_button)
    shell.shutdown()  # the app is closing
    hold.set()
    shell.ops.shutdown()
    assert not shell.is_unlocked
    Workspace(data_dir, kdf=FAST_KDF).unlock("admin", ADMIN_PW).lock()  # nothing holds the store open
