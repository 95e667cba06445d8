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
from dataclasses import fields, is_dataclass, replace
from datetime import date, datetime
from enum import Enum
from typing import Any

from fzmediate.domain.case import (
    CaseEvent,
    CaseKind,
    CaseRecord,
    Party,
    PartyKind,
    PartyRole,
)
from fzmediate.security.masking import mask_address, mask_id_number, mask_name, mask_phone, redact_text
from fzmediate.services.case_dto import (
    CaseDetail as CaseDetail,
)
from fzmediate.services.case_dto import (
    CaseLabels as CaseLabels,
)
from fzmediate.services.case_dto import (
    CaseSummary as CaseSummary,
)
from fzmediate.services.case_dto import (
    EventView as EventView,
)
from fzmediate.services.case_dto import (
    case_kind_label as case_kind_label,
)
from fzmediate.services.case_dto import (
    deadline_status_label as deadline_status_label,
)
from fzmediate.services.case_dto import (
    unit_label as unit_label,
)
from fzmediate.store.models import Case, CaseEventRow, PartyRow


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
        events=tuple(event_of(e) for e in sorted(events, key=lambda e: (e.seq, e.at, e.device))),  # schema 0010
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
