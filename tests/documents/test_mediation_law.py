"""行政调解 rests on its own law: every mediation matter of the shipped catalogue, run through the services, prints
its citations from the catalogue and never the sources of 人民调解委员会.

For each mediation matter the desk is set to the matter's first implementing unit and four cases run: an agreed
one, a failed one (undisputed facts, then terminated), one whose respondent refuses consent, one refused at
acceptance and one transferred. Every document kind each case allows is drafted as a PDF and read back with
pdftotext. Checked: the citations the catalogue gives for each statement, no 人民调解法 / 人民调解工作若干规定 /
法释〔2011〕5号 unless the matter's own table names them, a signature line for every party (and the
法定代表人 of an organisation), the agreement's heading and date, the refused-consent termination, the matter's
own rules (治安 penalties, the labour 15-day rule and interrupted limitation, the traffic joint application and
调解书), and a landline printed with its leading 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from fzmediate.catalogue.bundle import load_shipped_bundle
from fzmediate.catalogue.model import Matter
from fzmediate.documents.model import SIGN_NOTE
from fzmediate.documents.templates.citations import PEOPLES_MEDIATION_SOURCES
from fzmediate.errors import ValidationError
from fzmediate.i18n import set_locale
from fzmediate.services.documents import DRAFT_MARK
from fzmediate.services.session import Session
from fzmediate.services.workspace import Workspace
from tests.cases_support import RESPONDENT_ID, organization, person
from tests.documents import case_lifecycles as life
from tests.documents.pdftools import pdftotext, squash
from tests.support import ADMIN_PW, FAST_KDF, FakeClock

MATTERS = tuple(m for m in load_shipped_bundle().bundle.matters if m.kind == "mediation")
LANDLINE = "0755-28881234"
ORG = "坪山某物业管理有限公司"
REPRESENTATIVE = "赵某"
PERSON = "钱䶮"


@dataclass(frozen=True)
class Doc:
    case: str
    kind: str
    text: str


def _intake(matter: Matter, received_on: str) -> dict[str, Any]:
    respondent = (
        person("respondent", PERSON, id_number=RESPONDENT_ID, phone="13800002222", address="坪山区坑梓街道测试路3号")
        if matter.procedure in ("mediation.traffic", "mediation.public_security")
        else organization("respondent", ORG, legal_representative=REPRESENTATIVE)
    )
    return {
        "matter": matter.code,
        "received_on": received_on,
        "summary": matter.area + "纠纷",
        "facts": "双方因{0}发生纠纷，多次协商未果。".format(matter.area),
        "claims": "请求被申请人支付人民币3,000元。",
        "parties": [person("applicant", life.APPLICANT, phone=LANDLINE), respondent],
    }


def _open(s: Session, matter: Matter, received_on: str = "2026-10-09") -> tuple[str, str, str]:
    # The five cases of a matter share their parties on purpose: each is a separate application.
    case = s.cases.create(_intake(matter, received_on), confirm_duplicate=True)
    detail = s.cases.get(case.id)
    applicant = next(p.id for p in detail.parties if p.role.value == "applicant")
    respondent = next(p.id for p in detail.parties if p.role.value == "respondent")
    return case.id, applicant, respondent


def _mediating(s: Session, matter: Matter) -> tuple[str, str, str]:
    case_id, applicant, respondent = _open(s, matter)
    life.step(s, case_id, "accept", "2026-10-12", {"note": "材料齐全"})
    life.step(s, case_id, "record_consent", "2026-10-13", {"party": respondent, "consent": "agreed"})
    life.step(s, case_id, "disclose_conflicts", "2026-10-13", {"has_conflict": False})
    life.step(s, case_id, "issue_rights_notice", "2026-10-14")
    life.step(
        s,
        case_id,
        "acknowledge_rights_notice",
        "2026-10-14",
        {"parties": [applicant, respondent], "method": "signature"},
    )
    life.step(s, case_id, "hold_session", "2026-10-16", {"summary": "第一次调解", "present": [applicant, respondent]})
    return case_id, applicant, respondent


def _agreed(s: Session, matter: Matter) -> str:
    case_id, applicant, respondent = _mediating(s, matter)
    terms = [
        {
            "obligor": respondent, "obligee": applicant, "content": "支付款项", "amount": "3000.00",
            "manner": "银行转账", "place": "深圳市坪山区", "deadline": "2026-11-30",
        }
    ]  # fmt: skip
    payload = {
        "facts_and_disputes": "双方对款项数额有争议。被申请人承担主要责任。",
        "terms": terms,
        "signed_by": [applicant, respondent],
    }
    life.step(s, case_id, "record_agreement", "2026-10-20", payload)
    return case_id


def _failed(s: Session, matter: Matter) -> str:
    case_id, applicant, respondent = _mediating(s, matter)
    facts = {"facts": "双方于2026年1月建立合同关系。", "signed_by": [applicant, respondent]}
    life.step(s, case_id, "record_undisputed_facts", "2026-10-21", facts)
    life.step(s, case_id, "terminate", "2026-10-21", {"ground": "cannot_proceed", "reasons": "双方分歧较大。"})
    return case_id


def _consent_refused(s: Session, matter: Matter) -> str:
    case_id, _applicant, respondent = _open(s, matter)
    life.step(s, case_id, "accept", "2026-10-12")
    life.step(s, case_id, "record_consent", "2026-10-13", {"party": respondent, "consent": "refused"})
    life.step(
        s, case_id, "terminate", "2026-10-14", {"ground": "withdrawal_or_refusal", "reasons": "被申请人不同意调解。"}
    )
    return case_id


def _refused(s: Session, matter: Matter) -> str:
    case_id, _a, _r = _open(s, matter, "2026-11-24")
    life.step(s, case_id, "refuse", "2026-11-26", {"reasons": "该纠纷已向人民法院起诉"})
    return case_id


def _transferred(s: Session, matter: Matter) -> str:
    case_id, _a, _r = _open(s, matter, "2026-11-24")
    life.step(
        s, case_id, "transfer", "2026-11-25", {"receiving_body": "深圳市坪山区司法局", "reasons": "不属于本机关职能"}
    )
    return case_id


CASES = {
    "agreed": _agreed,
    "failed": _failed,
    "consent_refused": _consent_refused,
    "refused": _refused,
    "transferred": _transferred,
}


@pytest.fixture(scope="module")
def docs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[Doc]]:
    """Matter code → every document its cases allow, as pdftotext read it (whitespace squashed)."""
    set_locale("zh_CN")
    ws = Workspace(tmp_path_factory.mktemp("law") / "data", kdf=FAST_KDF, clock=FakeClock())
    ws.initialize("admin", ADMIN_PW, full_name="管理员")
    life.staff(ws)
    out: dict[str, list[Doc]] = {}
    for matter in MATTERS:
        with ws.unlock("admin", ADMIN_PW) as s:
            s.organisation.set_desk_unit(matter.implementing_units[0].unit)
        made: list[Doc] = []
        with ws.unlock(*life.MEDIATOR) as s:
            for name, run in CASES.items():
                case_id = run(s, matter)
                for status in s.documents.kinds(case_id):
                    if not status.available or status.name == "receipt":
                        continue
                    if status.name == "judicial_confirmation" and matter.citation("judicial_confirmation") is None:
                        with pytest.raises(ValidationError, match="judicial_confirmation"):
                            s.documents.spec(status.name, case_id)
                        continue
                    pdf = s.documents.render(status.name, case_id)
                    # The draft mark is drawn across the page; pdftotext interleaves it with the body text.
                    text = squash(pdftotext(pdf)).replace(squash(DRAFT_MARK), "")
                    made.append(Doc(name, status.name, text))
        out[matter.code] = made
    return out


def _doc(docs: dict[str, list[Doc]], matter: Matter, case: str, kind: str) -> str:
    found = [d.text for d in docs[matter.code] if (d.case, d.kind) == (case, kind)]
    assert found, "{0}: no {1} for the {2} case".format(matter.code, kind, case)
    return found[0]


def _cites(matter: Matter, text: str, *purposes: str) -> None:
    for purpose in purposes:
        citation = matter.citation(purpose)
        assert citation is not None, (matter.code, purpose)
        assert squash(citation) in text, (matter.code, purpose, citation)


@pytest.mark.parametrize("matter", MATTERS, ids=lambda m: m.code)
def test_no_peoples_mediation_sources_unless_the_catalogue_says(docs: dict[str, list[Doc]], matter: Matter) -> None:
    table = "".join(c.text for c in matter.citations)
    allowed = {s for s in PEOPLES_MEDIATION_SOURCES if s in table}
    assert docs[matter.code]
    for doc in docs[matter.code]:
        for source in set(PEOPLES_MEDIATION_SOURCES) - allowed:
            assert source not in doc.text, (matter.code, doc.case, doc.kind, source)


@pytest.mark.parametrize("matter", MATTERS, ids=lambda m: m.code)
def test_each_statement_cites_what_the_catalogue_gives(docs: dict[str, list[Doc]], matter: Matter) -> None:
    _cites(matter, _doc(docs, matter, "agreed", "acceptance_notice"), "acceptance", "consent")
    _cites(matter, _doc(docs, matter, "agreed", "consent_request"), "consent")
    _cites(
        matter,
        _doc(docs, matter, "agreed", "rights_notice"),
        "rights_notice", "voluntariness", "recusal", "confidentiality", "undisputed_facts", "termination",
        "performance", "agreement",
    )  # fmt: skip
    _cites(matter, _doc(docs, matter, "agreed", "agreement"), "agreement", "performance")
    _cites(matter, _doc(docs, matter, "failed", "undisputed_facts"), "undisputed_facts")
    _cites(matter, _doc(docs, matter, "failed", "termination_notice"), "termination", "undisputed_facts")
    _cites(matter, _doc(docs, matter, "refused", "refusal_notice"), "refusal")
    _cites(matter, _doc(docs, matter, "transferred", "transfer_notice"), "transfer")
    if matter.citation("judicial_confirmation") is not None:
        _cites(matter, _doc(docs, matter, "agreed", "judicial_confirmation"), "judicial_confirmation")
        _cites(matter, _doc(docs, matter, "agreed", "agreement"), "judicial_confirmation")


@pytest.mark.parametrize("matter", MATTERS, ids=lambda m: m.code)
def test_a_refused_consent_ends_with_what_happened_and_article_21(docs: dict[str, list[Doc]], matter: Matter) -> None:
    text = _doc(docs, matter, "consent_refused", "termination_notice")
    _cites(matter, text, "refused_consent")
    assert "明确表示不同意调解" in text
    assert "一方当事人明确拒绝调解的，不得调解" in text
    assert "受理并组织调解" not in text  # there never was a mediation session


@pytest.mark.parametrize("matter", MATTERS, ids=lambda m: m.code)
def test_agreement_heading_claims_once_dated_and_a_line_for_every_party(
    docs: dict[str, list[Doc]], matter: Matter
) -> None:
    text = _doc(docs, matter, "agreed", "agreement")
    assert "各方的损害赔偿责任" in text if matter.procedure == "mediation.traffic" else "争议事项及各方责任" in text
    assert text.count("请求被申请人支付人民币3,000元") == 1
    assert "2026年10月20日" in text  # the day the agreement was recorded as signed
    assert "申请人" + life.APPLICANT + SIGN_NOTE in text
    respondent = PERSON if matter.procedure in ("mediation.traffic", "mediation.public_security") else ORG
    assert "被申请人" + respondent + SIGN_NOTE in text
    if respondent == ORG:
        assert "法定代表人" in text and REPRESENTATIVE in text
    for kind in ("rights_notice",):
        assert "被申请人" + respondent + SIGN_NOTE in _doc(docs, matter, "agreed", kind)


@pytest.mark.parametrize("matter", MATTERS, ids=lambda m: m.code)
def test_a_landline_keeps_its_leading_zero(docs: dict[str, list[Doc]], matter: Matter) -> None:
    assert LANDLINE in _doc(docs, matter, "agreed", "agreement")
    assert LANDLINE in _doc(docs, matter, "agreed", "application")


@pytest.mark.parametrize("matter", MATTERS, ids=lambda m: m.code)
def test_the_application_is_addressed_to_one_competent_body(docs: dict[str, list[Doc]], matter: Matter) -> None:
    text = _doc(docs, matter, "agreed", "application")
    assert "此致" in text
    assert "各街道办事处" not in text.split("此致", 1)[1]


@pytest.mark.parametrize("matter", MATTERS, ids=lambda m: m.code)
def test_every_document_names_the_matters_issuing_body(docs: dict[str, list[Doc]], matter: Matter) -> None:
    # The desk's unit is the matter's first implementing unit: the documents carry that unit's issuing body (the
    # 市场监管坪山监管局 for a consumer dispute, the 公安坪山分局 for 治安调解, a street office for property), never
    # one free-text office name for every matter.
    bundle = load_shipped_bundle().bundle
    entry = matter.implementing_units[0]
    unit = bundle.unit(entry.issuing_unit)
    assert unit is not None
    # Records of a session are minutes signed by those present, not documents issued in the body's name.
    records = {"mediation_record", "hearing_record"}
    for doc in docs[matter.code]:
        if doc.kind == "application":
            assert unit.name in doc.text.split("此致", 1)[1], (matter.code, doc.kind)
        elif doc.kind not in records:
            assert unit.name in doc.text, (matter.code, doc.case, doc.kind)
    others = {u.name for u in bundle.units if u.kind == "street_office"} - {unit.name}
    assert not any(name in d.text for d in docs[matter.code] for name in others)


def _matter(procedure: str) -> list[Matter]:
    return [m for m in MATTERS if m.procedure == procedure]


def test_public_security_mediation_states_the_penalty_rule(docs: dict[str, list[Doc]]) -> None:
    (matter,) = _matter("mediation.public_security")
    agreement = _doc(docs, matter, "agreed", "agreement")
    assert "治安调解协议书" in agreement
    assert "当事人达成协议的，不予处罚" in agreement
    assert "达成协议后不履行的" in agreement and "给予处罚" in agreement
    termination = _doc(docs, matter, "failed", "termination_notice")
    assert "未达成协议，公安机关将依照治安管理处罚法的规定对违反治安管理行为人给予处罚" in termination
    _cites(matter, termination, "penalty")
    assert "司法确认" not in agreement


def test_traffic_mediation_is_a_joint_application_and_a_146_mediation_document(docs: dict[str, list[Doc]]) -> None:
    (matter,) = _matter("mediation.traffic")
    application = _doc(docs, matter, "agreed", "application")
    assert "各方当事人一致书面申请调解" in application
    _cites(matter, application, "joint_application")
    assert "被申请人" + PERSON + SIGN_NOTE in application  # every party signs the joint application
    agreement = _doc(docs, matter, "agreed", "agreement")
    assert "道路交通事故损害赔偿调解书" in agreement
    assert "调解依据" in agreement
    _cites(matter, agreement, "mediation_document")
    assert "向人民法院提起民事诉讼" in agreement


def test_labour_mediation_prints_the_15_day_rule_and_the_interrupted_limitation(docs: dict[str, list[Doc]]) -> None:
    labour = _matter("mediation.labour")
    assert {m.code for m in labour} >= {"PS-TJ-005", "PS-TJ-009"}
    for matter in labour:
        for case, kind in (
            ("agreed", "rights_notice"),
            ("agreed", "acceptance_notice"),
            ("failed", "termination_notice"),
        ):
            text = _doc(docs, matter, case, kind)
            assert "自劳动争议调解组织收到调解申请之日起十五日内未达成调解协议的，当事人可以依法" in text, (case, kind)
            assert "仲裁时效因此中断，从中断时起重新计算" in text, (case, kind)
            _cites(matter, text, "arbitration", "limitation_interrupted")
        assert "申请支付令" in _doc(docs, matter, "agreed", "agreement")


def test_the_new_daily_matters_are_in_the_catalogue_with_their_basis() -> None:
    codes = {m.code: m for m in MATTERS}
    assert {"PS-TJ-009", "PS-TJ-010", "PS-TJ-011"} <= set(codes)
    assert any("劳动争议调解仲裁法" in b.law and "第十条" in b.article for b in codes["PS-TJ-009"].legal_basis)
    assert any("房屋租赁" in b.law for b in codes["PS-TJ-010"].legal_basis)
    assert any("深圳经济特区物业管理条例" in b.law for b in codes["PS-TJ-007"].legal_basis)
    for code in ("PS-TJ-009", "PS-TJ-010", "PS-TJ-011"):
        matter = codes[code]
        assert matter.implementing_units and matter.notes and matter.sources, code
        assert any("推断" in n for n in matter.notes), code


def test_a_catalogue_without_the_citation_refuses_the_document() -> None:
    from fzmediate.documents.templates.citations import cite

    matter = MATTERS[0].model_copy(update={"citations": ()})
    with pytest.raises(ValidationError, match=MATTERS[0].code):
        cite(matter, "consent")
