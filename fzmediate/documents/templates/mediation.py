"""Mediation documents: 征求意见书, 权利义务告知书, 调解协议书 (from the case), 无争议事实确认书,
终止调解通知书 and the 司法确认 application.

Sources (reference/mission.md §1a–1b):

* 人民调解法 第十七条, 深圳条例 第二十一条: no mediation if one party clearly refuses (hence the consent request);
* 人民调解法 第二十三条 (rights: choose or accept the mediator; accept, refuse or end mediation; public or not;
  agree freely), 第二十四条 (duties: state the facts truthfully, keep order, respect the other side's rights),
  第十五条 (mediators keep privacy and business secrets), 司法部《人民调解工作若干规定》第三十条 (tell the
  parties before mediating);
* 深圳条例 第二十三条 (disclosure and recusal), 第二十五条 (30 days unless agreed; ends unless all agree to
  extend), 第二十六条 (partial agreements), 第二十八条 (termination grounds), 第七十一条 (司法确认),
  第七十三条 (undisputed facts, signed, usable later as evidence);
* 人民调解法 第二十六条 (a failed mediation tells the parties of arbitration, administrative and court routes),
  第二十九条 and 第三十三条 (the agreement; 司法确认 jointly within 30 days);
* 法释〔2011〕5号 (the 司法确认 application: 申请书, the agreement, identity papers, property proofs, addresses
  and phones, power of attorney; the parties' undertaking), 民事诉讼法 第二百零五条 (which court).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

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
    PartyBlock,
    Signatory,
    Signatures,
    Table,
)
from fzmediate.documents.templates.agreement import AgreedTerm, AgreementData, AgreementParty, agreement_spec
from fzmediate.documents.templates.common import (
    ID_WORDS,
    ROLE_WORDS,
    YOU,
    CaseContext,
    addressees,
    case_line,
    closing_lines,
    date_text,
    dispute_words,
    due_text,
    first_on,
    limit_text,
    lines_of,
    paragraphs,
    party_blocks,
    party_details,
    phone_text,
    sentence,
)
from fzmediate.domain.case import CaseKind, Party, PartyRole
from fzmediate.procedure.guard_registry import current_mediator
from fzmediate.procedure.payload import parse_date

SHENZHEN = "《深圳经济特区矛盾纠纷多元化解条例》"
MEDIATION_LAW = "《中华人民共和国人民调解法》"
#: 深圳条例 第二十八条 grounds and the end of the period (第二十五条): what happened, and the article.
GROUNDS = {
    "withdrawal_or_refusal": ("当事人撤回调解申请或者明确表示不再接受调解", SHENZHEN + "第二十八条"),
    "concealment_or_false_information_or_delay": (
        "当事人隐瞒重要事实、提供虚假情况或者故意拖延时间",
        SHENZHEN + "第二十八条",
    ),
    "collusion_against_public_or_third_party": (
        "当事人可能恶意串通，损害国家利益、社会公共利益或者他人合法权益",
        SHENZHEN + "第二十八条",
    ),
    "cannot_proceed": ("调解无法继续进行", SHENZHEN + "第二十八条"),
    "period_expired_without_extension": (
        "调解期限届满未达成调解协议，且各方当事人未同意延长调解期限",
        SHENZHEN + "第二十五条",
    ),
}
ARTICLE_73 = (
    "经当事人同意，调解员可以记载当事人没有争议的事实，由当事人签字确认，并可以在行政裁决、复议、仲裁、诉讼中"
    "作为证据提交（{0}第七十三条）".format(SHENZHEN)
)


def _signatories(ctx: CaseContext, *, with_names: bool = True) -> list[Signatory]:
    """One place to sign for every principal party (``申请人王𠮷（签名盖章或按指印）：``)."""
    return [Signatory(ROLE_WORDS[p.role] + (p.name if with_names else "")) for p in ctx.parties()]


def _mediator(ctx: CaseContext) -> str:
    return ctx.staff_name(current_mediator(ctx.case))


def _party_limits(ctx: CaseContext) -> list[str]:
    """The parties' own time limits of the matter other than 司法确认 (e.g. the 1-year labour arbitration time
    limit of PS-TJ-005), each as a sentence."""
    return [
        "{0}为{1}，自{2}起计算（{3}）。".format(t.label, limit_text(t), t.starts_from, t.basis)
        for t in ctx.matter.time_limits
        if t.applies_to == "party" and t.name not in ("judicial_confirmation", "application")
    ]


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
            "调解遵循自愿、平等的原则。根据{0}第十七条和{1}第二十一条的规定，现征求{2}是否同意通过调解解决该纠纷的"
            "意见；{2}明确拒绝调解的，本机关不予调解。请在下方回执中写明意见，签名或者盖章后交回本机关。".format(
                MEDIATION_LAW, SHENZHEN, YOU
            )
        )
    )
    rows = [("承办人", _mediator(ctx))] if _mediator(ctx) else []
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
    blocks.append(Signatures(tuple(Signatory("被申请人" + p.name) for p in respondents)))
    blocks.append(DateSeal("", None))
    return ctx.spec("consent_request", "征求意见书", blocks)


# --- 权利义务告知书 ------------------------------------------------------------------------------------------
def rights_notice_spec(ctx: CaseContext, *, public: bool = False) -> DocumentSpec:
    """行政调解当事人权利义务告知书 (given before mediating: 《人民调解工作若干规定》第三十条)."""
    accept = ctx.require("accept")
    rights = [
        "自愿调解。调解遵循自愿、平等的原则。当事人可以选择或者接受调解员；可以接受调解、拒绝调解或者要求终止调解；"
        "一方当事人明确拒绝调解的，不得调解（{0}第二十三条第（一）项、第（二）项，{1}第二十一条）。".format(
            MEDIATION_LAW, SHENZHEN
        ),
        "申请回避。调解员与纠纷有利害关系的，应当在调解前主动披露并申请回避；一方当事人要求调解员回避的，"
        "调解员应当回避（{0}第二十三条）。".format(SHENZHEN),
        "陈述和申辩。当事人有权陈述纠纷事实，表达自己的意见和理由，对对方当事人的主张和证据发表意见。",
        "提供证据。当事人有权提供与纠纷有关的证据材料。",
        "委托代理人。当事人可以委托一至二名代理人参加调解；委托他人参加的，应当提交载明委托事项和权限的授权委托书。",
        "公开或者不公开调解。当事人可以要求调解公开进行或者不公开进行（{0}第二十三条第（三）项）；"
        "调解员不得泄露当事人的个人隐私、商业秘密（{0}第十五条）。".format(MEDIATION_LAW),
        "自愿达成协议。当事人可以自主表达意愿、自愿达成调解协议（{0}第二十三条第（四）项）。".format(MEDIATION_LAW),
    ]
    period, limit = ctx.deadline("mediation_period"), ctx.limit("mediation_period")
    if period is not None and limit is not None:
        rights.append(
            "调解期限。本案调解期限为{0}，自{1}起计算，至{2}届满；期限届满未达成调解协议的，调解终止，"
            "各方当事人同意延长的除外（{3}）。".format(
                limit_text(limit), limit.starts_from, due_text(period), limit.basis
            )
        )
    confirmation = ctx.limit("judicial_confirmation")
    if confirmation is not None:
        rights.append(
            "申请司法确认。达成调解协议后，各方当事人认为有必要的，可以自调解协议生效之日起{0}内共同向人民法院"
            "申请司法确认（{1}）。".format(limit_text(confirmation), confirmation.basis)
        )
    rights.append(
        "调解不成的救济。调解不成的，当事人可以依法通过仲裁、行政、司法等途径维护自己的权利（{0}第二十六条）；"
        "{1}。".format(MEDIATION_LAW, ARTICLE_73)
        + "".join(_party_limits(ctx))
    )
    rights.append(
        "费用。本事项{0}（{1}）。".format(ctx.matter.fee.text.rstrip("。"), ctx.matter.fee.basis.rstrip("。"))
    )
    duties = (
        "如实陈述纠纷事实，不得提供虚假证明材料（{0}第二十四条第（一）项）。".format(MEDIATION_LAW),
        "遵守调解现场秩序，尊重调解员（{0}第二十四条第（二）项）。".format(MEDIATION_LAW),
        "尊重对方当事人行使权利（{0}第二十四条第（三）项）。".format(MEDIATION_LAW),
        "自觉履行依法达成的调解协议（{0}第三十一条）。".format(MEDIATION_LAW),
        "当事人隐瞒重要事实、提供虚假情况或者故意拖延时间的，调解终止（{0}第二十八条）。".format(SHENZHEN),
    )
    blocks: list[Block] = [Paragraph(addressees(ctx.parties(), public=public), indent=False)]
    blocks.append(
        Paragraph(
            "{0}，本机关已于{1}受理。根据{2}第二十三条、第二十四条，司法部《人民调解工作若干规定》第三十条和{3}的"
            "规定，现将当事人在调解活动中享有的权利和承担的义务告知如下：".format(
                case_line(ctx), date_text(accept.on), MEDIATION_LAW, SHENZHEN
            )
        )
    )
    blocks.append(Heading("一、当事人享有的权利"))
    blocks.append(Clauses(tuple(rights), "（一）"))
    blocks.append(Heading("二、当事人承担的义务"))
    blocks.append(Clauses(duties, "（一）"))
    blocks.append(Paragraph("以上权利和义务，当事人阅知后请签名确认。"))
    signatories = _signatories(ctx)
    signatories.append(Signatory("告知人", name=_mediator(ctx), note="（签名）"))
    blocks.append(Signatures(tuple(signatories)))
    blocks.append(DateSeal(ctx.office, ctx.issue_date))
    return ctx.spec("rights_notice", "行政调解当事人权利义务告知书", blocks)


# --- 调解协议书 ----------------------------------------------------------------------------------------------
def _agreement_party(ctx: CaseContext, party: Party) -> AgreementParty:
    agents = ctx.agents_of(party)
    representative = "；".join(
        "委托代理人：{0}{1}".format(a.name, "".join("，" + d for d in party_details(a, phone=True))) + "。"
        for a in agents
    )
    return AgreementParty(
        role=ROLE_WORDS[party.role],
        name=party.name,
        id_label=ID_WORDS.get(party.id_type, "证件号码"),
        id_number=party.id_number,
        address=party.address,
        phone=phone_text(party.phone),
        representative=representative,
    )


def _term(ctx: CaseContext, raw: Any) -> AgreedTerm:
    data = raw if isinstance(raw, dict) else {}
    obligor, obligee = ctx.party(data.get("obligor")), ctx.party(data.get("obligee"))
    content = str(data.get("content") or "").strip()
    if obligor is not None and obligee is not None:
        content = "{0}向{1}履行：{2}".format(obligor.name, obligee.name, content)
    elif obligor is not None:
        content = "{0}履行：{1}".format(obligor.name, content)
    amount: Decimal | None = None
    if data.get("amount") not in (None, ""):
        try:
            amount = Decimal(str(data["amount"]))
        except InvalidOperation:
            amount = None
    return AgreedTerm(
        content=content,
        manner=str(data.get("manner") or "").strip(),
        place=str(data.get("place") or "").strip(),
        deadline=parse_date(data.get("deadline")),
        amount=amount,
    )


def agreement_data_of(ctx: CaseContext) -> AgreementData:
    """The `AgreementData` of the case's latest ``record_agreement`` event."""
    event = ctx.require("record_agreement")
    raw_terms = event.payload.get("terms")
    terms = tuple(_term(ctx, t) for t in (raw_terms if isinstance(raw_terms, list) else []))
    extra: tuple[str, ...] = ()
    if event.payload.get("partial") is True:
        remaining = sentence(ctx.text(event, "remaining_disputes")) or "其余事项。"
        extra = (
            "本协议为部分调解协议。各方当事人对下列事项仍有争议，可以依法通过其他途径解决（{0}第二十六条）：{1}".format(
                SHENZHEN, remaining
            ),
        )
    confirmation = ctx.limit("judicial_confirmation")
    days = confirmation.amount if confirmation is not None and confirmation.unit == "calendar_days" else None
    mediator = _mediator(ctx)
    return AgreementData(
        document_id=ctx.document_id,
        case_number=ctx.case.number,
        number=ctx.case.number,
        organization=ctx.office,
        parties=tuple(_agreement_party(ctx, p) for p in ctx.parties()),
        facts=ctx.text(event, "facts_and_disputes") or ctx.case.facts,
        disputes=sentence(ctx.case.claims),
        terms=terms,
        issue_date=ctx.issue_date,
        mediators=(mediator,) if mediator else (),
        title="调解协议书" if ctx.kind is CaseKind.MEDIATION else "调解书",
        confirmation_days=days,
        issued_at=ctx.issued_at,
        extra_clauses=extra,
    )


