"""Whole cases through the SERVICES: the procedure engine decides, the store keeps every step.

Four lifecycles on the standard procedures (fzmediate/procedure/standard.py): a mediation ending in an
agreement; one failing, with the undisputed facts recorded; one refused at acceptance; an adjudication
through the hearing, the legality review by a different, legally qualified supervisor, and the decision.
Acts carry explicit dates (``on``) between the receipt and the test clock's today (2026-11-29).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select

from fzmediate.i18n import set_locale
from fzmediate.procedure.engine import ActionRefused
from fzmediate.services.case_views import CaseDetail
from fzmediate.services.session import Session
from fzmediate.services.workspace import Workspace
from fzmediate.store.models import OutboxEntry
from tests.cases_support import SHIPPED, adjudication_intake, intake
from tests.documents.case_lifecycles import issue_required
from tests.support import ADMIN_PW, MEDIATOR_PW, SUPERVISOR_PW, SUPERVISOR_PW_2

MEDIATOR = ("med1", MEDIATOR_PW)
SUPERVISOR = ("sup1", SUPERVISOR_PW)
UNQUALIFIED = ("sup2", SUPERVISOR_PW_2)


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    set_locale("en")
    yield


@pytest.fixture
def staffed(initialized: Workspace) -> Workspace:
    with initialized.unlock("admin", ADMIN_PW) as s:
        s.users.add("med1", "mediator", MEDIATOR_PW)
        s.users.add("sup1", "supervisor", SUPERVISOR_PW, legally_qualified=True)
        s.users.add("sup2", "supervisor", SUPERVISOR_PW_2)
    return initialized


@pytest.fixture
def mediator(staffed: Workspace) -> Iterator[Session]:
    with staffed.unlock(*MEDIATOR) as s:
        yield s


def ids(detail: CaseDetail) -> tuple[str, str]:
    applicant, respondent = (p.id for p in detail.parties[:2])
    return applicant, respondent


def step(s: Session, case_id: str, action: str, on: str, payload: dict[str, Any] | None = None) -> CaseDetail:
    return s.cases.act(case_id, action, payload or {}, on=date.fromisoformat(on), late_reason="测试：事后补录")


def outbox_count(s: Session) -> int:
    with s.read() as r:
        return int(r.scalar(select(func.count()).select_from(OutboxEntry)) or 0)


def prepare_mediation(s: Session, received_on: str = "2026-10-09") -> tuple[str, str, str]:
    """Register, accept, consent, disclosure, notice of rights acknowledged: ready for a session."""
    case = s.cases.create(intake(received_on=received_on), confirm_duplicate=True)
    detail = s.cases.get(case.id)
    applicant, respondent = ids(detail)
    step(s, case.id, "accept", "2026-10-12", {"note": "材料齐全"})
    step(s, case.id, "record_consent", "2026-10-13", {"party": respondent, "consent": "agreed"})
    step(s, case.id, "disclose_conflicts", "2026-10-13", {"has_conflict": False})
    step(s, case.id, "issue_rights_notice", "2026-10-14")
    step(
        s,
        case.id,
        "acknowledge_rights_notice",
        "2026-10-14",
        {"parties": [applicant, respondent], "method": "signature"},
    )
    return case.id, applicant, respondent


def test_mediation_ending_in_agreement(mediator: Session) -> None:
    s = mediator
    case_id, applicant, respondent = prepare_mediation(s)
    accepted = s.cases.get(case_id)
    # Acceptance met in time; the 30-day mediation period now runs from the acceptance (条例 第二十五条).
    assert accepted.state == "accepted"
    assert (accepted.next_due_name, accepted.next_due) == ("mediation_period", date(2026, 11, 11))
    with pytest.raises(ActionRefused, match=r"terms|agreed term"):
        step(s, case_id, "record_agreement", "2026-10-20", {"facts_and_disputes": "电梯故障", "signed_by": [applicant]})
    step(s, case_id, "hold_session", "2026-10-20", {"summary": "第一次调解", "present": [applicant, respondent]})
    term = {
        "obligor": respondent,
        "obligee": applicant,
        "content": "退还多收的物业服务费",
        "amount": "1200.00",
        "manner": "银行转账",
        "place": "深圳市坪山区",
        "deadline": "2026-11-30",
    }
    agreed = step(
        s,
        case_id,
        "record_agreement",
        "2026-10-27",
        {"facts_and_disputes": "电梯长期故障，物业费争议", "terms": [term], "signed_by": [applicant, respondent]},
    )
    assert agreed.state == "agreed"
    assert agreed.next_due is None  # the 司法确认 window is the parties' clock, not the agency's
    deadlines = {d.name: d for d in s.cases.deadlines(case_id)}
    assert deadlines["mediation_period"].status == "met" and deadlines["mediation_period"].met_on == date(2026, 10, 27)
    assert deadlines["judicial_confirmation"].due == date(2026, 11, 26)
    with pytest.raises(ActionRefused, match="Still to be done"):
        step(s, case_id, "close", "2026-11-02")
    step(s, case_id, "remind_judicial_confirmation", "2026-10-27", {"parties": [applicant, respondent]})
    step(s, case_id, "follow_up", "2026-11-20", {"performance": "performed"})
    step(s, case_id, "close", "2026-11-23")
    with pytest.raises(ActionRefused, match="调解笔录"):  # the completeness gate: the 卷宗 lacks documents
        step(s, case_id, "archive", "2026-11-27", {"file_number": "坪山调档2026-001"})
    issued = issue_required(s, case_id)  # one outbox row each
    final = step(s, case_id, "archive", "2026-11-27", {"file_number": "坪山调档2026-001"})
    assert final.state == "archived" and final.next_due is None
    assert [e.action for e in final.events] == [
        "register",
        "accept",
        "record_consent",
        "disclose_conflicts",
        "issue_rights_notice",
        "acknowledge_rights_notice",
        "hold_session",
        "record_agreement",
        "remind_judicial_confirmation",
        "follow_up",
        "close",
        "archive",
    ]
    assert [e.seq for e in final.events] == list(range(1, 13))
    assert final.version == 12
    agreement = next(e for e in final.events if e.action == "record_agreement")
    assert agreement.payload["terms"][0]["amount"] == "1200.00"
    assert agreement.payload["by"] == {"role": "mediator", "legally_qualified": False}
    # 4 rows for the registration, then an event and a patch for each of the 11 acts.
    assert outbox_count(s) == 4 + 2 * 11 + len(issued)


def test_mediation_failing_with_undisputed_facts(mediator: Session) -> None:
    s = mediator
    case_id, applicant, respondent = prepare_mediation(s)
    step(s, case_id, "hold_session", "2026-10-20", {"summary": "双方分歧较大", "present": [applicant, respondent]})
    with pytest.raises(ActionRefused, match="undisputed facts"):
        step(s, case_id, "terminate", "2026-10-28", {"ground": "cannot_proceed", "reasons": "双方无法达成一致"})
    with pytest.raises(ActionRefused, match="not signed by"):
        step(s, case_id, "record_undisputed_facts", "2026-10-28", {"facts": "电梯停运45天", "signed_by": [applicant]})
    step(
        s,
        case_id,
        "record_undisputed_facts",
        "2026-10-28",
        {"facts": "电梯于2026年3月至4月停运45天", "signed_by": [applicant, respondent]},
    )
    ended = step(s, case_id, "terminate", "2026-10-28", {"ground": "cannot_proceed", "reasons": "双方无法达成一致"})
    assert ended.state == "terminated" and ended.next_due is None
    assert {d.name: d.status for d in s.cases.deadlines(case_id)}["mediation_period"] == "stopped"
    with pytest.raises(ActionRefused, match="Still to be done"):
        step(s, case_id, "close", "2026-10-29")
    step(s, case_id, "issue_termination_notice", "2026-10-29", {"parties": [applicant, respondent]})
    closed = step(s, case_id, "close", "2026-10-30")
    assert closed.state == "closed"
    facts = next(e for e in closed.events if e.action == "record_undisputed_facts")
    assert facts.payload["facts"] == "电梯于2026年3月至4月停运45天"
    assert s.cases.list(overdue=True) == []


def test_mediation_refused_at_acceptance(mediator: Session) -> None:
    s = mediator
    case = s.cases.create(intake(received_on="2026-11-24"), confirm_duplicate=True)
    # The 3-working-day transfer window has passed unused; the 5-working-day acceptance decision is next.
    assert (case.next_due_name, case.next_due) == ("acceptance", date(2026, 12, 1))
    with pytest.raises(ActionRefused, match="written reasons"):
        step(s, case.id, "refuse", "2026-11-26")
    refused = step(
        s, case.id, "refuse", "2026-11-26", {"reasons": "不属于本机关受理范围", "legal_basis": "条例第四十六条"}
    )
    assert refused.state == "not_accepted" and refused.next_due is None
    status = {d.name: (d.status, d.met_on) for d in s.cases.deadlines(case.id)}
    assert status["acceptance"] == ("met", date(2026, 11, 26))
    with pytest.raises(ActionRefused):
        step(s, case.id, "accept", "2026-11-27")
    assert step(s, case.id, "close", "2026-11-27").state == "closed"
    assert [(c.state, c.version) for c in s.cases.search(case.number)] == [("closed", 3)]


@pytest.mark.desk_unit("SZ-SCJG")  # the patent matter of adjudication_intake: the market regulator
def test_adjudication_through_review_and_decision(staffed: Workspace) -> None:
    with staffed.unlock(*MEDIATOR) as s:
        case = s.cases.create(adjudication_intake(received_on="2026-08-03"), confirm_duplicate=True)
        assert case.number.startswith("坪山裁〔2026〕")
        applicant, respondent = ids(s.cases.get(case.id))
        step(s, case.id, "accept", "2026-08-05")
        served = step(s, case.id, "serve_copy", "2026-08-07", {"parties": [respondent], "method": "post"})
        assert served.state == "served"
        with pytest.raises(ActionRefused, match="reply period"):
            step(s, case.id, "hold_hearing", "2026-08-10", {"summary": "听证"})
        step(s, case.id, "receive_reply", "2026-08-20", {"party": respondent, "summary": "不构成侵权"})
        step(s, case.id, "disclose_conflicts", "2026-08-21", {"has_conflict": False})
        step(s, case.id, "issue_rights_notice", "2026-08-21")
        step(
            s,
            case.id,
            "acknowledge_rights_notice",
            "2026-08-21",
            {"parties": [applicant, respondent], "method": "signature"},
        )
        step(s, case.id, "attempt_mediation", "2026-08-28", {"result": "failed"})
        step(s, case.id, "hold_hearing", "2026-09-10", {"summary": "质证", "present": [applicant, respondent]})
        point = {
            "point": "被控产品是否落入专利权的保护范围",
            "finding": "被控产品具备权利要求1的全部技术特征",
            "evidence": ["专利证书", "被控产品"],
            "reasoning": "被控产品落入保护范围，现有技术抗辩不成立",
        }
        step(s, case.id, "record_contested_point", "2026-09-11", point)
        with pytest.raises(ActionRefused, match=r"role|legal qualification"):
            step(s, case.id, "review", "2026-09-15", {"result": "approved", "reasons": "事实清楚"})
    with staffed.unlock(*UNQUALIFIED) as s, pytest.raises(ActionRefused, match="legal qualification"):
        step(s, case.id, "review", "2026-09-15", {"result": "approved", "reasons": "事实清楚"})
    with staffed.unlock(*SUPERVISOR) as s:
        reviewed = step(s, case.id, "review", "2026-09-15", {"result": "approved", "reasons": "事实清楚，适用法律正确"})
        assert reviewed.state == "reviewed"
    with staffed.unlock(*UNQUALIFIED) as s:
        # The head of the body (负责人, here sup2) approves; a patent dispute is not a major decision.
        step(s, case.id, "approve_decision", "2026-09-21", {"result": "approved", "reasons": "同意"})
        decision = {
            "claims": "责令停止侵权",
            "applicant_facts_and_reasons": "被申请人产品落入保护范围",
            "respondent_facts_and_reasons": "现有技术抗辩",
            "facts_found": "被控产品具备权利要求1的全部技术特征",
            "law_applied": "《中华人民共和国专利法》第十一条、第六十五条",
            "decision_text": "被申请人立即停止制造、销售被控侵权产品",
        }
        decided = step(s, case.id, "decide", "2026-09-30", decision)
        assert decided.state == "decided"
        remedies = decided.events[-1].payload["remedies"]
        matter = s.catalogue.active().matter("PS-CJ-003")
        assert matter is not None and remedies
        assert [r["route"] for r in remedies] == [r.route for r in matter.remedies]
        deadlines = {d.name: d for d in s.cases.deadlines(case.id)}
        assert deadlines["decision"].status == "met" and not deadlines["decision"].late
        assert deadlines["reply"].met_on == date(2026, 8, 20)
        final = step(
            s, case.id, "serve_decision", "2026-10-09", {"parties": [applicant, respondent], "method": "in_person"}
        )
        assert final.state == "decision_served"
        step(s, case.id, "close", "2026-10-12")
        issue_required(s, case.id)  # the case file is complete before it is archived
        archived = step(s, case.id, "archive", "2026-10-20", {"file_number": "坪山裁档2026-001"})
        assert archived.state == "archived"
        review = next(e for e in archived.events if e.action == "review")
        assert review.actor == "sup1" and review.payload["by"] == {"role": "supervisor", "legally_qualified": True}
        assert archived.bundle_version == SHIPPED and archived.version == len(archived.events)
