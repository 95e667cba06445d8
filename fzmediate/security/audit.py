"""The audit log: an append-only hash chain of everything that changed the store.

Each event's hash covers its fields and the previous event's hash; the head (last sequence number and
hash) is kept in ``meta`` in the same transaction. Editing, deleting or inserting any event — including
the last one — breaks either a link or the head, and ``verify_chain`` names where.
Events carry ids and actions, never personal data.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from fzmediate.i18n import _
from fzmediate.store.models import AuditEvent, Meta, new_id

GENESIS = "0" * 64
HEAD_KEY = "audit_head"


def event_hash(e: AuditEvent) -> str:
    material = [
        e.seq,
        e.id,
        e.at,
        e.actor,
        e.device,
        e.action,
        e.object_type,
        e.object_id,
        e.details,
        e.prev_hash,
    ]
    data = json.dumps(material, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return hashlib.sha256(data).hexdigest()


def _head(session: Session) -> tuple[int, str]:
    row = session.get(Meta, HEAD_KEY)
    if row is None:
        return 0, GENESIS
    seq, _sep, digest = row.value.partition(":")
    return int(seq), digest


def append_event(
    session: Session,
    *,
    at: datetime,
    actor: str,
    device: str,
    action: str,
    object_type: str,
    object_id: str,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add the next link inside the caller's transaction (so it commits or rolls back with the change)."""
    seq, prev = _head(session)
    event = AuditEvent(
        seq=seq + 1,
        id=new_id(),
        at=at.isoformat(timespec="microseconds"),
        actor=actor,
        device=device,
        action=action,
        object_type=object_type,
        object_id=object_id,
        details=json.dumps(details or {}, ensure_ascii=False, sort_keys=True),
        prev_hash=prev,
        hash="",
    )
    event.hash = event_hash(event)
    session.add(event)
    head = session.get(Meta, HEAD_KEY)
    value = "{0}:{1}".format(event.seq, event.hash)
    if head is None:
        session.add(Meta(key=HEAD_KEY, value=value))
    else:
        head.value = value
    session.flush()
    return event


@dataclass(frozen=True)
class AuditRecord:
    """An event as the UI and CLI see it (a plain value, not an ORM row)."""

    seq: int
    at: str
    actor: str
    device: str
    action: str
    object_type: str
    object_id: str
    details: dict[str, Any]


def verify_chain(session: Session) -> list[str]:
    """Walk the whole chain; return localized problems (empty when it is intact)."""
    problems: list[str] = []
    expected_prev = GENESIS
    expected_seq = 1
    last_seq, last_hash = 0, GENESIS
    for e in session.scalars(select(AuditEvent).order_by(AuditEvent.seq)):
        if e.seq != expected_seq:
            problems.append(
                _("Audit event {seq}: expected sequence number {expected} (an event is missing).").format(
                    seq=e.seq, expected=expected_seq
                )
            )
        if e.prev_hash != expected_prev:
            problems.append(
                _("Audit event {seq}: does not link to the event before it (chain broken).").format(seq=e.seq)
            )
        if event_hash(e) != e.hash:
            problems.append(_("Audit event {seq}: its content was altered (hash mismatch).").format(seq=e.seq))
        expected_prev, expected_seq = e.hash, e.seq + 1
        last_seq, last_hash = e.seq, e.hash
    head_seq, head_hash = _head(session)
    if (head_seq, head_hash) != (last_seq, last_hash):
        problems.append(
            _(
                "The audit log ends at event {last} but its recorded head is event {head} (events removed or added)."
            ).format(last=last_seq, head=head_seq)
        )
    return problems


def to_record(e: AuditEvent) -> AuditRecord:
    return AuditRecord(
        seq=e.seq,
        at=e.at,
        actor=e.actor,
        device=e.device,
        action=e.action,
        object_type=e.object_type,
        object_id=e.object_id,
        details=json.loads(e.details),
    )
