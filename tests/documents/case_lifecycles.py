"""Whole synthetic cases for the document tests, run through the real services on a real (temp) store.

Five cases on the standard procedures, with invented people (numbers from tests.synthetic) whose names need
every font of the chain (王𠮷 Ext B, 张䶮 Ext A) and whose facts hold markup that must print literally:

* ``agreed``: a property-management mediation (PS-TJ-007) ending in an agreement, reminded of 司法确认,
  followed up, closed and archived; the applicant has an agent;
* ``failed``: the same matter, undisputed facts recorded, then terminated and the notice served;
* ``refused``: refused at acceptance, with reasons and basis;
* ``transferred``: transferred to another body;
* ``adjudicated``: a land-ownership adjudication (PS-CJ-001, two remedy routes: review first, then court)
  through the hearing, the review by a different legally qualified supervisor, the decision and service —
  on its own desk (``Cases.land``): the planning bureau's branch handles it for the district government; a street
  office never issues it.

The test clock's today is 2026-11-29; every act is dated before it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from fzmediate.services.numbering import DEVICE_CODE_KEY
from fzmediate.services.session import Session
from fzmediate.services.workspace import Workspace
from fzmediate.store.models import Meta
from tests.cases_support import AGENT_ID, RESPONDENT_ID, person
from tests.support import ADMIN_PW, MEDIATOR_PW, SUPERVISOR_PW

MEDIATOR = ("med1", MEDIATOR_PW)
SUPERVISOR = ("sup1", SUPERVISOR_PW)
#: The head of the body (负责人): approves and issues adjudication decisions, handles no case.
HEAD = ("head1", SUPERVISOR_PW)
OFFICE = "深圳市坪山区坪山街道办事处"
OFFICE_UNIT = "PS-JD-PS"
#: The desk that handles land title disputes; its decisions are issued as the district government.
LAND_UNIT = "SZ-GHZY-PS"
LAND_ISSUER = "深圳市坪山区人民政府"
DEVICE_CODE = "0A0B0C"
APPLICANT = "王𠮷"
RESPONDENT = "张䶮"
AGENT = "李𬌗"
MEDIATOR_NAME = "赵喆"
#: Markup that ReportLab's Paragraph would obey; it must print literally.
TERMINATION_REASONS = "双方对退费数额分歧较大，无法达成一致。"
REFUSAL_REASONS = "该纠纷已向人民法院起诉，不属于行政调解受理范围"
MARKUP_FACTS = "电梯<b>长期</b>故障&nbsp;<font size=40>未修</font>，<br/>业主多次投诉。"
FACTS_FOUND = "争议地块<b>东至</b>水渠、西至村道，面积约1.2亩。"
APPLICANT_PHONE = "13912345678"
APPLICANT_ADDRESS = "广东省深圳市坪山区坪山街道六和社区某某路1号"
RESPONDENT_PHONE = "13800002222"


@dataclass(frozen=True)
class Cases:
    agreed: str
    failed: str
    refused: str
    transferred: str
    adjudicated: str
    #: The street office's store (every case but ``adjudicated``) and the land desk's store.
    ws: Workspace = field(repr=False, compare=False)
    land: Workspace = field(repr=False, compare=False)

    NAMES = ("agreed", "failed", "refused", "transferred", "adjudicated")

    def store_of(self, name: str) -> Workspace:
        return self.land if name == "adjudicated" else self.ws

    def items(self) -> list[tuple[str, str]]:
        return [(name, getattr(self, name)) for name in self.NAMES]


def staff(initialized: Workspace, unit: str = OFFICE_UNIT) -> None:
    """The users, the desk's unit (its issuing body), and a fixed device code (case numbers the same on every run,
    so that documents can be compared with golden images)."""
    with initialized.unlock("admin", ADMIN_PW) as s:
        s.organisation.set_desk_unit(unit)
        s.users.add("med1", "mediator", MEDIATOR[1], full_name=MEDIATOR_NAME)
        s.users.add("sup1", "supervisor", SUPERVISOR[1], legally_qualified=True, full_name="孙赟")
        s.users.add(HEAD[0], "supervisor", HEAD[1], full_name="钱负责")
        with s.write("test.device_code", "meta", DEVICE_CODE_KEY) as o:
            o.add(Meta(key=DEVICE_CODE_KEY, value=DEVICE_CODE))


def mediation_intake(received_on: str, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "matter": "PS-TJ-007",
        "received_on": received_on,
        "summary": "物业服务费纠纷",
        "facts": "申请人称小区" + MARKUP_FACTS,
        "claims": "请求被申请人退还多收的物业服务费人民币1,200元。",
        "parties": [
            person("applicant", APPLICANT, phone=APPLICANT_PHONE, address=APPLICANT_ADDRESS),
            person(
                "respondent", RESPONDENT, id_number=RESPONDENT_ID, phone=RESPONDENT_PHONE,
                address="广东省深圳市坪山区坑梓街道某某路3号",
            ),
            person("agent", AGENT, id_number=AGENT_ID, phone="13700003333", represents=0,
                   power_of_attorney="一般授权", authority="general"),
        ],
    }  # fmt: skip
    data.update(changes)
    return data


def step(s: Session, case_id: str, action: str, on: str, payload: dict[str, Any] | None = None) -> None:
    s.cases.act(case_id, action, payload or {}, on=date.fromisoformat(on), late_reason="测试：事后补录")


def _principals(s: Session, case_id: str) -> tuple[str, str]:
    detail = s.cases.get(case_id)
    applicant = next(p.id for p in detail.parties if p.role.value == "applicant")
    respondent = next(p.id for p in detail.parties if p.role.value == "respondent")
    return applicant, respondent


def _prepare(s: Session, received_on: str) -> tuple[str, str, str]:
    case = s.cases.create(mediation_intake(received_on), confirm_duplicate=True)
    applicant, respondent = _principals(s, case.id)
    step(s, case.id, "accept", "2026-10-12", {"note": "材料齐全"})
    step(s, case.id, "record_consent", "2026-10-13", {"party": respondent, "consent": "agreed"})
    step(s, case.id, "disclose_conflicts", "2026-10-13", {"has_conflict": False})
    step(s, case.id, "issue_rights_notice", "2026-10-14")
    step(
        s, case.id, "acknowledge_rights_notice", "2026-10-14",
        {"parties": [applicant, respondent], "method": "signature"},
    )  # fmt: skip
    return case.id, applicant, respondent


#: The terms of the drafted agreements (without obligor and obligee: they name the case's parties).
AGREEMENT_TERMS = [
    {
        "content": "退还多收的物业服务费",
        "amount": "1200.00",
        "manner": "银行转账",
        "place": "深圳市坪山区",
        "deadline": "2026-12-31",
    }
]


def drafted_agreement(s: Session) -> tuple[str, str, str]:
    """A mediation whose agreement is drafted (printable for signing) but not yet signed: (case, applicant,
    respondent)."""
    case_id, applicant, respondent = _prepare(s, "2026-10-09")
    step(s, case_id, "hold_session", "2026-10-20", {"summary": "第一次调解", "present": [applicant, respondent]})
    terms = [dict(t, obligor=respondent, obligee=applicant) for t in AGREEMENT_TERMS]
    step(s, case_id, "draft_agreement", "2026-10-27", {"facts_and_disputes": "双方对退费数额有争议。", "terms": terms})
    return case_id, applicant, respondent


def agreed_case(s: Session) -> str:
    case_id, applicant, respondent = _prepare(s, "2026-10-09")
    step(s, case_id, "hold_session", "2026-10-20", {"summary": "第一次调解", "present": [applicant, respondent]})
    terms = [
        {
            "obligor": respondent, "obligee": applicant, "content": "退还多收的物业服务费", "amount": "1200.00",
            "manner": "银行转账", "place": "深圳市坪山区", "deadline": "2026-11-30",
        },
        {
            "obligor": respondent, "obligee": applicant, "content": "修复小区2号楼电梯并承担维修费用",
            "manner": "委托具有资质的维修单位维修", "place": "小区2号楼", "deadline": "2026-11-15",
        },
    ]  # fmt: skip
    step(
        s, case_id, "record_agreement", "2026-10-27",
        {"facts_and_disputes": "小区电梯" + MARKUP_FACTS + "双方对退费数额有争议。", "terms": terms,
         "signed_by": [applicant, respondent]},
    )  # fmt: skip
    step(
        s, case_id, "remind_judicial_confirmation", "2026-10-27",
        {"parties": [applicant, respondent], "court": "深圳市坪山区人民法院"},
    )  # fmt: skip
    step(s, case_id, "follow_up", "2026-11-20", {"performance": "performed"})
    step(s, case_id, "close", "2026-11-23")
    issue_required(s, case_id)  # the completeness gate: no archiving with a required document missing
    step(s, case_id, "archive", "2026-11-27", {"file_number": "坪山调档2026-001"})
    return case_id


def failed_case(s: Session) -> str:
    case_id, applicant, respondent = _prepare(s, "2026-10-09")
    step(s, case_id, "hold_session", "2026-10-20", {"summary": "双方分歧较大", "present": [applicant, respondent]})
    step(
        s, case_id, "record_undisputed_facts", "2026-10-28",
        {"facts": "电梯于2026年3月至4月停运45天。\n申请人已缴纳2026年物业服务费<b>3,600元</b>。",
         "signed_by": [applicant, respondent]},
    )  # fmt: skip
    step(
        s,
        case_id,
        "terminate",
        "2026-10-28",
        {"ground": "cannot_proceed", "reasons": TERMINATION_REASONS},
    )
    step(s, case_id, "issue_termination_notice", "2026-10-29", {"parties": [applicant, respondent]})
    step(s, case_id, "close", "2026-10-30")
    return case_id


def refused_case(s: Session) -> str:
    case = s.cases.create(mediation_intake("2026-11-24"), confirm_duplicate=True)
    step(
        s, case.id, "refuse", "2026-11-26",
        {"reasons": REFUSAL_REASONS, "legal_basis": "《深圳经济特区矛盾纠纷多元化解条例》第四十六条"},
    )  # fmt: skip
    return case.id


def transferred_case(s: Session) -> str:
    case = s.cases.create(mediation_intake("2026-11-24"), confirm_duplicate=True)
    step(
        s, case.id, "transfer", "2026-11-25",
        {"receiving_body": "深圳市坪山区住房和建设局", "reasons": "该纠纷涉及专项维修资金使用的行政监管事项"},
    )  # fmt: skip
    return case.id


def adjudication_intake(received_on: str) -> dict[str, Any]:
    return {
        "matter": "PS-CJ-001",
        "received_on": received_on,
        "summary": "土地使用权权属争议",
        "facts": "争议地块位于坪山区坑梓街道某村，双方均主张使用权。",
        "claims": "请求确认争议地块的集体土地使用权归申请人所有。",
        "parties": [
            person("applicant", APPLICANT, phone=APPLICANT_PHONE),
            person("respondent", RESPONDENT, id_number=RESPONDENT_ID, phone=RESPONDENT_PHONE, address="坪山区坑梓街道"),
        ],
    }


DECISION = {
    "cause": "土地使用权权属争议",
    "claims": "确认争议地块的集体土地使用权归申请人所有",
    "applicant_facts_and_reasons": "申请人自1998年起一直在争议地块耕种，有村委会证明为据。",
    "respondent_facts_and_reasons": "争议地块系被申请人的承包地，有承包合同为据。",
    "facts_found": FACTS_FOUND,
    "law_applied": "《中华人民共和国土地管理法》第十四条、《广东省土地权属纠纷处理条例》第十六条",
    "decision_text": "争议地块的集体土地使用权归申请人王𠮷所有。\n"
    "被申请人张䶮应于本裁决生效之日起三十日内退出争议地块。",
}


CONTESTED_POINT = {
    "point": "争议地块的集体土地使用权归属",
    "finding": "申请人自1998年起在争议地块耕种至今；被申请人的承包合同所附四至图不包括争议地块。",
    "evidence": ["村委会证明", "承包合同"],
    "reasoning": "申请人长期使用争议地块并有村委会证明，被申请人的承包合同不能证明其对争议地块享有使用权。",
}


def adjudication_to_hearing(s: Session, reply: str = "争议地块系其承包地") -> tuple[str, str, str]:
    """A land-title adjudication received 2026-08-03, accepted, served, answered (``reply``), rights notified and
    mediation failed: ready for the hearing. Returns the case id, the applicant's and the respondent's party id."""
    case = s.cases.create(adjudication_intake("2026-08-03"), confirm_duplicate=True)
    applicant, respondent = _principals(s, case.id)
    step(s, case.id, "accept", "2026-08-05")
    step(s, case.id, "serve_copy", "2026-08-07", {"parties": [respondent], "method": "post"})
    step(s, case.id, "receive_reply", "2026-08-20", {"party": respondent, "summary": reply})
    step(s, case.id, "disclose_conflicts", "2026-08-21", {"has_conflict": False})
    step(s, case.id, "issue_rights_notice", "2026-08-21")
    step(
        s, case.id, "acknowledge_rights_notice", "2026-08-21",
        {"parties": [applicant, respondent], "method": "signature"},
    )  # fmt: skip
    step(s, case.id, "attempt_mediation", "2026-08-28", {"result": "failed"})
    return case.id, applicant, respondent


def adjudicated_case(ws: Workspace) -> str:
    with ws.unlock(*MEDIATOR) as s:
        case_id, applicant, respondent = adjudication_to_hearing(s)
        step(s, case_id, "hold_hearing", "2026-09-10", {"summary": "质证", "present": [applicant, respondent]})
        step(s, case_id, "record_contested_point", "2026-09-11", dict(CONTESTED_POINT))
    with ws.unlock(*SUPERVISOR) as s:
        step(s, case_id, "review", "2026-09-15", {"result": "approved", "reasons": "事实清楚，适用法律正确"})
    with ws.unlock(*HEAD) as s:
        # Land title is a major decision: collective discussion, then the head's approval (负责人审批).
        step(
            s, case_id, "record_collective_discussion", "2026-09-18",
            {"held_on": "2026-09-18", "participants": ["钱负责", "孙赟"], "conclusion": "同意作出裁决"},
        )  # fmt: skip
        step(s, case_id, "approve_decision", "2026-09-21", {"result": "approved", "reasons": "同意"})
        step(s, case_id, "decide", "2026-09-30", dict(DECISION))
        step(s, case_id, "serve_decision", "2026-10-09", {"parties": [applicant, respondent], "method": "in_person"})
    return case_id


def land_desk(ws: Workspace) -> Workspace:
    """A second store beside ``ws``: the planning bureau branch's desk, staffed like the street office's."""
    land = Workspace(ws.paths.root.parent / "land-desk", kdf=ws.kdf, clock=ws.clock)
    land.initialize("admin", ADMIN_PW, full_name="管理员", unit=LAND_UNIT)
    staff(land, LAND_UNIT)
    return land


def run_all(ws: Workspace) -> Cases:
    """Staff the store and run the five cases (ws must be initialized); the land case runs on its own desk."""
    staff(ws)
    with ws.unlock(*MEDIATOR) as s:
        agreed = agreed_case(s)
        failed = failed_case(s)
        refused = refused_case(s)
        transferred = transferred_case(s)
    land = land_desk(ws)
    return Cases(agreed, failed, refused, transferred, adjudicated_case(land), ws=ws, land=land)


def issue_required(s: Session, case_id: str) -> list[str]:
    """Issue every document the case's path requires (the completeness gate on ``archive``), in case-file order;
    returns their kinds."""
    from fzmediate.procedure.guards_archive import required_documents

    kinds = [r.kind for r in required_documents(s.cases.get(case_id).record())]
    for kind in kinds:
        s.documents.issue(kind, case_id)
    return kinds
