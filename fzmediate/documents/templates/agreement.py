"""调解协议书 / 调解书: the parties' details; the main facts, the points in dispute and each side's responsibility;
the claims, stated once; the agreed terms with the manner, place and deadline of performance; the effect clauses;
one signature line per party and the mediators; the date and the issuing body's seal.

The effect clauses are given by the caller (`effect_clauses`, each with the provisions the matter's catalogue
cites: `fzmediate.documents.templates.mediation_agreement`); without them a neutral default wording is printed
that cites nothing (for a template sample).

The input is a plain dataclass (`AgreementData`) that the case layer fills later; `agreement_spec` turns it
into a `DocumentSpec`. The agreement carries the parties' full details, as the law requires; `public=True`
masks them for a copy that leaves the file (publication, statistics, a kiosk print): the party details with
`fzmediate.security.masking`, and ID numbers and mobiles written into the facts or terms by their shape.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from decimal import Decimal

from fzmediate.documents.coverage import require_glyphs
from fzmediate.documents.formatting import chinese_date, money_text
from fzmediate.documents.model import (
    Block,
    Clauses,
    DateSeal,
    DocumentMeta,
    DocumentSpec,
    Heading,
    Paragraph,
    PartyBlock,
    Signatory,
    Signatures,
)
from fzmediate.errors import ValidationError
from fzmediate.i18n import _
from fzmediate.security.masking import mask_address, mask_id_number, mask_name, mask_phone, redact_text

KIND = "mediation_agreement"


@dataclass(frozen=True)
class AgreementParty:
    """A party as the agreement names it. Empty fields are left out."""

    role: str
    name: str
    gender: str = ""
    ethnicity: str = ""
    birth_date: dt.date | None = None
    occupation: str = ""
    id_label: str = "公民身份号码"
    id_number: str = ""
    address: str = ""
    phone: str = ""
    #: A further line such as ``委托代理人：李某，……`` or ``法定代表人：……``.
    representative: str = ""

    def details(self) -> tuple[str, ...]:
        return tuple(
            d
            for d in (
                self.gender,
                self.ethnicity,
                chinese_date(self.birth_date) + "出生" if self.birth_date else "",
                self.occupation,
                "住" + self.address if self.address else "",
                "{0}：{1}".format(self.id_label, self.id_number) if self.id_number else "",
                "联系电话：" + self.phone if self.phone else "",
            )
            if d
        )

    def masked(self) -> AgreementParty:
        """The same party for a public copy: name, ID number, address and phone masked."""
        return replace(
            self,
            name=mask_name(self.name),
            id_number=mask_id_number(self.id_number) if self.id_number else "",
            address=mask_address(self.address) if self.address else "",
            phone=mask_phone(self.phone) if self.phone else "",
            birth_date=None,
            representative="",
        )


@dataclass(frozen=True)
class AgreedTerm:
    """One agreed obligation: what, and the manner, place and deadline of performance (Art. 29 (三))."""

    content: str
    manner: str = ""
    place: str = ""
    deadline: dt.date | None = None
    amount: Decimal | None = None

    def text(self) -> str:
        body = self.content.rstrip("。；;.")
        if self.amount is not None:
            body += "，金额为" + money_text(self.amount)
        particulars = [
            label + value
            for label, value in (
                ("履行方式：", self.manner),
                ("履行地点：", self.place),
                ("履行期限：", chinese_date(self.deadline) + "前" if self.deadline else ""),
            )
            if value
        ]
        return body + "。" + ("；".join(particulars) + "。" if particulars else "")


@dataclass(frozen=True)
class AgreementData:
    """Everything an agreement states. `organization` is the mediation organisation (its seal goes here)."""

    document_id: str
    case_number: str
    number: str
    organization: str
    parties: tuple[AgreementParty, ...]
    facts: str
    disputes: str
    terms: tuple[AgreedTerm, ...]
    issue_date: dt.date
    mediators: tuple[str, ...] = ()
    responsibilities: str = ""
    title: str = "调解协议书"
    #: Copies: one per party plus one for the organisation unless given.
    copies: int | None = None
    #: Days to apply for judicial confirmation (Art. 33); None leaves the clause out.
    confirmation_days: int | None = 30
    #: Printed under the seal. None (the default) leaves 年月日 blank, to be written on the day the last
    #: signature makes the agreement effective; a date printed in advance would be wrong if signing slips.
    sign_date: dt.date | None = None
    issued_at: dt.datetime | None = None
    recorder: bool = False
    #: Further effect clauses (e.g. on breach), printed before the copies clause.
    extra_clauses: tuple[str, ...] = ()
    #: The applicant's claims, stated once (``申请人的请求：``); empty leaves the line out.
    claims: str = ""
    #: Heading of the facts section (the agreement's facts, points in dispute and each side's responsibility).
    facts_heading: str = "纠纷主要事实、争议事项及各方责任"
    #: A paragraph before the agreed terms (e.g. the 调解依据 of a traffic 调解书).
    basis_line: str = ""
    #: The effect clauses; None keeps the default (people's-mediation wording without citations).
    effect_clauses: tuple[str, ...] | None = None
    #: Who keeps a copy besides the parties (``调解组织``, ``本机关``).
    keeper: str = "调解组织"
    #: How the mediators sign (``调解员``; ``调解工作人员`` in an administrative body's 调解书).
    mediator_word: str = "调解员"
    #: One signature line per party, as printed (defaults to each party's role).
    signatories: tuple[str, ...] = ()


def _check(data: AgreementData) -> None:
    if len(data.parties) < 2:
        raise ValidationError(_("An agreement needs at least two parties."), field="parties")
    if not data.terms:
        raise ValidationError(_("An agreement needs at least one agreed term."), field="terms")
    for number, party in enumerate(data.parties, start=1):
        if not party.name.strip():
            raise ValidationError(_("Party {n} has no name.").format(n=number), field="parties")
        for value in (party.role, party.name, *party.details(), party.representative):
            require_glyphs(value, field=_("party {n}").format(n=number))
    for name, value in (("facts", data.facts), ("disputes", data.disputes), ("organization", data.organization)):
        require_glyphs(value, field=name)
    for number, term in enumerate(data.terms, start=1):
        require_glyphs(term.text(), field=_("agreed term {n}").format(n=number))


def agreement_spec(data: AgreementData, *, public: bool = False) -> DocumentSpec:
    """The 调解协议书 for `data`; `public` masks the parties' personal details."""
    _check(data)
    parties = tuple(p.masked() for p in data.parties) if public else data.parties
    # Free text can only be masked by shape (ID numbers, mobiles); names in it are the drafter's care.
    text = redact_text if public else _same
    copies = data.copies if data.copies is not None else len(data.parties) + 1
    blocks: list[Block] = []
    for party in parties:
        blocks.append(PartyBlock(party.role, party.name, party.details()))
        if party.representative:
            blocks.append(Paragraph(party.representative))
    blocks.append(Heading("一、" + data.facts_heading))
    blocks.append(Paragraph(text(data.facts)))
    if data.claims:
        blocks.append(Paragraph("申请人的请求：" + text(data.claims)))
    if data.disputes:
        blocks.append(Paragraph("争议事项：" + text(data.disputes)))
    if data.responsibilities:
        blocks.append(Paragraph("各方责任：" + text(data.responsibilities)))
    blocks.append(Heading("二、协议内容"))
    if data.basis_line:
        blocks.append(Paragraph(data.basis_line))
    blocks.append(Paragraph("经{0}主持调解，各方当事人自愿达成如下协议：".format(data.organization)))
    blocks.append(Clauses(tuple(text(t.text()) for t in data.terms), "1."))
    blocks.append(Heading("三、协议效力"))
    if data.effect_clauses is not None:
        effect = list(data.effect_clauses)
    else:
        effect = [
            "本协议自各方当事人签名、盖章或者按指印，调解员签名并加盖调解组织印章之日起生效。",
            "本协议具有法律约束力，当事人应当按照约定履行。",
        ]
        if data.confirmation_days:
            effect.append(
                "各方当事人认为有必要的，可以自本协议生效之日起{0}日内共同向人民法院申请司法确认。".format(
                    data.confirmation_days
                )
            )
    effect.extend(data.extra_clauses)
    document = "调解书" if data.title.endswith("调解书") else "协议"
    effect.append("本{0}一式{1}份，当事人各执一份，{2}留存一份。".format(document, _copies(copies), data.keeper))
    blocks.append(Clauses(tuple(effect), "（一）"))
    if data.signatories and not public:
        signatories = [Signatory(line) for line in data.signatories]
    else:
        signatories = [Signatory(p.role + (p.name if data.signatories else "")) for p in parties]
    mediators = data.mediators or ("",)
    signatories.extend(Signatory(data.mediator_word, name=name, note="（签名）") for name in mediators)
    if data.recorder:
        signatories.append(Signatory("记录人", note="（签名）"))
    blocks.append(Signatures(tuple(signatories)))
    blocks.append(DateSeal(data.organization, data.sign_date))
    meta = DocumentMeta(
        document_id=data.document_id,
        issue_date=data.issue_date,
        case_number=data.case_number,
        issuer=data.organization,
        issued_at=data.issued_at,
        subject=data.title,
    )
    return DocumentSpec(KIND, data.title, tuple(blocks), meta, number=data.number)


def _same(value: str) -> str:
    return value


def _copies(n: int) -> str:
    from fzmediate.documents.model import chinese_numeral

    return chinese_numeral(n) if 0 < n < 100 else str(n)
