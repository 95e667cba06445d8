"""Mediation documents: 征求意见书, 权利义务告知书, 无争议事实确认书 and 终止调解通知书; the agreement (调解协议书 /
调解书) and the 司法确认 application are made in `fzmediate.documents.templates.mediation_agreement` and
re-exported here.

行政调解 rests on its own law, and every provision these documents print comes from the matter's citation table
in the signed catalogue (`fzmediate.documents.templates.citations`): 深圳经济特区矛盾纠纷多元化解条例 第三条 and
第二十一条 (voluntary; no mediation if one party clearly refuses), 第二十三条 (disclosure and recusal), 第二十四条
(confidentiality), 第二十五条 (the period; it ends unless all agree to extend), 第二十六、二十七条 (the agreement
and its binding force), 第二十八条 (termination grounds), 第四十五、四十六条 (transfer, acceptance), 第七十一条 with
民事诉讼法 第二百零五条 (司法确认), 第七十三条 (undisputed facts). Matters with their own rules add their
statements when their table gives the purpose: 治安管理处罚法 第九条 (``penalty``), 劳动争议调解仲裁法 第十四条第三款
and 第二十七条 (``arbitration``, ``limitation_interrupted``), 公安部令第146号 (``joint_application``,
``mediation_document``).
"""

from __future__ import annotations

from fzmediate.documents.model import (
    Blank,
    Block,
    Clauses,
    DateSeal,
    DocumentSpec,
    Heading,
    KeyValues,
    PageBreak,
    Paragraph,
    Signatory,
    Signatures,
)
from fzmediate.documents.templates.citations import cite, cited
from fzmediate.documents.templates.common import (
    ROLE_WORDS,
    YOU,
    CaseContext,
    addressees,
    case_line,
    date_text,
    dispute_words,
    due_text,
    first_on,
    limit_text,
    lines_of,
    paragraphs,
    party_blocks,
    sentence,
)
from fzmediate.documents.templates.mediation_agreement import (
    agreement_case_spec,
    agreement_data_of,
    judicial_confirmation_spec,
    mediator_of,
    penalty_sentences,
    signatories_of,
)
from fzmediate.domain.case import CaseEvent, PartyRole

__all__ = [
    "agreement_case_spec",
    "agreement_data_of",
    "consent_request_spec",
    "judicial_confirmation_spec",
    "rights_notice_spec",
    "termination_notice_spec",
    "undisputed_facts_spec",
]

#: 条例 第二十八条 grounds and the end of the period (第二十五条第二款): what happened, and the citation purpose.
GROUNDS = {
    "withdrawal_or_refusal": ("当事人撤回调解申请或者明确表示不再接受调解", "termination"),
    "concealment_or_false_information_or_delay": (
        "当事人隐瞒重要事实、提供虚假情况或者故意拖延时间",
        "termination",
    ),
    "collusion_against_public_or_third_party": (
        "当事人可能存在恶意串通，损害公共利益或者第三人合法权益",
        "termination",
    ),
    "cannot_proceed": ("调解活动难以进行", "termination"),
    "period_expired_without_extension": (
        "调解期限届满未达成调解协议，且当事人未同意延期调解",
        "period_expired",
    ),
}


#: How the notice names the mediation of a matter with its own procedure.
_MEDIATION_WORDS = {
    "mediation.labour": "劳动争议调解",
    "mediation.public_security": "治安调解",
    "mediation.traffic": "道路交通事故损害赔偿调解",
}


def _party_limits(ctx: CaseContext) -> list[str]:
    """The parties' own time limits of the matter other than 司法确认 (e.g. the 1-year labour arbitration time
    limit), each as a sentence."""
    return [
        "{0}为{1}，自{2}起计算（{3}）。".format(t.label, limit_text(t), t.starts_from, t.basis)
        for t in ctx.matter.time_limits
        if t.applies_to == "party" and t.name not in ("judicial_confirmation", "application")
    ]


def labour_sentences(ctx: CaseContext) -> list[str]:
    """劳动争议: the 15-day rule (第十四条第三款) and the interrupted limitation period (第二十七条第二款), when the
    matter's table cites them."""
    out = []
    arbitration = cited(ctx.matter, "arbitration")
    if arbitration is not None:
        out.append(
            "自劳动争议调解组织收到调解申请之日起十五日内未达成调解协议的，当事人可以依法向劳动人事争议仲裁委员会"
            "申请仲裁；达成调解协议后，一方当事人在协议约定期限内不履行的，另一方当事人可以依法申请仲裁"
            "（{0}）。".format(arbitration)
        )
    interrupted = cited(ctx.matter, "limitation_interrupted")
    if interrupted is not None:
        out.append(
            "申请调解属于向有关部门请求权利救济，劳动争议仲裁时效因此中断，从中断时起重新计算（{0}）。".format(
                interrupted
            )
        )
    return out


