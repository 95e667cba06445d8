"""How much sync costs in the store and on the wire (issue "a lean outbox"): counts of bytes, never contents.

:func:`outbox_footprint` measures the rows waiting in the outbox (as stored, and as one push would send them);
:func:`store_bytes` the pages the store uses. ``bench/bench_outbox.py`` divides both by the cases created.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC
from typing import Any

from sqlalchemy import Row, func, select, text
from sqlalchemy.orm import Session

from fzmediate.store.models import OutboxEntry
from fzmediate.sync.protocol import Change


@dataclass(frozen=True)
class OutboxFootprint:
    rows: int
    #: The rows' bytes as the store keeps them (every column; the payload as its stored JSON text).
    stored: int
    #: The rows as push sends them (each change's JSON in the request body, uncompressed).
    wire: int


def wire_change(row: OutboxEntry | Row[Any]) -> Change:
    """An outbox row as it goes on the wire (the same as the push's own). Built without validating again what
    this desk's own typed columns hold (``model_construct``: 40,000 changes a big push); the server validates
    every change it is sent."""
    return Change.model_construct(
        change_id=row.change_id,
        device_seq=row.device_seq,
        entity=row.entity,
        entity_id=row.entity_id,
        op=row.op,
        base_version=row.base_version,
        version=row.version,
        payload=row.payload,
        actor=row.actor,
        created_at=row.created_at.replace(tzinfo=UTC),
        schema_version=row.schema_version,
    )


def outbox_footprint(s: Session) -> OutboxFootprint:
    """The outbox's rows, their stored bytes and their bytes on the wire."""
    names = [c.name for c in OutboxEntry.__table__.columns]
    each = " + ".join("coalesce(length(CAST({0} AS BLOB)), 0)".format(name) for name in names)
    stored = s.execute(text("SELECT coalesce(sum({0}), 0) FROM outbox".format(each))).scalar_one()
    wire = sum(len(wire_change(row).model_dump_json().encode()) + 1 for row in s.scalars(select(OutboxEntry)))
    rows = s.scalar(select(func.count()).select_from(OutboxEntry)) or 0
    return OutboxFootprint(rows=int(rows), stored=int(stored or 0), wire=wire)


def store_bytes(s: Session) -> int:
    """The bytes of the store's pages in use (page count less free pages, times the page size)."""
    pages = s.execute(text("PRAGMA page_count")).scalar_one()
    free = s.execute(text("PRAGMA freelist_count")).scalar_one()
    size = s.execute(text("PRAGMA page_size")).scalar_one()
    return (int(pages) - int(free)) * int(size)  # SQLCipher answers page_size as text
