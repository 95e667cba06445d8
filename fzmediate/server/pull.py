"""Pull and the audit anchor.

Pull pages through the published changes of the device's unit by ``server_seq``, never the device's own. The
page stops at the counter's committed value, read first: every number up to it has committed (numbers are
drawn under the counter's lock at the end of each push), so ``next_after`` never passes a change a reader
has not seen yet. When the page is not full, ``next_after`` moves to that value, past the changes this
device may not see (its own, other units', refused ones).
"""

from __future__ import annotations

import threading
import typing
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, Final
from weakref import WeakKeyDictionary

from pydantic_core import to_json
from sqlalchemy import Row, Table, Text, bindparam, cast, or_, select
from sqlalchemy.orm import Session

from fzmediate.server.applications import WAITING, claimable, waiting
from fzmediate.server.auth import Caller
from fzmediate.server.bulk import one_of
from fzmediate.server.catalogue import NEWEST, newest_in
from fzmediate.server.db import Database
from fzmediate.server.models import CHANGE_SEQ, Anchor, ChangeLog, ConflictRow, SeqCounter
from fzmediate.server.page_reads import PAGE, page_of, page_values
from fzmediate.server.pipeline import Compiled, Step, aware, naive, run_pipeline
from fzmediate.sync.protocol import (
    MAX_PULL_LIMIT,
    AnchorRequest,
    AnchorResponse,
    CatalogueHint,
    Conflict,
    PulledChange,
    PullHints,
    PullResponse,
)

#: Open conflicts sent with each page (the oldest first); the client keeps them by id.
MAX_CONFLICTS = 500


def pull(db: Database, caller: Caller, after: int, limit: int, *, hints: bool = False) -> bytes:
    """The page after ``after`` for ``caller``, as the JSON of :class:`PullResponse`.

    Written here rather than through the model: each change's payload goes out as the JSON text the server
    stored (never parsed and encoded again), the rest of each change is encoded by pydantic's own encoder, so the
    bytes are what ``PullResponse.model_dump_json`` would give. A page is up to 5,000 changes and every device of
    a unit pulls the same ones: this was most of the server's time when many desks synced at once, so the page's
    changes are found first (their numbers only) and only those this process has not encoded yet are read
    (:func:`encoded_changes`). ``hints``: the last page carries :class:`PullHints` (otherwise the answer has no
    ``hints`` key at all, as before hints)."""
    limit = max(1, min(limit, MAX_PULL_LIMIT))
    now = db.now()
    if db.engine.dialect.name == "postgresql":
        high, found, conflicts, told = _read_pg(db, caller, after, limit + 1, now, hints)
    else:
        high, found, conflicts, told = db.transaction(lambda s: _read(s, caller, after, limit + 1, now, hints))
    more = len(found) > limit
    keys = [(seq, change_id or "") for seq, change_id in found[:limit]]
    cache = encoded_changes(db)
    encoded = cache.get_many(keys)
    missing = [seq for seq, change_id in keys if (seq, change_id) not in encoded]
    if missing:
        # Logged changes never change: read outside the page's transaction, as they are.
        fresh = db.transaction(lambda s: _encode(s, missing))
        cache.put_many(fresh)
        encoded.update(fresh)
    next_after = keys[-1][0] if more else max(after, high)
    rest = PullResponse(
        changes=[],
        next_after=next_after,
        more=more,
        conflicts=conflicts,
        server_time=now,
        hints=told if hints and not more else None,
    ).model_dump_json(exclude=None if hints else {"hints"})
    changes = b",".join([encoded[key] for key in keys])
    return b'{"changes":[' + changes + b"]," + rest.encode()[len('{"changes":[],') :]


_Reads = tuple[int, list[tuple[int, str | None]], list[Conflict], PullHints | None]


def _read(session: Session, caller: Caller, after: int, n: int, now: datetime, hints: bool) -> _Reads:
    """The page's reads in ``session`` (SQLite): the counter's committed value first, then up to ``n`` changes
    up to it, the open conflicts, the hints when asked for."""
    core = session.connection()  # plain rows: the ORM's result handling was a third of a pull's time
    high = core.scalar(select(SeqCounter.value).where(SeqCounter.name == CHANGE_SEQ)) or 0
    found = core.execute(
        select(ChangeLog.server_seq, ChangeLog.change_id)
        .where(
            ChangeLog.unit == caller.unit,
            ChangeLog.server_seq > after,
            ChangeLog.server_seq <= high,
            ChangeLog.published.is_(True),
            ChangeLog.device_id != caller.device_id,
        )
        .order_by(ChangeLog.server_seq)
        .limit(n)
    ).all()  # fetched at once: row by row cost a tenth of a page's time
    told = _hints(session, caller, now) if hints else None
    return high, [(seq, change_id) for seq, change_id in found], _open_conflicts(session, caller), told


