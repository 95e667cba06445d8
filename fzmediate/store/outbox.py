"""The transactional outbox: every local change to a synced entity leaves one row here, in its own transaction.

Invariants (reference/sync.md §5, DESIGN.md "Sync"):

- the domain write and its outbox row commit together: callers pass the ORM session of the unit of work
  that holds the change (``Session.write``), never open their own;
- ``device_seq`` is gap-free per device: the next number is read and used inside the same write transaction,
  which holds SQLite's write lock from ``BEGIN IMMEDIATE``, so two writers can never take the same number;
- ``change_id`` is a UUIDv7 minted on the device, so a retried push is recognisable by the server;
- ``op`` is ``create`` (all fields), ``patch`` (changed fields, each ``{"old": …, "new": …}``, with the
  ``base_version`` they were changed from), ``append`` (an append-only row such as a case event) or
  ``tombstone``.

Payloads are JSON: dates are ISO strings. They may carry personal data; they live inside the encrypted
database only, and are never logged.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fzmediate.store.models import Base, OutboxEntry, new_time_id

#: Bumped with every schema revision that changes a synced entity's fields.
SCHEMA_VERSION = "0002"


class Op(StrEnum):
    CREATE = "create"
    PATCH = "patch"
    APPEND = "append"
    TOMBSTONE = "tombstone"


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


def next_device_seq(session: Session, device_id: str) -> int:
    current = session.scalar(select(func.max(OutboxEntry.device_seq)).where(OutboxEntry.device_id == device_id))
    return (current or 0) + 1


@dataclass(frozen=True)
class Change:
    """One change to record: which entity, what happened, and its fields."""

    entity: str
    entity_id: str
    op: Op
    version: int
    payload: Mapping[str, Any]
    base_version: int | None = None


def append_changes(
    session: Session, changes: Sequence[Change], *, device_id: str, actor: str, at: datetime
) -> list[OutboxEntry]:
    """Add outbox rows for ``changes``, in order, inside the caller's transaction (one flush)."""
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
            payload=dict(c.payload),
            actor=actor,
            created_at=naive,
            schema_version=SCHEMA_VERSION,
        )
        for i, c in enumerate(changes)
    ]
    session.add_all(entries)
    session.flush()  # a later call reads max(device_seq): these rows must be visible to it
    return entries


def pending(session: Session, *, limit: int = 500) -> list[OutboxEntry]:
    """The oldest changes first (the push sends them in device_seq order)."""
    return list(session.scalars(select(OutboxEntry).order_by(OutboxEntry.device_seq).limit(limit)))
