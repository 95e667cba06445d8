"""What every case document is made from, and the wording shared by the case templates.

A case template is a function ``(CaseContext, *, public) -> DocumentSpec``. `CaseContext` holds plain values
only (no ORM rows): the case as the procedure engine sees it (`CaseRecord`, with every event and its
payload), the catalogue matter of the case's PINNED catalogue version, the case's deadlines as the legal
clock computed them on the day of issue, the issuing body's name and the names of the staff who acted.
The case layer (`fzmediate.services.documents`) fills it.

Legal wording is Simplified Chinese data written here, never gettext: a document reads the same whatever the
language of the screen. Periods are written ``30日``, ``5个工作日``, ``6个月`` (`period_text`), dates
``2026年11月29日`` (`chinese_date`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import phonenumbers

from fzmediate.catalogue.model import Matter, Remedy, TimeLimit
from fzmediate.catalogue.org import Issuer
from fzmediate.documents.coverage import require_glyphs
from fzmediate.documents.formatting import chinese_date
from fzmediate.documents.model import Block, DocumentMeta, DocumentSpec, Paragraph, PartyBlock, Signatory
from fzmediate.domain.case import CaseEvent, CaseKind, CaseRecord, Party, PartyKind, PartyRole
from fzmediate.errors import ValidationError
from fzmediate.i18n import _
from fzmediate.procedure.engine import DeadlineInfo
from fzmediate.security.masking import mask_address, mask_id_number, mask_name, mask_phone

#: Party roles as documents name them.
#: Adjudication documents use the same words (广东省土地权属纠纷处理条例: 申请人、被申请人; the 专利行政执法办法
#: says 请求人/被请求人, which a district may prefer in its own template).
ROLE_WORDS: Mapping[PartyRole, str] = {
    PartyRole.APPLICANT: "申请人",
    PartyRole.RESPONDENT: "被申请人",
    PartyRole.THIRD_PARTY: "第三人",
    PartyRole.AGENT: "委托代理人",
}
ID_WORDS: Mapping[str, str] = {
    "resident_id": "公民身份号码",
    "hk_macao_permit": "港澳居民来往内地通行证号码",
    "taiwan_permit": "台湾居民来往大陆通行证号码",
    "hmt_residence": "港澳台居民居住证号码",
    "foreign_permanent": "外国人永久居留身份证号码",
    "passport": "护照号码",
    "uscc": "统一社会信用代码",
}
UNIT_WORDS: Mapping[str, str] = {"working_days": "个工作日", "calendar_days": "日", "months": "个月", "years": "年"}
KIND_WORDS: Mapping[CaseKind, str] = {CaseKind.MEDIATION: "行政调解", CaseKind.ADJUDICATION: "行政裁决"}
#: How people are addressed in a notice to a party that may be a person or an organisation.
YOU = "你（单位）"


@dataclass(frozen=True)
class CaseContext:
    """Everything a case document states (see module docs)."""

    case: CaseRecord
    matter: Matter
    #: The issuing body (名称 under which the document is sealed).
    office: str
    document_id: str
    issue_date: dt.date
    issued_at: dt.datetime | None = None
    #: The case's deadlines as of the issue date (``ProcedureEngine.deadlines``).
    deadlines: tuple[DeadlineInfo, ...] = ()
    #: Login → full name of the staff who act in the case (mediators, reviewers).
    staff: Mapping[str, str] = field(default_factory=dict)
    #: The issuing body (`office` is its name) with its review body and court; None only in bare template tests.
    issuer: Issuer | None = None

    # --- the case ----------------------------------------------------------------------------------
    @property
    def kind(self) -> CaseKind:
        return self.case.kind

    @property
    def kind_words(self) -> str:
        return KIND_WORDS[self.case.kind]

    def last(self, action: str) -> CaseEvent | None:
        return self.case.last_event(action)

    def require(self, action: str) -> CaseEvent:
        """The latest event of ``action``; the kinds registry checked that there is one."""
        event = self.case.last_event(action)
        if event is None:
            raise LookupError(action)
        return event

    def text(self, event: CaseEvent | None, key: str) -> str:
        if event is None:
            return ""
        value = event.payload.get(key)
        return value.strip() if isinstance(value, str) else ""

    def deadline(self, name: str) -> DeadlineInfo | None:
        return next((d for d in self.deadlines if d.name == name), None)

    def limit(self, name: str) -> TimeLimit | None:
        return self.matter.time_limit(name)

    # --- parties -----------------------------------------------------------------------------------
    def parties(self, *roles: PartyRole) -> tuple[Party, ...]:
        wanted = set(roles) if roles else {PartyRole.APPLICANT, PartyRole.RESPONDENT, PartyRole.THIRD_PARTY}
        return tuple(p for p in self.case.parties if p.role in wanted)

    def party(self, party_id: object) -> Party | None:
        return self.case.party(party_id) if isinstance(party_id, str) else None

    def agents_of(self, party: Party) -> tuple[Party, ...]:
        return tuple(p for p in self.case.parties if p.role is PartyRole.AGENT and p.represents == party.id)

    def names(self, *roles: PartyRole, public: bool = False) -> str:
        """``王𠮷、张䶮``: the names of the parties with these roles, in party order."""
        return "、".join(mask_name(p.name) if public else p.name for p in self.parties(*roles))

    def staff_name(self, login: str) -> str:
        return self.staff.get(login, "") if login else ""

    # --- the document ------------------------------------------------------------------------------
    def meta(self, title: str) -> DocumentMeta:
        return DocumentMeta(
            document_id=self.document_id,
            issue_date=self.issue_date,
            case_number=self.case.number,
            issuer=self.office,
            issued_at=self.issued_at,
            subject="{0} {1}".format(title, self.case.number),
        )

    def spec(self, kind: str, title: str, blocks: Sequence[Block]) -> DocumentSpec:
        return DocumentSpec(kind, title, tuple(blocks), self.meta(title), number=self.case.number)


def check_case_text(ctx: CaseContext) -> None:
    """Refuse (naming the field) any character of the case's own text that no shipped font can draw."""
    for number, party in enumerate(ctx.case.parties, start=1):
        extra = (party.legal_representative, party.authority_scope)
        for value in (party.name, party.address, party.id_number, party.phone, *extra):
            require_glyphs(value, field=_("party {n}").format(n=number))
    for name, value in ((_("facts"), ctx.case.facts), (_("claims"), ctx.case.claims), (_("summary"), ctx.case.summary)):
        require_glyphs(value, field=name)
    require_glyphs(ctx.office, field=_("issuing body"))


