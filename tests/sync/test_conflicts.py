"""Settling sync conflicts on the desk (fzmediate.sync.conflicts): the chosen value is written here, queued as a
patch and audited without values; the conflict (and any other about the same field) is closed; a mediator may
not; the list masks personal values; and a decision made here reaches the fake server at the next sync."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import select

from fzmediate.errors import PermissionDenied, ValidationError
from fzmediate.security.masking import mask_name
from fzmediate.services.session import Session
from fzmediate.services.workspace import Workspace
from fzmediate.store.models import AuditEvent, Case, OutboxEntry, PartyRow, SyncConflict
from fzmediate.sync.client import sync
from fzmediate.sync.conflicts import open_conflicts, resolve
from tests.cases_support import intake, organization, person
from tests.documents import case_lifecycles as life
from tests.support import ADMIN_PW
from tests.sync.fake_server import FakeServer
from tests.sync.test_pull import _foreign_patch

LOCAL_NAME = "欧阳娜娜"
SERVER_NAME = "欧阳娜"


def _party(session: Session) -> tuple[str, str, int]:
    """A new case with a named applicant: (case id, the applicant's party id, its version)."""
    case_id = session.cases.create(intake(parties=[person(name=LOCAL_NAME), organization()]), confirm_duplicate=True).id
    with session.read() as s:
        row = s.scalars(select(PartyRow).where(PartyRow.case_id == case_id).order_by(PartyRow.position)).first()
        assert row is not None
        return case_id, row.id, row.version


def _conflict(session: Session, entity: str, entity_id: str, field: str, **values: Any) -> str:
    conflict_id = "c-{0}-{1}".format(entity_id, values.pop("suffix", field))
    with session.db.unit_of_work() as s:
        s.add(
            SyncConflict(
                conflict_id=conflict_id,
                origin=values.pop("origin", "local"),
                entity=entity,
                entity_id=entity_id,
                field=field,
                base_value=values.pop("base", "王某"),
                server_value=values.pop("server", SERVER_NAME),
                client_value=values.pop("client", LOCAL_NAME),
                server_device="other-device",
                client_device=session.device_id,
                server_actor="med9",
                client_actor="admin",
                created_at=datetime(2026, 11, 30, 8, 0),
            )
        )
    return conflict_id


def _outbox(session: Session, entity_id: str) -> list[tuple[str, int | None, int, dict[str, Any]]]:
    """(op, base_version, version, payload) of the entity's outbox rows, oldest first."""
    with session.read() as s:
        rows = s.scalars(select(OutboxEntry).where(OutboxEntry.entity_id == entity_id).order_by(OutboxEntry.device_seq))
        return [(r.op, r.base_version, r.version, dict(r.payload)) for r in rows]


def _events(session: Session, action: str) -> list[tuple[str, str, str]]:
    """(object_type, object_id, details) of the audit events of ``action``."""
    with session.read() as s:
        rows = s.scalars(select(AuditEvent).where(AuditEvent.action == action))
        return [(e.object_type, e.object_id, e.details) for e in rows]


@pytest.fixture
def admin(initialized: Workspace) -> Any:
    with initialized.unlock("admin", ADMIN_PW) as s:
        yield s


def test_taking_theirs_writes_the_value_queues_a_patch_audits_and_closes(admin: Session) -> None:
    case_id, party_id, version = _party(admin)
    conflict_id = _conflict(admin, "party", party_id, "name")
    result = resolve(admin, conflict_id, "theirs", "  申请人身份证上的姓名  ")
    assert (result.closed, result.queued, result.case_id) == ((conflict_id,), True, case_id)
    with admin.read() as s:
        row = s.get(PartyRow, party_id)
        assert row is not None and (row.name, row.version) == (SERVER_NAME, version + 1)
        conflict = s.get(SyncConflict, conflict_id)
        assert conflict is not None and conflict.resolved_at is not None and conflict.resolved_by == "admin"
        assert conflict.resolution == {"choice": "theirs", "reason": "申请人身份证上的姓名", "decided_in": conflict_id}
    assert _outbox(admin, party_id)[-1] == (
        "patch", version, version + 1, {"name": {"old": LOCAL_NAME, "new": SERVER_NAME}}
    )  # fmt: skip
    [(kind, object_id, details)] = _events(admin, "sync.resolve")
    assert (kind, object_id) == ("party", party_id)
    assert json.loads(details) == {"conflict": conflict_id, "field": "name", "choice": "theirs"}
    assert LOCAL_NAME not in details and SERVER_NAME not in details and "身份证" not in details
    assert open_conflicts(admin) == ()
    # The search follows the record: the server's name finds the case now.
    assert [c.id for c in admin.cases.search(SERVER_NAME)] == [case_id]


def test_keeping_mine_sends_this_desks_value_as_a_change_from_the_servers(admin: Session) -> None:
    _case_id, party_id, version = _party(admin)
    conflict_id = _conflict(admin, "party", party_id, "name")
    result = resolve(admin, conflict_id, "mine", "本机核对过证件")
    assert result.queued
    with admin.read() as s:
        row = s.get(PartyRow, party_id)
        assert row is not None and (row.name, row.version) == (LOCAL_NAME, version + 1)
    assert _outbox(admin, party_id)[-1] == (
        "patch", version, version + 1, {"name": {"old": SERVER_NAME, "new": LOCAL_NAME}}
    )  # fmt: skip


def test_a_mediator_may_not_settle_a_conflict(staffed_admin: tuple[Workspace, str]) -> None:
    ws, conflict_id = staffed_admin
    with ws.unlock(*life.MEDIATOR) as med:
        assert len(open_conflicts(med)) == 1  # seeing them is fine
        with pytest.raises(PermissionDenied):
            resolve(med, conflict_id, "theirs", "试一下")
        with med.read() as s:
            conflict = s.get(SyncConflict, conflict_id)
            assert conflict is not None and conflict.resolved_at is None
    with ws.unlock(*life.SUPERVISOR) as sup:
        assert resolve(sup, conflict_id, "theirs", "主管决定").closed == (conflict_id,)


@pytest.fixture
def staffed_admin(initialized: Workspace) -> tuple[Workspace, str]:
    life.staff(initialized)
    with initialized.unlock("admin", ADMIN_PW) as s:
        _case_id, party_id, _version = _party(s)
        return initialized, _conflict(s, "party", party_id, "name")


def test_a_reason_is_required_and_a_settled_conflict_cannot_be_settled_again(admin: Session) -> None:
    _case_id, party_id, _version = _party(admin)
    conflict_id = _conflict(admin, "party", party_id, "name")
    with pytest.raises(ValidationError) as refused:
        resolve(admin, conflict_id, "theirs", "   ")
    assert refused.value.field == "reason"
    with pytest.raises(ValidationError):
        resolve(admin, conflict_id, "whatever", "理由")
    resolve(admin, conflict_id, "theirs", "理由")
    with pytest.raises(ValidationError):
        resolve(admin, conflict_id, "mine", "再来一次")
    assert len(_events(admin, "sync.resolve")) == 1


def test_one_decision_closes_every_open_conflict_about_the_same_field(admin: Session) -> None:
    _case_id, party_id, _version = _party(admin)
    first = _conflict(admin, "party", party_id, "name", origin="server", suffix="server")
    second = _conflict(admin, "party", party_id, "name", suffix="local")
    other = _conflict(admin, "party", party_id, "phone", server="13900000000", client="13911111111", base="")
    result = resolve(admin, second, "theirs", "以服务器为准")
    assert set(result.closed) == {first, second}
    assert [c.conflict_id for c in open_conflicts(admin)] == [other]


def test_a_whole_record_conflict_can_only_be_closed_keeping_this_desks_state(admin: Session) -> None:
    _party(admin)
    conflict_id = _conflict(admin, "party", "not-here", "*", server={"case_id": "x", "name": SERVER_NAME}, client=None)
    [view] = open_conflicts(admin)
    assert not view.applicable and view.reason and view.theirs.value.startswith(("一条完整记录", "a whole record"))
    assert SERVER_NAME not in view.theirs.value
    before = len(_outbox(admin, "not-here"))
    with pytest.raises(ValidationError):
        resolve(admin, conflict_id, "theirs", "理由")
    result = resolve(admin, conflict_id, "mine", "本机没有这条记录")
    assert not result.queued and len(_outbox(admin, "not-here")) == before
    assert len(_events(admin, "sync.resolve")) == 1


def test_the_list_masks_personal_values_and_names_the_case(admin: Session) -> None:
    case_id, party_id, _version = _party(admin)
    _conflict(admin, "party", party_id, "name")
    [view] = open_conflicts(admin)
    with admin.read() as s:
        number = s.scalar(select(Case.number).where(Case.id == case_id))
    assert (view.case_number, view.case_id, view.entity, view.field) == (number, case_id, "party", "name")
    assert view.personal and view.applicable
    assert (view.mine.value, view.theirs.value) == (mask_name(LOCAL_NAME), mask_name(SERVER_NAME))
    assert LOCAL_NAME not in repr(view) and SERVER_NAME not in repr(view)
    assert (view.mine.this_desk, view.theirs.this_desk, view.theirs.actor) == (True, False, "med9")


def test_a_decision_reaches_the_server_at_the_next_sync(enrolled: Session, server: FakeServer) -> None:
    from fzmediate.store.outbox import Change as OutboxChange
    from fzmediate.store.outbox import Op, append_changes

    case_id = enrolled.cases.create(intake(), confirm_duplicate=True).id
    sync(enrolled, transport=server.transport())
    server.entities[("case", case_id)]["summary"] = "他处修改"  # another desk changed it first
    _foreign_patch(server, case_id, {"summary": {"old": "物业服务费纠纷", "new": "他处修改"}}, 1)
    with enrolled.write("test.local_edit", "case", case_id) as s:  # and this desk too, offline
        row = s.get(Case, case_id)
        assert row is not None
        row.summary, row.version = "本地修改", 2
        patch = {"summary": {"old": "物业服务费纠纷", "new": "本地修改"}}
        append_changes(
            s, [OutboxChange("case", case_id, Op.PATCH, 2, patch, 1)], device_id=enrolled.device_id,
            actor="admin", at=enrolled.now(),
        )  # fmt: skip
    sync(enrolled, transport=server.transport())
    views = open_conflicts(enrolled)
    assert {v.origin for v in views} == {"server", "local"}
    result = resolve(enrolled, views[0].conflict_id, "mine", "本机的摘要更准确")
    assert len(result.closed) == 2 and open_conflicts(enrolled) == ()
    report = sync(enrolled, transport=server.transport())
    assert report.conflicts == 0 and report.errors == 0
    assert server.entities[("case", case_id)]["summary"] == "本地修改"
