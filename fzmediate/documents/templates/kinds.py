"""The document kinds of a case: their stable names, titles, statutory order, and when each may be made.

A kind may be made (drafted or issued) once the act it documents is on record: the 受理通知书 after
``accept``, the 调解协议书 after ``record_agreement``, the 行政裁决书 after ``decide`` … (`unmet` names what is
missing). Kinds are for mediation cases, adjudication cases or both. ``order`` is the place in the 卷宗
(case file): 申请书 → 回执 → 受理/不予受理/移送 → 征求意见书 → 告知书 → 无争议事实 → 终止 → 协议书 → 裁决书 →
司法确认 (the 卷宗 template: 申请书/受理登记表, 权利义务告知书, …, 调解协议书, 回访记录, 司法确认材料).

The names are what ``fzmediate doc render KIND`` takes; ``guide`` (申请指南) is the one kind that needs no
case and is not listed here (`fzmediate.documents.templates.guide`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from fzmediate.documents.model import DocumentSpec
from fzmediate.documents.templates import adjudication, intake, mediation
from fzmediate.documents.templates.common import CaseContext
from fzmediate.domain.case import CaseKind, CaseRecord
from fzmediate.errors import NotFoundError
from fzmediate.i18n import N_, _

GUIDE = "guide"
BOTH = frozenset(CaseKind)
MEDIATION = frozenset({CaseKind.MEDIATION})
ADJUDICATION = frozenset({CaseKind.ADJUDICATION})
_CASE_KIND_WORDS = {CaseKind.MEDIATION: N_("mediation"), CaseKind.ADJUDICATION: N_("adjudication")}

Builder = Callable[..., DocumentSpec]


@dataclass(frozen=True)
class Kind:
    """One kind of case document."""

    name: str
    #: The document's name as printed (Chinese data), for lists and messages.
    title: str
    #: Position in the case file (卷宗).
    order: int
    build: Builder
    #: The act that must be on record before the document can be made.
    after: str
    case_kinds: frozenset[CaseKind] = BOTH
    #: A public printout (kiosk, handed out): every personal detail masked.
    public: bool = False

    def spec(self, ctx: CaseContext) -> DocumentSpec:
        return self.build(ctx, public=self.public)


KINDS: Mapping[str, Kind] = {
    k.name: k
    for k in (
        Kind("application", "申请书", 10, intake.application_spec, "register"),
        Kind("receipt", "收件回执", 20, intake.receipt_spec, "register", public=True),
        Kind("acceptance_notice", "受理通知书", 30, intake.acceptance_notice_spec, "accept"),
        Kind("refusal_notice", "不予受理通知书", 31, intake.refusal_notice_spec, "refuse"),
        Kind("transfer_notice", "移送告知书", 32, intake.transfer_notice_spec, "transfer"),
        Kind("consent_request", "征求意见书", 40, mediation.consent_request_spec, "accept", MEDIATION),
        Kind("rights_notice", "权利义务告知书", 50, mediation.rights_notice_spec, "accept", MEDIATION),
        Kind(
            "adjudication_rights_notice",
            "行政裁决权利告知书",
            51,
            adjudication.rights_notice_spec,
            "accept",
            ADJUDICATION,
        ),
        Kind(
            "undisputed_facts",
            "无争议事实确认书",
            60,
            mediation.undisputed_facts_spec,
            "record_undisputed_facts",
            MEDIATION,
        ),
        Kind("termination_notice", "终止调解通知书", 70, mediation.termination_notice_spec, "terminate", MEDIATION),
        Kind("agreement", "调解协议书", 80, mediation.agreement_case_spec, "record_agreement"),
        Kind("decision", "行政裁决书", 90, adjudication.decision_spec, "decide", ADJUDICATION),
        Kind(
            "judicial_confirmation",
            "司法确认申请书",
            100,
            mediation.judicial_confirmation_spec,
            "record_agreement",
            MEDIATION,
        ),
    )
}


def kind_names() -> tuple[str, ...]:
    """Every kind name, the case kinds in case-file order, then ``guide``."""
    return (*sorted(KINDS, key=lambda n: KINDS[n].order), GUIDE)


def get_kind(name: str) -> Kind:
    """The kind called ``name``; NotFoundError listing the names otherwise."""
    found = KINDS.get(name.strip())
    if found is None:
        raise NotFoundError(
            _("There is no document kind {name}; the kinds are: {names}.").format(
                name=name.strip()[:40], names=", ".join(kind_names())
            )
        )
    return found


def unmet(kind: Kind, case: CaseRecord, action_label: Callable[[str], str] | None = None) -> str | None:
    """Why ``kind`` cannot be made for ``case`` yet (one localized sentence), or None when it can."""
    if case.kind not in kind.case_kinds:
        other = next(iter(kind.case_kinds))
        return _("A {document} belongs to {kind} cases; case {number} is not one.").format(
            document=kind.title, kind=_(_CASE_KIND_WORDS[other]), number=case.number
        )
    if case.last_event(kind.after) is None:
        act = action_label(kind.after) if action_label is not None else kind.after
        return _("A {document} can only be made once “{act}” is on record; case {number} has no such act yet.").format(
            document=kind.title, act=act, number=case.number
        )
    return None
