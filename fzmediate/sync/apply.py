"""Applying changes pulled from the district server to the desk's store (docs/sync-protocol.md, "Pull").

Called inside the transaction that also stores the page's cursor (``fzmediate.sync.client``), so a page is
applied whole or not at all. Every rule is idempotent: a page applied twice changes nothing.

- ``create`` / ``append``: the row is inserted when absent and left alone when present, with what the lean
  payload leaves out put back (its id, its version, a document's or attachment's bytes, fetched by the client
  before the page and handed over with :func:`stage_blobs`). A row that cannot be inserted (its parent case is
  not here, its bytes are missing, or it collides with a local row, e.g. two parties numbered alike) is kept
  whole in ``sync_conflicts`` (field ``*``) for a person to look at. Two desks' events of one number do not
  collide: the number is unique per case and device (schema 0010).
- ``patch``: per field, three-way: local == old → take new; local == new → nothing to do; otherwise the desk's
  value stays and the field is recorded in ``sync_conflicts`` (origin ``local``).
- ``tombstone``: an attachment is marked removed, a session plan cancelled; the other entities have no
  deletion (a case is voided by an act), so the tombstone is recorded in ``sync_conflicts`` and skipped.
- derived fields (a case's next deadline, ``updated_at``) are never merged as data nor a conflict: the next
  deadline of the page's changed cases is recomputed here (``fzmediate.sync.derived``);
- ``conflict``/``tombstone``: another desk settled a conflict; it is closed here too (``fzmediate.sync.closing``).

Nothing here writes outbox rows: these changes came from the server. Payloads may hold personal data and are
never logged; only counts leave this module.
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import cache
from typing import Any, Final

from sqlalchemy import Boolean, Connection, Date, DateTime, Float, Integer, LargeBinary, Table, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from fzmediate.services.search import index_cases
from fzmediate.store.models import (
    AttachmentRow,
    Base,
    Case,
    CaseEventRow,
    DocumentRow,
    PartyRow,
    SessionPlan,
    SyncConflict,
)
from fzmediate.store.outbox import OpChanges, json_value, note, row_kind
from fzmediate.sync.closing import close_pulled
from fzmediate.sync.derived import UPDATED_AT, refresh_deadlines, take_later, take_pulled
from fzmediate.sync.protocol import (
    BLOB_ENTITIES,
    CONFLICT_ENTITY,
    DERIVED_FIELDS,
    SEALED_ENTITIES,
    Conflict,
    PulledChange,
)

#: The entities a desk keeps, by the outbox's entity names.
MODELS: Final[Mapping[str, type[Base]]] = {
    "case": Case,
    "party": PartyRow,
    "case_event": CaseEventRow,
    "document": DocumentRow,
    "session_plan": SessionPlan,
    "attachment": AttachmentRow,
}
#: The column holding the bytes of the kinds whose bytes travel by reference (protocol.BLOB_ENTITIES).
_BYTES: Final[Mapping[type[Base], str]] = {MODELS[name]: column for name, column in BLOB_ENTITIES.items()}
_STAGED: Final = "fzmediate.sync.staged_blobs"
#: Whole-row records in sync_conflicts use this field name.
WHOLE_ROW: Final = "*"
#: Ids per ``IN (…)`` list: under SQLite's limit on bound parameters.
IN_CHUNK: Final = 500
_NAMESPACE: Final = uuid.UUID("6b2f1d1e-5c8a-4e0b-9d47-1f3c2a9e8b70")


@dataclass
class PageResult:
    """What applying one page did (counts and case ids only)."""

    applied: int = 0
    skipped: int = 0
    conflicts: int = 0
    case_ids: set[str] = field(default_factory=set)
    #: Cases whose search rows must be rewritten (a case or party arrived or changed).
    reindex: set[str] = field(default_factory=set)


def local_conflict_id(change_id: str, field_name: str) -> str:
    """Stable, so that the same page applied twice records the same conflict once."""
    return str(uuid.uuid5(_NAMESPACE, "{0}\n{1}".format(change_id, field_name)))


# --- values ----------------------------------------------------------------------------------------------


def _column_value(column: Any, value: Any) -> Any:
    """A JSON payload value as the column stores it (ISO dates back to dates, base64 back to bytes)."""
    if value is None:
        return None
    convert = _converter(column.type)
    return value if convert is None else convert(value)


def _to_datetime(value: Any) -> Any:
    parsed = datetime.fromisoformat(value) if isinstance(value, str) else value
    if isinstance(parsed, datetime) and parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC).replace(tzinfo=None)  # the store keeps naive UTC
    return parsed


def _to_date(value: Any) -> Any:
    return date.fromisoformat(value) if isinstance(value, str) else value


def _to_bytes(value: Any) -> bytes:
    return base64.b64decode(value) if isinstance(value, str) else bytes(value)


def _converter(kind: Any) -> Callable[[Any], Any] | None:
    """How a column of this SQL type takes a JSON value; None: as it is (text, JSON)."""
    if isinstance(kind, DateTime):
        return _to_datetime
    if isinstance(kind, Date):
        return _to_date
    if isinstance(kind, LargeBinary):
        return _to_bytes
    if isinstance(kind, Boolean):
        return bool
    if isinstance(kind, Integer):
        return int
    if isinstance(kind, Float):
        return float
    return None


@cache
def _converters(model: type[Base]) -> dict[str, Callable[[Any], Any] | None]:
    """Each column's converter (:func:`_converter`), by key: looked up once per model, not once per value
    (a pulled page converts tens of thousands of values)."""
    return {c.key: _converter(c.type) for c in model.__table__.columns}


@cache
def _columns(model: type[Base]) -> dict[str, Any]:
    return {c.key: c for c in model.__table__.columns}


class NewRow:
    """A row a page inserts, as its column values: written with the page, one statement per table and shape
    (:func:`_insert_new`). A later change of the same page (a patch, a tombstone) changes these values like it
    would change a loaded row's attributes; building and flushing mapped objects instead was most of a pull's
    time."""

    __slots__ = ("model", "values")

    def __init__(self, model: type[Base], values: dict[str, Any]) -> None:
        object.__setattr__(self, "model", model)
        object.__setattr__(self, "values", values)

    def __getattr__(self, name: str) -> Any:
        if name in _columns(self.model):
            return self.values.get(name)
        raise AttributeError(name)

    def __setattr__(self, name: str, value: Any) -> None:
        if name not in _columns(self.model):
            raise AttributeError(name)
        self.values[name] = value


def _model_of(row: Base | NewRow) -> type[Base]:
    return row.model if isinstance(row, NewRow) else type(row)


def _insert_new(s: Session, rows: list[NewRow]) -> None:
    """Insert a page's new rows: tables in dependency order (cases before their parties), one executemany per
    table and set of columns given (a column left out keeps its default)."""
    groups: dict[tuple[str, tuple[str, ...]], list[dict[str, Any]]] = {}
    for row in rows:
        values = row.values
        groups.setdefault((row.model.__table__.name, tuple(sorted(values))), []).append(values)
    connection = s.connection()
    for table in Base.metadata.sorted_tables:
        for (name, keys), params in groups.items():
            if name == table.name and not _insert_on_driver(connection, table, keys, params):
                connection.execute(insert(table), params)


def _insert_on_driver(
    connection: Connection, table: Table, keys: tuple[str, ...], params: list[dict[str, Any]]
) -> bool:
    """Insert ``params`` through the statement SQLAlchemy compiles for ``keys``, each value put through its
    column type's own bind processor, as one executemany on the driver; False (nothing done) when the statement
    needs more than the values given (a column default SQLAlchemy computes per row). SQLAlchemy's per-row
    parameter handling took longer than SQLite's insert of a page's 2,000 rows."""
    dialect = connection.dialect
    compiled = insert(table).compile(dialect=dialect, column_keys=list(keys))
    names = compiled.positiontup
    if names is None or sorted(names) != sorted(keys):
        return False
    # The dialect's own type (SQLite keeps times as text in its own format), as SQLAlchemy uses it.
    processors = [table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in names]
    rows = [
        tuple(value if process is None else process(value) for process, value in zip(processors, values, strict=True))
        for values in ([row[name] for name in names] for row in params)
    ]
    connection.exec_driver_sql(compiled.string, rows)
    return True


def stage_blobs(s: Session, blobs: Mapping[str, bytes]) -> None:
    """Hand the bytes fetched for a page (by sha256, already checked) to :func:`apply_changes` on ``s``."""
    s.info[_STAGED] = dict(blobs)


def row_from_payload(
    model: type[Base],
    entity_id: str,
    payload: Mapping[str, Any],
    *,
    version: int | None = None,
    blobs: Mapping[str, bytes] | None = None,
) -> Base:
    """A new row of ``model`` from a create/append payload; fields this build does not know are ignored.

    What a lean payload leaves out comes back: the id (``entity_id``), a counted row's ``version`` (the
    change's), and a document's or attachment's bytes (from ``blobs``, by the payload's ``sha256``; a row whose
    bytes are not there raises ``ValueError``: it is never stored without them)."""
    return model(**row_values(model, entity_id, payload, version=version, blobs=blobs))


def row_values(
    model: type[Base],
    entity_id: str,
    payload: Mapping[str, Any],
    *,
    version: int | None = None,
    blobs: Mapping[str, bytes] | None = None,
) -> dict[str, Any]:
    """The column values of :func:`row_from_payload`'s row."""
    converters = _converters(model)
    values: dict[str, Any] = {}
    for k, v in payload.items():
        if k in converters:
            convert = converters[k]
            values[k] = v if v is None or convert is None else convert(v)
    values["id"] = entity_id
    if "version" in converters and "version" not in values and version is not None:
        values["version"] = version
    column = _BYTES.get(model)
    if column is not None and column not in values:
        found = (blobs or {}).get(str(payload.get("sha256")))
        if found is None:
            raise ValueError("bytes not fetched")
        values[column] = found
    return values


