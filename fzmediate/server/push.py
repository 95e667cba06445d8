"""Push: a device's outbox changes, taken strictly in ``device_seq`` order, in one transaction.

Per change (docs/sync-protocol.md): one already held is ``duplicate`` (or ``rejected`` again, with its first
reason); one after a gap is ``gap`` and not taken; the next one (``acked_through + 1``) is applied by
:mod:`fzmediate.server.merge` and logged — unless it names a document's or attachment's bytes the server does not
hold whole yet (:mod:`fzmediate.server.blobs`): that one is answered ``rejected``/``blob_missing``, neither
taken nor logged, and ``acked_through`` stays before it.

Commit order: the ``server_seq`` numbers are drawn at the very end, under the counter's row lock (one ``UPDATE
… RETURNING`` advances and locks it; SQLite runs one writer at a time), and the lock is held until the commit, so
the numbers become visible in order and a reader never sees 11 before 10 has committed. Every push's numbering
waits on that lock, so as little as possible happens under it: the entity and log rows, then the commit.

Batched: what the request touches (its logged changes, its change ids, its entities) is read in a few queries up
front, the changes are merged in memory in order (a later change sees an earlier one's result), and the rows
are written as plain rows, a statement per table whatever the request's size: the rare conflict rows before the
counter is locked, the entities (with the number of the change that last published them) and the log rows once
the numbers are drawn. On PostgreSQL the reads travel in one round trip (:mod:`fzmediate.server.push_reads`), and
a push of up to ONE_ROUND_TRIP_UP_TO changes is numbered, written and committed in one more, its bookkeeping (the
device's ``acked_through``, the audit head) ahead of the numbering (:mod:`fzmediate.server.numbering`).
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final, cast

import anyio
from anyio import to_thread
from pydantic_core import to_json
from sqlalchemy import BigInteger, Table, bindparam, func, insert, select, update
from sqlalchemy.orm import Session

from fzmediate.server import blobs, push_reads
from fzmediate.server.auth import Caller
from fzmediate.server.bulk import JsonTexts, insert_rows, one_of
from fzmediate.server.db import Database
from fzmediate.server.merge import EntityState, Outcome, apply_change, load_entities, write_entities
from fzmediate.server.models import CHANGE_SEQ, ChangeLog, SeqCounter
from fzmediate.server.numbering import Rows, commit_numbered
from fzmediate.server.pipeline import Step
from fzmediate.server.pull import anchor_answer, keep_anchor
from fzmediate.sync.protocol import (
    BLOB_MISSING,
    FOLLOW_WAIT_S,
    MAX_PUSH_CHANGES,
    AnchorRequest,
    AnchorResponse,
    Change,
    PushResult,
)


@dataclass
class _Taken:
    """A change taken in this push: its log row gets its ``server_seq`` at the end."""

    change: Change
    outcome: Outcome
    row: dict[str, Any]  # the change_log row, written once its server_seq is drawn


async def push(
    db: Database,
    caller: Caller,
    changes: list[Change],
    *,
    follows: int | None = None,
    anchor: AnchorRequest | None = None,
    limiter: anyio.CapacityLimiter | None = None,
) -> bytes:
    """Take ``changes`` from ``caller``; the answer (the JSON of :class:`PushResponse`) says, per change, what
    the server holds. ``follows``: the last ``device_seq`` of a push the device sent just before this one, which
    may still be on its way (see :class:`_Early`). ``anchor``: the device's audit chain head, kept in the same
    transaction (:func:`fzmediate.server.pull.keep_anchor`) and answered as ``anchor``.

    Each attempt runs on a worker thread (AnyIO's; ``limiter``: the pushes' own, fzmediate.server.db.PUSH_THREADS;
    None: the default one, as FastAPI runs plain endpoints); a push that came before its predecessor waits between
    attempts on the event loop, holding neither a thread nor a connection: many desks sending big outboxes at
    once could otherwise hold every worker thread of a process asleep."""
    deadline = time.monotonic() + FOLLOW_WAIT_S
    while True:
        may_wait = time.monotonic() < deadline
        answer = await to_thread.run_sync(_attempt, db, caller, changes, follows, anchor, may_wait, limiter=limiter)
        if answer is not None:
            return answer
        await anyio.sleep(_FOLLOW_POLL_S)


def _attempt(
    db: Database,
    caller: Caller,
    changes: list[Change],
    follows: int | None,
    anchor: AnchorRequest | None,
    may_wait: bool,
) -> bytes | None:
    """One transaction taking the push; None when it came early and may still wait (nothing held or written)."""

    def work(session: Session) -> tuple[list[PushResult | _Taken], int, AnchorResponse | None, datetime]:
        now = db.now()
        # Locks the device row first: two pushes of one device (a retry racing the first, or the push sent early)
        # are taken one after the other. On PostgreSQL the other reads travel with it (one round trip).
        reads: push_reads.PushReads | None = None
        if _postgres(session):
            reads = push_reads.read(session, caller.device_id, changes, anchor=anchor is not None)
            acked = reads.acked
        else:
            acked = session.connection().scalar(push_reads.LOCK_DEVICE, {"device_id": caller.device_id})
        assert acked is not None  # authenticated just now; devices are never deleted
        if may_wait and _ahead(acked, follows, changes):
            raise _Early
        before: list[Step] = []  # PostgreSQL: the push's bookkeeping, written with its numbering
        kept = None
        if anchor is not None and reads is not None:
            kept, keep = anchor_answer(reads.anchor, anchor, now)
            if keep:
                before.append(push_reads.anchor_step(caller.device_id, anchor, now))
        elif anchor is not None:
            kept = keep_anchor(session, caller.device_id, anchor, now)
        # Nothing of the changes is written until the end: the loop reads only what was loaded up front, in a
        # few queries for the whole request (a query per change was most of a push's time).
        with session.no_autoflush:
            answers, acked = _take(session, caller, acked, changes, now, reads, before)
        return answers, acked, kept, now

    try:
        answers, acked, kept, now = db.transaction(work)
    except _Early:
        return None
    db.written(2 * len(changes))  # at most an entity and a log row a change
    # Written after the commit, not under the counter's lock that the transaction held to its end. As plain
    # data, not built as models: every value is the server's own (building 500 result models a push, even
    # unvalidated, was a sixth of the server's time). The keys and their order are PushResponse's, so the bytes
    # are what its model_dump_json gives (tested); the desk validates every answer against it.
    answer: dict[str, Any] = {"results": [_result(a) for a in answers], "acked_through": acked, "server_time": now}
    if kept is not None:
        answer["anchor"] = kept.model_dump()
    return to_json(answer)


class _Early(Exception):
    """This push starts right after one the device sent just before it (``follows``) that is not taken yet.

    A desk keeps two pushes in flight. The second usually finds the first holding the device's row lock and
    waits on it; but it may get there first (another connection; with ``--workers N`` another process), and
    would then be answered ``gap`` for every change and sent again. So it lets go of the lock (the transaction
    rolls back: nothing held, nothing written) and looks again a few milliseconds later, at most FOLLOW_WAIT_S
    in all, waiting off the worker threads; a predecessor that never comes (lost on the way, refused) costs
    this push that wait, after which it is answered as always (``gap``)."""


def _ahead(acked: int, follows: int | None, changes: list[Change]) -> bool:
    """Whether ``changes``, following a push that ends at ``follows``, came before it: only a plausible
    predecessor counts (at most one push's worth of changes past what the server holds)."""
    if follows is None or not changes or changes[0].device_seq != follows + 1:
        return False
    return acked < follows and follows - acked <= MAX_PUSH_CHANGES


#: How often a push that came before its predecessor looks again.
_FOLLOW_POLL_S: Final = 0.005


def _take(
    session: Session,
    device: Caller,
    acked: int,
    changes: list[Change],
    now: datetime,
    reads: push_reads.PushReads | None,
    before: list[Step],
) -> tuple[list[PushResult | _Taken], int]:
    """Take the push's changes after the device's ``acked`` (its ``acked_through``, locked); the answer for each
    change and the device's new ``acked_through``. ``reads``: what PostgreSQL read up front (None: read here);
    ``before``: PostgreSQL's bookkeeping statements so far, written with the numbering."""
    fresh = [c for c in changes if c.device_seq > acked]
    logged = _logged(session, device.device_id, [c.device_seq for c in changes if c.device_seq <= acked])
    if reads is None:
        ids_taken = _ids_taken(session, [c.change_id for c in fresh])
        held = load_entities(session, {(c.entity, c.entity_id) for c in fresh})
    else:
        ids_taken, held = reads.ids_taken, reads.held
    answers: list[PushResult | _Taken] = []
    taken: dict[int, _Taken] = {}
    change_ids: set[str] = set()
    for change in changes:
        if change.device_seq <= acked:
            answers.append(_held_before(session, change, taken, logged))
            continue
        if change.device_seq > acked + 1:
            answers.append(PushResult(device_seq=change.device_seq, status="gap"))
            continue
        reused = change.change_id in change_ids or change.change_id in ids_taken
        refusal = None
        if not reused:
            change, refusal = blobs.prepare(session, device.unit, change, now)
        if refusal == BLOB_MISSING:
            # Not taken and not kept: acked_through stays before it (the changes after it are a gap), and the
            # device sends it again once its upload is whole.
            answers.append(PushResult(device_seq=change.device_seq, status="rejected", reason=BLOB_MISSING))
            continue
        if reused:
            outcome = Outcome("rejected", reason="change_id_reused")
        elif refusal is not None:
            outcome = Outcome("rejected", reason=refusal)
        else:
            outcome = apply_change(session, device, change, now, held)
        item = _Taken(change, outcome, _log_row(device, change, outcome, now, keep_id=not reused))
        taken[change.device_seq] = item
        change_ids.add(change.change_id)
        answers.append(item)
        acked = change.device_seq
    # The conflict rows and the device's cursor before the counter's lock is taken (other pushes wait on that
    # lock only for the entity and log rows: every statement under it is one more round trip they wait for).
    if taken and reads is None:
        session.connection().execute(push_reads.ACK, push_reads.ack_values(device.device_id, acked))
    elif taken:
        before.append(push_reads.acked_step(device.device_id, acked))
    session.flush()
    if taken:
        _number(session, list(taken.values()), held.values(), before)
    else:
        push_reads.write(session, before)  # the audit head alone
    return answers, acked


def _logged(session: Session, device_id: str, seqs: list[int]) -> dict[int, ChangeLog]:
    """The logged changes of ``device_id`` numbered ``seqs`` (a retried push), by ``device_seq``."""
    found: dict[int, ChangeLog] = {}
    for where in one_of(session, ChangeLog.__table__.c.device_seq, seqs):
        query = select(ChangeLog).where(ChangeLog.device_id == device_id, where)
        found.update((row.device_seq, row) for row in session.scalars(query))
    return found


def _ids_taken(session: Session, change_ids: list[str]) -> set[str]:
    """Which of ``change_ids`` the server has logged already (plain rows: no ORM needed for one column)."""
    found: set[str] = set()
    core = session.connection()
    for where in one_of(session, ChangeLog.__table__.c.change_id, change_ids):
        found.update(cid for cid in core.scalars(select(ChangeLog.change_id).where(where)) if cid is not None)
    return found


def _held_before(
    session: Session, change: Change, taken: dict[int, _Taken], logged: dict[int, ChangeLog]
) -> PushResult | _Taken:
    """The answer for a change the server already holds (from an earlier push or earlier in this one)."""
    if change.device_seq in taken:
        earlier = taken[change.device_seq]
        if earlier.change.change_id == change.change_id:
            return _Taken(change, Outcome("duplicate"), earlier.row)
        return PushResult(device_seq=change.device_seq, status="rejected", reason="seq_reused")
    row = logged.get(change.device_seq)
    if row is None:
        # Below acked_through yet not logged: cannot happen (every taken change is logged); refuse, never guess.
        return PushResult(device_seq=change.device_seq, status="rejected", reason="unknown")
    if row.change_id is not None and row.change_id != change.change_id:
        # Same number, another change: the device's store was restored or reset. Refused, so nothing is lost
        # silently as a "duplicate"; people must look at that device.
        return PushResult(device_seq=change.device_seq, status="rejected", reason="seq_reused")
    if row.status == "rejected":
        return PushResult(device_seq=change.device_seq, status="rejected", reason=row.reason)
    return PushResult(
        device_seq=change.device_seq, status="duplicate", server_seq=row.server_seq, version=_version_at(session, row)
    )


def _version_at(session: Session, row: ChangeLog) -> int | None:
    """The entity's server version once the logged change was taken (what the lost first answer said), so a
    device whose answer was lost still learns the version its change made (duplicates are rare: retries)."""
    if row.published:
        return row.version
    version: int | None = session.scalar(
        select(func.max(ChangeLog.version)).where(
            ChangeLog.entity == row.entity,
            ChangeLog.entity_id == row.entity_id,
            ChangeLog.published.is_(True),
            ChangeLog.server_seq < row.server_seq,
        )
    )
    return version


def _log_row(device: Caller, change: Change, outcome: Outcome, now: datetime, *, keep_id: bool) -> dict[str, Any]:
    published = outcome.published
    return dict(
        server_seq=None,
        device_id=device.device_id,
        device_seq=change.device_seq,
        change_id=change.change_id if keep_id else None,
        entity=change.entity,
        entity_id=change.entity_id,
        op=change.op,
        base_version=outcome.base_version if published else change.base_version,
        version=outcome.version if published and outcome.version is not None else change.version,
        payload=outcome.payload if published else {},
        actor=change.actor,
        created_at=change.created_at if change.created_at.tzinfo else change.created_at.replace(tzinfo=UTC),
        unit=device.unit,
        received_at=now,
        status=outcome.status,
        reason=outcome.reason,
        published=published,
    )


def _number(session: Session, taken: list[_Taken], entities: Iterable[EntityState | None], before: list[Step]) -> None:
    """Draw the commit sequence numbers, last thing before the commit, holding the counter's lock; then write
    the entities and the log rows (each entity with the number of the change that last published it).
    ``before``: statements written first, before the counter's lock is taken (PostgreSQL)."""
    fresh = [item for item in taken if item.outcome.status != "duplicate"]
    if fresh and len(fresh) <= ONE_ROUND_TRIP_UP_TO and _postgres(session):
        _number_in_one(session, fresh, entities, before)
        return
    push_reads.write(session, before)
    value = _draw(session, len(fresh)) if fresh else 0
    rows: list[dict[str, Any]] = []
    for item in fresh:
        value += 1
        item.row["server_seq"] = value
        rows.append(item.row)
        entity = item.outcome.entity
        if item.outcome.published and entity is not None:
            entity.last_server_seq = value
            if entity.fields is not item.row["payload"] and entity.fields == item.row["payload"]:
                item.row["payload"] = entity.fields  # a new entity's: one object, encoded once for both rows
    json = JsonTexts()
    write_entities(session, (e for e in entities if e is not None), json)
    insert_rows(session, ChangeLog, rows, json)


#: Pushes of up to this many numbered changes are numbered, written and committed in one round trip on
#: PostgreSQL (:mod:`fzmediate.server.numbering`): a desk's everyday push, many at once, where the counter's lock
#: decides the pace. Bigger ones (a first sync, a month offline: 500 a request) go by COPY, which PostgreSQL takes
#: for about half the work of unpacking the JSON: a 10,000-case push took 15-25 % longer in one round trip.
ONE_ROUND_TRIP_UP_TO: Final = 100


def _number_in_one(
    session: Session, fresh: list[_Taken], entities: Iterable[EntityState | None], before: list[Step]
) -> None:
    """PostgreSQL: :func:`_number` and the commit in one round trip (:mod:`fzmediate.server.numbering`)."""
    ords: dict[int, int] = {}  # an entity's last publishing change (by the entity's id()), 1-based in ``fresh``
    for place, item in enumerate(fresh, start=1):
        if item.outcome.published and item.outcome.entity is not None:
            ords[id(item.outcome.entity)] = place
    states = [s for s in entities if s is not None]
    new = [s for s in states if s.loaded_version is None]
    changed = [s for s in states if s.loaded_version is not None and s.version != s.loaded_version]
    base = commit_numbered(
        session,
        len(fresh),
        Rows([item.row for item in fresh], range(1, len(fresh) + 1)),
        Rows([s.row() for s in new], [ords.get(id(s)) for s in new]),
        Rows([s.row() for s in changed], [ords.get(id(s)) for s in changed]),
        before,
    )
    for place, item in enumerate(fresh, start=1):
        item.row["server_seq"] = base + place
    for state in (*new, *changed):
        state.loaded_version = state.version
        if id(state) in ords:
            state.last_server_seq = base + ords[id(state)]


def _postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


_COUNTER: Final = cast(Table, SeqCounter.__table__)
#: Advance the counter by ``n`` and read it, in one statement that also locks its row until the commit (the
#: lock every push's numbering waits on: a SELECT … FOR UPDATE and then an UPDATE were two round trips under it).
_DRAW: Final = (
    update(_COUNTER)
    .where(_COUNTER.c.name == CHANGE_SEQ)
    .values(value=_COUNTER.c.value + bindparam("n", type_=BigInteger))
    .returning(_COUNTER.c.value)
)


def _draw(session: Session, n: int) -> int:
    """Take ``n`` numbers; returns the one before the first (the push's numbers are that + 1 … that + n)."""
    core = session.connection()
    value = core.execute(_DRAW, {"n": n}).scalar()
    if value is None:  # a database made without the migration's first row
        core.execute(insert(_COUNTER).values(name=CHANGE_SEQ, value=n))
        return 0
    return int(value) - n


def _result(answer: PushResult | _Taken) -> dict[str, Any]:
    if isinstance(answer, PushResult):
        return answer.model_dump()
    outcome = answer.outcome
    return {
        "device_seq": answer.change.device_seq,
        "status": outcome.status,
        "reason": outcome.reason,
        "server_seq": answer.row["server_seq"],
        "version": outcome.version if outcome.status in ("applied", "merged", "conflict") else None,
    }
