"""The bytes of documents and attachments on the wire (docs/sync-protocol.md, "Blobs"): sent once, by reference.

A document's or attachment's outbox change carries ``sha256`` and ``size``, never the bytes: they stay in the
row that stores them (``documents.pdf``, ``attachments.data``) and travel through ``/v1/sync/blobs/{sha256}``.

- Push: :func:`upload_for` sends the blobs a batch names before the batch itself. It asks the server how much it
  holds (``HEAD``) and sends the rest in chunks of at most :data:`~fzmediate.sync.protocol.BLOB_CHUNK_BYTES`
  from there, so an interrupted upload resumes where the server stopped. A change whose upload did not finish is
  answered ``blob_missing`` and stays in the outbox for the next sync.
- Pull: :func:`fetch_for` fetches the bytes a page's documents and attachments need, before the page is applied
  (the page still applies whole), and checks each against its hash; bytes already in the store are reused.

Bytes, names and hashes are never logged; only counts.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from pydantic import ValidationError as PydanticError
from sqlalchemy import select
from sqlalchemy.orm import Session as OrmSession

from fzmediate.store.models import Base
from fzmediate.sync.apply import MODELS
from fzmediate.sync.http import Channel, SyncError, answer_error
from fzmediate.sync.outgoing import Outgoing
from fzmediate.sync.protocol import (
    BLOB_CHUNK_BYTES,
    BLOB_COMPLETE_HEADER,
    BLOB_ENTITIES,
    BLOB_PATH,
    BLOB_RECEIVED_HEADER,
    SHA256_PATTERN,
    BlobStatus,
    PulledChange,
)

if TYPE_CHECKING:
    from fzmediate.services.session import Session

log = logging.getLogger(__name__)

_SHA256: Final = re.compile(SHA256_PATTERN)


@dataclass(frozen=True)
class BlobRef:
    """A blob a change names: the row that holds its bytes, their hash and size."""

    entity: str
    entity_id: str
    sha256: str
    size: int


def references(changes: Iterable[Outgoing | PulledChange]) -> Iterator[BlobRef]:
    """The blobs named by ``changes`` (creates and appends of documents and attachments that do not carry their
    bytes inline), in order."""
    for change in changes:
        column = BLOB_ENTITIES.get(change.entity)
        if column is None or change.op not in ("create", "append") or column in change.payload:
            continue
        sha256, size = change.payload.get("sha256"), change.payload.get("size")
        if isinstance(sha256, str) and _SHA256.match(sha256) and isinstance(size, int) and size >= 0:
            yield BlobRef(change.entity, change.entity_id, sha256, size)


def _path(sha256: str) -> str:
    return BLOB_PATH.format(sha256=sha256)


def held(channel: Channel, sha256: str) -> tuple[int, bool]:
    """How many bytes of ``sha256`` the server holds for this device's unit, and whether they are whole."""
    response = channel.call("HEAD", _path(sha256))
    try:
        received = int(response.headers.get(BLOB_RECEIVED_HEADER, "0"))
    except ValueError:
        raise answer_error("bad_answer") from None
    return max(received, 0), response.headers.get(BLOB_COMPLETE_HEADER) == "1"


def upload(
    channel: Channel,
    sha256: str,
    data: bytes,
    *,
    chunk: int = BLOB_CHUNK_BYTES,
    max_chunks: int | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> BlobStatus:
    """Send ``data`` from where the server's copy stops, a chunk per request, until it is whole (or after
    ``max_chunks`` chunks: an upload cut short, as a lost link would; or once ``cancelled()`` says so, asked
    before each chunk: a user who cancels a sync over a slow link waits for one chunk at most, and the next sync
    goes on from the server's offset). The server checks the hash of the whole."""
    received, complete = held(channel, sha256)
    status = BlobStatus(sha256=sha256, size=len(data), received=received, complete=complete)
    sent = 0
    budget = 2 * (len(data) // max(chunk, 1)) + 4  # a server that never moves on must not keep us here
    while not status.complete and budget > 0:
        if (max_chunks is not None and sent >= max_chunks) or (cancelled is not None and cancelled()):
            break
        offset = min(status.received, len(data))
        piece = data[offset : offset + chunk]
        params = {"offset": offset, "size": len(data)}
        response = channel.call("PUT", _path(sha256), params=params, body=piece)
        try:
            status = BlobStatus.model_validate_json(response.content)
        except (PydanticError, ValueError):
            raise answer_error("bad_answer") from None
        sent += 1
        budget -= 1
    return status


def _local_bytes(s: OrmSession, ref: BlobRef) -> bytes | None:
    model = MODELS[ref.entity]
    row = s.get(model, ref.entity_id)
    data = getattr(row, BLOB_ENTITIES[ref.entity], None) if row is not None else None
    return bytes(data) if data is not None else None


def upload_for(
    session: Session, channel: Channel, changes: Iterable[Outgoing], cancelled: Callable[[], bool] | None = None
) -> int:
    """Upload every blob ``changes`` name that the server does not hold whole; returns how many could not be
    (their changes will be answered ``blob_missing`` and sent again at the next sync). The store is read in a
    short transaction per blob, never across a request. Once ``cancelled()`` says so, no further chunk is sent
    (what is left counts as not uploaded)."""
    failed = 0
    done: set[str] = set()
    for ref in references(changes):
        if ref.sha256 in done:
            continue
        if cancelled is not None and cancelled():
            failed += 1
            continue
        done.add(ref.sha256)
        if held(channel, ref.sha256)[1]:
            continue
        with session.read() as s:
            data = _local_bytes(s, ref)
        if data is None or len(data) != ref.size or hashlib.sha256(data).hexdigest() != ref.sha256:
            log.warning("the stored bytes of a %s do not match its hash: not uploaded", ref.entity)
            failed += 1
            continue
        try:
            if not upload(channel, ref.sha256, data, cancelled=cancelled).complete:
                failed += 1
        except SyncError as refused:
            if refused.code != "hash_mismatch":
                raise
            log.warning("the server refused an upload of a %s (hash_mismatch)", ref.entity)
            failed += 1
    return failed


def _in_store(s: OrmSession, ref: BlobRef) -> bytes | None:
    """The bytes, when a row of this store already holds them (the same file filed twice, or pulled before)."""
    for name, column in BLOB_ENTITIES.items():
        model: type[Base] = MODELS[name]
        found = s.scalar(
            select(getattr(model, column)).where(model.sha256 == ref.sha256).limit(1)  # type: ignore[attr-defined]
        )
        if found is not None and hashlib.sha256(found).hexdigest() == ref.sha256:
            return bytes(found)
    return None


def fetch_for(session: Session, channel: Channel, changes: Iterable[PulledChange]) -> dict[str, bytes]:
    """The bytes (by sha256) of the documents and attachments among ``changes`` that this store lacks: from the
    store when a row holds them, else fetched and checked. A blob that does not match its hash stops the sync
    before the page is applied (``blob_hash``)."""
    found: dict[str, bytes] = {}
    for ref in references(changes):
        if ref.sha256 in found:
            continue
        with session.read() as s:
            if s.get(MODELS[ref.entity], ref.entity_id) is not None:
                continue  # already here: the page will leave the row alone
            data = _in_store(s, ref)
        if data is None:
            data = channel.call("GET", _path(ref.sha256)).content
            if len(data) != ref.size or hashlib.sha256(data).hexdigest() != ref.sha256:
                raise answer_error("blob_hash")
        found[ref.sha256] = data
    return found
