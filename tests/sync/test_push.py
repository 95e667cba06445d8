"""Push: batches within the limits, compaction that keeps device_seq gap-free, retries that change nothing."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from fzmediate.services.session import Session
from fzmediate.store.models import OutboxEntry, SyncState, new_time_id
from fzmediate.store.outbox import Change, Op, append_changes, pending_rows
from fzmediate.sync import http as http_module
from fzmediate.sync.client import batch, encode_batch, enroll, said_limit, sync
from fzmediate.sync.http import DeviceRefused, RetryPolicy, ServerUnreachable, UpgradeRequired
from fzmediate.sync.protocol import BASE_PUSH_CHANGES, MAX_BODY_BYTES, MAX_PUSH_CHANGES, PUSH_MAX_HEADER, PushRequest
from tests.cases_support import intake
from tests.server.conftest import _prepare as prepare_server_db
from tests.server.harness import Server
from tests.support import FakeClock
from tests.sync.conftest import Sleeps
from tests.sync.fake_server import FakeServer, days


def _changes(session: Session, n: int, *, size: int = 10) -> None:
    with session.write("test.changes", "store", session.store_id) as s:
        changes = [Change("session_plan", new_time_id(), Op.CREATE, 1, {"note": "x" * size}) for _ in range(n)]
        append_changes(s, changes, device_id=session.device_id, actor="admin", at=session.now())


def _outbox(session: Session) -> list[int]:
    with session.read() as s:
        return list(s.scalars(select(OutboxEntry.device_seq).order_by(OutboxEntry.device_seq)))


def _state(session: Session) -> SyncState:
    with session.read() as s:
        state = s.get(SyncState, 1)
        assert state is not None
        s.expunge(state)
        return state


def test_push_in_batches_compacts_and_new_changes_continue_the_sequence(enrolled: Session, server: FakeServer) -> None:
    _changes(enrolled, 1100)
    report = sync(enrolled, transport=server.transport())
    assert server.push_sizes == [500, 500, 100]  # a server that does not say it takes more (no FZ-Push-Max)
    assert (report.pushed, report.conflicts, report.errors, report.up_to_date) == (1100, 0, 0, True)
    assert _outbox(enrolled) == [] and _state(enrolled).acked_through == 1100
    enrolled.cases.create(intake(), confirm_duplicate=True)  # case, 2 parties, register event
    assert _outbox(enrolled) == [1101, 1102, 1103, 1104]
    report = sync(enrolled, transport=server.transport())
    assert report.pushed == 4 and _outbox(enrolled) == []
    assert [e.change.device_seq for e in server.log] == list(range(1, 1105))  # no gap, no repeat


def test_a_change_goes_out_as_the_bytes_its_model_gives(enrolled: Session) -> None:
    """The push splices each payload in as the store holds it: the request must still be what
    ``PushRequest.model_dump_json`` gives for the same changes (rare characters, escapes, nesting, numbers)."""
    payloads = [
        {"name": "𠮷野䶮", "note": 'line\nbreak\t"quoted" \\ back\u2028', "n": 1.5, "big": 2**53, "none": None},
        {"nested": {"list": [1, "二", {"x": False}], "empty": {}}, "emoji": "👍", "ctl": "\u0001\u001f"},
        {},
    ]
    with enrolled.write("test.changes", "store", enrolled.store_id) as s:
        changes = [Change("session_plan", new_time_id(), Op.CREATE, 1, p) for p in payloads]
        append_changes(s, changes, device_id=enrolled.device_id, actor="admin", at=enrolled.now())
    with enrolled.read() as s:
        rows = pending_rows(s, enrolled.device_id)
        sent, body = encode_batch(rows)
    assert len(sent) == 3 and [c.payload for c in sent] == payloads
    assert body == PushRequest.model_validate_json(body).model_dump_json().encode()
    assert [c.payload for c in PushRequest.model_validate_json(body).changes] == payloads


def test_a_batch_stays_under_one_megabyte(enrolled: Session) -> None:
    _changes(enrolled, 8, size=300_000)
    with enrolled.read() as s:
        rows = list(s.scalars(select(OutboxEntry).order_by(OutboxEntry.device_seq)))
        first = batch(rows)
        assert len(first) == 3
        assert sum(len(c.wire()) + 1 for c in first) < MAX_BODY_BYTES


def test_a_push_whose_answer_was_lost_is_sent_again_and_changes_nothing(
    enrolled: Session, server: FakeServer, retry: RetryPolicy, sleeps: Sleeps
) -> None:
    _changes(enrolled, 30)
    server.faults = ["drop"]  # the server commits the push, the answer never arrives
    report = sync(enrolled, transport=server.transport(), retry=retry)
    assert len(sleeps) == 1 and 0 <= sleeps[0] <= 60
    assert report.pushed == 30 and _outbox(enrolled) == []
    assert [e.change.device_seq for e in server.log] == list(range(1, 31))  # each change once
    assert sync(enrolled, transport=server.transport()).pushed == 0


def test_upgrade_required_keeps_the_outbox(enrolled: Session, server: FakeServer) -> None:
    _changes(enrolled, 5)
    server.faults = ["426"]
    with pytest.raises(UpgradeRequired) as refused:
        sync(enrolled, transport=server.transport())
    assert "upgrade" in refused.value.message or "升级" in refused.value.message
    assert _outbox(enrolled) == [1, 2, 3, 4, 5] and _state(enrolled).acked_through == 0


def test_busy_and_unreachable_servers_are_retried_with_jittered_backoff(
    enrolled: Session, server: FakeServer, retry: RetryPolicy, sleeps: Sleeps
) -> None:
    _changes(enrolled, 3)
    server.faults = ["500", "429", "network"]
    assert sync(enrolled, transport=server.transport(), retry=retry).pushed == 3
    assert len(sleeps) == 3 and all(0 <= w <= 60 for w in sleeps)
    server.faults = ["500"] * 10
    _changes(enrolled, 1)
    with pytest.raises(ServerUnreachable):
        sync(enrolled, transport=server.transport(), retry=retry)
    assert _outbox(enrolled) == [4]
    big = RetryPolicy(random=lambda: 1.0)
    assert [big.delay(n) for n in (0, 1, 7, 20)] == [0.5, 1.0, 60.0, 60.0]  # capped at 60 s


def test_a_revoked_device_is_refused_naming_the_code_only(enrolled: Session, server: FakeServer) -> None:
    _changes(enrolled, 1)
    server.devices.clear()
    with pytest.raises(DeviceRefused) as refused:
        sync(enrolled, transport=server.transport())
    assert "bad_signature" in refused.value.message and _outbox(enrolled) == [1]


def test_a_clock_seven_days_off_still_syncs(enrolled: Session, clock: FakeClock) -> None:
    server = FakeServer(clock=lambda: clock.now + days(7))
    server.devices = {}
    # A fresh server whose clock is a week ahead of the desk's: enrollment teaches nothing to this one.
    from tests.sync.fake_server import Device

    with enrolled.read() as s:
        state = s.get(SyncState, 1)
        assert state is not None
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

        from fzmediate.sync.signing import public_b64

        public = public_b64(Ed25519PrivateKey.from_private_bytes(state.device_key))
    server.devices[enrolled.device_id] = Device(enrolled.device_id, public, "D00001")
    _changes(enrolled, 2)
    report = sync(enrolled, transport=server.transport())
    assert report.pushed == 2
    assert abs(report.clock_offset_s - days(7).total_seconds()) < 5
    assert abs(_state(enrolled).clock_offset_s - days(7).total_seconds()) < 5
    requests = len(server.requests)
    _changes(enrolled, 1)
    sync(enrolled, transport=server.transport())
    # Signed with the learned offset: no clock_skew round trip.
    assert server.requests[requests:] == ["/v1/sync/push", "/v1/sync/pull", "/v1/sync/catalogue", "/v1/sync/anchor"]


def test_sync_is_audited_with_counts_only(enrolled: Session, server: FakeServer) -> None:
    _changes(enrolled, 2)
    sync(enrolled, transport=server.transport())
    from fzmediate.store.models import AuditEvent

    with enrolled.read() as s:
        [details] = s.scalars(select(AuditEvent.details).where(AuditEvent.action == "sync.run")).all()
        assert s.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "sync.pull")) == 0
    assert '"pushed": 2' in details
    assert isinstance(_state(enrolled).last_sync_at, datetime)


class _InProcess(httpx.BaseTransport):
    """The real server application in-process (a TestClient), recording each request's path and coding."""

    def __init__(self, client: httpx.Client, *, says: str | None = None) -> None:
        self.client = client
        self.says = says  # the Accept-Encoding answers carry instead of the server's own, if not None
        self.sent: list[tuple[str, str | None]] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.sent.append((request.url.path, request.headers.get("content-encoding")))
        answer = self.client.send(request)
        dropped = (
            ("content-encoding", "content-length")
            if self.says is None
            else ("content-encoding", "content-length", "accept-encoding")
        )
        kept = [(k, v) for k, v in answer.headers.multi_items() if k not in dropped]
        if self.says is not None:
            kept.append(("accept-encoding", self.says))
        return httpx.Response(answer.status_code, headers=kept, content=answer.content)