def agreement_case_spec(ctx: CaseContext, *, public: bool = False) -> DocumentSpec:
    """调解协议书 (调解书 in an adjudication) from the ``record_agreement`` event: full details (Art. 29)."""
    spec = agreement_spec(agreement_data_of(ctx), public=public)
    return DocumentSpec("agreement", spec.title, spec.blocks, spec.meta, number=spec.number)


# --- 无争议事实确认书 ----------------------------------------------------------------------------------------
def undisputed_facts_spec(ctx: CaseContext, *, public: bool = False) -> DocumentSpec:
    """无争议事实确认书 (深圳条例 第七十三条), from the latest ``record_undisputed_facts`` event."""
    event = ctx.require("record_undisputed_facts")
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
            "上述事实经各方当事人签字确认。根据{0}第七十三条的规定，本确认书可以在行政裁决、复议、仲裁、诉讼中作为"
            "证据提交。".format(SHENZHEN)
        )
    )
    if event.payload.get("declined") is True:
        blocks.append(Paragraph("说明：有当事人不同意记载或者拒绝签字。"))
    note = ctx.text(event, "note")
    if note:
        blocks += paragraphs(note, prefix="备注：")
    signatories = _signatories(ctx, with_names=False)
    signatories.append(Signatory("调解员", name=_mediator(ctx), note="（签名）"))
    blocks.append(Signatures(tuple(signatories)))
    blocks.append(DateSeal(ctx.office, event.on))
    return ctx.spec("undisputed_facts", "无争议事实确认书", blocks)


