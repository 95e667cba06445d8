"""The main window builds Today and the case list at unlock; Supervision and Settings are built when first shown
(a shorter first unlock), and what the settings page asks of the shell (idle lock, lock after a restore) still
reaches it through the window."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from fzmediate.services.workspace import Workspace
from tests.support import ADMIN_PW
from tests.ui.desk_support import WAIT_MS
from ui.desk.main_window import CASES, SETTINGS, SUPERVISOR, TODAY, MainWindow
from ui.desk.settings_page import SettingsPage
from ui.desk.shell import DeskShell
from ui.desk.supervisor_page import SupervisorPage


def unlocked_window(qtbot: QtBot, shell: DeskShell) -> MainWindow:
    """The administrator (a supervisor too: every page) signed in through the unlock screen."""
    shell.start()
    screen = shell.gate.unlock_screen
    screen.login.edit.setText("admin")
    screen.password.edit.setText(ADMIN_PW)
    with qtbot.waitSignal(shell.unlocked, timeout=WAIT_MS):
        screen.unlock_button.click()
    window = shell.main_window
    assert window is not None and window.isVisible()
    return window


def test_pages_not_shown_yet_are_built_when_first_shown(qtbot: QtBot, shell: DeskShell, initialized: Workspace) -> None:
    window = unlocked_window(qtbot, shell)
    assert list(window.pages) == [TODAY, CASES, SUPERVISOR, SETTINGS]
    assert [window.nav.item(i).text() for i in range(window.nav.count())] == [
        window.pages[TODAY].page_title(),
        window.pages[CASES].page_title(),
        SupervisorPage.title(),
        SettingsPage.title(),
    ]
    assert SETTINGS in window.pages and SUPERVISOR in window.pages  # asking does not build them
    assert window.findChildren(SettingsPage) == [] and window.findChildren(SupervisorPage) == []

    window.show_page(SETTINGS)
    (settings,) = window.findChildren(SettingsPage)
    assert window.stack.currentWidget() is settings and settings.isVisible()
    assert window.pages[SETTINGS] is settings  # built once
    window.show_page(SUPERVISOR)
    (supervision,) = window.findChildren(SupervisorPage)
    assert window.stack.currentWidget() is supervision and window.pages[SUPERVISOR] is supervision
    window.show_page(CASES)
    assert window.stack.currentWidget() is window.case_tabs
    window.show_page(SETTINGS)
    assert window.findChildren(SettingsPage) == [settings]


def test_the_idle_lock_chosen_in_a_lazily_built_settings_page_reaches_the_shell(
    qtbot: QtBot, shell: DeskShell, initialized: Workspace
) -> None:
    window = unlocked_window(qtbot, shell)
    window.show_page(SETTINGS)
    page = window.pages[SETTINGS]
    assert isinstance(page, SettingsPage)
    page.appearance.idle_minutes.setValue(12)
    qtbot.waitUntil(lambda: shell.settings.idle_lock_seconds == 720, timeout=WAIT_MS)
    assert shell.idle.policy.remaining() == pytest.approx(720)


def test_a_lock_asked_by_the_settings_page_locks_with_its_notice(
    qtbot: QtBot, shell: DeskShell, initialized: Workspace
) -> None:
    window = unlocked_window(qtbot, shell)
    page = window.pages[SETTINGS]  # built on first use, as when shown
    assert isinstance(page, SettingsPage)
    with qtbot.waitSignal(shell.locked, timeout=WAIT_MS):
        page.lock_requested.emit("The backup was restored.")
    assert shell.main_window is None and shell.gate.isVisible()
    assert shell.gate.unlock_screen.notice.text() == "The backup was restored."
