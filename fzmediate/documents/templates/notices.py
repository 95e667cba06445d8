"""Notices of a case's course: 延期告知书, 中止通知书, 恢复通知书, 回避决定书, 答辩通知书 and the 受理公告.

Each is made from the act it tells the parties about and dated on that act's day:

* 延期告知书 from ``extend_period``: the extended time limit, by how much, the old and the new due date and the
  reasons, on the basis the matter's time limit gives for extending it (深圳条例 第二十五条: the parties' consent;
  广东省土地权属纠纷处理条例 第十六条 and 林木林地条例 第三十五条、第四十条: written reasons to the parties);
* 中止通知书 / 恢复通知书 from ``suspend`` / ``resume``: the reasons and, where the catalogue cites it, that the
  suspended time does not count (林木林地条例 第四十六条: suspension and resumption are told in writing);
* 回避决定书 from ``decide_recusal``: who asked (or who disclosed), the decision and its reasons; no remedy
  (none is provided for a recusal decision in these procedures);
* 答辩通知书 from ``serve_copy`` (adjudication): the reply period from the matter's ``reply`` time limit, with
  its due date, the counterclaim and that no reply does not stop the case (土地条例 第十一条、第十二条; 林木林地
  条例 第三十二条 calls it 提交书面答复和有关证据通知书);
* 受理公告 from ``publish_acceptance_notice`` for a matter with a ``public_notice`` time limit (林木林地条例
  第二十九条第一款: 30 days where the forest land lies): public, every name masked.

Citations come from the matter (its citation table, else the time limit's ``basis``); a notice without a
catalogued basis states the facts without inventing an article.
"""

from __future__ import annotations

from fzmediate.documents.model import Block, DateSeal, DocumentSpec, KeyValues, Paragraph
from fzmediate.documents.templates.citations import basis, cited
from fzmediate.documents.templates.common import (
    ROLE_WORDS,
    YOU,
    CaseContext,
    addressees,
    case_line,
    date_text,
    dispute_words,
    due_text,
    limit_text,
    period_text,
    sentence,
)
from fzmediate.domain.case import CaseEvent, CaseKind, PartyRole
from fzmediate.procedure.guard_registry import ids_of
from fzmediate.procedure.payload import parse_date
from fzmediate.security.masking import mask_name


def _handling(ctx: CaseContext) -> str:
    """调解 for a mediation, 处理 for an adjudication (the act the notices speak of)."""
    return "调解" if ctx.kind is CaseKind.MEDIATION else "处理"


def _accepted(ctx: CaseContext) -> str:
    accept = ctx.last("accept")
    return "，本机关已于{0}受理".format(date_text(accept.on)) if accept is not None else ""


def _contact(ctx: CaseContext) -> KeyValues:
    return KeyValues((("联系电话", ctx.matter.consult_phone),))


def _reasons(ctx: CaseContext, event: CaseEvent) -> str:
    return ctx.text(event, "reasons").rstrip("。；;.，,")


