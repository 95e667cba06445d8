"""The document kinds of a case: their stable names, titles, statutory order, and when each may be made.

A kind may be made (drafted or issued) once the act it documents is on record: the 受理通知书 after
``accept``, the 调解协议书 after ``record_agreement``, the 行政裁决书 after ``decide``, the 送达回证 after any
service … (`unmet` names what is missing). Kinds are for mediation cases, adjudication cases or both; the
受理公告 only for a matter with a public-notice period. ``order`` is the place in the 卷宗 (case file): 申请书 →
回执 → 受理/不予受理/移送 → 受理公告 → 征求意见书 → 告知书 → 答辩通知书 → 回避 → 延期/中止/恢复 → 笔录 →
无争议事实 → 终止 → 协议书 → 裁决书 → 送达回证 → 回访记录 → 司法确认 (the 卷宗 template: 申请书/受理登记表,
权利义务告知书, …, 调解协议书, 回访记录, 司法确认材料; 林木林地条例 第四十三条 for an adjudication).

Which kinds a complete case file must hold is the completeness gate's table
(`fzmediate.procedure.guards_archive.REQUIRED_DOCUMENTS`, by these names and titles; a test keeps them in step).

The names are what ``fzmediate doc render KIND`` takes; ``guide`` (申请指南) is the one kind that needs no
case and is not listed here (`fzmediate.documents.templates.guide`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from fzmediate.catalogue.model import Matter
from fzmediate.documents.model import DocumentSpec
from fzmediate.documents.templates import adjudication, intake, mediation, notices, records
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
    #: Other acts that make the document possible as well (a 送达回证 follows any service).
    or_after: tuple[str, ...] = ()
    #: A time limit the matter must have (the 受理公告 states the public-notice period).
    needs_limit: str = ""
    #: Each version tells of one event (the latest of its act when issued): a version made for a later event does
    #: not replace the earlier notice in the case file (延期、中止、恢复、回避). Other kinds show every event.
    per_event: bool = False
    #: The act without which the document may be printed (as a draft) but not issued: an agreement is printed from
    #: its draft for the parties to sign, and sealed only once the signatures are recorded.
    issue_after: str = ""
    #: A citation purpose the matter's table must have (a 司法确认 packet only where the law allows one).
    needs_citation: str = ""

    @property
    def acts(self) -> tuple[str, ...]:
        """Every act whose record makes the document possible; also every act whose events it must show."""
        return (self.after, *self.or_after)

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
        Kind(
            "acceptance_announcement",
            "受理公告",
            35,
            notices.acceptance_announcement_spec,
            "publish_acceptance_notice",
            ADJUDICATION,
            public=True,
            needs_limit="public_notice",
        ),
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
        Kind("reply_notice", "答辩通知书", 52, notices.reply_notice_spec, "serve_copy", ADJUDICATION),
        Kind("recusal_decision", "回避决定书", 53, notices.recusal_decision_spec, "decide_recusal", per_event=True),
        Kind("extension_notice", "延期告知书", 54, notices.extension_notice_spec, "extend_period", per_event=True),
        Kind("suspension_notice", "中止通知书", 55, notices.suspension_notice_spec, "suspend", per_event=True),
        Kind("resumption_notice", "恢复通知书", 56, notices.resumption_notice_spec, "resume", per_event=True),
        Kind("mediation_record", "调解笔录", 57, records.mediation_record_spec, "hold_session", MEDIATION),
        Kind("hearing_record", "听证笔录", 58, records.hearing_record_spec, "hold_hearing", ADJUDICATION),
        Kind(
            "undisputed_facts",
            "无争议事实确认书",
            60,
            mediation.undisputed_facts_spec,
            "record_undisputed_facts",
            MEDIATION,
        ),
        Kind("termination_notice", "终止调解通知书", 70, mediation.termination_notice_spec, "terminate", MEDIATION),
        Kind(
            "agreement",
            "调解协议书",
            80,
            mediation.agreement_case_spec,
            "record_agreement",
            or_after=("draft_agreement",),
            issue_after="record_agreement",
        ),
        Kind("decision", "行政裁决书", 90, adjudication.decision_spec, "decide", ADJUDICATION),
        Kind(
            "service_receipt",
            "送达回证",
            92,
            records.service_receipt_spec,
            records.SERVICE_ACTS[0],
            or_after=records.SERVICE_ACTS[1:],
        ),
        Kind("follow_up_record", "回访记录", 95, records.follow_up_record_spec, "follow_up", MEDIATION),
        Kind(
            "judicial_confirmation",
            "司法确认申请书",
            100,
            mediation.judicial_confirmation_spec,
            "record_agreement",
            MEDIATION,
            needs_citation="judicial_confirmation",
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


def unmet(
    kind: Kind,
    case: CaseRecord,
    action_label: Callable[[str], str] | None = None,
    *,
    matter: Matter | None = None,
) -> str | None:
    """Why ``kind`` cannot be made for ``case`` yet (one localized sentence), or None when it can.

    ``matter``: the case's matter, for kinds that need one of its time limits (without it that is not checked;
    the template then refuses).
    """
    if case.kind not in kind.case_kinds:
        other = next(iter(kind.case_kinds))
        return _("A {document} belongs to {kind} cases; case {number} is not one.").format(
            document=kind.title, kind=_(_CASE_KIND_WORDS[other]), number=case.number
        )
    if kind.needs_limit and matter is not None and matter.time_limit(kind.needs_limit) is None:
        return _("A {document} is made only for matters with that period; matter {code} has none.").format(
            document=kind.title, code=matter.code
        )
    if kind.needs_citation and matter is not None and matter.citation(kind.needs_citation) is None:
        return _("A {document} is not made for matter {code}: the law gives it no such route.").format(
            document=kind.title, code=matter.code
        )
    if all(case.last_event(act) is None for act in kind.acts):
        label = action_label or (lambda name: name)
        # Only the acts the case's procedure has (a label that is the bare name is an act it lacks).
        acts = [a for a in kind.acts if label(a) != a] or list(kind.acts)
        if len(acts) > 1:
            return _(
                "A {document} can only be made once one of these acts is on record: {acts}; case {number} has none yet."
            ).format(document=kind.title, acts=_(", ").join(label(a) for a in acts), number=case.number)
        return _("A {document} can only be made once “{act}” is on record; case {number} has no such act yet.").format(
            document=kind.title, act=label(acts[0]), number=case.number
        )
    return None


def unmet_for_issue(kind: Kind, case: CaseRecord, action_label: Callable[[str], str] | None = None) -> str | None:
    """Why ``kind`` may be printed but not yet issued (sealed), or None."""
    if kind.issue_after and case.last_event(kind.issue_after) is None:
        label = action_label or (lambda name: name)
        return _(
            "The {document} can be printed for signing, but is issued only once “{act}” is on record (case {number})."
        ).format(document=kind.title, act=label(kind.issue_after), number=case.number)
    return None


def event_of(kind: Kind, case: CaseRecord, based_on_seq: int) -> int:
    """The seq of the latest event of ``kind``'s acts a document made after event ``based_on_seq`` shows (0: none)."""
    return max((e.seq for e in case.events if e.action in kind.acts and e.seq <= based_on_seq), default=0)


def covers(kind: Kind, case: CaseRecord, based_on_seq: int) -> bool:
    """Whether a document of ``kind`` made after event ``based_on_seq`` shows every event it must (the last one
    of its acts: a 送达回证 issued before a later service does not cover that service)."""
    last = max((e.seq for e in case.events if e.action in kind.acts), default=0)
    return based_on_seq >= last


def issued_kinds(rows: Iterable[tuple[str, int]], case: CaseRecord) -> frozenset[str]:
    """The kinds issued for ``case`` as the completeness gate counts them, from (kind, based_on_seq) of every issued
    version: a kind counts once its latest version was made after every event it must show (`covers`)."""
    latest: dict[str, int] = {}
    for name, based_on in rows:
        latest[name] = max(latest.get(name, 0), based_on)
    return frozenset(name for name, based_on in latest.items() if name in KINDS and covers(KINDS[name], case, based_on))