def _read_pg(db: Database, caller: Caller, after: int, n: int, now: datetime, hints: bool) -> _Reads:
    """:func:`_read` on PostgreSQL, in one round trip (:mod:`fzmediate.server.page_reads`)."""
    reads = [
        Step(PAGE, page_values(caller, after, n), planned_each_time=True),
        Step(_CONFLICTS_SQL, {"unit": caller.unit, "device": caller.device_id}),
    ]
    if hints:
        reads += [Step(_NEWEST_SQL, {}), Step(_WAITING_SQL, {**claimable(caller, now), "claim_now": naive(now)})]
    rows = run_pipeline(db, reads)
    high, found = page_of(rows[0])
    conflicts = [_conflict(row) for row in rows[1]]
    told = None
    if hints:
        head = rows[2][0] if rows[2] else None
        catalogue = CatalogueHint(digest=head[2], bundle_id=head[0], version=head[1]) if head is not None else None
        told = PullHints(catalogue=catalogue, applications=int(rows[3][0][0]))
    return high, found, conflicts, told


def _conflict(row: tuple[Any, ...]) -> Conflict:
    values = dict(zip(_CONFLICT_FIELDS, row, strict=True))
    values["created_at"] = aware(values["created_at"])
    return Conflict.model_construct(**values, resolved=False)  # the server's own values


def _encode(session: Session, seqs: list[int]) -> dict[_Key, bytes]:
    """The page JSON of the logged changes numbered ``seqs``."""
    core = session.connection()
    fresh: dict[_Key, bytes] = {}
    for where in one_of(session, ChangeLog.__table__.c.server_seq, seqs):
        rows = core.execute(select(*_HEAD, cast(ChangeLog.payload, Text).label("payload"), *_TAIL).where(where))
        fresh.update({(row.server_seq, row.change_id or ""): _pulled(row) for row in rows})
    return fresh


def _hints(session: Session, caller: Caller, now: datetime) -> PullHints:
    head = newest_in(session)
    catalogue = CatalogueHint(digest=head.digest, bundle_id=head.bundle_id, version=head.version) if head else None
    return PullHints(catalogue=catalogue, applications=waiting(session, caller, now))


#: A change as cached: its number and its change id (a number alone could name another change of a database
#: restored from an older backup).
_Key = tuple[int, str]


class EncodedChanges:
    """Pulled changes as their page JSON, by :data:`_Key`, kept for one database by a server process up to
    ``max_bytes`` (the least recently used go first).

    A change_log row is written once and never changed, so its JSON is the same for every device that pulls
    it, whatever its cursor; every desk of a unit pulls the same changes, so when many sync at once each change
    is read and encoded about once per process instead of once per desk. Thread-safe (the endpoints run on a
    thread pool)."""

    def __init__(self, max_bytes: int) -> None:
        self._max = max_bytes
        self._size = 0
        self._items: OrderedDict[_Key, bytes] = OrderedDict()
        self._lock = threading.Lock()

    def get_many(self, keys: Iterable[_Key]) -> dict[_Key, bytes]:
        """Those of ``keys`` held."""
        found: dict[_Key, bytes] = {}
        with self._lock:
            for key in keys:
                data = self._items.get(key)
                if data is not None:
                    self._items.move_to_end(key)
                    found[key] = data
        return found

    def put_many(self, items: Mapping[_Key, bytes]) -> None:
        with self._lock:
            for key, data in items.items():
                if key not in self._items:
                    self._items[key] = data
                    self._size += len(data)
            while self._size > self._max:
                _key, old = self._items.popitem(last=False)
                self._size -= len(old)

    @property
    def size(self) -> int:
        """The bytes held."""
        return self._size


#: What a process keeps for one database: 64 MB hold about 100,000 changes.
CACHE_BYTES: Final = 64 * 1024 * 1024
_CACHES: WeakKeyDictionary[Database, EncodedChanges] = WeakKeyDictionary()
_CACHES_LOCK = threading.Lock()


