"""Push: batches within the limits, compaction that keeps device_seq gap-free, retries that change nothing."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import func, select

from fzmediate.services.session import Session
from fzmediate.store.models import OutboxEntry, SyncState, new_time_id
from fzmediate.store.outbox import Change, Op, append_changes
from fzmediate.sync.client import batch, sync
from fzmediate.sync.http import DeviceRefused, RetryPolicy, ServerUnreachable, UpgradeRequired
from fzmediate.sync.protocol import MAX_BODY_BYTES
from tests.cases_support import intake
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
    assert server.push_sizes == [500, 500, 100]
    assert (report.pushed, report.conflicts, report.errors, report.up_to_date) == (1100, 0, 0, True)
    assert _outbox(enrolled) == [] and _state(enrolled).acked_through == 1100
    enrolled.cases.create(intake(), confirm_duplicate=True)  # case, 2 parties, register event
    assert _outbox(enrolled) == [1101, 1102, 1103, 1104]
    report = sync(enrolled, transport=server.transport())
    assert report.pushed == 4 and _outbox(enrolled) == []
    assert [e.change.device_seq for e in server.log] == list(range(1, 1105))  # no gap, no repeat


def test_a_batch_stays_under_one_megabyte(enrolled: Session) -> None:
    _changes(enrolled, 8, size=300_000)
    with enrolled.read() as s:
        rows = list(s.scalars(select(OutboxEntry).order_by(OutboxEntry.device_seq)))
        first = batch(rows)
        assert len(first) == 3
        assert sum(len(c.model_dump_json()) for c in first) < MAX_BODY_BYTES


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
    sync(enrolled, transport=server.transport())  # signed with the learned offset: no clock_skew round trip
    assert len(server.requests) - requests == 3  # push, pull, anchor


def test_sync_is_audited_with_counts_only(enrolled: Session, server: FakeServer) -> None:
    _changes(enrolled, 2)
    sync(enrolled, transport=server.transport())
    from fzmediate.store.models import AuditEvent

    with enrolled.read() as s:
        [details] = s.scalars(select(AuditEvent.details).where(AuditEvent.action == "sync.run")).all()
        assert s.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "sync.pull")) == 0
    assert '"pushed": 2' in details
    assert isinstance(_state(enrolled).last_sync_at, datetime)
