"""Adjudication documents: 行政裁决权利告知书 and 行政裁决书.

Sources (reference/mission.md §1c): 深圳条例 第二十三条 (recusal), 第五十七条至第五十九条 (mediate first; a signed
and sealed 调解书; else decide promptly); 广东省土地权属纠纷处理条例 (裁决书: 案由, the claims, each side's facts
and reasons, the facts found, the law applied, the decision; a reply not given does not stop the case);
广东省林木林地权属争议调解处理条例 (the decision states the remedy route and its deadline; failing to give the
statutory notices is a violation); 行政复议法 第二十条 (60 days), 行政诉讼法 第四十五条、第四十六条 (15 days after
a review decision, 6 months), 专利法 第六十五条 (15 days). The rights of a party in an adjudication have no
official template; this list follows mission.md §1c: recusal, statement and defence, evidence and the
request to collect it, inspecting the file, one or two agents, a hearing, settlement and mediation,
withdrawal, confidentiality, and the remedy routes with their deadlines.

The remedy routes and periods come from the catalogue matter, as the ``decide`` event copied them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from fzmediate.catalogue.model import Remedy
from fzmediate.documents.model import Block, Clauses, DateSeal, DocumentSpec, Heading, Paragraph, Signatory, Signatures
from fzmediate.documents.templates.common import (
    ROLE_WORDS,
    CaseContext,
    addressees,
    case_line,
    date_text,
    due_text,
    limit_text,
    lines_of,
    paragraphs,
    party_blocks,
    remedy_sentences,
    sentence,
)
from fzmediate.procedure.guard_registry import current_mediator

SHENZHEN = "《深圳经济特区矛盾纠纷多元化解条例》"


def _laws(ctx: CaseContext) -> str:
    """The laws the matter rests on, each once, in the catalogue's order (highest rank first)."""
    laws = list(dict.fromkeys(b.law for b in ctx.matter.legal_basis))
    if SHENZHEN not in laws:
        laws.append(SHENZHEN)
    return "、".join(laws)


def _remedies(ctx: CaseContext, stored: Any = None) -> Sequence[Remedy | Mapping[str, Any]]:
    if isinstance(stored, list) and stored and all(isinstance(r, Mapping) for r in stored):
        return stored
    return ctx.matter.remedies


def remedy_paragraph(ctx: CaseContext, stored: Any = None, *, lead: str = "当事人如不服本裁决，") -> str:
    sentences = remedy_sentences(_remedies(ctx, stored))
    if not sentences:
        return ""
    return lead + "；".join(sentences) + "。"


# --- 行政裁决权利告知书 --------------------------------------------------------------------------------------
def rights_notice_spec(ctx: CaseContext, *, public: bool = False) -> DocumentSpec:
    """行政裁决权利告知书: the parties' rights and duties, the case's deadlines and the remedy routes."""
    accept = ctx.require("accept")
    rights = [
        "申请回避。承办人员与本案有利害关系或者有其他关系，可能影响公正处理的，应当回避；当事人有权申请承办人员"
        "回避，申请时应当说明理由（{0}第二十三条）。".format(SHENZHEN),
        "陈述和申辩。当事人有权陈述事实、提出请求和理由，并对对方当事人的主张进行申辩。",
    ]
    evidence = "提供证据。当事人有权提供证据；因客观原因不能自行收集的证据，可以申请本机关调查收集。"
    reply_limit = ctx.limit("reply")
    if reply_limit is not None:
        evidence += "被申请人应当自{0}起{1}内提交答复和证据材料".format(
            reply_limit.starts_from, limit_text(reply_limit)
        )
        reply = ctx.deadline("reply")
        if reply is not None:
            evidence += "，本案的期限至{0}届满".format(due_text(reply))
        evidence += "；逾期不提交的，不影响本机关依法处理（{0}）。".format(reply_limit.basis)
    rights.append(evidence)
    rights += [
        "查阅材料。当事人有权查阅、复制本案的证据材料，但涉及国家秘密、商业秘密和个人隐私的除外。",
        "委托代理人。当事人可以委托一至二名代理人参加行政裁决活动；委托代理人应当提交载明委托事项和权限的授权委托书。",
        "听证。当事人有权要求举行听证，在听证中对证据进行质证、发表意见。",
        "和解和调解。当事人可以自行和解。本机关先行组织调解；调解达成协议的，制作调解书，经当事人签名或者盖章并"
        "加盖本机关印章后生效；调解不成的，本机关依法作出裁决（{0}第五十八条、第五十九条）。".format(SHENZHEN),
        "撤回申请。申请人在裁决作出前可以撤回申请。",
        "保密。本机关工作人员对在处理过程中知悉的国家秘密、商业秘密和个人隐私依法予以保密。",
    ]
    decision, decision_limit = ctx.deadline("decision"), ctx.limit("decision")
    if decision is not None and decision_limit is not None:
        rights.append(
            "裁决期限。本机关应当自{0}起{1}内作出裁决，即{2}前；依法延长的，或者中止的期间不计入该期限（{3}）。".format(
                decision_limit.starts_from, limit_text(decision_limit), due_text(decision), decision_limit.basis
            )
        )
    remedy = remedy_paragraph(ctx, lead="")
    if remedy:
        rights.append("救济途径。当事人对本机关作出的裁决不服的，" + remedy)
    duties = (
        "如实陈述案件事实，提供真实的证据材料，不得伪造、隐匿或者毁灭证据。",
        "按时参加调解、听证等活动，遵守秩序，尊重承办人员和对方当事人。",
        "在规定期限内提交答复、证据等材料。",
        "自觉履行依法制作的调解书和发生法律效力的裁决。",
    )
    blocks: list[Block] = [Paragraph(addressees(ctx.parties(), public=public), indent=False)]
    blocks.append(
        Paragraph(
            "{0}，本机关已于{1}受理。根据{2}等规定，现将当事人在行政裁决程序中享有的权利和承担的义务告知如下：".format(
                case_line(ctx), date_text(accept.on), _laws(ctx)
            )
        )
    )
    blocks.append(Heading("一、当事人享有的权利"))
    blocks.append(Clauses(tuple(rights), "（一）"))
    blocks.append(Heading("二、当事人承担的义务"))
    blocks.append(Clauses(duties, "（一）"))
    blocks.append(Paragraph("以上权利和义务，当事人阅知后请签名确认。"))
    signatories = [Signatory(ROLE_WORDS[p.role] + p.name) for p in ctx.parties()]
    signatories.append(Signatory("告知人", name=ctx.staff_name(current_mediator(ctx.case)), note="（签名）"))
    blocks.append(Signatures(tuple(signatories)))
    blocks.append(DateSeal(ctx.office, ctx.issue_date))
    return ctx.spec("adjudication_rights_notice", "行政裁决权利告知书", blocks)


