"""Stored next deadlines as days go by: overdue from the stored date, the bounded background refresh."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest

from fzmediate.services.case_listing import CaseFilters, CaseQuery
from fzmediate.services.session import Session
from fzmediate.services.workspace import Workspace
from tests.cases_support import intake
from tests.support import ADMIN_PW, FakeClock

DAY = 86_400.0


@pytest.fixture
def session(initialized: Workspace) -> Iterator[Session]:
    with initialized.unlock("admin", ADMIN_PW) as s:
        yield s


def _fresh_next(s: Session, case_id: str) -> tuple[date, str] | None:
    """What the engine says today: the earliest owed deadline of the agency's."""
    owed = [
        (d.due, d.name)
        for d in s.cases.deadlines(case_id)
        if d.status in ("open", "overdue") and d.applies_to == "agency" and not d.waiting_period
    ]
    return min(owed) if owed else None


def _stored(s: Session) -> dict[str, tuple[date | None, str, bool]]:
    page = s.cases.page(CaseQuery(), None, 500)
    return {r.id: (r.next_due, r.next_due_name, r.id in page.recomputing) for r in page.rows}


def _drain(s: Session) -> int:
    passes = 0
    while not s.cases.refresh_stale(batch=2, deadline_ms=None).done:
        passes += 1
        assert passes < 100
    return passes


def test_stored_next_deadline_is_right_without_recomputing_except_the_flagged(
    session: Session, clock: FakeClock
) -> None:
    """Only conditional limits that lapsed and open suspensions need recomputing; every other row is right."""
    days_received = ("2026-11-10", "2026-11-25", "2026-11-26", "2026-11-27", "2026-11-27")
    plain = [session.cases.create(intake(received_on=d), confirm_duplicate=True) for d in days_received]
    suspended = session.cases.create(intake(received_on="2026-11-20"), confirm_duplicate=True)
    session.cases.act(suspended.id, "accept", {}, on=date(2026, 11, 20), late_reason="测试：事后补录")
    session.cases.act(suspended.id, "suspend", {"reasons": "当事人住院"}, on=date(2026, 11, 21), late_reason="测试")
    # A fresh application owes the 3-working-day transfer limit (conditional) first, an older one acceptance.
    assert {c.next_due_name for c in plain} == {"transfer", "acceptance"}
    for days in (1, 3, 7, 30):
        clock.advance(days * DAY)
        stored = _stored(session)
        for case_id, (due, name, recomputing) in stored.items():
            if not recomputing:
                fresh = _fresh_next(session, case_id)
                assert (due, name) == (fresh if fresh else (None, "")), (days, name)
        _drain(session)
        stored = _stored(session)
        assert not any(flag for _d, _n, flag in stored.values())
        for case_id, (due, name, _flag) in stored.items():
            fresh = _fresh_next(session, case_id)
            assert (due, name) == (fresh if fresh else (None, ""))


def test_overdue_after_the_clock_moves(session: Session, clock: FakeClock) -> None:
    case = session.cases.create(intake(received_on="2026-11-27"))
    overdue = CaseQuery(filters=CaseFilters(overdue=True))
    assert session.cases.count(overdue) == 0
    clock.advance(5 * DAY)  # 2026-12-04: the transfer limit (3 working days) has lapsed, it is not owed
    page = session.cases.page(overdue)
    assert [r.id for r in page.rows] == [case.id] and case.id in page.recomputing  # not asserted overdue
    assert session.cases.refresh_stale().done
    assert session.cases.count(overdue) == 0
    row = session.cases.page(CaseQuery()).rows[0]
    assert row.next_due_name == "acceptance" and not row.overdue(session.cases.today())
    clock.advance(10 * DAY)
    page = session.cases.page(overdue)
    assert [r.id for r in page.rows] == [case.id] and not page.recomputing
    assert page.rows[0].overdue(page.today)
    assert session.cases.refresh_stale().refreshed == 0  # an overdue limit stays owed: nothing to recompute


def test_refresh_is_bounded_and_resumable(session: Session, clock: FakeClock) -> None:
    made = [session.cases.create(intake(received_on="2026-11-27"), confirm_duplicate=True) for _ in range(5)]
    clock.advance(6 * DAY)
    first = session.cases.refresh_stale(batch=2, deadline_ms=None)  # bounded by the batch alone
    assert (first.refreshed, first.remaining) == (2, 3)
    # A zero time budget still makes progress (one case per call), so the background op always finishes.
    second = session.cases.refresh_stale(batch=5, deadline_ms=0)
    assert (second.refreshed, second.remaining) == (1, 2)
    assert session.cases.refresh_stale(batch=10, deadline_ms=None).done
    assert {r.next_due_name for r in session.cases.page(CaseQuery()).rows} == {"acceptance"}
    assert len(made) == session.cases.count(CaseQuery())
