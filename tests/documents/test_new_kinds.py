"""The kinds that record a case's course: 调解笔录, 听证笔录, 送达回证, 回访记录, 延期告知书, 中止/恢复通知书,
回避决定书, 答辩通知书 and the 受理公告, each made from the events that justify it through the real services, issued,
text-extracted with pdftotext and checked for its title, parties, citation, dates and signature lines; and
refused (naming the missing act) before its event.

Two synthetic cases (invented people, tests/documents/case_lifecycles.py helpers): a property-fee mediation
(PS-TJ-007) that goes through a session, an extension with both parties' consent, a suspension and resumption,
a granted recusal, a second session, an agreement and a follow-up; and a forest-land adjudication (PS-CJ-002,
a street office's matter between individuals) with the 30-day public notice, the copy served with the notice
to reply, the reply, the rights notice and a hearing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from fzmediate.documents.templates.kinds import KINDS
from fzmediate.i18n import set_locale
from fzmediate.services.session import Session
from fzmediate.services.workspace import Workspace
from tests.cases_support import RESPONDENT_ID, person
from tests.documents import case_lifecycles as life
from tests.documents.pdftools import pdftotext, squash
from tests.support import ADMIN_PW, FAST_KDF, FakeClock

NEW_KINDS = frozenset(
    {
        "mediation_record",
        "hearing_record",
        "service_receipt",
        "follow_up_record",
        "extension_notice",
        "suspension_notice",
        "resumption_notice",
        "recusal_decision",
        "reply_notice",
        "acceptance_announcement",
    }
)
MEDIATION_KINDS = (
    "mediation_record",
    "follow_up_record",
    "extension_notice",
    "suspension_notice",
    "resumption_notice",
    "recusal_decision",
)
FOREST_KINDS = ("acceptance_announcement", "reply_notice", "service_receipt", "hearing_record")
FOREST_RESPONDENT = "陈喆"
SECOND_MEDIATOR = "孙赟"


@dataclass(frozen=True)
class Issued:
    texts: dict[tuple[str, str], str]
    refusals: dict[str, str]
    numbers: dict[str, str]


def _desk(ws: Workspace) -> None:
    """A street office's desk (坪山街道办事处), unless the shared staffing already chose one."""
    with ws.unlock("admin", ADMIN_PW) as s:
        if not s.organisation.desk_unit_code():
            s.organisation.set_desk_unit(getattr(life, "OFFICE_UNIT", "PS-JD-PS"))


def _mediation(ws: Workspace, refusals: dict[str, str]) -> str:
    with ws.unlock(*life.MEDIATOR) as s:
        case_id, applicant, respondent = life._prepare(s, "2026-10-09")
        for kind in MEDIATION_KINDS:  # nothing of this yet: each is refused, naming its act
            refusals[kind] = _refusal(s, kind, case_id)
        life.step(
            s,
            case_id,
            "hold_session",
            "2026-10-20",
            {"summary": "双方陈述意见\n分歧在退费数额", "present": [applicant, respondent]},
        )
    with ws.unlock(*life.SUPERVISOR) as s:
        life.step(
            s, case_id, "extend_period", "2026-11-05",
            {"consenting_parties": [applicant, respondent], "extend_by": 15, "reasons": "双方同意继续协商退费方案"},
        )  # fmt: skip
        life.step(s, case_id, "suspend", "2026-11-06", {"reasons": "被申请人的法定代表人因病住院，暂时不能参加调解"})
        life.step(s, case_id, "resume", "2026-11-10", {"reasons": "中止的原因已经消除"})
    with ws.unlock(*life.MEDIATOR) as s:
        life.step(
            s, case_id, "request_recusal", "2026-11-11", {"party": applicant, "reasons": "调解员与被申请人的员工系亲属"}
        )
    with ws.unlock(*life.SUPERVISOR) as s:
        life.step(
            s, case_id, "decide_recusal", "2026-11-12",
            {"decision": "granted", "reasons": "当事人要求调解员回避的，调解员应当回避", "new_mediator": "sup1"},
        )  # fmt: skip
        life.step(s, case_id, "disclose_conflicts", "2026-11-12", {"has_conflict": False})
        life.step(s, case_id, "hold_session", "2026-11-16", {"summary": "达成一致", "present": [applicant, respondent]})
        terms = [
            {"obligor": respondent, "obligee": applicant, "content": "退还多收的物业服务费", "amount": "1200.00",
             "manner": "银行转账", "place": "深圳市坪山区", "deadline": "2026-11-30"},
        ]  # fmt: skip
        life.step(
            s, case_id, "record_agreement", "2026-11-18",
            {"facts_and_disputes": "双方对退费数额有争议。", "terms": terms, "signed_by": [applicant, respondent]},
        )  # fmt: skip
        life.step(s, case_id, "follow_up", "2026-11-26", {"performance": "partly_performed", "note": "已退还600元"})
    return case_id