# --- the rules -----------------------------------------------------------------------------------------------


def apply_changes(s: Session, changes: Iterable[PulledChange], *, local_device: str, now: datetime) -> PageResult:
    """Apply pulled changes in order inside the caller's transaction; then rewrite the touched search rows.

    The page is applied in memory against its rows loaded in one query per kind and written in one flush (a
    handful of statements). When that flush fails (a row collides with a local one), the page is rolled back
    to its savepoint and applied again change by change, each insert in a savepoint of its own, so only the
    colliding row is parked in ``sync_conflicts``."""
    page = list(changes)
    naive_now = now.astimezone(UTC).replace(tzinfo=None) if now.tzinfo else now
    try:
        with s.begin_nested():
            with s.no_autoflush:
                result, new = _apply_batch(s, page, local_device=local_device, now=naive_now)
            _insert_new(s, new)
            s.flush()
    except (IntegrityError, ValueError, TypeError):
        s.expire_all()  # what the rolled-back attempt changed in memory is read again from the database
        result = PageResult()
        sink = _Conflicts(s, result, local_device=local_device, now=naive_now, batched=False)
        for change in page:
            _apply_one(s, change, result, sink, current=_fetch(s, change))
    _reindex(s, result.reindex)
    refresh_deadlines(s, page, now=naive_now)  # derived fields: recomputed here, never merged (sync.derived)
    return result


