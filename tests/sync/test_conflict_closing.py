"""Conflicts settled on one desk close everywhere, and derived fields never conflict (issue 9, item 4), against the
real district server over HTTP on loopback (the ``district`` fixture of ``test_real_server``).

- Two desks correct one field of a case from the same base: the server keeps a conflict and both desks show it.
  Settled on one desk, the next syncs close it at the server (``stats``: no open conflict) and on the other desk —
  also when the decision queued no value (this desk's value is the server's).
- Two desks act on one case offline, on different fields: no conflict about the next deadline or ``updated_at``
  (derived: every desk recomputes them), and both desks list the case with the deadline its events give.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from fzmediate.services.workspace import Workspace
from fzmediate.store.models import Case, OutboxEntry, SyncConflict
from fzmediate.sync.client import enroll, sync
from fzmediate.sync.conflicts import open_conflicts, resolve
from tests.documents import case_lifecycles as life
from tests.support import ADMIN_PW, FakeClock
from tests.sync.test_real_server import UNIT, _desk
from tests.sync.test_real_server import district as district  # the fixture, used by name

pytest.importorskip("uvicorn")


@pytest.fixture
def desks(tmp_path: Path, clock: FakeClock, district: tuple[str, Any]) -> Iterator[tuple[Workspace, Workspace]]:
    """Two enrolled desks of the unit, with staff; a case registered on ``b`` and pulled by ``a``."""
    from fzmediate.server.enroll import issue_code

    base, db = district
    a, b = _desk(tmp_path, "a", clock), _desk(tmp_path, "b", clock)
    for ws in (a, b):
        life.staff(ws)
        with ws.unlock("admin", ADMIN_PW) as s:
            enroll(s, base, issue_code(db, UNIT, "desk")[0])
    yield a, b


def _sync(ws: Workspace, who: tuple[str, str] = life.MEDIATOR) -> None:
    with ws.unlock(*who) as s:
        report = sync(s)
        assert report.errors == 0


def _new_case(a: Workspace, b: Workspace) -> str:
    with b.unlock(*life.MEDIATOR) as s:
        case_id = s.cases.create(life.mediation_intake("2026-11-24"), confirm_duplicate=True).id
    _sync(b)
    _sync(a)
    return case_id


def _open(ws: Workspace) -> list[tuple[str, str, str]]:
    with ws.unlock("admin", ADMIN_PW) as s:
        return [(c.conflict_id, c.entity, c.field) for c in open_conflicts(s)]


def _open_at_server(db: Any) -> int:
    from fzmediate.server.admin import stats

    return int(stats(db)["conflicts_open"])


def _correct(ws: Workspace, case_id: str, summary: str) -> None:
    with ws.unlock(*life.SUPERVISOR) as s:
        s.cases.correct(case_id, {"summary": summary}, "核对原件", reissue=False)


def _conflicting_summaries(a: Workspace, b: Workspace, db: Any) -> tuple[str, str]:
    """Both desks correct the summary from the same base; ``a`` syncs first. Returns (case id, conflict id)."""
    case_id = _new_case(a, b)
    _correct(a, case_id, "物业服务费纠纷（甲）")
    _correct(b, case_id, "物业服务费纠纷（乙）")
    for ws in (a, b, a):
        _sync(ws)
    on_a, on_b = _open(a), _open(b)
    assert [(e, f) for _id, e, f in on_a] == [("case", "summary")]  # nothing about updated_at: derived
    # b shows the server's conflict, and the one it found itself pulling a's correction (its value kept).
    assert on_a[0] in on_b and {(e, f) for _id, e, f in on_b} == {("case", "summary")}
    assert _open_at_server(db) == 1
    return case_id, on_a[0][0]


def _summary(ws: Workspace, case_id: str) -> str:
    with ws.unlock(*life.MEDIATOR) as s:
        return s.cases.get(case_id).summary


def test_keeping_this_desks_value_closes_the_conflict_at_the_server_and_on_the_other_desk(
    desks: tuple[Workspace, Workspace], district: tuple[str, Any]
) -> None:
    a, b = desks
    db = district[1]
    case_id, conflict_id = _conflicting_summaries(a, b, db)
    with a.unlock("admin", ADMIN_PW) as s:
        done = resolve(s, conflict_id, "mine", "甲机的摘要与原件一致")
        assert not done.queued  # this desk's value is the server's: no value to send, only the closing
        with s.read() as r:
            queued = [(q.entity, q.entity_id, q.op, q.payload) for q in r.scalars(select(OutboxEntry))]
        about = {"entity": "case", "entity_id": case_id, "field": "summary"}
        assert queued == [("conflict", conflict_id, "tombstone", about)]
    _sync(a)
    assert _open_at_server(db) == 0
    _sync(b)
    assert _open(b) == [] and _open(a) == []
    with b.unlock("admin", ADMIN_PW) as s, s.read() as r:
        row = r.get(SyncConflict, conflict_id)
        assert row is not None and row.resolved_at is not None and row.resolved_by == "admin"
    assert _summary(a, case_id) == _summary(b, case_id) == "物业服务费纠纷（甲）"
    _sync(b)  # pulling again changes nothing: the closing is not shown open again
    assert _open(b) == []


def test_a_value_entered_on_one_desk_reaches_the_other_with_the_closing(
    desks: tuple[Workspace, Workspace], district: tuple[str, Any]
) -> None:
    a, b = desks
    db = district[1]
    case_id, conflict_id = _conflicting_summaries(a, b, db)
    with b.unlock("admin", ADMIN_PW) as s:
        done = resolve(s, conflict_id, "value", "两机合并", value="物业服务费纠纷（合并）")
        assert done.queued
    _sync(b)
    assert _open_at_server(db) == 0
    _sync(a)
    assert _open(a) == [] and _open(b) == []
    assert _summary(a, case_id) == _summary(b, case_id) == "物业服务费纠纷（合并）"


def test_the_server_refuses_to_close_a_conflict_it_does_not_hold_or_about_something_else(
    desks: tuple[Workspace, Workspace], district: tuple[str, Any]
) -> None:
    """A closing names the conflict and what it is about; an unknown id or a mix-up is refused, not applied."""
    from fzmediate.server.merge import close_conflict
    from fzmediate.server.models import Device
    from fzmediate.sync.protocol import Change

    a, b = desks
    db = district[1]
    case_id, conflict_id = _conflicting_summaries(a, b, db)
    with a.unlock("admin", ADMIN_PW) as s:
        device_id = s.device_id

    def close(entity_id: str, field: str, op: str = "tombstone") -> tuple[str, str | None]:
        change = Change.model_validate(
            {
                "change_id": "x",
                "device_seq": 1,
                "entity": "conflict",
                "entity_id": entity_id,
                "op": op,
                "version": 0,
                "payload": {"entity": "case", "entity_id": case_id, "field": field},
                "actor": "admin",
                "created_at": "2026-12-01T08:00:00+00:00",
                "schema_version": "0002",
            }
        )

        def work(session: Any) -> tuple[str, str | None]:
            device = session.get(Device, device_id)
            outcome = close_conflict(session, device, change, db.now())
            session.rollback()
            return outcome.status, outcome.reason

        result: tuple[str, str | None] = db.transaction(work)
        return result

    assert close("no-such-conflict", "summary") == ("rejected", "not_found")
    assert close(conflict_id, "facts") == ("rejected", "mismatch")
    assert close(conflict_id, "summary", op="patch") == ("rejected", "malformed")
    assert _open_at_server(db) == 1


def test_two_desks_acting_on_one_case_offline_do_not_conflict_on_derived_fields(
    desks: tuple[Workspace, Workspace], district: tuple[str, Any], clock: FakeClock
) -> None:
    """Offline, ``a`` declares the case complex (its acceptance deadline moves, the state stays) and ``b`` accepts
    it (the state changes, the deadline becomes the mediation period's), minutes apart. Both changed the next
    deadline and ``updated_at`` from the same base: no conflict anywhere, and both desks list the case with the
    deadline its events give together, recomputed; the server keeps the last one sent (district view)."""
    from fzmediate.server.models import ConflictRow, Entity

    a, b = desks
    db = district[1]
    case_id = _new_case(a, b)
    with a.unlock(*life.MEDIATOR) as s:
        complex_ = s.cases.act(case_id, "declare_complex", {"reasons": "案情复杂", "extend_by": 5})
    clock.advance(600)
    with b.unlock(*life.MEDIATOR) as s:
        accepted = s.cases.act(case_id, "accept", {"note": "材料齐全"})
    assert complex_.next_due != accepted.next_due and complex_.state != accepted.state
    for ws in (a, b, a):
        _sync(ws)
    assert _open(a) == [] and _open(b) == []
    with db.sessions() as session:
        assert session.scalar(select(func.count()).select_from(ConflictRow)) == 0
        entity = session.get(Entity, ("case", case_id))
        assert entity is not None and entity.fields["next_due"] == str(accepted.next_due)
    seen = []
    for ws in (a, b):
        with ws.unlock(*life.MEDIATOR) as s:
            detail = s.cases.get(case_id)
            with s.read() as r:
                stored = r.get(Case, case_id)
                assert stored is not None
                updated_at = stored.updated_at
            listed = [(c.next_due, c.next_due_name) for c in s.cases.list() if c.id == case_id]
            seen.append((detail.state, detail.next_due, detail.next_due_name, updated_at, listed))
    assert seen[0] == seen[1]
    state, due, name, updated_at, listed = seen[0]
    assert (state, due, name) == (accepted.state, accepted.next_due, accepted.next_due_name)
    assert listed == [(due, name)]
    assert updated_at == clock.now.replace(tzinfo=None)  # the later of the two acts' times


def test_updated_at_converges_when_a_desk_clock_moves_back_between_two_acts(
    tmp_path: Path, district: tuple[str, Any]
) -> None:
    """The sequence the fault harness found (FZ_SYNC_SEED=20261243): ``b`` acts at a late time, then, its clock
    set back, at an early one; ``a`` acted offline in between (from the first version) and syncs last. Every
    replica ends with the latest time any of them held: the server keeps ``b``'s late time over its early one
    (``b`` takes it back from the push answer), ``a``'s push changes nothing and ``a`` pulls the late time (the
    three-way rule had the server at ``a``'s time and ``a`` at ``b``'s early one)."""
    from fzmediate.server.enroll import issue_code
    from fzmediate.server.models import ConflictRow, Entity

    base, db = district
    clock_a, clock_b = FakeClock(), FakeClock()
    a, b = _desk(tmp_path, "a", clock_a), _desk(tmp_path, "b", clock_b)
    for ws in (a, b):
        life.staff(ws)
        with ws.unlock("admin", ADMIN_PW) as s:
            enroll(s, base, issue_code(db, UNIT, "desk")[0])
    case_id = _new_case(a, b)
    clock_a.advance(3 * 86400)
    with a.unlock(*life.SUPERVISOR) as s:
        s.cases.correct(case_id, {"facts": "申请人补充：电梯已停运三个月。"}, "核对原件", reissue=False)
    clock_b.advance(6 * 86400)
    _correct(b, case_id, "物业服务费纠纷（更正）")
    _sync(b)
    late = clock_b.now.replace(tzinfo=None)
    clock_b.advance(-8 * 86400)  # b's clock set back, behind a's act
    _correct(b, case_id, "物业服务费纠纷（再更正）")
    _sync(b)
    _sync(a)
    _sync(b)
    times = []
    for ws in (a, b):
        with ws.unlock(*life.MEDIATOR) as s, s.read() as r:
            stored = r.get(Case, case_id)
            assert stored is not None
            times.append(stored.updated_at)
    with db.sessions() as session:
        entity = session.get(Entity, ("case", case_id))
        assert entity is not None
        at_server = datetime.fromisoformat(entity.fields["updated_at"])
        assert session.scalar(select(func.count()).select_from(ConflictRow)) == 0
    assert times == [late, late] and at_server == late
    assert _summary(a, case_id) == _summary(b, case_id) == "物业服务费纠纷（再更正）"
