"""The plain values of cases that cross to the desk's GUI process: list queries, pages, rows, case files and
the words for their codes. No SQLAlchemy, no pydantic: the GUI process imports this module (the services that
fill these values live in :mod:`fzmediate.services.case_views` and :mod:`fzmediate.services.case_listing`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from fzmediate.domain.case import (
    CORRECT_ACTION,
    INTAKE_ACTION,
    VOID_ACTION,
    VOIDED_STATE,
    CaseEvent,
    CaseKind,
    CaseRecord,
    Party,
)
from fzmediate.i18n import N_, _

if TYPE_CHECKING:
    from fzmediate.catalogue.model import Matter
    from fzmediate.procedure.definition import ProcedureDefinition

#: The most rows one list page holds.
MAX_PAGE = 500
MAX_QUERY = 64


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
        (补录) stands where it happened, not where it was typed in; two desks' events of one number (recorded
        offline at the same time) by when each was recorded."""
        return tuple(sorted(self.events, key=lambda e: (e.on, e.seq, e.at)))


# --- the case list ---


class SortColumn(StrEnum):
    """What the list can be sorted by (each with the case id as tiebreak)."""

    NEWEST = "id"  # registration order (UUIDv7 ids sort by creation time)
    NUMBER = "number"
    RECEIVED = "received_on"
    NEXT_DUE = "next_due"
    STATE = "state"
    MATTER = "matter"
    MEDIATOR = "mediator"
    KIND = "kind"
    UPDATED = "updated_at"


SortValue = str | date | datetime | None


@dataclass(frozen=True)
class CaseFilters:
    """Every filter is optional. ``mediator``: a login, or "" for unassigned cases. ``street``: a street
    office's unit code (e.g. ``PS-JD-KZ``, see the module docs). ``overdue``: the stored next deadline has
    passed; rows listed in ``Page.recomputing`` may drop out once the background pass recomputes them."""

    matter: str | None = None
    state: str | None = None
    mediator: str | None = None
    street: str | None = None
    overdue: bool = False
    kind: CaseKind | None = None
    include_voided: bool = False


@dataclass(frozen=True)
class CaseQuery:
    """Search text (as :meth:`CaseService.search`), filters and the sort."""

    text: str = ""
    filters: CaseFilters = field(default_factory=CaseFilters)
    sort: SortColumn = SortColumn.NEWEST
    descending: bool = True


@dataclass(frozen=True)
class SortKey:
    """Where a page ended: the last row's sort value and id. Opaque to the caller."""

    value: SortValue
    id: str


@dataclass(frozen=True)
class Page:
    rows: list[CaseSummary]
    #: Pass it as ``after`` for the next page; None when this was the last page.
    next_after: SortKey | None
    #: The date the overdue flags were judged on (``row.overdue(today)``).
    today: date
    #: Ids of rows whose stored next deadline awaits recomputation: show "recomputing", not overdue.
    recomputing: frozenset[str] = frozenset()