def _routes(ctx: CaseContext) -> str:
    """What remains open when mediation does not end in an agreement (cited when the matter's table says)."""
    other = cited(ctx.matter, "other_routes")
    words = "当事人可以依法通过仲裁、行政、司法等途径维护自己的权利"
    return words + ("（{0}）。".format(other) if other else "。")


# --- 征求意见书 ----------------------------------------------------------------------------------------------
def consent_request_spec(ctx: CaseContext, *, public: bool = False) -> DocumentSpec:
    """征求意见书: asks each respondent whether it agrees to mediate, with a reply slip to sign."""
    respondents = ctx.parties(PartyRole.RESPONDENT)
    summary = dispute_words(ctx.case.summary or ctx.matter.name)
    blocks: list[Block] = [Paragraph(addressees(respondents, public=public), indent=False)]
    blocks.append(
        Paragraph(
            "{0}于{1}向本机关申请调解其与{2}之间的{3}，本机关已于{4}受理。".format(
                ctx.names(PartyRole.APPLICANT, public=public),
                date_text(ctx.case.received_on),
                YOU,
                summary,
                date_text(ctx.require("accept").on),
            )
        )
    )
    blocks += paragraphs(ctx.case.claims, prefix="申请人的请求：")
    blocks.append(
        Paragraph(
            "调解遵循平等自愿的原则。根据{0}的规定，现征求{1}是否同意通过调解解决该纠纷的意见；{1}明确拒绝调解的，"
            "本机关不予调解。请在下方回执中写明意见，签名或者盖章后交回本机关。".format(
                cite(ctx.matter, "consent"), YOU
            )
        )
    )
    mediator = mediator_of(ctx)
    rows = [("承办人", mediator)] if mediator else []
    rows.append(("联系电话", ctx.matter.consult_phone))
    blocks.append(KeyValues(tuple(rows)))
    blocks.append(DateSeal(ctx.office, ctx.issue_date))
    blocks.append(PageBreak())
    blocks.append(Paragraph("回　执", indent=False, align="center"))
    blocks.append(Blank())
    blocks.append(KeyValues((("案件编号", ctx.case.number), ("被征求意见人", ctx.names(PartyRole.RESPONDENT)))))
    blocks.append(
        Paragraph("对于{0}申请调解的{1}，意见如下（在选择的□内打钩）：".format(ctx.names(PartyRole.APPLICANT), summary))
    )
    blocks.append(Paragraph("□同意调解　　　　□不同意调解"))
    blocks.append(Paragraph("其他意见：", indent=False))
    blocks.append(Blank())
    blocks.append(Signatures(tuple(signatories_of(ctx, respondents))))
    blocks.append(DateSeal("", None))
    return ctx.spec("consent_request", "征求意见书", blocks)


