"""The application and the answers to it: 申请书, 收件回执, 受理通知书, 不予受理通知书, 移送告知书.

Every provision printed comes from the matter's citation table in the signed catalogue
(`fzmediate.documents.templates.citations`): 条例 第四十五条 (transfer within 3 working days, the applicant
told), 第四十六条 (acceptance decided within 5 working days, 10 if complex; a refusal in writing with reasons),
第二十一条 (no mediation if the other party refuses), 第五十八条 (an adjudication mediates first); for
adjudication the matter's own service, reply and decision periods. Matters with their own rules add theirs
(公安部令第146号: a joint written application; 劳动争议调解仲裁法: the 15-day rule and the interrupted limitation
period; 治安管理处罚法 第九条). A refusal of an adjudication states the remedy (行政复议法 第二十条, 行政诉讼法
第四十六条); of a mediation, the other routes.

The receipt is printed at a kiosk or handed over a desk: it is public and masks every personal detail.
"""

from __future__ import annotations

from fzmediate.documents.model import Block, DateSeal, DocumentSpec, Heading, KeyValues, Paragraph
from fzmediate.documents.model import Signatures as SignatureArea
from fzmediate.documents.templates.citations import cite, cited
from fzmediate.documents.templates.common import (
    YOU,
    CaseContext,
    addressees,
    closing_lines,
    date_text,
    dispute_words,
    due_text,
    limit_text,
    paragraphs,
    party_blocks,
    party_details,
    refusal_remedy_clause,
    sentence,
)
from fzmediate.documents.templates.mediation import labour_sentences
from fzmediate.documents.templates.mediation_agreement import penalty_sentences, signatories_of
from fzmediate.domain.case import CaseKind, PartyRole
from fzmediate.security.masking import mask_name


def _application_line(ctx: CaseContext) -> str:
    """``你（单位）于2026年10月9日向本机关提出的与坪山某物业管理有限公司之间的物业服务费纠纷行政调解申请``."""
    summary = dispute_words(ctx.case.summary) if ctx.case.summary.strip() else ctx.matter.name
    return "{0}于{1}向本机关提出的与{2}之间的{3}{4}申请".format(
        YOU, date_text(ctx.case.received_on), ctx.names(PartyRole.RESPONDENT), summary, ctx.kind_words
    )


def application_spec(ctx: CaseContext, *, public: bool = False) -> DocumentSpec:
    """申请书: the application as received, for the applicant to sign (full details)."""
    title = "{0}申请书".format(ctx.kind_words)
    blocks: list[Block] = party_blocks(ctx, public=public)
    blocks.append(Heading("一、申请事项"))
    blocks += paragraphs(ctx.case.claims)
    blocks.append(Heading("二、事实和理由"))
    blocks += paragraphs(ctx.case.facts)
    joint = cited(ctx.matter, "joint_application") if ctx.kind is CaseKind.MEDIATION else None
    signers = ctx.parties(PartyRole.APPLICANT)
    if joint is not None:
        # A traffic mediation is applied for jointly and in writing by every party.
        blocks.append(Paragraph("各方当事人一致书面申请调解（{0}）。".format(joint)))
        signers = ctx.parties()
    # 此致 the issuing body of the matter for this desk (never a collective "各街道办事处").
    blocks.append(closing_lines(ctx.office))
    blocks.append(SignatureArea(tuple(signatories_of(ctx, signers, public=public))))
    blocks.append(DateSeal("", ctx.case.received_on))
    return ctx.spec("application", title, blocks)