# --- words ------------------------------------------------------------------------------------------------
def period_text(amount: int, unit: str) -> str:
    """``30日``, ``5个工作日``, ``6个月``, ``1年``."""
    return "{0}{1}".format(amount, UNIT_WORDS.get(unit, unit))


def limit_text(limit: TimeLimit) -> str:
    return period_text(limit.amount, limit.unit)


def date_text(value: dt.date | None) -> str:
    return chinese_date(value) if value is not None else ""


def due_text(info: DeadlineInfo) -> str:
    """``2026年11月11日``; when no holiday notice for the year is published yet (the statutory holidays are counted,
    the make-up days are not known), marked as provisional."""
    return chinese_date(info.due) + ("（按法定节假日推算，以公布的节假日安排为准）" if info.provisional else "")


def sentence(text: str) -> str:
    """``text`` ending in exactly one full stop (user text may end in 。 or not)."""
    body = text.strip().rstrip("。；;.，,")
    return body + "。" if body else ""


def lines_of(text: str) -> tuple[str, ...]:
    """Non-empty lines of a multi-line field (each becomes an item or a paragraph)."""
    return tuple(line.strip() for line in text.splitlines() if line.strip())


def paragraphs(text: str, *, prefix: str = "") -> list[Block]:
    """A field as paragraphs, one per line; ``prefix`` goes in front of the first."""
    found = list(lines_of(text)) or [""]
    found[0] = prefix + found[0]
    return [Paragraph(line) for line in found]


def phone_text(phone: str) -> str:
    """A stored (E.164) phone as written in a document: a mainland mobile without ``+86`` (``13912345678``), a
    mainland landline with its trunk 0 and area code (``0755-28881234``), an extension as ``转123``."""
    text = phone.strip()
    if not text.startswith("+86") or len(text) <= 3:
        return text
    try:
        number = phonenumbers.parse(text, "CN")
    except phonenumbers.NumberParseException:
        return text[3:]
    national = str(phonenumbers.national_significant_number(number))
    extension = "转" + number.extension if number.extension else ""
    area = int(phonenumbers.length_of_geographical_area_code(number))
    if (national.startswith("1") and len(national) == 11) or area == 0:
        return national + extension
    return "0{0}-{1}{2}".format(national[:area], national[area:], extension)


def dispute_words(summary: str) -> str:
    """``物业服务费纠纷`` from a case summary, adding 纠纷 unless it already says 纠纷/争议."""
    text = summary.strip().rstrip("。")
    return text if text.endswith(("纠纷", "争议", "争执")) else text + "纠纷"


def closing_lines(office: str) -> Paragraph:
    """``此致`` and the addressee on the next line, flush left (one paragraph, so they stay together)."""
    return Paragraph("此致\n" + office)