def _forest(ws: Workspace, refusals: dict[str, str]) -> str:
    with ws.unlock(*life.MEDIATOR) as s:
        intake = {
            "matter": "PS-CJ-002",
            "received_on": "2026-08-03",
            "summary": "林地使用权争议",
            "facts": "争议林地位于坪山街道某村后山，双方均主张使用权。",
            "claims": "请求确认争议林地的使用权归申请人所有。",
            "parties": [
                person("applicant", life.APPLICANT, phone=life.APPLICANT_PHONE),
                person("respondent", FOREST_RESPONDENT, id_number=RESPONDENT_ID, address="坪山街道某村2号"),
            ],
        }
        case = s.cases.create(intake, confirm_duplicate=True)
        detail = s.cases.get(case.id)
        applicant = next(p.id for p in detail.parties if p.role.value == "applicant")
        respondent = next(p.id for p in detail.parties if p.role.value == "respondent")
        life.step(s, case.id, "accept", "2026-08-20")
        for kind in FOREST_KINDS:
            refusals["forest:" + kind] = _refusal(s, kind, case.id)
        life.step(
            s, case.id, "publish_acceptance_notice", "2026-08-21", {"note": "坪山街道某村后山，东至山脊，面积约3亩"}
        )
        life.step(s, case.id, "serve_copy", "2026-09-25", {"parties": [respondent], "method": "post"})
        life.step(s, case.id, "receive_reply", "2026-10-20", {"party": respondent, "summary": "争议林地系其承包"})
        life.step(s, case.id, "disclose_conflicts", "2026-10-21", {"has_conflict": False})
        life.step(s, case.id, "issue_rights_notice", "2026-10-21")
        life.step(
            s, case.id, "acknowledge_rights_notice", "2026-10-21",
            {"parties": [applicant, respondent], "method": "signature"},
        )  # fmt: skip
        life.step(s, case.id, "hold_hearing", "2026-11-02", {"summary": "双方质证", "present": [applicant]})
    return case.id


def _refusal(s: Session, kind: str, case_id: str) -> str:
    status = next(k for k in s.documents.kinds(case_id) if k.name == kind)
    assert not status.available
    return status.reason


@pytest.fixture(scope="module")
def issued(tmp_path_factory: pytest.TempPathFactory) -> Issued:
    set_locale("zh_CN")
    ws = Workspace(tmp_path_factory.mktemp("new-kinds") / "data", kdf=FAST_KDF, clock=FakeClock())
    ws.initialize("admin", ADMIN_PW, full_name="管理员")
    life.staff(ws)
    _desk(ws)
    refusals: dict[str, str] = {}
    cases = {"mediation": _mediation(ws, refusals), "forest": _forest(ws, refusals)}
    texts: dict[tuple[str, str], str] = {}
    numbers: dict[str, str] = {}
    with ws.unlock(*life.MEDIATOR) as s:
        for name, case_id in cases.items():
            numbers[name] = s.cases.get(case_id).number
            wanted = MEDIATION_KINDS if name == "mediation" else FOREST_KINDS
            for kind in wanted:
                info = s.documents.issue(kind, case_id)
                texts[(name, kind)] = squash(pdftotext(s.documents.get_pdf(info.id)))
    return Issued(texts, refusals, numbers)


def _has(text: str, *clauses: str) -> None:
    for clause in clauses:
        assert squash(clause) in text, clause


def test_every_new_kind_is_registered_and_exercised() -> None:
    assert set(KINDS) >= NEW_KINDS
    assert set(MEDIATION_KINDS) | set(FOREST_KINDS) == NEW_KINDS


#: The act each kind waits for, as the procedure labels it.
ACT_LABELS = {
    "mediation_record": "调解",
    "follow_up_record": "回访",
    "extension_notice": "延长调解期限",
    "suspension_notice": "中止",
    "resumption_notice": "恢复",
    "recusal_decision": "回避决定",
}


