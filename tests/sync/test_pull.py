"""Pull: another desk's case arrives whole, a page and its cursor commit together, pages are idempotent, and a
field changed on both sides is kept in sync_conflicts."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from fzmediate.services.session import Session
from fzmediate.services.workspace import Workspace
from fzmediate.store.models import Case, CaseEventRow, OutboxEntry, PartyRow, SearchTerm, SyncConflict, SyncState
from fzmediate.sync import apply
from fzmediate.sync.client import apply_page, enroll, sync
from fzmediate.sync.protocol import BASE_PULL_LIMIT, Change, PullResponse
from tests.cases_support import intake, organization, person
from tests.support import ADMIN_PW, FAST_KDF, FakeClock
from tests.sync.fake_server import FakeServer

TABLES = (Case, PartyRow, CaseEventRow, SearchTerm, SyncConflict, OutboxEntry)


@pytest.fixture
def other_desk(tmp_path: Path, clock: FakeClock, server: FakeServer) -> Iterator[tuple[Session, str]]:
    """A second desk of the unit, enrolled, with one case pushed to the server: (its session, the case id)."""
    ws = Workspace(tmp_path / "other", kdf=FAST_KDF, clock=clock)
    ws.initialize("admin", ADMIN_PW, full_name="管理员", unit="PS-JD-PS")
    with ws.unlock("admin", ADMIN_PW) as s:
        case_id = s.cases.create(
            intake(parties=[person(name="欧阳娜娜"), organization(name="司马某物业管理有限公司")])
        ).id
        server.codes["OTHER-CODE-0000"] = "PS-JD-PS"
        enroll(s, "http://district.test", "OTHER-CODE-0000", transport=server.transport())
        sync(s, transport=server.transport())
        yield s, case_id


def _counts(session: Session) -> dict[str, int]:
    with session.read() as s:
        return {t.__tablename__: s.scalar(select(func.count()).select_from(t)) or 0 for t in TABLES}


def _after(session: Session) -> int:
    with session.read() as s:
        state = s.get(SyncState, 1)
        assert state is not None
        return state.after


def test_another_desks_case_arrives_whole_and_searchable_without_outbox_rows(
    initialized: Workspace, enrolled: Session, server: FakeServer, other_desk: tuple[Session, str]
) -> None:
    _other, case_id = other_desk
    outbox_before = _counts(enrolled)["outbox"]
    report = sync(enrolled, transport=server.transport())
    assert (report.pulled, report.conflicts, report.errors) == (4, 0, 0)
    detail = enrolled.cases.get(case_id)
    assert {p.name for p in detail.parties} == {"欧阳娜娜", "司马某物业管理有限公司"}
    assert [c.id for c in enrolled.cases.search("欧阳")] == [case_id]
    assert _counts(enrolled)["outbox"] == outbox_before  # pulled rows are not sent back
    assert _after(enrolled) == len(server.log)
    assert set(server.pull_limits) == {BASE_PULL_LIMIT}  # a server that does not say it serves more (no FZ-Pull-Max)
    # The foreign event names the other desk as its device; unlock and the full check still pass.
    with enrolled.read() as s:
        devices = set(s.scalars(select(CaseEventRow.device).where(CaseEventRow.case_id == case_id)))
    assert devices == {_other.device_id}
    enrolled.lock()
    with initialized.unlock("admin", ADMIN_PW) as again:
        assert again.maintenance.check().ok


def test_a_page_and_its_cursor_commit_together_and_a_page_twice_changes_nothing(
    enrolled: Session, server: FakeServer, other_desk: tuple[Session, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    before = _counts(enrolled)

    def fail(*_args: Any, **_kw: Any) -> int:
        raise RuntimeError("power cut")

    monkeypatch.setattr(apply, "index_cases", fail)  # fails after the page's rows were inserted
    with pytest.raises(RuntimeError):
        sync(enrolled, transport=server.transport())
    assert _counts(enrolled) == before and _after(enrolled) == 0
    monkeypatch.undo()
    sync(enrolled, transport=server.transport())
    after_once = _counts(enrolled)
    assert after_once["cases"] == before["cases"] + 1
    page = PullResponse.model_validate_json(server._pull(server.devices[enrolled.device_id], 0, 500).content)
    apply_page(enrolled, page, after=0, offset_s=0.0, now=enrolled.now())
    assert _counts(enrolled) == after_once and _after(enrolled) == len(server.log)


def _foreign_patch(server: FakeServer, case_id: str, fields: dict[str, dict[str, Any]], seq: int) -> None:
    from datetime import UTC, datetime

    from tests.sync.fake_server import Logged

    change = Change(
        change_id="0190f0f0-0000-7000-8000-00000000000{0}".format(seq),
        device_seq=seq,
        entity="case",
        entity_id=case_id,
        op="patch",
        base_version=1,
        version=2,
        payload=fields,
        actor="med9",
        created_at=datetime(2026, 11, 29, tzinfo=UTC),
        schema_version="0002",
    )
    server.log.append(Logged(len(server.log) + 1, "other-device", change))


def test_a_field_changed_on_both_sides_lands_in_sync_conflicts(enrolled: Session, server: FakeServer) -> None:
    case_id = enrolled.cases.create(intake(), confirm_duplicate=True).id
    sync(enrolled, transport=server.transport())
    with enrolled.write("test.local_edit", "case", case_id) as s:
        row = s.get(Case, case_id)
        assert row is not None
        row.summary = "本地修改"
    _foreign_patch(
        server,
        case_id,
        {
            "summary": {"old": "物业服务费纠纷", "new": "他处修改"},
            "claims": {"old": "请求减免2026年物业服务费。", "new": "请求减免全部物业服务费。"},
        },
        1,
    )
    report = sync(enrolled, transport=server.transport())
    assert report.conflicts == 1 and report.pulled == 1
    with enrolled.read() as s:
        row = s.get(Case, case_id)
        assert row is not None and (row.summary, row.claims, row.version) == ("本地修改", "请求减免全部物业服务费。", 2)
        [conflict] = s.scalars(select(SyncConflict)).all()
        assert (conflict.origin, conflict.entity_id, conflict.field) == ("local", case_id, "summary")
        assert (conflict.base_value, conflict.server_value, conflict.client_value) == (
            "物业服务费纠纷", "他处修改", "本地修改",
        )  # fmt: skip
        assert (conflict.server_device, conflict.server_actor) == ("other-device", "med9")
    # The same page again: no second conflict, nothing else changes.
    state_after = _after(enrolled)
    page = PullResponse.model_validate_json(server._pull(server.devices[enrolled.device_id], 0, 500).content)
    apply_page(enrolled, page, after=0, offset_s=0.0, now=enrolled.now())
    with enrolled.read() as s:
        assert s.scalar(select(func.count()).select_from(SyncConflict)) == 1
    assert _after(enrolled) == state_after


def test_server_conflicts_of_a_page_are_stored_once(enrolled: Session, server: FakeServer) -> None:
    from fzmediate.store.outbox import Change as OutboxChange
    from fzmediate.store.outbox import Op, append_changes

    case_id = enrolled.cases.create(intake(), confirm_duplicate=True).id
    sync(enrolled, transport=server.transport())
    # Another desk changed the summary first: the server holds its value.
    server.entities[("case", case_id)]["summary"] = "他处修改"
    _foreign_patch(server, case_id, {"summary": {"old": "物业服务费纠纷", "new": "他处修改"}}, 1)
    with enrolled.write("test.local_edit", "case", case_id) as s:  # and this desk changed it too, offline
        row = s.get(Case, case_id)
        assert row is not None
        row.summary, row.version = "本地修改", 2
        patch = {"summary": {"old": "物业服务费纠纷", "new": "本地修改"}}
        append_changes(
            s, [OutboxChange("case", case_id, Op.PATCH, 2, patch, 1)], device_id=enrolled.device_id,
            actor="admin", at=enrolled.now(),
        )  # fmt: skip
    report = sync(enrolled, transport=server.transport())
    assert report.conflicts == 3  # the push's conflict answer, the server's record, and ours
    with enrolled.read() as s:
        rows = {(c.origin, c.field, c.server_value, c.client_value) for c in s.scalars(select(SyncConflict))}
    assert rows == {("server", "summary", "他处修改", "本地修改"), ("local", "summary", "他处修改", "本地修改")}
    sync(enrolled, transport=server.transport())
    with enrolled.read() as s:
        assert s.scalar(select(func.count()).select_from(SyncConflict)) == 2