def party_details(party: Party, *, public: bool = False, phone: bool = True) -> tuple[str, ...]:
    """The details after a party's name: identity document number, address (住所 for an organisation), phone.

    ``public`` masks them for a printout that leaves the file (kiosk receipts, guides).
    """
    id_number = mask_id_number(party.id_number) if public and party.id_number else party.id_number
    address = mask_address(party.address) if public and party.address else party.address
    phone_number = mask_phone(party.phone) if public and party.phone else phone_text(party.phone)
    words = ID_WORDS.get(party.id_type, "证件号码")
    out = []
    if id_number:
        out.append("{0}：{1}".format(words, id_number))
    if address:
        out.append(("住所：" if party.kind is PartyKind.ORGANIZATION else "住") + address)
    if phone and phone_number:
        out.append("联系电话：" + phone_number)
    return tuple(out)


#: 一般授权 / 特别授权 as documents write an agent's authority ("" for one registered without it).
AUTHORITY_WORDS: Mapping[str, str] = {"general": "一般授权", "special": "特别授权"}


def representative_line(party: Party, *, public: bool = False) -> str:
    """``法定代表人：赵某`` (or ``负责人：…``) of an organisation; "" for a person or when none is on file."""
    name = party.legal_representative.strip()
    if party.kind is not PartyKind.ORGANIZATION or not name:
        return ""
    title = party.representative_title or "法定代表人"
    return "{0}：{1}".format(title, mask_name(name) if public else name)


def agent_words(agent: Party, principal: Party | None, *, public: bool = False) -> str:
    """``（代理申请人王𠮷，特别授权：代为签署调解协议）``: whom an agent represents, its authority and scope."""
    parts = []
    if principal is not None:
        who = mask_name(principal.name) if public else principal.name
        parts.append("代理{0}{1}".format(ROLE_WORDS[principal.role], who))
    authority = AUTHORITY_WORDS.get(agent.authority, "")
    scope = agent.authority_scope.strip()
    if authority and scope and not public:
        parts.append("{0}：{1}".format(authority, scope))
    elif authority:
        parts.append(authority)
    return "（{0}）".format("，".join(parts)) if parts else ""


def party_blocks(ctx: CaseContext, *, public: bool = False, phone: bool = True) -> list[Block]:
    """One `PartyBlock` per principal party (an organisation with its 法定代表人/负责人), each followed by its
    agents (委托代理人) saying whom they represent, with what authority and scope."""
    blocks: list[Block] = []
    for party in ctx.parties():
        name = mask_name(party.name) if public else party.name
        details = party_details(party, public=public, phone=phone)
        representative = representative_line(party, public=public)
        if representative:
            details = (*details, representative)
        blocks.append(PartyBlock(ROLE_WORDS[party.role], name, details))
        for agent in ctx.agents_of(party):
            agent_name = (mask_name(agent.name) if public else agent.name) + agent_words(agent, party, public=public)
            blocks.append(PartyBlock("委托代理人", agent_name, party_details(agent, public=public, phone=phone)))
    return blocks


def signature_lines(ctx: CaseContext, *, with_names: bool = True, agents: bool = True) -> list[Signatory]:
    """A line to sign for every principal party, the 法定代表人/负责人 of each organisation, and each agent
    (``委托代理人李某（代理申请人王𠮷，特别授权）``), in party order."""
    out: list[Signatory] = []
    for party in ctx.parties():
        out.append(Signatory(ROLE_WORDS[party.role] + (party.name if with_names else "")))
        if party.kind is PartyKind.ORGANIZATION:
            title = party.representative_title or "法定代表人"
            name = party.legal_representative if with_names else ""
            out.append(Signatory(title + name, note="（签名）"))
        if agents:
            for agent in ctx.agents_of(party):
                words = agent_words(agent, party)
                authority = AUTHORITY_WORDS.get(agent.authority, "")
                short = "（代理{0}{1}{2}）".format(
                    ROLE_WORDS[party.role], party.name if with_names else "", "，" + authority if authority else ""
                )
                out.append(Signatory("委托代理人" + (agent.name if with_names else "") + (short if words else ""),
                                     note="（签名）"))  # fmt: skip
    return out


def case_line(ctx: CaseContext, cause: str = "") -> str:
    """``申请人王𠮷与被申请人坪山某物业管理有限公司物业服务费纠纷一案`` (``cause``: the 案由, if stated)."""
    summary = cause.strip().rstrip("。") or ctx.case.summary.strip().rstrip("。") or ctx.matter.name
    return "申请人{0}与被申请人{1}{2}一案".format(
        ctx.names(PartyRole.APPLICANT), ctx.names(PartyRole.RESPONDENT), summary
    )


def addressees(parties: Iterable[Party], *, public: bool = False) -> str:
    """The salutation line of a notice: ``王𠮷、张䶮：``."""
    return "、".join(mask_name(p.name) if public else p.name for p in parties) + "："


