"""The audit log: an append-only hash chain of everything that changed the store, each event signed.

Each event's hash covers its fields and the previous event's hash; the head (last sequence number and
hash) is kept in ``meta`` in the same transaction. Editing, deleting or inserting any event — including
the last one — breaks either a link or the head, and ``verify_chain`` names where.

Anyone with the database key could re-hash a rewritten chain, so every event is also signed (Ed25519) by the
acting user's own key, which only their password unwraps: rewriting another user's events, or re-hashing the
chain after an edit, leaves signatures that no longer verify. Deleting the newest events leaves a valid
shorter chain; that is caught by anchors kept outside the store (the head printed in every issued document,
``fzmediate audit anchor`` receipts) and by each user's signed *checkpoint* (the head they last verified).

Events written before signatures existed (schema < 0004) are accepted unsigned up to ``audit_signed_from``.
Events carry ids and actions, never personal data.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from fzmediate.i18n import _
from fzmediate.security.chain_walk import (
    PARALLEL_THRESHOLD,
    event_message,
    material_hash,
    rows_after,
    walk,
    walk_parallel,
)
from fzmediate.security.grants import b64, canonical
from fzmediate.store.models import AuditEvent, Meta, new_id

GENESIS = "0" * 64
HEAD_KEY = "audit_head"
#: First sequence number that must carry a signature (events before it were written by schema < 0004).
SIGNED_FROM_KEY = "audit_signed_from"
CHECKPOINT_PREFIX = "audit_checkpoint:"
CHECKPOINT_CONTEXT = b"fzmediate:audit-checkpoint:v1\n"


_COLUMNS = ("seq", "id", "at", "actor", "device", "action", "object_type", "object_id", "details", "prev_hash")


def event_hash(e: Any) -> str:
    return material_hash([getattr(e, c) for c in _COLUMNS])


def head(session: Session) -> tuple[int, str]:
    """The chain's head as recorded in ``meta``: (last sequence number, its hash)."""
    return _head(session)


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
    signer: Ed25519PrivateKey | None = None,
) -> AuditEvent:
    """Add the next link inside the caller's transaction (so it commits or rolls back with the change).

    ``signer`` is the acting user's signing key; only events of a store's own upgrade bookkeeping may go
    unsigned, and ``verify_chain`` reports any other unsigned event."""
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
    if signer is not None:
        event.signer_key = b64(signer.public_key().public_bytes_raw())
        event.signature = b64(signer.sign(event_message(event.hash)))
    else:
        event.signer_key = ""
        event.signature = ""
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


@dataclass(frozen=True)
class Checkpoint:
    """A head that one user verified, signed by that user (kept in ``meta``; only they can make it)."""

    login: str
    seq: int
    hash: str
    signer_key: str
    signature: str

    def message(self, store_id: str) -> bytes:
        return CHECKPOINT_CONTEXT + canonical([store_id, self.login, self.seq, self.hash, self.signer_key])


def read_checkpoint(session: Session, login: str) -> Checkpoint | None:
    row = session.get(Meta, CHECKPOINT_PREFIX + login)
    if row is None:
        return None
    try:
        data = json.loads(row.value)
        return Checkpoint(login, int(data["seq"]), str(data["hash"]), str(data["key"]), str(data["sig"]))
    except (ValueError, KeyError, TypeError):
        return None


def write_checkpoint(session: Session, store_id: str, login: str, signer: Ed25519PrivateKey) -> Checkpoint:
    """Record the current head as verified by ``login`` (call only after a successful verification)."""
    seq, digest = _head(session)
    unsigned = Checkpoint(login, seq, digest, b64(signer.public_key().public_bytes_raw()), "")
    cp = Checkpoint(login, seq, digest, unsigned.signer_key, b64(signer.sign(unsigned.message(store_id))))
    value = json.dumps({"seq": cp.seq, "hash": cp.hash, "key": cp.signer_key, "sig": cp.signature})
    row = session.get(Meta, CHECKPOINT_PREFIX + login)
    if row is None:
        session.add(Meta(key=CHECKPOINT_PREFIX + login, value=value))
    else:
        row.value = value
    session.flush()
    return cp


