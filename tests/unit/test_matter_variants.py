"""The matter-specific mediation procedures (fzmediate/procedure/variants.py), run through the engine.

治安调解 and 道路交通事故损害赔偿调解 have no 司法确认 steps (their agreements are not a 调解组织's civil
mediation agreements: 治安管理处罚法 第九条, 道路交通安全法 第七十四条); 治安调解 records whether a penalty
followed; the labour period runs 15 days from RECEIPT of the application (劳动争议调解仲裁法 第十四条第三款).
"""

from __future__ import annotations

from datetime import date

import pytest

from fzmediate.catalogue.bundle import load_shipped_bundle
from tests.procedure_helpers import Runner, agreement, definitions

ACCEPT, CONSENT, NOTICE, SESSION, AGREE = (date(2026, 10, d) for d in (12, 13, 14, 16, 20))


def _agreed(code: str) -> Runner:
    run = Runner(code, date(2026, 10, 9))
    run.do("accept", ACCEPT)
    for respondent in run.respondents():
        run.do("record_consent", CONSENT, party=respondent, consent="agreed")
    run.do("disclose_conflicts", CONSENT, has_conflict=False)
    run.do("issue_rights_notice", NOTICE)
    run.do("acknowledge_rights_notice", NOTICE, parties=run.principals(), method="signature")
    run.do("hold_session", SESSION, summary="第一次调解", present=run.principals())
    run.do("record_agreement", AGREE, **agreement(AGREE, signed_by=run.principals()))
    return run


def _action_names(run: Runner) -> set[str]:
    return {a.name for a in run.engine.definition.actions}


def test_each_matter_with_its_own_rules_follows_its_variant() -> None:
    procedures = {m.code: m.procedure for m in load_shipped_bundle().bundle.matters}
    assert procedures["PS-TJ-002"] == "mediation.traffic"
    assert procedures["PS-TJ-003"] == "mediation.public_security"
    assert procedures["PS-TJ-005"] == procedures["PS-TJ-009"] == "mediation.labour"
    assert {"mediation.traffic", "mediation.public_security", "mediation.labour"} <= set(definitions())


@pytest.mark.parametrize("code", ["PS-TJ-002", "PS-TJ-003"])
def test_police_mediations_have_no_judicial_confirmation_steps(code: str) -> None:
    run = _agreed(code)
    assert run.state == "agreed"
    assert not {"remind_judicial_confirmation", "record_judicial_confirmation"} & _action_names(run)
    assert "remind_judicial_confirmation" in _action_names(_agreed("PS-TJ-007"))


def test_public_security_records_whether_a_penalty_followed() -> None:
    run = _agreed("PS-TJ-003")
    run.do("record_penalty", date(2026, 11, 2), outcome="penalised", decision_number="坪公（坪）行罚决字〔2026〕1号")
    assert run.case.last_event("record_penalty") is not None
    assert run.refused("record_penalty", date(2026, 11, 3), outcome="fined") != ()
    assert "record_penalty" not in _action_names(_agreed("PS-TJ-007"))


@pytest.mark.parametrize("code", ["PS-TJ-005", "PS-TJ-009"])
def test_labour_period_runs_15_days_from_receipt(code: str) -> None:
    run = Runner(code, date(2026, 10, 9))
    run.do("accept", ACCEPT)
    period = run.deadline("mediation_period", ACCEPT)
    # 15 calendar days after the day of receipt (not of acceptance) is Saturday 24 October; a period ending on a
    # rest day ends on the next working day.
    assert (period.start, period.due) == (date(2026, 10, 9), date(2026, 10, 26))


def test_the_standard_period_still_runs_from_acceptance() -> None:
    run = Runner("PS-TJ-010", date(2026, 10, 9))
    run.do("accept", ACCEPT)
    assert run.deadline("mediation_period", ACCEPT).due == date(2026, 11, 11)