# --- 权利义务告知书 ------------------------------------------------------------------------------------------
def rights_notice_spec(ctx: CaseContext, *, public: bool = False) -> DocumentSpec:
    """行政调解当事人权利义务告知书, given before mediating, every provision from the catalogue."""
    matter = ctx.matter
    accept = ctx.require("accept")
    rights = [
        "自愿调解。调解遵循平等自愿的原则。当事人可以接受调解、拒绝调解或者要求终止调解；一方当事人明确拒绝调解的，"
        "不得调解（{0}）。".format(cite(matter, "voluntariness")),
        "申请回避。调解员与调解事项有利害关系，或者与当事人、代理人有亲属或者其他关系，可能影响公正调解的，应当在"
        "调解前主动披露并申请回避；一方当事人要求调解员回避的，调解员应当回避（{0}）。".format(cite(matter, "recusal")),
        "陈述和申辩。当事人有权陈述纠纷事实，表达自己的意见和理由，对对方当事人的主张和证据发表意见。",
        "提供证据。当事人有权提供与纠纷有关的证据材料。",
        "委托代理人。当事人可以委托代理人参加调解；委托他人参加的，应当提交载明委托事项和权限的授权委托书。",
        "保守秘密。调解组织、调解员及其他有关人员对涉及当事人的个人隐私和商业秘密负有保密义务，但法律另有规定的"
        "除外（{0}）。".format(cite(matter, "confidentiality")),
        "自愿达成协议。当事人可以自主表达意愿、自愿达成调解协议（{0}）。".format(cite(matter, "agreement")),
    ]
    period, limit = ctx.deadline("mediation_period"), ctx.limit("mediation_period")
    if period is not None and limit is not None:
        if cited(matter, "arbitration") is not None:
            rights.append(
                "调解期限。本案{0}为{1}，自{2}起计算，至{3}届满（{4}）。".format(
                    limit.label, limit_text(limit), limit.starts_from, due_text(period), limit.basis
                )
            )
        else:
            rights.append(
                "调解期限。本案调解期限为{0}，自{1}起计算，至{2}届满；期限届满未达成调解协议的，调解终止，当事人同意"
                "延期调解的，可以继续调解（{3}）。".format(
                    limit_text(limit), limit.starts_from, due_text(period), limit.basis
                )
            )
    confirmation = ctx.limit("judicial_confirmation")
    jc = cited(matter, "judicial_confirmation")
    if confirmation is not None and jc is not None:
        rights.append(
            "申请司法确认。达成调解协议后，各方当事人认为有必要的，可以自调解协议生效之日起{0}内共同向人民法院"
            "申请司法确认（{1}）。".format(limit_text(confirmation), jc)
        )
    rights.append(
        "调解不成的救济。调解未达成协议的，{0}经当事人同意，调解员可以对当事人没有争议的事实进行记载，由当事人签字"
        "确认，并可以在行政裁决、复议、仲裁、诉讼中作为证据提交（{1}）。".format(
            _routes(ctx).rstrip("。") + "；", cite(matter, "undisputed_facts")
        )
        + "".join(labour_sentences(ctx))
        + "".join(_party_limits(ctx))
    )
    rights.append("费用。本事项{0}（{1}）。".format(matter.fee.text.rstrip("。"), matter.fee.basis.rstrip("。")))
    duties = [
        "如实陈述纠纷事实，不得隐瞒重要事实、提供虚假情况或者故意拖延时间；有上述情形的，调解终止（{0}）。".format(
            cite(matter, "termination")
        ),
        "遵守调解现场秩序，尊重调解员。",
        "尊重对方当事人行使权利。",
        "自觉履行依法达成的调解协议（{0}）。".format(cite(matter, "performance")),
    ]
    duties += penalty_sentences(ctx)
    blocks: list[Block] = [Paragraph(addressees(ctx.parties(), public=public), indent=False)]
    blocks.append(
        Paragraph(
            "{0}，本机关已于{1}受理。根据{2}的规定，现将当事人在调解活动中享有的权利和承担的义务告知如下：".format(
                case_line(ctx), date_text(accept.on), cite(matter, "rights_notice")
            )
        )
    )
    blocks.append(Heading("一、当事人享有的权利"))
    blocks.append(Clauses(tuple(rights), "（一）"))
    blocks.append(Heading("二、当事人承担的义务"))
    blocks.append(Clauses(tuple(duties), "（一）"))
    blocks.append(Paragraph("以上权利和义务，当事人阅知后请签名确认。"))
    signatories = signatories_of(ctx, ctx.parties())
    signatories.append(Signatory("告知人", name=mediator_of(ctx), note="（签名）"))
    blocks.append(Signatures(tuple(signatories)))
    blocks.append(DateSeal(ctx.office, ctx.issue_date))
    return ctx.spec(
        "rights_notice", "{0}当事人权利义务告知书".format(_MEDIATION_WORDS.get(matter.procedure, "行政调解")), blocks
    )


# --- 无争议事实确认书 ----------------------------------------------------------------------------------------
def undisputed_facts_spec(ctx: CaseContext, *, public: bool = False) -> DocumentSpec:
    """无争议事实确认书 (条例 第七十三条), from the latest ``record_undisputed_facts`` event."""
    event = ctx.require("record_undisputed_facts")
    basis = cite(ctx.matter, "undisputed_facts")
    accept_on = first_on(ctx, "accept") or ctx.case.received_on
    blocks: list[Block] = party_blocks(ctx, public=public, phone=False)
    blocks.append(
        Paragraph(
            "{0}，本机关于{1}受理并组织调解，调解未能达成协议。经各方当事人同意，现将调解过程中各方当事人没有争议的"
            "事实记载如下：".format(case_line(ctx), date_text(accept_on))
        )
    )
    facts = lines_of(ctx.text(event, "facts"))
    if len(facts) > 1:
        blocks.append(Clauses(facts, "（一）"))
    else:
        blocks += paragraphs(ctx.text(event, "facts"))
    blocks.append(
        Paragraph(
            "上述事实经各方当事人签字确认。根据{0}的规定，本确认书可以作为相关事实的证据在行政裁决、复议、仲裁、"
            "诉讼中提交。".format(basis)
        )
    )
    if event.payload.get("declined") is True:
        blocks.append(Paragraph("说明：有当事人不同意记载或者拒绝签字。"))
    note = ctx.text(event, "note")
    if note:
        blocks += paragraphs(note, prefix="备注：")
    signatories = signatories_of(ctx, ctx.parties(), public=public)
    signatories.append(Signatory("调解员", name=mediator_of(ctx), note="（签名）"))
    blocks.append(Signatures(tuple(signatories)))
    blocks.append(DateSeal(ctx.office, event.on))
    return ctx.spec("undisputed_facts", "无争议事实确认书", blocks)


