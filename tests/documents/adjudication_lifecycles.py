"""Whole adjudication cases through the services, one per matter variant, for the decision document tests.

* land (PS-CJ-001, a major decision): an organisation respondent with its 法定代表人 and an agent with special
  authority, a third party; mediation fails, a hearing, two contested points, the review, a collective
  discussion, the head's approval and the decision (issued in the name of 坪山区人民政府 by the unit that handles
  it for the district government);
* patent (PS-CJ-003): 请求人/被请求人, a 处理决定书;
* procurement (PS-CJ-004): 投诉人/被投诉人, a 投诉处理决定书, no mediation and no hearing.

Each runs in its own workspace whose desk unit implements the matter. The handler (med1) handles, the legally
qualified supervisor (sup1) reviews, the head (head1) approves and decides. Some typed statements start with
the label the document prints itself ("申请人称：", "经查，", "一、"), which must not print twice.
The people are invented (numbers from tests.synthetic); dates lie before the test clock's 2026-11-29.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from fzmediate.services.session import Session
from fzmediate.services.workspace import Workspace
from tests.cases_support import AGENT_ID, RESPONDENT_ID, organization, person
from tests.support import ADMIN_PW, MEDIATOR_PW, SUPERVISOR_PW
from tests.synthetic import make_uscc

MEDIATOR = ("med1", MEDIATOR_PW)
SUPERVISOR = ("sup1", SUPERVISOR_PW)
HEAD = ("head1", SUPERVISOR_PW)
#: The desk unit that implements each matter (catalogue units).
UNITS = {"PS-CJ-001": "SZ-GHZY-PS", "PS-CJ-003": "SZ-SCJG", "PS-CJ-004": "PS-CZJ"}
APPLICANT = "王𠮷"
COMPANY = "深圳市坪山区某某股份合作公司"
LEGAL_REP = "陈䶮"
AGENT = "李𬌗"
AGENT_SCOPE = "代为承认、放弃、变更请求，代为签收法律文书"
THIRD = "刘喆"
OTHER_COMPANY_ID = make_uscc(region="440310", org="MA5EXAMP1")
THIRD_POSITION = "第三人述称：第三人对争议地块不主张权利，但要求保留通行便道。"


def staff(ws: Workspace, unit: str) -> None:
    """The handler, the reviewer and the head (负责人), and the desk's unit."""
    with ws.unlock("admin", ADMIN_PW) as s:
        s.users.add("med1", "mediator", MEDIATOR[1], full_name="赵喆")
        s.users.add("sup1", "supervisor", SUPERVISOR[1], legally_qualified=True, full_name="孙赟")
        s.users.add("head1", "supervisor", HEAD[1], full_name="钱负责")
        s.organisation.set_desk_unit(unit)


def step(s: Session, case_id: str, action: str, on: str, payload: dict[str, Any] | None = None) -> None:
    # The acts are entered on the test clock's day, after they happened: late entries with a reason (补录).
    s.cases.act(case_id, action, payload or {}, on=date.fromisoformat(on), late_reason="测试：事后补录")


