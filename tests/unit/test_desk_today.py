"""Today (``fzmediate.desk.today``): what the signed-in user has to do, through the real services and store.

Dates sit around the 2026 National Day holiday (10-01 … 10-07 off, Saturday 10-10 a make-up workday, per the
shipped holiday table), so a working-day count that ignored the table would be visibly wrong.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from fzmediate.desk.today import SectionKind, TodayItem, TodayView, today
from fzmediate.services.intake_inbox import IntakeInbox
from fzmediate.services.session import Session
from fzmediate.services.workspace import Workspace
from fzmediate.store.models import SessionPlan
from tests.documents import case_lifecycles as life
from tests.kiosk_support import MEDIATOR_ARGS, make_desk, make_kiosk
from tests.kiosk_support import kiosk_intake as sealed_intake
from tests.support import ADMIN_PW, KIOSK_PW, SUPERVISOR_PW, FakeClock
from ui.ops import CancelToken


def at_china(clock: FakeClock, day: date) -> None:
    """Move the store clock to 09:00 in China on ``day``."""
    clock.now = datetime(day.year, day.month, day.day, 1, 0, tzinfo=UTC)


def view(s: Session) -> TodayView:
    return today(s, CancelToken())


def items(v: TodayView, kind: SectionKind) -> list[TodayItem]:
    section = v.section(kind)
    assert section is not None
    return list(section.items)


def register(s: Session, received_on: str, **changes: Any) -> str:
    return s.cases.create(life.mediation_intake(received_on, **changes), confirm_duplicate=True).id


@pytest.fixture
def staffed(initialized: Workspace) -> Workspace:
    life.staff(initialized)
    with initialized.unlock("admin", "x" * 0 or ADMIN_PW) as s:
        s.users.add("med2", "mediator", life.MEDIATOR[1], full_name="钱二")
    return initialized


def test_a_mediator_sees_own_cases_with_working_days_left_across_the_holiday(
    staffed: Workspace, clock: FakeClock
) -> None:
    at_china(clock, date(2026, 9, 30))  # Wednesday before the National Day week
    with staffed.unlock(*life.MEDIATOR) as s:
        mine = register(s, "2026-09-30")
        late = register(s, "2026-09-10", summary="另一宗物业纠纷")
    with staffed.unlock("med2", life.MEDIATOR[1]) as s:
        other = register(s, "2026-09-30", summary="别人的案件")
    with staffed.unlock(*life.MEDIATOR) as s:
        v = view(s)
        listed = {i.case_id: i for i in items(v, SectionKind.MY_CASES)}
        assert set(listed) == {mine, late} and other not in listed
        first = items(v, SectionKind.MY_CASES)[0]
        assert first.case_id == late and first.overdue and first.working_days_left is not None
        assert first.working_days_left < 0
        item = listed[mine]
        deadlines = {d.name: d for d in s.cases.deadlines(mine)}
        assert item.due == min(d.due for d in deadlines.values() if d.applies_to == "agency")
        # Counted on the holiday table: 10-01 … 10-07 off, Saturday 10-10 worked, Sunday 10-11 off.
        expected = {date(2026, 10, 8): 1, date(2026, 10, 9): 2, date(2026, 10, 10): 3, date(2026, 10, 12): 4}
        assert item.due in expected and item.working_days_left == expected[item.due]
        assert not item.overdue and not item.provisional and item.step
        assert item.applicants == ("王某",) and "王𠮷" not in repr(v)  # masked
        section = v.section(SectionKind.MY_CASES)
        assert section is not None and section.total == 2 and section.overdue == 1
        assert v.section(SectionKind.WAITING_FOR_ME) is None  # a mediator is nobody's approver
    at_china(clock, date(2026, 10, 11))  # a Sunday: Monday and Tuesday are left
    with staffed.unlock(*life.MEDIATOR) as s:
        stale = next(i for i in items(view(s), SectionKind.MY_CASES) if i.case_id == mine)
        assert stale.recomputing and not stale.overdue  # its stored deadline passed: not shown as firm
        s.cases.refresh_due()
        item = next(i for i in items(view(s), SectionKind.MY_CASES) if i.case_id == mine)
        # 受理期限: 5 working days from 09-30 → 10-08, 10-09, 10-10 (Saturday, worked), 10-12, 10-13.
        assert (item.step, item.deadline_label) == ("受理 / 不予受理", "受理期限")
        assert item.due == date(2026, 10, 13) and item.working_days_left == 2 and not item.overdue


def test_a_deadline_in_a_year_the_calendar_does_not_cover_is_provisional(staffed: Workspace, clock: FakeClock) -> None:
    at_china(clock, date(2027, 12, 20))  # 2027's arrangement is not published: counted statutorily
    with staffed.unlock(*life.MEDIATOR) as s:
        case_id = register(s, "2027-12-20")
        [item] = [i for i in items(view(s), SectionKind.MY_CASES) if i.case_id == case_id]
        assert item.provisional and item.working_days_left is None and item.due is not None


def test_sessions_today_and_this_week_but_not_cancelled_ones(staffed: Workspace, clock: FakeClock) -> None:
    with staffed.unlock(*life.MEDIATOR) as s:
        case_id = register(s, "2026-11-27")
        number = s.cases.view(case_id).number
    with staffed.unlock("med2", life.MEDIATOR[1]) as s:
        others = register(s, "2026-11-27", summary="别人的案件")
    now = datetime(2026, 11, 29, 10, 0)
    with staffed.unlock("admin", ADMIN_PW) as s, s.write("test.plan", "session_plan", "*") as o:
        plans = [
            (case_id, now + timedelta(hours=5), None, []),  # today 15:00
            (case_id, now + timedelta(days=5), None, []),
            (case_id, now + timedelta(days=2), now, []),  # cancelled
            (case_id, now + timedelta(days=9), None, []),  # beyond the week
            (others, now + timedelta(days=1), None, ["med1"]),  # med1 takes part
            (others, now + timedelta(days=3), None, []),  # neither med1's case nor med1 on staff
        ]
        for cid, starts, cancelled, staff in plans:
            o.add(
                SessionPlan(
                    case_id=cid, starts_at=starts, minutes=90, place="坪山街道调解室", staff=staff,
                    created_at=now, created_by="admin", cancelled_at=cancelled,
                )
            )  # fmt: skip
    with staffed.unlock(*life.MEDIATOR) as s:
        v = view(s)
    [first] = items(v, SectionKind.SESSIONS_TODAY)
    assert (first.case_id, first.number, first.starts_at, first.place) == (
        case_id,
        number,
        now + timedelta(hours=5),
        "坪山街道调解室",
    )
    week = items(v, SectionKind.SESSIONS_WEEK)
    assert [(i.case_id, i.starts_at) for i in week] == [
        (others, now + timedelta(days=1)),
        (case_id, now + timedelta(days=5)),
    ]


def test_supervisor_sees_a_recusal_request_waiting_for_them(staffed: Workspace, clock: FakeClock) -> None:
    with staffed.unlock(*life.MEDIATOR) as s:
        waiting = register(s, "2026-11-20")
        quiet = register(s, "2026-11-20", summary="无人申请回避")
        for case_id in (waiting, quiet):
            life.step(s, case_id, "accept", "2026-11-23")
        applicant = next(p.id for p in s.cases.get(waiting).parties if p.role.value == "applicant")
        life.step(s, waiting, "request_recusal", "2026-11-24", {"party": applicant, "reasons": "调解员系对方亲属"})
        assert view(s).section(SectionKind.WAITING_FOR_ME) is None
    with staffed.unlock("sup1", SUPERVISOR_PW) as s:
        v = view(s)
    listed = items(v, SectionKind.WAITING_FOR_ME)
    assert [i.case_id for i in listed] == [waiting]
    assert listed[0].step == "回避决定"  # the act's words from the procedure definition


def test_an_imported_kiosk_application_is_counted(tmp_path: Path, clock: FakeClock) -> None:
    desk = make_desk(tmp_path, clock)
    kiosk = make_kiosk(tmp_path, clock, desk)
    with kiosk.open(KIOSK_PW) as k:
        k.submit_application(sealed_intake())
        k.export_applications(tmp_path / "apps.json")
    with desk.ws.unlock(MEDIATOR_ARGS[0], MEDIATOR_ARGS[2]) as s:
        before = s.cases.today()
        IntakeInbox(s).import_file(tmp_path / "apps.json")
        section = view(s).section(SectionKind.APPLICATIONS)
    assert section is not None and section.total == 1 and section.oldest == before