# --- 延期告知书 ----------------------------------------------------------------------------------------------
def extension_notice_spec(ctx: CaseContext, *, public: bool = False) -> DocumentSpec:
    """延期告知书: the time limit extended, the new due date, the reasons and the basis."""
    event = ctx.require("extend_period")
    ext = event.payload.get("extension")
    ext = ext if isinstance(ext, dict) else {}
    name = str(ext.get("time_limit") or "")
    limit = ctx.limit(name)
    label = limit.label if limit is not None else "办理期限"
    amount, unit = ext.get("amount"), str(ext.get("unit") or "")
    period = period_text(amount, unit) if isinstance(amount, int) else ""
    previous, new = parse_date(ext.get("previous_due")), parse_date(ext.get("new_due"))
    ground = str(ext.get("basis") or "") or (limit.basis if limit is not None else "")
    blocks: list[Block] = [Paragraph(addressees(ctx.parties(), public=public), indent=False)]
    consenting = ids_of(event.payload.get("consenting_parties"))
    how = ""
    if consenting:
        names = "、".join(ROLE_WORDS[p.role] + p.name for p in ctx.parties() if p.id in consenting)
        how = "经{0}同意，".format(names)
    approval = ctx.text(event, "approval_ref")
    if approval:
        how += "经批准（{0}），".format(approval)
    blocks.append(
        Paragraph(
            "{0}{1}。因{2}，{3}{4}本案{5}延长{6}，由原定的{7}届满延长至{8}届满。".format(
                case_line(ctx),
                _accepted(ctx),
                _reasons(ctx, event),
                how,
                "根据{0}的规定，".format(ground) if ground else "",
                label,
                period,
                date_text(previous),
                date_text(new),
            )
        )
    )
    blocks.append(Paragraph("特此告知。"))
    blocks.append(_contact(ctx))
    blocks.append(DateSeal(ctx.office, event.on))
    return ctx.spec("extension_notice", "延期告知书", blocks)


# --- 中止通知书 / 恢复通知书 ---------------------------------------------------------------------------------
def _suspension_basis(ctx: CaseContext) -> str:
    found = cited(ctx.matter, "suspension")
    if found:
        return found
    limit = ctx.limit("suspension")
    return limit.basis if limit is not None else ""


def suspension_notice_spec(ctx: CaseContext, *, public: bool = False) -> DocumentSpec:
    """中止通知书: the case stands still from the act's day, with the reasons."""
    event = ctx.require("suspend")
    ground = _suspension_basis(ctx)
    blocks: list[Block] = [Paragraph(addressees(ctx.parties(), public=public), indent=False)]
    text = "{0}{1}。因{2}，本机关决定自{3}起中止{4}".format(
        case_line(ctx), _accepted(ctx), _reasons(ctx, event), date_text(event.on), _handling(ctx)
    )
    if ground:
        text += "。中止期间不计入本案的办理期限（{0}）".format(ground)
    blocks.append(Paragraph(text + "。"))
    blocks.append(Paragraph("中止的原因消除后，本机关将恢复{0}，并书面通知{1}。".format(_handling(ctx), YOU)))
    blocks.append(Paragraph("特此通知。"))
    blocks.append(_contact(ctx))
    blocks.append(DateSeal(ctx.office, event.on))
    return ctx.spec("suspension_notice", "中止通知书", blocks)


def resumption_notice_spec(ctx: CaseContext, *, public: bool = False) -> DocumentSpec:
    """恢复通知书: the case goes on from the act's day; the agency's running deadlines with their new dates."""
    event = ctx.require("resume")
    suspended = [e for e in ctx.case.events_of("suspend") if e.seq < event.seq]
    since = "本机关于{0}中止{1}".format(date_text(suspended[-1].on), _handling(ctx)) if suspended else ""
    blocks: list[Block] = [Paragraph(addressees(ctx.parties(), public=public), indent=False)]
    blocks.append(
        Paragraph(
            "{0}{1}，{2}。因{3}，本机关决定自{4}起恢复{5}。".format(
                case_line(ctx), _accepted(ctx), since, _reasons(ctx, event), date_text(event.on), _handling(ctx)
            ).replace("，。", "。")
        )
    )
    running = [
        d
        for d in ctx.deadlines
        if d.status in ("open", "overdue") and d.applies_to == "agency" and not d.waiting_period
    ]
    ground = _suspension_basis(ctx)
    if running:
        dues = "；".join("{0}至{1}届满".format(d.label, due_text(d)) for d in running)
        blocks.append(Paragraph("扣除中止的期间，本案{0}{1}。".format(dues, basis(ground))))
    blocks.append(Paragraph("特此通知。"))
    blocks.append(_contact(ctx))
    blocks.append(DateSeal(ctx.office, event.on))
    return ctx.spec("resumption_notice", "恢复通知书", blocks)


