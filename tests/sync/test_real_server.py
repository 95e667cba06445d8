"""The client against the real district server (``fzmediate.server.app.create_app``) over HTTP on loopback:
uvicorn in a thread on 127.0.0.1, a SQLite server database, two desk stores whose clocks are days off."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from fzmediate.services.session import Session
from fzmediate.services.workspace import Workspace
from fzmediate.sync.client import enroll, sync
from fzmediate.sync.codings import decompress
from fzmediate.sync.protocol import MAX_BODY_BYTES
from tests.cases_support import intake, organization, person
from tests.support import ADMIN_PW, FAST_KDF, FakeClock

uvicorn = pytest.importorskip("uvicorn")
app_module = pytest.importorskip("fzmediate.server.app")
UNIT = "PS-JD-PS"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def district(tmp_path: Path) -> Iterator[tuple[str, object]]:
    """(base URL, server Database) of a server running on a free loopback port."""
    from fzmediate.server.admin import UnitRecord, load_units
    from fzmediate.server.db import Database, migrate

    url = "sqlite:///{0}".format(tmp_path / "server.db")
    migrate(url)
    db = Database(url)
    load_units(db, [UnitRecord(UNIT, "坪山街道办事处", "street_office", None)])
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(app_module.create_app(url), host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started
    try:
        yield "http://127.0.0.1:{0}".format(port), db
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        db.dispose()


def _desk(tmp_path: Path, name: str, clock: FakeClock) -> Workspace:
    ws = Workspace(tmp_path / name, kdf=FAST_KDF, clock=clock)
    ws.initialize("admin", ADMIN_PW, full_name="管理员", unit=UNIT)
    return ws


def test_two_desks_exchange_a_case_through_the_real_server(
    tmp_path: Path, clock: FakeClock, district: tuple[str, object]
) -> None:
    from fzmediate.server.enroll import issue_code

    base, db = district
    a, b = _desk(tmp_path, "a", clock), _desk(tmp_path, "b", clock)  # the test clock is days off the real one
    with b.unlock("admin", ADMIN_PW) as s:
        case_id = s.cases.create(intake(parties=[person(name="欧阳娜娜"), organization()])).id
        enroll(s, base, issue_code(db, UNIT, "desk")[0])  # type: ignore[arg-type]
        report = sync(s)
        assert (report.pushed, report.errors) == (4, 0)
    with a.unlock("admin", ADMIN_PW) as s:
        enroll(s, base, issue_code(db, UNIT, "desk")[0])  # type: ignore[arg-type]
        report = sync(s)
        assert (report.pulled, report.conflicts, report.errors) == (4, 0, 0)
        assert [c.id for c in s.cases.search("欧阳")] == [case_id]
        assert sync(s).pulled == 0  # nothing new; the cursor holds


def test_two_desks_that_number_an_event_alike_both_keep_both_events(
    tmp_path: Path, clock: FakeClock, district: tuple[str, object]
) -> None:
    """Offline, two desks record an act on one case: each numbers it 2. Both acts happened: after syncing, each
    desk holds both events (schema 0010), in the same order, and nothing is parked as a whole-row conflict."""
    from sqlalchemy import select

    from fzmediate.server.enroll import issue_code
    from fzmediate.store.models import SyncConflict
    from tests.documents import case_lifecycles as life

    base, db = district
    a, b = _desk(tmp_path, "a", clock), _desk(tmp_path, "b", clock)
    for ws in (a, b):
        life.staff(ws)
        with ws.unlock("admin", ADMIN_PW) as s:
            enroll(s, base, issue_code(db, UNIT, "desk")[0])  # type: ignore[arg-type]
    with b.unlock(*life.MEDIATOR) as s:
        case_id = s.cases.create(life.mediation_intake("2026-11-24"), confirm_duplicate=True).id
        assert sync(s).errors == 0
    with a.unlock(*life.MEDIATOR) as s:
        assert sync(s).errors == 0
        s.cases.act(case_id, "accept", {"note": "材料齐全（甲机）"})
    with b.unlock(*life.MEDIATOR) as s:
        s.cases.act(case_id, "accept", {"note": "材料齐全（乙机）"})
    for ws in (a, b, a):
        with ws.unlock(*life.MEDIATOR) as s:
            assert sync(s).errors == 0
    seen = []
    for ws in (a, b):
        with ws.unlock(*life.MEDIATOR) as s:
            events = s.cases.get(case_id).record().events
            seen.append([(e.seq, e.action, e.payload.get("note"), e.device) for e in events])
            with s.read() as r:
                whole = list(r.scalars(select(SyncConflict).where(SyncConflict.field == "*")))
            assert whole == []
    assert seen[0] == seen[1]
    assert [(seq, action) for seq, action, _note, _device in seen[0]][-2:] == [(2, "accept"), (2, "accept")]
    assert {note for *_rest, note, _device in seen[0][-2:]} == {"材料齐全（甲机）", "材料齐全（乙机）"}


class _Watch(httpx.BaseTransport):
    """Loopback HTTP, watched: how many pushes were in flight at once, which named a predecessor (``follows``),
    how many changes were answered ``gap``; ``hold`` delays the pushes it says before they leave."""

    def __init__(self, hold: Callable[[httpx.Request, int], float] | None = None) -> None:
        self.inner = httpx.HTTPTransport()
        self.hold = hold
        self.pushes = 0
        self.sizes: list[int] = []  # changes in each push, in the order they left
        self.pull_limits: list[int] = []  # the page size each pull asked for
        self.in_flight = 0
        self.most_in_flight = 0
        self.following = 0
        self.gaps = 0
        self._lock = threading.Lock()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/sync/pull":
            self.pull_limits.append(int(request.url.params["limit"]))
        push = request.url.path == "/v1/sync/push"
        if push:
            with self._lock:
                self.pushes += 1
                self.in_flight += 1
                self.most_in_flight = max(self.most_in_flight, self.in_flight)
                self.following += "follows" in request.url.params
                n = self.pushes
                body = request.read()
                coding = request.headers.get("Content-Encoding")
                if coding:
                    body = decompress(body, coding, MAX_BODY_BYTES)
                self.sizes.append(len(json.loads(body)["changes"]))
            if self.hold is not None:
                time.sleep(self.hold(request, n))
        try:
            response = self.inner.handle_request(request)
            if push:
                response.read()
                statuses = [r["status"] for r in json.loads(response.content)["results"]]
                with self._lock:
                    self.gaps += statuses.count("gap")
            return response
        finally:
            if push:
                with self._lock:
                    self.in_flight -= 1


def _queue(s: Session, n: int) -> None:
    """``n`` changes in the outbox (session plans: small rows of their own)."""
    from fzmediate.store.models import new_time_id
    from fzmediate.store.outbox import Change, Op, append_changes

    with s.write("test.changes", "store", s.store_id) as w:
        changes = [Change("session_plan", new_time_id(), Op.CREATE, 1, {"note": "x"}) for _ in range(n)]
        append_changes(w, changes, device_id=s.device_id, actor="admin", at=s.now())


def _logged(db: object) -> list[int]:
    from sqlalchemy import select

    from fzmediate.server.models import ChangeLog

    with db.sessions() as s:  # type: ignore[attr-defined]
        return sorted(s.scalars(select(ChangeLog.device_seq)))


def test_a_desk_keeps_two_pushes_in_flight_and_every_change_is_taken_once(
    tmp_path: Path, clock: FakeClock, district: tuple[str, object]
) -> None:
    from fzmediate.server.enroll import issue_code

    base, db = district
    with _desk(tmp_path, "a", clock).unlock("admin", ADMIN_PW) as s:
        enroll(s, base, issue_code(db, UNIT, "desk")[0])  # type: ignore[arg-type]
        _queue(s, 5300)  # five pushes: 500 and 500 before the first answer, then 2,000 a push
        watch = _Watch()
        report = sync(s, transport=watch)
        assert (report.pushed, report.errors, report.up_to_date) == (5300, 0, True)
    assert watch.most_in_flight == 2 and watch.following >= 3  # the first answer teaches that the server waits
    assert _logged(db) == list(range(1, 5301))  # each change once, none missing


def test_a_desk_sends_bigger_pushes_and_asks_for_bigger_pages_once_the_server_says_it_takes_them(
    tmp_path: Path, clock: FakeClock, district: tuple[str, object]
) -> None:
    """A desk sends BASE_PUSH_CHANGES a push (what every server takes) until an answer says the server takes more
    (FZ-Push-Max), then up to that; it asks for pull pages of BASE_PULL_LIMIT until told more (FZ-Pull-Max).
    (Against a server that says nothing, it stays at 500 and 2,000: tests/sync/test_push, test_pull.)"""
    from fzmediate.server.enroll import issue_code
    from fzmediate.sync.protocol import BASE_PULL_LIMIT, BASE_PUSH_CHANGES, MAX_PULL_LIMIT, MAX_PUSH_CHANGES

    base, db = district
    with _desk(tmp_path, "a", clock).unlock("admin", ADMIN_PW) as s:
        enroll(s, base, issue_code(db, UNIT, "desk")[0])  # type: ignore[arg-type]
        _queue(s, 3100)
        watch = _Watch()
        report = sync(s, transport=watch)
        assert (report.pushed, report.errors) == (3100, 0)
    # The second push was read while the first was away, before any answer: still the base size.
    assert watch.sizes == [BASE_PUSH_CHANGES, BASE_PUSH_CHANGES, MAX_PUSH_CHANGES, 100]
    assert _logged(db) == list(range(1, 3101))
    # Pages alike: the first asks for what every server serves, the next for what this one said it serves.
    with _desk(tmp_path, "b", clock).unlock("admin", ADMIN_PW) as s:
        enroll(s, base, issue_code(db, UNIT, "desk")[0])  # type: ignore[arg-type]
        watch = _Watch()
        report = sync(s, transport=watch)
        assert (report.errors, report.up_to_date) == (0, True)  # (the bare session plans are parked, not applied)
    assert watch.pull_limits == [BASE_PULL_LIMIT, MAX_PULL_LIMIT]  # 2,000 then the other 1,100


def test_a_push_that_overtook_its_predecessor_is_sent_again(
    tmp_path: Path, clock: FakeClock, district: tuple[str, object], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The server waits for a push's predecessor only so long: if the early push is taken first anyway, it is
    answered gap, and the desk sends those changes again rather than stop as if the server had lost some."""
    from fzmediate.server import push as push_module
    from fzmediate.server.enroll import issue_code

    monkeypatch.setattr(push_module, "FOLLOW_WAIT_S", 0.0)
    base, db = district
    # The second push (sent on the first's answer, naming none) is held back: the third, sent early, overtakes it.
    watch = _Watch(hold=lambda request, n: 0.5 if n == 2 else 0.0)
    with _desk(tmp_path, "a", clock).unlock("admin", ADMIN_PW) as s:
        enroll(s, base, issue_code(db, UNIT, "desk")[0])  # type: ignore[arg-type]
        _queue(s, 1300)
        report = sync(s, transport=watch)
        assert (report.pushed, report.errors, report.up_to_date) == (1300, 0, True)
    assert watch.gaps == 300 and watch.pushes == 4  # the third push's 300 changes, once overtaken, sent again
    assert _logged(db) == list(range(1, 1301))


