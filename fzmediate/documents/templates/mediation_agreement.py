"""The agreement of a case (调解协议书; the 调解书 of an adjudication or of a traffic mediation) and the 司法确认
application, with the signature lines shared by the mediation documents.

What the agreement says follows the matter's procedure and its citation table in the signed catalogue:

* 行政调解 (``mediation.standard``): facts, points in dispute and each side's responsibility, the claims once,
  the terms; effective once the parties and the mediator have signed and the issuing body has sealed it
  (条例 第二十六条), binding, the body may urge performance (第二十七条), 司法确认 within 30 days
  (民事诉讼法 第二百零五条, 条例 第七十一条), 支付令 for money (条例 第七十二条);
* 劳动争议 (``mediation.labour``): 劳动争议调解仲裁法 第十四条 (effect), 第十五条 (arbitration on non-performance),
  第十六条 (支付令 for wages);
* 治安调解 (``mediation.public_security``): 治安管理处罚法 第九条 — an agreement means no penalty, no agreement or
  non-performance means a penalty according to law, and the civil claim may go to court;
* 道路交通事故损害赔偿调解 (``mediation.traffic``): a 调解书 with the contents 公安部令第146号 lists (调解依据, the
  facts and losses found, the items and amounts, each side's responsibility and share, manner and deadline of
  performance, the date), signed by every party; not performed → civil suit (道路交通安全法 第七十四条);
* an adjudication's 调解书 (条例 第五十八条): signed by the parties and the mediating staff, sealed by the body.

The agreement is dated with the day it was recorded (the day of the last signature on the paper).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from fzmediate.documents.model import (
    Block,
    DateSeal,
    DocumentSpec,
    Heading,
    PageBreak,
    Paragraph,
    PartyBlock,
    Signatory,
    Signatures,
    Table,
)
from fzmediate.documents.templates.agreement import AgreedTerm, AgreementData, AgreementParty, agreement_spec
from fzmediate.documents.templates.citations import cite, cited
from fzmediate.documents.templates.common import (
    ID_WORDS,
    ROLE_WORDS,
    CaseContext,
    agent_words,
    closing_lines,
    date_text,
    dispute_words,
    due_text,
    limit_text,
    party_details,
    phone_text,
    representative_line,
    sentence,
)
from fzmediate.domain.case import CaseKind, Party, PartyKind
from fzmediate.procedure.guard_registry import current_mediator
from fzmediate.procedure.payload import parse_date
from fzmediate.security.masking import mask_name

TRAFFIC = "mediation.traffic"
POLICE = "mediation.public_security"
LABOUR = "mediation.labour"


def mediator_of(ctx: CaseContext) -> str:
    return ctx.staff_name(current_mediator(ctx.case))


def signatories_of(ctx: CaseContext, parties: tuple[Party, ...], *, public: bool = False) -> list[Signatory]:
    """One place to sign for each party (``申请人王𠮷``), and for an organisation its 法定代表人/负责人."""
    out: list[Signatory] = []
    for party in parties:
        name = mask_name(party.name) if public else party.name
        out.append(Signatory(ROLE_WORDS[party.role] + name))
        representative = party.legal_representative.strip()
        if party.kind is PartyKind.ORGANIZATION and representative:
            title = (party.representative_title or "法定代表人").strip()
            out.append(Signatory(title, name=mask_name(representative) if public else representative))
    return out


def penalty_sentences(ctx: CaseContext, *, failed: bool = False) -> list[str]:
    """治安调解: what an agreement, a failure or non-performance means (治安管理处罚法 第九条), when cited."""
    penalty = cited(ctx.matter, "penalty")
    if penalty is None:
        return []
    if failed:
        return [
            "本案经调解未达成协议，公安机关将依照治安管理处罚法的规定对违反治安管理行为人给予处罚；当事人可以就"
            "民事争议依法向人民法院提起民事诉讼（{0}）。".format(penalty)
        ]
    return [
        "本案为治安调解。经公安机关调解，当事人达成协议的，不予处罚；经调解未达成协议或者达成协议后不履行的，"
        "公安机关依照治安管理处罚法的规定对违反治安管理行为人给予处罚，当事人可以就民事争议依法向人民法院提起"
        "民事诉讼（{0}）。".format(penalty)
    ]


# --- the agreement ------------------------------------------------------------------------------------------
def _agreement_party(ctx: CaseContext, party: Party) -> AgreementParty:
    lines = []
    representative = representative_line(party)
    if representative:
        lines.append(representative + "。")
    for agent in ctx.agents_of(party):
        # Whom the agent represents and the scope of the authority (特别授权 to sign, or general).
        lines.append(
            "委托代理人：{0}{1}{2}。".format(
                agent.name, agent_words(agent, party), "".join("，" + d for d in party_details(agent, phone=True))
            )
        )
    return AgreementParty(
        role=ROLE_WORDS[party.role],
        name=party.name,
        id_label=ID_WORDS.get(party.id_type, "证件号码"),
        id_number=party.id_number,
        address=party.address,
        phone=phone_text(party.phone),
        representative="".join(lines),
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


def _title(ctx: CaseContext) -> str:
    if ctx.kind is CaseKind.ADJUDICATION:
        return "调解书"
    return {
        TRAFFIC: "道路交通事故损害赔偿调解书",
        POLICE: "治安调解协议书",
        LABOUR: "劳动争议调解协议书",
    }.get(ctx.matter.procedure, "调解协议书")


def _effect(ctx: CaseContext, terms: tuple[AgreedTerm, ...]) -> list[str]:
    """The effect clauses of the agreement, each with the provisions the matter's catalogue cites."""
    matter, office = ctx.matter, ctx.office
    if ctx.kind is CaseKind.ADJUDICATION:
        return [
            "本调解书经各方当事人和调解工作人员签名，并加盖{0}印章后生效（{1}）。".format(
                office, cite(matter, "mediation_document")
            ),
            "本调解书生效后，当事人应当按照调解书履行。",
        ]
    procedure = matter.procedure
    if procedure == TRAFFIC:
        return [
            "本调解书由各方当事人签名，加盖{0}印章，分别送达各方当事人（{1}）。".format(
                office, cite(matter, "agreement")
            ),
            "调解书生效后一方当事人不履行的，对方当事人可以向人民法院提起民事诉讼（{0}）。".format(
                cite(matter, "performance")
            ),
        ]
    out = [
        "本协议经各方当事人签名、盖章或者按指印，调解员签名并加盖{0}印章后生效（{1}）。".format(
            office, cite(matter, "agreement")
        )
    ]
    if procedure == POLICE:
        out += penalty_sentences(ctx)
    elif procedure == LABOUR:
        out.append(
            "本协议对双方当事人具有约束力，当事人应当履行；一方当事人在协议约定期限内不履行的，另一方当事人可以依法"
            "申请仲裁（{0}）。".format(cite(matter, "performance"))
        )
        payment = cited(matter, "payment_order")
        if payment is not None:
            out.append(
                "因支付拖欠劳动报酬、工伤医疗费、经济补偿或者赔偿金事项达成本协议，用人单位在协议约定期限内不履行的，"
                "劳动者可以持本协议书依法向人民法院申请支付令（{0}）。".format(payment)
            )
    else:
        out.append(
            "本协议具有法律约束力，当事人应当按照协议履行；一方当事人不履行的，对方当事人可以申请{0}督促其履行"
            "（{1}）。".format(office, cite(matter, "performance"))
        )
        payment = cited(matter, "payment_order")
        if payment is not None and any(t.amount is not None for t in terms):
            out.append("对本协议中以金钱给付为内容的约定，当事人可以依法向人民法院申请支付令（{0}）。".format(payment))
    confirmation = ctx.limit("judicial_confirmation")
    jc = cited(matter, "judicial_confirmation")
    if confirmation is not None and jc is not None:
        out.append(
            "各方当事人认为有必要的，可以自本协议生效之日起{0}内共同向人民法院申请司法确认（{1}）。".format(
                limit_text(confirmation), jc
            )
        )
    return out


