"""Who issues: the desk's organisation unit, the matters it may handle, and the remedy sentence of its acts.

Issue 7 §1–2: every document was issued in one free-text office name, land titles by a street office; remedy
bodies were catalogue prose printed verbatim. Now the unit comes from the signed catalogue, a desk acts only for
the matters its unit implements (else it transfers), and the review body and court follow from the issuing unit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest

from fzmediate.catalogue.bundle import load_shipped_bundle
from fzmediate.catalogue.model import Bundle
from fzmediate.catalogue.org import acting_unit, competent_issuers, issuer_for
from fzmediate.documents.templates.common import (
    CaseContext,
    refusal_remedy_clause,
    remedy_clause,
)
from fzmediate.domain.case import CaseKind, CaseRecord
from fzmediate.errors import PermissionDenied, ValidationError
from fzmediate.services.session import Session
from fzmediate.services.workspace import Workspace
from tests.cases_support import intake
from tests.documents.pdftools import pdftotext, squash
from tests.support import ADMIN_PW, MEDIATOR_PW


@pytest.fixture(scope="module")
def bundle() -> Bundle:
    return load_shipped_bundle().bundle


def _unit(bundle: Bundle, code: str) -> Any:
    found = bundle.unit(code)
    assert found is not None, code
    return found


def _matter(bundle: Bundle, code: str) -> Any:
    found = bundle.matter(code)
    assert found is not None, code
    return found


def test_every_matter_names_units_that_exist_and_every_issuing_unit_has_review_body_and_court(bundle: Bundle) -> None:
    assert len(bundle.units) >= 10
    for matter in bundle.matters:
        assert matter.implementing_units, matter.code
        for issuer in competent_issuers(bundle, matter):
            assert issuer.review_body and issuer.court, (matter.code, issuer.code)
    streets = [u for u in bundle.units if u.kind == "street_office"]
    assert {u.name for u in streets} >= {"深圳市坪山区坪山街道办事处", "深圳市坪山区马峦街道办事处"}
    # A street office is the district government's 派出机关: its acts are reviewed by the district government.
    assert {u.review_body for u in streets} == {"深圳市坪山区人民政府"}


@pytest.mark.parametrize(
    ("matter", "desk", "issuer"),
    [
        ("PS-CJ-001", "SZ-GHZY-PS", "深圳市坪山区人民政府"),  # handled by the planning branch, issued by the district
        ("PS-CJ-001", "PS-QZF", "深圳市坪山区人民政府"),
        ("PS-CJ-001", "PS-JD-PS", None),  # a street office never issues a land title decision
        ("PS-CJ-003", "SZ-SCJG", "深圳市市场监督管理局（深圳市知识产权局）"),
        ("PS-CJ-004", "PS-CZJ", "深圳市坪山区财政局"),
        ("PS-CJ-004", "PS-JD-PS", None),
        ("PS-TJ-003", "SZ-GA-PS", "深圳市公安局坪山分局"),
        ("PS-TJ-003", "PS-JD-PS", None),
        ("PS-TJ-007", "PS-JD-ML", "深圳市坪山区马峦街道办事处"),
        ("PS-TJ-007", "PS-SQ-LH", "深圳市坪山区坪山街道办事处"),  # a community desk works for its street office
        ("PS-CJ-002", "PS-JD-KZ", "深圳市坪山区坑梓街道办事处"),  # forest land between individuals
    ],
)
def test_the_issuing_body_follows_the_matter_and_the_desk_unit(
    bundle: Bundle, matter: str, desk: str, issuer: str | None
) -> None:
    found = issuer_for(bundle, _matter(bundle, matter), _unit(bundle, desk))
    assert (found.name if found else None) == issuer


def test_a_community_issues_nothing_in_its_own_name(bundle: Bundle) -> None:
    community = _unit(bundle, "PS-SQ-LH")
    assert not community.issues
    assert acting_unit(bundle, community).code == "PS-JD-PS"


def _ctx(bundle: Bundle, matter: str, desk: str) -> CaseContext:
    m = _matter(bundle, matter)
    issuer = issuer_for(bundle, m, _unit(bundle, desk))
    assert issuer is not None
    record = CaseRecord(
        id="c",
        number="n",
        kind=CaseKind(m.kind),
        matter_code=m.code,
        bundle_id="pingshan",
        bundle_version=bundle.version,
        procedure_id=m.procedure,
        state="decided",
        received_on=dt.date(2026, 11, 2),
        summary="",
        facts="",
        claims="",
        parties=(),
    )
    return CaseContext(
        case=record, matter=m, office=issuer.name, issuer=issuer, document_id="d", issue_date=dt.date(2026, 12, 1)
    )


def test_land_decision_review_first_then_the_intermediate_court(bundle: Bundle) -> None:
    text = remedy_clause(_ctx(bundle, "PS-CJ-001", "SZ-GHZY-PS"), lead="如不服本裁决，")
    assert text.startswith("如不服本裁决，应当自")
    assert "60日内向深圳市人民政府申请行政复议（依法应当先申请行政复议）" in text
    assert "；对行政复议决定不服的，可以自" in text and "15日内向深圳市中级人民法院提起行政诉讼。" in text
    assert "（对坪山区人民政府作出的裁决）" not in text and text.count("。") == 1


def test_procurement_decision_review_or_suit_at_the_choice_of_the_party(bundle: Bundle) -> None:
    text = remedy_clause(_ctx(bundle, "PS-CJ-004", "PS-CZJ"))
    assert "60日内向深圳市坪山区人民政府申请行政复议，也可以自" in text
    assert "6个月内向深圳市盐田区人民法院提起行政诉讼。" in text


def test_patent_decision_names_review_and_the_fifteen_day_suit(bundle: Bundle) -> None:
    text = remedy_clause(_ctx(bundle, "PS-CJ-003", "SZ-SCJG"))
    assert "向深圳市人民政府申请行政复议" in text
    assert "15日内向深圳市中级人民法院提起行政诉讼" in text


def test_refusal_of_an_adjudication_application_names_body_period_and_court(bundle: Bundle) -> None:
    text = refusal_remedy_clause(_ctx(bundle, "PS-CJ-002", "PS-JD-KZ"))
    assert text == (
        "如不服本决定，可以自收到本通知书之日起60日内向深圳市坪山区人民政府申请行政复议，"
        "也可以自收到本通知书之日起6个月内向深圳市盐田区人民法院提起行政诉讼。"
    )


def test_a_remedy_without_a_body_is_refused_not_guessed(bundle: Bundle) -> None:
    ctx = _ctx(bundle, "PS-CJ-004", "PS-CZJ")
    bare = CaseContext(case=ctx.case, matter=ctx.matter, office=ctx.office, document_id="d", issue_date=ctx.issue_date)
    with pytest.raises(ValidationError) as raised:
        remedy_clause(bare)
    assert raised.value.field == "remedies"


# --- the desk's unit in the store ---------------------------------------------------------------------------
@pytest.fixture
def staffed(initialized: Workspace) -> Workspace:
    with initialized.unlock("admin", ADMIN_PW) as s:
        s.users.add("med1", "mediator", MEDIATOR_PW, full_name="赵喆")
        s.organisation.set_desk_unit("PS-JD-PS")
    return initialized


@pytest.fixture
def med(staffed: Workspace) -> Iterator[Session]:
    with staffed.unlock("med1", MEDIATOR_PW) as s:
        yield s


def test_only_an_administrator_sets_the_unit_and_an_unknown_code_names_the_field(staffed: Workspace) -> None:
    with staffed.unlock("med1", MEDIATOR_PW) as s, pytest.raises(PermissionDenied):
        s.organisation.set_desk_unit("PS-JD-ML")
    with staffed.unlock("admin", ADMIN_PW) as s:
        with pytest.raises(ValidationError) as raised:
            s.organisation.set_desk_unit("PS-NOWHERE")
        assert raised.value.field == "unit" and "PS-NOWHERE" in str(raised.value)
        assert s.organisation.desk_unit_code() == "PS-JD-PS"  # nothing changed
        s.organisation.set_desk_unit("PS-JD-ML")
        assert s.documents.office() == "深圳市坪山区马峦街道办事处"


def test_a_street_office_desk_transfers_a_land_dispute_and_cannot_accept_it(med: Session) -> None:
    case = med.cases.create(
        intake(matter="PS-CJ-001", summary="土地使用权权属争议", claims="请求确认争议地块的使用权归申请人。")
    )
    with pytest.raises(ValidationError) as raised:
        med.cases.act(case.id, "accept", {})
    message = str(raised.value)
    assert raised.value.field == "unit"
    assert "深圳市坪山区坪山街道办事处" in message and "深圳市坪山区人民政府" in message
    assert med.cases.get(case.id).state == "registered"  # nothing half-written
    with pytest.raises(ValidationError):
        med.documents.render("acceptance_notice", case.id)
    med.cases.act(
        case.id,
        "transfer",
        {"receiving_body": "深圳市坪山区人民政府", "reasons": "土地权属争议由区人民政府处理（土地管理法第十四条）"},
    )
    notice = squash(pdftotext(med.documents.render("transfer_notice", case.id)))
    assert "深圳市坪山区坪山街道办事处" in notice  # the desk sends it on in its own name
    application = squash(pdftotext(med.documents.render("application", case.id)))
    assert "此致深圳市坪山区人民政府" in application and "各街道办事处" not in application


def test_a_desk_issues_its_matters_in_the_issuing_bodys_name(med: Session) -> None:
    case = med.cases.create(intake())
    med.cases.act(case.id, "accept", {})
    notice = squash(pdftotext(med.documents.render("acceptance_notice", case.id)))
    assert "深圳市坪山区坪山街道办事处" in notice


def test_init_with_an_unknown_unit_creates_nothing(workspace: Workspace) -> None:
    with pytest.raises(ValidationError):
        workspace.initialize("admin", ADMIN_PW, full_name="管理员", unit="PS-NOWHERE")
    assert not workspace.is_initialized()
    workspace.initialize("admin", ADMIN_PW, full_name="管理员", unit="SZ-GHZY-PS")
    with workspace.unlock("admin", ADMIN_PW) as s:
        assert s.organisation.desk_unit_code() == "SZ-GHZY-PS"
        assert s.documents.office() == "深圳市规划和自然资源局坪山管理局"
