"""The oracle: what the desks did (every outbox row, every concurrent edit), and the invariants of
reference/sync.md §3 checked against the server's database and the desks' stores after healing.

- I1 no acknowledged change lost: every change the server answered as held is in ``change_log`` with its
  ``change_id``; every change a desk ever wrote reaches the server; the outboxes are empty.
- I2 no duplicates: one ``change_log`` row per ``(device_id, device_seq)``, exactly the oracle's; the server's
  entity counts equal the ids the desks created.
- I3 every conflict surfaced: replaying the published changes in commit order, every field of every patch is
  taken (the server had ``old``), already there (the server had ``new``) or a conflict row (anything else);
  every concurrent same-field edit of two desks is a conflict on the server and in both desks' sync_conflicts.
- I4 convergence: each desk's cases, parties and case events equal the server's for the unit, field by field,
  except where the desk holds an open conflict for that field or row (a person decides those).
- I5 monotonic: cursors never go back; pages hold only numbers after the cursor; no committed page repeats a
  number (the apply hook records what committed).
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select

from fzmediate.server.db import Database
from fzmediate.server.models import ChangeLog, ConflictRow, Entity
from fzmediate.services.session import Session
from fzmediate.store.models import Case, CaseEventRow, OutboxEntry, PartyRow, SyncConflict, SyncState
from fzmediate.store.outbox import row_fields
from fzmediate.sync.protocol import DERIVED_FIELDS
from tests.sync.fault.proxy import Ledger

KINDS: dict[str, Any] = {"case": Case, "party": PartyRow, "case_event": CaseEventRow}
#: A case's next deadline is derived on each desk from its events and the desk's today (the daily refresh
#: rewrites it locally, without an outbox row): not part of the converged state.
DERIVED = frozenset({"next_due", "next_due_name", "next_due_provisional"})


def norm(value: Any) -> Any:
    return json.loads(json.dumps(value, sort_keys=True, default=str))


@dataclass(frozen=True)
class Written:
    device_id: str
    device_seq: int
    change_id: str
    entity: str
    entity_id: str
    op: str
    payload: dict[str, Any]


@dataclass(frozen=True)
class Concurrent:
    """Two desks edited one field of one entity from the same value to different values."""

    entity: str
    entity_id: str
    field: str
    values: tuple[Any, Any]
    devices: tuple[str, str]


@dataclass
class Oracle:
    written: dict[tuple[str, int], Written] = field(default_factory=dict)
    concurrent: list[Concurrent] = field(default_factory=list)
    cursors: dict[str, int] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    #: Entity ids a failure is about (``FZ_SYNC_DEBUG=1`` prints their history).
    suspects: set[str] = field(default_factory=set)
    #: Differences from the server a desk keeps under an open conflict, by entity and field (the noise people see).
    covered: Counter[str] = field(default_factory=Counter)

    def note_outbox(self, session: Session) -> None:
        """Remember every outbox row of the desk not seen yet (call after each local write)."""
        with session.read() as s:
            for row in s.scalars(select(OutboxEntry).order_by(OutboxEntry.device_seq)):
                key = (row.device_id, row.device_seq)
                known = self.written.get(key)
                if known is None:
                    self.written[key] = Written(
                        row.device_id,
                        row.device_seq,
                        row.change_id,
                        row.entity,
                        row.entity_id,
                        row.op,
                        norm(row.payload),
                    )
                elif known.change_id != row.change_id:
                    self.fail("I2 device_seq reused on the desk: {0}".format(key))

    def note_cursor(self, session: Session) -> None:
        """I5: the desk's committed cursor never goes back."""
        with session.read() as s:
            state = s.get(SyncState, 1)
            after = state.after if state is not None else 0
        before = self.cursors.get(session.device_id, 0)
        if after < before:
            self.fail("I5 cursor of {0} went back: {1} -> {2}".format(session.device_id, before, after))
        self.cursors[session.device_id] = after

    def fail(self, text: str) -> None:
        self.failures.append(text)


def check_ledger(oracle: Oracle, ledger: Ledger) -> None:
    """I5 on the wire: per device, the cursor asked for never goes back, and pages hold only later numbers."""
    last: dict[str, int] = {}
    for page in ledger.pages:
        if page.after < last.get(page.device_id, 0):
            oracle.fail("I5 {0} pulled after={1} once it had asked after={2}".format(page.device_id, page.after, last))
        last[page.device_id] = page.after
        if any(seq <= page.after or seq > page.next_after for seq in page.seqs) or page.next_after < page.after:
            oracle.fail("I5 page outside its window: {0}".format(page))