@pytest.mark.parametrize(("says", "coding"), [(None, "zstd"), ("gzip", "gzip")])
def test_large_pushes_go_compressed_once_the_server_said_it_takes_them(
    desk: Session, tmp_path: Path, says: str | None, coding: str
) -> None:
    """zstd with a server that takes it (its answers say ``Accept-Encoding: zstd, gzip``); gzip with one from
    before zstd."""
    url = "sqlite:///{0}".format(tmp_path / "server.db")
    prepare_server_db(url)
    server = Server(url)
    try:
        wire = _InProcess(server.client, says=says)
        enroll(desk, "http://testserver", server.code(), transport=wire)  # its answer says what it takes
        _changes(desk, 700, size=200)
        report = sync(desk, transport=wire)
    finally:
        server.close()
    assert (report.errors, report.up_to_date) == (0, True) and report.pushed >= 700
    assert _outbox(desk) == []
    pushes = [sent for path, sent in wire.sent if path == "/v1/sync/push"]
    assert pushes == [coding, coding]  # the server took both compressed batches, digests over the bytes sent


def test_a_server_that_stops_taking_compressed_bodies_gets_the_push_uncompressed(
    enrolled: Session, server: FakeServer
) -> None:
    plain = server.transport()
    codings: list[str | None] = []

    def handle(request: httpx.Request) -> httpx.Response:
        codings.append(request.headers.get("content-encoding"))
        if request.headers.get("content-encoding"):
            return httpx.Response(415, json={"error": "unsupported_encoding"})
        answer = plain.handle_request(request)
        answer.headers["Accept-Encoding"] = "identity"
        return answer

    _changes(enrolled, 20, size=200)
    channel_servers = http_module._SERVER_CODINGS
    channel_servers["http://district.test"] = "zstd"  # as if it had said so before
    try:
        report = sync(enrolled, transport=httpx.MockTransport(handle))
    finally:
        channel_servers.pop("http://district.test", None)
    assert report.pushed == 20 and _outbox(enrolled) == []
    assert codings[:2] == ["zstd", None]
    assert set(codings[2:]) == {None}


