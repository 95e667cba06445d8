"""A case's derived fields on a desk that pulls changes (docs/sync-protocol.md, "Conflicts"): recomputed here.

``next_due``, ``next_due_name`` and ``next_due_provisional`` cache the procedure engine's next deadline of the
case, ``updated_at`` says when it last changed (:data:`fzmediate.sync.protocol.DERIVED_FIELDS`). Every desk
derives them after its own acts; the values another desk sent were derived from *its* events, which may miss
this desk's. So a pulled page never records a conflict on them: ``updated_at`` becomes the later of the two
times (the latest any replica held, as at the server, so all converge whatever the order; a push answer moves
it back up too, ``fzmediate.sync.acks``), and
the next deadline of every case whose events or record changed in the page is computed again here, under the
case's pinned catalogue version, exactly as an act on this desk would (``CaseService.act``). Derived values:
no version bump, no outbox row.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, Final, cast

from sqlalchemy import select
from sqlalchemy.orm import Session as OrmSession

from fzmediate.catalogue.model import Bundle
from fzmediate.documents.templates.kinds import issued_kinds
from fzmediate.errors import FzError
from fzmediate.procedure.calendar import WorkCalendar
from fzmediate.services.case_engine import CaseEngines
from fzmediate.services.case_views import record_of
from fzmediate.services.catalogue import CatalogueService
from fzmediate.store.models import Case, CaseEventRow, CatalogueBundle, DocumentRow, PartyRow
from fzmediate.sync.protocol import DERIVED_FIELDS, PulledChange

if TYPE_CHECKING:
    from fzmediate.services.session import Session

log = logging.getLogger(__name__)

#: Deadlines are counted in China's calendar days (as ``CaseService.today``).
CHINA: Final = timezone(timedelta(hours=8), "Asia/Shanghai")
CASE_DERIVED: Final = DERIVED_FIELDS["case"]
#: The one derived field a pulled patch still moves (to the later time); the others are recomputed.
UPDATED_AT: Final = "updated_at"
#: Cases per ``IN (…)`` list: under SQLite's limit on bound parameters.
_IN_CHUNK: Final = 500


#: Decoded bundles and their calendars by (bundle id, version, digest): content-addressed, so shared by every
#: page and store of the process (decoding the shipped bundle takes ~60 ms). A few versions at most.
_DECODED: dict[tuple[str, int, str], tuple[Bundle, WorkCalendar]] = {}
_DECODED_MAX: Final = 8


class _StoreCatalogue(CatalogueService):
    """The stored catalogue bundles, read through the page's own unit of work: every call here passes ``s``, so
    the service never needs a desk session of its own (SQLite transactions do not nest)."""

    def __init__(self) -> None:
        super().__init__(cast("Session", None))

    def _decoded(self, bundle_id: str, version: int, s: OrmSession | None) -> tuple[Bundle, WorkCalendar]:
        assert s is not None  # CaseEngines.for_case is always given the page's unit of work here
        digest = s.scalar(
            select(CatalogueBundle.digest).where(
                CatalogueBundle.bundle_id == bundle_id, CatalogueBundle.version == version
            )
        )
        key = (bundle_id, version, digest or "")
        found = _DECODED.get(key) if digest else None
        if found is None:
            found = (super().bundle(bundle_id, version, s), super().calendar(bundle_id, version, s))
            if digest:
                if len(_DECODED) >= _DECODED_MAX:
                    _DECODED.clear()
                _DECODED[key] = found
        return found

    def bundle(self, bundle_id: str, version: int, s: OrmSession | None = None) -> Bundle:
        # Decoding here (the parent's) fills the parent's cache first: its calendar() reads the bundle again.
        own = self._bundles.get((bundle_id, version))
        return own if own is not None else self._decoded(bundle_id, version, s)[0]

    def calendar(self, bundle_id: str, version: int, s: OrmSession | None = None) -> WorkCalendar:
        return self._decoded(bundle_id, version, s)[1]


def moment(value: Any) -> datetime | None:
    """An ``updated_at`` value (a datetime or ISO text) as naive UTC, as the store keeps it; None when it is
    not one."""
    try:
        at = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    except (TypeError, ValueError):
        return None
    return at.astimezone(UTC).replace(tzinfo=None) if at.tzinfo else at


def take_pulled(current: Any, entity: str, name: str, diff: Mapping[str, Any]) -> bool:
    """Apply a pulled patch's derived field ``name`` to ``current`` without a three-way merge; False when the
    field is not derived (the caller merges it as data). Never a conflict: ``updated_at`` takes the later time
    (:func:`take_later`), the next deadline is left to :func:`refresh_deadlines`."""
    if name not in DERIVED_FIELDS.get(entity, ()):
        return False
    if name == UPDATED_AT and current is not None:
        take_later(current, diff.get("new"))
    return True


def take_later(current: Any, value: Any) -> bool:
    """Move ``current``'s ``updated_at`` to ``value`` if that is a later time; whether it moved.

    ``updated_at`` is the latest time any replica held (as the server keeps it, ``fzmediate.server.merge``): a
    maximum, so every replica that has seen the same times holds the same one, whatever order they came in —
    the three-way rule would let a late page move it back to a time the server has left behind."""
    mine, theirs = moment(getattr(current, UPDATED_AT)), moment(value)
    if theirs is None or (mine is not None and theirs <= mine):
        return False
    setattr(current, UPDATED_AT, theirs)
    return True


def cases_to_refresh(page: Iterable[PulledChange]) -> set[str]:
    """The cases whose next deadline a page may have changed: a patch of the case, or an event added to a case
    that existed before the page (a case created in the page came with its creator's derived values, and a later
    act on it in the page also patches the case)."""
    patched: set[str] = set()
    events: set[str] = set()
    created: set[str] = set()
    for change in page:
        if change.entity == "case":
            (patched if change.op == "patch" else created).add(change.entity_id)
        elif change.entity == "case_event" and isinstance(change.payload.get("case_id"), str):
            events.add(change.payload["case_id"])
    return patched | (events - created)


def refresh_deadlines(s: OrmSession, page: Iterable[PulledChange], *, now: datetime) -> int:
    """Recompute the next deadline of the page's cases held here (:func:`cases_to_refresh`); returns how many
    changed. A case whose pinned rules do not load keeps what it has (the case view reports the problem).

    The cases, their parties, events and documents are read in one query each per chunk of cases."""
    wanted = sorted(cases_to_refresh(page))
    if not wanted:
        return 0
    today = (now if now.tzinfo else now.replace(tzinfo=UTC)).astimezone(CHINA).date()
    engines = CaseEngines(_StoreCatalogue())
    changed = 0
    s.flush()  # the page's events and rows, for the queries below
    for start in range(0, len(wanted), _IN_CHUNK):
        chunk = wanted[start : start + _IN_CHUNK]
        parties: dict[str, list[PartyRow]] = defaultdict(list)
        events: dict[str, list[CaseEventRow]] = defaultdict(list)
        documents: dict[str, list[tuple[str, int]]] = defaultdict(list)
        for party in s.scalars(select(PartyRow).where(PartyRow.case_id.in_(chunk))):
            parties[party.case_id].append(party)
        for event in s.scalars(select(CaseEventRow).where(CaseEventRow.case_id.in_(chunk))):
            events[event.case_id].append(event)
        query = select(DocumentRow.case_id, DocumentRow.kind, DocumentRow.based_on_seq)
        for case_id, kind, based_on in s.execute(query.where(DocumentRow.case_id.in_(chunk))):
            documents[case_id].append((str(kind), int(based_on)))
        for case in s.scalars(select(Case).where(Case.id.in_(chunk))):
            record = record_of(case, parties[case.id], events[case.id])
            record = replace(record, documents=issued_kinds(documents[case.id], record))
            try:
                engine = engines.for_case(case.bundle_id, case.bundle_version, case.matter_code, case.procedure_id, s)
                nxt = engine.next_deadline(record, today)
            except FzError:
                log.warning("next deadline not recomputed: the case's rules do not load")
                continue
            due = (nxt.due, nxt.name, nxt.provisional) if nxt is not None else (None, "", False)
            if (case.next_due, case.next_due_name, case.next_due_provisional) != due:
                case.next_due, case.next_due_name, case.next_due_provisional = due
                changed += 1
            case.next_due_as_of = today
    return changed