def check_server(oracle: Oracle, ledger: Ledger, db: Database) -> None:
    """I1, I2 and I3 against the server's database."""
    with db.sessions() as s:
        log = list(s.scalars(select(ChangeLog).order_by(ChangeLog.server_seq)))
        conflicts = list(s.scalars(select(ConflictRow)))
        entities = list(s.scalars(select(Entity)))
        dup = s.execute(
            select(ChangeLog.device_id, ChangeLog.device_seq, func.count())
            .group_by(ChangeLog.device_id, ChangeLog.device_seq)
            .having(func.count() > 1)
        ).all()
    by_key = {(r.device_id, r.device_seq): r for r in log}
    # I1: acknowledged by the server → held by the server, with the same change.
    for ack in ledger.acks:
        row = by_key.get((ack.device_id, ack.device_seq))
        if row is None or (row.change_id is not None and row.change_id != ack.change_id):
            oracle.fail("I1 acknowledged change lost: {0}".format(ack))
    # I1 + I2: every change written on a desk reached the server, once.
    for key, w in oracle.written.items():
        row = by_key.get(key)
        if row is None:
            oracle.fail("I1 change never reached the server: {0} {1} {2}".format(key, w.entity, w.op))
        elif row.change_id != w.change_id:
            oracle.fail("I2 {0} holds change {1}, the desk wrote {2}".format(key, row.change_id, w.change_id))
        elif row.status == "rejected":
            oracle.fail("I1 change refused by the server: {0} {1} {2} ({3})".format(key, w.entity, w.op, row.reason))
    extra = set(by_key) - set(oracle.written)
    if extra:
        oracle.fail("I2 server holds changes no desk wrote: {0}".format(sorted(extra)[:5]))
    if dup:
        oracle.fail("I2 duplicate (device_id, device_seq): {0}".format(dup[:5]))
    created: dict[str, set[str]] = defaultdict(set)
    for w in oracle.written.values():
        if w.op in ("create", "append"):
            created[w.entity].add(w.entity_id)
    held: dict[str, set[str]] = defaultdict(set)
    for e in entities:
        held[e.entity].add(e.entity_id)
    for kind in set(created) | set(held):
        if created[kind] != held[kind]:
            oracle.fail(
                "I2 {0}: the desks created {1}, the server holds {2}".format(kind, len(created[kind]), len(held[kind]))
            )
    _check_merges(oracle, log, conflicts)
    # I3: every concurrent same-field edit is a conflict on the server.
    for c in oracle.concurrent:
        found = [
            r
            for r in conflicts
            if r.entity_id == c.entity_id and r.field == c.field and norm(r.client_value) in map(norm, c.values)
        ]
        if not found:
            oracle.fail("I3 concurrent edit of {0}.{1} left no conflict on the server".format(c.entity, c.field))


def _check_merges(oracle: Oracle, log: list[ChangeLog], conflicts: list[ConflictRow]) -> None:
    """I3: replay what the server published, in commit order, and judge every patch field by the merge rule."""
    state: dict[tuple[str, str], dict[str, Any]] = {}
    recorded: dict[tuple[str, str, str], list[ConflictRow]] = defaultdict(list)
    for c in conflicts:
        recorded[(c.client_device, c.entity_id, c.field)].append(c)
    for row in log:
        key = (row.entity, row.entity_id)
        if row.op in ("create", "append"):
            if row.published:
                state[key] = norm(row.payload)
            continue
        if row.op != "patch" or row.status in ("rejected", "duplicate"):
            continue
        written = oracle.written.get((row.device_id, row.device_seq))
        fields = state.get(key)
        if written is None or fields is None:
            continue
        taken = norm(row.payload) if row.published else {}
        for name, diff in written.payload.items():
            if name == "version":
                continue  # the desk's count: the server keeps its own version there, never merged
            if name in DERIVED_FIELDS.get(row.entity, ()):
                continue  # derived (next deadline, updated_at): merged by rule, never a conflict (sync-protocol.md)
            old, new = diff["old"], diff["new"]
            before = fields.get(name)
            if before == old and old != new:
                if name not in taken or taken[name]["new"] != new:
                    oracle.fail("I3 {0}.{1} at the old value, yet not taken".format(row.entity, name))
            elif before != new and before != old:
                hits = [c for c in recorded[(row.device_id, row.entity_id, name)] if norm(c.client_value) == new]
                if not hits:
                    oracle.fail("I3 silent overwrite: {0}.{1} (no conflict row)".format(row.entity, name))
            elif name in taken and before == new:
                oracle.fail("I3 {0}.{1} taken though the server had it".format(row.entity, name))
        for name, diff in taken.items():
            fields[name] = diff["new"]


