"""The happy path over real HTTP on loopback (uvicorn in a thread), and commit order under concurrent pushes."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from fzmediate.server.app import create_app
from fzmediate.server.db import PUSH_THREADS, THREADS
from fzmediate.server.models import ChangeLog
from tests.server.district_support import app_on_loopback, on_loopback
from tests.server.harness import Server


@pytest.fixture
def live(server: Server) -> Iterator[Server]:
    """``server`` answering on 127.0.0.1 (a free port); its devices talk HTTP to it."""
    test_client = server.client
    with on_loopback(server) as base:
        server.client = httpx.Client(base_url=base, timeout=10)  # type: ignore[assignment]
        try:
            yield server
        finally:
            server.client.close()
            server.client = test_client


def test_enroll_push_pull_and_anchor_over_http(live: Server) -> None:
    a, b = live.enroll(label="一号窗口"), live.enroll()
    answer = a.push(
        a.change("case", "c1", "create", {"title": "物业费纠纷", "phase": "intake"}),
        a.change("case_event", "e1", "append", {"case_id": "c1", "kind": "registered"}),
    )
    assert [r["status"] for r in answer["results"]] == ["applied", "applied"] and answer["acked_through"] == 2
    page = b.pull()
    assert [c["entity_id"] for c in page["changes"]] == ["c1", "e1"] and page["next_after"] == 2
    r = a.call("POST", "/v1/sync/anchor", {"seq": 3, "hash": "ab" * 32})
    assert r.status_code == 200 and r.json()["accepted"] is True
    assert r.headers["FZ-Server-Time"].isdigit()


def test_concurrent_pushes_get_gap_free_numbers_in_commit_order(live: Server) -> None:
    devices = [live.enroll() for _ in range(4)]

    def work(index: int) -> None:
        device = devices[index]
        for round_ in range(4):
            entity = "p-{0}-{1}".format(index, round_)
            device.push(device.change("party", entity, "create", {"n": round_}))
            device.push(device.change("party", "shared", "create", {"n": 0}))  # contended: one wins

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(work, range(4)))
    with live.db.sessions() as s:
        seqs = list(s.scalars(select(ChangeLog.server_seq).order_by(ChangeLog.server_seq)))
    assert seqs == list(range(1, 33))
    reader = live.enroll()
    pulled = reader.pull()["changes"]
    assert [c["server_seq"] for c in pulled] == sorted(c["server_seq"] for c in pulled)
    assert sum(1 for c in pulled if c["entity_id"] == "shared") == 1


@pytest.mark.parametrize("server_db", ["postgres"], indirect=True)  # SQLite takes one writer at a time
def test_two_desks_creating_one_entity_at_the_same_moment_both_get_answers(
    live: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two server processes (a process takes one push at a time): both pushes find no such entity and merge as a
    create; the second to write finds the key taken, and its push is run again, now meeting the entity: one is
    applied, the other answered as a create of an existing entity (here the same content: merged). Neither gets
    a 500, nothing is written twice."""
    from fzmediate.server import push as push_module

    both_merged = threading.Barrier(2, timeout=10)
    calls: list[int] = []
    number = push_module._number

    def after_both_merged(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) <= 2:
            both_merged.wait()  # each has merged its create against no entity; neither has written
        return number(*args, **kwargs)

    monkeypatch.setattr(push_module, "_number", after_both_merged)
    a, b = live.enroll(), live.enroll()
    second = create_app(live.url, clock=live.clock)  # another worker process on the same database
    with (
        app_on_loopback(second) as other_base,
        httpx.Client(base_url=other_base, timeout=10) as other,
        ThreadPoolExecutor(2) as pool,
    ):
        first = pool.submit(a.push, a.change("party", "same", "create", {"name": "张𠮷"}))
        sent = b.request("POST", "/v1/sync/push", {"changes": [b.change("party", "same", "create", {"name": "张𠮷"})]})
        sent.url = sent.url.copy_with(port=httpx.URL(other_base).port)
        later = pool.submit(other.send, sent)
        answers = [first.result(timeout=30), later.result(timeout=30).json()]
    assert sorted(answer["results"][0]["status"] for answer in answers) == ["applied", "merged"]
    assert len(calls) == 3  # the second was run again
    with live.db.sessions() as s:
        logged = s.execute(select(ChangeLog.device_id, ChangeLog.status, ChangeLog.published)).all()
    assert sorted((status, published) for _device, status, published in logged) == [
        ("applied", True),
        ("merged", False),  # logged (a retry is a duplicate), published to nobody
    ]


