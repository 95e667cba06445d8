"""An administrator who unlocks sees at once which roles fail their signature check (tampered user rows)."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from fzmediate.services.workspace import Workspace
from tests.security.insider import raw_db
from tests.support import ADMIN_PW, MEDIATOR_PW
from tests.ui.test_desk_flow import unlock
from ui.desk.shell import DeskShell


def test_a_tampered_role_is_named_to_the_administrator(qtbot: QtBot, shell: DeskShell, workspace: Workspace) -> None:
    workspace.initialize("admin", ADMIN_PW)
    with workspace.unlock("admin", ADMIN_PW) as s:
        s.users.add("med1", "mediator", MEDIATOR_PW)
    with raw_db(workspace.paths.root, "med1", MEDIATOR_PW) as db:
        db.execute("UPDATE users SET role = 'supervisor' WHERE login = 'med1'")
    shell.start()
    unlock(qtbot, shell)
    window = shell.main_window
    assert window is not None
    label = window.trust_label
    assert label.isVisibleTo(window) and "med1" in label.text()
    assert label.accessibleName()
    shell.lock()