# --- 回避决定书 ----------------------------------------------------------------------------------------------
def _recused_staff(ctx: CaseContext, decision: CaseEvent) -> str:
    """Who the decision is about: the replaced mediator (granted), else the one in charge before it."""
    replaced = ctx.text(decision, "replaced_mediator")
    if replaced:
        return ctx.staff_name(replaced)
    login = ctx.case.assigned_mediator
    for event in ctx.case.events:
        if event.seq >= decision.seq:
            break
        if event.action == "decide_recusal" and event.payload.get("decision") == "granted":
            login = ctx.text(event, "new_mediator") or login
    return ctx.staff_name(login)


def recusal_decision_spec(ctx: CaseContext, *, public: bool = False) -> DocumentSpec:
    """回避决定书: the request (or the disclosure), the decision and its reasons; states no remedy."""
    decision = ctx.require("decide_recusal")
    before = [
        e for e in ctx.case.events if e.seq < decision.seq and e.action in ("request_recusal", "disclose_conflicts")
    ]
    raised = next(
        (e for e in reversed(before) if e.action == "request_recusal" or e.payload.get("has_conflict") is True), None
    )
    staff = _recused_staff(ctx, decision)
    who = "承办人员{0}".format(staff) if staff else "承办人员"
    requester = ctx.party(raised.payload.get("party")) if raised is not None else None
    recipients = [requester] if requester is not None else list(ctx.parties())
    blocks: list[Block] = [Paragraph(addressees(recipients, public=public), indent=False)]
    if raised is not None and raised.action == "request_recusal" and requester is not None:
        opening = "{0}，{1}{2}于{3}以{4}为由，申请{5}回避。".format(
            case_line(ctx),
            ROLE_WORDS[requester.role],
            requester.name,
            date_text(raised.on),
            ctx.text(raised, "reasons").rstrip("。") or "（未说明理由）",
            who,
        )
    elif raised is not None:
        opening = "{0}，{1}于{2}披露其与本案存在可能影响公正处理的关系：{3}".format(
            case_line(ctx), who, date_text(raised.on), sentence(ctx.text(raised, "details"))
        )
    else:
        opening = "{0}，本机关对{1}是否应当回避进行了审查。".format(case_line(ctx), who)
    blocks.append(Paragraph(opening))
    reasons = _reasons(ctx, decision)
    ground = cited(ctx.matter, "recusal") or ""
    according = "根据{0}的规定，".format(ground) if ground else ""
    if decision.payload.get("decision") == "granted":
        new = ctx.staff_name(ctx.text(decision, "new_mediator"))
        result = "{0}回避".format(who) + ("，本案改由{0}承办".format(new) if new else "")
    else:
        result = "驳回回避申请，{0}继续承办本案".format(who)
    blocks.append(
        Paragraph("经审查，本机关认为：{0}。{1}决定如下：{2}。".format(reasons or "（理由见案卷）", according, result))
    )
    blocks.append(Paragraph("特此决定。"))
    blocks.append(DateSeal(ctx.office, decision.on))
    return ctx.spec("recusal_decision", "回避决定书", blocks)


