"""Plain values the case services hand to the UI and the CLI (never ORM rows).

``CaseDetail`` is the case file. Browsing shows it masked (:func:`mask_detail`, ``CaseService.view``: not
audited); its full personal values are shown only on an explicit action (``CaseService.reveal``, audited).
``CaseSummary`` is a list row: party names masked (张某某), no ID numbers or phones.

Every code a person would otherwise read comes with its words: ``state`` with ``state_label``,
``next_due_name`` with ``next_due_label``, each event's ``action`` with ``action_label``, ``kind`` with
``kind_label``. Labels of states, acts and time limits are the district's (Chinese data in the procedure
definition and the matter of the catalogue version the case is PINNED to, used as they are); the few words
of our own (case kinds, deadline statuses, time units, the intake act) go through gettext. Codes stay in
the DTOs and in JSON output: scripts rely on them. Labels are those of the locale active when the DTO was
built.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields, is_dataclass, replace
from datetime import date, datetime
from enum import Enum
from typing import Any

from fzmediate.catalogue.model import Matter
from fzmediate.domain.case import (
    CORRECT_ACTION,
    VOID_ACTION,
    VOIDED_STATE,
    CaseEvent,
    CaseKind,
    CaseRecord,
    Party,
    PartyKind,
    PartyRole,
)
from fzmediate.i18n import N_, _
from fzmediate.procedure.definition import INTAKE_ACTION, ProcedureDefinition
from fzmediate.security.masking import mask_address, mask_id_number, mask_name, mask_phone, redact_text
from fzmediate.store.models import Case, CaseEventRow, PartyRow

# --- words for codes ----------------------------------------------------------------------------

_KIND_LABELS: Mapping[str, str] = {
    CaseKind.MEDIATION.value: N_("administrative mediation"),
    CaseKind.ADJUDICATION.value: N_("administrative adjudication"),
}
_STATUS_LABELS: Mapping[str, str] = {
    "open": N_("in progress"),
    "met": N_("met on time"),
    "stopped": N_("stopped"),
    "overdue": N_("overdue"),
}
_UNIT_LABELS: Mapping[str, str] = {
    "working_days": N_("working days"),
    "calendar_days": N_("days"),
    "months": N_("months"),
    "years": N_("years"),
}


def case_kind_label(kind: str) -> str:
    """行政调解 / 行政裁决 for ``mediation`` / ``adjudication`` (a matter's or a case's kind)."""
    label = _KIND_LABELS.get(str(kind))
    return _(label) if label is not None else str(kind)


def deadline_status_label(status: str, *, late: bool = False) -> str:
    """进行中 / 已满足 / 已停止 / 已逾期 for a deadline's ``status``; ``late``: met after the due date."""
    if status == "met" and late:
        return _("met late")
    label = _STATUS_LABELS.get(status)
    return _(label) if label is not None else status


def unit_label(unit: str) -> str:
    """工作日 / 日 / 个月 / 年 for a time limit's ``unit`` (``describe`` writes amount and unit together)."""
    label = _UNIT_LABELS.get(unit)
    return _(label) if label is not None else unit


@dataclass(frozen=True)
class CaseLabels:
    """The words for the codes of one procedure definition and matter (of one pinned catalogue version).

    A code the definition does not know (data recorded under a rule since removed) is shown as itself.
    """

    states: Mapping[str, str]
    actions: Mapping[str, str]
    deadlines: Mapping[str, str]

    @classmethod
    def of(cls, definition: ProcedureDefinition, matter: Matter) -> CaseLabels:
        deadlines = {t.name: t.label for t in matter.time_limits}
        for spec in definition.deadlines_for(matter.code):
            if spec.label and spec.time_limit in deadlines:
                deadlines[spec.time_limit] = spec.label  # as DeadlineInfo.label names it
        return cls(
            states={s.name: s.label for s in definition.states},
            actions={a.name: a.label for a in definition.actions},
            deadlines=deadlines,
        )

    @classmethod
    def none(cls) -> CaseLabels:
        """No words known: every code shows as itself (when the pinned rules cannot be read)."""
        return cls({}, {}, {})

    def state(self, code: str) -> str:
        if code == VOIDED_STATE and code not in self.states:
            return _("voided (duplicate registration)")
        return self.states.get(code, code)

    def action(self, code: str) -> str:
        if code in self.actions:
            return self.actions[code]
        if code == INTAKE_ACTION:
            return _("registration")
        if code == CORRECT_ACTION:
            return _("correction of registered data")
        if code == VOID_ACTION:
            return _("voiding of a duplicate registration")
        return code

    def deadline(self, name: str) -> str:
        return self.deadlines.get(name, name) if name else ""