def receipt_spec(ctx: CaseContext, *, public: bool = True) -> DocumentSpec:
    """收件回执: that the application arrived, when, and by when acceptance will be decided. Always masked."""
    del public  # a receipt is public by nature: it is printed at a kiosk and carried around
    register = ctx.case.events_of("register")
    channel = register[0].payload.get("channel") if register else None
    applicants = ctx.parties(PartyRole.APPLICANT)
    blocks: list[Block] = [
        Paragraph(addressees(applicants, public=True), indent=False),
        Paragraph(
            "本机关已于{0}收到{1}提交的{2}申请。现将有关事项告知如下：".format(
                date_text(ctx.case.received_on), YOU, ctx.matter.name
            )
        ),
    ]
    rows: list[tuple[str, str]] = [("案件编号", ctx.case.number), ("申请事项", ctx.matter.name)]
    for party in applicants:
        # Name, identity number and phone, masked: enough for the applicant to recognise the receipt.
        details = [d for d in party_details(party, public=True) if not d.startswith(("住", "住所"))]
        rows.append(("申请人", "，".join((mask_name(party.name), *details))))
    rows.append(("被申请人", ctx.names(PartyRole.RESPONDENT, public=True)))
    rows.append(
        (
            "收件日期",
            "{0}（{1}）".format(date_text(ctx.case.received_on), "自助服务终端" if channel == "kiosk" else "窗口"),
        )
    )
    acceptance = ctx.deadline("acceptance")
    limit = ctx.limit("acceptance")
    if acceptance is not None and limit is not None:
        rows.append(
            (
                acceptance.label or "受理期限",
                "本机关自收到申请之日起{0}内作出是否受理的决定，即{1}前（{2}）".format(
                    limit_text(limit), due_text(acceptance), limit.basis
                ),
            )
        )
    rows.append(("咨询电话", "{0}；投诉电话：{1}".format(ctx.matter.consult_phone, ctx.matter.complaint_phone)))
    blocks.append(KeyValues(tuple(rows)))
    blocks.append(
        Paragraph("本回执不表示申请已被受理，是否受理将书面告知。查询时请提供案件编号。本回执已隐去个人信息。")
    )
    blocks.append(DateSeal(ctx.office, ctx.case.received_on))
    return ctx.spec("receipt", "收件回执", blocks)


def acceptance_notice_spec(ctx: CaseContext, *, public: bool = False) -> DocumentSpec:
    """受理通知书, to the applicants: accepted, and what happens next with its time limits."""
    accept = ctx.require("accept")
    blocks: list[Block] = [Paragraph(addressees(ctx.parties(PartyRole.APPLICANT), public=public), indent=False)]
    blocks.append(
        Paragraph(
            "{0}，经审查，符合受理条件。根据{1}的规定，本机关决定予以受理，案件编号为{2}。".format(
                _application_line(ctx), cite(ctx.matter, "acceptance"), ctx.case.number
            )
        )
    )
    if ctx.kind is CaseKind.MEDIATION:
        blocks.append(
            Paragraph(
                "本机关将征求被申请人是否同意调解的意见；被申请人明确拒绝调解的，不予调解（{0}）。".format(
                    cite(ctx.matter, "consent")
                )
            )
        )
        period = ctx.deadline("mediation_period")
        limit = ctx.limit("mediation_period")
        if period is not None and limit is not None:
            blocks.append(
                Paragraph(
                    "本案调解期限为{0}，自{1}起计算，至{2}届满。期限届满未达成调解协议的，调解终止；"
                    "各方当事人同意延长的，可以继续调解（{3}）。".format(
                        limit_text(limit), limit.starts_from, due_text(period), limit.basis
                    )
                )
            )
        blocks += [Paragraph(text) for text in (*penalty_sentences(ctx), *labour_sentences(ctx))]
    else:
        blocks.append(
            Paragraph(
                "本机关将依法向被申请人送达申请书副本，并先行组织调解；调解不成的，依法作出裁决（{0}）。".format(
                    cite(ctx.matter, "mediate_first")
                )
            )
        )
        blocks += _adjudication_periods(ctx)
    mediator = ctx.staff_name(ctx.case.assigned_mediator)
    rows = [("承办人", mediator)] if mediator else []
    rows.append(("联系电话", ctx.matter.consult_phone))
    blocks.append(KeyValues(tuple(rows)))
    blocks.append(DateSeal(ctx.office, accept.on))
    return ctx.spec("acceptance_notice", "受理通知书", blocks)


