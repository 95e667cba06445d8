"""The desk's sync calls (fzmediate.desk.sync): plain picklable results, progress with the counts, a server that
cannot be reached is "offline" (a light error that crosses to the GUI process), enrollment checks its input."""

from __future__ import annotations

import pickle
from typing import Any

import pytest

from fzmediate.desk import sync as desk_sync
from fzmediate.desk.store_host import decode_error, encode_error
from fzmediate.desk.token import Cancelled, EventToken
from fzmediate.errors import ValidationError
from fzmediate.services.session import Session
from tests.cases_support import intake
from tests.sync.fake_server import CODE, FakeServer


class Token(EventToken):
    def __init__(self) -> None:
        super().__init__()
        self.reports: list[tuple[int, int | None, str]] = []

    def report(self, done: int, total: int | None = None, text: str = "") -> None:
        self.reports.append((done, total, text))


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch, server: FakeServer) -> FakeServer:
    monkeypatch.setattr(desk_sync, "transport", server.transport)
    return server


def _round_trip(value: Any) -> Any:
    return pickle.loads(pickle.dumps(value))


def test_a_desk_not_enrolled_says_so_and_counts_what_waits(desk: Session) -> None:
    desk.cases.create(intake())
    view = desk_sync.status(desk, Token())
    assert _round_trip(view) == view
    assert not view.enrolled and view.waiting > 0 and view.last_sync_at is None
    with pytest.raises(desk_sync.SyncFailed) as refused:
        desk_sync.run(desk, Token())
    assert not refused.value.offline


def test_enroll_then_sync_now_with_progress(desk: Session, fake: FakeServer) -> None:
    desk.cases.create(intake())
    with pytest.raises(ValidationError) as bad:
        desk_sync.enroll(desk, Token(), "sync.example.org", CODE)
    assert bad.value.field == "server"
    with pytest.raises(ValidationError) as empty:
        desk_sync.enroll(desk, Token(), "http://district.test", "  ")
    assert empty.value.field == "code"
    enrolled = desk_sync.enroll(desk, Token(), " http://district.test/ ", CODE)
    assert _round_trip(enrolled) == enrolled and enrolled.unit == "PS-JD-PS" and enrolled.device_code
    token = Token()
    result = desk_sync.run(desk, token)
    assert _round_trip(result) == result
    assert result.pushed > 0 and result.up_to_date and result.errors == 0
    assert token.reports[0][2] and any(str(result.pushed) in text for _d, _t, text in token.reports[1:])
    view = desk_sync.status(desk, Token())
    assert _round_trip(view) == view
    assert view.enrolled and view.waiting == 0 and view.last_sync_at is not None
    assert view.last_sync_at.tzinfo is not None and view.last_report == result
    assert desk_sync.conflicts(desk, Token()) == ()


def test_a_server_out_of_reach_is_offline_and_crosses_to_the_gui_as_a_light_error(
    desk: Session, fake: FakeServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    desk_sync.enroll(desk, Token(), "http://district.test", CODE)
    monkeypatch.setattr("time.sleep", lambda _s: None)
    fake.faults.extend(["network"] * desk_sync.DESK_ATTEMPTS)
    with pytest.raises(desk_sync.SyncFailed) as failed:
        desk_sync.run(desk, Token())
    assert failed.value.offline and failed.value.code == "unreachable"
    crossed = decode_error(encode_error(failed.value))
    assert isinstance(crossed, desk_sync.SyncFailed) and crossed.offline and str(crossed) == str(failed.value)
    assert type(crossed).__module__ == "fzmediate.desk.sync"


def test_cancel_stops_before_the_next_batch(desk: Session, fake: FakeServer) -> None:
    desk_sync.enroll(desk, Token(), "http://district.test", CODE)
    desk.cases.create(intake())
    token = Token()
    token.cancel()
    with pytest.raises(Cancelled):
        desk_sync.run(desk, token)
    assert desk_sync.status(desk, Token()).waiting > 0  # nothing was sent
