"""Late entries (补录): an act dated when it happened, with a reason; each date rule refuses by field name.

Through the case service on a real store (the test clock's today is 2026-11-29; the case was received on
2026-11-02).
"""

from __future__ import annotations

from datetime import date

import pytest

from fzmediate.procedure.engine import ActionRefused
from fzmediate.services.session import Session
from tests.cases_support import counts, intake

RECEIVED = date(2026, 11, 2)
TODAY = date(2026, 11, 29)


pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def case_id(session: Session) -> str:
    return session.cases.create(intake(received_on=RECEIVED.isoformat())).id


def test_an_act_of_today_needs_no_reason(session: Session, case_id: str) -> None:
    detail = session.cases.act(case_id, "accept")
    assert detail.events[-1].on == TODAY and "late_entry" not in detail.events[-1].payload


def test_late_entry_keeps_both_dates_and_the_reason(session: Session, case_id: str) -> None:
    detail = session.cases.act(case_id, "accept", occurred_on=date(2026, 11, 4), late_reason="受理时系统故障，事后补录")
    event = detail.events[-1]
    assert event.on == date(2026, 11, 4)  # the real date: the timeline and the deadlines count from it
    assert event.payload["late_entry"] == {"entered_on": "2026-11-29", "reason": "受理时系统故障，事后补录"}
    deadlines = {d.name: d for d in session.cases.deadlines(case_id)}
    assert deadlines["acceptance"].met_on == date(2026, 11, 4) and not deadlines["acceptance"].late
    audit = [e for e in session.maintenance.audit_tail() if e.action == "case.act"]
    assert audit[-1].details == {"action": "accept", "late_entry": True}  # audited, without the reason's text


@pytest.mark.parametrize(
    ("occurred_on", "late_reason", "out_of_order_reason", "rule"),
    [
        (date(2026, 11, 10), "", "", "late_reason: an act entered after the day it happened"),
        (date(2026, 11, 30), "", "", "occurred_on: the date of an act (2026-11-30) cannot lie in the future"),
        (date(2026, 11, 1), "补录", "", "occurred_on: the date of an act (2026-11-01) cannot be before the case"),
        (date(2026, 11, 5), "补录", "", "out_of_order_reason: the date of the act (2026-11-05) is before"),
    ],
    ids=["no-reason", "future", "before-receipt", "out-of-order"],
)
def test_each_date_rule_refuses_naming_the_field(
    session: Session, case_id: str, occurred_on: date, late_reason: str, out_of_order_reason: str, rule: str
) -> None:
    session.cases.act(case_id, "accept", occurred_on=date(2026, 11, 6), late_reason="事后补录")
    before = counts(session)
    with pytest.raises(ActionRefused) as err:
        session.cases.act(
            case_id,
            "record_consent",
            {"party": session.cases.get(case_id).parties[1].id, "consent": "agreed"},
            occurred_on=occurred_on,
            late_reason=late_reason,
            out_of_order_reason=out_of_order_reason,
        )
    assert any(rule in reason for reason in err.value.reasons), err.value.reasons
    assert counts(session)["case_events"] == before["case_events"]


def test_out_of_order_entry_with_reason_stands_where_it_happened(session: Session, case_id: str) -> None:
    session.cases.act(case_id, "accept", occurred_on=date(2026, 11, 6), late_reason="事后补录")
    respondent = session.cases.get(case_id).parties[1].id
    session.cases.act(case_id, "disclose_conflicts", {"has_conflict": False}, occurred_on=date(2026, 11, 9),
                      late_reason="事后补录")  # fmt: skip
    detail = session.cases.act(
        case_id,
        "record_consent",
        {"party": respondent, "consent": "agreed"},
        occurred_on=date(2026, 11, 7),
        late_reason="征求意见笔录遗漏登记",
        out_of_order_reason="征求意见在披露之前进行，笔录后补",
    )
    late = detail.events[-1].payload["late_entry"]
    assert late["out_of_order_reason"] == "征求意见在披露之前进行，笔录后补"
    assert late["previous_act_on"] == "2026-11-09"
    assert [e.action for e in detail.timeline()] == ["register", "accept", "record_consent", "disclose_conflicts"]
    assert [e.action for e in detail.events][-1] == "record_consent"  # entered last, kept in entry order


def test_on_and_occurred_on_must_agree(session: Session, case_id: str) -> None:
    from fzmediate.errors import ValidationError

    with pytest.raises(ValidationError, match="occurred_on"):
        session.cases.act(case_id, "accept", on=date(2026, 11, 4), occurred_on=date(2026, 11, 5), late_reason="x")