def encoded_changes(db: Database) -> EncodedChanges:
    """The encoded changes this process keeps for ``db``."""
    with _CACHES_LOCK:
        cache = _CACHES.get(db)
        if cache is None:
            cache = _CACHES[db] = EncodedChanges(CACHE_BYTES)
        return cache


#: The columns of a pulled change before its payload and after it, in the order of PulledChange's fields.
_FIELDS = tuple(PulledChange.model_fields)
_HEAD = tuple(getattr(ChangeLog, name) for name in _FIELDS[: _FIELDS.index("payload")])
_TAIL = tuple(getattr(ChangeLog, name) for name in _FIELDS[_FIELDS.index("payload") + 1 :])


def _pulled(row: Row[Any, *tuple[Any, ...]]) -> bytes:
    """One change of the page as JSON, its payload spliced in as stored (every value went through the push's
    validation on its way in)."""
    values = row._mapping
    payload: str = values["payload"]
    head = to_json({c.key: values[c.key] for c in _HEAD} | {"change_id": values["change_id"] or ""})
    tail = to_json({c.key: values[c.key] for c in _TAIL})
    return head[:-1] + b',"payload":' + payload.encode() + b"," + tail[1:]


def _open_conflicts(session: Session, caller: Caller) -> list[Conflict]:
    rows = session.connection().execute(_OPEN_CONFLICTS, {"unit": caller.unit, "device": caller.device_id})
    return [Conflict.model_construct(**row._mapping, resolved=False) for row in rows]  # the server's own values


_CONFLICTS: Final = typing.cast(Table, ConflictRow.__table__)
#: Every pull reads these, so the statement is built once, its values bound at execution (built per request, it
#: had its cache key worked out again each time), and read as plain rows (no ORM objects to build and expire).
_OPEN_CONFLICTS: Final = (
    select(*(_CONFLICTS.c[name] for name in Conflict.model_fields if name != "resolved"))
    .where(
        _CONFLICTS.c.resolved_at.is_(None),
        or_(
            _CONFLICTS.c.unit == bindparam("unit"),
            _CONFLICTS.c.client_device == bindparam("device"),
            _CONFLICTS.c.server_device == bindparam("device"),
        ),
    )
    .order_by(_CONFLICTS.c.created_at, _CONFLICTS.c.conflict_id)
    .limit(MAX_CONFLICTS)
)


_CONFLICT_FIELDS: Final = tuple(name for name in Conflict.model_fields if name != "resolved")
#: The page's side reads as PostgreSQL's SQL, compiled once (fzmediate.server.page_reads).
_CONFLICTS_SQL: Final = Compiled.of(_OPEN_CONFLICTS)
_NEWEST_SQL: Final = Compiled.of(NEWEST)
_WAITING_SQL: Final = Compiled.of(WAITING)


def anchor(db: Database, caller: Caller, head: AnchorRequest) -> AnchorResponse:
    """Keep the device's audit chain head (:func:`keep_anchor`), in a transaction of its own."""
    return db.transaction(lambda session: keep_anchor(session, caller.device_id, head, db.now()))


def keep_anchor(session: Session, device_id: str, head: AnchorRequest, now: datetime) -> AnchorResponse:
    """Keep the device's audit chain head if it extends the one kept (:func:`anchor_answer`)."""
    kept = session.get(Anchor, device_id, with_for_update=True)
    answer, keep = anchor_answer(None if kept is None else (kept.seq, kept.hash), head, now)
    if keep and kept is None:
        session.add(Anchor(device_id=device_id, seq=head.seq, hash=head.hash, updated_at=now))
    elif keep and kept is not None:
        kept.seq, kept.hash, kept.updated_at = head.seq, head.hash, now
    return answer


def anchor_answer(kept: tuple[int, str] | None, head: AnchorRequest, now: datetime) -> tuple[AnchorResponse, bool]:
    """The answer to a device reporting its audit chain ``head`` where the server keeps ``kept`` (sequence and
    hash; None: nothing yet), and whether ``head`` is to be kept. A head that extends the one kept is; a lower
    sequence, or the same with another hash, means the device's history was rewritten: refused, and the kept
    head stays. The same head again (a retried request) is accepted and changes nothing."""
    if kept is not None:
        seq, digest = kept
        if head.seq < seq or (head.seq == seq and head.hash != digest):
            reason = "rewound" if head.seq < seq else "rewritten"
            return AnchorResponse(accepted=False, reason=reason, seq=seq, hash=digest, server_time=now), False
    return AnchorResponse(accepted=True, seq=head.seq, hash=head.hash, server_time=now), True