# --- 终止调解通知书 ------------------------------------------------------------------------------------------
def termination_notice_spec(ctx: CaseContext, *, public: bool = False) -> DocumentSpec:
    """终止调解通知书: the ground (深圳条例 第二十八条/第二十五条), the reasons, the undisputed facts if recorded, and
    the routes still open (人民调解法 第二十六条)."""
    event = ctx.require("terminate")
    ground = str(event.payload.get("ground") or "")
    words, basis = GROUNDS.get(ground, ("调解无法继续进行", SHENZHEN + "第二十八条"))
    accept_on = first_on(ctx, "accept") or ctx.case.received_on
    blocks: list[Block] = [Paragraph(addressees(ctx.parties(), public=public), indent=False)]
    blocks.append(Paragraph("{0}，本机关于{1}受理并组织调解。".format(case_line(ctx), date_text(accept_on))))
    blocks.append(
        Paragraph("因{0}，根据{1}的规定，本机关决定于{2}终止调解。".format(words, basis, date_text(event.on)))
    )
    reasons = ctx.text(event, "reasons")
    if reasons:
        blocks += paragraphs(reasons, prefix="具体理由：")
    facts = [e for e in ctx.case.events_of("record_undisputed_facts") if e.payload.get("declined") is not True]
    if facts:
        blocks.append(
            Paragraph(
                "调解过程中各方当事人没有争议的事实，已于{0}记载于《无争议事实确认书》，并经当事人签字确认，可以在行政"
                "裁决、复议、仲裁、诉讼中作为证据提交（{1}第七十三条）。".format(date_text(facts[-1].on), SHENZHEN)
            )
        )
    elif event.payload.get("facts_declined") is True:
        declined = sentence(ctx.text(event, "facts_declined_note"))
        blocks.append(Paragraph("当事人不同意记载无争议事实。" + declined))
    blocks.append(
        Paragraph(
            "根据{0}第二十六条的规定，当事人可以依法通过仲裁、行政、司法等途径维护自己的权利。".format(MEDIATION_LAW)
            + "".join("请注意：" + text for text in _party_limits(ctx))
        )
    )
    blocks.append(KeyValues((("联系电话", ctx.matter.consult_phone),)))
    blocks.append(DateSeal(ctx.office, event.on))
    return ctx.spec("termination_notice", "终止调解通知书", blocks)