def test_pushes_waiting_for_their_predecessor_hold_no_worker_thread(
    live: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    """More early pushes than the server has worker threads (THREADS) wait for predecessors that never come;
    meanwhile another device's push is taken at once, not after their wait."""
    from fzmediate.server import push as push_module

    monkeypatch.setattr(push_module, "FOLLOW_WAIT_S", 3.0)
    early_devices = [live.enroll() for _ in range(THREADS + 3)]
    plain = live.enroll()
    attempt = push_module._attempt
    waiting: set[str] = set()
    all_waiting = threading.Event()
    lock = threading.Lock()

    def watched(db: Any, caller: Any, *args: Any) -> bytes | None:
        answer = attempt(db, caller, *args)
        if answer is None:
            with lock:
                waiting.add(caller.device_id)
                if len(waiting) == len(early_devices):
                    all_waiting.set()
        return answer

    monkeypatch.setattr(push_module, "_attempt", watched)
    finished: list[str] = []

    def early(device: Any) -> None:
        change = device.change("party", "e-" + device.device_id, "create", {"n": 1}, device_seq=2)
        answer = device.call("POST", "/v1/sync/push?follows=1", {"changes": [change]})
        assert answer.status_code == 200 and answer.json()["results"][0]["status"] == "gap"
        with lock:
            finished.append("early")

    with ThreadPoolExecutor(len(early_devices)) as pool:
        futures = [pool.submit(early, d) for d in early_devices]
        assert all_waiting.wait(timeout=30)  # every early push has been tried once and is waiting
        answer = plain.push(plain.change("party", "plain", "create", {"n": 1}))
        with lock:
            finished.append("plain")
        for f in futures:
            f.result(timeout=60)
    assert answer["results"][0]["status"] == "applied"
    assert finished[0] == "plain"  # taken while all the early ones still waited


def test_a_server_process_works_on_at_most_its_threads_requests_at_once(
    live: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Twice THREADS devices pull at once, each pull's work slowed down: at most THREADS are worked on at a
    time, and every one is answered (the others waited their turn on the event loop)."""
    from fzmediate.server import app as app_module

    devices = [live.enroll() for _ in range(2 * THREADS)]
    watch = _Concurrency()
    monkeypatch.setattr(app_module, "pull", watch.slowed(app_module.pull, 0.2))
    with ThreadPoolExecutor(len(devices)) as pool:
        pages = list(pool.map(lambda d: d.pull(), devices))
    assert [p["changes"] for p in pages] == [[]] * len(devices)
    assert watch.most == THREADS


def test_pushes_take_turns_and_pulls_are_not_held_behind_them(live: Server, monkeypatch: pytest.MonkeyPatch) -> None:
    """Pushes of a process are worked on PUSH_THREADS at a time, on threads of their own: with three slow pushes
    under way, a pull sent after them is answered before they are all taken, and every push is taken."""
    from fzmediate.server import push as push_module

    pushers, puller = [live.enroll() for _ in range(3)], live.enroll()
    watch = _Concurrency()
    monkeypatch.setattr(push_module, "_attempt", watch.slowed(push_module._attempt, 0.3))
    finished: list[str] = []
    lock = threading.Lock()

    def push(device: Any) -> str:
        answer = device.push(device.change("party", "p-" + device.device_id, "create", {"n": 1}))
        with lock:
            finished.append("push")
        return str(answer["results"][0]["status"])

    with ThreadPoolExecutor(len(pushers)) as pool:
        statuses = [pool.submit(push, d) for d in pushers]
        assert watch.started.wait(timeout=10)
        page = puller.pull()
        with lock:
            finished.append("pull")
        assert [f.result(timeout=30) for f in statuses] == ["applied"] * len(pushers)
    assert len(page["changes"]) < len(pushers)  # answered while pushes were still waiting their turn
    assert finished.index("pull") < len(pushers)
    assert watch.most == PUSH_THREADS


class _Concurrency:
    """Wraps a function to hold each call ``seconds`` longer and note how many calls ran at once at most."""

    def __init__(self) -> None:
        self.most = 0
        self.started = threading.Event()
        self._running = 0
        self._lock = threading.Lock()

    def slowed(self, fn: Any, seconds: float) -> Any:
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            with self._lock:
                self._running += 1
                self.most = max(self.most, self._running)
            self.started.set()
            try:
                time.sleep(seconds)
                return fn(*args, **kwargs)
            finally:
                with self._lock:
                    self._running -= 1

        return wrapped
