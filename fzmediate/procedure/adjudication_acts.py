"""The acts of ``adjudication.standard`` from the contested points to the decision, as procedure data.

争议焦点 (each point with the facts found, the evidence relied on and the reasoning, recorded before the review
so that the review examines the reasons the decision will give) → 合法性、合理性审查 (法制审核: a legally
qualified supervisor who performed no handling act in the case) → 集体讨论 (for a matter the catalogue marks
major) → 负责人审批 (by someone who neither handled nor reviewed the case) → 作出裁决 (by a supervisor or
administrator, once approved). Sources: 国办发〔2018〕118号 (法制审核, 集体讨论 of major decisions), 行政处罚法
第五十七、五十八条 by analogy, 深圳条例 第五十八条 (mediate first), 广东省土地权属纠纷处理条例 第十七条 (what the
decision states); the readings chosen are listed in docs/legal-review.md.
"""

from __future__ import annotations

from typing import Any

from fzmediate.procedure.standard_parts import APPROVERS, NOTE, act, field


def contested_point_act(where: list[str]) -> dict[str, Any]:
    """争议焦点: each contested point with the facts found, the evidence relied on and the body's reasoning.

    Recorded before the review, so that the review examines the reasons the decision will give; a point
    recorded again (same wording) replaces the earlier one.
    """
    return act(
        "record_contested_point",
        "归纳争议焦点及认定意见",
        where,
        repeatable=True,
        payload=[
            field("point", "text", "争议焦点", required=True),
            field("finding", "text", "查明的事实", required=True),
            field("evidence", "text_list", "证据", required=True),
            field("reasoning", "text", "本机关认为（理由）", required=True),
        ],
    )


def review_act(where: list[str]) -> dict[str, Any]:
    """合法性、合理性审查 (法制审核): by a legally qualified supervisor who did no handling act in the case."""
    return act(
        "review",
        "合法性、合理性审查",
        where,
        roles=APPROVERS,
        repeatable=True,
        requires_legally_qualified=True,
        requires_different_actor_from=REVIEW_EXCLUDES,
        guards=[
            "mediation_attempted_first",
            "hearing_held",
            "reply_received_or_period_expired",
            "contested_points_recorded",
            "reviewer_not_handler",
            "written_reasons",
        ],
        payload=[
            field("result", "choice", "审查结论", required=True, choices=["approved", "returned"]),
            field("reasons", "text", "审查意见"),
        ],
        outcomes={"field": "result", "targets": {"approved": "reviewed", "returned": "returned"}},
    )


def collective_discussion_act() -> dict[str, Any]:
    """集体讨论 of a major decision, after the review and before the approval (国办发〔2018〕118号)."""
    return act(
        "record_collective_discussion",
        "集体讨论",
        ["reviewed"],
        roles=APPROVERS,
        repeatable=True,
        guards=["collective_discussion_dated"],
        payload=[
            field("held_on", "date", "会议日期", required=True),
            field("participants", "text_list", "参加人员", required=True),
            field("conclusion", "text", "讨论结论", required=True),
            NOTE,
        ],
    )


def approval_act() -> dict[str, Any]:
    """负责人审批: the head approves after the review (and the discussion of a major decision)."""
    return act(
        "approve_decision",
        "负责人审批",
        ["reviewed"],
        roles=APPROVERS,
        requires_different_actor_from=[*REVIEW_EXCLUDES, "review"],
        repeatable=True,
        guards=[
            "approving_review",
            "contested_points_recorded",
            "collective_discussion_if_major",
            "approver_not_handler",
        ],
        payload=[
            field("result", "choice", "审批结论", required=True, choices=["approved", "returned"]),
            field("reasons", "text", "审批意见", required=True),
        ],
        outcomes={"field": "result", "targets": {"approved": "approved", "returned": "returned"}},
    )


def decide_act() -> dict[str, Any]:
    """作出裁决: issued by a supervisor or administrator once approved; the reasons are the contested points."""
    return act(
        "decide",
        "作出裁决",
        ["approved"],
        to="decided",
        roles=APPROVERS,
        guards=[
            "approving_review",
            "decision_approved",
            "collective_discussion_if_major",
            "contested_points_recorded",
            "third_party_position_stated",
            "articles_from_catalogue",
            "decision_states_remedies",
            "rights_acknowledged_by_all",
        ],
        states_remedies=True,
        payload=[
            field("cause", "text", "案由"),
            field("claims", "text", "申请人的请求", required=True),
            field("applicant_facts_and_reasons", "text", "申请人的事实和理由", required=True),
            field("respondent_facts_and_reasons", "text", "被申请人的答辩意见", required=True),
            field("third_party_statement", "text", "第三人的意见"),
            field("facts_found", "text", "其他查明的事实"),
            field("law_applied", "text", "适用的法律依据", required=True),
            field("decision_text", "text", "裁决结果", required=True),
        ],
    )


#: The acts whose actor may not review (nor approve): every act of handling the case that can come before
#: the review. Registration and the assigned handler are excluded by the guard ``reviewer_not_handler``.
REVIEW_EXCLUDES = [
    "accept",
    "declare_complex",
    "refuse",
    "transfer",
    "withdraw",
    "publish_acceptance_notice",
    "serve_copy",
    "receive_reply",
    "disclose_conflicts",
    "request_recusal",
    "issue_rights_notice",
    "acknowledge_rights_notice",
    "collect_evidence",
    "hold_hearing",
    "attempt_mediation",
    "record_agreement",
    "record_contested_point",
    "extend_period",
    "suspend",
    "resume",
]
