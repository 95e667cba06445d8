"""The case view's store calls: masked by default, reveal audited, acts checked by field before anything is written."""

from __future__ import annotations

import pickle
from collections.abc import Iterator
from datetime import date, datetime

import pytest
from sqlalchemy import select

from fzmediate.desk import case_view
from fzmediate.procedure.forms import FORM
from fzmediate.services.case_keeping import StaleCaseError
from fzmediate.services.session import Session
from fzmediate.services.workspace import Workspace
from fzmediate.store.models import AuditEvent, CaseEventRow
from tests.documents.case_lifecycles import APPLICANT, MEDIATOR, RESPONDENT, mediation_intake, staff
from ui.ops import CancelToken


@pytest.fixture
def med(initialized: Workspace) -> Iterator[tuple[Session, str]]:
    staff(initialized)
    with initialized.unlock(*MEDIATOR) as s:
        case = s.cases.create(mediation_intake("2026-11-24"), confirm_duplicate=True)
        yield s, case.id


TOKEN = CancelToken()


def _audit_actions(s: Session) -> list[str]:
    with s.read() as o:
        return list(o.scalars(select(AuditEvent.action)))


def _events(s: Session, case_id: str) -> int:
    with s.read() as o:
        return len(list(o.scalars(select(CaseEventRow.id).where(CaseEventRow.case_id == case_id))))


def test_load_is_masked_unaudited_and_crosses_a_process_boundary(med: tuple[Session, str]) -> None:
    s, case_id = med
    screen = case_view.load(s, TOKEN, case_id)
    assert pickle.loads(pickle.dumps(screen)) == screen
    names = [p.name for p in screen.parties]
    assert APPLICANT not in names and RESPONDENT not in names
    assert all("某" in n for n in names)
    assert "case.show" not in _audit_actions(s)
    accept = screen.act("accept")
    assert accept.allowed and accept.reasons == ()
    hold = screen.act("hold_session")
    assert not hold.allowed and hold.reasons
    assert [e.action for e in screen.timeline] == ["register"]
    assert screen.deadlines and screen.version == 1


def test_reveal_is_audited(med: tuple[Session, str]) -> None:
    s, case_id = med
    parties = case_view.reveal(s, TOKEN, case_id)
    assert APPLICANT in [p.name for p in parties]
    assert "case.show" in _audit_actions(s)


def test_refused_act_returns_field_errors_and_writes_nothing(med: tuple[Session, str]) -> None:
    s, case_id = med
    case_view.apply_act(s, TOKEN, case_id, "accept", {}, None, "", 1)
    before = _events(s, case_id)
    outcome = case_view.apply_act(s, TOKEN, case_id, "record_consent", {"consent": "agreed"}, None, "", 2)
    assert not outcome.applied and outcome.version == 2
    assert outcome.error("party")
    assert _events(s, case_id) == before


def test_engine_refusal_is_a_form_error(med: tuple[Session, str]) -> None:
    s, case_id = med
    outcome = case_view.apply_act(s, TOKEN, case_id, "hold_session", {"summary": "x"}, None, "", 1)
    assert not outcome.applied and outcome.error(FORM)
    assert _events(s, case_id) == 1


def test_applied_act_gives_the_new_version_and_a_timeline_entry(med: tuple[Session, str]) -> None:
    s, case_id = med
    outcome = case_view.apply_act(s, TOKEN, case_id, "accept", {"note": "材料齐全"}, date(2026, 11, 26), "补录", 1)
    assert outcome.applied and outcome.version == 2
    screen = case_view.load(s, TOKEN, case_id)
    entry = screen.timeline[-1]
    assert entry.action == "accept" and entry.late and "材料齐全" in entry.summary


def test_late_entry_without_reason_is_an_error_beside_the_date(med: tuple[Session, str]) -> None:
    s, case_id = med
    outcome = case_view.apply_act(s, TOKEN, case_id, "accept", {}, date(2026, 11, 26), "", 1)
    assert not outcome.applied and outcome.error("late_reason")


def test_stale_version_raises(med: tuple[Session, str]) -> None:
    s, case_id = med
    with pytest.raises(StaleCaseError):
        case_view.apply_act(s, TOKEN, case_id, "accept", {}, None, "", 7)


def test_timeline_summary_masks_party_names(med: tuple[Session, str]) -> None:
    s, case_id = med
    case_view.apply_act(s, TOKEN, case_id, "accept", {}, None, "", 1)
    screen = case_view.load(s, TOKEN, case_id)
    respondent = next(p for p in screen.parties if p.role == "respondent")
    case_view.apply_act(s, TOKEN, case_id, "record_consent", {"party": respondent.id, "consent": "agreed"}, None, "", 2)
    summary = case_view.load(s, TOKEN, case_id).timeline[-1].summary
    assert RESPONDENT not in summary and "张某" in summary


def test_session_plans_through_the_desk_calls(med: tuple[Session, str]) -> None:
    s, case_id = med
    plan = case_view.plan_session(s, TOKEN, case_id, datetime(2026, 12, 3, 9, 30), 90, "坪山街道调解室", ("med1",), "")
    assert [p.id for p in case_view.planned_sessions(s, TOKEN, case_id)] == [plan.id]
    assert [p.id for p in case_view.load(s, TOKEN, case_id).sessions] == [plan.id]
    cancelled = case_view.cancel_session(s, TOKEN, plan.id, "当事人请求改期", plan.version)
    assert cancelled.cancelled
