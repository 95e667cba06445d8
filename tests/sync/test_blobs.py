"""Documents and attachments by reference (fzmediate.sync.blobs) between two desks and the real district server on
loopback: the bytes travel once, as a checked blob, and arrive byte-identical; an interrupted upload resumes
from the server's offset; a change whose blob is not whole waits in the outbox and is sent again; acknowledged
outbox rows are gone."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import func, select

from fzmediate.server.models import Blob, ChangeLog
from fzmediate.services.attachments import AttachmentService, NewAttachment
from fzmediate.services.session import Session
from fzmediate.services.workspace import Workspace
from fzmediate.store.models import AttachmentRow, DocumentRow, OutboxEntry, SyncState
from fzmediate.sync import blobs
from fzmediate.sync import client as sync_client
from fzmediate.sync.client import enroll, sync
from fzmediate.sync.http import Channel, http_client
from tests.documents import case_lifecycles as life
from tests.support import ADMIN_PW, FakeClock
from tests.sync.test_real_server import _desk, district
from tests.unit.test_attachments import png_bytes

__all__ = ["district"]  # the loopback server fixture, shared with test_real_server


def _issued_desk(tmp_path: Path, clock: FakeClock, base: str, db: Any) -> tuple[Workspace, str, str]:
    """Desk A, enrolled, with a refused case holding one issued receipt and one attachment: (store, document id,
    attachment id)."""
    from fzmediate.server.enroll import issue_code

    ws = _desk(tmp_path, "a", clock)
    life.staff(ws)
    with ws.unlock(*life.MEDIATOR) as med:
        case_id = life.refused_case(med)
        doc_id = med.documents.issue("receipt", case_id).id
        [attachment] = AttachmentService(med).add(case_id, [NewAttachment("身份证.png", png_bytes(b"blob-test"))])
    with ws.unlock("admin", ADMIN_PW) as s:
        enroll(s, base, issue_code(db, life.OFFICE_UNIT, "desk")[0])
    return ws, doc_id, attachment.id


def _outbox(s: Session) -> int:
    with s.read() as r:
        return int(r.scalar(select(func.count()).select_from(OutboxEntry)) or 0)


def _bytes_of(s: Session, doc_id: str, attachment_id: str) -> tuple[bytes | None, bytes | None]:
    with s.read() as r:
        doc, att = r.get(DocumentRow, doc_id), r.get(AttachmentRow, attachment_id)
        return (bytes(doc.pdf) if doc else None), (bytes(att.data) if att else None)


def test_a_document_issued_on_one_desk_arrives_byte_identical_on_another_through_the_blob_path(
    tmp_path: Path, clock: FakeClock, district: tuple[str, Any]
) -> None:
    from fzmediate.server.enroll import issue_code

    base, db = district
    a, doc_id, attachment_id = _issued_desk(tmp_path, clock, base, db)
    with a.unlock("admin", ADMIN_PW) as s:
        sent = _bytes_of(s, doc_id, attachment_id)
        report = sync(s)
        assert report.errors == 0 and _outbox(s) == 0  # acknowledged rows are gone
        with s.read() as r:
            state = r.get(SyncState, 1)
            assert state is not None and state.acked_through == report.pushed
    with db.sessions() as srv:  # the change names the bytes; the bytes are a blob, once
        payloads = {row.entity_id: row.payload for row in srv.scalars(select(ChangeLog))}
        assert "pdf" not in payloads[doc_id] and "data" not in payloads[attachment_id]
        held = {b.sha256: bytes(b.data or b"") for b in srv.scalars(select(Blob))}
    assert sorted(held.values()) == sorted(b for b in sent if b is not None) and None not in sent
    b = _desk(tmp_path, "b", clock)
    with b.unlock("admin", ADMIN_PW) as s:
        enroll(s, base, issue_code(db, life.OFFICE_UNIT, "desk")[0])
        assert sync(s).errors == 0
        assert _bytes_of(s, doc_id, attachment_id) == sent
        with s.read() as r:
            doc = r.get(DocumentRow, doc_id)
            assert doc is not None and hashlib.sha256(doc.pdf).hexdigest() == doc.sha256
        assert sync(s).pulled == 0


@pytest.fixture
def channel(clock: FakeClock) -> Iterator[Any]:
    """A factory of signed channels for an enrolled desk session, recording the requests it sends."""
    clients: list[httpx.Client] = []

    def make(s: Session, sent: list[httpx.Request]) -> Channel:
        with s.read() as r:
            state = r.get(SyncState, 1)
            assert state is not None
            url, key, offset = state.server_url, state.device_key, state.clock_offset_s
        client = http_client(url, transport=None, ca_pem=None)
        client.event_hooks = {"request": [sent.append]}
        clients.append(client)
        return Channel(
            client, now=s.now, offset_s=offset, device_id=s.device_id, key=Ed25519PrivateKey.from_private_bytes(key)
        )

    yield make
    for c in clients:
        c.close()


@pytest.mark.parametrize("stop", ["link_drops", "user_cancels"])
def test_an_interrupted_upload_resumes_from_the_servers_offset(
    stop: str, tmp_path: Path, clock: FakeClock, district: tuple[str, Any], channel: Any
) -> None:
    """The link drops after one chunk, or the user cancels the sync while the first chunk is on its way (over a
    slow link they wait for one chunk at most): the next upload goes on from the server's offset."""
    base, db = district
    a, doc_id, attachment_id = _issued_desk(tmp_path, clock, base, db)
    with a.unlock("admin", ADMIN_PW) as s:
        pdf, _ = _bytes_of(s, doc_id, attachment_id)
        assert pdf is not None and len(pdf) > 3 * 4096
        sha = hashlib.sha256(pdf).hexdigest()
        first: list[httpx.Request] = []

        def sent_one() -> bool:  # the user cancels once the first chunk is on its way
            return any(r.method == "PUT" for r in first)

        if stop == "link_drops":
            cut = blobs.upload(channel(s, first), sha, pdf, chunk=4096, max_chunks=1)
        else:
            cut = blobs.upload(channel(s, first), sha, pdf, chunk=4096, cancelled=sent_one)
        assert (cut.received, cut.complete) == (4096, False)
        assert [r.method for r in first].count("PUT") == 1
        rest: list[httpx.Request] = []
        done = blobs.upload(channel(s, rest), sha, pdf, chunk=4096)
        assert done.complete
        offsets = [int(r.url.params["offset"]) for r in rest if r.method == "PUT"]
        assert offsets[0] == 4096 and offsets == list(range(4096, len(pdf), 4096))  # from the server's offset on
        assert sync(s).errors == 0 and _outbox(s) == 0
    with db.sessions() as srv:
        blob = srv.scalar(select(Blob).where(Blob.sha256 == sha))
        assert blob is not None and blob.complete and blob.data == pdf


def test_a_change_whose_blob_is_not_whole_waits_in_the_outbox_and_is_sent_again(
    tmp_path: Path, clock: FakeClock, district: tuple[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    base, db = district
    a, doc_id, attachment_id = _issued_desk(tmp_path, clock, base, db)
    with a.unlock("admin", ADMIN_PW) as s:
        waiting = _outbox(s)
        monkeypatch.setattr(sync_client, "upload_for", lambda *_a: 1)  # every upload fails this time
        first = sync(s)
        assert first.errors >= 1 and 0 < first.pushed < waiting
        with s.read() as r:
            left = set(r.scalars(select(OutboxEntry.entity_id)))
        assert {doc_id, attachment_id} & left  # the first change naming a blob and everything after it wait
        with db.sessions() as srv:
            assert srv.scalar(select(ChangeLog).where(ChangeLog.entity_id.in_(left))) is None  # none was taken
        monkeypatch.undo()
        second = sync(s)
        assert second.errors == 0 and second.pushed == len(left) and _outbox(s) == 0
    with db.sessions() as srv:
        taken = set(srv.scalars(select(ChangeLog.entity_id).where(ChangeLog.status == "applied")))
    assert {doc_id, attachment_id} <= taken
