"""Desk screens that take a new password or the recovery code: advice while typing (debounced, never
clipped), and a recovery reset from the unlock screen that forgives case and spacing and names the group."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from fzmediate.i18n import _
from fzmediate.security import keyslots as ks
from fzmediate.services.workspace import Workspace
from tests.support import ADMIN_PW, FAST_KDF, NEW_PW
from ui.desk.shell import DeskShell
from ui.desk.strength_hint import DEBOUNCE_MS


def fully_shown(label: QLabel) -> bool:
    """A word-wrapped label is tall enough for all its lines (nothing clipped)."""
    return label.isVisible() and label.wordWrap() and label.height() >= label.heightForWidth(label.width())


def test_setup_explains_why_a_password_is_too_weak_while_typing(qtbot: QtBot, shell: DeskShell) -> None:
    shell.start()
    setup = shell.gate.setup_screen
    qtbot.keyClicks(setup.login.edit, "wangli")
    qtbot.keyClicks(setup.password.edit, "qwertyuiop")
    assert setup.strength.timer.isActive()  # debounced: nothing scored on each key
    qtbot.waitUntil(lambda: setup.strength.advice() == _("Password: this is one of the most common passwords."))
    qtbot.waitUntil(lambda: fully_shown(setup.password.hint))

    setup.password.edit.clear()
    qtbot.keyClicks(setup.password.edit, "wangli-1990")
    qtbot.waitUntil(lambda: "user name" in setup.strength.advice() or "用户名" in setup.strength.advice())

    setup.password.edit.clear()
    qtbot.keyClicks(setup.password.edit, "Harbor-Violet")  # fine for a mediator, not for an administrator
    qtbot.waitUntil(
        lambda: (
            setup.strength.advice()
            == _("Password: an administrator needs a very hard to guess password; add another unrelated word.")
        ),
        timeout=2 * DEBOUNCE_MS + 2000,
    )
    setup.password.edit.clear()
    qtbot.keyClicks(setup.password.edit, ADMIN_PW)
    qtbot.waitUntil(lambda: setup.strength.advice() == _("Hard enough to guess."))


@pytest.fixture
def with_code(workspace: Workspace) -> tuple[Workspace, str]:
    return workspace, workspace.initialize("admin", ADMIN_PW).recovery_code


def test_recovery_reset_from_the_unlock_screen(
    qtbot: QtBot, shell: DeskShell, with_code: tuple[Workspace, str]
) -> None:
    workspace, code = with_code
    shell.start()
    gate = shell.gate
    gate.unlock_screen.login.edit.setText("admin")
    qtbot.mouseClick(gate.unlock_screen.forgot_button, Qt.MouseButton.LeftButton)
    page = gate.recovery_reset
    assert gate.stack.currentWidget() is page and page.login.text() == "admin"

    # A typo in group 3, typed in lower case with spaces: the page says which group to check.
    groups = code.lower().split("-")
    bad = groups[2][:-1] + ("x" if groups[2][-1] != "x" else "y")
    qtbot.keyClicks(page.code.edit, " ".join([*groups[:2], bad, *groups[3:]]))
    qtbot.waitUntil(lambda: page.code_hint.advice() == _("Recovery code: check group {n}.").format(n=3))
    assert fully_shown(page.code.hint)

    page.code.edit.setText(" ".join(groups))
    page.password.edit.setText(NEW_PW)
    page.password2.edit.setText(NEW_PW)
    with qtbot.waitSignal(page.recovered, timeout=10_000):
        qtbot.mouseClick(page.reset_button, Qt.MouseButton.LeftButton)
    assert gate.stack.currentWidget() is gate.recovery_page  # the new code, shown once
    new_code = gate.recovery_page.code()
    assert new_code and new_code != code and page.code.text() == "" and page.password.text() == ""
    Workspace(workspace.paths.root, kdf=FAST_KDF).unlock("admin", NEW_PW).lock()
    assert ks.normalize_recovery_code(new_code)


def test_recovery_reset_puts_each_refusal_on_its_field(
    qtbot: QtBot, shell: DeskShell, with_code: tuple[Workspace, str]
) -> None:
    workspace, code = with_code
    shell.start()
    shell.gate.unlock_screen.recovery_requested.emit("admin")
    page = shell.gate.recovery_reset
    page.code.edit.setText(ks.new_recovery_code())  # well formed, but not this store's
    page.password.edit.setText(NEW_PW)
    page.password2.edit.setText(NEW_PW)
    qtbot.mouseClick(page.reset_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(page.code.error_text()), timeout=10_000)
    assert page.password.error_text() == ""

    page.code.edit.setText(code)
    page.password.edit.setText("qwertyuiop")
    page.password2.edit.setText("qwertyuiop")
    qtbot.mouseClick(page.reset_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(page.password.error_text()), timeout=10_000)
    assert page.password.text() == ""  # a refused password is not kept in the field

    qtbot.mouseClick(page.back_button, Qt.MouseButton.LeftButton)
    assert shell.gate.stack.currentWidget() is shell.gate.unlock_screen
    assert page.code.text() == ""
    workspace.unlock("admin", ADMIN_PW).lock()  # nothing changed
