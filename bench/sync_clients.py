"""Figure 4 of bench_sync: many simulated clients syncing at once against one server (``--workers 2``).

The workload is the reference's G7 (``reference/sync.md``: "200 simulated clients (push 50, pull 200): p95 < 3 s,
p99 < 10 s, 0 5xx"), in the district as its catalogue publishes it: the clients are spread over every unit of the
catalogue (18, about 11 desks each). Each client is a device of its own (enrolled with its own Ed25519 key and
one-time code), talking through the sync client's own :class:`~fzmediate.sync.http.Channel` (signatures,
compression, retries), with no store behind it. Before the round, each unit's changes of "yesterday" — BEHIND_CASES
cases (200 changes) pushed by one more desk of the unit — wait unpulled, so every client pulls at least 200; then
all clients at once (a barrier) push BATCH_CASES cases (52 changes) made from a real desk's outbox rows (ids,
device and case numbers made their own), pull pages until the server has no more (yesterday's changes and
whatever the unit's other desks pushed meanwhile), ask for kiosk applications and the catalogue when the last
page's hints say there is something (or say nothing), the audit head riding with the push: the requests a
desk's sync makes (``fzmediate.sync.client.sync``; a desk whose office key is certified asks nothing about it).
Each answer is parsed whole with pydantic's JSON parser, the one a desk's sync parses its answers with (it
validates them into the protocol's models on top, on its own machine: here 200 desks share the server's two CPUs,
and the standard library's parser took half of the clients' CPU time, twice pydantic's).
The district published its catalogue and each desk holds it, as after its first sync.
"""

from __future__ import annotations

import copy
import json
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pydantic_core import from_json
from sqlalchemy import select

from bench.common import median, percentile
from bench.sync_support import Meter, ServerDatabases, ServerProcess
from fzmediate.gc_tuning import bulk_work
from fzmediate.server.catalogue import newest
from fzmediate.server.db import Database
from fzmediate.server.enroll import issue_code
from fzmediate.server.models import Unit
from fzmediate.store.models import new_time_id
from fzmediate.sync.application_protocol import FETCH_PATH, ApplicationFetchRequest
from fzmediate.sync.catalogue_pull import CATALOGUE_PATH, HAVE_PARAM
from fzmediate.sync.codings import ZSTD
from fzmediate.sync.http import Channel, http_client
from fzmediate.sync.protocol import (
    ANCHOR_HASH_PARAM,
    ANCHOR_SEQ_PARAM,
    HINTS_PARAM,
    MAX_PULL_LIMIT,
    PROTOCOL_HEADER,
    AnchorRequest,
)
from fzmediate.sync.signing import public_b64

#: Cases each client pushes (4 changes each: the case, two parties, the register event): 52 changes, G7's "push 50".
BATCH_CASES: Final = 13
#: Cases of each unit waiting to be pulled when the round starts: 200 changes, G7's "pull 200".
BEHIND_CASES: Final = 50


@dataclass
class Client:
    device_id: str
    key: Ed25519PrivateKey
    unit: str
    device_code: str
    changes: list[dict[str, Any]]
    catalogue: str  # the digest of the catalogue bundle the desk holds


def _batch(template: list[dict[str, Any]], device_id: str, device_code: str, cases: int) -> list[dict[str, Any]]:
    """``cases`` cases as this device's outbox would hold them: the template's rows with new ids."""
    out: list[dict[str, Any]] = []
    old_device = template[0]["payload"].get("device_id", "")
    for n in range(cases):
        ids = {row["entity_id"]: new_time_id() for row in template}
        text = json.dumps(template, ensure_ascii=False)
        for old, new in [*ids.items(), (old_device, device_id)]:
            text = text.replace(old, new)
        for row in json.loads(text):
            row["change_id"] = new_time_id()
            row["device_seq"] = len(out) + 1
            if row["entity"] == "case":
                row["payload"]["number"] = "坪山调〔2026〕{0}{1:04d}号".format(device_code, n + 1)
            out.append(row)
    return out


