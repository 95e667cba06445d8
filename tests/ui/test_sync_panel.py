"""The sync panel of Settings, the status bar's indicator and the conflicts dialog on a real store, talking to
the fake district server (tests/sync/fake_server.py): not enrolled, sync now, offline (no dialog), a conflict
that a sync created, settled by a supervisor (audited, gone from the list), refused to a mediator, no clipped
text at 175 %."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox, QVBoxLayout, QWidget

from fzmediate.desk import sync as desk_sync
from fzmediate.i18n import _, ngettext
from fzmediate.services.workspace import Workspace
from tests.cases_support import intake
from tests.documents import case_lifecycles as life
from tests.support import ADMIN_PW, FakeClock
from tests.sync.fake_server import CODE, FakeServer
from tests.sync.test_pull import _foreign_patch
from tests.ui.desk_support import WAIT_MS, close, in_store, sign_in
from tests.ui.fit import clipped_texts, text_size
from ui.desk.page import DeskEnv
from ui.desk.settings.sync_enroll_dialog import EnrollDialog
from ui.desk.settings.sync_panel import SyncPanel
from ui.desk.sync_conflicts_dialog import ConflictsDialog
from ui.desk.sync_status import SyncIndicator, controller
from ui.ops import Ops

URL = "http://district.test"


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch, clock: FakeClock) -> FakeServer:
    server = FakeServer(clock=clock)
    monkeypatch.setattr(desk_sync, "transport", server.transport)
    monkeypatch.setattr(desk_sync, "DESK_WAIT_CAP_S", 0.0)
    return server


@pytest.fixture
def enrolled_env(qtbot: Any, ops: Ops, staffed: Workspace, fake: FakeServer) -> Iterator[DeskEnv]:
    """The supervisor signed in on a desk an administrator enrolled with the fake server."""
    from fzmediate.sync.client import enroll

    with staffed.unlock("admin", ADMIN_PW) as s:
        enroll(s, URL, CODE, transport=fake.transport())
    env = sign_in(qtbot, staffed, ops, *life.SUPERVISOR)
    yield env
    close(qtbot, env)


def panel_for(qtbot: Any, env: DeskEnv) -> SyncPanel:
    panel = SyncPanel(env)
    qtbot.addWidget(panel)
    panel.resize(760, 400)
    panel.show()
    panel.reload()
    qtbot.waitUntil(lambda: panel.sync.view is not None, timeout=WAIT_MS)
    return panel


def no_message_box() -> bool:
    return not any(isinstance(w, QMessageBox) and w.isVisible() for w in QApplication.topLevelWidgets())


def test_a_desk_not_enrolled_says_so_and_only_an_administrator_may_enroll(qtbot: Any, desk_env: DeskEnv) -> None:
    panel = panel_for(qtbot, desk_env)
    assert panel.status.text() == _("Not enrolled")
    assert not panel.sync_button.isEnabled() and not panel.enroll_button.isEnabled()
    assert panel.enroll_button.toolTip() == _("An administrator enrolls the desk with the district server.")
    assert not panel.conflicts_button.isEnabled()
    for w in (panel.sync_button, panel.enroll_button, panel.conflicts_button, panel.progress.bar):
        assert w.accessibleName()


def test_an_administrator_enrolls_and_syncs_now(qtbot: Any, ops: Ops, staffed: Workspace, fake: FakeServer) -> None:
    env = sign_in(qtbot, staffed, ops, "admin", ADMIN_PW)
    try:
        panel = panel_for(qtbot, env)
        assert panel.enroll_button.isEnabled()
        panel.enroll()
        dialog = panel.dialog
        assert dialog is not None
        dialog.server.edit.setText("district.test")  # type: ignore[attr-defined]
        dialog.code.edit.setText(CODE)  # type: ignore[attr-defined]
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
        qtbot.waitUntil(lambda: bool(dialog.server.error_text()), timeout=WAIT_MS)  # type: ignore[attr-defined]
        dialog.server.edit.setText("https://district.test")  # type: ignore[attr-defined]
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
        # An https server is trusted only through the district CA: its file is asked for, nothing is sent.
        qtbot.waitUntil(lambda: bool(dialog.ca.error_text()), timeout=WAIT_MS)  # type: ignore[attr-defined]
        assert "/v1/enroll" not in fake.requests
        dialog.server.edit.setText(URL)  # type: ignore[attr-defined]
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
        qtbot.waitUntil(lambda: panel.sync.view is not None and panel.sync.view.enrolled, timeout=WAIT_MS)
        assert not dialog.isVisible() and not panel.enroll_button.isVisible()
        assert "PS-JD-PS" in panel.details.text()
        assert panel.sync_button.isEnabled()
        qtbot.mouseClick(panel.sync_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: panel.status.text() == _("Up to date"), timeout=WAIT_MS)
        assert "/v1/sync/anchor" in fake.requests
    finally:
        close(qtbot, env)


def test_offline_is_shown_as_offline_with_the_last_sync_never_as_an_error_dialog(
    qtbot: Any, enrolled_env: DeskEnv, fake: FakeServer
) -> None:
    panel = panel_for(qtbot, enrolled_env)
    indicator = SyncIndicator(enrolled_env)
    qtbot.addWidget(indicator)
    assert panel.sync.sync_now()
    qtbot.waitUntil(lambda: panel.status.text() == _("Up to date"), timeout=WAIT_MS)
    fake.faults.extend(["network"] * desk_sync.DESK_ATTEMPTS)
    qtbot.waitUntil(lambda: not enrolled_env.ops.busy, timeout=WAIT_MS)  # the background sync waits for idle
    assert controller(enrolled_env).background_sync()  # enrolled and idle: the timer's sync runs
    qtbot.waitUntil(lambda: panel.sync.failure is not None, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: panel.status.text().startswith(_("Offline — last sync {when}").split("{")[0]))
    assert no_message_box() and not panel.problem.isVisible()
    assert indicator.text.text() == _("Sync: {state}").format(state=panel.status.text())
    assert indicator.icon.pixmap() is not None and not indicator.icon.pixmap().isNull()  # not colour alone


def _make_conflict(env: DeskEnv, fake: FakeServer, qtbot: Any) -> str:
    """A case synced, then changed here and on another desk: the next sync records the conflict."""
    from fzmediate.store.models import Case
    from fzmediate.store.outbox import Change, Op, append_changes

    def create(session: Any) -> str:
        case_id: str = session.cases.create(intake(), confirm_duplicate=True).id
        return case_id

    case_id: str = in_store(qtbot, env, create)
    sync = controller(env)
    assert sync.sync_now()
    qtbot.waitUntil(lambda: not sync.running, timeout=WAIT_MS)
    fake.entities[("case", case_id)]["summary"] = "他处修改"
    _foreign_patch(fake, case_id, {"summary": {"old": "物业服务费纠纷", "new": "他处修改"}}, 1)

    def edit(session: Any) -> None:
        with session.write("test.local_edit", "case", case_id) as s:
            row = s.get(Case, case_id)
            row.summary, row.version = "本地修改", 2
            patch = {"summary": {"old": "物业服务费纠纷", "new": "本地修改"}}
            append_changes(
                s, [Change("case", case_id, Op.PATCH, 2, patch, 1)], device_id=session.device_id,
                actor="sup1", at=session.now(),
            )  # fmt: skip

    in_store(qtbot, env, edit)
    return case_id


def test_a_conflict_a_sync_created_is_settled_by_a_supervisor(
    qtbot: Any, enrolled_env: DeskEnv, fake: FakeServer
) -> None:
    panel = panel_for(qtbot, enrolled_env)
    case_id = _make_conflict(enrolled_env, fake, qtbot)
    qtbot.mouseClick(panel.sync_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.conflicts_button.isEnabled(), timeout=WAIT_MS)
    assert panel.status.text() == ngettext("{n} conflict", "{n} conflicts", 2).format(n=2)
    qtbot.mouseClick(panel.conflicts_button, Qt.MouseButton.LeftButton)
    dialog = panel.dialog
    assert isinstance(dialog, ConflictsDialog)
    qtbot.waitUntil(lambda: dialog.loaded, timeout=WAIT_MS)
    assert dialog.model.rowCount() == 2
    row = dialog.current()
    assert row is not None and row.case_id == case_id and row.field == "summary"
    assert "本地修改" in dialog.mine.text() and "他处修改" in dialog.theirs.text()
    assert not dialog.keep_button.isEnabled()  # a reason first
    assert dialog.keep_button.toolTip() == _("Give a reason for the decision first.")
    dialog.reason.setText("本机的摘要与申请书一致")
    assert dialog.keep_button.isEnabled() and dialog.take_button.isEnabled()
    qtbot.mouseClick(dialog.keep_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.loaded and dialog.model.rowCount() == 0 and bool(dialog.settled), timeout=WAIT_MS)
    assert dialog.empty.isVisible() and dialog.notice.isVisible()

    def audited(session: Any) -> list[str]:
        from sqlalchemy import select

        from fzmediate.store.models import AuditEvent

        with session.read() as s:
            return list(s.scalars(select(AuditEvent.details).where(AuditEvent.action == "sync.resolve")))

    [details] = in_store(qtbot, enrolled_env, audited)
    assert "summary" in details and "本地修改" not in details and "申请书" not in details
    qtbot.waitUntil(lambda: not panel.conflicts_button.isEnabled(), timeout=WAIT_MS)
    assert panel.sync.sync_now()
    qtbot.waitUntil(lambda: panel.status.text() == _("Up to date"), timeout=WAIT_MS)
    assert fake.entities[("case", case_id)]["summary"] == "本地修改"


def test_a_mediator_sees_the_conflicts_but_may_not_settle_them(
    qtbot: Any, ops: Ops, staffed: Workspace, fake: FakeServer
) -> None:
    from fzmediate.sync.client import enroll

    with staffed.unlock("admin", ADMIN_PW) as s:
        enroll(s, URL, CODE, transport=fake.transport())
    env = sign_in(qtbot, staffed, ops, *life.MEDIATOR)
    try:
        _make_conflict(env, fake, qtbot)
        sync = controller(env)
        assert sync.sync_now()
        qtbot.waitUntil(lambda: not sync.running and sync.view is not None and sync.view.open_conflicts > 0)
        dialog = ConflictsDialog(env)
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitUntil(lambda: dialog.loaded, timeout=WAIT_MS)
        assert dialog.model.rowCount() == 2
        assert dialog.who_may.isVisible() and not dialog.reason.isEnabled()
        for b in (dialog.keep_button, dialog.take_button):
            assert not b.isEnabled() and b.toolTip() and b.accessibleName()
    finally:
        close(qtbot, env)


@pytest.mark.parametrize("percent", [100, 175])
def test_no_text_is_clipped(
    qtbot: Any, app: QApplication, enrolled_env: DeskEnv, fake: FakeServer, percent: int
) -> None:
    _make_conflict(enrolled_env, fake, qtbot)
    sync = controller(enrolled_env)
    assert sync.sync_now()
    qtbot.waitUntil(lambda: not sync.running and sync.view is not None and sync.view.open_conflicts > 0)
    with text_size(app, percent):
        holder = QWidget()
        qtbot.addWidget(holder)
        panel = SyncPanel(enrolled_env, holder)
        QVBoxLayout(holder).addWidget(panel)
        panel.reload()
        holder.resize(760, 600)
        holder.show()
        qtbot.waitUntil(lambda: panel.conflicts_button.isEnabled(), timeout=WAIT_MS)
        qtbot.wait(50)
        assert clipped_texts(panel) == []
        dialog = ConflictsDialog(enrolled_env)
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitUntil(lambda: dialog.loaded, timeout=WAIT_MS)
        qtbot.wait(50)
        assert clipped_texts(dialog) == []
        enroll = EnrollDialog(enrolled_env)
        qtbot.addWidget(enroll)
        enroll.show()
        enroll.ca.set_error(_("District CA certificate: the file cannot be read as a certificate (PEM)."))
        qtbot.wait(50)
        assert clipped_texts(enroll) == []
