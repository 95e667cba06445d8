"""The procedure engine end to end: whole lifecycles, late acts, roles, deadlines across holidays, suspension.

All parties are synthetic; matters and time limits come from the shipped catalogue source.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest

from fzmediate.i18n import set_locale
from fzmediate.procedure.engine import ActionRefused, ActionRequest, Actor
from tests.procedure_helpers import (
    ADMIN,
    ADMIN_QUALIFIED,
    CONSUMER,
    FOREST,
    LABOUR,
    LAND,
    MEDIATOR,
    MEDIATOR2,
    PROCUREMENT,
    SUPERVISOR,
    SUPERVISOR_UNQUALIFIED,
    Runner,
    agreement,
    collective_discussion,
    contested_point,
    decision,
    head_approval,
    matter,
)


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    # Messages are asserted in their English source form.
    set_locale("en")
    yield


def d(month: int, day: int, year: int = 2026) -> date:
    return date(year, month, day)


def ready_for_session(r: Runner, on: date) -> None:
    """Accepted mediation case with consent, disclosure and acknowledged notice of rights."""
    r.do("accept", on)
    for rid in r.respondents():
        r.do("record_consent", on, party=rid, consent="agreed")
    r.do("disclose_conflicts", on, has_conflict=False)
    r.do("issue_rights_notice", on)
    r.do("acknowledge_rights_notice", on, parties=r.principals(), method="signature")


# --- mediation lifecycles -----------------------------------------------------------------------------


def test_mediation_ending_in_agreement_follow_up_reminder_close_archive() -> None:
    r = Runner(CONSUMER, d(9, 25))
    ready_for_session(r, d(9, 28))
    assert r.state == "accepted"
    r.do("hold_session", d(9, 30))
    assert r.state == "in_mediation"
    outcome = r.do("record_agreement", d(10, 9), **agreement(d(10, 9), signed_by=r.principals()))
    assert r.state == "agreed"
    assert outcome.payload["deadlines_met"] == [
        {"time_limit": "mediation_period", "due": "2026-10-28", "on_time": True}
    ]
    assert outcome.payload["terms"][0]["amount"] == "1200.50"
    assert outcome.payload["by"] == {"role": "mediator", "legally_qualified": False}
    # The 司法确认 window (the parties', 30 days from the agreement) is shown but never makes the case overdue.
    window = r.deadline("judicial_confirmation", d(10, 10))
    assert (window.due, window.applies_to, window.status) == (d(11, 9), "party", "open")
    assert r.engine.next_deadline(r.case, d(12, 1)) is None

    assert r.refused("close", d(10, 12)) == ("Still to be done before the case can be closed: 告知申请司法确认, 回访",)
    r.do("follow_up", d(10, 20), performance="performed", note="测试：已履行")
    r.do("remind_judicial_confirmation", d(10, 20), parties=r.principals())
    assert "has already been done" in r.refused("remind_judicial_confirmation", d(10, 21))[-1]
    r.do("close", d(10, 21))
    assert r.refused("hold_session", d(10, 22))[0].startswith(
        "Action 调解 is not possible in state 已结案; it needs: 已受理 or 调解中"
    )
    r.do("archive", d(10, 22), file_number="测试卷宗-1")
    assert r.state == "archived"
    assert [e.action for e in r.case.events][-4:] == ["follow_up", "remind_judicial_confirmation", "close", "archive"]


def test_mediation_failing_with_undisputed_facts_and_termination() -> None:
    r = Runner(CONSUMER, d(9, 25))
    ready_for_session(r, d(9, 28))
    r.do("hold_session", d(9, 30))
    refused = r.refused("terminate", d(10, 8), ground="cannot_proceed", reasons="测试：分歧过大")
    assert any("Record the undisputed facts before terminating" in x for x in refused)
    r.do("record_undisputed_facts", d(10, 8), facts="测试：买卖关系成立", signed_by=r.principals())
    out = r.do("terminate", d(10, 8), ground="cannot_proceed", reasons="测试：分歧过大")
    assert r.state == "terminated"
    assert "deadlines_met" not in out.payload
    assert r.deadline("mediation_period", d(10, 9)).status == "stopped"
    assert r.refused("close", d(10, 9)) == ("Still to be done before the case can be closed: 送达终止调解通知书",)
    r.do("issue_termination_notice", d(10, 9), parties=r.principals())
    r.do("close", d(10, 9))
    r.do("archive", d(10, 10))
    assert r.state == "archived"


def test_termination_when_parties_declined_to_sign_the_facts() -> None:
    r = Runner(CONSUMER, d(9, 25))
    ready_for_session(r, d(9, 28))
    r.do("hold_session", d(9, 30))
    assert r.refused("terminate", d(10, 8), ground="withdrawal_or_refusal", reasons="测试", facts_declined=True) == (
        "Say in a note why the parties did not sign the undisputed facts",
    )
    r.do(
        "terminate",
        d(10, 8),
        ground="withdrawal_or_refusal",
        reasons="测试：申请人撤回",
        facts_declined=True,
        facts_declined_note="测试：被申请人拒绝签字",
    )
    assert r.state == "terminated"


def test_respondent_refusing_consent_ends_in_termination_without_mediation() -> None:
    r = Runner(CONSUMER, d(9, 25))
    r.do("accept", d(9, 28))
    r.do("record_consent", d(9, 29), party="r1", consent="refused")
    assert r.state == "consent_refused"
    assert any("refused mediation; there can be no mediation" in x for x in r.refused("hold_session", d(9, 30)))
    assert r.refused("terminate", d(9, 30), ground="cannot_proceed", reasons="测试") == (
        "A party refused mediation: the ground of termination is refusal (条例 第二十八条第一项)",
    )
    # No session took place, so no undisputed facts are owed.
    r.do("terminate", d(9, 30), ground="withdrawal_or_refusal", reasons="测试：被申请人拒绝调解")
    r.do("issue_termination_notice", d(9, 30))
    r.do("close", d(10, 8))
    assert r.state == "closed"


def test_refused_at_acceptance_needs_written_reasons() -> None:
    r = Runner(CONSUMER, d(9, 25))
    assert r.refused("refuse", d(9, 28)) == ("The written reasons are missing: 不予受理 must state its reasons",)
    out = r.do("refuse", d(9, 28), reasons="测试：不属于行政调解事项目录范围", legal_basis="条例第四十六条")
    assert r.state == "not_accepted"
    assert out.payload["deadlines_met"] == [{"time_limit": "acceptance", "due": "2026-10-09", "on_time": True}]
    assert r.deadline("transfer", d(9, 29)).status == "stopped"
    r.do("close", d(9, 29))
    r.do("archive", d(9, 30))
    assert r.state == "archived"


def test_transfer_names_the_receiving_body_within_three_working_days() -> None:
    r = Runner(CONSUMER, d(9, 17))
    assert set(r.refused("transfer", d(9, 18))) == {
        "The written reasons are missing: 移送 must state its reasons",
        "The body the case is transferred to is not named (条例 第四十五条)",
    }
    out = r.do("transfer", d(9, 21), receiving_body="测试区某局", reasons="测试：不属于本机关职能")
    assert out.payload["deadlines_met"] == [{"time_limit": "transfer", "due": "2026-09-21", "on_time": True}]
    assert r.state == "transferred"
    # Past the three working days the transfer is still made, and recorded as late.
    late = Runner(CONSUMER, d(9, 17))
    assert late.engine.next_deadline(late.case, d(9, 23)).name == "acceptance"  # the transfer limit lapsed
    out = late.do("transfer", d(9, 23), receiving_body="测试区某局", reasons="测试")
    assert out.payload["deadlines_met"] == [{"time_limit": "transfer", "due": "2026-09-21", "on_time": False}]
    assert late.deadline("transfer", d(9, 24)).late


def test_late_acceptance_is_recorded_as_overdue_not_refused() -> None:
    r = Runner(CONSUMER, d(9, 25))
    before = r.engine.next_deadline(r.case, d(10, 12))
    assert before is not None and before.name == "acceptance" and before.status == "overdue"
    out = r.do("accept", d(10, 12))
    assert out.payload["deadlines_met"] == [{"time_limit": "acceptance", "due": "2026-10-09", "on_time": False}]
    acceptance = r.deadline("acceptance", d(10, 13))
    assert acceptance.status == "met" and acceptance.late and acceptance.met_on == d(10, 12)


def test_a_complex_case_has_ten_working_days_for_acceptance() -> None:
    r = Runner(CONSUMER, d(9, 25))
    out = r.do("declare_complex", d(9, 28), reasons="测试：涉及多个行政机关")
    assert out.payload["extension"]["new_due"] == "2026-10-15"
    assert r.deadline("acceptance", d(9, 29)).due == d(10, 15)
    assert any("has already been done" in x for x in r.refused("declare_complex", d(9, 29), reasons="再次"))


def test_recusal_replaces_the_mediator_before_mediation_continues() -> None:
    r = Runner(CONSUMER, d(9, 25))
    ready_for_session(r, d(9, 28))
    r.do("request_recusal", d(9, 29), party="a1", reasons="测试：调解员与被申请人相识")
    assert "A recusal request is waiting for a decision" in " ".join(r.refused("hold_session", d(9, 30)))
    assert any(
        "it is for: supervisor or administrator" in x for x in r.refused("decide_recusal", d(9, 30), decision="granted")
    )
    assert r.refused("decide_recusal", d(9, 30), SUPERVISOR, decision="rejected", reasons="测试") == (
        "The mediator must step aside when a party asks or a conflict was disclosed (条例 第二十三条)",
    )
    assert r.refused("decide_recusal", d(9, 30), SUPERVISOR, decision="granted", reasons="测试") == (
        "The recusal decision is incomplete: the replacement mediator is not named",
    )
    out = r.do("decide_recusal", d(9, 30), SUPERVISOR, decision="granted", reasons="测试", new_mediator="med2")
    assert out.assigned_mediator == "med2"
    assert r.case.assigned_mediator == "med2"
    refused = r.refused("hold_session", d(10, 8))
    assert "You were replaced as mediator after a recusal and can no longer act in this case" in refused
    # Disclosure applies to whoever acts: the replacement must disclose after the replacement.
    refused = r.refused("hold_session", d(10, 8), MEDIATOR2)
    assert "The replacement mediator has not yet disclosed conflicts of interest (条例 第二十三条)" in refused
    r.do("disclose_conflicts", d(10, 8), MEDIATOR2, has_conflict=False)
    r.do("hold_session", d(10, 8), MEDIATOR2)
    assert r.state == "in_mediation"


def test_a_disclosed_conflict_is_a_recusal_to_decide() -> None:
    r = Runner(CONSUMER, d(9, 25))
    r.do("accept", d(9, 28))
    assert r.refused("disclose_conflicts", d(9, 28), has_conflict=True) == (
        "Describe the conflict of interest that is disclosed",
    )
    r.do("disclose_conflicts", d(9, 28), has_conflict=True, details="测试：与申请人系同学")
    assert r.refused("decide_recusal", d(9, 28), ADMIN, decision="rejected", reasons="测试") == (
        "The mediator must step aside when a party asks or a conflict was disclosed (条例 第二十三条)",
    )
    r.do("decide_recusal", d(9, 28), ADMIN, decision="granted", reasons="测试", new_mediator="med2")
    assert r.refused("decide_recusal", d(9, 29), ADMIN, decision="granted", reasons="x", new_mediator="med3") == (
        "There is no recusal request to decide",
    )


def test_extension_needs_every_party_and_a_supervisor() -> None:
    r = Runner(CONSUMER, d(9, 25))
    ready_for_session(r, d(9, 28))
    r.do("hold_session", d(9, 30))
    assert any(
        "it is for: supervisor or administrator" in x
        for x in r.refused("extend_period", d(10, 20), consenting_parties=["a1", "r1"])
    )
    assert r.refused("extend_period", d(10, 20), SUPERVISOR, consenting_parties=["a1"]) == (
        "The extension lacks the consent of: respondent 1",
    )
    out = r.do("extend_period", d(10, 20), SUPERVISOR, consenting_parties=["a1", "r1"], extend_by=20)
    ext = out.payload["extension"]
    assert (ext["time_limit"], ext["amount"], ext["unit"], ext["previous_due"], ext["new_due"]) == (
        "mediation_period",
        20,
        "calendar_days",
        "2026-10-28",
        "2026-11-17",
    )
    period = r.deadline("mediation_period", d(10, 21))
    assert period.due == d(11, 17) and "extended by" in period.basis
    assert r.refused("extend_period", d(10, 22), ADMIN, consenting_parties=["a1", "r1"], extend_by=11) == (
        "An extension of 11 is more than the 10 still allowed for 调解期限 "
        "(《深圳经济特区矛盾纠纷多元化解条例》第二十五条第二款)",
    )
    # After the (extended) period ran out, mediation ends: no more sessions, no extension.
    late = d(11, 18)
    assert any("The mediation period ended on 2026-11-17" in x for x in r.refused("hold_session", late))
    assert any(
        "ran out on 2026-11-17" in x for x in r.refused("extend_period", late, ADMIN, consenting_parties=["a1", "r1"])
    )
    r.do("record_undisputed_facts", late, declined=True, note="测试：拒绝签字")
    r.do("terminate", late, ground="period_expired_without_extension", reasons="测试：期限届满")


def test_period_expired_ground_only_after_the_period() -> None:
    r = Runner(CONSUMER, d(9, 25))
    r.do("accept", d(9, 28))
    assert r.refused("terminate", d(10, 9), ground="period_expired_without_extension", reasons="测试") == (
        "The mediation period runs until 2026-10-28; it has not expired",
    )


def test_suspension_stops_the_clock_and_resume_returns_to_the_state() -> None:
    r = Runner(CONSUMER, d(9, 25))
    ready_for_session(r, d(9, 28))
    r.do("hold_session", d(9, 30))
    assert r.deadline("mediation_period", d(10, 1)).due == d(10, 28)
    assert r.refused("suspend", d(10, 12)) == ("The written reasons are missing: 中止 must state its reasons",)
    out = r.do("suspend", d(10, 12), reasons="测试：当事人住院")
    assert r.state == "suspended" and out.payload["from_state"] == "in_mediation"
    # While suspended nothing falls due: the open suspension counts up to today.
    assert r.deadline("mediation_period", d(11, 30)).status == "open"
    assert r.engine.next_deadline(r.case, d(11, 30)) is not None
    r.do("resume", d(10, 22), reasons="测试：已出院")
    assert r.state == "in_mediation"
    # 13 days ran before (9/29–10/11), 10 stood still (10/12–10/21), 17 more from 10/22 → Sat 11/7 → Mon 11/9.
    assert r.deadline("mediation_period", d(10, 23)).due == d(11, 9)


def test_acts_cannot_be_dated_before_earlier_acts() -> None:
    r = Runner(CONSUMER, d(9, 25))
    r.do("accept", d(9, 28))
    reasons = r.refused("record_consent", d(9, 27), party="r1", consent="agreed")
    assert reasons == (
        "out_of_order_reason: the date of the act (2026-09-27) is before the previous act (2026-09-28); "
        "say why it is entered out of order",
    )


def test_an_implausible_date_is_refused_not_crashed_on() -> None:
    r = Runner(CONSUMER, d(9, 25))
    assert r.refused("accept", date(9026, 9, 28)) == ("The date of the act (9026-09-28) is not a plausible date",)


def test_unknown_acts_and_fields() -> None:
    r = Runner(CONSUMER, d(9, 25))
    assert r.refused("register", d(9, 28)) == ("There is no act register in procedure mediation.standard",)
    with pytest.raises(ActionRefused) as info:
        r.engine.apply(r.case, ActionRequest("accept", MEDIATOR, d(9, 28), {"surprise": 1}))
    assert info.value.reasons == ("surprise: unknown field for this act",)
    assert info.value.message == "surprise: unknown field for this act"


def test_actions_lists_what_can_be_done_and_why_not() -> None:
    r = Runner(CONSUMER, d(9, 25))
    r.do("accept", d(9, 28))
    infos = {a.name: a for a in r.engine.actions(r.case, MEDIATOR, on=d(9, 29))}
    assert infos["record_consent"].allowed and infos["record_consent"].in_state
    assert not infos["accept"].in_state
    session = infos["hold_session"]
    assert not session.allowed and session.in_state
    assert session.reasons == (
        "Consent to mediation has not been recorded for: respondent 1",
        "The mediator has not disclosed conflicts of interest (条例 第二十三条)",
        "The notice of rights and duties has not been issued",
    )
    # Data-dependent checks wait for the data: a refusal is offered although it needs written reasons.
    assert infos["terminate"].allowed
    assert not infos["extend_period"].allowed  # the mediator's role


# --- adjudication -------------------------------------------------------------------------------------


def adjudication_to_mediation_failed(r: Runner, discloser: Actor = MEDIATOR) -> None:
    r.do("accept", d(3, 9))
    r.do("serve_copy", d(3, 10), parties=r.respondents(), method="post")
    assert r.deadline("reply", d(3, 11)).due == d(3, 30)
    r.do("issue_rights_notice", d(3, 10))
    r.do("acknowledge_rights_notice", d(3, 12), parties=r.principals(), method="signature")
    r.do("disclose_conflicts", d(3, 12), discloser, has_conflict=False)
    refused = r.refused("hold_hearing", d(3, 20))
    assert refused == (
        "The respondent's reply period runs until 2026-03-30; wait for the reply or for the period to end",
    )
    r.do("receive_reply", d(3, 25), party="r1", summary="测试答复")
    r.do("collect_evidence", d(3, 26), description="测试：土地证复印件", submitted_by="a1")
    r.do("hold_hearing", d(4, 8), summary="测试听证")
    r.do("attempt_mediation", d(4, 15), result="failed")
    assert r.state == "mediation_failed"
    r.do("record_contested_point", d(4, 16), **contested_point())


def test_adjudication_through_review_decision_and_service() -> None:
    r = Runner(LAND, d(3, 2))
    adjudication_to_mediation_failed(r)
    refused = r.refused("review", d(4, 20), result="approved", reasons="同意")
    assert "Your role (mediator) cannot do 合法性、合理性审查; it is for: supervisor or administrator" in refused
    assert "合法性、合理性审查 needs a user with a legal qualification" in refused
    assert any(
        x.startswith("合法性、合理性审查 must be done by someone other than the person who did: 受理")
        and "听证（听取意见、质证）, 先行调解" in x
        for x in refused
    )
    assert r.refused("review", d(4, 20), SUPERVISOR_UNQUALIFIED, result="approved", reasons="同意") == (
        "合法性、合理性审查 needs a user with a legal qualification",
    )
    assert r.refused("review", d(4, 20), ADMIN, result="approved", reasons="同意") == (
        "合法性、合理性审查 needs a user with a legal qualification",
    )
    assert any("No legality and reasonableness review" in x for x in r.refused("decide", d(4, 20), **decision()))

    r.do("review", d(4, 20), SUPERVISOR, result="returned", reasons="测试：事实不清，补充调查")
    assert r.state == "returned"
    r.do("collect_evidence", d(4, 22), description="测试：补充材料")
    r.do("review", d(4, 27), ADMIN_QUALIFIED, result="approved", reasons="测试：事实清楚，适用法律正确")
    assert r.state == "reviewed"
    # Land title is a major decision: discussed collectively, then approved by the head (负责人).
    r.do("record_collective_discussion", d(4, 28), SUPERVISOR, **collective_discussion(d(4, 28)))
    r.do("approve_decision", d(4, 28), ADMIN, **head_approval())
    assert r.state == "approved"
    missing = r.refused("decide", d(4, 28), ADMIN, claims="测试")
    assert "decision text" not in " ".join(missing) and "裁决结果: required" in missing
    out = r.do("decide", d(4, 28), ADMIN, **decision())
    assert r.state == "decided"
    remedies = out.payload["remedies"]
    assert [(x["route"], x["period"]) for x in remedies] == [
        ("administrative_reconsideration", "60 days"),
        ("administrative_litigation", "15 days"),
    ]
    assert remedies[0]["required_first"] is True
    assert out.payload["deadlines_met"] == [{"time_limit": "decision", "due": "2026-09-09", "on_time": True}]
    assert r.refused("serve_decision", d(4, 29), parties=["a1"], method="post") == (
        "The document must be served on every party; missing: respondent 1",
    )
    r.do("serve_decision", d(4, 29), parties=r.principals(), method="in_person")
    r.do("close", d(4, 30))
    r.do("archive", d(5, 6))
    assert r.state == "archived"


def test_the_reviewer_must_not_be_the_case_handler() -> None:
    # sup1 is the assigned handler but did none of the acts: being the handler alone excludes the review.
    r = Runner(LAND, d(3, 2), assigned_mediator="sup1")
    adjudication_to_mediation_failed(r)
    assert r.refused("review", d(4, 20), SUPERVISOR, result="approved", reasons="同意") == (
        "The legality and reasonableness review must be done by someone other than the case handler",
    )


def test_a_review_needs_a_hearing() -> None:
    r = Runner(LAND, d(3, 2))
    r.do("accept", d(3, 9))
    r.do("serve_copy", d(3, 10), parties=["r1"], method="post")
    r.do("issue_rights_notice", d(3, 10))
    r.do("acknowledge_rights_notice", d(3, 12), parties=r.principals(), method="seal")
    r.do("disclose_conflicts", d(3, 12), has_conflict=False)
    # The reply period has run out (no reply does not stop the case).
    r.do("attempt_mediation", d(4, 1), result="refused")
    r.do("record_contested_point", d(4, 1), **contested_point())
    assert r.refused("review", d(4, 2), SUPERVISOR, result="approved", reasons="同意") == ("No hearing has been held",)


def test_adjudication_mediation_success_ends_in_an_agreement_not_a_decision() -> None:
    r = Runner(LAND, d(3, 2))
    r.do("accept", d(3, 9))
    r.do("serve_copy", d(3, 10), parties=["r1"], method="post")
    r.do("receive_reply", d(3, 12), party="r1")
    r.do("issue_rights_notice", d(3, 12))
    r.do("acknowledge_rights_notice", d(3, 12), parties=r.principals(), method="signature")
    r.do("disclose_conflicts", d(3, 12), has_conflict=False)
    r.do("attempt_mediation", d(3, 16), result="agreed")
    assert r.state == "mediation_agreed"
    assert "not possible in state" in r.refused("decide", d(3, 17), **decision())[0]
    r.do("record_agreement", d(3, 18), **agreement(d(3, 18), signed_by=r.principals()))
    assert r.deadline("decision", d(3, 19)).status == "stopped"
    r.do("close", d(3, 19))
    assert r.state == "closed"


def test_an_adjudication_application_can_be_withdrawn_before_and_after_acceptance() -> None:
    before = Runner(LAND, d(3, 2))
    before.do("withdraw", d(3, 3), party="a1")
    after = Runner(LAND, d(3, 2))
    after.do("accept", d(3, 9))
    assert after.refused("withdraw", d(3, 10), party="r1") == (
        "撤回申请的当事人: respondent 1 does not have the required role (applicant)",
    )
    after.do("withdraw", d(3, 10), party="a1")
    assert before.state == after.state == "withdrawn"
    assert after.deadline("decision", d(3, 11)).status == "stopped"


def test_adjudication_decision_period_extension_by_supervisor() -> None:
    r = Runner(LAND, d(3, 2))
    r.do("accept", d(3, 9))
    assert r.refused("extend_period", d(3, 10), SUPERVISOR, reasons="测试") == ("延长的期限: required",)
    assert r.refused("extend_period", d(3, 10), SUPERVISOR, reasons="测试", time_limit="mediation_period") == (
        "The matter has no time limit mediation_period",
    )
    out = r.do("extend_period", d(8, 3), SUPERVISOR, time_limit="decision", reasons="测试：案情复杂", extend_by=2)
    assert out.payload["extension"]["new_due"] == "2026-11-09"
    assert r.deadline("decision", d(8, 4)).due == d(11, 9)


# --- deadlines ----------------------------------------------------------------------------------------


def test_acceptance_across_the_2026_national_day_holiday() -> None:
    r = Runner(CONSUMER, d(9, 25))
    acceptance = r.deadline("acceptance", d(9, 25))
    assert (acceptance.due, acceptance.provisional, acceptance.basis) == (d(10, 9), False, "5 working days")
    assert r.deadline("transfer", d(9, 25)).due == d(9, 30)


def test_deadlines_reaching_into_2027_are_provisional_but_skip_the_statutory_holidays() -> None:
    r = Runner(CONSUMER, d(12, 28))
    acceptance = r.deadline("acceptance", d(12, 28))
    assert acceptance.provisional and acceptance.due == d(1, 5, 2027)  # 2027-01-01 元旦 is a statutory holiday


def test_labour_mediation_period_runs_from_receipt() -> None:
    r = Runner(LABOUR, d(9, 1))
    assert r.deadline("mediation_period", d(9, 1)).due == d(9, 16)


def test_procurement_service_and_decision_run_from_receipt() -> None:
    r = Runner(PROCUREMENT, d(3, 2))
    assert r.deadline("service", d(3, 2)).due == d(3, 12)  # 8 working days
    assert r.deadline("decision", d(3, 2)).due == d(4, 14)  # 30 working days (清明 4/4–4/6 off)


def test_forest_land_periods_chain_after_the_public_notice() -> None:
    r = Runner(FOREST, d(3, 2))
    r.do("accept", d(3, 9))
    assert {x.name for x in r.engine.deadlines(r.case, d(3, 9))} == {"acceptance"}
    r.do("publish_acceptance_notice", d(3, 10))
    notice = r.deadline("public_notice", d(3, 11))
    assert notice.due == d(4, 9) and notice.waiting_period
    assert r.deadline("service", d(3, 11)).due == d(4, 24)
    assert r.deadline("public_notice", d(4, 10)).status == "met"
    # Nobody is overdue because of a waiting period.
    nxt = r.engine.next_deadline(r.case, d(3, 11))
    assert nxt is not None and nxt.name == "service"


def test_remedies_come_from_the_matter() -> None:
    assert [x.route for x in matter(LAND).remedies] == ["administrative_reconsideration", "administrative_litigation"]