def _units(db_url: str) -> list[str]:
    """The units of the catalogue the server's database was made with."""
    db = Database(db_url)
    try:
        with db.engine.connect() as conn:
            return list(conn.scalars(select(Unit.code).order_by(Unit.code)))
    finally:
        db.dispose()


def _enroll(base: str, db_url: str, units: list[str], template: list[dict[str, Any]], cases: int) -> list[Client]:
    """One device for each of ``units`` (in that order), with ``cases`` cases to push, holding the catalogue
    the district published."""
    db = Database(db_url)
    clients: list[Client] = []
    try:
        head = newest(db)
        held = head.digest if head is not None else ""
        with httpx.Client(base_url=base) as http:
            for i, unit in enumerate(units):
                key, device_id = Ed25519PrivateKey.generate(), new_time_id()
                body = {
                    "code": issue_code(db, unit, "desk")[0],
                    "device_id": device_id,
                    "public_key": public_b64(key),
                    "role": "desk",
                    "label": "bench {0}".format(i),
                }
                answer = http.post("/v1/enroll", json=body, headers={PROTOCOL_HEADER: "1"})
                answer.raise_for_status()
                code = answer.json()["device_code"]
                changes = _batch(copy.deepcopy(template), device_id, code, cases)
                clients.append(Client(device_id, key, unit, code, changes, held))
    finally:
        db.dispose()
    return clients


@dataclass
class Timing:
    started: float = 0.0
    pushed: float = 0.0
    done: float = 0.0
    pulled: int = 0


def _push_only(client: Client, base: str) -> None:
    """Yesterday's desk of a unit: its cases pushed, for the round's clients to pull."""
    with http_client(base, transport=None, ca_pem=None) as http:
        channel = Channel(http, now=lambda: datetime.now(UTC), device_id=client.device_id, key=client.key)
        body = json.dumps({"changes": client.changes}, ensure_ascii=False).encode("utf-8")
        channel.call("POST", "/v1/sync/push", body=body).raise_for_status()


def _sync_one(client: Client, base: str, barrier: threading.Barrier, meter: Meter) -> Timing:
    timing = Timing()
    with http_client(base, transport=meter, ca_pem=None) as http:
        channel = Channel(http, now=lambda: datetime.now(UTC), device_id=client.device_id, key=client.key)
        channel.request_coding = ZSTD  # as a desk that has synced with this server before
        push = json.dumps({"changes": client.changes}, ensure_ascii=False).encode("utf-8")
        fetch = ApplicationFetchRequest(key_ids=[client.device_id]).model_dump_json().encode()  # its intake key
        barrier.wait()
        timing.started = time.perf_counter()
        head = {ANCHOR_SEQ_PARAM: 1, ANCHOR_HASH_PARAM: "ab" * 32}  # the audit head rides with the push
        anchored = "anchor" in from_json(channel.call("POST", "/v1/sync/push", params=head, body=push).content)
        timing.pushed = time.perf_counter()
        after, more, hints = 0, True, None
        while more:
            params = {"after": after, "limit": MAX_PULL_LIMIT, HINTS_PARAM: 1}
            page = from_json(channel.call("GET", "/v1/sync/pull", params=params).content)
            timing.pulled += len(page["changes"])
            after, more, hints = page["next_after"], page["more"], page.get("hints")
        if hints is None or hints["applications"]:  # as fzmediate.sync.intake_pull, told nothing or told some wait
            channel.call("POST", FETCH_PATH, body=fetch)
        told = hints["catalogue"]["digest"] if hints is not None and hints["catalogue"] is not None else None
        if hints is None or told not in (None, client.catalogue):  # as fzmediate.sync.catalogue_pull
            channel.call("GET", CATALOGUE_PATH, params={HAVE_PARAM: client.catalogue})
        if not anchored:  # a server from before anchors rode with a push
            channel.call(
                "POST", "/v1/sync/anchor", body=AnchorRequest(seq=1, hash="ab" * 32).model_dump_json().encode()
            )
        timing.done = time.perf_counter()
    return timing