def _apply_batch(
    s: Session, page: list[PulledChange], *, local_device: str, now: datetime
) -> tuple[PageResult, list[NewRow]]:
    """The page applied in memory: loaded rows changed in place (flushed by the caller), new rows returned."""
    result = PageResult()
    sink = _Conflicts(s, result, local_device=local_device, now=now, batched=True)
    held = _load(s, page)
    for change in page:
        model = MODELS.get(change.entity)
        current = held.get((model, change.entity_id)) if model is not None else None
        _apply_one(s, change, result, sink, current=current, held=held)
    sink.finish()
    new = [row for row in held.values() if isinstance(row, NewRow)]
    if new:
        note(s, OpChanges(frozenset(result.case_ids), frozenset(row_kind(r.model.__table__.name) for r in new)))
    return result, new


#: The rows a page touches, by (model, id); None for one this desk does not hold.
_Held = dict[tuple[type[Base], str], Base | NewRow | None]


def _load(s: Session, page: list[PulledChange]) -> _Held:
    """The page's rows (and the cases its new rows belong to), one query per kind and chunk of ids."""
    wanted: dict[type[Base], set[str]] = {}
    for change in page:
        model = MODELS.get(change.entity)
        if model is None:
            continue
        wanted.setdefault(model, set()).add(change.entity_id)
        parent = change.payload.get("case_id") if change.op in ("create", "append") else None
        if isinstance(parent, str):
            wanted.setdefault(Case, set()).add(parent)
    held: _Held = {}
    for model, ids in wanted.items():
        ordered = sorted(ids)
        held.update(((model, i), None) for i in ordered)
        key = model.__table__.c.id
        for start in range(0, len(ordered), IN_CHUNK):
            for row in s.scalars(select(model).where(key.in_(ordered[start : start + IN_CHUNK]))):
                held[(model, row.id)] = row  # type: ignore[attr-defined]  # every synced model has an id
    return held


def _fetch(s: Session, change: PulledChange) -> Base | None:
    model = MODELS.get(change.entity)
    return s.get(model, change.entity_id) if model is not None else None


def _case_of(change: PulledChange, row: Base | NewRow | None) -> str | None:
    if change.entity == "case":
        return change.entity_id
    case_id = getattr(row, "case_id", None) if row is not None else change.payload.get("case_id")
    return case_id if isinstance(case_id, str) else None


