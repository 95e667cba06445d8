"""Blobs: the bytes of sealed documents and attachments, sent once, resumably, and checked against their hash.

A document or attachment change carries ``sha256`` and ``size``; its bytes travel through
``/v1/sync/blobs/{sha256}`` (docs/sync-protocol.md, "Blobs"):

- ``HEAD`` answers how many bytes the server holds (``FZ-Blob-Received``) and whether they are whole;
- ``PUT ?offset=N&size=T`` with a chunk appends it when ``N`` is what the server holds (any other offset, such as
  a chunk sent again after a lost answer, is ignored and answered with the current status, so the device goes
  on from there); when the last byte arrives the whole is hashed: a match is kept (``complete``), a mismatch
  discards every part and is answered 422 ``hash_mismatch`` — nothing half-stored is ever served;
- ``GET`` serves the whole bytes of a complete blob that a change of the device's unit has named.

Blobs are kept per unit (:class:`~fzmediate.server.models.Blob`): a unit holds a blob only once one of its devices
sent the bytes, so knowing a hash never opens another unit's file. Push refuses a change naming a blob the unit
does not hold whole (:func:`prepare`, ``blob_missing``) without keeping the refusal: the device sends it again.
Bytes and hashes are never logged.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from datetime import datetime
from typing import Final

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from fzmediate.server.auth import Caller
from fzmediate.server.db import Database
from fzmediate.server.errors import Refusal
from fzmediate.server.models import Blob, BlobPart
from fzmediate.sync.protocol import BLOB_ENTITIES, BLOB_MISSING, SHA256_PATTERN, BlobStatus, Change

_SHA256: Final = re.compile(SHA256_PATTERN)


def _status(sha256: str, blob: Blob | None) -> BlobStatus:
    if blob is None:
        return BlobStatus(sha256=sha256, size=None, received=0, complete=False)
    return BlobStatus(sha256=sha256, size=blob.size, received=blob.received, complete=blob.complete)


def status(db: Database, caller: Caller, sha256: str) -> BlobStatus:
    """What the server holds of ``sha256`` for the caller's unit."""
    with db.sessions() as session:
        return _status(sha256, session.get(Blob, (caller.unit, sha256)))


def put_chunk(db: Database, caller: Caller, sha256: str, offset: int, size: int, chunk: bytes) -> BlobStatus:
    """Append ``chunk`` at ``offset`` of the ``size``-byte blob ``sha256``; see the module docstring."""
    if not chunk or offset + len(chunk) > size:
        raise Refusal(422, "invalid", ["query.offset: chunk outside the blob"])

    def work(session: Session) -> tuple[BlobStatus, bool]:
        now = db.now()
        blob = session.get(Blob, (caller.unit, sha256), with_for_update=True)
        if blob is not None and not blob.complete and blob.size != size:
            _discard(session, blob)  # another size was announced before: one of them is wrong; start again
            blob = None
        if blob is None:
            blob = Blob(unit=caller.unit, sha256=sha256, size=size, received=0, complete=False, created_at=now)
            session.add(blob)
            session.flush()
        if blob.complete or offset != blob.received:
            return _status(sha256, blob), False  # held already, or a chunk sent again: go on from what is held
        session.add(BlobPart(unit=caller.unit, sha256=sha256, offset=offset, data=chunk))
        blob.received = offset + len(chunk)
        if blob.received < blob.size:
            return _status(sha256, blob), False
        whole = b"".join(
            session.scalars(
                select(BlobPart.data)
                .where(BlobPart.unit == caller.unit, BlobPart.sha256 == sha256)
                .order_by(BlobPart.offset)
            )
        )
        if len(whole) != size or hashlib.sha256(whole).hexdigest() != sha256:
            _discard(session, blob)
            return BlobStatus(sha256=sha256, size=None, received=0, complete=False), True
        _complete(session, blob, whole, now)
        return _status(sha256, blob), False

    answer, mismatch = db.transaction(work)
    if mismatch:  # the discard is committed: a new upload starts from zero
        raise Refusal(422, "hash_mismatch")
    return answer


def fetch(db: Database, caller: Caller, sha256: str) -> bytes:
    """The whole bytes of a complete blob a change of the caller's unit named; 404 otherwise (also for a blob of
    another unit: the answer does not tell whether it exists)."""
    with db.sessions() as session:
        blob = session.get(Blob, (caller.unit, sha256))
        if blob is None or not blob.complete or not blob.referenced or blob.data is None:
            raise Refusal(404, "not_found")
        return bytes(blob.data)


def _discard(session: Session, blob: Blob) -> None:
    session.execute(delete(BlobPart).where(BlobPart.unit == blob.unit, BlobPart.sha256 == blob.sha256))
    session.delete(blob)
    session.flush()


def _complete(session: Session, blob: Blob, whole: bytes, now: datetime) -> None:
    session.execute(delete(BlobPart).where(BlobPart.unit == blob.unit, BlobPart.sha256 == blob.sha256))
    blob.data, blob.received, blob.complete, blob.completed_at = whole, len(whole), True, now


# --- push: changes that name a blob ----------------------------------------------------------------------------


def prepare(session: Session, unit: str, change: Change, now: datetime) -> tuple[Change, str | None]:
    """The change as the server keeps it, or the reason to refuse it.

    A ``create``/``append`` of a document or attachment must name a blob the unit holds whole, of the size it
    says (else :data:`BLOB_MISSING`, or ``blob_mismatch`` when the sizes differ); the blob is then marked as
    referenced (servable). A protocol-1 client that still sends the bytes inline (``pdf`` in base64) has them
    checked against ``sha256`` and kept as the unit's blob; the change is kept without them."""
    column = BLOB_ENTITIES.get(change.entity)
    if column is None or change.op not in ("create", "append"):
        return change, None
    payload = change.payload
    sha256, size = payload.get("sha256"), payload.get("size")
    if not isinstance(sha256, str) or not _SHA256.match(sha256) or not isinstance(size, int) or size < 0:
        return change, "malformed"
    inline = payload.get(column)
    if inline is not None:
        try:
            data = base64.b64decode(inline, validate=True) if isinstance(inline, str) else None
        except (binascii.Error, ValueError):
            data = None
        if data is None or len(data) != size or hashlib.sha256(data).hexdigest() != sha256:
            return change, "blob_mismatch"
        _keep_inline(session, unit, sha256, data, now)
        change = change.model_copy(update={"payload": {k: v for k, v in payload.items() if k != column}})
    blob = session.get(Blob, (unit, sha256), with_for_update=True)
    if blob is None or not blob.complete:
        return change, BLOB_MISSING
    if blob.size != size:
        return change, "blob_mismatch"
    blob.referenced = True
    return change, None


def _keep_inline(session: Session, unit: str, sha256: str, data: bytes, now: datetime) -> None:
    blob = session.get(Blob, (unit, sha256), with_for_update=True)
    if blob is not None and blob.complete:
        return
    if blob is not None:
        _discard(session, blob)
    blob = Blob(unit=unit, sha256=sha256, size=len(data), received=0, complete=False, created_at=now)
    session.add(blob)
    _complete(session, blob, data, now)
    session.flush()
