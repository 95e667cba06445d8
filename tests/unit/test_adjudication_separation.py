"""Separation of review and approval in adjudication (国办发〔2018〕118号 法制审核, by analogy).

Whoever performed any handling act on a case may not do its legality and reasonableness review, nor give the
head's approval (负责人审批); the approver is not the reviewer either; a matter the catalogue marks major needs
a collective discussion (集体讨论) before the approval; only a supervisor or administrator decides, after the
approval. Procurement complaints (财政部令第94号) are reviewed without a forced mediation or hearing.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from fzmediate.domain.case import CaseEvent, PartyRole
from fzmediate.i18n import set_locale
from fzmediate.procedure.engine import Actor
from fzmediate.procedure.guards_adjudication import handling_acts
from fzmediate.security.roles import Role
from tests.procedure_helpers import (
    ADMIN,
    HEAD,
    LAND,
    MEDIATOR,
    PROCUREMENT,
    SUPERVISOR,
    Runner,
    collective_discussion,
    contested_point,
    decision,
    definitions,
    head_approval,
    matter,
    person,
)

PATENT = "PS-CJ-003"
#: A legally qualified supervisor who would like to review (or approve) after having handled something.
OTHER = Actor("sup9", Role.SUPERVISOR, legally_qualified=True)
EXTENDER = Actor("sup8", Role.SUPERVISOR, legally_qualified=False)
ADJUDICATION = definitions()["adjudication.standard"]


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    set_locale("en")
    yield


def d(month: int, day: int) -> date:
    return date(2026, month, day)


def label(action: str) -> str:
    return ADJUDICATION.action_label(action)


def to_review(r: Runner, by: dict[str, Actor] | None = None) -> Runner:
    """A land case up to the review, each act by med1 unless ``by`` names another actor for it."""
    who = by or {}

    def do(action: str, on: date, **payload: object) -> None:
        # An extension is approved by a supervisor (sup8), who then handled the case as well.
        default = EXTENDER if action == "extend_period" else MEDIATOR
        r.do(action, on, who.get(action, default), **payload)

    do("accept", d(3, 9))
    do("publish_acceptance_notice", d(3, 9), note="测试：公告")
    do("serve_copy", d(3, 10), parties=r.respondents(), method="post")
    do("issue_rights_notice", d(3, 10))
    do("acknowledge_rights_notice", d(3, 12), parties=r.principals(), method="signature")
    r.do("disclose_conflicts", d(3, 12), MEDIATOR, has_conflict=False)
    if "disclose_conflicts" in who:
        r.do("disclose_conflicts", d(3, 12), who["disclose_conflicts"], has_conflict=False, mediator="sup9")
    for meeting in ("hold_hearing", "attempt_mediation"):
        # Whoever conducts a hearing or a mediation discloses first (深圳条例 第二十三条).
        if meeting in who:
            actor = who[meeting]
            r.do("disclose_conflicts", d(3, 12), actor, has_conflict=False, mediator=actor.login)
    do("receive_reply", d(3, 25), party="r1", summary="测试答复")
    do("collect_evidence", d(3, 26), description="测试：土地证复印件", submitted_by="a1")
    do("hold_hearing", d(4, 8), summary="测试听证")
    do("attempt_mediation", d(4, 15), result="failed")
    do("record_contested_point", d(4, 16), **contested_point())
    do("extend_period", d(4, 16), time_limit="decision", reasons="测试：情况复杂", approval_ref="测试〔2026〕1号")
    do("suspend", d(4, 17), reasons="测试：等待测绘")
    do("resume", d(4, 18), reasons="测试：测绘完成")
    assert r.state == "mediation_failed"
    return r


def reviewed(r: Runner | None = None) -> Runner:
    r = to_review(r or Runner(LAND, d(3, 2)))
    r.do("review", d(4, 20), SUPERVISOR, result="approved", reasons="测试：事实清楚，适用法律正确")
    return r


# --- the review -------------------------------------------------------------------------------------------

PATH_ACTS = [
    "accept",
    "publish_acceptance_notice",
    "serve_copy",
    "issue_rights_notice",
    "acknowledge_rights_notice",
    "disclose_conflicts",
    "receive_reply",
    "collect_evidence",
    "hold_hearing",
    "attempt_mediation",
    "record_contested_point",
    "extend_period",
    "suspend",
    "resume",
]


@pytest.mark.parametrize("action", PATH_ACTS)
def test_each_handling_act_excludes_its_actor_from_the_review(action: str) -> None:
    r = to_review(Runner(LAND, d(3, 2)), by={action: OTHER})
    refused = r.refused("review", d(4, 20), OTHER, result="approved", reasons="同意")
    assert any(label(action) in reason for reason in refused), refused
    # Someone who did none of it may review.
    r.do("review", d(4, 20), SUPERVISOR, result="approved", reasons="测试：同意")
    assert r.state == "reviewed"


@pytest.mark.parametrize("action", ["register", *handling_acts(ADJUDICATION)])
def test_every_recorded_handling_act_excludes_its_actor(action: str) -> None:
    # Every act of the procedure that counts as handling (and the registration), whatever the path it came on.
    r = to_review(Runner(LAND, d(3, 2)))
    extra = CaseEvent(
        seq=len(r.case.events) + 1,
        action=action,
        on=d(4, 19),
        at=datetime(2026, 4, 19, 10, tzinfo=UTC),
        actor="sup9",
        device="test",
        payload={},
    )
    r.case = replace(r.case, events=(*r.case.events, extra))
    refused = " ".join(r.refused("review", d(4, 20), OTHER, result="approved", reasons="同意"))
    assert ("registration" if action == "register" else label(action)) in refused


def test_the_handling_acts_are_every_act_but_review_approval_and_what_follows_the_decision() -> None:
    acts = set(handling_acts(ADJUDICATION))
    assert {"accept", "serve_copy", "receive_reply", "collect_evidence", "hold_hearing", "attempt_mediation"} <= acts
    assert {"publish_acceptance_notice", "extend_period", "suspend", "record_contested_point"} <= acts
    not_handling = {"review", "approve_decision", "record_collective_discussion", "decide_recusal", "decide"}
    assert not acts & not_handling
    assert set(ADJUDICATION.action("review").requires_different_actor_from) == acts  # type: ignore[union-attr]


def test_a_recusal_decision_by_a_supervisor_does_not_exclude_the_review() -> None:
    r = to_review(Runner(LAND, d(3, 2)))
    decided = CaseEvent(
        seq=len(r.case.events) + 1,
        action="decide_recusal",
        on=d(4, 19),
        at=datetime(2026, 4, 19, 10, tzinfo=UTC),
        actor="sup9",
        device="test",
        payload={"decision": "rejected"},
    )
    r.case = replace(r.case, events=(*r.case.events, decided))
    r.do("review", d(4, 20), OTHER, result="approved", reasons="测试：同意")
    assert r.state == "reviewed"


def test_the_reviewer_stays_a_legally_qualified_supervisor() -> None:
    r = to_review(Runner(LAND, d(3, 2)))
    assert "合法性、合理性审查 needs a user with a legal qualification" in r.refused(
        "review", d(4, 20), HEAD, result="approved", reasons="同意"
    )
    assert any(
        "it is for: supervisor or administrator" in x
        for x in r.refused("review", d(4, 20), Actor("med9", Role.MEDIATOR, True), result="approved", reasons="x")
    )


def test_a_review_needs_the_contested_points_and_a_new_point_needs_a_new_review() -> None:
    r = reviewed()
    r.do("record_collective_discussion", d(4, 21), HEAD, **collective_discussion(d(4, 21)))
    r.do("approve_decision", d(4, 22), HEAD, result="returned", reasons="测试：理由不充分")
    assert r.state == "returned"
    r.do("record_contested_point", d(4, 23), **contested_point(2))
    assert r.refused("review", d(4, 23), HEAD, result="approved", reasons="x")  # unqualified
    r.do("review", d(4, 24), SUPERVISOR, result="approved", reasons="测试：同意")
    # The discussion before the new review does not count for it.
    assert (
        "A major decision: a collective discussion must be recorded after the review and before the approval"
        in r.refused("approve_decision", d(4, 25), HEAD, **head_approval())
    )


# --- the approval (负责人审批) and the decision --------------------------------------------------------------


def test_no_decision_without_the_heads_approval() -> None:
    r = reviewed()
    refused = r.refused("decide", d(4, 21), ADMIN, **decision())
    assert "The head of the body has not approved the decision after the latest review (负责人审批)" in refused
    assert any("is not possible in state 审查通过" in x for x in refused)


def test_the_approver_is_not_the_reviewer() -> None:
    r = reviewed()
    r.do("record_collective_discussion", d(4, 21), HEAD, **collective_discussion(d(4, 21)))
    assert "负责人审批 must be done by someone other than the person who did: 合法性、合理性审查" in r.refused(
        "approve_decision", d(4, 21), SUPERVISOR, **head_approval()
    )


@pytest.mark.parametrize("action", ["accept", "collect_evidence", "hold_hearing", "record_contested_point"])
def test_the_approver_is_not_a_handler(action: str) -> None:
    head = Actor("head1", Role.SUPERVISOR, legally_qualified=False)
    r = to_review(Runner(LAND, d(3, 2)), by={action: head})
    r.do("review", d(4, 20), SUPERVISOR, result="approved", reasons="测试：同意")
    r.do("record_collective_discussion", d(4, 21), ADMIN, **collective_discussion(d(4, 21)))
    refused = " ".join(r.refused("approve_decision", d(4, 21), HEAD, **head_approval()))
    assert "负责人审批 must be done by someone other than the person who did" in refused
    assert label(action) in refused


def test_the_assigned_handler_cannot_approve() -> None:
    r = reviewed(Runner(LAND, d(3, 2)))
    r.do("record_collective_discussion", d(4, 21), ADMIN, **collective_discussion(d(4, 21)))
    r.case = replace(r.case, assigned_mediator="head1")
    assert (
        "The approval must be given by someone who neither handled nor reviewed the case: you are the case handler"
        in r.refused("approve_decision", d(4, 21), HEAD, **head_approval())
    )


def test_a_land_decision_needs_a_collective_discussion_before_the_approval() -> None:
    assert matter(LAND).major_decision and not matter(PATENT).major_decision
    r = reviewed()
    assert (
        "A major decision: a collective discussion must be recorded after the review and before the approval"
        in r.refused("approve_decision", d(4, 21), HEAD, **head_approval())
    )
    missing = r.refused("record_collective_discussion", d(4, 21), HEAD, held_on="2026-04-21")
    assert "参加人员: required" in missing and "讨论结论: required" in missing
    assert "The collective discussion cannot be held after the day it is recorded (2026-04-21)" in r.refused(
        "record_collective_discussion", d(4, 21), HEAD, **collective_discussion(d(4, 22))
    )
    r.do("record_collective_discussion", d(4, 21), HEAD, **collective_discussion(d(4, 21)))
    r.do("approve_decision", d(4, 22), HEAD, **head_approval())
    assert r.state == "approved"


def test_a_mediator_can_never_decide_and_a_supervisor_decides_after_approval() -> None:
    r = reviewed()
    r.do("record_collective_discussion", d(4, 21), HEAD, **collective_discussion(d(4, 21)))
    assert any(
        "it is for: supervisor or administrator" in x
        for x in r.refused("approve_decision", d(4, 22), MEDIATOR, **head_approval())
    )
    r.do("approve_decision", d(4, 22), HEAD, **head_approval())
    assert any(
        "Your role (mediator) cannot do 作出裁决" in x for x in r.refused("decide", d(4, 23), MEDIATOR, **decision())
    )
    out = r.do("decide", d(4, 23), HEAD, **decision())
    assert r.state == "decided" and out.payload["remedies"]


def test_a_decision_states_reasons_from_the_catalogue_and_the_third_party() -> None:
    parties = (
        person("a1", PartyRole.APPLICANT, "测试甲", 11),
        person("r1", PartyRole.RESPONDENT, "测试乙", 12),
        person("t1", PartyRole.THIRD_PARTY, "测试丙", 13),
    )
    r = reviewed(Runner(LAND, d(3, 2), parties=parties))
    r.do("record_collective_discussion", d(4, 21), HEAD, **collective_discussion(d(4, 21)))
    r.do("approve_decision", d(4, 22), HEAD, **head_approval())
    refused = r.refused("decide", d(4, 23), HEAD, **dict(decision(), law_applied="依照有关规定"))
    assert "The case has a third party: the decision must state the third party's position" in refused
    assert "The law applied must cite at least one provision in the form 《law》 article …" in refused
    r.do("decide", d(4, 23), HEAD, **dict(decision(), third_party_statement="测试：第三人对争议地块不主张权利"))
    assert r.state == "decided"


def test_contested_points_need_every_field() -> None:
    r = to_review(Runner(LAND, d(3, 2)))
    refused = r.refused("record_contested_point", d(4, 19), point="测试焦点", finding=" ", evidence=["", " "])
    assert {"查明的事实: required", "证据: required", "本机关认为（理由）: required"} <= set(refused)


# --- variants ----------------------------------------------------------------------------------------------


def served(code: str) -> Runner:
    r = Runner(code, d(3, 2))
    r.do("accept", d(3, 3))
    r.do("serve_copy", d(3, 3), parties=r.respondents(), method="post")
    r.do("receive_reply", d(3, 5), party="r1", summary="测试说明")
    r.do("issue_rights_notice", d(3, 5))
    r.do("acknowledge_rights_notice", d(3, 5), parties=r.principals(), method="signature")
    r.do("record_contested_point", d(3, 6), **contested_point())
    return r


def test_a_procurement_complaint_is_reviewed_without_forced_mediation_or_hearing() -> None:
    assert not matter(PROCUREMENT).mediation_first and not matter(PROCUREMENT).hearing_required
    r = served(PROCUREMENT)
    r.do("review", d(3, 9), SUPERVISOR, result="approved", reasons="测试：同意")
    r.do("approve_decision", d(3, 10), HEAD, **head_approval())
    law = "《政府采购质疑和投诉办法》第二十九条"
    r.do("decide", d(3, 11), HEAD, **dict(decision(), law_applied=law))
    assert r.state == "decided"


def test_a_land_case_is_mediated_and_heard_before_the_review() -> None:
    r = served(LAND)
    refused = r.refused("review", d(3, 9), SUPERVISOR, result="approved", reasons="测试：同意")
    assert "No hearing has been held" in refused
    assert "The dispute must first be mediated (深圳条例 第五十八条); no failed or refused mediation is on record" in (
        refused
    )


def test_a_patent_dispute_needs_no_collective_discussion() -> None:
    r = Runner(PATENT, d(3, 2))
    r.do("accept", d(3, 3))
    r.do("serve_copy", d(3, 3), parties=r.respondents(), method="post")
    r.do("receive_reply", d(3, 5), party="r1")
    r.do("issue_rights_notice", d(3, 5))
    r.do("acknowledge_rights_notice", d(3, 5), parties=r.principals(), method="signature")
    r.do("disclose_conflicts", d(3, 5), has_conflict=False)
    r.do("hold_hearing", d(3, 6))
    r.do("attempt_mediation", d(3, 6), result="refused")
    r.do("record_contested_point", d(3, 6), **contested_point())
    r.do("review", d(3, 9), SUPERVISOR, result="approved", reasons="测试：同意")
    r.do("approve_decision", d(3, 10), HEAD, **head_approval())
    r.do("decide", d(3, 11), HEAD, **dict(decision(), law_applied="《中华人民共和国专利法》第六十五条"))
    assert r.state == "decided"