@pytest.mark.parametrize("kind", MEDIATION_KINDS)
def test_a_mediation_kind_is_refused_before_its_event_naming_the_act(issued: Issued, kind: str) -> None:
    reason = issued.refusals[kind]
    assert KINDS[kind].title in reason and "“{0}”".format(ACT_LABELS[kind]) in reason


@pytest.mark.parametrize("kind", FOREST_KINDS)
def test_a_forest_kind_is_refused_before_its_event(issued: Issued, kind: str) -> None:
    assert KINDS[kind].title in issued.refusals["forest:" + kind]


def test_mediation_record_shows_each_session_with_who_was_there_and_signatures(issued: Issued) -> None:
    text = issued.texts[("mediation", "mediation_record")]
    _has(
        text,
        "调解笔录",
        issued.numbers["mediation"],
        "时间：2026年10月20日",
        "时间：2026年11月16日",
        "到场当事人：申请人王𠮷（委托代理人李𬌗）、被申请人张䶮",
        "双方陈述意见。",
        "分歧在退费数额。",
        "当事人已于2026年10月14日签收权利义务告知书",
        "《深圳经济特区矛盾纠纷多元化解条例》第二十四条",
        "申请人王𠮷（签名盖章或按指印）",
        "被申请人张䶮（签名盖章或按指印）",
        "委托代理人李𬌗（代理申请人王𠮷，一般授权）",
        "调解员：赵喆（签名）",
        "调解员：孙赟（签名）",
        "记录人",
    )


def test_extension_notice_states_consent_period_dates_and_basis(issued: Issued) -> None:
    text = issued.texts[("mediation", "extension_notice")]
    _has(
        text,
        "延期告知书",
        "王𠮷、张䶮：",
        "申请人王𠮷与被申请人张䶮物业服务费纠纷一案，本机关已于2026年10月12日受理",
        "因双方同意继续协商退费方案",
        "经申请人王𠮷、被申请人张䶮同意",
        "《深圳经济特区矛盾纠纷多元化解条例》第二十五条第二款",
        "调解期限延长15日",
        "由原定的2026年11月11日届满延长至2026年11月26日届满",
        "2026年11月5日",
    )


def test_suspension_and_resumption_notices_state_the_reasons_and_dates(issued: Issued) -> None:
    _has(
        issued.texts[("mediation", "suspension_notice")],
        "中止通知书",
        "因被申请人的法定代表人因病住院，暂时不能参加调解",
        "自2026年11月6日起中止调解",
        "书面通知你（单位）",
    )
    _has(
        issued.texts[("mediation", "resumption_notice")],
        "恢复通知书",
        "本机关于2026年11月6日中止调解",
        "自2026年11月10日起恢复调解",
    )


def test_recusal_decision_names_the_request_the_decision_and_no_remedy(issued: Issued) -> None:
    text = issued.texts[("mediation", "recusal_decision")]
    _has(
        text,
        "回避决定书",
        "王𠮷：",
        "申请人王𠮷于2026年11月11日以调解员与被申请人的员工系亲属为由，申请承办人员赵喆回避",
        "《深圳经济特区矛盾纠纷多元化解条例》第二十三条",
        "承办人员赵喆回避，本案改由孙赟承办",
        "2026年11月12日",
    )
    assert "行政复议" not in text and "行政诉讼" not in text


def test_follow_up_record_states_performance_and_signatures(issued: Issued) -> None:
    text = issued.texts[("mediation", "follow_up_record")]
    _has(
        text,
        "回访记录",
        "调解协议达成日期：2026年11月18日",
        "回访日期：2026年11月26日",
        "履行情况：已部分履行",
        "已退还600元。",
        "督促其履行",
        "回访人：孙赟（签名）",
        "申请人王𠮷（签名盖章或按指印）",
    )


def test_acceptance_announcement_is_public_masked_and_cites_the_30_days(issued: Issued) -> None:
    text = issued.texts[("forest", "acceptance_announcement")]
    _has(
        text,
        "受理公告",
        "申请人王某与被申请人陈某林地使用权争议一案",
        "本机关已于2026年8月20日受理",
        "《广东省林木林地权属争议调解处理条例》第二十九条第一款",
        "公告期为30日，自2026年8月21日起至2026年9月20日止",
        "争议林木林地的位置和范围：坪山街道某村后山，东至山脊，面积约3亩。",
        "申请作为第三人参加调处",
        "不得改变林地现状",
    )
    assert life.APPLICANT not in text and FOREST_RESPONDENT not in text and life.APPLICANT_PHONE not in text