def desk_state(session: Session) -> dict[tuple[str, str], dict[str, Any]]:
    with session.read() as s:
        return {
            (kind, row.id): norm(row_fields(row)) for kind, model in KINDS.items() for row in s.scalars(select(model))
        }


def server_state(db: Database, unit: str) -> dict[tuple[str, str], dict[str, Any]]:
    with db.sessions() as s:
        rows = s.scalars(select(Entity).where(Entity.unit == unit, Entity.entity.in_(KINDS), Entity.deleted.is_(False)))
        return {(e.entity, e.entity_id): norm(e.fields) for e in rows}


def converged_state(session: Session | None, db: Database, unit: str) -> dict[tuple[str, str], dict[str, Any]]:
    """The state that must converge (I4, I7): the server's fields of each row, but the derived ones; with
    ``session``, the desk's values of those fields (its rows the server lacks kept whole)."""
    theirs = server_state(db, unit)
    if session is None:
        return {k: {f: v for f, v in fields.items() if f not in DERIVED} for k, fields in theirs.items()}
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for key, row in desk_state(session).items():
        keep = theirs.get(key, row)
        out[key] = {f: row.get(f) for f in keep if f not in DERIVED}
    return out


def state_hash(state: dict[tuple[str, str], dict[str, Any]]) -> str:
    import hashlib

    text = json.dumps(sorted((k, v) for k, v in state.items()), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def check_desk(oracle: Oracle, session: Session, db: Database, unit: str, name: str) -> int:
    """I1 (outbox empty), I3 (the desk knows its concurrent edits' conflicts) and I4; returns how many
    differences from the server are covered by open conflicts on the desk."""
    with session.read() as s:
        left = s.scalar(select(func.count()).select_from(OutboxEntry)) or 0
        open_conflicts = {(c.entity_id, c.field) for c in s.scalars(select(SyncConflict))}
    if left:
        oracle.fail("I1 {0}: {1} outbox rows never acknowledged".format(name, left))
    mine, theirs = desk_state(session), server_state(db, unit)
    covered = 0
    for key, fields in theirs.items():
        have = mine.get(key)
        if have is None:
            if (key[1], "*") in open_conflicts:
                covered += 1
                oracle.covered[key[0] + ".*"] += 1
            else:
                oracle.fail("I4 {0} lacks {1} {2} (no conflict recorded)".format(name, key[0], key[1][:13]))
            continue
        for f, value in fields.items():
            if f in DERIVED:
                continue
            if have.get(f) != value:
                if (key[1], f) in open_conflicts or (key[1], "*") in open_conflicts:
                    covered += 1
                    oracle.covered[key[0] + "." + f] += 1
                else:
                    oracle.fail(
                        "I4 {0} {1}.{2} differs from the server (no conflict recorded): desk {3!r}, server {4!r}"
                        " [{5}]".format(name, key[0], f, have.get(f), value, key[1])
                    )
                    oracle.suspects.add(key[1])
    for key in set(mine) - set(theirs):
        oracle.fail("I4 {0} holds {1} the server does not".format(name, key))
    for c in oracle.concurrent:
        if session.device_id in c.devices and (c.entity_id, c.field) not in open_conflicts:
            oracle.fail("I3 {0} does not show the conflict on {1}.{2}".format(name, c.entity, c.field))
    return covered


def history(db: Database, entity_ids: set[str]) -> list[str]:
    """The server's log of these entities, for a failure's report (test data only: synthetic)."""
    with db.sessions() as s:
        rows = s.scalars(select(ChangeLog).where(ChangeLog.entity_id.in_(entity_ids)).order_by(ChangeLog.server_seq))
        return [
            "{0} {1}#{2} {3} {4} base={5} v={6} {7} {8}".format(
                r.server_seq,
                r.device_id[:8],
                r.device_seq,
                r.entity,
                r.op,
                r.base_version,
                r.version,
                r.status,
                json.dumps(r.payload, ensure_ascii=False, default=str)[:400],
            )
            for r in rows
        ]
