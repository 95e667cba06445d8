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

import re
from collections.abc import Sequence

from fzmediate.catalogue.model import DecisionWording, Matter
from fzmediate.documents.model import (
    Block,
    Clauses,
    DateSeal,
    DocumentSpec,
    Heading,
    Paragraph,
    PartyBlock,
    Signatory,
    Signatures,
    number_label,
)
from fzmediate.documents.templates.citations import cite, cited
from fzmediate.documents.templates.common import (
    CaseContext,
    addressees,
    date_text,
    due_text,
    limit_text,
    lines_of,
    paragraphs,
    party_details,
    remedy_clause,
    sentence,
)
from fzmediate.domain.case import Authority, Party, PartyKind, PartyRole
from fzmediate.procedure.guard_registry import current_mediator
from fzmediate.procedure.guards_adjudication import contested_points
from fzmediate.security.masking import mask_name

SHENZHEN = "《深圳经济特区矛盾纠纷多元化解条例》"


def _laws(ctx: CaseContext) -> str:
    """The laws the matter rests on, each once, in the catalogue's order (highest rank first)."""
    laws = list(dict.fromkeys(b.law for b in ctx.matter.legal_basis))
    if SHENZHEN not in laws:
        laws.append(SHENZHEN)
    return "、".join(laws)


# --- 行政裁决权利告知书 --------------------------------------------------------------------------------------
def rights_notice_spec(ctx: CaseContext, *, public: bool = False) -> DocumentSpec:
    """行政裁决权利告知书: the parties' rights and duties, the case's deadlines and the remedy routes."""
    accept = ctx.require("accept")
    w = wording(ctx.matter)
    rights = [
        "申请回避。承办人员与本案有利害关系或者有其他关系，可能影响公正处理的，应当回避；当事人有权申请承办人员"
        "回避，申请时应当说明理由（{0}）。".format(cite(ctx.matter, "recusal")),
        "陈述和申辩。当事人有权陈述事实、提出请求和理由，并对对方当事人的主张进行申辩。",
    ]
    evidence = "提供证据。当事人有权提供证据；因客观原因不能自行收集的证据，可以申请本机关调查收集。"
    settlement = "和解和调解。当事人可以自行和解。"
    if ctx.matter.mediation_first:
        settlement += (
            "本机关先行组织调解；调解达成协议的，制作调解书，经当事人签名或者盖章并加盖本机关印章后生效；"
            "调解不成的，本机关依法作出{0}（{1}）。".format(w.ruling, cite(ctx.matter, "mediate_first"))
        )
    reply_limit = ctx.limit("reply")
    if reply_limit is not None:
        evidence += "{0}应当自{1}起{2}内提交答复和证据材料".format(
            w.respondent, reply_limit.starts_from, limit_text(reply_limit)
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
        settlement,
        "撤回{0}。{1}在{2}作出前可以撤回{0}。".format(w.application, w.applicant, w.ruling),
        "保密。本机关工作人员对在处理过程中知悉的国家秘密、商业秘密和个人隐私依法予以保密。",
    ]
    decision, decision_limit = ctx.deadline("decision"), ctx.limit("decision")
    if decision is not None and decision_limit is not None:
        rights.append(
            "{4}期限。本机关应当自{0}起{1}内作出{4}，即{2}前；依法延长的，或者中止的期间不计入该期限（{3}）。".format(
                decision_limit.starts_from,
                limit_text(decision_limit),
                due_text(decision),
                decision_limit.basis,
                w.ruling,
            )
        )
    remedy = remedy_clause(ctx, lead="救济途径。当事人对本机关作出的{0}不服的，".format(w.ruling))
    if remedy:
        rights.append(remedy)
    duties: tuple[str, ...] = (
        "如实陈述案件事实，提供真实的证据材料，不得伪造、隐匿或者毁灭证据。",
        "按时参加调解、听证等活动，遵守秩序，尊重承办人员和对方当事人。",
        "在规定期限内提交答复、证据等材料。",
    )
    status_quo = cited(ctx.matter, "status_quo")
    if status_quo is not None:
        # Land and forest titles: the current use may not be changed while the dispute is open.
        subject = "林木林地" if "森林法" in status_quo or "林木" in ctx.matter.name else "土地"
        duties += (
            "争议解决前，任何一方不得改变争议{0}的现状，不得破坏地上附着物{1}（{2}）。".format(
                subject, "，不得砍伐有争议的林木" if subject == "林木林地" else "", status_quo
            ),
        )
    duties += ("自觉履行依法制作的调解书和发生法律效力的{0}。".format(w.ruling),)
    blocks: list[Block] = [Paragraph(addressees(ctx.parties(), public=public), indent=False)]
    blocks.append(
        Paragraph(
            "{0}，本机关已于{1}受理。根据{2}等规定，现将当事人在行政裁决程序中享有的权利和承担的义务告知如下：".format(
                case_words(ctx, w, public=public), date_text(accept.on), _laws(ctx)
            )
        )
    )
    blocks.append(Heading("一、当事人享有的权利"))
    blocks.append(Clauses(tuple(rights), "（一）"))
    blocks.append(Heading("二、当事人承担的义务"))
    blocks.append(Clauses(duties, "（一）"))
    blocks.append(Paragraph("以上权利和义务，当事人阅知后请签名确认。"))
    signatories = [Signatory(role_word(w, p.role) + p.name) for p in ctx.parties()]
    signatories.append(Signatory("告知人", name=ctx.staff_name(current_mediator(ctx.case)), note="（签名）"))
    blocks.append(Signatures(tuple(signatories)))
    blocks.append(DateSeal(ctx.office, ctx.issue_date))
    return ctx.spec("adjudication_rights_notice", "行政裁决权利告知书", blocks)


