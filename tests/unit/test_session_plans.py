"""Planned sessions: planned, listed, cancelled with a reason (kept), refused when wrong; audited, by ids only."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest
from sqlalchemy import select

from fzmediate.errors import NotFoundError, ValidationError
from fzmediate.services.case_keeping import StaleCaseError
from fzmediate.services.session import Session
from fzmediate.services.session_plans import SessionPlans
from fzmediate.services.workspace import Workspace
from fzmediate.store.models import AuditEvent
from tests.documents.case_lifecycles import MEDIATOR, mediation_intake, refused_case, staff

PLACE = "坪山街道人民调解室"
SOON = datetime(2026, 12, 2, 9, 30)


@pytest.fixture
def med(initialized: Workspace) -> Iterator[tuple[Session, str]]:
    staff(initialized)
    with initialized.unlock(*MEDIATOR) as s:
        yield s, s.cases.create(mediation_intake("2026-11-24"), confirm_duplicate=True).id


def test_plan_list_and_cancel(med: tuple[Session, str]) -> None:
    s, case_id = med
    plans = SessionPlans(s)
    later = plans.plan(case_id, datetime(2026, 12, 9, 14, 0), 60, PLACE, ("med1", "sup1"))
    first = plans.plan(case_id, SOON, 90, PLACE, ("med1",), "请双方携带缴费凭证")
    assert [p.id for p in plans.of_case(case_id)] == [first.id, later.id]
    assert first.staff == ("med1",) and first.minutes == 90 and not first.cancelled
    assert [p.id for p in plans.between(datetime(2026, 12, 1), datetime(2026, 12, 8))] == [first.id]
    done = plans.cancel(first.id, "当事人请求改期", expected_version=first.version)
    assert done.cancelled and done.cancelled_reason == "当事人请求改期" and done.version == 2
    assert [p.id for p in plans.of_case(case_id, include_cancelled=False)] == [later.id]
    assert len(plans.of_case(case_id)) == 2  # kept
    with s.read() as o:
        audit = list(o.execute(select(AuditEvent.action, AuditEvent.object_id)))
    assert ("session.plan", case_id) in audit and ("session.cancel", case_id) in audit


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"starts_at": datetime(2026, 11, 28, 9, 0)}, "starts_at"),
        ({"minutes": 5}, "minutes"),
        ({"place": "  "}, "place"),
        ({"staff": ("nobody",)}, "staff"),
    ],
)
def test_refused_plans_write_nothing(med: tuple[Session, str], kwargs: dict[str, object], field: str) -> None:
    s, case_id = med
    args: dict[str, object] = {"starts_at": SOON, "minutes": 60, "place": PLACE, "staff": ("med1",)}
    args.update(kwargs)
    with pytest.raises(ValidationError) as refused:
        SessionPlans(s).plan(case_id, **args)  # type: ignore[arg-type]
    assert refused.value.field == field
    assert SessionPlans(s).of_case(case_id) == []


def test_cancel_needs_a_reason_and_the_current_version(med: tuple[Session, str]) -> None:
    s, case_id = med
    plans = SessionPlans(s)
    plan = plans.plan(case_id, SOON, 60, PLACE)
    with pytest.raises(ValidationError):
        plans.cancel(plan.id, " ")
    with pytest.raises(StaleCaseError):
        plans.cancel(plan.id, "改期", expected_version=5)
    with pytest.raises(NotFoundError):
        plans.cancel("00000000-0000-0000-0000-000000000000", "改期")
    plans.cancel(plan.id, "改期")
    with pytest.raises(ValidationError):
        plans.cancel(plan.id, "改期")


def test_no_plans_on_an_ended_case(med: tuple[Session, str]) -> None:
    s, _case_id = med
    ended = refused_case(s)
    with pytest.raises(ValidationError) as refused:
        SessionPlans(s).plan(ended, SOON, 60, PLACE)
    assert refused.value.field == "case"
