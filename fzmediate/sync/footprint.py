"""How much sync costs in the store and on the wire (issue "a lean outbox"): counts of bytes, never contents.

:func:`outbox_footprint` measures the rows waiting in the outbox (as stored, and as one push would send them);
:func:`store_bytes` the pages the store uses. ``bench/bench_outbox.py`` divides both by the cases created.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from fzmediate.store.models import OutboxEntry
from fzmediate.store.outbox import pending_rows
from fzmediate.sync.outgoing import Outgoing


@dataclass(frozen=True)
class OutboxFootprint:
    rows: int
    #: The rows' bytes as the store keeps them (every column; the payload as its stored JSON text).
    stored: int
    #: The rows as push sends them (each change's JSON in the request body, uncompressed).
    wire: int


def outbox_footprint(s: Session) -> OutboxFootprint:
    """The outbox's rows, their stored bytes and their bytes on the wire."""
    names = [c.name for c in OutboxEntry.__table__.columns]
    each = " + ".join("coalesce(length(CAST({0} AS BLOB)), 0)".format(name) for name in names)
    stored = s.execute(text("SELECT coalesce(sum({0}), 0) FROM outbox".format(each))).scalar_one()
    wire = sum(len(Outgoing.of(row).wire()) + 1 for row in pending_rows(s, None, limit=None))
    rows = s.scalar(select(func.count()).select_from(OutboxEntry)) or 0
    return OutboxFootprint(rows=int(rows), stored=int(stored or 0), wire=wire)


def store_bytes(s: Session) -> int:
    """The bytes of the store's pages in use (page count less free pages, times the page size)."""
    pages = s.execute(text("PRAGMA page_count")).scalar_one()
    free = s.execute(text("PRAGMA freelist_count")).scalar_one()
    size = s.execute(text("PRAGMA page_size")).scalar_one()
    return (int(pages) - int(free)) * int(size)  # SQLCipher answers page_size as text