def test_reply_notice_gives_the_reply_period_from_the_matter(issued: Issued) -> None:
    text = issued.texts[("forest", "reply_notice")]
    _has(
        text,
        "答辩通知书",
        FOREST_RESPONDENT + "：",
        "王𠮷就其与你（单位）之间的林地使用权争议向本机关申请行政裁决",
        "本机关已于2026年8月20日受理",
        "30日内",
        "提交书面答复和有关证据材料",
        "可以提出反请求",
        "《广东省林木林地权属争议调解处理条例》第三十二条",
        "2026年9月25日",
    )


def test_service_receipt_names_document_recipient_method_date_and_signatures(issued: Issued) -> None:
    text = issued.texts[("forest", "service_receipt")]
    _has(
        text,
        "送达回证",
        "送达文书：《申请书》副本、《答辩通知书》",
        "受送达人：被申请人" + FOREST_RESPONDENT,
        "送达方式：邮寄送达",
        "送达日期：2026年9月25日",
        "受送达人" + FOREST_RESPONDENT + "（签名盖章或按指印）",
        "送达人：赵喆（签名）",
    )


def test_hearing_record_lists_present_and_absent_and_signatures(issued: Issued) -> None:
    text = issued.texts[("forest", "hearing_record")]
    _has(
        text,
        "听证笔录",
        "时间：2026年11月2日",
        "主持人：赵喆",
        "到场当事人：申请人王𠮷",
        "未到场当事人：被申请人" + FOREST_RESPONDENT,
        "双方质证。",
        "申请人王𠮷（签名盖章或按指印）",
        "主持人：赵喆（签名）",
    )


def test_the_public_notice_is_only_for_a_matter_with_a_notice_period() -> None:
    from fzmediate.documents.templates.kinds import unmet
    from tests.procedure_helpers import FOREST, LAND, make_case, matter

    set_locale("zh_CN")
    announcement = KINDS["acceptance_announcement"]
    land = make_case(LAND, date(2026, 8, 3))
    reason = unmet(announcement, land, matter=matter(LAND))
    assert reason is not None and LAND in reason and "受理公告" in reason
    forest = make_case(FOREST, date(2026, 8, 3))
    reason = unmet(announcement, forest, matter=matter(FOREST))
    assert reason is not None and "publish_acceptance_notice" in reason  # the act is not on record yet


def test_a_record_has_lines_for_the_present_parties_their_representatives_and_agents() -> None:
    from dataclasses import replace

    from fzmediate.documents.render import document_text
    from fzmediate.documents.templates.common import CaseContext
    from fzmediate.documents.templates.records import mediation_record_spec
    from fzmediate.domain.case import CaseEvent, Party, PartyRole
    from tests.procedure_helpers import CONSUMER, make_case, matter

    base = make_case(CONSUMER, date(2026, 9, 25))
    company = next(p for p in base.parties if p.role is PartyRole.RESPONDENT)
    company = replace(company, legal_representative="赵测", representative_title="法定代表人")
    agent = Party(id="g1", role=PartyRole.AGENT, kind=company.kind.PERSON, name="钱测", represents=company.id)
    absent_agent = Party(id="g2", role=PartyRole.AGENT, kind=company.kind.PERSON, name="孙测", represents="a1")
    at = base.events[0].at
    session = CaseEvent(2, "hold_session", date(2026, 9, 30), at, "med1", "t", {"present": [company.id]})
    case = replace(
        base,
        parties=(base.parties[0], company, agent, absent_agent),
        events=(*base.events, session),
    )
    ctx = CaseContext(
        case=case, matter=matter(CONSUMER), office="测试机关", document_id="d", issue_date=date(2026, 10, 1)
    )
    text = squash(document_text(mediation_record_spec(ctx)))
    assert squash("被申请人测试乙有限公司（签名盖章或按指印）") in text
    assert squash("法定代表人赵测（签名）") in text
    assert squash("委托代理人钱测（代理被申请人测试乙有限公司）（签名）") in text
    assert "测试甲（签名" not in text and "孙测（" not in text  # absent: no line to sign
    assert squash("未到场当事人：申请人测试甲（委托代理人孙测）") in text
