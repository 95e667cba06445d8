"""The two standard procedures, ``mediation.standard`` (行政调解) and ``adjudication.standard`` (行政裁决).

They are plain data (what goes into the signed bundle) built by small helpers so the legal structure
stays readable. Time-limit names are exactly those the Pingshan matters use
(``resources/catalogue/source/pingshan.json``); a limit a matter lacks is simply not tracked for it.
Where one name starts differently for some matters (the 15-day labour mediation period runs from receipt,
a procurement complaint's service and decision periods from receipt, the forest-land periods chain one
after the other), a deadline entry restricted to those matter codes says so.

Legal sources, by step (see reference/mission.md §1):

- transfer within 3 working days, acceptance decision within 5 (10 if complex), written refusal with
  reasons: 深圳条例 第四十五、四十六条;
- other party's consent, no mediation if one party refuses: 深圳条例 第二十一条;
- conflict disclosure and recusal on a party's request: 深圳条例 第二十三条;
- notice of rights before mediating: the matter's citation table (条例 第二十一、二十三、二十四条: refusal, recusal,
  confidentiality);
- mediation period 30 days unless agreed, extension only with the parties' consent: 深圳条例 第二十五条;
- partial agreements: 第二十六条; termination grounds: 第二十八条; undisputed facts: 第七十三条;
- the agreement in writing, signed and sealed: 条例 第二十六条; 司法确认: 条例 第七十一条 and 民事诉讼法 第二百零五条
  (within 30 days of the agreement taking effect);
- follow-up (回访) and the case file: 条例 第二十七条 (performance, 督促履行), the 卷宗 template;
- adjudication mediates first and ends in a 调解书 or a decision: 深圳条例 第五十八、五十九条;
- service, reply, decision periods and decision contents: 广东省土地权属纠纷处理条例, 广东省林木林地权属争议
  调解处理条例 (the decision states the remedy route and deadline), 政府采购质疑和投诉办法, 专利行政执法办法;
- the contested points, the review (法制审核), the collective discussion of a major decision and the head's
  approval before the decision: 国办发〔2018〕118号 by analogy (see :mod:`adjudication_acts`).
"""

from __future__ import annotations

from typing import Any

from fzmediate.procedure.adjudication_acts import (
    approval_act,
    collective_discussion_act,
    contested_point_act,
    decide_act,
    review_act,
)
from fzmediate.procedure.guards import TERMINATION_GROUNDS
from fzmediate.procedure.guards_archive import with_archive_gate
from fzmediate.procedure.standard_parts import (
    APPROVERS,
    BEFORE_MEETING,
    NOTE,
    REASONS,
    SERVICE_METHODS,
    act,
    agents_field,
    agreement_payload,
    deadline,
    ending_acts,
    field,
    intake_acts,
    recusal_acts,
    rights_acts,
    states,
    suspension_acts,
)

MEDIATION_ID = "mediation.standard"
ADJUDICATION_ID = "adjudication.standard"