@dataclass(frozen=True)
class EventView(CaseEvent):
    """A case event as the UI and the CLI show it: the event, and the words for its act."""

    action_label: str = ""

    def plain(self) -> CaseEvent:
        return CaseEvent(**{f.name: getattr(self, f.name) for f in fields(CaseEvent)})


@dataclass(frozen=True)
class CaseSummary:
    id: str
    number: str
    kind: CaseKind
    kind_label: str
    matter_code: str
    matter_name: str
    state: str
    state_label: str
    received_on: date
    #: Masked names (张某某), in party order.
    applicants: tuple[str, ...]
    respondents: tuple[str, ...]
    assigned_mediator: str
    next_due: date | None
    next_due_name: str
    next_due_label: str
    next_due_provisional: bool
    version: int

    def overdue(self, today: date) -> bool:
        return self.next_due is not None and self.next_due < today


@dataclass(frozen=True)
class CaseDetail:
    id: str
    number: str
    kind: CaseKind
    kind_label: str
    matter_code: str
    matter_name: str
    bundle_id: str
    bundle_version: int
    procedure_id: str
    state: str
    state_label: str
    received_on: date
    summary: str
    facts: str
    claims: str
    assigned_mediator: str
    parties: tuple[Party, ...]
    events: tuple[EventView, ...]
    next_due: date | None
    next_due_name: str
    next_due_label: str
    next_due_provisional: bool
    created_at: datetime
    created_by: str
    updated_at: datetime
    version: int
    #: True for the browsing view: names, ID numbers, phones and addresses masked, free text redacted
    #: (:func:`mask_detail`). Never fill a document or apply an act from a masked view.
    masked: bool = False

    def record(self) -> CaseRecord:
        """The snapshot the procedure engine works on (from the full case file, not a masked view)."""
        return CaseRecord(
            id=self.id,
            number=self.number,
            kind=self.kind,
            matter_code=self.matter_code,
            bundle_id=self.bundle_id,
            bundle_version=self.bundle_version,
            procedure_id=self.procedure_id,
            state=self.state,
            received_on=self.received_on,
            summary=self.summary,
            facts=self.facts,
            claims=self.claims,
            parties=self.parties,
            events=tuple(e.plain() for e in self.events),
            assigned_mediator=self.assigned_mediator,
            version=self.version,
        )

    def overdue(self, today: date) -> bool:
        return self.next_due is not None and self.next_due < today

    def timeline(self) -> tuple[EventView, ...]:
        """The events in the order they happened (their legal date, then the order of entry): a late entry
        (补录) stands where it happened, not where it was typed in."""
        return tuple(sorted(self.events, key=lambda e: (e.on, e.seq)))


def party_of(row: PartyRow) -> Party:
    return Party(
        id=row.id,
        role=PartyRole(row.role),
        kind=PartyKind(row.kind),
        name=row.name,
        id_type=row.id_type,
        id_number=row.id_number,
        phone=row.phone,
        address=row.address,
        represents=row.represents,
        power_of_attorney=row.power_of_attorney,
        legal_representative=row.legal_representative or "",
        representative_title=row.representative_title or "",
        authority=row.authority or "",
        authority_scope=row.authority_scope or "",
    )


def event_of(row: CaseEventRow) -> CaseEvent:
    return CaseEvent(
        seq=row.seq,
        action=row.action,
        on=row.on_date,
        at=row.at,
        actor=row.actor,
        device=row.device,
        payload=dict(row.payload or {}),
    )


def record_of(case: Case, parties: Iterable[PartyRow], events: Iterable[CaseEventRow]) -> CaseRecord:
    return CaseRecord(
        id=case.id,
        number=case.number,
        kind=CaseKind(case.kind),
        matter_code=case.matter_code,
        bundle_id=case.bundle_id,
        bundle_version=case.bundle_version,
        procedure_id=case.procedure_id,
        state=case.state,
        received_on=case.received_on,
        summary=case.summary,
        facts=case.facts,
        claims=case.claims,
        parties=tuple(party_of(p) for p in sorted(parties, key=lambda p: p.position)),
        events=tuple(event_of(e) for e in sorted(events, key=lambda e: e.seq)),
        assigned_mediator=case.assigned_mediator,
        version=case.version,
    )


