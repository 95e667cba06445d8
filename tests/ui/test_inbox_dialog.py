"""The kiosk applications window: import a file, masked list, reject with a reason beside the field, register
through the intake form pre-filled; Today's applications section and the Cases menu reach it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from fzmediate.i18n import _
from fzmediate.services.intake_inbox import IntakeInbox
from tests.cases_support import intake
from tests.kiosk_support import MEDIATOR, Desk, make_desk, make_kiosk
from tests.support import KIOSK_PW, FakeClock
from tests.ui.desk_support import WAIT_MS, close, in_store, sign_in
from tests.ui.fit import clipped_texts
from ui.desk.inbox_dialog import InboxDialog, RejectDialog
from ui.desk.intake.intake_dialog import IntakeDialog
from ui.desk.main_window import MainWindow
from ui.desk.page import DeskEnv
from ui.ops import Ops


@pytest.fixture
def office(tmp_path: Path, clock: FakeClock) -> Desk:
    return make_desk(tmp_path, clock)


@pytest.fixture
def applications_file(tmp_path: Path, clock: FakeClock, office: Desk) -> Path:
    kiosk = make_kiosk(tmp_path, clock, office)
    with kiosk.open(KIOSK_PW) as k:
        for name in ("王𠮷", "张䶮"):
            data = intake()
            del data["received_on"]
            data["parties"][0]["name"] = name
            k.submit_application(data)
        k.export_applications(tmp_path / "apps.json")
    return tmp_path / "apps.json"


@pytest.fixture
def env(qtbot: QtBot, ops: Ops, office: Desk) -> Iterator[DeskEnv]:
    env = sign_in(qtbot, office.ws, ops, *MEDIATOR)
    yield env
    close(qtbot, env)


def test_import_list_masked_and_reject_with_a_reason(qtbot: QtBot, env: DeskEnv, applications_file: Path) -> None:
    dialog = InboxDialog(env)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.status.text() == _("No applications are waiting."), timeout=WAIT_MS)
    assert not dialog.register_button.isEnabled() and dialog.register_button.accessibleDescription()

    dialog.import_path(str(applications_file))
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 2, timeout=WAIT_MS)
    shown = {dialog.table.item(r, 3).text() for r in range(2)}
    assert shown == {"王某", "张某"}  # masked: never the full name in the list
    assert clipped_texts(dialog) == []

    dialog.table.selectRow(0)
    assert dialog.register_button.isEnabled() and dialog.reject_button.isEnabled()
    asked = RejectDialog("X", dialog)
    asked.reject_button.click()  # no reason: refused beside the field, the dialog stays
    assert asked.reason.error_text() == _("Give the reason for rejecting the application.")
    assert asked.isVisible() or asked.result() == 0
    asked.close()

    target = dialog.selected()
    assert target is not None
    dialog.reject_entry(target.application_id, "该纠纷已向人民法院起诉")
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 1, timeout=WAIT_MS)
    rejected = in_store(qtbot, env, lambda s: IntakeInbox(s).list("rejected"))
    assert [e.application_id for e in rejected] == [target.application_id]


def test_register_opens_the_intake_form_prefilled(qtbot: QtBot, env: DeskEnv, applications_file: Path) -> None:
    in_store(qtbot, env, lambda s: IntakeInbox(s).import_file(applications_file))
    window = MainWindow(env.actor, env.context, settings=env.settings)
    qtbot.addWidget(window)
    window.show()
    assert window.inbox_action.isEnabled()
    window.inbox_action.trigger()
    dialog = window.findChild(InboxDialog)
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 2, timeout=WAIT_MS)
    dialog.table.selectRow(0)
    dialog.register_button.click()
    qtbot.waitUntil(lambda: window.findChild(IntakeDialog) is not None, timeout=WAIT_MS)
    form = window.findChild(IntakeDialog)
    assert form is not None and form.application_id == dialog.selected().application_id  # type: ignore[union-attr]
    form.close()
    window.close_quietly()
