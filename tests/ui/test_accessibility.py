"""Every input and button has an accessible name; tab order follows the form; Enter submits."""

from __future__ import annotations

import itertools

from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import QAbstractButton, QLineEdit, QWidget
from pytestqt.qtbot import QtBot

from fzmediate.services.workspace import Workspace
from tests.support import ADMIN_PW
from ui.desk.shell import DeskShell


def unnamed_controls(root: QWidget) -> list[str]:
    missing = []
    for w in root.findChildren(QWidget):
        if isinstance(w, (QLineEdit, QAbstractButton)) and not w.accessibleName():
            missing.append("{0} {1!r}".format(type(w).__name__, getattr(w, "text", lambda: "")()))
    return missing


def test_every_input_and_button_is_named(qtbot: QtBot, shell: DeskShell, initialized: Workspace) -> None:
    shell.start()
    for page in (shell.gate.setup_screen, shell.gate.recovery_page, shell.gate.unlock_screen):
        assert unnamed_controls(page) == [], type(page).__name__
    screen = shell.gate.unlock_screen
    iface = QAccessible.queryAccessibleInterface(screen.password.edit)
    assert iface is not None and iface.text(QAccessible.Text.Name) == screen.password.label.text()

    screen.login.edit.setText("admin")
    screen.password.edit.setText(ADMIN_PW)
    with qtbot.waitSignal(shell.unlocked, timeout=10_000):
        screen.submit()
    assert shell.main_window is not None
    assert unnamed_controls(shell.main_window) == []


def next_tab_stop(widget: QWidget) -> QWidget:
    """The next widget that Tab moves to (the focus chain, skipping widgets that take no tab focus)."""
    w = widget.nextInFocusChain()
    while not (w.focusPolicy() & Qt.FocusPolicy.TabFocus) or not w.isEnabled():
        w = w.nextInFocusChain()
    return w


def test_tab_order_follows_the_forms(shell: DeskShell) -> None:
    setup = shell.gate.setup_screen
    chain = [
        setup.login.edit,
        setup.full_name.edit,
        setup.password.edit,
        setup.password2.edit,
        setup.unit,
        setup.create_button,
    ]
    for a, b in itertools.pairwise(chain):
        assert next_tab_stop(a) is b
    unlock = shell.gate.unlock_screen
    assert next_tab_stop(unlock.login.edit) is unlock.password.edit
    assert next_tab_stop(unlock.password.edit) is unlock.unlock_button


def test_enter_in_the_password_field_unlocks(qtbot: QtBot, shell: DeskShell, initialized: Workspace) -> None:
    shell.start()
    screen = shell.gate.unlock_screen
    screen.login.edit.setText("admin")
    qtbot.keyClick(screen.login.edit, Qt.Key.Key_Return)  # Enter in the user name moves on
    assert not screen.busy.isVisibleTo(screen)
    qtbot.keyClicks(screen.password.edit, ADMIN_PW)
    with qtbot.waitSignal(shell.unlocked, timeout=10_000):
        qtbot.keyClick(screen.password.edit, Qt.Key.Key_Return)


def test_enter_submits_the_setup_form(qtbot: QtBot, shell: DeskShell, workspace: Workspace) -> None:
    shell.start()
    setup = shell.gate.setup_screen
    setup.login.edit.setText("wangli")
    setup.password.edit.setText(ADMIN_PW)
    setup.password2.edit.setText(ADMIN_PW)
    qtbot.waitUntil(lambda: setup.unit.findData("PS-JD-PS") >= 0, timeout=10_000)
    setup.unit.setCurrentIndex(setup.unit.findData("PS-JD-PS"))
    qtbot.keyClick(setup.password2.edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: shell.gate.stack.currentWidget() is shell.gate.recovery_page, timeout=10_000)