def _apply_one(
    s: Session,
    change: PulledChange,
    result: PageResult,
    sink: _Conflicts,
    *,
    current: Base | NewRow | None,
    held: _Held | None = None,
) -> None:
    """One change; ``held`` is the batch's rows (:func:`_load`), None when applied row by row."""
    if change.entity == CONFLICT_ENTITY:
        return _close_conflict(s, change, result, sink.now)
    model = MODELS.get(change.entity)
    if model is None:  # catalogue data, audit events, kinds of a newer build: not a desk's rows
        result.skipped += 1
        return
    case_id = _case_of(change, current)
    if change.op in ("create", "append"):
        done = _insert(s, model, change, current, result, sink, held)
    elif change.entity in SEALED_ENTITIES:  # the server refuses these; never change a sealed row
        result.skipped += 1
        return
    elif change.op == "patch":
        done = _patch(change, current, result, sink)
    else:
        done = _tombstone(change, current, result, sink)
    if done and case_id is not None:
        result.case_ids.add(case_id)
        if change.entity in ("case", "party"):
            result.reindex.add(case_id)


def _insert(
    s: Session,
    model: type[Base],
    change: PulledChange,
    current: Base | NewRow | None,
    result: PageResult,
    sink: _Conflicts,
    held: _Held | None,
) -> bool:
    if current is not None:
        if UPDATED_AT in DERIVED_FIELDS.get(change.entity, ()):
            take_later(current, change.payload.get(UPDATED_AT))  # derived: the later time (sync.derived)
        result.skipped += 1  # already here: an earlier pull, or our own row
        return False
    parent = change.payload.get("case_id")
    if change.entity != "case":
        if not isinstance(parent, str):
            sink.whole_row(change)
            return False
        found = held.get((Case, parent)) if held is not None else s.get(Case, parent)
        if found is None:
            sink.whole_row(change)
            return False
    blobs = s.info.get(_STAGED, {})
    if held is not None:  # the batch: inserted with the page; a collision there sends the page row by row
        try:
            values = row_values(model, change.entity_id, change.payload, version=change.version, blobs=blobs)
        except (ValueError, TypeError):
            sink.whole_row(change)
            return False
        held[(model, change.entity_id)] = NewRow(model, values)
        result.applied += 1
        return True
    try:
        with s.begin_nested():  # a collision rolls back this row only, not the page
            s.add(row_from_payload(model, change.entity_id, change.payload, version=change.version, blobs=blobs))
            s.flush()
    except (IntegrityError, ValueError, TypeError):
        sink.whole_row(change)
        return False
    result.applied += 1
    return True


def _patch(change: PulledChange, current: Base | NewRow | None, result: PageResult, sink: _Conflicts) -> bool:
    if current is None:
        sink.whole_row(change)
        return False
    columns = _columns(_model_of(current))
    changed = False
    for name, diff in change.payload.items():
        if name not in columns or name == "id" or not isinstance(diff, Mapping):
            continue
        if take_pulled(current, change.entity, name, diff):
            continue  # derived: never a conflict (fzmediate.sync.derived)
        old, new = diff.get("old"), diff.get("new")
        local = json_value(getattr(current, name))
        if local == new:
            continue
        if local == old:
            setattr(current, name, _column_value(columns[name], new))
            changed = True
            continue
        sink.record(
            conflict_id=local_conflict_id(change.change_id, name),
            change=change,
            field_name=name,
            base=old,
            server=new,
            client=local,
        )
    if "version" in columns and change.version > (getattr(current, "version", 0) or 0):
        current.version = change.version  # type: ignore[union-attr]  # every versioned model has it
    if changed:
        result.applied += 1
    else:
        result.skipped += 1
    return changed


def _tombstone(change: PulledChange, current: Base | NewRow | None, result: PageResult, sink: _Conflicts) -> bool:
    model = _model_of(current) if current is not None else None
    row: Any = current  # a loaded row or a NewRow of the page: the same attributes
    if model is AttachmentRow:
        if row.removed_at is None:
            row.removed_at = sink.now
            row.removed_by = change.actor
            result.applied += 1
            return True
    elif model is SessionPlan:
        if row.cancelled_at is None:
            row.cancelled_at = sink.now
            result.applied += 1
            return True
    else:
        sink.whole_row(change)
        return False
    result.skipped += 1
    return False