# --- 行政裁决书 / 投诉处理决定书 / 处理决定书 ------------------------------------------------------------


def wording(matter: Matter) -> DecisionWording:
    """The matter's decision title and party words (those of a 行政裁决书 unless the catalogue says otherwise)."""
    return matter.decision_wording or DecisionWording()


def role_word(w: DecisionWording, role: PartyRole) -> str:
    return {
        PartyRole.APPLICANT: w.applicant,
        PartyRole.RESPONDENT: w.respondent,
        PartyRole.THIRD_PARTY: w.third_party,
    }.get(role, "委托代理人")


_ROLE_ORDER = (PartyRole.APPLICANT, PartyRole.RESPONDENT, PartyRole.THIRD_PARTY)
_SEP = "：:，,、 　"
#: A leading item number the user typed: 一、 （一） (1) 1. 1、 1．
_NUMBER = re.compile(r"^\s*(?:[（(][一二三四五六七八九十\d]+[）)]|[一二三四五六七八九十]+[、．.]|\d+[、．.)）])\s*")
#: 本机关认为 in the words a user may type it (本局认为, 本府认为, 本委认为 …).
_WE_HOLD = re.compile(r"^\s*(?:本(?:机关|局|府|委|办|单位|厅)|经(?:审理|审查|复核)?)认为[：:，,]?\s*")
_FOUND = re.compile(r"^\s*经(?:审理|调查|审查|核)?(?:查明|查)[：:，,]?\s*")


def strip_label(text: str, labels: Sequence[str] = (), patterns: Sequence[re.Pattern[str]] = ()) -> str:
    """``text`` without a leading label the user typed (e.g. 申请人称：), so that no label prints twice."""
    out = text.strip()
    changed = True
    while changed and out:
        changed = False
        for label in labels:
            if label and out.startswith(label):
                out = out[len(label) :].lstrip(_SEP)
                changed = True
        for pattern in patterns:
            found = pattern.match(out)
            if found and found.end():
                out = out[found.end() :].lstrip(_SEP)
                changed = True
    return out


def _said(word: str, verbs: Sequence[str]) -> re.Pattern[str]:
    """``申请人称：``, ``申请人王某诉称，`` … for a party word and its verbs (a short name may stand between)."""
    return re.compile(
        r"^\s*{0}[^，,。：:]{{0,30}}?(?:{1})[：:，,]\s*".format(re.escape(word), "|".join(map(re.escape, verbs)))
    )


def _numbered_lines(text: str) -> tuple[str, ...]:
    return tuple(
        strip_label(line, patterns=(_NUMBER,)) for line in lines_of(text) if strip_label(line, patterns=(_NUMBER,))
    )


def _section(
    text: str, prefix: str, *, labels: Sequence[str] = (), patterns: Sequence[re.Pattern[str]] = ()
) -> list[Block]:
    """A statement as paragraphs, its label printed once (what the user typed in front is dropped)."""
    found = [strip_label(line, labels, patterns) if i == 0 else line for i, line in enumerate(lines_of(text))]
    found = [line for line in found if line] or [""]
    found[-1] = sentence(found[-1])
    return paragraphs("\n".join(found), prefix=prefix)


