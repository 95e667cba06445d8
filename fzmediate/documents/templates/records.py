"""Records of a case: 调解笔录, 听证笔录, 送达回证 and 回访记录.

Each is made from the events that justify it, never from words typed for the printout:

* 调解笔录 from ``hold_session`` (date, place, present, mediator, summary): a record the parties read and sign
  (深圳条例 第七十三条 names the 调解笔录 as where undisputed facts are signed; the 卷宗 template lists the
  调解记录 as a required item);
* 听证笔录 from ``hold_hearing`` (the same elements, the hearing's host instead of the mediator);
* 送达回证 for every service event (``serve_copy``, ``serve_decision``, ``issue_termination_notice``): one page
  per event naming the document served, each recipient with a place to sign and date, the method, the date and
  the server (the recipient notes the date of receipt and signs, 民事诉讼法 第八十七条 as practice follows it;
  广东省林木林地权属争议调解处理条例 第四十二条 requires it for a 林权 decision);
* 回访记录 from ``follow_up``: how the agreement was performed, signed by the visitor.

A record prints one page (or block) per event of its act, so a case with two sessions gets both in one
document; issuing again after a later event makes the next version.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from fzmediate.documents.model import (
    Block,
    DocumentSpec,
    KeyValues,
    PageBreak,
    Paragraph,
    Signatory,
    Signatures,
)
from fzmediate.documents.templates.citations import basis, cited
from fzmediate.documents.templates.common import (
    ROLE_WORDS,
    CaseContext,
    case_line,
    date_text,
    lines_of,
    sentence,
    signature_lines,
)
from fzmediate.domain.case import CaseEvent, Party, PartyKind, PartyRole
from fzmediate.procedure.guard_registry import current_mediator, ids_of

#: 送达方式 as printed (the choices of the service acts).
SERVICE_METHOD_WORDS = {
    "in_person": "直接送达",
    "post": "邮寄送达",
    "electronic": "电子送达",
    "left_at_address": "留置送达",
    "public_notice": "公告送达",
}
#: The acts that serve a document on parties, and what each serves (by the kind's printed name).
SERVICE_ACTS = ("serve_copy", "serve_decision", "issue_termination_notice")
_PERFORMANCE_WORDS = {
    "performed": "已按协议履行完毕",
    "partly_performed": "已部分履行",
    "not_performed": "尚未履行",
}


# --- who signs ----------------------------------------------------------------------------------------------
def signatories(ctx: CaseContext, parties: Sequence[Party] | None = None) -> list[Signatory]:
    """A place to sign for each principal party, its 法定代表人/负责人 and each of its agents (the shared
    `signature_lines`). ``parties``: only these principals and their agents (those present at a meeting)."""
    if parties is None:
        return signature_lines(ctx)
    wanted = {p.id for p in parties}
    kept = tuple(
        p for p in ctx.case.parties if p.id in wanted or (p.role is PartyRole.AGENT and p.represents in wanted)
    )
    return signature_lines(replace(ctx, case=replace(ctx.case, parties=kept)))


def _present(ctx: CaseContext, event: CaseEvent) -> tuple[list[Party], list[Party]]:
    """The principal parties present at a meeting and those absent (party order)."""
    here = ids_of(event.payload.get("present"))
    present = [p for p in ctx.parties() if p.id in here]
    absent = [p for p in ctx.parties() if p.id not in here]
    return present, absent


def _people(ctx: CaseContext, parties: Sequence[Party]) -> str:
    """``申请人王𠮷（委托代理人李𬌗）、被申请人张䶮``."""
    out = []
    for party in parties:
        text = ROLE_WORDS[party.role] + party.name
        extra = []
        representative = party.legal_representative.strip()
        if party.kind is PartyKind.ORGANIZATION and representative:
            extra.append((party.representative_title.strip() or "法定代表人") + representative)
        extra += ["委托代理人" + a.name for a in ctx.agents_of(party)]
        out.append(text + ("（{0}）".format("，".join(extra)) if extra else ""))
    return "、".join(out) or "无"


def _staff_at(ctx: CaseContext, event: CaseEvent) -> str:
    """The name of the staff member who recorded the act (its actor), else the mediator in charge."""
    return ctx.staff_name(event.actor) or ctx.staff_name(current_mediator(ctx.case))


def _meeting_page(ctx: CaseContext, event: CaseEvent, *, host: str, what: str) -> list[Block]:
    present, absent = _present(ctx, event)
    place = ctx.text(event, "place")
    rows: list[tuple[str, str]] = [
        ("案件编号", ctx.case.number),
        ("案由", ctx.case.summary or ctx.matter.name),
        ("时间", date_text(event.on)),
        ("地点", place),
        (host, _staff_at(ctx, event)),
        ("记录人", ""),
        ("到场当事人", _people(ctx, present)),
    ]
    if absent:
        rows.append(("未到场当事人", _people(ctx, absent)))
    blocks: list[Block] = [KeyValues(tuple(rows))]
    acknowledged = ctx.case.events_of("acknowledge_rights_notice")
    if acknowledged:
        blocks.append(
            Paragraph(
                "{0}前，本机关已告知当事人享有的权利和承担的义务，当事人已于{1}签收权利义务告知书。".format(
                    what, date_text(acknowledged[0].on)
                )
            )
        )
    blocks.append(Paragraph("{0}情况：".format(what), indent=False))
    summary = lines_of(ctx.text(event, "summary"))
    blocks += [Paragraph(sentence(line)) for line in summary] or [Paragraph("")]
    return blocks


def _close_record(ctx: CaseContext, present: Sequence[Party], host: str, event: CaseEvent) -> list[Block]:
    people = signatories(ctx, present)
    people.append(Signatory(host, name=_staff_at(ctx, event), note="（签名）"))
    people.append(Signatory("记录人", note="（签名）"))
    return [
        Paragraph("以上笔录已交到场人员阅看（或者向其宣读），经核对无误，签名确认。"),
        Signatures(tuple(people)),
    ]


# --- 调解笔录 ------------------------------------------------------------------------------------------------
def mediation_record_spec(ctx: CaseContext, *, public: bool = False) -> DocumentSpec:
    """调解笔录: one record per mediation session, signed by those present, the mediator and the clerk."""
    blocks: list[Block] = []
    for number, event in enumerate(ctx.case.events_of("hold_session")):
        if number:
            blocks.append(PageBreak())
        blocks += _meeting_page(ctx, event, host="调解员", what="调解")
        secret = cited(ctx.matter, "confidentiality")
        blocks.append(
            Paragraph(
                "调解员及其他有关人员对调解中知悉的当事人个人隐私和商业秘密负有保密义务{0}。".format(
                    basis(secret or "")
                )
            )
        )
        present, _absent = _present(ctx, event)
        blocks += _close_record(ctx, present, "调解员", event)
    return ctx.spec("mediation_record", "调解笔录", blocks)


# --- 听证笔录 ------------------------------------------------------------------------------------------------
def hearing_record_spec(ctx: CaseContext, *, public: bool = False) -> DocumentSpec:
    """听证笔录: one record per hearing (听取意见、质证), signed by those present, the host and the clerk."""
    blocks: list[Block] = []
    for number, event in enumerate(ctx.case.events_of("hold_hearing")):
        if number:
            blocks.append(PageBreak())
        blocks += _meeting_page(ctx, event, host="主持人", what="听证")
        present, _absent = _present(ctx, event)
        blocks += _close_record(ctx, present, "主持人", event)
    return ctx.spec("hearing_record", "听证笔录", blocks)


# --- 送达回证 ------------------------------------------------------------------------------------------------
def served_document(ctx: CaseContext, event: CaseEvent) -> str:
    """The document a service act served, as the 送达回证 names it (``《行政裁决书》``)."""
    if event.action == "serve_copy":
        return "《{0}》副本、《答辩通知书》".format(_application_title(ctx))
    if event.action == "serve_decision":
        return "《{0}》".format(_decision_title(ctx))
    return "《终止调解通知书》"


def _application_title(ctx: CaseContext) -> str:
    wording = getattr(ctx.matter, "decision_wording", None)
    word = getattr(wording, "application", "") or "申请"
    return "{0}书".format(word)


def _decision_title(ctx: CaseContext) -> str:
    wording = getattr(ctx.matter, "decision_wording", None)
    title = getattr(wording, "title", "")
    return title if isinstance(title, str) and title else "行政裁决书"


def service_events(ctx: CaseContext) -> tuple[CaseEvent, ...]:
    return tuple(e for e in ctx.case.events if e.action in SERVICE_ACTS)


def _served_on(ctx: CaseContext, event: CaseEvent) -> list[Party]:
    chosen = ids_of(event.payload.get("parties"))
    if chosen:
        return [p for p in ctx.case.parties if p.id in chosen]
    return list(ctx.parties())


def service_receipt_spec(ctx: CaseContext, *, public: bool = False) -> DocumentSpec:
    """送达回证: one page per service event (document, recipients, method, date, signatures)."""
    blocks: list[Block] = []
    for number, event in enumerate(service_events(ctx)):
        if number:
            blocks.append(PageBreak())
        method = ctx.text(event, "method")
        recipients = _served_on(ctx, event)
        rows: list[tuple[str, str]] = [
            ("案件编号", ctx.case.number),
            ("案由", case_line(ctx)),
            ("送达文书", served_document(ctx, event)),
            ("送达机关", ctx.office),
            ("受送达人", "、".join(ROLE_WORDS[p.role] + p.name for p in recipients)),
            ("送达地址", "；".join(p.name + "：" + p.address for p in recipients if p.address.strip())),
            ("送达方式", SERVICE_METHOD_WORDS.get(method, "")),
            ("送达日期", date_text(event.on)),
        ]
        blocks.append(KeyValues(tuple(rows)))
        if method == "public_notice":
            blocks.append(Paragraph("本文书以公告方式送达，公告的载体、日期附后，受送达人无需签收。"))
        else:
            blocks.append(
                Paragraph(
                    "受送达人收到上列文书后，请在下方签名或者盖章，并写明收到日期。由他人代收的，代收人应当写明"
                    "代收理由和与受送达人的关系；受送达人拒绝签收的，送达人应当记明拒收事由和日期，由见证人签名。"
                )
            )
        people = [Signatory("受送达人" + p.name) for p in recipients]
        people.append(Signatory("代收人及代收理由", note="（签名）"))
        people.append(Signatory("送达人", name=_staff_at(ctx, event), note="（签名）"))
        if method == "left_at_address":
            people.append(Signatory("见证人", note="（签名）"))
        blocks.append(Signatures(tuple(people)))
        blocks.append(Paragraph("备注：", indent=False))
    return ctx.spec("service_receipt", "送达回证", blocks)


# --- 回访记录 ------------------------------------------------------------------------------------------------
def follow_up_record_spec(ctx: CaseContext, *, public: bool = False) -> DocumentSpec:
    """回访记录: each follow-up visit after the agreement, how it was performed, signed by the visitor."""
    agreement = ctx.case.last_event("record_agreement")
    blocks: list[Block] = []
    for number, event in enumerate(ctx.case.events_of("follow_up")):
        if number:
            blocks.append(PageBreak())
        rows: list[tuple[str, str]] = [
            ("案件编号", ctx.case.number),
            ("案由", case_line(ctx)),
            ("调解协议达成日期", date_text(agreement.on) if agreement is not None else ""),
            ("回访日期", date_text(event.on)),
            ("回访人", _staff_at(ctx, event)),
            ("被回访人", "、".join(ROLE_WORDS[p.role] + p.name for p in ctx.parties())),
            ("履行情况", _PERFORMANCE_WORDS.get(ctx.text(event, "performance"), "")),
        ]
        blocks.append(KeyValues(tuple(rows)))
        note = ctx.text(event, "note")
        if note:
            blocks += [Paragraph(sentence(line)) for line in lines_of(note)]
        if ctx.text(event, "performance") != "performed":
            performance = cited(ctx.matter, "performance")
            blocks.append(
                Paragraph(
                    "调解协议具有法律约束力，当事人应当按照协议履行；一方当事人不履行的，对方当事人可以申请本机关"
                    "督促其履行{0}。".format(basis(performance or ""))
                )
            )
        people = signatories(ctx)
        people.append(Signatory("回访人", name=_staff_at(ctx, event), note="（签名）"))
        blocks.append(Signatures(tuple(people)))
    return ctx.spec("follow_up_record", "回访记录", blocks)
