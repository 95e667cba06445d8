"""The transactional outbox: every local change to a synced entity leaves one row here, in its own transaction.

Invariants (reference/sync.md §5, DESIGN.md "Sync"):

- the domain write and its outbox row commit together: callers pass the ORM session of the unit of work
  that holds the change (``Session.write``), never open their own;
- ``device_seq`` is gap-free per device: the next number is read and used inside the same write transaction,
  which holds SQLite's write lock from ``BEGIN IMMEDIATE``, so two writers can never take the same number;
- ``change_id`` is a UUIDv7 minted on the device, so a retried push is recognisable by the server;
- rows are lean (:func:`lean_payload`): nothing the row says twice, and never the bytes of a document or an
  attachment — those travel once, by their ``sha256``, from the row that stores them (``fzmediate.sync.blobs``);
- acknowledged rows are deleted by the push that learns of it (``fzmediate.sync.acks``): the outbox holds only
  what the server does not have yet;
- ``op`` is ``create`` (all fields), ``patch`` (changed fields, each ``{"old": …, "new": …}``, with the
  ``base_version`` they were changed from), ``append`` (an append-only row such as a case event) or
  ``tombstone``.

Payloads are JSON: dates are ISO strings. They may carry personal data; they live inside the encrypted
database only, and are never logged.

The same unit of work also says *what* it changed, for the screens (:class:`OpChanges`: case ids and
entity kinds, no payloads): :func:`append_changes` notes its changes on the ORM session, and
:func:`track_writes` notes the rows of local entities (users, keys, catalogue bundles, settings) that have
no outbox row; ``Session.write`` gathers both once the transaction has committed. Nothing stored changes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any, Final

from sqlalchemy import Row, Text, event, func, select, type_coerce
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction

from fzmediate.store.changes import NO_CHANGES as NO_CHANGES
from fzmediate.store.changes import Change as Change
from fzmediate.store.changes import Op as Op
from fzmediate.store.changes import OpChanges as OpChanges
from fzmediate.store.models import Base, OutboxEntry, SyncState, new_time_id

#: Bumped with every schema revision that changes a synced entity's fields.
SCHEMA_VERSION = "0002"


def json_value(value: Any) -> Any:
    """A column value as JSON: dates and datetimes become ISO text; everything else is kept."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def row_fields(row: Base, *, exclude: Iterable[str] = ()) -> dict[str, Any]:
    """Every mapped column of ``row`` as JSON values (for a ``create`` or ``append`` payload)."""
    skip = set(exclude)
    return {col.key: json_value(getattr(row, col.key)) for col in row.__table__.columns if col.key not in skip}


