"""How one change meets the server's state of its entity (docs/sync-protocol.md, "Push").

- ``create``: a new entity is inserted; the same content again is a no-op; other content is a conflict
  (one conflict row per differing field; the server's entity stays).
- ``patch`` (``{"field": {"old": …, "new": …}}``): a three-way merge per field: current == old → take new;
  current == new → nothing to do; otherwise a conflict row keeps base, server and client values and the
  server value stays; the rest of the patch applies. A patch of a deleted entity is a conflict (``_deleted``).
- ``append`` (and ``create`` of a sealed kind): inserted once; the same id with other content is refused
  (``sealed``).
- ``tombstone``: marks the entity deleted unless it changed since ``base_version`` (a conflict).
- Sealed kinds (case events, documents, audit events) refuse ``patch`` and ``tombstone``.
- Derived fields (:data:`~fzmediate.sync.protocol.DERIVED_FIELDS`: a case's next deadline, ``updated_at``) never
  conflict. ``updated_at`` is the latest time any replica held (the maximum of the server's, the patch's ``old``
  and ``new``; a ``create`` meeting the entity takes the later too and is published again if that moved it), so
  replicas converge whatever order they see the changes in; where the three-way rule would see a conflict on
  the next deadline, the one last sent is taken (each desk recomputes its own).
- ``conflict``/``tombstone`` closes a conflict row a desk settled (:func:`close_conflict`).

Entity versions are the server's: 1 at creation, one more for each change that altered it; a payload's
``version`` field (the desk row's own count) is never merged as data: the server writes its version there.
What other devices
pull is the change as applied here (:attr:`Outcome.payload`), never the parts that lost a conflict.
A device may only change entities of its own unit (``scope``).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from fzmediate.server.auth import Caller
from fzmediate.server.bulk import JsonTexts, insert_rows, one_of, update_rows
from fzmediate.server.models import ConflictRow, Entity
from fzmediate.sync.protocol import CONFLICT_ENTITY, DERIVED_FIELDS, SEALED_ENTITIES, Change, Status

DELETED_FIELD: Final = "_deleted"
#: A desk row's own version column, sent in create payloads and patches: the server keeps its own count there.
VERSION_FIELD: Final = "version"
#: The derived field kept as the latest time any replica held (never three-way merged: see ``_later``).
UPDATED_AT: Final = "updated_at"


@dataclass(eq=False)
class EntityState:
    """The server's state of one entity during a push: read once (locked), changed in memory, written once.

    Plain data rather than a mapped object: a push of 500 changes builds and writes 500 of these, and the ORM's
    per-object bookkeeping was most of a push's time. ``loaded_version`` is the version read from the database
    (None for an entity this push creates): :func:`write_entities` inserts the new ones and updates the changed
    ones."""

    entity: str
    entity_id: str
    unit: str
    version: int
    fields: dict[str, Any]
    deleted: bool
    last_server_seq: int | None
    last_device: str
    last_actor: str
    loaded_version: int | None = None

    def row(self) -> dict[str, Any]:
        return {c: getattr(self, c) for c in ENTITY_COLUMNS}


#: An entity row's columns, in the table's order.
ENTITY_COLUMNS: Final = tuple(c.key for c in Entity.__table__.columns)


@dataclass
class Outcome:
    """What became of one change. ``published`` changes go to other devices with ``payload`` and the entity's
    server versions (``base_version`` → ``version``)."""

    status: Status
    reason: str | None = None
    published: bool = False
    payload: dict[str, Any] = field(default_factory=dict)
    base_version: int | None = None
    version: int | None = None
    entity: EntityState | None = None


#: The entities a push touches, by ``(entity, entity_id)``, loaded (and locked) once for the whole request;
#: None for one the server does not hold. :func:`apply_change` puts the entities it creates here.
Held = dict[tuple[str, str], EntityState | None]


def load_entities(session: Session, keys: Iterable[tuple[str, str]]) -> Held:
    """The server's entities for ``keys``, one query per entity kind, each row locked until the commit.

    Locked in key order (PostgreSQL), so two pushes touching the same entities wait for each other instead of
    deadlocking; concurrent pushes touching one entity merge one at a time."""
    held: Held = dict.fromkeys(keys)
    by_kind: dict[str, list[str]] = {}
    for kind, entity_id in sorted(held):
        by_kind.setdefault(kind, []).append(entity_id)
    table = Entity.__table__
    for kind, ids in by_kind.items():
        for where in one_of(session, table.c.entity_id, ids):
            query = select(table).where(table.c.entity == kind, where).order_by(table.c.entity_id).with_for_update()
            for row in session.execute(query).mappings():
                state = EntityState(**row, loaded_version=row["version"])
                held[(state.entity, state.entity_id)] = state
    return held


def write_entities(session: Session, entities: Iterable[EntityState], json: JsonTexts | None = None) -> None:
    """Insert the entities a push created and update those it changed: one statement each, many rows (``json``:
    :func:`~fzmediate.server.bulk.insert_rows`)."""
    new: list[dict[str, Any]] = []
    changed: list[dict[str, Any]] = []
    for state in entities:
        if state.loaded_version is None:
            new.append(state.row())
        elif state.version != state.loaded_version:
            changed.append(state.row())
        else:
            continue
        state.loaded_version = state.version  # written: a second call writes nothing again
    insert_rows(session, Entity, new, json)
    update_rows(session, Entity, changed, keys=("entity", "entity_id"))


def apply_change(session: Session, device: Caller, change: Change, now: datetime, held: Held | None = None) -> Outcome:
    """Apply ``change`` from ``device`` to the server's state (conflict rows and new entities are added to
    ``session``, flushed by the caller). ``held`` (:func:`load_entities`) holds the entity when it was loaded
    with the batch; a new entity is put there, so a later change of the same push sees it."""
    if held is None:
        held = {}
    if change.entity == CONFLICT_ENTITY:
        return close_conflict(session, device, change, now, held)
    sealed = change.entity in SEALED_ENTITIES
    if sealed and change.op in ("patch", "tombstone"):
        return Outcome("rejected", reason="sealed")
    key = (change.entity, change.entity_id)
    if key not in held:
        # Locks the entity row until the commit (PostgreSQL): concurrent pushes touching it merge one at a time.
        held.update(load_entities(session, [key]))
    entity = held[key]
    if entity is not None and entity.unit != device.unit:
        return Outcome("rejected", reason="scope")
    if change.op == "append" or (change.op == "create" and sealed):
        return _append(session, device, change, entity, held)
    if change.op == "create":
        return _create(session, device, change, entity, now, held)
    if entity is None:
        return Outcome("rejected", reason="not_found")
    if change.op == "patch":
        return _patch(session, device, change, entity, now)
    return _tombstone(session, device, change, entity, now)


def _insert(session: Session, device: Caller, change: Change, held: Held) -> Outcome:
    entity = EntityState(
        entity=change.entity,
        entity_id=change.entity_id,
        unit=device.unit,
        version=1,
        fields=dict(change.payload),
        deleted=False,
        last_server_seq=None,
        last_device=device.device_id,
        last_actor=change.actor,
    )
    # A later change of this push finds it in ``held``; a concurrent create of the same entity fails at the
    # insert (its key is taken) and the whole push is run again.
    held[(change.entity, change.entity_id)] = entity
    return Outcome("applied", published=True, payload=dict(change.payload), version=1, entity=entity)


def _append(session: Session, device: Caller, change: Change, entity: EntityState | None, held: Held) -> Outcome:
    if entity is None:
        return _insert(session, device, change, held)
    if entity.fields == change.payload and not entity.deleted:
        return Outcome("merged", version=entity.version, entity=entity)  # the same row again: held already
    return Outcome("rejected", reason="sealed")


def _create(
    session: Session, device: Caller, change: Change, entity: EntityState | None, now: datetime, held: Held
) -> Outcome:
    if entity is None:
        return _insert(session, device, change, held)
    if entity.fields == change.payload and not entity.deleted:
        return Outcome("merged", version=entity.version, entity=entity)
    if entity.deleted:
        _conflict(session, entity, device, change, DELETED_FIELD, None, True, False, now)
    derived = DERIVED_FIELDS.get(change.entity, frozenset())
    for name in sorted(set(entity.fields) | set(change.payload)):
        server, client = entity.fields.get(name), change.payload.get(name)
        if server != client and name not in derived:
            _conflict(session, entity, device, change, name, None, server, client, now)
    later = _later(entity.fields.get(UPDATED_AT), change.payload.get(UPDATED_AT))
    if UPDATED_AT in derived and not entity.deleted and later != entity.fields.get(UPDATED_AT):
        # The sender's time is the later one: the entity takes it (derived, never a conflict), and every other
        # desk learns it from the create published again with the server's whole entity (a desk that holds the
        # row takes the later time from it, one that does not inserts the server's row).
        base = entity.version
        entity.fields = {**entity.fields, UPDATED_AT: later}
        if VERSION_FIELD in entity.fields:
            entity.fields[VERSION_FIELD] = base + 1
        entity.version = base + 1
        entity.last_device, entity.last_actor = device.device_id, change.actor
        return Outcome(
            "conflict",
            reason="exists",
            published=True,
            payload=dict(entity.fields),
            base_version=base,
            version=entity.version,
            entity=entity,
        )
    return Outcome("conflict", reason="exists", version=entity.version, entity=entity)


def _patch(session: Session, device: Caller, change: Change, entity: EntityState, now: datetime) -> Outcome:
    wanted = _patch_fields(change.payload)
    if wanted is None:
        return Outcome("rejected", reason="malformed")
    if entity.deleted:
        client = {name: new for name, (_old, new) in wanted.items()}
        _conflict(session, entity, device, change, DELETED_FIELD, False, True, client, now)
        return Outcome("conflict", reason="deleted", version=entity.version, entity=entity)
    fields = dict(entity.fields)
    taken: dict[str, Any] = {}
    conflicts = 0
    merged = entity.version != change.base_version
    derived = DERIVED_FIELDS.get(change.entity, frozenset())
    for name, (old, new) in wanted.items():
        if name == VERSION_FIELD:
            continue  # the device's count, not data: versions are the server's (set below when the entity changes)
        current = fields.get(name)
        if name == UPDATED_AT and name in derived:
            # The latest time any replica held, whatever the order changes arrive in (docs/sync-protocol.md,
            # "Conflicts"): ``old`` too, a time the sender held (it may have moved its own back since).
            value = _later(current, old, new)
            if value != current:
                fields[name] = value
                taken[name] = {"old": current, "new": value}
            if value != new:
                merged = True  # the server keeps a later time than the one sent
            continue
        if name in derived and current not in (old, new):
            value = new  # both desks changed it: derived, so never a conflict (each desk recomputes its own)
            if value != current:
                fields[name] = value
                taken[name] = {"old": current, "new": value}
            merged = True
            continue
        if current == old:
            fields[name] = new
            taken[name] = {"old": current, "new": new}
        elif current == new:
            merged = True  # the server has it already
        else:
            _conflict(session, entity, device, change, name, old, current, new, now)
            conflicts += 1
    status: Status = "conflict" if conflicts else ("merged" if merged else "applied")
    reason = "field_conflict" if conflicts else None
    if not taken:
        return Outcome(status, reason=reason, version=entity.version, entity=entity)
    base = entity.version
    if VERSION_FIELD in fields:
        fields[VERSION_FIELD] = base + 1
    entity.fields, entity.version = fields, base + 1
    entity.last_device, entity.last_actor = device.device_id, change.actor
    return Outcome(
        status, reason=reason, published=True, payload=taken, base_version=base, version=entity.version, entity=entity
    )


def _later(*values: Any) -> Any:
    """The latest of ``updated_at`` values (ISO text compared as time; text that is no time, or None, never
    wins over a time). A maximum, so every replica that has seen the same values holds the same one, in
    whatever order they came (the server and :func:`fzmediate.sync.derived.take_pulled` alike)."""
    best: Any = None
    best_at: datetime | None = None
    for value in values:
        try:
            at = _utc(value) if isinstance(value, str) else None
        except ValueError:
            at = None
        if at is None:
            if best is None and best_at is None and value is not None:
                best = value
            continue
        if best_at is None or at > best_at:
            best, best_at = value, at
    return best


def _utc(text: str) -> datetime:
    at = datetime.fromisoformat(text)
    return at.astimezone(UTC).replace(tzinfo=None) if at.tzinfo else at


def close_conflict(
    session: Session, device: Caller, change: Change, now: datetime, held: Held | None = None
) -> Outcome:
    """Close the conflict row a desk settled (``conflict``/``tombstone``, ``entity_id`` = its id), in the push's
    transaction; the change is published so that every other desk of the unit closes its copy when it pulls.

    Refused: another op or payload shape (``malformed``), an unknown id (``not_found``), a conflict of another
    unit (``scope``), one about another entity or field than the payload says (``mismatch``). A conflict closed
    already answers ``merged`` and is not published again. The published payload adds ``value``: the field's
    value at the server once settled (absent for a deletion or an entity the server does not hold)."""
    about = {k: change.payload.get(k) for k in ("entity", "entity_id", "field")}
    shaped = set(change.payload) == set(about) and all(isinstance(v, str) for v in about.values())
    if change.op != "tombstone" or not shaped:
        return Outcome("rejected", reason="malformed")
    row = session.get(ConflictRow, change.entity_id, with_for_update=True)
    if row is None:
        return Outcome("rejected", reason="not_found")
    if row.unit != device.unit:
        return Outcome("rejected", reason="scope")
    if (row.entity, row.entity_id, row.field) != (about["entity"], about["entity_id"], about["field"]):
        return Outcome("rejected", reason="mismatch")
    if row.resolved_at is not None:
        return Outcome("merged")
    row.resolved_at = now
    published: dict[str, Any] = dict(about)
    key = (row.entity, row.entity_id)
    held = {} if held is None else held
    if key not in held:
        held.update(load_entities(session, [key]))
    entity = held[key]  # as this push left it (a patch before the closure settled the value)
    if entity is not None and not entity.deleted and row.field != DELETED_FIELD:
        # The value as settled: a desk that still holds a disputed one takes it (fzmediate.sync.closing).
        published["value"] = entity.fields.get(row.field)
    return Outcome("applied", published=True, payload=published, version=change.version)


def _patch_fields(payload: dict[str, Any]) -> dict[str, tuple[Any, Any]] | None:
    """``{"field": {"old": …, "new": …}}`` as ``{"field": (old, new)}``; None when it is not of that shape."""
    result: dict[str, tuple[Any, Any]] = {}
    for name, value in payload.items():
        if not isinstance(value, dict) or set(value) != {"old", "new"} or not name or len(name) > 64:
            return None
        result[name] = (value["old"], value["new"])
    return result


def _tombstone(session: Session, device: Caller, change: Change, entity: EntityState, now: datetime) -> Outcome:
    if entity.deleted:
        return Outcome("merged", version=entity.version, entity=entity)
    if change.base_version is not None and change.base_version != entity.version:
        _conflict(session, entity, device, change, DELETED_FIELD, False, False, True, now)
        return Outcome("conflict", reason="changed", version=entity.version, entity=entity)
    base = entity.version
    entity.deleted, entity.version = True, base + 1
    if VERSION_FIELD in entity.fields:
        entity.fields = {**entity.fields, VERSION_FIELD: base + 1}
    entity.last_device, entity.last_actor = device.device_id, change.actor
    return Outcome("applied", published=True, payload={}, base_version=base, version=entity.version, entity=entity)


def _conflict(
    session: Session,
    entity: EntityState,
    device: Caller,
    change: Change,
    name: str,
    base: Any,
    server: Any,
    client: Any,
    now: datetime,
) -> None:
    session.add(
        ConflictRow(
            conflict_id=str(uuid.uuid4()),
            entity=entity.entity,
            entity_id=entity.entity_id,
            field=name[:64],
            base_value=base,
            server_value=server,
            client_value=client,
            server_device=entity.last_device,
            client_device=device.device_id,
            server_actor=entity.last_actor,
            client_actor=change.actor,
            unit=entity.unit,
            created_at=now,
            resolved_at=None,
        )
    )