def mediation_standard() -> dict[str, Any]:
    """行政调解: application → acceptance → consent → disclosure, notice of rights → sessions → agreement
    (follow-up, 司法确认 reminder) or termination (undisputed facts, notice) → close → archive."""
    live = ["accepted", "in_mediation"]
    meeting = ["consent_of_all_respondents", *BEFORE_MEETING, "within_mediation_period"]
    actions = [
        *intake_acts(["registered"]),
        act(
            "record_consent",
            "征求对方当事人意见",
            ["accepted"],
            repeatable=True,
            guards=["agents_have_authority"],
            payload=[
                field("party", "party", "被申请人", required=True, party_roles=["respondent"]),
                field("consent", "choice", "是否同意调解", required=True, choices=["agreed", "refused"]),
                NOTE,
                agents_field("代为表示意见的委托代理人（特别授权）"),
            ],
            outcomes={"field": "consent", "targets": {"agreed": "accepted", "refused": "consent_refused"}},
        ),
        *recusal_acts(live, mandatory=True),
        *rights_acts(live),
        act(
            "hold_session",
            "调解",
            live,
            to="in_mediation",
            repeatable=True,
            guards=[*meeting, "agents_of_case"],
            payload=[
                field("summary", "text", "调解记录摘要"),
                field("present", "parties", "到场当事人"),
                agents_field("到场的委托代理人"),
            ],
        ),
        act(
            "extend_period",
            "延长调解期限",
            live,
            roles=APPROVERS,
            repeatable=True,
            extends=["mediation_period"],
            guards=[
                "extension_consent_of_all",
                "extension_before_due",
                "extension_within_limit",
                "agents_have_authority",
            ],
            payload=[
                field("consenting_parties", "parties", "同意延期的当事人"),
                agents_field("代为同意的委托代理人（特别授权）"),
                field("extend_by", "integer", "延长期限", minimum=1),
                REASONS,
            ],
        ),
        act(
            "record_undisputed_facts",
            "记载无争议事实",
            ["in_mediation"],
            repeatable=True,
            guards=["undisputed_facts_complete", "agents_have_authority"],
            payload=[
                field("facts", "text", "无争议事实"),
                field("signed_by", "parties", "签字确认的当事人"),
                agents_field("代为签字的委托代理人（特别授权）"),
                field("declined", "boolean", "当事人不同意记载或拒绝签字"),
                NOTE,
            ],
        ),
        # The agreement is drafted and printed for signing first; the signatures are then recorded from the
        # signed paper, referencing the draft (from_draft) instead of typing the terms again.
        act(
            "draft_agreement",
            "拟定调解协议（供签署）",
            ["in_mediation"],
            repeatable=True,
            guards=[*meeting, "agreement_contents"],
            payload=[f for f in agreement_payload() if f["field"] not in ("signed_by", "agents")],
        ),
        act(
            "record_agreement",
            "达成调解协议",
            ["in_mediation"],
            to="agreed",
            guards=[*meeting, "agreement_contents", "agreement_signed_by_all", "agents_have_authority"],
            payload=[*agreement_payload(), field("from_draft", "boolean", "按已打印的协议草稿签署")],
        ),
        act(
            "remind_judicial_confirmation",
            "告知申请司法确认",
            ["agreed"],
            guards=["agreement_recorded"],
            owed_after=["record_agreement"],
            payload=[field("parties", "parties", "已告知的当事人"), field("court", "text", "管辖法院"), NOTE],
        ),
        act(
            "record_judicial_confirmation",
            "登记司法确认情况",
            ["agreed"],
            repeatable=True,
            guards=["agreement_recorded"],
            payload=[
                field("result", "choice", "情况", required=True, choices=["applied", "confirmed", "rejected"]),
                field("court", "text", "法院"),
                NOTE,
            ],
        ),
        act(
            "follow_up",
            "回访",
            ["agreed"],
            repeatable=True,
            guards=["agreement_recorded"],
            owed_after=["record_agreement"],
            payload=[
                field(
                    "performance",
                    "choice",
                    "履行情况",
                    required=True,
                    choices=["performed", "partly_performed", "not_performed"],
                ),
                NOTE,
            ],
        ),
        act(
            "terminate",
            "终止调解",
            ["accepted", "in_mediation", "consent_refused", "suspended"],
            to="terminated",
            guards=["statutory_ground", "written_reasons", "undisputed_facts_before_termination"],
            payload=[
                field("ground", "choice", "终止事由", required=True, choices=list(TERMINATION_GROUNDS)),
                REASONS,
                field("facts_declined", "boolean", "当事人不同意记载无争议事实"),
                field("facts_declined_note", "text", "说明"),
            ],
        ),
        act(
            "issue_termination_notice",
            "送达终止调解通知书",
            ["terminated"],
            owed_after=["terminate"],
            payload=[field("parties", "parties", "送达的当事人"), NOTE],
        ),
        *suspension_acts(live),
        *with_archive_gate(ending_acts(["agreed", "terminated", "not_accepted", "transferred", "withdrawn"])),
    ]
    ends = ["close", "archive"]
    deadlines = [
        # Owed only for a dispute outside the remit (条例 第四十五条), hence conditional.
        deadline(
            "transfer",
            starts_after_action=["register"],
            met_by_actions=["transfer"],
            conditional=True,
            stopped_by_actions=["accept", "refuse", "withdraw", *ends],
        ),
        deadline(
            "acceptance",
            starts_after_action=["register"],
            met_by_actions=["accept", "refuse"],
            stopped_by_actions=["transfer", "withdraw", *ends],
        ),
        deadline(
            "mediation_period",
            starts_after_action=["accept"],
            met_by_actions=["record_agreement"],
            stopped_by_actions=["terminate", *ends],
        ),
        # 劳动争议调解仲裁法 第十四条: 15 days from the day the application was received.
        deadline(
            "mediation_period",
            matters=["PS-TJ-005"],
            starts_after_action=["register"],
            met_by_actions=["record_agreement"],
            stopped_by_actions=["refuse", "transfer", "withdraw", "terminate", *ends],
        ),
        # 治安调解: the case-handling period, and a second session within 7 working days of the first.
        deadline(
            "case_handling",
            starts_after_action=["accept"],
            met_by_actions=["record_agreement", "terminate"],
            stopped_by_actions=ends,
        ),
        deadline(
            "second_mediation",
            starts_after_action=["hold_session"],
            met_by_actions=["hold_session", "record_agreement"],
            stopped_by_actions=["terminate", *ends],
        ),
        deadline(
            "judicial_confirmation",
            starts_after_action=["record_agreement"],
            met_by_actions=["record_judicial_confirmation"],
            stopped_by_actions=["archive"],
        ),
    ]
    return {
        "id": MEDIATION_ID,
        "kind": "mediation",
        "title": "行政调解标准程序",
        "description": "申请、受理、征求意见、披露与告知、调解、协议或终止、回访、结案归档。",
        "initial_state": "registered",
        "terminal_states": ["archived"],
        "states": states(
            [
                ("registered", "已登记"),
                ("accepted", "已受理"),
                ("consent_refused", "对方当事人拒绝调解"),
                ("in_mediation", "调解中"),
                ("agreed", "已达成调解协议"),
                ("terminated", "调解终止"),
                ("not_accepted", "不予受理"),
                ("transferred", "已移送"),
                ("withdrawn", "已撤回申请"),
                ("suspended", "中止"),
                ("closed", "已结案"),
                ("archived", "已归档"),
            ]
        ),
        "actions": actions,
        "deadlines": deadlines,
        "sources": [
            "《深圳经济特区矛盾纠纷多元化解条例》第二十一条、第二十三条至第二十八条、第四十三条至第四十七条、"
            "第七十一条至第七十三条",
            "《中华人民共和国民事诉讼法》第二百零五条",
        ],
    }