def _adjudication_periods(ctx: CaseContext) -> list[Block]:
    """The service, reply and decision periods of an adjudication, with the due dates the clock computed."""
    out: list[Block] = []
    service, service_limit = ctx.deadline("service"), ctx.limit("service")
    reply_limit = ctx.limit("reply")
    if service is not None and service_limit is not None:
        text = "本机关应当自{0}起{1}内向被申请人送达申请书副本，即{2}前".format(
            service_limit.starts_from, limit_text(service_limit), due_text(service)
        )
        if reply_limit is not None:
            text += "；被申请人应当自{0}起{1}内提交答复和证据材料".format(
                reply_limit.starts_from, limit_text(reply_limit)
            )
        out.append(Paragraph("{0}（{1}）。".format(text, service_limit.basis)))
    decision, decision_limit = ctx.deadline("decision"), ctx.limit("decision")
    if decision is not None and decision_limit is not None:
        out.append(
            Paragraph(
                "本机关应当自{0}起{1}内作出裁决，即{2}前；依法延长的，或者中止期间，不计入该期限（{3}）。".format(
                    decision_limit.starts_from, limit_text(decision_limit), due_text(decision), decision_limit.basis
                )
            )
        )
    return out


def refusal_notice_spec(ctx: CaseContext, *, public: bool = False) -> DocumentSpec:
    """不予受理通知书: the reasons, the legal basis and the remedy (深圳条例 第四十六条: in writing, with reasons)."""
    refuse = ctx.require("refuse")
    reasons = sentence(ctx.text(refuse, "reasons"))
    basis = ctx.text(refuse, "legal_basis") or cite(ctx.matter, "refusal")
    blocks: list[Block] = [Paragraph(addressees(ctx.parties(PartyRole.APPLICANT), public=public), indent=False)]
    blocks.append(Paragraph("{0}，经审查，{1}".format(_application_line(ctx), reasons)))
    blocks.append(Paragraph("根据{0}的规定，本机关决定不予受理。".format(basis.rstrip("。"))))
    if ctx.kind is CaseKind.ADJUDICATION:
        # A refusal to accept is an administrative act of its own: the body and court follow from the issuer.
        blocks.append(Paragraph(refusal_remedy_clause(ctx, lead="{0}如不服本决定，".format(YOU))))
    else:
        other = cited(ctx.matter, "other_routes")
        blocks.append(
            Paragraph(
                "{0}可以依法向其他调解组织申请调解，或者通过仲裁、行政、司法等途径维护自己的权利{1}。".format(
                    YOU, "（{0}）".format(other) if other else ""
                )
            )
        )
    note = ctx.text(refuse, "note")
    if note:
        blocks += paragraphs(note, prefix="说明：")
    blocks.append(KeyValues((("联系电话", ctx.matter.consult_phone),)))
    blocks.append(DateSeal(ctx.office, refuse.on))
    return ctx.spec("refusal_notice", "不予受理通知书", blocks)


def transfer_notice_spec(ctx: CaseContext, *, public: bool = False) -> DocumentSpec:
    """移送告知书: the body the application went to, and why (深圳条例 第四十五条)."""
    transfer = ctx.require("transfer")
    body = ctx.text(transfer, "receiving_body")
    reasons = sentence(ctx.text(transfer, "reasons"))
    basis = cite(ctx.matter, "transfer")
    blocks: list[Block] = [Paragraph(addressees(ctx.parties(PartyRole.APPLICANT), public=public), indent=False)]
    blocks.append(Paragraph("{0}，经审查，{1}".format(_application_line(ctx), reasons)))
    blocks.append(
        Paragraph(
            "根据{0}的规定，本机关已于{1}将该申请移送{2}处理。请{3}与{2}联系。".format(
                basis.rstrip("。"), date_text(transfer.on), body, YOU
            )
        )
    )
    blocks.append(KeyValues((("接收机关", body), ("本机关联系电话", ctx.matter.consult_phone))))
    blocks.append(DateSeal(ctx.office, transfer.on))
    return ctx.spec("transfer_notice", "移送告知书", blocks)