def _reindex(s: Session, case_ids: set[str]) -> None:
    """Rewrite the search rows of ``case_ids`` (those held here) from their parties, read in one query per chunk
    of cases, written by :func:`index_cases` (a statement per chunk, not two per case)."""
    ordered = sorted(case_ids)
    for start in range(0, len(ordered), IN_CHUNK):
        chunk = ordered[start : start + IN_CHUNK]
        parties: dict[str, list[tuple[str, str, str]]] = {
            case_id: [] for case_id in s.scalars(select(Case.id).where(Case.id.in_(chunk)))
        }
        query = select(PartyRow.case_id, PartyRow.name, PartyRow.id_number, PartyRow.phone).where(
            PartyRow.case_id.in_(sorted(parties))
        )
        for case_id, name, id_number, phone in s.execute(query):
            parties[case_id].append((name, id_number, phone))
        index_cases(s, parties)


# --- conflicts -----------------------------------------------------------------------------------------------


class _Conflicts:
    """Where a page's local conflicts go: added one by one (row by row), or gathered and added once with one
    look-up of those already recorded (the batch, :meth:`finish`). Either way a conflict is recorded once."""

    def __init__(self, s: Session, result: PageResult, *, local_device: str, now: datetime, batched: bool) -> None:
        self.s, self.result, self.local_device, self.now, self.batched = s, result, local_device, now, batched
        self.pending: dict[str, SyncConflict] = {}

    def whole_row(self, change: PulledChange) -> None:
        self.record(
            conflict_id=local_conflict_id(change.change_id, WHOLE_ROW),
            change=change,
            field_name=WHOLE_ROW,
            base={"op": change.op, "base_version": change.base_version, "version": change.version},
            server=dict(change.payload),
            client=None,
        )

    def record(
        self, *, conflict_id: str, change: PulledChange, field_name: str, base: Any, server: Any, client: Any
    ) -> None:
        if conflict_id in self.pending:
            return  # the same change twice in one page
        row = SyncConflict(
            conflict_id=conflict_id,
            origin="local",
            entity=change.entity,
            entity_id=change.entity_id,
            field=field_name,
            base_value=base,
            server_value=server,
            client_value=client,
            server_device=change.device_id,
            client_device=self.local_device,
            server_actor=change.actor,
            client_actor="",
            created_at=self.now,
        )
        if self.batched:
            self.pending[conflict_id] = row
            return
        if self.s.get(SyncConflict, conflict_id) is not None:
            return  # the same page again
        self.s.add(row)
        self.s.flush()
        self.result.conflicts += 1

    def finish(self) -> None:
        """Add the gathered conflicts not recorded before (the same page applied again records none)."""
        ids = sorted(self.pending)
        known: set[str] = set()
        for start in range(0, len(ids), IN_CHUNK):
            chunk = ids[start : start + IN_CHUNK]
            known.update(self.s.scalars(select(SyncConflict.conflict_id).where(SyncConflict.conflict_id.in_(chunk))))
        fresh = [row for conflict_id, row in self.pending.items() if conflict_id not in known]
        self.s.add_all(fresh)
        self.result.conflicts += len(fresh)
        self.pending.clear()


def _close_conflict(s: Session, change: PulledChange, result: PageResult, now: datetime) -> None:
    """Another desk settled a conflict: close it here, and take the settled value (``fzmediate.sync.closing``)."""
    closed, reindex = close_pulled(s, change, now=now, models=MODELS, convert=_column_value)
    if closed:
        result.applied += 1
    else:
        result.skipped += 1
    if reindex is not None:
        result.case_ids.add(reindex)
        result.reindex.add(reindex)


def store_server_conflicts(s: Session, conflicts: Iterable[Conflict], *, now: datetime) -> int:
    """Keep the conflicts a pull page reports (idempotent by ``conflict_id``); returns how many are new."""
    added = 0
    naive_now = now.astimezone(UTC).replace(tzinfo=None) if now.tzinfo else now
    for c in conflicts:
        row = s.get(SyncConflict, c.conflict_id)
        if row is not None:
            if c.resolved and row.resolved_at is None:
                row.resolved_at = naive_now
                row.resolved_by = "server"
            continue
        created = c.created_at.astimezone(UTC).replace(tzinfo=None) if c.created_at.tzinfo else c.created_at
        s.add(
            SyncConflict(
                conflict_id=c.conflict_id,
                origin="server",
                entity=c.entity,
                entity_id=c.entity_id,
                field=c.field,
                base_value=c.base_value,
                server_value=c.server_value,
                client_value=c.client_value,
                server_device=c.server_device or "",
                client_device=c.client_device,
                server_actor=c.server_actor or "",
                client_actor=c.client_actor,
                created_at=created,
                resolved_at=naive_now if c.resolved else None,
                resolved_by="server" if c.resolved else "",
            )
        )
        added += 1
    s.flush()
    return added