# --- 答辩通知书 ----------------------------------------------------------------------------------------------
def reply_notice_spec(ctx: CaseContext, *, public: bool = False) -> DocumentSpec:
    """答辩通知书 to the respondents served: the reply period from the matter, its due date, a counterclaim."""
    served = ctx.require("serve_copy")
    chosen = ids_of(served.payload.get("parties"))
    respondents = [p for p in ctx.parties(PartyRole.RESPONDENT) if not chosen or p.id in chosen]
    blocks: list[Block] = [Paragraph(addressees(respondents, public=public), indent=False)]
    wording = getattr(ctx.matter, "decision_wording", None)
    word = getattr(wording, "application", "") or "申请"
    blocks.append(
        Paragraph(
            "{0}就其与{1}之间的{2}向本机关{3}行政裁决，本机关已于{4}受理，现将{3}书副本送达{1}。".format(
                ctx.names(PartyRole.APPLICANT, public=public),
                YOU,
                dispute_words(ctx.case.summary or ctx.matter.name),
                word,
                date_text(ctx.require("accept").on),
            )
        )
    )
    limit = ctx.limit("reply")
    if limit is not None:
        text = "{0}应当自{1}起{2}内，向本机关提交书面答复和有关证据材料，并按对方当事人的人数提交副本".format(
            YOU, limit.starts_from, limit_text(limit)
        )
        due = ctx.deadline("reply")
        if due is not None:
            text += "（本案至{0}届满）".format(due_text(due))
        text += (
            "。{0}可以承认或者反驳申请人的请求，也可以提出反请求。逾期未提交书面答复和证据材料的，"
            "不影响本案的处理（{1}）。".format(YOU, limit.basis)
        )
        blocks.append(Paragraph(text))
    else:
        blocks.append(Paragraph("请{0}及时向本机关提交书面答复和有关证据材料。".format(YOU)))
    status_quo = cited(ctx.matter, "status_quo")
    if status_quo:
        blocks.append(Paragraph("争议解决前，任何一方不得改变争议土地、林木林地的现状（{0}）。".format(status_quo)))
    blocks.append(Paragraph("特此通知。"))
    blocks.append(_contact(ctx))
    blocks.append(DateSeal(ctx.office, served.on))
    return ctx.spec("reply_notice", "答辩通知书", blocks)


# --- 受理公告 ------------------------------------------------------------------------------------------------
def acceptance_announcement_spec(ctx: CaseContext, *, public: bool = True) -> DocumentSpec:
    """受理公告: a public notice where the land lies, for the period of the matter's ``public_notice`` limit;
    every party's name masked."""
    event = ctx.require("publish_acceptance_notice")
    accept = ctx.require("accept")
    limit = ctx.limit("public_notice")
    names = {
        role: "、".join(mask_name(p.name) if public else p.name for p in ctx.parties(role))
        for role in (PartyRole.APPLICANT, PartyRole.RESPONDENT)
    }
    summary = ctx.case.summary.strip().rstrip("。") or ctx.matter.name
    blocks: list[Block] = [
        Paragraph(
            "申请人{0}与被申请人{1}{2}一案，本机关已于{3}受理，案件编号为{4}。".format(
                names[PartyRole.APPLICANT], names[PartyRole.RESPONDENT], summary, date_text(accept.on), ctx.case.number
            )
        )
    ]
    where = ctx.text(event, "note")
    if where:
        # The act's note describes the disputed land (位置、四至、面积) for those who may have an interest in it.
        blocks.append(Paragraph("争议林木林地的位置和范围：" + sentence(where)))
    if limit is not None:
        text = "根据{0}的规定，现予公告。公告期为{1}，自{2}起".format(
            limit.basis, limit_text(limit), date_text(event.on)
        )
        due = ctx.deadline("public_notice")
        if due is not None:
            text += "至{0}止".format(due_text(due))
        blocks.append(Paragraph(text + "。"))
    blocks.append(
        Paragraph(
            "与本争议有利害关系的单位或者个人，可以在公告期内持身份证明和有关材料向本机关申请作为第三人参加调处，"
            "或者提出书面意见。"
        )
    )
    status_quo = cited(ctx.matter, "status_quo")
    blocks.append(
        Paragraph("争议解决前，任何一方不得砍伐有争议的林木，不得改变林地现状{0}。".format(basis(status_quo or "")))
    )
    blocks.append(KeyValues((("受理地点", ctx.matter.place), ("联系电话", ctx.matter.consult_phone))))
    blocks.append(Paragraph("本公告已隐去当事人的个人信息。"))
    blocks.append(DateSeal(ctx.office, event.on))
    return ctx.spec("acceptance_announcement", "受理公告", blocks)