def _ids(s: Session, case_id: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for p in s.cases.get(case_id).parties:
        out.setdefault(p.role.value, []).append(p.id)
    return out


def _review_approve_decide(ws: Workspace, case_id: str, decision: dict[str, Any], *, discuss: bool) -> None:
    with ws.unlock(*SUPERVISOR) as s:
        step(s, case_id, "review", "2026-09-15", {"result": "approved", "reasons": "事实清楚，证据确凿，适用法律正确"})
    with ws.unlock(*HEAD) as s:
        if discuss:
            step(
                s, case_id, "record_collective_discussion", "2026-09-18",
                {"held_on": "2026-09-18", "participants": ["钱负责（主任）", "周某（副主任）", "孙赟（法制审核）"],
                 "conclusion": "同意按审查意见作出裁决"},
            )  # fmt: skip
        step(s, case_id, "approve_decision", "2026-09-21", {"result": "approved", "reasons": "同意"})
        step(s, case_id, "decide", "2026-09-30", decision)
        ids = _ids(s, case_id)
        principals = ids.get("applicant", []) + ids.get("respondent", []) + ids.get("third_party", [])
        step(s, case_id, "serve_decision", "2026-10-09", {"parties": principals, "method": "in_person"})


def _prepare(s: Session, case_id: str, *, reply_on: str = "2026-08-20") -> dict[str, list[str]]:
    ids = _ids(s, case_id)
    principals = ids.get("applicant", []) + ids.get("respondent", []) + ids.get("third_party", [])
    step(s, case_id, "accept", "2026-08-05")
    step(s, case_id, "serve_copy", "2026-08-07", {"parties": ids["respondent"], "method": "post"})
    step(s, case_id, "receive_reply", reply_on, {"party": ids["respondent"][0], "summary": "答辩要点"})
    step(s, case_id, "disclose_conflicts", "2026-08-21", {"has_conflict": False})
    step(s, case_id, "issue_rights_notice", "2026-08-21")
    step(s, case_id, "acknowledge_rights_notice", "2026-08-21", {"parties": principals, "method": "signature"})
    return ids


LAND_POINTS = [
    {
        "point": "争议地块的使用权是否归申请人",
        "finding": "经查，申请人自1998年起在争议地块耕种至今，村民小组于2001年出具了证明。",
        "evidence": ["1. 村民小组证明", "2. 证人黄某的证言", "现场勘验笔录"],
        "reasoning": "本机关认为，申请人长期、公开、持续使用争议地块，且有村民小组证明印证，应当认定其使用权。",
    },
    {
        "point": "被申请人持有的承包合同能否证明其权利",
        "finding": "承包合同所附四至与争议地块不一致。",
        "evidence": ["承包合同及附图"],
        "reasoning": "承包合同四至与争议地块不符，不能证明被申请人对争议地块享有使用权。",
    },
]
LAND_DECISION = {
    "cause": "土地使用权权属争议",
    "claims": "申请人请求：1. 确认争议地块的集体土地使用权归申请人所有",
    "applicant_facts_and_reasons": "申请人称：申请人自1998年起一直在争议地块耕种，有村委会证明为据。",
    "respondent_facts_and_reasons": "被申请人辩称：争议地块系被申请人的承包地，有承包合同为据。",
    "third_party_statement": THIRD_POSITION,
    "facts_found": "经审理查明：争议地块位于坪山区坑梓街道某村，面积约1.2亩。",
    "law_applied": "依照《中华人民共和国土地管理法》第十四条、《广东省土地权属纠纷处理条例》第十六条之规定",
    "decision_text": "一、争议地块的集体土地使用权归申请人王𠮷所有；\n"
    "二、被申请人应于本裁决生效之日起三十日内退出争议地块。",
}


def land_case(ws: Workspace) -> str:
    """PS-CJ-001 with an organisation respondent (法定代表人), its agent with special authority, a third party."""
    staff(ws, UNITS["PS-CJ-001"])
    intake = {
        "matter": "PS-CJ-001",
        "received_on": "2026-08-03",
        "summary": "土地使用权权属争议",
        "facts": "争议地块位于坪山区坑梓街道某村，双方均主张使用权。",
        "claims": "请求确认争议地块的集体土地使用权归申请人所有。",
        "parties": [
            person("applicant", APPLICANT, phone="13912345678"),
            organization("respondent", COMPANY, legal_representative=LEGAL_REP, representative_title="法定代表人",
                         address="深圳市坪山区坑梓街道某村1号"),
            person("third_party", THIRD, id_number=RESPONDENT_ID),
            person("agent", AGENT, id_number=AGENT_ID, represents=1, power_of_attorney="特别授权",
                   authority="special", authority_scope=AGENT_SCOPE),
        ],
    }  # fmt: skip
    with ws.unlock(*MEDIATOR) as s:
        case = s.cases.create(intake)
        ids = _prepare(s, case.id)
        step(s, case.id, "attempt_mediation", "2026-08-28", {"result": "failed"})
        step(s, case.id, "hold_hearing", "2026-09-10", {"summary": "质证", "present": ids["applicant"]})
        for point in LAND_POINTS:
            step(s, case.id, "record_contested_point", "2026-09-11", point)
    _review_approve_decide(ws, case.id, LAND_DECISION, discuss=True)
    return case.id


PATENT_DECISION = {
    "cause": "发明专利侵权纠纷",
    "claims": "责令被请求人停止侵犯ZL2020XXXXXXXX.X号发明专利权的行为",
    "applicant_facts_and_reasons": "被请求人制造、销售的产品落入请求人专利权的保护范围。",
    "respondent_facts_and_reasons": "被请求人称：被控产品使用的是现有技术。",
    "law_applied": "《中华人民共和国专利法》第十一条、第六十五条",
    "decision_text": "被请求人立即停止制造、销售被控侵权产品。",
}


def patent_case(ws: Workspace) -> str:
    """PS-CJ-003: 请求人/被请求人, a 处理决定书."""
    staff(ws, UNITS["PS-CJ-003"])
    intake = {
        "matter": "PS-CJ-003",
        "received_on": "2026-08-03",
        "summary": "发明专利侵权纠纷",
        "facts": "请求人称被请求人制造、销售的产品侵犯其发明专利权。",
        "claims": "责令被请求人停止侵权行为。",
        "parties": [
            organization(
                "applicant",
                "深圳市某某科技有限公司",
                legal_representative="吴某",
                phone="075528881234",
                address="坪山区某路2号",
            ),
            organization(
                "respondent",
                "深圳市某某电子有限公司",
                id_number=OTHER_COMPANY_ID,
                legal_representative="郑某",
                address="坪山区某路3号",
            ),
        ],
    }
    with ws.unlock(*MEDIATOR) as s:
        case = s.cases.create(intake)
        ids = _prepare(s, case.id, reply_on="2026-08-19")
        step(s, case.id, "attempt_mediation", "2026-08-28", {"result": "refused"})
        step(s, case.id, "hold_hearing", "2026-09-10", {"summary": "口头审理", "present": ids["applicant"]})
        step(
            s, case.id, "record_contested_point", "2026-09-11",
            {"point": "被控产品是否落入专利权的保护范围", "finding": "被控产品具备权利要求1的全部技术特征。",
             "evidence": ["专利证书", "公证购买的被控产品", "技术比对表"],
             "reasoning": "被控产品落入专利权的保护范围，被请求人的现有技术抗辩不能成立。"},
        )  # fmt: skip
    _review_approve_decide(ws, case.id, PATENT_DECISION, discuss=False)
    return case.id


PROCUREMENT_DECISION = {
    "cause": "政府采购投诉",
    "claims": "认定中标结果无效",
    "applicant_facts_and_reasons": "中标供应商的业绩证明材料不真实。",
    "respondent_facts_and_reasons": "评标委员会依照招标文件评审，中标结果合法。",
    "law_applied": "《政府采购质疑和投诉办法》（财政部令第94号）第二十九条",
    "decision_text": "投诉事项缺乏事实依据，驳回投诉。",
}


def procurement_case(ws: Workspace) -> str:
    """PS-CJ-004: 投诉人/被投诉人, a 投诉处理决定书; reviewed in writing, without mediation or hearing."""
    staff(ws, UNITS["PS-CJ-004"])
    intake = {
        "matter": "PS-CJ-004",
        "received_on": "2026-08-03",
        "summary": "政府采购投诉",
        "facts": "投诉人对某采购项目的中标结果提出投诉。",
        "claims": "认定中标结果无效。",
        "parties": [
            organization("applicant", "深圳市某某服务有限公司", legal_representative="冯某", phone="075528881234",
                         address="坪山区某路5号"),
            organization("respondent", "深圳市坪山区某某学校", id_number=OTHER_COMPANY_ID, legal_representative="蒋某",
                         representative_title="负责人", address="坪山区某路6号"),
        ],
    }  # fmt: skip
    with ws.unlock(*MEDIATOR) as s:
        case = s.cases.create(intake)
        _prepare(s, case.id, reply_on="2026-08-10")
        step(
            s, case.id, "record_contested_point", "2026-08-24",
            {"point": "中标供应商的业绩证明材料是否真实", "finding": "业绩合同经向合同相对方核实，真实有效。",
             "evidence": ["业绩合同", "合同相对方的书面回复"],
             "reasoning": "投诉人关于业绩材料不真实的主张缺乏事实依据。"},
        )  # fmt: skip
    _review_approve_decide(ws, case.id, PROCUREMENT_DECISION, discuss=False)
    return case.id


FOREST_UNIT = "PS-JD-KZ"
FOREST_ISSUER = "深圳市坪山区坑梓街道办事处"
FOREST_DECISION = {
    "cause": "林地使用权权属争议",
    "claims": "确认争议林地的使用权归申请人所有",
    "applicant_facts_and_reasons": "申请人自1995年起在争议林地种植荔枝树并管护至今。",
    "respondent_facts_and_reasons": "被申请人称：争议林地由其父亲生前管护，应由其继续使用。",
    "law_applied": "依照《广东省林木林地权属争议调解处理条例》第二十四条、第四十条之规定",
    "decision_text": "争议林地（坑梓街道某村后山，约0.8亩）的使用权归申请人王𠮷所有。",
}
FOREST_POINT = {
    "point": "争议林地的使用权归属",
    "finding": "申请人自1995年起在争议林地种植并管护荔枝树，村民小组出具了证明；被申请人未能提供其父亲管护的凭证。",
    "evidence": ["村民小组证明", "现场勘验笔录及争议界线图"],
    "reasoning": "申请人长期、公开管护争议林地，有村民小组证明和现场勘验印证，其使用权应予确认。",
}


def forest_case(ws: Workspace) -> str:
    """PS-CJ-002 between two villagers, handled and decided by the street office (林木林地条例 第二十四条): a public
    notice of acceptance, the reply, a failed mediation, a major decision (collective discussion, approval)."""
    staff(ws, FOREST_UNIT)
    intake = {
        "matter": "PS-CJ-002",
        "received_on": "2026-03-02",
        "summary": "林地使用权权属争议",
        "facts": "争议林地位于坑梓街道某村后山，双方均主张使用权。",
        "claims": "请求确认争议林地的使用权归申请人所有。",
        "parties": [
            person("applicant", APPLICANT, phone="13912345678"),
            person("respondent", "张䶮", id_number=RESPONDENT_ID, phone="13800002222", address="坪山区坑梓街道"),
        ],
    }
    with ws.unlock(*MEDIATOR) as s:
        case = s.cases.create(intake)
        ids = _ids(s, case.id)
        principals = ids["applicant"] + ids["respondent"]
        step(s, case.id, "accept", "2026-03-20")
        step(s, case.id, "publish_acceptance_notice", "2026-03-23", {"note": "坑梓街道某村后山，约0.8亩"})
        step(s, case.id, "serve_copy", "2026-04-30", {"parties": ids["respondent"], "method": "post"})
        step(s, case.id, "receive_reply", "2026-05-20", {"party": ids["respondent"][0], "summary": "答辩要点"})
        step(s, case.id, "disclose_conflicts", "2026-05-21", {"has_conflict": False})
        step(s, case.id, "issue_rights_notice", "2026-05-21")
        step(s, case.id, "acknowledge_rights_notice", "2026-05-21", {"parties": principals, "method": "signature"})
        step(s, case.id, "attempt_mediation", "2026-06-01", {"result": "failed"})
        step(s, case.id, "hold_hearing", "2026-06-10", {"summary": "质证", "present": principals})
        step(s, case.id, "record_contested_point", "2026-06-11", FOREST_POINT)
    _review_approve_decide(ws, case.id, FOREST_DECISION, discuss=True)
    return case.id