def signed_from(session: Session) -> int:
    row = session.get(Meta, SIGNED_FROM_KEY)
    try:
        return int(row.value) if row is not None else 1
    except ValueError:
        return 1


def verify_chain(
    session: Session,
    keys: Mapping[str, frozenset[str]] | None = None,
    *,
    start: Checkpoint | None = None,
    source: tuple[Path, bytes] | None = None,
) -> list[str]:
    """Walk the chain (all of it, or from ``start``); return localized problems (empty when it is intact).

    ``source`` (the database file and its key) lets a long walk run in segments on every CPU.

    ``keys`` maps each actor to the signing keys it may sign with (from the verified grants); without it only
    the links are checked (used while the grants themselves are being resolved).
    """
    problems: list[str] = []
    first_signed = signed_from(session)
    table = AuditEvent.__table__
    if start is not None:
        anchor = session.execute(select(table.c.hash).where(table.c.seq == start.seq)).scalar_one_or_none()
        if anchor is None:
            problems.append(
                _(
                    "The audit log no longer contains event {seq}, which {login} verified before (events removed)."
                ).format(seq=start.seq, login=start.login)
            )
            return problems
        if anchor != start.hash:
            problems.append(
                _("Audit event {seq} differs from what {login} verified before (the log was rewritten).").format(
                    seq=start.seq, login=start.login
                )
            )
            return problems
        expected_prev, expected_seq = start.hash, start.seq + 1
        last_seq, last_hash = start.seq, start.hash
    else:
        expected_prev, expected_seq = GENESIS, 1
        last_seq, last_hash = 0, GENESIS
    head_seq, _head_hash = _head(session)
    if keys is not None and source is not None and head_seq - last_seq >= PARALLEL_THRESHOLD:
        # ``check`` of a long chain: segments on every CPU, joined here exactly as one walk would join them.
        for seg in walk_parallel(source[0], source[1], last_seq, head_seq, keys, first_signed):
            if seg.count == 0:
                continue
            if seg.first_seq != expected_seq:
                problems.append(
                    _("Audit event {seq}: expected sequence number {expected} (an event is missing).").format(
                        seq=seg.first_seq, expected=expected_seq
                    )
                )
            if seg.first_prev != expected_prev:
                problems.append(
                    _("Audit event {seq}: does not link to the event before it (chain broken).").format(
                        seq=seg.first_seq
                    )
                )
            problems.extend(seg.problems)
            expected_prev, expected_seq = seg.last_hash, seg.last_seq + 1
            last_seq, last_hash = seg.last_seq, seg.last_hash
    else:
        # Plain DB-API rows, fetched in blocks: SQLAlchemy's per-row cost would dominate a long walk.
        cursor = session.connection().connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        seg = walk(
            rows_after(cursor, last_seq), keys, first_signed, expected_prev=expected_prev, expected_seq=expected_seq
        )
        problems.extend(seg.problems)
        if seg.count:
            last_seq, last_hash = seg.last_seq, seg.last_hash
    head_seq, head_hash = _head(session)
    if (head_seq, head_hash) != (last_seq, last_hash):
        problems.append(
            _(
                "The audit log ends at event {last} but its recorded head is event {head} (events removed or added)."
            ).format(last=last_seq, head=head_seq)
        )
    return problems


def contains_head(session: Session, seq: int, digest: str) -> bool:
    """True when the chain still holds event ``seq`` with hash ``digest`` (an anchor taken earlier)."""
    table = AuditEvent.__table__
    found = session.execute(select(table.c.hash).where(table.c.seq == seq)).scalar_one_or_none()
    return found == digest


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