def agreement_data_of(ctx: CaseContext) -> AgreementData:
    """The `AgreementData` of the case's latest ``record_agreement`` event, or — before the signatures are
    recorded — of its latest ``draft_agreement``, printed for signing with the signing date left blank."""
    recorded = ctx.last("record_agreement")
    event = recorded if recorded is not None else ctx.require("draft_agreement")
    raw_terms = event.payload.get("terms")
    terms = tuple(_term(ctx, t) for t in (raw_terms if isinstance(raw_terms, list) else []))
    extra: tuple[str, ...] = ()
    if event.payload.get("partial") is True:
        remaining = sentence(ctx.text(event, "remaining_disputes")) or "其余事项。"
        extra = (
            "本协议为部分调解协议。各方当事人对下列事项仍有争议，可以依法通过其他途径解决（{0}）：{1}".format(
                cite(ctx.matter, "partial_agreement"), remaining
            ),
        )
    mediator = mediator_of(ctx)
    traffic = ctx.kind is CaseKind.MEDIATION and ctx.matter.procedure == TRAFFIC
    basis_line = ""
    heading = "纠纷主要事实、争议事项及各方责任"
    if traffic:
        heading = "道路交通事故基本事实和损失情况、各方的损害赔偿责任及比例"
        basis_line = "调解依据：{0}、{1}的规定，道路交通事故认定书认定的基本事实和当事人责任。".format(
            cite(ctx.matter, "joint_application"), cite(ctx.matter, "mediation_document")
        )
    if ctx.kind is CaseKind.ADJUDICATION:
        word = "调解工作人员"
    elif ctx.matter.procedure in (TRAFFIC, POLICE):
        word = "调解人员"
    else:
        word = "调解员"
    lines = tuple(s.role + s.name for s in signatories_of(ctx, ctx.parties()))
    return AgreementData(
        document_id=ctx.document_id,
        case_number=ctx.case.number,
        number=ctx.case.number,
        organization=ctx.office,
        parties=tuple(_agreement_party(ctx, p) for p in ctx.parties()),
        facts=ctx.text(event, "facts_and_disputes") or ctx.case.facts,
        disputes="",
        claims=sentence(ctx.case.claims),
        responsibilities=ctx.text(event, "responsibilities"),
        terms=terms,
        issue_date=ctx.issue_date,
        mediators=(mediator,) if mediator else (),
        title=_title(ctx),
        confirmation_days=None,
        sign_date=event.on if recorded is not None else None,
        issued_at=ctx.issued_at,
        extra_clauses=extra,
        facts_heading=heading,
        basis_line=basis_line,
        effect_clauses=tuple(_effect(ctx, terms)),
        keeper=ctx.office,
        mediator_word=word,
        signatories=lines,
    )