# --- 行政裁决书 ----------------------------------------------------------------------------------------------
def _procedure_text(ctx: CaseContext, cause: str) -> str:
    """How the case went: received, accepted, copy served, reply, mediation failed, hearings."""
    case = ctx.case
    parts = ["{0}，本机关于{1}收到申请".format(case_line(ctx, cause), date_text(case.received_on))]
    accept = case.events_of("accept")
    if accept:
        parts.append("于{0}受理".format(date_text(accept[0].on)))
    served = case.events_of("serve_copy")
    if served:
        parts.append("于{0}向被申请人送达了申请书副本".format(date_text(served[0].on)))
    replies = case.events_of("receive_reply")
    if replies:
        parts.append("被申请人于{0}提交了答复".format(date_text(replies[0].on)))
    text = "，".join(parts) + "。"
    if case.events_of("attempt_mediation"):
        text += "本机关依法组织双方当事人先行调解，未能达成调解协议。"
    hearings = case.events_of("hold_hearing")
    if hearings:
        days = "、".join(date_text(e.on) for e in hearings)
        text += "本机关于{0}组织双方当事人进行了听证，听取了双方的陈述、申辩和质证意见。".format(days)
    return text + "本案现已审理终结。"


def decision_spec(ctx: CaseContext, *, public: bool = False) -> DocumentSpec:
    """行政裁决书 from the ``decide`` event: case, claims, each side's facts and reasons, facts found, law
    applied, decision, remedy routes and deadlines."""
    event = ctx.require("decide")
    cause = ctx.text(event, "cause")
    blocks: list[Block] = party_blocks(ctx, public=public, phone=False)
    blocks.append(Paragraph(_procedure_text(ctx, cause)))
    for key, prefix in (
        ("claims", "申请人请求："),
        ("applicant_facts_and_reasons", "申请人称："),
        ("respondent_facts_and_reasons", "被申请人称："),
        ("facts_found", "经审理查明："),
        ("law_applied", "本机关认为，本案适用的法律依据为："),
    ):
        found = list(lines_of(ctx.text(event, key) or (ctx.case.claims if key == "claims" else ""))) or [""]
        found[-1] = sentence(found[-1])
        blocks += paragraphs("\n".join(found), prefix=prefix)
    blocks.append(Paragraph("依照上述规定，本机关裁决如下："))
    decided = lines_of(ctx.text(event, "decision_text"))
    if len(decided) > 1:
        blocks.append(Clauses(decided, "一、"))
    else:
        blocks += paragraphs(ctx.text(event, "decision_text"))
    remedy = remedy_paragraph(ctx, event.payload.get("remedies"))
    if remedy:
        blocks.append(Paragraph(remedy))
    blocks.append(DateSeal(ctx.office, event.on, hanzi_year=True))
    return ctx.spec("decision", "行政裁决书", blocks)