def _tree_cpu(pid: int) -> float:
    """CPU seconds (user + system) of process ``pid`` and its descendants so far (Linux ``/proc``)."""
    total, todo = 0.0, [pid]
    tick = os.sysconf("SC_CLK_TCK")
    while todo:
        current = todo.pop()
        try:
            fields = Path("/proc/{0}/stat".format(current)).read_text().rpartition(")")[2].split()
            total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
            for task in Path("/proc/{0}/task".format(current)).iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, IndexError, ValueError):
            continue  # gone meanwhile
    return total


def _machine_cpu() -> tuple[float, float]:
    """All CPUs' busy and idle seconds so far (Linux ``/proc/stat``)."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    tick = os.sysconf("SC_CLK_TCK")
    idle = values[3] + values[4]  # idle, iowait
    return (sum(values[:8]) - idle) / tick, idle / tick


@dataclass
class CpuUse:
    """Where the CPU went while the clients synced (not enrolling): the server's processes, the bench's own
    (the clients), everything else (PostgreSQL above all), and what stayed idle."""

    server: float
    clients: float
    rest: float
    idle: float

    @classmethod
    def measure(cls, server_pid: int, work: Callable[[], None]) -> CpuUse:
        server0, clients0, (busy0, idle0) = _tree_cpu(server_pid), time.process_time(), _machine_cpu()
        work()
        server = _tree_cpu(server_pid) - server0
        clients = time.process_time() - clients0
        busy1, idle1 = _machine_cpu()
        return cls(server, clients, max(0.0, busy1 - busy0 - server - clients), idle1 - idle0)


def clients_round(dbs: ServerDatabases, template: list[dict[str, Any]], n: int, seed: int) -> dict[str, Any]:
    """One round: a fresh database, ``n`` clients enrolled, all syncing at once. Returns the figures."""
    url = dbs.fresh()
    timings: list[Timing] = []
    try:
        with ServerProcess(url, workers=2) as server:
            units = _units(url)
            for yesterday in _enroll(server.url, url, units, template, BEHIND_CASES):
                _push_only(yesterday, server.url)
            clients = _enroll(server.url, url, [units[i % len(units)] for i in range(n)], template, BATCH_CASES)
            barrier = threading.Barrier(n)
            meters = [Meter() for _ in clients]

            def all_at_once() -> None:
                with ThreadPoolExecutor(max_workers=n) as pool:
                    pairs = zip(clients, meters, strict=True)
                    futures = [pool.submit(_sync_one, c, server.url, barrier, m) for c, m in pairs]
                    timings.extend(f.result() for f in futures)

            with bulk_work():  # each simulated client is a desk's sync
                cpu = CpuUse.measure(server.pid, all_at_once)
            for m in meters:
                m.close()
    finally:
        dbs.drop(url)
    secs = [t.done - t.started for t in timings]
    statuses = sum((m.traffic.statuses for m in meters), start=meters[0].traffic.statuses.__class__())
    pushed = sum(len(c.changes) for c in clients)
    push_window = max(t.pushed for t in timings) - min(t.started for t in timings)
    return {
        "clients": n,
        "units": len(units),
        "batch": BATCH_CASES * 4,
        "p50": median(secs),
        "p95": percentile(secs, 0.95),
        "p99": percentile(secs, 0.99),
        "max": max(secs),
        "5xx": sum(v for k, v in statuses.items() if k >= 500),
        "429": statuses.get(429, 0),
        "rate": pushed / push_window,
        "pulled": sorted(t.pulled for t in timings),
        "behind": BEHIND_CASES * 4,
        "seed": seed,
        "cpu": cpu,
    }