def view_of(event: CaseEvent, labels: CaseLabels) -> EventView:
    return EventView(
        seq=event.seq,
        action=event.action,
        on=event.on,
        at=event.at,
        actor=event.actor,
        device=event.device,
        payload=event.payload,
        action_label=labels.action(event.action),
    )


def detail_of(case: Case, record: CaseRecord, matter_name: str, labels: CaseLabels) -> CaseDetail:
    return CaseDetail(
        id=case.id,
        number=case.number,
        kind=CaseKind(case.kind),
        kind_label=case_kind_label(case.kind),
        matter_code=case.matter_code,
        matter_name=matter_name,
        bundle_id=case.bundle_id,
        bundle_version=case.bundle_version,
        procedure_id=case.procedure_id,
        state=case.state,
        state_label=labels.state(case.state),
        received_on=case.received_on,
        summary=case.summary,
        facts=case.facts,
        claims=case.claims,
        assigned_mediator=case.assigned_mediator,
        parties=record.parties,
        events=tuple(view_of(e, labels) for e in record.events),
        next_due=case.next_due,
        next_due_name=case.next_due_name,
        next_due_label=labels.deadline(case.next_due_name),
        next_due_provisional=case.next_due_provisional,
        created_at=case.created_at,
        created_by=case.created_by,
        updated_at=case.updated_at,
        version=case.version,
    )


def summary_of(case: Case, names: Iterable[tuple[str, str]], matter_name: str, labels: CaseLabels) -> CaseSummary:
    """``names``: (role, full name) pairs in party order; masked here."""
    pairs = list(names)
    return CaseSummary(
        id=case.id,
        number=case.number,
        kind=CaseKind(case.kind),
        kind_label=case_kind_label(case.kind),
        matter_code=case.matter_code,
        matter_name=matter_name,
        state=case.state,
        state_label=labels.state(case.state),
        received_on=case.received_on,
        applicants=tuple(mask_name(n) for r, n in pairs if r == PartyRole.APPLICANT.value),
        respondents=tuple(mask_name(n) for r, n in pairs if r == PartyRole.RESPONDENT.value),
        assigned_mediator=case.assigned_mediator,
        next_due=case.next_due,
        next_due_name=case.next_due_name,
        next_due_label=labels.deadline(case.next_due_name),
        next_due_provisional=case.next_due_provisional,
        version=case.version,
    )


# --- minimal exposure ---------------------------------------------------------------------------------------


def _masked_value(value: Any) -> Any:
    """Free text (and the texts inside lists and objects) with ID numbers and phones starred."""
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, list | tuple):
        return [_masked_value(v) for v in value]
    if isinstance(value, Mapping):
        return {k: _masked_value(v) for k, v in value.items()}
    return value


def mask_party(party: Party) -> Party:
    """A party as browsing shows it: name 张某某, ID number and phone starred, address cut at the township,
    the name of whoever signs for an organisation masked, free text redacted. Ids and codes stay."""
    return replace(
        party,
        name=mask_name(party.name) if party.name else "",
        id_number=mask_id_number(party.id_number) if party.id_number else "",
        phone=mask_phone(party.phone) if party.phone else "",
        address=mask_address(party.address) if party.address else "",
        power_of_attorney=redact_text(party.power_of_attorney),
        legal_representative=mask_name(party.legal_representative) if party.legal_representative else "",
        authority_scope=redact_text(party.authority_scope),
    )


def mask_detail(detail: CaseDetail) -> CaseDetail:
    """The case file with personal data masked: what the desk shows while browsing, and the CLI by default.

    Minimal exposure (seed: 深圳市坪山区法治政府建设实施方案 （十九） "不得非法收集、使用个人信息", read here as
    "use personal data only as far as the task needs"): a person browsing cases sees who and what each is
    about; the full values are shown only on an explicit "show personal data" action, which the audit records
    (``CaseService.reveal``: who looked, at which case).
    """
    if detail.masked:
        return detail
    return replace(
        detail,
        parties=tuple(mask_party(p) for p in detail.parties),
        summary=redact_text(detail.summary),
        facts=redact_text(detail.facts),
        claims=redact_text(detail.claims),
        events=tuple(replace(e, payload=_masked_value(dict(e.payload))) for e in detail.events),
        masked=True,
    )


def masked_detail(detail: CaseDetail) -> dict[str, Any]:
    """The masked case file (:func:`mask_detail`) as JSON-ready data."""
    data: dict[str, Any] = jsonable(mask_detail(detail))
    return data


def jsonable(value: Any) -> Any:
    """A DTO (or nested values) as JSON-ready data: dates as ISO text, enums as their value."""
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    return value