def remedy_sentences(
    remedies: Sequence[Remedy | Mapping[str, Any]], issuer: Issuer | None = None, *, overrides: bool = True
) -> tuple[str, ...]:
    """The remedy routes of an act as clauses of one sentence (joined with "；" or "，也" by `remedy_clause`).

    The review body comes from the issuing unit (行政复议法 2023 Art.24) and the court from the unit's court of first
    instance, unless the catalogue's remedy names its own ``body`` (``overrides``; older catalogues printed prose
    there, so it is ignored for them). A route with no body from either source is refused, never guessed.
    """
    items = [_remedy_values(r) for r in remedies]
    review_first = any(r["route"] == "administrative_reconsideration" and r["required_first"] for r in items)
    out: list[str] = []
    for r in items:
        period = period_text(r["amount"], r["unit"])
        start = r["starts_from"]
        body = _remedy_body(r, issuer, overrides=overrides)
        if r["route"] == "administrative_reconsideration":
            verb = "应当" if r["required_first"] else "可以"
            text = "{0}自{1}起{2}内向{3}申请行政复议".format(verb, start, period, body)
            if r["required_first"]:
                text += "（依法应当先申请行政复议）"
        elif r["route"] == "administrative_litigation":
            lead = "对行政复议决定不服的，可以" if review_first else ("也可以" if out else "可以")
            text = "{0}自{1}起{2}内向{3}提起行政诉讼".format(lead, start, period, body)
        elif r["route"] == "civil_litigation":
            text = "{0}自{1}起{2}内向{3}提起民事诉讼".format("也可以" if out else "可以", start, period, body)
        else:
            text = "可以自{0}起{1}内向{2}{3}".format(start, period, body, r["label"])
        out.append(text)
    return tuple(out)


def _remedy_body(r: Mapping[str, Any], issuer: Issuer | None, *, overrides: bool) -> str:
    if overrides and r["body"]:
        return str(r["body"])
    if issuer is not None:
        found = issuer.review_body if r["route"] == "administrative_reconsideration" else issuer.court
        if found:
            return found
    raise ValidationError(
        _(
            "The remedy {route} names no body or court: set this desk's unit, or the district corrects the catalogue."
        ).format(route=r["label"] or r["route"]),
        field="remedies",
    )


def remedy_clause(ctx: CaseContext, stored: Any = None, *, lead: str = "如不服本决定，") -> str:
    """The one remedy sentence of an act of ``ctx``'s case: body, period and court (``stored``: the remedies the
    engine recorded with the decision, else the matter's)."""
    remedies: Sequence[Remedy | Mapping[str, Any]] = ctx.matter.remedies
    if isinstance(stored, list) and stored and all(isinstance(r, Mapping) for r in stored):
        remedies = stored
    clauses = remedy_sentences(remedies, ctx.issuer, overrides=bool(ctx.matter.implementing_units))
    if not clauses:
        return ""
    joined = clauses[0]
    for clause in clauses[1:]:
        joined += ("，" if clause.startswith("也") else "；") + clause
    return lead + joined + "。"


#: Against a refusal to accept an adjudication application, an administrative act of its own: review within 60 days
#: (行政复议法 2023 Art.20) or suit within 6 months (行政诉讼法 Art.46), at the choice of the applicant.
REFUSAL_REMEDIES: tuple[Mapping[str, Any], ...] = (
    {
        "route": "administrative_reconsideration",
        "label": "申请行政复议",
        "amount": 60,
        "unit": "calendar_days",
        "starts_from": "收到本通知书之日",
        "basis": "《中华人民共和国行政复议法》第二十条",
    },
    {
        "route": "administrative_litigation",
        "label": "提起行政诉讼",
        "amount": 6,
        "unit": "months",
        "starts_from": "收到本通知书之日",
        "basis": "《中华人民共和国行政诉讼法》第四十六条",
    },
)


def refusal_remedy_clause(ctx: CaseContext, *, lead: str = "如不服本决定，") -> str:
    """The remedy sentence of a refusal to accept an adjudication application (body and court of the issuer)."""
    clauses = remedy_sentences(REFUSAL_REMEDIES, ctx.issuer, overrides=False)
    return lead + clauses[0] + "，" + clauses[1] + "。"


def _remedy_values(remedy: Remedy | Mapping[str, Any]) -> dict[str, Any]:
    if isinstance(remedy, Remedy):
        return remedy.model_dump()
    return {
        "route": str(remedy.get("route", "")),
        "label": str(remedy.get("label", "")),
        "amount": int(remedy.get("amount", 0)),
        "unit": str(remedy.get("unit", "")),
        "starts_from": str(remedy.get("starts_from", "")),
        "basis": str(remedy.get("basis", "")),
        "body": str(remedy.get("body", "")),
        "required_first": bool(remedy.get("required_first", False)),
    }


def first_on(ctx: CaseContext, action: str) -> dt.date | None:
    found = ctx.case.events_of(action)
    return found[0].on if found else None