def _authority(agent: Party) -> str:
    """代理权限 of an agent: 特别授权 with its scope, 一般授权, or what the power of attorney says."""
    if agent.authority == Authority.SPECIAL.value:
        return "特别授权" + (
            "（{0}）".format(agent.authority_scope.strip().rstrip("。")) if agent.authority_scope.strip() else ""
        )
    if agent.authority == Authority.GENERAL.value:
        return "一般授权" + (
            "（{0}）".format(agent.authority_scope.strip().rstrip("。")) if agent.authority_scope.strip() else ""
        )
    return agent.power_of_attorney.strip().rstrip("。")


def decision_party_blocks(ctx: CaseContext, w: DecisionWording, *, public: bool = False) -> list[Block]:
    """Each party in the matter's words, an organisation's 法定代表人/负责人, and each agent with the scope."""
    blocks: list[Block] = []

    def shown(name: str) -> str:
        return mask_name(name) if public and name else name

    for role in _ROLE_ORDER:
        for party in ctx.parties(role):
            blocks.append(
                PartyBlock(role_word(w, role), shown(party.name), party_details(party, public=public, phone=False))
            )
            representative = party.legal_representative.strip()
            if party.kind is PartyKind.ORGANIZATION and representative:
                title = party.representative_title.strip() or "法定代表人"
                blocks.append(PartyBlock(title, shown(representative)))
            for agent in ctx.agents_of(party):
                details = list(party_details(agent, public=public, phone=False))
                scope = _authority(agent)
                if scope:
                    details.append("代理权限：" + scope)
                blocks.append(PartyBlock("委托代理人", shown(agent.name), tuple(details)))
    return blocks


def _names(ctx: CaseContext, role: PartyRole, public: bool) -> str:
    return ctx.names(role, public=public)


def case_words(ctx: CaseContext, w: DecisionWording, cause: str = "", *, public: bool = False) -> str:
    """``申请人王某与被申请人某公司土地使用权权属争议一案`` in the matter's party words."""
    summary = cause.strip().rstrip("。") or ctx.case.summary.strip().rstrip("。") or ctx.matter.name
    return "{0}{1}与{2}{3}{4}一案".format(
        w.applicant,
        _names(ctx, PartyRole.APPLICANT, public),
        w.respondent,
        _names(ctx, PartyRole.RESPONDENT, public),
        summary,
    )


def _procedure_text(ctx: CaseContext, w: DecisionWording, cause: str, *, public: bool) -> str:
    """How the case went: received, accepted, copy served, reply, mediation, hearings, review and approval."""
    case = ctx.case
    line = case_words(ctx, w, cause, public=public)
    parts = ["{0}，本机关于{1}收到{2}".format(line, date_text(case.received_on), w.application)]
    accept = case.events_of("accept")
    if accept:
        parts.append("于{0}受理".format(date_text(accept[0].on)))
    served = case.events_of("serve_copy")
    if served:
        parts.append("于{0}向{1}送达了{2}书副本".format(date_text(served[0].on), w.respondent, w.application))
    replies = case.events_of("receive_reply")
    if replies:
        parts.append("{0}于{1}提交了答复".format(w.respondent, date_text(replies[0].on)))
    text = "，".join(parts) + "。"
    third = _names(ctx, PartyRole.THIRD_PARTY, public)
    if third:
        text += "{0}{1}参加了本案的处理。".format(w.third_party, third)
    results = [e.payload.get("result") for e in case.events_of("attempt_mediation")]
    if "failed" in results:
        text += "本机关依法组织当事人先行调解，未能达成调解协议。"
    elif "refused" in results:
        text += "本机关依法组织当事人先行调解，当事人不同意调解。"
    hearings = case.events_of("hold_hearing")
    if hearings:
        days = "、".join(date_text(e.on) for e in hearings)
        text += "本机关于{0}组织当事人进行了听证，听取了各方的陈述、申辩和质证意见。".format(days)
    # Of the internal review only that it took place is printed (国办发〔2018〕118号: 法制审核 is internal).
    text += "本案经合法性、合理性审查"
    if case.events_of("record_collective_discussion"):
        text += "和集体讨论"
    text += "，报本机关负责人批准。本案现已审理终结。"
    return text


def _point_title(point: str) -> str:
    body = point.strip().rstrip("。？?；;，,")
    body = strip_label(body, ("关于",))
    return "关于" + body + ("。" if body.endswith("问题") else "的问题。")


