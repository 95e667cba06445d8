"""Plain values the case services hand to the UI and the CLI (never ORM rows).

``CaseDetail`` is the case file: full personal values, for the people working the case (reading it is
audited). ``CaseSummary`` is a list row: party names masked (张某某), no ID numbers or phones.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields, is_dataclass
from datetime import date, datetime
from enum import Enum
from typing import Any

from fzmediate.domain.case import CaseEvent, CaseKind, CaseRecord, Party, PartyKind, PartyRole
from fzmediate.security.masking import mask_name
from fzmediate.store.models import Case, CaseEventRow, PartyRow


@dataclass(frozen=True)
class CaseSummary:
    id: str
    number: str
    kind: CaseKind
    matter_code: str
    matter_name: str
    state: str
    received_on: date
    #: Masked names (张某某), in party order.
    applicants: tuple[str, ...]
    respondents: tuple[str, ...]
    assigned_mediator: str
    next_due: date | None
    next_due_name: str
    next_due_provisional: bool
    version: int

    def overdue(self, today: date) -> bool:
        return self.next_due is not None and self.next_due < today


@dataclass(frozen=True)
class CaseDetail:
    id: str
    number: str
    kind: CaseKind
    matter_code: str
    matter_name: str
    bundle_id: str
    bundle_version: int
    procedure_id: str
    state: str
    received_on: date
    summary: str
    facts: str
    claims: str
    assigned_mediator: str
    parties: tuple[Party, ...]
    events: tuple[CaseEvent, ...]
    next_due: date | None
    next_due_name: str
    next_due_provisional: bool
    created_at: datetime
    created_by: str
    updated_at: datetime
    version: int

    def record(self) -> CaseRecord:
        """The snapshot the procedure engine works on."""
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
            events=self.events,
            assigned_mediator=self.assigned_mediator,
            version=self.version,
        )


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


def detail_of(case: Case, record: CaseRecord, matter_name: str) -> CaseDetail:
    return CaseDetail(
        id=case.id,
        number=case.number,
        kind=CaseKind(case.kind),
        matter_code=case.matter_code,
        matter_name=matter_name,
        bundle_id=case.bundle_id,
        bundle_version=case.bundle_version,
        procedure_id=case.procedure_id,
        state=case.state,
        received_on=case.received_on,
        summary=case.summary,
        facts=case.facts,
        claims=case.claims,
        assigned_mediator=case.assigned_mediator,
        parties=record.parties,
        events=record.events,
        next_due=case.next_due,
        next_due_name=case.next_due_name,
        next_due_provisional=case.next_due_provisional,
        created_at=case.created_at,
        created_by=case.created_by,
        updated_at=case.updated_at,
        version=case.version,
    )


def summary_of(case: Case, names: Iterable[tuple[str, str]], matter_name: str) -> CaseSummary:
    """``names``: (role, full name) pairs in party order; masked here."""
    pairs = list(names)
    return CaseSummary(
        id=case.id,
        number=case.number,
        kind=CaseKind(case.kind),
        matter_code=case.matter_code,
        matter_name=matter_name,
        state=case.state,
        received_on=case.received_on,
        applicants=tuple(mask_name(n) for r, n in pairs if r == PartyRole.APPLICANT.value),
        respondents=tuple(mask_name(n) for r, n in pairs if r == PartyRole.RESPONDENT.value),
        assigned_mediator=case.assigned_mediator,
        next_due=case.next_due,
        next_due_name=case.next_due_name,
        next_due_provisional=case.next_due_provisional,
        version=case.version,
    )


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