# --- 司法确认申请书 ------------------------------------------------------------------------------------------
def judicial_confirmation_spec(ctx: CaseContext, *, public: bool = False) -> DocumentSpec:
    """The 司法确认 packet: the parties' joint application (法释〔2011〕5号), the list of materials, and the
    agreement's text as its annex (the signed original goes with it)."""
    agreement = ctx.require("record_agreement")
    summary = dispute_words(ctx.case.summary or ctx.matter.name)
    court = ""
    for action in ("record_judicial_confirmation", "remind_judicial_confirmation"):
        court = court or ctx.text(ctx.last(action), "court")
    blocks: list[Block] = []
    for party in ctx.parties():
        blocks.append(PartyBlock("申请人", party.name, party_details(party, public=public, phone=True)))
        for agent in ctx.agents_of(party):
            blocks.append(PartyBlock("委托代理人", agent.name, party_details(agent, public=public, phone=True)))
    blocks.append(Heading("一、请求事项"))
    blocks.append(
        Paragraph(
            "请求人民法院确认各申请人于{0}经{1}主持调解达成的调解协议（{2}）有效。".format(
                date_text(agreement.on), ctx.office, ctx.case.number
            )
        )
    )
    blocks.append(Heading("二、事实和理由"))
    blocks.append(
        Paragraph(
            "各申请人因{0}，于{1}向{2}申请调解。经{2}主持调解，各申请人于{3}自愿达成调解协议。该协议是"
            "各申请人的真实意思表示，内容不违反法律、行政法规的强制性规定，不损害国家利益、社会公共利益和他人合法"
            "权益。".format(summary, date_text(ctx.case.received_on), ctx.office, date_text(agreement.on))
        )
    )
    blocks.append(
        Paragraph(
            "各申请人承诺：出于解决纠纷的目的自愿达成调解协议，没有恶意串通、规避法律的行为；如果因为该协议内容而给"
            "他人造成损害的，愿意承担相应的民事责任和其他法律责任。"
        )
    )
    window = ctx.deadline("judicial_confirmation")
    limit = ctx.limit("judicial_confirmation")
    text = (
        "根据{0}第三十三条、《中华人民共和国民事诉讼法》第二百零五条和《最高人民法院关于人民调解协议司法确认程序的"
        "若干规定》的规定，各申请人共同申请人民法院对上述调解协议予以司法确认。".format(MEDIATION_LAW)
    )
    if window is not None and limit is not None:
        text += "本申请应当自调解协议生效之日起{0}内提出，按调解协议于{1}生效计算，至{2}届满。".format(
            limit_text(limit), date_text(agreement.on), due_text(window)
        )
    blocks.append(Paragraph(text))
    blocks.append(Heading("三、附送材料"))
    rows = (
        ("1", "调解协议书", "1", "原件，文本见附件"),
        ("2", "各申请人的身份证明、资格证明", "各1", "复印件，核对原件"),
        ("3", "与调解协议相关的财产权利证明", "各1", "协议涉及财产权利的提供"),
        ("4", "各申请人的送达地址、联系电话", "—", "已在本申请书中载明"),
        ("5", "授权委托书", "各1", "委托代理人代为申请的提供"),
    )
    blocks.append(Table(("序号", "材料名称", "份数", "说明"), rows, (0.8, 3.4, 1.0, 3.4)))
    blocks.append(closing_lines(court or "有管辖权的基层人民法院"))
    blocks.append(Signatures(tuple(Signatory("申请人") for _p in ctx.parties())))
    blocks.append(DateSeal("", None))
    annex = agreement_spec(agreement_data_of(ctx), public=public)
    blocks.append(PageBreak())
    blocks.append(Paragraph("附件", indent=False))
    blocks.append(Paragraph(annex.title, indent=False, align="center"))
    blocks.append(Paragraph(annex.number, indent=False, align="right"))
    blocks += [b for b in annex.blocks if not isinstance(b, (Signatures, DateSeal))]
    blocks.append(Paragraph("（各方当事人的签名、盖章或者按指印，调解员的签名和调解组织印章，见调解协议书原件。）"))
    return ctx.spec("judicial_confirmation", "司法确认申请书", blocks)