def test_a_compressed_answer_that_cannot_be_decoded_is_tried_again(enrolled: Session, server: FakeServer) -> None:
    """A gzip answer garbled on the way (a proxy, a broken link) cannot be decoded: the client sends again, as
    for any broken answer, and the retried push changes nothing on the server."""
    plain = server.transport()
    cut = {"left": 1}

    def handle(request: httpx.Request) -> httpx.Response:
        answer = plain.handle_request(request)
        if request.url.path.endswith("/push") and cut["left"]:
            cut["left"] -= 1
            answer.read()
            garbled = b"\x1f\x8b\x08\x00" + b"not deflate data" * 4
            return httpx.Response(answer.status_code, headers={"Content-Encoding": "gzip"}, content=garbled)
        return answer

    _changes(enrolled, 5, size=100)
    report = sync(enrolled, transport=httpx.MockTransport(handle))
    assert cut["left"] == 0  # the broken answer was seen
    assert report.pushed == 5 and report.errors == 0 and _outbox(enrolled) == []


@pytest.mark.parametrize(
    ("said", "limit"),
    [(None, 500), ("2000", 2000), ("100000", 2000), ("300", 300), ("0", 500), ("-5", 500), ("2k", 500), ("２", 500)],
)
def test_a_push_carries_what_the_server_said_it_takes(said: str | None, limit: int) -> None:
    """FZ-Push-Max: the server's number, never above what this desk sends (MAX_PUSH_CHANGES) and honoured below
    500 too; 500 (what every server before the header takes) when it says nothing usable."""
    headers = [(PUSH_MAX_HEADER.encode(), said.encode())] if said is not None else []  # as received: bytes
    answer = httpx.Response(200, headers=headers)
    assert said_limit(answer, PUSH_MAX_HEADER, BASE_PUSH_CHANGES, MAX_PUSH_CHANGES) == limit


def test_a_channel_sends_in_the_coding_the_server_last_named() -> None:
    """A server's answers say which codings it takes (preferred first); the channel follows what it says last:
    zstd, then gzip from a server that went back to an older version, then nothing it does not name."""
    says = ["zstd, gzip"]
    sent: list[str | None] = []

    def handle(request: httpx.Request) -> httpx.Response:
        sent.append(request.headers.get("content-encoding"))
        return httpx.Response(200, json={}, headers={"Accept-Encoding": says[0]})

    body = b'{"changes": []}' + b" " * 2000  # over codings.COMPRESS_FROM
    with httpx.Client(transport=httpx.MockTransport(handle), base_url="http://codings.test") as client:
        channel = http_module.Channel(client, now=lambda: datetime(2026, 12, 7, 8, 0))
        try:
            channel.call("POST", "/v1/sync/push", body=body)  # nothing learnt yet: plain
            channel.call("POST", "/v1/sync/push", body=body)
            says[0] = "gzip"
            channel.call("POST", "/v1/sync/push", body=body)
            channel.call("POST", "/v1/sync/push", body=body)
            says[0] = "br"  # nothing this desk has: it keeps what it had (a 415 would make it forget)
            channel.call("POST", "/v1/sync/push", body=body)
        finally:
            http_module._SERVER_CODINGS.pop("http://codings.test", None)
    assert sent == [None, "zstd", "zstd", "gzip", "gzip"]
