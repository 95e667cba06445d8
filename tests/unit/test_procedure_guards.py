"""Each guard's refusal, in its own words — and no message ever names a party or prints an ID number."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import date

import pytest

from fzmediate.domain.case import PartyKind, PartyRole
from fzmediate.i18n import set_locale
from fzmediate.procedure.engine import ActionRefused, ActionRequest
from fzmediate.procedure.guards import GUARDS, GuardContext, decision_states_remedies
from tests.procedure_helpers import (
    ADMIN,
    CONSUMER,
    FOREST,
    HEAD,
    LABOUR,
    LAND,
    MEDIATOR,
    SUPERVISOR,
    Runner,
    agreement,
    closed_agreed_mediation,
    collective_discussion,
    contested_point,
    decision,
    default_parties,
    definitions,
    head_approval,
    matter,
    organisation,
    person,
)


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    set_locale("en")
    yield


D0 = date(2026, 9, 25)
D1 = date(2026, 9, 28)
D2 = date(2026, 9, 30)


def accepted(respondents: int = 1, code: str = CONSUMER) -> Runner:
    r = Runner(code, D0, parties=default_parties(respondents))
    r.do("accept", D1)
    return r


def ready(respondents: int = 1) -> Runner:
    r = accepted(respondents)
    for rid in r.respondents():
        r.do("record_consent", D1, party=rid, consent="agreed")
    r.do("disclose_conflicts", D1, has_conflict=False)
    r.do("issue_rights_notice", D1)
    r.do("acknowledge_rights_notice", D1, parties=r.principals(), method="thumbprint")
    return r


def in_mediation() -> Runner:
    r = ready()
    r.do("hold_session", D2)
    return r


def served_land() -> Runner:
    r = Runner(LAND, date(2026, 3, 2))
    r.do("accept", date(2026, 3, 9))
    r.do("serve_copy", date(2026, 3, 10), parties=["r1"], method="post")
    r.do("issue_rights_notice", date(2026, 3, 10))
    r.do("acknowledge_rights_notice", date(2026, 3, 10), parties=r.principals(), method="signature")
    r.do("disclose_conflicts", date(2026, 3, 10), has_conflict=False)
    r.do("receive_reply", date(2026, 3, 11), party="r1")
    return r


# Each scenario returns (the reasons of a refusal, a sentence expected among them).
Scenario = Callable[[], tuple[tuple[str, ...], str]]


def s_parties_identified() -> tuple[tuple[str, ...], str]:
    parties = (
        replace(person("a1", PartyRole.APPLICANT, "测试甲", 11), name=" "),
        organisation("r1", PartyRole.RESPONDENT, "测试乙有限公司"),
        replace(person("r2", PartyRole.RESPONDENT, "测试丙", 12), id_number=""),
    )
    r = Runner(CONSUMER, D0, parties=parties)
    return r.refused(
        "accept", D1
    ), "Not all parties are identified: applicant 1 has no name; respondent 2 has no identity document"


def s_parties_missing_respondent() -> tuple[tuple[str, ...], str]:
    r = Runner(CONSUMER, D0, parties=(person("a1", PartyRole.APPLICANT, "测试甲", 11),))
    return r.refused("accept", D1), "Not all parties are identified: the case has no respondent"


def s_written_reasons() -> tuple[tuple[str, ...], str]:
    return Runner(CONSUMER, D0).refused(
        "refuse", D1
    ), "The written reasons are missing: 不予受理 must state its reasons"


def s_receiving_body_named() -> tuple[tuple[str, ...], str]:
    r = Runner(CONSUMER, D0)
    return r.refused(
        "transfer", D1, reasons="测试"
    ), "The body the case is transferred to is not named (条例 第四十五条)"


def s_consent_missing() -> tuple[tuple[str, ...], str]:
    r = accepted(respondents=2)
    r.do("record_consent", D1, party="r1", consent="agreed")
    return r.refused("hold_session", D2), "Consent to mediation has not been recorded for: respondent 2"


def s_consent_refused() -> tuple[tuple[str, ...], str]:
    r = accepted(respondents=2)
    r.do("record_consent", D1, party="r2", consent="refused")
    return r.refused("hold_session", D2), "respondent 2 refused mediation; there can be no mediation (条例 第二十一条)"


def s_conflicts_disclosed() -> tuple[tuple[str, ...], str]:
    r = accepted()
    return r.refused("hold_session", D2), "The mediator has not disclosed conflicts of interest (条例 第二十三条)"


def s_no_pending_recusal() -> tuple[tuple[str, ...], str]:
    r = ready()
    r.do("request_recusal", D2, party="r1", reasons="测试")
    return (
        r.refused("hold_session", D2),
        "A recusal request is waiting for a decision; the mediator cannot act until it is decided",
    )


def s_actor_not_recused() -> tuple[tuple[str, ...], str]:
    r = ready()
    r.do("request_recusal", D2, party="r1", reasons="测试")
    r.do("decide_recusal", D2, SUPERVISOR, decision="granted", reasons="测试", new_mediator="med2")
    return r.refused(
        "hold_session", D2
    ), "You were replaced as mediator after a recusal and can no longer act in this case"


def s_recusal_pending() -> tuple[tuple[str, ...], str]:
    r = ready()
    return r.refused("decide_recusal", D2, SUPERVISOR, decision="granted", reasons="x", new_mediator="med2"), (
        "There is no recusal request to decide"
    )


def s_recusal_decision_complete() -> tuple[tuple[str, ...], str]:
    r = Runner(CONSUMER, D0, assigned_mediator="sup1")
    r.do("accept", D1)
    r.do("request_recusal", D1, party="a1", reasons="测试")
    return r.refused("decide_recusal", D2, SUPERVISOR, decision="granted", new_mediator="sup1"), (
        "The recusal decision is incomplete: the mediator concerned cannot decide on their own recusal; the reasons "
        "are missing; the replacement must be a mediator who has not been recused"
    )


def s_recusal_granted_on_request() -> tuple[tuple[str, ...], str]:
    r = accepted()
    r.do("request_recusal", D1, party="a1", reasons="测试")
    return r.refused("decide_recusal", D2, ADMIN, decision="rejected", reasons="测试"), (
        "The mediator must step aside when a party asks or a conflict was disclosed (条例 第二十三条)"
    )


def s_disclosure_complete() -> tuple[tuple[str, ...], str]:
    return accepted().refused(
        "disclose_conflicts", D1, has_conflict=True
    ), "Describe the conflict of interest that is disclosed"


def s_rights_notice_issued() -> tuple[tuple[str, ...], str]:
    r = accepted()
    return r.refused("acknowledge_rights_notice", D1, parties=["a1"], method="signature"), (
        "The notice of rights and duties has not been issued"
    )


def s_rights_acknowledged_by_all() -> tuple[tuple[str, ...], str]:
    r = accepted(respondents=2)
    for rid in r.respondents():
        r.do("record_consent", D1, party=rid, consent="agreed")
    r.do("disclose_conflicts", D1, has_conflict=False)
    r.do("issue_rights_notice", D1)
    r.do("acknowledge_rights_notice", D1, parties=["r1"], method="seal")
    return r.refused("hold_session", D2), "The notice of rights has not been acknowledged by: applicant 1, respondent 2"


def s_within_mediation_period() -> tuple[tuple[str, ...], str]:
    r = in_mediation()
    return r.refused("hold_session", date(2026, 10, 29)), (
        "The mediation period ended on 2026-10-28; mediation must end unless all parties agree to extend it "
        "(条例 第二十五条)"
    )


def s_extension_consent_of_all() -> tuple[tuple[str, ...], str]:
    r = in_mediation()
    return r.refused("extend_period", D2, SUPERVISOR, consenting_parties=["r1"]), (
        "The extension lacks the consent of: applicant 1"
    )


def s_extension_before_due() -> tuple[tuple[str, ...], str]:
    r = Runner(FOREST, date(2026, 3, 2))
    r.do("accept", date(2026, 3, 9))
    return r.refused("extend_period", date(2026, 3, 10), SUPERVISOR, time_limit="mediation_period", reasons="测试"), (
        "The period 行政调解期限 has not started, so it cannot be extended"
    )


def s_extension_within_limit() -> tuple[tuple[str, ...], str]:
    r = accepted(code=LABOUR)
    return r.refused("extend_period", D2, SUPERVISOR, consenting_parties=["a1", "r1"]), (
        "The matter's rules do not allow extending 调解期限"
    )


def s_statutory_ground() -> tuple[tuple[str, ...], str]:
    r = accepted()
    return r.refused("terminate", D2, ground="period_expired_without_extension", reasons="测试"), (
        "The mediation period runs until 2026-10-28; it has not expired"
    )


def s_undisputed_facts_before_termination() -> tuple[tuple[str, ...], str]:
    r = in_mediation()
    return r.refused("terminate", D2, ground="cannot_proceed", reasons="测试"), (
        "Record the undisputed facts before terminating (条例 第七十三条), or state that the parties declined to sign "
        "them, with a note"
    )


def s_undisputed_facts_complete() -> tuple[tuple[str, ...], str]:
    r = in_mediation()
    return r.refused("record_undisputed_facts", D2, facts="测试事实", signed_by=["a1"]), (
        "The undisputed facts are not signed by: respondent 1 (record that they declined, with a note)"
    )


def s_agreement_contents() -> tuple[tuple[str, ...], str]:
    r = in_mediation()
    payload = agreement(D2, signed_by=r.principals(), partial=True)
    payload["terms"] = [dict(payload["terms"][0], obligee="r1", place="", amount="0", deadline="2026-09-01")]
    return r.refused("record_agreement", D2, **payload), (
        "The agreement is incomplete (条例 第二十六条): term 1: obligor and obligee are the same party; term 1: "
        "place is missing; term 1: the amount must be greater than zero; term 1: the performance deadline is before "
        "the agreement; a partial agreement must list what stays in dispute (条例 第二十六条)"
    )


def s_agreement_signed_by_all() -> tuple[tuple[str, ...], str]:
    r = in_mediation()
    return r.refused("record_agreement", D2, **agreement(D2, signed_by=["a1"])), (
        "The agreement has not been signed by: respondent 1"
    )


def s_agreement_recorded() -> tuple[tuple[str, ...], str]:
    return accepted().refused("follow_up", D2, performance="performed"), "No agreement has been recorded"


def s_no_open_obligations() -> tuple[tuple[str, ...], str]:
    r = in_mediation()
    r.do("record_agreement", D2, **agreement(D2, signed_by=r.principals()))
    r.do("follow_up", D2, performance="partly_performed")
    return r.refused("close", D2), "Still to be done before the case can be closed: 告知申请司法确认"


def s_copy_served_on_all_respondents() -> tuple[tuple[str, ...], str]:
    r = Runner(LAND, date(2026, 3, 2), parties=default_parties(2))
    r.do("accept", date(2026, 3, 9))
    return r.refused("serve_copy", date(2026, 3, 9), parties=["r2"], method="post"), (
        "The copy of the application must be served on every respondent; missing: respondent 1"
    )


def s_served_on_all_parties() -> tuple[tuple[str, ...], str]:
    r = served_land()
    return r.refused("serve_decision", date(2026, 3, 12), parties=["r1"], method="post"), (
        "The document must be served on every party; missing: applicant 1"
    )


def s_reply_received_or_period_expired() -> tuple[tuple[str, ...], str]:
    r = Runner(LAND, date(2026, 3, 2))
    r.do("accept", date(2026, 3, 9))
    return r.refused(
        "hold_hearing", date(2026, 3, 9)
    ), "The copy of the application has not been served on the respondent"


def s_hearing_held() -> tuple[tuple[str, ...], str]:
    r = served_land()
    r.do("attempt_mediation", date(2026, 3, 12), result="failed")
    return r.refused(
        "review", date(2026, 3, 13), SUPERVISOR, result="approved", reasons="x"
    ), "No hearing has been held"


def s_reviewer_not_handler() -> tuple[tuple[str, ...], str]:
    r = served_land()
    r.do("hold_hearing", date(2026, 3, 12))
    r.do("attempt_mediation", date(2026, 3, 12), result="failed")
    r.case = replace(r.case, assigned_mediator="sup1")
    return r.refused("review", date(2026, 3, 13), SUPERVISOR, result="approved", reasons="x"), (
        "The legality and reasonableness review must be done by someone other than the case handler"
    )


def s_approving_review() -> tuple[tuple[str, ...], str]:
    r = served_land()
    r.do("hold_hearing", date(2026, 3, 12))
    r.do("attempt_mediation", date(2026, 3, 12), result="failed")
    r.do("record_contested_point", date(2026, 3, 12), **contested_point())
    r.do("review", date(2026, 3, 13), SUPERVISOR, result="returned", reasons="测试：退回")
    return r.refused("decide", date(2026, 3, 14), ADMIN, **decision()), (
        "The latest legality and reasonableness review did not approve the decision"
    )


def reviewed_land() -> Runner:
    """A land (major) case handled by med1 and approved in review by the qualified supervisor sup1."""
    r = served_land()
    r.do("hold_hearing", date(2026, 3, 12))
    r.do("attempt_mediation", date(2026, 3, 12), result="failed")
    r.do("record_contested_point", date(2026, 3, 12), **contested_point())
    r.do("review", date(2026, 3, 13), SUPERVISOR, result="approved", reasons="测试：同意")
    return r


def s_mediation_attempted_first() -> tuple[tuple[str, ...], str]:
    r = served_land()
    r.do("hold_hearing", date(2026, 3, 12))
    r.do("record_contested_point", date(2026, 3, 12), **contested_point())
    return r.refused("review", date(2026, 3, 13), SUPERVISOR, result="approved", reasons="x"), (
        "The dispute must first be mediated (深圳条例 第五十八条); no failed or refused mediation is on record"
    )


def s_contested_points_recorded() -> tuple[tuple[str, ...], str]:
    r = served_land()
    r.do("hold_hearing", date(2026, 3, 12))
    r.do("attempt_mediation", date(2026, 3, 12), result="failed")
    return r.refused("review", date(2026, 3, 13), SUPERVISOR, result="approved", reasons="x"), (
        "No contested point with its facts found, evidence and reasoning is on record"
    )


def s_collective_discussion_if_major() -> tuple[tuple[str, ...], str]:
    r = reviewed_land()
    return r.refused("approve_decision", date(2026, 3, 14), HEAD, **head_approval()), (
        "A major decision: a collective discussion must be recorded after the review and before the approval"
    )


def s_collective_discussion_dated() -> tuple[tuple[str, ...], str]:
    r = reviewed_land()
    early = collective_discussion(date(2026, 3, 12))
    return r.refused("record_collective_discussion", date(2026, 3, 14), HEAD, **early), (
        "The collective discussion must come after the review of 2026-03-13"
    )


def s_approver_not_handler() -> tuple[tuple[str, ...], str]:
    r = reviewed_land()
    r.do("record_collective_discussion", date(2026, 3, 14), HEAD, **collective_discussion(date(2026, 3, 14)))
    r.case = replace(r.case, assigned_mediator="head1")
    return r.refused("approve_decision", date(2026, 3, 14), HEAD, **head_approval()), (
        "The approval must be given by someone who neither handled nor reviewed the case: you are the case handler"
    )


def s_decision_approved() -> tuple[tuple[str, ...], str]:
    r = reviewed_land()
    return r.refused("decide", date(2026, 3, 14), HEAD, **decision()), (
        "The head of the body has not approved the decision after the latest review (负责人审批)"
    )


def s_third_party_position_stated() -> tuple[tuple[str, ...], str]:
    r = reviewed_land()
    r.case = replace(r.case, parties=(*r.case.parties, person("t1", PartyRole.THIRD_PARTY, "测试丁", 21)))
    return r.refused("decide", date(2026, 3, 14), HEAD, **decision()), (
        "The case has a third party: the decision must state the third party's position"
    )


def s_articles_from_catalogue() -> tuple[tuple[str, ...], str]:
    r = reviewed_land()
    cited = dict(decision(), law_applied="《中华人民共和国专利法》第六十五条")
    return r.refused("decide", date(2026, 3, 14), HEAD, **cited), (
        "The law applied cites laws the catalogue does not list for this matter: 《中华人民共和国专利法》; "
        "cite the matter's laws, or ask the district to add the law to the catalogue"
    )


def s_decision_states_remedies() -> tuple[tuple[str, ...], str]:
    r = served_land()
    no_remedies = matter(LAND).model_copy(update={"remedies": ()})
    definition = definitions()["adjudication.standard"]
    act = definition.action("decide")
    assert act is not None
    request = ActionRequest("decide", SUPERVISOR, date(2026, 3, 14), decision())
    ctx = GuardContext(r.case, request, act, decision(), definition, no_remedies, {})
    reason = decision_states_remedies(ctx)
    return (reason or "",), "The matter states no remedy routes, and a decision must state them"


def s_agents_have_authority() -> tuple[tuple[str, ...], str]:
    r = accepted()
    return (
        r.refused("record_consent", D2, party="r1", consent="agreed", agents=["a1"]),
        "An agent cannot act for the party here: agents: entry 1 is not an agent (委托代理人) of this case",
    )


def s_agents_of_case() -> tuple[tuple[str, ...], str]:
    r = ready()
    return (
        r.refused("hold_session", D2, agents=["r1"]),
        "agents: entry 1 is not an agent (委托代理人) of this case",
    )


def s_required_documents_issued() -> tuple[tuple[str, ...], str]:
    r = closed_agreed_mediation()
    return (
        r.refused("archive", date(2026, 10, 22), file_number="测试卷宗-1"),
        "The case file is incomplete; issue these documents before archiving: "
        "申请书、受理通知书、征求意见书、权利义务告知书、调解笔录、调解协议书、回访记录",
    )


SCENARIOS: dict[str, list[Scenario]] = {
    "parties_identified": [s_parties_identified, s_parties_missing_respondent],
    "written_reasons": [s_written_reasons],
    "receiving_body_named": [s_receiving_body_named],
    "consent_of_all_respondents": [s_consent_missing, s_consent_refused],
    "conflicts_disclosed": [s_conflicts_disclosed],
    "no_pending_recusal": [s_no_pending_recusal],
    "actor_not_recused": [s_actor_not_recused],
    "recusal_pending": [s_recusal_pending],
    "recusal_decision_complete": [s_recusal_decision_complete],
    "recusal_granted_on_request": [s_recusal_granted_on_request],
    "disclosure_complete": [s_disclosure_complete],
    "rights_notice_issued": [s_rights_notice_issued],
    "rights_acknowledged_by_all": [s_rights_acknowledged_by_all],
    "within_mediation_period": [s_within_mediation_period],
    "extension_consent_of_all": [s_extension_consent_of_all],
    "extension_before_due": [s_extension_before_due],
    "extension_within_limit": [s_extension_within_limit],
    "statutory_ground": [s_statutory_ground],
    "undisputed_facts_before_termination": [s_undisputed_facts_before_termination],
    "undisputed_facts_complete": [s_undisputed_facts_complete],
    "agreement_contents": [s_agreement_contents],
    "agreement_signed_by_all": [s_agreement_signed_by_all],
    "agreement_recorded": [s_agreement_recorded],
    "no_open_obligations": [s_no_open_obligations],
    "copy_served_on_all_respondents": [s_copy_served_on_all_respondents],
    "served_on_all_parties": [s_served_on_all_parties],
    "reply_received_or_period_expired": [s_reply_received_or_period_expired],
    "hearing_held": [s_hearing_held],
    "reviewer_not_handler": [s_reviewer_not_handler],
    "approving_review": [s_approving_review],
    "mediation_attempted_first": [s_mediation_attempted_first],
    "contested_points_recorded": [s_contested_points_recorded],
    "collective_discussion_if_major": [s_collective_discussion_if_major],
    "collective_discussion_dated": [s_collective_discussion_dated],
    "approver_not_handler": [s_approver_not_handler],
    "decision_approved": [s_decision_approved],
    "third_party_position_stated": [s_third_party_position_stated],
    "articles_from_catalogue": [s_articles_from_catalogue],
    "decision_states_remedies": [s_decision_states_remedies],
    "agents_have_authority": [s_agents_have_authority],
    "agents_of_case": [s_agents_of_case],
    "required_documents_issued": [s_required_documents_issued],
}

ALL = [(name, scenario) for name, scenarios in SCENARIOS.items() for scenario in scenarios]


def test_every_guard_has_a_refusal_scenario() -> None:
    assert set(SCENARIOS) == set(GUARDS)


@pytest.mark.parametrize(("name", "scenario"), ALL, ids=[s.__name__ for _n, s in ALL])
def test_guard_refusal_message(name: str, scenario: Scenario) -> None:
    reasons, expected = scenario()
    assert expected in reasons, reasons
    # Personal data never reaches a message: no synthetic name, no ID number.
    for party in default_parties(2):
        for reason in reasons:
            assert party.name not in reason
            assert party.id_number not in reason


def test_refusal_message_joins_every_reason() -> None:
    r = Runner(CONSUMER, D0)
    with pytest.raises(ActionRefused) as info:
        r.engine.apply(r.case, ActionRequest("transfer", MEDIATOR, D1, {}))
    assert len(info.value.reasons) == 2
    assert info.value.message == "; ".join(info.value.reasons)
    assert info.value.exit_code == 1


def test_party_kinds_identified_differently() -> None:
    # An organisation needs a name; a person also an identity document (its format was checked at intake).
    org = organisation("r1", PartyRole.RESPONDENT, "测试乙有限公司")
    assert org.kind is PartyKind.ORGANIZATION
    r = Runner(CONSUMER, D0, parties=(person("a1", PartyRole.APPLICANT, "测试甲", 11), replace(org, id_number="")))
    r.do("accept", D1)
    assert r.state == "accepted"
