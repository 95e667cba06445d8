"""Service gaps the desk screens exposed, closed in the services: the inbox's public open/register, summaries and
list rows of given cases, backup progress and a password check counted by the back-off, the mediator in charge
after an assignment that follows a granted recusal, and planned sessions in the outbox."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session as OrmSession

from fzmediate.desk import case_list
from fzmediate.desk.token import EventToken
from fzmediate.errors import AuthenticationError, BackoffError, ValidationError
from fzmediate.procedure.engine import ActionRefused
from fzmediate.security.backoff import FREE_ATTEMPTS
from fzmediate.services.attachments import AttachmentService, NewAttachment
from fzmediate.services.backup import BackupReader, check_backup_password, write_backup
from fzmediate.services.case_listing import CaseFilters, CaseQuery
from fzmediate.services.cases import StaleCaseError
from fzmediate.services.intake_inbox import IntakeInbox
from fzmediate.services.session import Session
from fzmediate.services.session_plans import SessionPlans
from fzmediate.services.workspace import Workspace
from fzmediate.store.models import AuditEvent, Case, IntakeInboxRow
from fzmediate.store.outbox import pending
from tests.documents import case_lifecycles as life
from tests.kiosk_support import MEDIATOR, inbox_with_one
from tests.support import ADMIN_PW, OTHER_PW, FakeClock
from tests.unit.test_attachments import png_bytes

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def staffed(initialized: Workspace) -> Workspace:
    life.staff(initialized)
    return initialized


class Token(EventToken):
    """The DB worker's cancel token (never cancelled here; progress is dropped)."""


# --- the intake inbox: open and register with the desk's edits ----------------------------------------------


def _inbox_status(s: Session, application_id: str) -> tuple[str, str | None]:
    with s.read() as o:
        row = o.get(IntakeInboxRow, application_id)
        assert row is not None
        return row.status, row.case_id


def test_the_inbox_opens_an_application_and_registers_it_as_the_desk_completed_it(
    tmp_path: Path, clock: FakeClock
) -> None:
    ws, application_id, number = inbox_with_one(tmp_path, clock)
    with ws.unlock(*MEDIATOR) as s:
        inbox = IntakeInbox(s)
        opened = inbox.open(application_id)
        assert opened.number == number and opened.intake["parties"][0]["name"] == "王𠮷"
        edited = dict(opened.intake, summary="物业服务费纠纷（已核对）")

        def fail(o: OrmSession, case_id: str) -> None:
            raise ValidationError("attachments[0]: refused", field="attachments[0]")

        with s.read() as o:
            before = int(o.scalar(select(func.count()).select_from(Case)) or 0)
        with pytest.raises(ValidationError):
            inbox.register(application_id, intake=edited, also=fail)
        with s.read() as o:
            assert int(o.scalar(select(func.count()).select_from(Case)) or 0) == before  # nothing written
        assert _inbox_status(s, application_id) == ("pending", None)

        files = AttachmentService(s)

        def scan(o: OrmSession, case_id: str) -> None:
            files.add_within(o, case_id, [NewAttachment("a.png", png_bytes())])

        summary = inbox.register(application_id, intake=edited, also=scan)
        assert s.cases.get(summary.id).summary == "物业服务费纠纷（已核对）"
        assert _inbox_status(s, application_id) == ("registered", summary.id)
        assert len(files.list(summary.id)) == 1
        with s.read() as o:
            audited = list(o.scalars(select(AuditEvent.object_id).where(AuditEvent.action == "intake.register")))
        assert audited == [application_id]
        with pytest.raises(ValidationError):
            inbox.open(application_id)  # decided: no longer opened for a form


# --- summaries and list rows of given cases ------------------------------------------------------------------


@pytest.fixture
def three(staffed: Workspace) -> Iterator[tuple[Session, list[str]]]:
    with staffed.unlock(*life.SUPERVISOR) as s:
        ids = [s.cases.create(life.mediation_intake("2026-11-2" + str(i)), confirm_duplicate=True).id for i in range(3)]
        yield s, ids


def test_summaries_keep_the_order_asked_and_mask_names(three: tuple[Session, list[str]]) -> None:
    s, ids = three
    asked = [ids[2], "00000000-0000-7000-8000-000000000000", ids[0]]
    got = s.cases.summaries(asked)
    assert [r.id for r in got] == [ids[2], ids[0]]
    assert all("王𠮷" not in name and name for r in got for name in r.applicants)