def diff_fields(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """The fields whose value changed, as ``{"field": {"old": …, "new": …}}`` (for a ``patch``)."""
    return {
        key: {"old": json_value(before.get(key)), "new": json_value(value)}
        for key, value in after.items()
        if json_value(before.get(key)) != json_value(value)
    }


#: Entities whose ``version`` column is the row's change count (the outbox row's own ``version``), unlike a
#: document's ``version`` (which issue of a kind it is: data).
COUNTED: Final = frozenset({"case", "party", "session_plan"})


def lean_payload(c: Change) -> dict[str, Any]:
    """The payload as stored and sent: a ``create``/``append`` leaves out what the outbox row already says — the
    ``id`` (the row's ``entity_id``) and a counted entity's ``version`` (the row's ``version``). The receiving desk
    puts them back (``fzmediate.sync.apply.row_from_payload``); the server never merges either as data."""
    payload = dict(c.payload)
    if c.op in (Op.CREATE, Op.APPEND):
        if payload.get("id") == c.entity_id:
            del payload["id"]
        if c.entity in COUNTED and payload.get("version") == c.version:
            del payload["version"]
    return payload


def next_device_seq(session: Session, device_id: str) -> int:
    """The next gap-free number: past the newest row still here and past every row the server acknowledged.

    Acknowledged rows are deleted after a push (compaction, ``fzmediate.sync.client``), possibly all of them;
    ``sync_state.acked_through`` remembers how far the numbering had come."""
    current = session.scalar(select(func.max(OutboxEntry.device_seq)).where(OutboxEntry.device_id == device_id))
    acked = session.scalar(select(SyncState.acked_through).where(SyncState.id == 1))
    return max(current or 0, acked or 0) + 1


def append_changes(
    session: Session, changes: Sequence[Change], *, device_id: str, actor: str, at: datetime
) -> list[OutboxEntry]:
    """Add outbox rows for ``changes``, in order, inside the caller's transaction (one flush); the changes are
    also noted on ``session`` for :func:`collected`."""
    _note(session, OpChanges.of(changes))
    naive = at.replace(tzinfo=None)
    ms = int(at.timestamp() * 1000)
    first = next_device_seq(session, device_id)
    entries = [
        OutboxEntry(
            change_id=new_time_id(ms),
            device_id=device_id,
            device_seq=first + i,
            entity=c.entity,
            entity_id=c.entity_id,
            op=c.op.value,
            base_version=c.base_version,
            version=c.version,
            payload=lean_payload(c),
            actor=actor,
            created_at=naive,
            schema_version=SCHEMA_VERSION,
        )
        for i, c in enumerate(changes)
    ]
    session.add_all(entries)
    session.flush()  # a later call reads max(device_seq): these rows must be visible to it
    return entries


def pending(session: Session, *, limit: int = 500, after: int = 0) -> list[OutboxEntry]:
    """The oldest changes first (the push sends them in device_seq order), those numbered above ``after``."""
    query = select(OutboxEntry).where(OutboxEntry.device_seq > after).order_by(OutboxEntry.device_seq)
    return list(session.scalars(query.limit(limit)))


def pending_rows(session: Session, device_id: str | None, *, limit: int | None = 500, after: int = 0) -> list[Row[Any]]:
    """:func:`pending` of ``device_id`` (this store's device: the only one whose rows the push sends; None: every
    device's), ``limit`` of them (None: all), as plain rows with the same attributes and the payload as the JSON
    text stored, for reading only: the push reads 40,000 of them for a big outbox (mapped objects cost more than
    the rest of the push's work on this side) and sends each payload as stored. Naming the device lets SQLite
    walk the ``(device_id, device_seq)`` index from ``after``; without it every batch scanned and sorted the
    whole outbox."""
    table = OutboxEntry.__table__
    columns = [c if c.name != "payload" else type_coerce(c, Text).label("payload") for c in table.c]
    query = select(*columns).where(table.c.device_seq > after)
    if device_id is not None:
        query = query.where(table.c.device_id == device_id)
    query = query.order_by(table.c.device_seq)
    return list(session.execute(query if limit is None else query.limit(limit)))


# --- what a unit of work changed (for the screens) ---------------------------------------------
_NOTED = "fzmediate.op_changes"
#: Tables that record how a change was made, not what changed: never a change of their own.
_BOOKKEEPING = frozenset({"audit_events", "outbox", "search_terms", "case_counters"})
#: Entity kinds of the tables without outbox rows, named like the outbox's entities.
_TABLE_KINDS = {
    "users": "user",
    "cases": "case",
    "parties": "party",
    "case_events": "case_event",
    "documents": "document",
    "catalogue_bundles": "catalogue",
    "meta": "meta",
    "office_keys": "office_key",
    "key_shares": "key_share",
    "intake_keys": "intake_key",
    "intake_inbox": "application",
    "attachments": "attachment",
    "session_plans": "session_plan",
    "kiosk_office_keys": "office_key",
    "kiosk_outbox": "application",
}


def _note(session: Session, changes: OpChanges) -> None:
    if changes:
        session.info[_NOTED] = session.info.get(_NOTED, NO_CHANGES) | changes


def note(session: Session, changes: OpChanges) -> None:
    """Say what a unit of work changed through statements the ORM does not see (rows inserted in bulk)."""
    _note(session, changes)


def row_kind(table: str) -> str:
    """The kind of change a write to ``table`` is (the outbox's entity names)."""
    return _TABLE_KINDS.get(table, table)


def _row_changes(rows: Iterable[object]) -> OpChanges:
    case_ids: set[str] = set()
    kinds: set[str] = set()
    for row in rows:
        table = getattr(getattr(row, "__table__", None), "name", None)
        if table is None or table in _BOOKKEEPING:
            continue
        kinds.add(_TABLE_KINDS.get(table, table))
        case_id = getattr(row, "id", None) if table == "cases" else getattr(row, "case_id", None)
        if isinstance(case_id, str):
            case_ids.add(case_id)
    return OpChanges(frozenset(case_ids), frozenset(kinds))


def track_writes(session: Session) -> None:
    """Note every row ``session`` inserts, updates or deletes (ORM flushes and bulk statements), so that
    writes without outbox rows are reported too. Call it once, when the unit of work begins."""

    def flushed(s: Session, _context: UOWTransaction) -> None:
        dirty = (row for row in s.dirty if s.is_modified(row))
        _note(s, _row_changes([*s.new, *dirty, *s.deleted]))

    def executed(state: ORMExecuteState) -> None:
        if not (state.is_insert or state.is_update or state.is_delete):
            return
        mapper = state.bind_mapper
        table = mapper.local_table.name if mapper is not None else None  # type: ignore[attr-defined]
        if table is not None and table not in _BOOKKEEPING:
            _note(state.session, OpChanges(kinds=frozenset({_TABLE_KINDS.get(table, table)})))

    event.listen(session, "after_flush", flushed)
    event.listen(session, "do_orm_execute", executed)


def collected(session: Session) -> OpChanges:
    """What the unit of work on ``session`` has changed so far (:func:`append_changes`, :func:`track_writes`)."""
    found: OpChanges = session.info.get(_NOTED, NO_CHANGES)
    return found
