"""What a push answer does to the desk's store (docs/sync-protocol.md, "Push"): compaction and versions.

:func:`acknowledge` runs one transaction per answer: the outbox rows up to the server's ``acked_through`` are
deleted (the outbox holds only what the server does not have; ``sync_state.acked_through`` keeps the numbering
gap-free, ``fzmediate.store.outbox.next_device_seq``), each held change's row adopts the server's version, and a
refused change is kept whole in ``sync_conflicts`` for a person (the server will never take it). A change answered
``blob_missing`` lies beyond ``acked_through``: it stays, and is sent again.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Final, cast

from sqlalchemy import Table, bindparam, delete, or_, select, update
from sqlalchemy.orm import Session as OrmSession

from fzmediate.store.models import Base, Case, OutboxEntry, SyncConflict, SyncState
from fzmediate.sync.apply import IN_CHUNK, MODELS
from fzmediate.sync.derived import UPDATED_AT, moment
from fzmediate.sync.outgoing import Outgoing
from fzmediate.sync.protocol import BLOB_MISSING, DERIVED_FIELDS, PushResponse

if TYPE_CHECKING:
    from fzmediate.services.session import Session

#: Push answers that mean "the server holds this change": the outbox row may go.
HELD: Final = frozenset({"applied", "merged", "duplicate", "conflict"})


@dataclass
class Counts:
    """What one sync did so far (counts only)."""

    pushed: int = 0
    pulled: int = 0
    skipped: int = 0
    conflicts: int = 0
    errors: int = 0


def naive(at: datetime) -> datetime:
    return at.astimezone(UTC).replace(tzinfo=None) if at.tzinfo is not None else at


def blob_missing(answer: PushResponse) -> bool:
    """Whether the server wants a blob before the change after ``acked_through`` (sent again next time)."""
    return any(r.reason == BLOB_MISSING and r.device_seq > answer.acked_through for r in answer.results)


def acknowledge(
    session: Session, offset_s: float, answer: PushResponse, sent: dict[int, Outgoing], counts: Counts
) -> None:
    """Delete the acknowledged outbox rows and store ``acked_through``, in one transaction (module docstring)."""
    acked = answer.acked_through
    with session.db.unit_of_work() as s:
        state = s.get(SyncState, 1)
        assert state is not None
        adopted: list[tuple[Outgoing, int | None]] = []
        for result in answer.results:
            change = sent.get(result.device_seq)
            if change is None or result.device_seq > acked:
                continue
            if result.status in HELD:
                counts.pushed += 1
                adopted.append((change, result.version))
            if result.status == "conflict":
                counts.conflicts += 1
            elif result.status == "rejected":
                counts.errors += 1
                _keep_rejected(s, change, result.reason, session.device_id)
        _adopt_versions(s, adopted)
        _keep_later_times(s, [change for change, _version in adopted])
        s.execute(
            delete(OutboxEntry).where(OutboxEntry.device_id == session.device_id, OutboxEntry.device_seq <= acked)
        )
        state.acked_through = max(state.acked_through, acked)
        state.clock_offset_s = offset_s


def _adopt_versions(s: OrmSession, adopted: list[tuple[Outgoing, int | None]]) -> None:
    """Versions are the server's: each row takes the server's version of the change it acknowledged, unless the
    row changed here since (its own later change will be acknowledged with a newer one). One statement per kind
    of row for the whole answer: ``UPDATE … SET version = new WHERE id = … AND version = the change's``."""
    by_model: dict[type[Base], list[dict[str, object]]] = {}
    for change, version in adopted:
        model = MODELS.get(change.entity)
        if version is None or model is None or change.version is None or version == change.version:
            continue
        if "version" not in model.__table__.c:
            continue
        by_model.setdefault(model, []).append({"k_id": change.entity_id, "k_old": change.version, "k_new": version})
    for model, params in by_model.items():
        table = cast(Table, model.__table__)
        statement = (
            update(table)
            .where(table.c.id == bindparam("k_id"), table.c.version == bindparam("k_old"))
            .values(version=bindparam("k_new"))
        )
        s.connection().execute(statement, params)


def _keep_later_times(s: OrmSession, held: list[Outgoing]) -> None:
    """``updated_at`` is the latest time any replica held (docs/sync-protocol.md, "Conflicts"): the server kept
    the latest of each change's times (``old`` too) and publishes nothing to the sender when its own time stays,
    so a row whose time moved back here (a desk clock set back) takes the latest of the times its held changes
    carried. Never an outbox row (a derived value)."""
    latest: dict[str, datetime] = {}
    for change in held:
        if UPDATED_AT not in DERIVED_FIELDS.get(change.entity, ()) or change.entity != "case":
            continue
        value = change.payload.get(UPDATED_AT)
        times = [value.get("old"), value.get("new")] if isinstance(value, dict) else [value]
        for at in filter(None, map(moment, times)):
            if change.entity_id not in latest or at > latest[change.entity_id]:
                latest[change.entity_id] = at
    if not latest:
        return
    # Read first, then write only the rows behind (nearly always none: a row keeps the time of its own latest
    # change), instead of an UPDATE a row.
    table = cast(Table, Case.__table__)
    core = s.connection()
    ids = list(latest)
    stored: dict[str, datetime | None] = {}
    for start in range(0, len(ids), IN_CHUNK):
        query = select(table.c.id, table.c.updated_at).where(table.c.id.in_(ids[start : start + IN_CHUNK]))
        stored.update((row.id, row.updated_at) for row in core.execute(query))
    behind = [{"k_id": k, "k_at": at} for k, at in latest.items() if k in stored and _before(stored[k], at)]
    if not behind:
        return
    statement = (
        update(table)
        .where(
            table.c.id == bindparam("k_id"),
            or_(table.c.updated_at.is_(None), table.c.updated_at < bindparam("k_at")),
        )
        .values(updated_at=bindparam("k_at"))
    )
    core.execute(statement, behind)


def _before(value: datetime | None, at: datetime) -> bool:
    return value is None or value < at


def _keep_rejected(s: OrmSession, change: Outgoing, reason: str | None, device_id: str) -> None:
    conflict_id = str(uuid.uuid5(uuid.NAMESPACE_OID, "fzmediate-rejected:" + change.change_id))
    if s.get(SyncConflict, conflict_id) is not None:
        return
    s.add(
        SyncConflict(
            conflict_id=conflict_id,
            origin="server",
            entity=change.entity,
            entity_id=change.entity_id,
            field="*",
            base_value={"op": change.op, "rejected": reason or "", "version": change.version},
            server_value=None,
            client_value=change.payload,
            client_device=device_id,
            client_actor=change.actor,
            created_at=naive(change.created_at),
        )
    )