def _evidence_sentence(items: Sequence[str]) -> str:
    cleaned = [strip_label(str(i), patterns=(_NUMBER,)).rstrip("。；;，,、") for i in items]
    cleaned = [c for c in cleaned if c]
    if not cleaned:
        return ""
    return "上述事实，有{0}等证据证实。".format("、".join(cleaned))


def _numbering(index: int, total: int) -> str:
    return number_label(index, "（一）") if total > 1 else ""


def _law_text(text: str) -> str:
    """The provisions applied, one line each, joined; a typed 依照/根据 … 之规定 is dropped."""
    laws = [
        strip_label(line, ("本案适用的法律依据为", "适用的法律依据", "法律依据", "依照", "依据", "根据"))
        .rstrip("。；;，,")
        .removesuffix("之规定")
        .removesuffix("的规定")
        for line in lines_of(text)
    ]
    return "、".join(law.rstrip("、，,") for law in laws if law)


def decision_spec(ctx: CaseContext, *, public: bool = False) -> DocumentSpec:
    """The decision (行政裁决书, or the matter's own title) from the ``decide`` event and the contested points.

    Parties (with 法定代表人 and agents), the procedure, the claims and each side's statements (once each), the
    facts found per contested point with the evidence relied on, the reasoning per point, the provisions
    applied, the operative part, the remedy sentence, the issuing body and date.
    """
    event = ctx.require("decide")
    w = wording(ctx.matter)
    points = contested_points(ctx.case)
    blocks: list[Block] = decision_party_blocks(ctx, w, public=public)
    blocks.append(Paragraph(_procedure_text(ctx, w, ctx.text(event, "cause"), public=public)))

    claims = ctx.text(event, "claims") or ctx.case.claims
    request_labels = ("{0}请求".format(w.applicant), "请求事项", "申请事项", "仲裁请求", "请求")
    blocks += _section(claims, "{0}请求：".format(w.applicant), labels=request_labels, patterns=(_NUMBER,))
    blocks += _section(
        ctx.text(event, "applicant_facts_and_reasons"),
        "{0}称：".format(w.applicant),
        labels=("事实和理由", "事实与理由"),
        patterns=(_said(w.applicant, ("诉称", "述称", "称")),),
    )
    blocks += _section(
        ctx.text(event, "respondent_facts_and_reasons"),
        "{0}辩称：".format(w.respondent),
        labels=("答辩意见", "答辩"),
        patterns=(_said(w.respondent, ("答辩称", "辩称", "述称", "称")),),
    )
    third = ctx.text(event, "third_party_statement")
    if third:
        blocks += _section(
            third, "{0}述称：".format(w.third_party), patterns=(_said(w.third_party, ("述称", "陈述称", "称")),)
        )

    general = ctx.text(event, "facts_found")
    found_prefix = "经审理查明："
    if general:
        blocks += _section(general, found_prefix, patterns=(_FOUND,))
        found_prefix = ""
    for index, point in enumerate(points, start=1):
        finding = sentence(strip_label(str(point.payload.get("finding", "")), patterns=(_FOUND,)))
        text = (
            found_prefix
            + _numbering(index, len(points))
            + finding
            + _evidence_sentence(point.payload.get("evidence") or ())
        )
        blocks.append(Paragraph(text))
        found_prefix = ""

    hold_prefix = "本机关认为："
    for index, point in enumerate(points, start=1):
        reasoning = sentence(strip_label(str(point.payload.get("reasoning", "")), patterns=(_WE_HOLD,)))
        title = _point_title(str(point.payload.get("point", "")))
        blocks.append(Paragraph(hold_prefix + _numbering(index, len(points)) + title + reasoning))
        hold_prefix = ""
    ruling_labels = ("{0}如下".format(w.ruling), "裁决结果", "处理决定", "决定如下", "裁决如下")
    blocks.append(
        Paragraph("综上，依照{0}之规定，{1}如下：".format(_law_text(ctx.text(event, "law_applied")), w.ruling))
    )
    decided = [strip_label(line, ruling_labels, (_NUMBER,)) for line in lines_of(ctx.text(event, "decision_text"))]
    decided = [sentence(line) for line in decided if line]
    if len(decided) > 1:
        blocks.append(Clauses(tuple(decided), "一、"))
    elif decided:
        blocks.append(Paragraph(decided[0]))
    remedy = remedy_clause(ctx, event.payload.get("remedies"), lead="当事人如不服本{0}，".format(w.ruling))
    if remedy:
        blocks.append(Paragraph(remedy))
    blocks.append(DateSeal(ctx.office, event.on, hanzi_year=True))
    return ctx.spec("decision", w.title, blocks)
