"""Pull and the audit anchor.

Pull pages through the published changes of the device's unit by ``server_seq``, never the device's own. The
page stops at the counter's committed value, read first: every number up to it has committed (numbers are
drawn under the counter's lock at the end of each push), so ``next_after`` never passes a change a reader
has not seen yet. When the page is not full, ``next_after`` moves to that value, past the changes this
device may not see (its own, other units', refused ones).
"""

from __future__ import annotations

from sqlalchemy import RowMapping, or_, select
from sqlalchemy.orm import Session

from fzmediate.server.auth import Caller
from fzmediate.server.db import Database
from fzmediate.server.models import CHANGE_SEQ, Anchor, ChangeLog, ConflictRow, SeqCounter
from fzmediate.sync.protocol import (
    MAX_PULL_LIMIT,
    AnchorRequest,
    AnchorResponse,
    Conflict,
    PulledChange,
    PullResponse,
)

#: Open conflicts sent with each page (the oldest first); the client keeps them by id.
MAX_CONFLICTS = 500


def pull(db: Database, caller: Caller, after: int, limit: int) -> PullResponse:
    limit = max(1, min(limit, MAX_PULL_LIMIT))

    def work(session: Session) -> PullResponse:
        now = db.now()
        high = session.scalar(select(SeqCounter.value).where(SeqCounter.name == CHANGE_SEQ)) or 0
        rows = list(
            session.execute(
                select(*_PULLED)
                .where(
                    ChangeLog.unit == caller.unit,
                    ChangeLog.server_seq > after,
                    ChangeLog.server_seq <= high,
                    ChangeLog.published.is_(True),
                    ChangeLog.device_id != caller.device_id,
                )
                .order_by(ChangeLog.server_seq)
                .limit(limit + 1)
            ).mappings()
        )
        more = len(rows) > limit
        rows = rows[:limit]
        next_after = rows[-1]["server_seq"] if more else max(after, high)
        return PullResponse(
            changes=[_pulled(r) for r in rows],
            next_after=next_after,
            more=more,
            conflicts=_open_conflicts(session, caller),
            server_time=now,
        )

    return db.transaction(work)


#: The columns a pulled change is made of, read as plain rows (no mapped objects: a page is 500 of them).
_PULLED = tuple(getattr(ChangeLog, name) for name in PulledChange.model_fields)


def _pulled(row: RowMapping) -> PulledChange:
    """The page's change from its log row, built without validating again what the server itself stored
    (``model_construct``; every value went through the push's validation on its way in)."""
    return PulledChange.model_construct(**{**row, "change_id": row["change_id"] or ""})


def _open_conflicts(session: Session, caller: Caller) -> list[Conflict]:
    rows = session.scalars(
        select(ConflictRow)
        .where(
            ConflictRow.resolved_at.is_(None),
            or_(
                ConflictRow.unit == caller.unit,
                ConflictRow.client_device == caller.device_id,
                ConflictRow.server_device == caller.device_id,
            ),
        )
        .order_by(ConflictRow.created_at, ConflictRow.conflict_id)
        .limit(MAX_CONFLICTS)
    )
    return [
        Conflict(
            conflict_id=r.conflict_id,
            entity=r.entity,
            entity_id=r.entity_id,
            field=r.field,
            base_value=r.base_value,
            server_value=r.server_value,
            client_value=r.client_value,
            server_device=r.server_device,
            client_device=r.client_device,
            server_actor=r.server_actor,
            client_actor=r.client_actor,
            created_at=r.created_at,
            resolved=r.resolved_at is not None,
        )
        for r in rows
    ]


def anchor(db: Database, caller: Caller, head: AnchorRequest) -> AnchorResponse:
    """Keep the device's audit chain head if it extends the one kept (a lower sequence, or the same with
    another hash, means the device's history was rewritten: refused, and the kept head stays)."""

    def work(session: Session) -> AnchorResponse:
        now = db.now()
        kept = session.get(Anchor, caller.device_id, with_for_update=True)
        if kept is not None and (head.seq < kept.seq or (head.seq == kept.seq and head.hash != kept.hash)):
            reason = "rewound" if head.seq < kept.seq else "rewritten"
            return AnchorResponse(accepted=False, reason=reason, seq=kept.seq, hash=kept.hash, server_time=now)
        if kept is None:
            session.add(Anchor(device_id=caller.device_id, seq=head.seq, hash=head.hash, updated_at=now))
        else:
            kept.seq, kept.hash, kept.updated_at = head.seq, head.hash, now
        return AnchorResponse(accepted=True, seq=head.seq, hash=head.hash, server_time=now)

    return db.transaction(work)