def test_the_audit_head_rides_with_the_first_push_and_alone_when_nothing_is_pushed(
    tmp_path: Path, clock: FakeClock, district: tuple[str, object]
) -> None:
    """A sync that pushes sends no anchor request of its own: the first push carries the head as it was before
    the push, and the server keeps it. With nothing to push, or from a server before this, the anchor goes alone."""
    from fzmediate.security.audit import head
    from fzmediate.server.db import Database
    from fzmediate.server.enroll import issue_code
    from fzmediate.server.models import Anchor
    from tests.sync.recording import ANCHOR_PATH, PUSH_PATH, Recorder

    base, db = district
    assert isinstance(db, Database)
    with _desk(tmp_path, "a", clock).unlock("admin", ADMIN_PW) as s:
        enroll(s, base, issue_code(db, UNIT, "desk")[0])
        s.cases.create(intake())
        with s.read() as r:
            before = head(r)
        pushing = Recorder()
        assert sync(s, transport=pushing).pushed == 4
        assert pushing.count(PUSH_PATH) == 1 and pushing.count(ANCHOR_PATH) == 0
        with db.sessions() as server:
            kept = server.get(Anchor, s.device_id)
            assert kept is not None and (kept.seq, kept.hash) == before
        quiet = Recorder()
        assert sync(s, transport=quiet).pushed == 0
        assert quiet.count(PUSH_PATH) == 0 and quiet.count(ANCHOR_PATH) == 1  # nothing pushed: sent alone
        s.cases.create(intake(), confirm_duplicate=True)
        old = Recorder(old_server=True)
        assert sync(s, transport=old).pushed == 4
        assert old.count(ANCHOR_PATH) == 1  # the answer said nothing of it: sent alone, as before
        with s.read() as r:
            seq, _digest = head(r)
        with db.sessions() as server:
            kept = server.get(Anchor, s.device_id)
            assert kept is not None and kept.seq == seq - 1  # all but the event of that sync itself