@contextmanager
def _statements(s: Session) -> Iterator[list[str]]:
    """The SQL statements run meanwhile."""
    seen: list[str] = []

    def note(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        seen.append(statement)

    event.listen(s.db.engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(s.db.engine, "before_cursor_execute", note)


def test_list_rows_of_ids_honour_the_query_in_one_reading(three: tuple[Session, list[str]]) -> None:
    s, ids = three
    s.cases.assign(ids[1], "med1")
    unassigned = CaseQuery(filters=CaseFilters(mediator=""))  # a supervisor's registrations wait unassigned
    page = case_list.rows_by_id(s, Token(), unassigned, [ids[2], ids[1], ids[0]])
    assert [r.id for r in page.rows] == [ids[2], ids[0]] and page.next_after is None
    # As many statements for three ids as for one: the rows are read together, not one page per id.
    sizes = []
    for asked in ([ids[0]], ids):
        with _statements(s) as seen:
            assert len(case_list.rows_by_id(s, Token(), CaseQuery(), asked).rows) == len(asked)
        sizes.append(len(seen))
    assert sizes[0] == sizes[1]
    with pytest.raises(ValidationError):
        s.cases.rows(CaseQuery(), [str(i) for i in range(501)])


# --- backup progress and the password check ---------------------------------------------------------------


def test_a_backup_tells_its_progress_and_a_stop_while_writing_leaves_no_file(
    staffed: Workspace, tmp_path: Path
) -> None:
    told: list[tuple[int, int]] = []
    folder = tmp_path / "out"
    folder.mkdir()
    with staffed.unlock("admin", ADMIN_PW) as s:
        info = write_backup(s, folder / "a.fzbackup", progress=lambda d, t: told.append((d, t)))
        total = told[-1][1]
        assert told[0] == (0, total) and told[-1] == (total, total) and total > 0
        assert [d for d, _t in told] == sorted(d for d, _t in told)
        with BackupReader(info.path) as reader:
            reader.verify_database()

        def stop(done: int, whole: int) -> None:
            if done > whole // 2:  # the hash is done: the archive is being written
                raise KeyboardInterrupt

        with pytest.raises(KeyboardInterrupt):
            write_backup(s, folder / "b.fzbackup", progress=stop)
    assert sorted(p.name for p in folder.iterdir()) == ["a.fzbackup"]  # no part file either
    assert zipfile.is_zipfile(folder / "a.fzbackup")


def test_verify_password_counts_like_an_unlock(staffed: Workspace, clock: FakeClock, tmp_path: Path) -> None:
    ws = staffed
    ws.verify_password("med1", life.MEDIATOR[1])
    assert ws.backoff.failures("med1") == 0
    for attempt in range(1, FREE_ATTEMPTS + 2):
        with pytest.raises(AuthenticationError):
            ws.verify_password("med1", OTHER_PW)
        assert ws.backoff.failures("med1") == attempt
    with pytest.raises(BackoffError):
        ws.verify_password("med1", life.MEDIATOR[1])  # must wait, as at the unlock screen
    clock.now += timedelta(hours=1)
    ws.verify_password("med1", life.MEDIATOR[1])
    assert ws.backoff.failures("med1") == 0
    with ws.unlock("admin", ADMIN_PW) as s:
        out = write_backup(s, tmp_path / "c.fzbackup").path
    with BackupReader(out) as reader:
        check_backup_password(ws, reader.slots, "admin", ADMIN_PW)
        with pytest.raises(AuthenticationError) as wrong:
            check_backup_password(ws, reader.slots, "admin", OTHER_PW)
    assert "backup" in wrong.value.message and ws.backoff.failures("admin") == 1


# --- the mediator in charge after an assignment that follows a granted recusal --------------------------------


def test_an_assignment_after_a_granted_recusal_is_who_the_procedure_judges(staffed: Workspace) -> None:
    with staffed.unlock(*life.MEDIATOR) as s:
        case_id, applicant, _respondent = life._prepare(s, "2026-10-09")
        life.step(s, case_id, "request_recusal", "2026-10-15", {"party": applicant, "reasons": "承办人系亲属"})
    granted = {"decision": "granted", "reasons": "确有利害关系", "new_mediator": "head1"}
    with staffed.unlock(*life.HEAD) as s:
        life.step(s, case_id, "decide_recusal", "2026-10-16", granted)
        with pytest.raises(ValidationError):
            s.cases.assign(case_id, "med1")  # the recused mediator is not assigned back
        s.cases.assign(case_id, "sup1")
        assert s.cases.view(case_id).assigned_mediator == "sup1"
    with staffed.unlock(*life.SUPERVISOR) as s:
        # The supervisor assigned after the recusal is the mediator now: their own conflict is not theirs to decide.
        life.step(s, case_id, "disclose_conflicts", "2026-10-17", {"has_conflict": True, "details": "曾为当事人代理"})
        with pytest.raises(ActionRefused) as refused:
            life.step(s, case_id, "decide_recusal", "2026-10-18", granted)
        assert any("cannot decide on their own recusal" in r for r in refused.value.reasons)
    with staffed.unlock(*life.HEAD) as s:
        life.step(s, case_id, "decide_recusal", "2026-10-18", granted)
        assert s.cases.get(case_id).events[-1].payload["replaced_mediator"] == "sup1"
    with staffed.unlock(*life.SUPERVISOR) as s:
        hold = next(a for a in s.cases.available_actions(case_id) if a.name == "hold_session")
        assert any("You were replaced as mediator" in r for r in hold.reasons)


# --- planned sessions reach the outbox ------------------------------------------------------------------------


def test_planning_and_cancelling_a_session_write_outbox_changes(staffed: Workspace) -> None:
    with staffed.unlock(*life.MEDIATOR) as s:
        case_id = s.cases.create(life.mediation_intake("2026-11-24"), confirm_duplicate=True).id
        plans = SessionPlans(s)
        with s.read() as o:
            before = len(pending(o))
        plan = plans.plan(case_id, datetime(2026, 12, 2, 9, 30), 60, "坪山街道人民调解室", ("med1",))
        with pytest.raises(StaleCaseError):
            plans.cancel(plan.id, "改期", expected_version=9)
        plans.cancel(plan.id, "当事人请求改期", expected_version=plan.version)
        with s.read() as o:
            rows = [(e.entity, e.entity_id, e.op, e.version, e.base_version, e.payload) for e in pending(o)[before:]]
    assert [r[:5] for r in rows] == [
        ("session_plan", plan.id, "create", 1, None),
        ("session_plan", plan.id, "patch", 2, 1),
    ]
    created, patch = rows[0][5], rows[1][5]
    assert created["case_id"] == case_id and created["place"] == "坪山街道人民调解室" and created["staff"] == ["med1"]
    assert patch["cancelled_reason"] == {"old": "", "new": "当事人请求改期"}
    assert patch["cancelled_at"]["old"] is None and patch["cancelled_at"]["new"]
