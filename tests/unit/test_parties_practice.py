"""Parties as practice has them: organisations' representatives, agents' authority, whoever acts discloses.

Engine-level table tests on the standard mediation procedure (synthetic parties from tests.procedure_helpers)
and intake rules for the new party fields.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from typing import Any

import pytest

from fzmediate.domain.case import Party, PartyKind, PartyRole
from fzmediate.domain.intake import IntakeError, validate_intake
from fzmediate.i18n import set_locale
from tests.cases_support import AGENT_ID, TODAY, intake, organization, person
from tests.procedure_helpers import (
    CONSUMER,
    MEDIATOR,
    SUPERVISOR,
    Runner,
    agreement,
    bundle,
    default_parties,
)
from tests.synthetic import make_resident_id

D0 = date(2026, 3, 2)


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    set_locale("en")
    yield


def agent(pid: str, represents: str, authority: str, seq: int) -> Party:
    return Party(
        id=pid,
        role=PartyRole.AGENT,
        kind=PartyKind.PERSON,
        name="测试代理人",
        id_type="resident_id",
        id_number=make_resident_id(region="440310", seq=seq),
        represents=represents,
        power_of_attorney="授权委托书",
        authority=authority,
        authority_scope="代为签署调解协议" if authority == "special" else "",
    )


def parties_with_agents() -> tuple[Party, ...]:
    # g1 acts for the applicant with general authority; s1 for the respondent with special authority.
    return (*default_parties(), agent("g1", "a1", "general", 41), agent("s1", "r1", "special", 42))


def ready(runner: Runner, *, ack: dict[str, Any] | None = None) -> None:
    runner.do("accept", D0)
    runner.do("record_consent", D0, party="r1", consent="agreed")
    runner.do("disclose_conflicts", D0, has_conflict=False)
    runner.do("issue_rights_notice", D0)
    runner.do("acknowledge_rights_notice", D0, **(ack or {"parties": ["a1", "r1"], "method": "signature"}))


# --- intake -------------------------------------------------------------------------------------------------


def check(data: dict[str, Any]) -> list[str]:
    try:
        validate_intake(data, catalogue=bundle(), today=TODAY)
    except IntakeError as exc:
        return [p.field for p in exc.problems]
    return []


@pytest.mark.parametrize(
    ("party", "fields"),
    [
        (organization(), []),
        (organization(representative_title="负责人", legal_representative="王𠮷"), []),
        # The other side's representative is given when known (an applicant may not know it): not required.
        (organization(legal_representative=None, representative_title=None), []),
        (organization(representative_title=None), ["parties[1].representative_title"]),
        (organization(representative_title="董事长"), ["parties[1].representative_title"]),
        (organization(legal_representative="赵\u202e某"), ["parties[1].legal_representative"]),
        (
            person("respondent", "李䶮", id_number=AGENT_ID, legal_representative="赵某"),
            ["parties[1].legal_representative"],
        ),
    ],
    ids=["org", "person-in-charge", "no-representative", "no-title", "bad-title", "direction-control", "person"],
)
def test_organisation_representative_rules(party: dict[str, Any], fields: list[str]) -> None:
    assert check(intake(parties=[person(), party])) == fields


def test_an_applicant_organisation_names_who_signs_for_it() -> None:
    applicant = organization("applicant", legal_representative=None, representative_title=None, phone="075528881234")
    assert check(intake(parties=[applicant, person("respondent", "李䶮", id_number=AGENT_ID)])) == [
        "parties[0].legal_representative",
        "parties[0].representative_title",
    ]


@pytest.mark.parametrize(
    ("extra", "fields"),
    [
        ({"authority": "special", "authority_scope": "代为签署调解协议"}, []),
        ({"authority": "general"}, []),
        ({}, ["parties[2].authority"]),
        ({"authority": "full"}, ["parties[2].authority"]),
        ({"authority": "special"}, ["parties[2].authority_scope"]),
    ],
    ids=["special", "general", "missing", "unknown", "special-without-scope"],
)
def test_agent_authority_rules(extra: dict[str, Any], fields: list[str]) -> None:
    representative = person(
        "agent", "赵律师", id_number=AGENT_ID, represents=0, power_of_attorney="授权委托书", **extra
    )
    assert check(intake(parties=[person(), organization(), representative])) == fields


def test_only_an_agent_carries_an_authority() -> None:
    assert check(intake(parties=[person(authority="general"), organization()])) == ["parties[0].authority"]


# --- agents acting for their party --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ack", "refused"),
    [
        ({"parties": ["a1"], "agents": ["s1"], "method": "signature"}, None),
        ({"parties": ["r1"], "agents": ["g1"], "method": "signature"}, "general authority"),
        ({"parties": ["a1"], "agents": ["a1"], "method": "signature"}, "not an agent"),
    ],
    ids=["special-acknowledges", "general-cannot", "not-an-agent"],
)
def test_agent_acknowledges_rights_notice(ack: dict[str, Any], refused: str | None) -> None:
    r = Runner(CONSUMER, D0, parties=parties_with_agents())
    r.do("accept", D0)
    r.do("issue_rights_notice", D0)
    if refused is None:
        r.do("acknowledge_rights_notice", D0, **ack)
        return
    reasons = r.refused("acknowledge_rights_notice", D0, **ack)
    assert any(refused in reason for reason in reasons), reasons


@pytest.mark.parametrize(
    ("signed", "agents", "refused"),
    [
        (["a1", "r1"], [], None),
        (["a1"], ["s1"], None),  # the respondent's special agent signs in its place
        (["r1"], ["g1"], "has only general authority"),  # the applicant's general agent cannot
        (["r1"], [], "not been signed by"),
    ],
    ids=["parties", "special-agent", "general-agent", "missing"],
)
def test_agent_signs_agreement(signed: list[str], agents: list[str], refused: str | None) -> None:
    r = Runner(CONSUMER, D0, parties=parties_with_agents())
    ready(r)
    r.do("hold_session", D0, summary="第一次调解", present=["a1"], agents=["g1", "s1"])  # any agent may attend
    payload = agreement(D0, signed_by=signed, agents=agents)
    if refused is None:
        r.do("record_agreement", D0, **payload)
        assert r.state == "agreed"
        return
    reasons = r.refused("record_agreement", D0, **payload)
    assert any(refused in reason for reason in reasons), reasons


def test_consent_by_agent_needs_special_authority_of_that_party() -> None:
    parties = (*default_parties(), agent("g1", "r1", "general", 41), agent("s1", "r1", "special", 42))
    parties = (*parties, agent("x1", "a1", "special", 43))
    r = Runner(CONSUMER, D0, parties=parties)
    r.do("accept", D0)
    general = r.refused("record_consent", D0, party="r1", consent="agreed", agents=["g1"])
    assert any("general authority" in reason for reason in general)
    other = r.refused("record_consent", D0, party="r1", consent="agreed", agents=["x1"])
    assert any("does not represent" in reason for reason in other)
    r.do("record_consent", D0, party="r1", consent="agreed", agents=["s1"])


def test_agent_without_recorded_authority_counts_as_general() -> None:
    # Agents registered before authorities were recorded (schema < 0006) have "" and cannot sign.
    parties = (*default_parties(), replace(agent("s1", "r1", "special", 42), authority="", authority_scope=""))
    r = Runner(CONSUMER, D0, parties=parties)
    r.do("accept", D0)
    r.do("issue_rights_notice", D0)
    reasons = r.refused("acknowledge_rights_notice", D0, parties=["a1"], agents=["s1"], method="signature")
    assert any("general authority" in reason for reason in reasons)


# --- the agreement drafted and printed before it is signed --------------------------------------------------


def test_draft_then_record_signatures_from_the_signed_paper() -> None:
    r = Runner(CONSUMER, D0)
    ready(r)
    r.do("hold_session", D0, summary="第一次调解", present=["a1", "r1"])
    draft = agreement(D0)
    r.do("draft_agreement", D0, **draft)
    assert r.state == "in_mediation"
    out = r.do("record_agreement", D0, from_draft=True, signed_by=["a1", "r1"])
    assert r.state == "agreed"
    assert out.payload["terms"] == r.case.events_of("draft_agreement")[0].payload["terms"]
    assert out.payload["draft_seq"] == r.case.events_of("draft_agreement")[0].seq


def test_from_draft_without_a_draft_is_refused() -> None:
    r = Runner(CONSUMER, D0)
    ready(r)
    r.do("hold_session", D0, summary="第一次调解", present=["a1", "r1"])
    reasons = r.refused("record_agreement", D0, from_draft=True, signed_by=["a1", "r1"])
    assert any("from_draft: no draft agreement" in reason for reason in reasons)


# --- whoever acts has disclosed -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("discloser", "actor", "refused"),
    [
        (MEDIATOR, MEDIATOR, False),
        (MEDIATOR, SUPERVISOR, True),  # an unassigned supervisor who never disclosed cannot hold a session
        (SUPERVISOR, SUPERVISOR, False),
    ],
    ids=["assigned-disclosed", "other-not-disclosed", "other-disclosed"],
)
def test_conflict_disclosure_applies_to_whoever_acts(discloser: Any, actor: Any, refused: bool) -> None:
    r = Runner(CONSUMER, D0)
    r.do("accept", D0)
    r.do("record_consent", D0, party="r1", consent="agreed")
    r.do("disclose_conflicts", D0, discloser, has_conflict=False)
    r.do("issue_rights_notice", D0)
    r.do("acknowledge_rights_notice", D0, parties=["a1", "r1"], method="signature")
    if not refused:
        r.do("hold_session", D0, actor, summary="调解", present=["a1", "r1"])
        return
    reasons = r.refused("hold_session", D0, actor, summary="调解", present=["a1", "r1"])
    assert any("have not disclosed conflicts of interest" in reason for reason in reasons), reasons
    agreement_reasons = r.refused("record_agreement", D0, actor, **agreement(D0, signed_by=["a1", "r1"]))
    assert any("have not disclosed" in reason for reason in agreement_reasons)


# --- party blocks and signature lines in documents ----------------------------------------------------------


def test_documents_show_representatives_agents_and_signature_lines() -> None:
    from fzmediate.documents.model import PartyBlock
    from fzmediate.documents.templates.common import CaseContext, party_blocks, signature_lines
    from tests.procedure_helpers import make_case, matter

    company = replace(default_parties()[1], legal_representative="赵某", representative_title="负责人")
    parties = (default_parties()[0], company, agent("g1", "a1", "general", 41), agent("s1", "r1", "special", 42))
    ctx = CaseContext(
        case=make_case(CONSUMER, D0, parties=parties),
        matter=matter(CONSUMER),
        office="深圳市坪山区坪山街道办事处",
        document_id="test",
        issue_date=D0,
    )
    blocks = [b for b in party_blocks(ctx) if isinstance(b, PartyBlock)]
    assert [(b.role, b.name) for b in blocks] == [
        ("申请人", "测试甲"),
        ("委托代理人", "测试代理人（代理申请人测试甲，一般授权）"),
        ("被申请人", "测试乙有限公司"),
        ("委托代理人", "测试代理人（代理被申请人测试乙有限公司，特别授权：代为签署调解协议）"),
    ]
    assert blocks[2].details[-1] == "负责人：赵某"
    lines = [s.role for s in signature_lines(ctx)]
    assert lines == [
        "申请人测试甲",
        "委托代理人测试代理人（代理申请人测试甲，一般授权）",
        "被申请人测试乙有限公司",
        "负责人赵某",
        "委托代理人测试代理人（代理被申请人测试乙有限公司，特别授权）",
    ]
    public = [b for b in party_blocks(ctx, public=True) if isinstance(b, PartyBlock)]
    assert "代为签署调解协议" not in public[3].name and "特别授权" in public[3].name