# --- 终止调解通知书 ------------------------------------------------------------------------------------------
def _refusals(ctx: CaseContext) -> list[CaseEvent]:
    """The respondents' refusals still standing (the latest answer of each respondent is a refusal)."""
    latest: dict[str, CaseEvent] = {}
    for event in ctx.case.events_of("record_consent"):
        party = event.payload.get("party")
        if isinstance(party, str):
            latest[party] = event
    return [e for e in latest.values() if e.payload.get("consent") == "refused"]


def _what_happened(ctx: CaseContext, ground: str, on_text: str) -> list[Block]:
    refusals = _refusals(ctx) if ground == "withdrawal_or_refusal" else []
    accept_on = first_on(ctx, "accept") or ctx.case.received_on
    if refusals:
        who = "、".join(p.name for p in (ctx.party(e.payload.get("party")) for e in refusals) if p is not None)
        return [
            Paragraph(
                "{0}，本机关于{1}受理后，依法征求被申请人是否同意调解的意见。被申请人{2}于{3}明确表示不同意调解。".format(
                    case_line(ctx), date_text(accept_on), who, date_text(refusals[-1].on)
                )
            ),
            Paragraph(
                "根据{0}“一方当事人明确拒绝调解的，不得调解”的规定，本机关决定于{1}终止调解。".format(
                    cite(ctx.matter, "refused_consent"), on_text
                )
            ),
        ]
    words, purpose = GROUNDS.get(ground, GROUNDS["cannot_proceed"])
    return [
        Paragraph("{0}，本机关于{1}受理并组织调解。".format(case_line(ctx), date_text(accept_on))),
        Paragraph("因{0}，根据{1}的规定，本机关决定于{2}终止调解。".format(words, cite(ctx.matter, purpose), on_text)),
    ]


def termination_notice_spec(ctx: CaseContext, *, public: bool = False) -> DocumentSpec:
    """终止调解通知书: what happened and the ground (条例 第二十一条 for a refused consent, 第二十八条, 第二十五条),
    the reasons, the undisputed facts if recorded, and the routes still open."""
    event = ctx.require("terminate")
    ground = str(event.payload.get("ground") or "")
    blocks: list[Block] = [Paragraph(addressees(ctx.parties(), public=public), indent=False)]
    blocks += _what_happened(ctx, ground, date_text(event.on))
    reasons = ctx.text(event, "reasons")
    if reasons:
        blocks += paragraphs(reasons, prefix="具体理由：")
    facts = [e for e in ctx.case.events_of("record_undisputed_facts") if e.payload.get("declined") is not True]
    if facts:
        blocks.append(
            Paragraph(
                "调解过程中各方当事人没有争议的事实，已于{0}记载于《无争议事实确认书》，并经当事人签字确认，可以作为"
                "相关事实的证据在行政裁决、复议、仲裁、诉讼中提交（{1}）。".format(
                    date_text(facts[-1].on), cite(ctx.matter, "undisputed_facts")
                )
            )
        )
    elif event.payload.get("facts_declined") is True:
        declined = sentence(ctx.text(event, "facts_declined_note"))
        blocks.append(Paragraph("当事人不同意记载无争议事实。" + declined))
    closing = (
        _routes(ctx)
        + "".join(penalty_sentences(ctx, failed=True))
        + "".join(labour_sentences(ctx))
        + "".join("请注意：" + text for text in _party_limits(ctx))
    )
    blocks.append(Paragraph(closing))
    blocks.append(KeyValues((("联系电话", ctx.matter.consult_phone),)))
    blocks.append(DateSeal(ctx.office, event.on))
    return ctx.spec("termination_notice", "终止调解通知书", blocks)


__all__ += ["GROUNDS", "ROLE_WORDS", "labour_sentences"]