def adjudication_standard() -> dict[str, Any]:
    """行政裁决: acceptance → copy served, reply → notice of rights, evidence, hearing → mediation first →
    调解书, or review by a different legally qualified supervisor → decision stating remedies → service."""
    working = ["accepted", "served", "mediation_agreed", "mediation_failed", "returned"]
    running = [*working, "reviewed", "approved"]
    # Where the case is investigated (again, after a review or approval sent it back).
    handling = ["served", "mediation_failed", "returned"]
    actions = [
        *intake_acts(["registered", *running, "suspended"]),
        act("publish_acceptance_notice", "发布受理公告", ["accepted"], payload=[NOTE]),
        act(
            "serve_copy",
            "向被申请人送达申请书副本",
            ["accepted"],
            to="served",
            guards=["copy_served_on_all_respondents"],
            payload=[
                field("parties", "parties", "受送达人", required=True, party_roles=["respondent"]),
                field("method", "choice", "送达方式", required=True, choices=SERVICE_METHODS),
            ],
        ),
        act(
            "receive_reply",
            "收到答复",
            ["served", "mediation_agreed", "mediation_failed", "returned"],
            repeatable=True,
            payload=[
                field("party", "party", "答复人", required=True, party_roles=["respondent"]),
                field("summary", "text", "答复要点"),
                field("counterclaim", "boolean", "提出反请求"),
            ],
        ),
        *recusal_acts(working, mandatory=False),
        *rights_acts(working),
        act(
            "collect_evidence",
            "举证、调查取证",
            handling,
            repeatable=True,
            payload=[
                field("description", "text", "证据或调查内容", required=True),
                field("submitted_by", "party", "提交人"),
            ],
        ),
        act(
            "hold_hearing",
            "听证（听取意见、质证）",
            handling,
            repeatable=True,
            guards=[*BEFORE_MEETING, "reply_received_or_period_expired"],
            payload=[field("summary", "text", "笔录摘要"), field("present", "parties", "到场当事人")],
        ),
        act(
            "attempt_mediation",
            "先行调解",
            ["served", "mediation_agreed"],
            repeatable=True,
            guards=[*BEFORE_MEETING, "reply_received_or_period_expired"],
            payload=[
                field("result", "choice", "调解结果", required=True, choices=["agreed", "failed", "refused"]),
                NOTE,
            ],
            outcomes={
                "field": "result",
                "targets": {"agreed": "mediation_agreed", "failed": "mediation_failed", "refused": "mediation_failed"},
            },
        ),
        act(
            "record_agreement",
            "制作调解书",
            ["mediation_agreed"],
            to="agreed",
            guards=[*BEFORE_MEETING, "agreement_contents", "agreement_signed_by_all", "agents_have_authority"],
            payload=agreement_payload(),
        ),
        contested_point_act(handling),
        review_act(handling),
        collective_discussion_act(),
        approval_act(),
        decide_act(),
        act(
            "serve_decision",
            "送达裁决书",
            ["decided"],
            to="decision_served",
            guards=["served_on_all_parties"],
            payload=[
                field("parties", "parties", "受送达人", required=True),
                field("method", "choice", "送达方式", required=True, choices=SERVICE_METHODS),
            ],
        ),
        act(
            "extend_period",
            "延长期限",
            running,
            roles=APPROVERS,
            repeatable=True,
            extends=["decision", "mediation_period"],
            guards=["written_reasons", "extension_before_due", "extension_within_limit"],
            payload=[
                field("time_limit", "time_limit", "延长的期限", required=True),
                field("extend_by", "integer", "延长期限", minimum=1),
                REASONS,
                field("approval_ref", "text", "批准或报告文号"),
            ],
        ),
        *suspension_acts(running),
        *with_archive_gate(ending_acts(["decision_served", "agreed", "not_accepted", "transferred", "withdrawn"])),
    ]
    ends = ["close", "archive"]
    early_end = ["refuse", "transfer", "withdraw", *ends]
    deadlines = [
        deadline(
            "acceptance",
            starts_after_action=["register"],
            met_by_actions=["accept", "refuse"],
            stopped_by_actions=["transfer", "withdraw", *ends],
        ),
        deadline(
            "public_notice",
            starts_after_action=["publish_acceptance_notice"],
            waiting_period=True,
            stopped_by_actions=["withdraw", *ends],
        ),
        deadline(
            "service",
            starts_after_action=["accept"],
            met_by_actions=["serve_copy"],
            stopped_by_actions=["withdraw", *ends],
        ),
        # 政府采购质疑和投诉办法 第二十一条: 8 working days from receipt of the complaint.
        deadline(
            "service",
            matters=["PS-CJ-004"],
            starts_after_action=["register"],
            met_by_actions=["serve_copy"],
            stopped_by_actions=early_end,
        ),
        # 林木林地条例 第三十二条: 15 days after the 30-day public notice ends.
        deadline(
            "service",
            matters=["PS-CJ-002"],
            starts_at_end_of="public_notice",
            met_by_actions=["serve_copy"],
            stopped_by_actions=["withdraw", *ends],
        ),
        deadline(
            "reply",
            starts_after_action=["serve_copy"],
            met_by_actions=["receive_reply"],
            stopped_by_actions=["withdraw", "record_agreement", *ends],
        ),
        # 林木林地条例 第三十五条: from the written reply, or from the end of the reply period.
        deadline(
            "mediation_period",
            starts_after_action=["receive_reply"],
            starts_at_end_of="reply",
            met_by_actions=["attempt_mediation"],
            stopped_by_actions=["withdraw", *ends],
        ),
        deadline(
            "decision",
            starts_after_action=["accept"],
            met_by_actions=["decide"],
            stopped_by_actions=["record_agreement", "withdraw", *ends],
        ),
        # 政府采购法 第五十六条: 30 working days from receipt of the complaint.
        deadline(
            "decision",
            matters=["PS-CJ-004"],
            starts_after_action=["register"],
            met_by_actions=["decide"],
            stopped_by_actions=["record_agreement", *early_end],
        ),
        # 林木林地条例 第四十条第二款: 6 months from the end of the mediation period.
        deadline(
            "decision",
            matters=["PS-CJ-002"],
            starts_at_end_of="mediation_period",
            met_by_actions=["decide"],
            stopped_by_actions=["record_agreement", "withdraw", *ends],
        ),
    ]
    return {
        "id": ADJUDICATION_ID,
        "kind": "adjudication",
        "title": "行政裁决标准程序",
        "description": "申请、受理、送达副本、答复、告知、举证与听证、先行调解、争议焦点与认定意见、"
        "合法性合理性审查、集体讨论（重大案件）、负责人审批、裁决、送达、结案归档。",
        "initial_state": "registered",
        "terminal_states": ["archived"],
        "states": states(
            [
                ("registered", "已登记"),
                ("accepted", "已受理"),
                ("served", "已送达申请书副本"),
                ("mediation_agreed", "调解达成一致"),
                ("mediation_failed", "调解不成"),
                ("returned", "退回补充调查"),
                ("reviewed", "审查通过"),
                ("approved", "负责人已批准"),
                ("decided", "已作出裁决"),
                ("decision_served", "裁决书已送达"),
                ("agreed", "已制作调解书"),
                ("not_accepted", "不予受理"),
                ("transferred", "已移送"),
                ("withdrawn", "已撤回申请"),
                ("suspended", "中止"),
                ("closed", "已结案"),
                ("archived", "已归档"),
            ]
        ),
        "actions": actions,
        "deadlines": deadlines,
        "sources": [
            "《深圳经济特区矛盾纠纷多元化解条例》第二十三条、第五十七条至第五十九条",
            "《广东省土地权属纠纷处理条例》",
            "《广东省林木林地权属争议调解处理条例》",
            "《中华人民共和国政府采购法》第五十五条至第五十八条；《政府采购质疑和投诉办法》",
            "《中华人民共和国行政复议法》第二十条；《中华人民共和国行政诉讼法》第四十五条、第四十六条",
            "《国务院办公厅关于全面推行行政执法公示制度执法全过程记录制度重大执法决定法制审核制度的指导意见》"
            "（国办发〔2018〕118号）（参照）",
        ],
    }


def standard_definitions() -> list[dict[str, Any]]:
    """Both standard procedures as JSON-able data, in the shape ``load_definitions`` validates."""
    # Imported here: the variants are built from this module's mediation_standard().
    from fzmediate.procedure.variants import variant_definitions

    return [mediation_standard(), adjudication_standard(), *variant_definitions()]