def agreement_case_spec(ctx: CaseContext, *, public: bool = False) -> DocumentSpec:
    """调解协议书 (调解书 in an adjudication or a traffic mediation) from the ``record_agreement`` event."""
    spec = agreement_spec(agreement_data_of(ctx), public=public)
    return DocumentSpec("agreement", spec.title, spec.blocks, spec.meta, number=spec.number)


# --- 司法确认申请书 ------------------------------------------------------------------------------------------
def judicial_confirmation_spec(ctx: CaseContext, *, public: bool = False) -> DocumentSpec:
    """The 司法确认 packet: the parties' joint application (民事诉讼法 第二百零五条, as the catalogue cites it), the
    list of materials, and the agreement's text as its annex (the signed original goes with it). A matter whose
    catalogue gives no 司法确认 citation (治安调解, traffic 调解书) is refused with the reason."""
    basis = cite(ctx.matter, "judicial_confirmation")
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
    text = "根据{0}的规定，各申请人共同申请人民法院对上述调解协议予以司法确认。".format(basis)
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
    blocks.append(Signatures(tuple(signatories_of(ctx, ctx.parties(), public=public))))
    blocks.append(DateSeal("", None))
    annex = agreement_spec(agreement_data_of(ctx), public=public)
    blocks.append(PageBreak())
    blocks.append(Paragraph("附件", indent=False))
    blocks.append(Paragraph(annex.title, indent=False, align="center"))
    blocks.append(Paragraph(annex.number, indent=False, align="right"))
    blocks += [b for b in annex.blocks if not isinstance(b, (Signatures, DateSeal))]
    blocks.append(Paragraph("（各方当事人的签名、盖章或者按指印，调解员的签名和印章，见调解协议书原件。）"))
    return ctx.spec("judicial_confirmation", "司法确认申请书", blocks)
