"""Sync with the district server (issue 9, "Benchmarks"): push, pull, a slow link, 200 clients at once.

The server is ``fzmediate-server serve`` in its own process (uvicorn, real HTTP on loopback) on PostgreSQL on
this machine, a fresh database for every run (``synchronous_commit`` and ``fsync`` asserted on); requests are
signed as always. The desk is a real store: CASES cases, two parties each, registered through
``session.cases.create`` (so the outbox holds what a desk writes: case, two parties, the register event), timed
apart as seeding; every run works on a fresh copy of that store file, never a re-seeded one.

1. Push: the seeded desk enrolls and syncs until its outbox is acknowledged (``sync``: push with the audit head
   riding on its first batch, one pull). Beside it, in the same run, the PouchDB peer: the same cases as
   documents (the case with its two parties and its event) replicated by PouchDB into express-pouchdb (both
   LevelDB, no fsync).
2. Pull: a second, empty desk of the same unit enrolls on that server and syncs everything in.
3. Push through a slow link (2 Mbit/s, 150 ms RTT, 1 % loss; the model: :class:`bench.sync_support.SlowLink`).
4. CLIENTS simulated clients (each its own device, across the catalogue's units) sync at once against the server
   with ``--workers 2``: push 52 changes (the audit head riding with them), pull until up to date (at least
   200), the requests a desk's sync makes — the reference's G7; per-sync seconds, 5xx seen
   (:mod:`bench.sync_clients`).

Bytes are counted inside the bench by a transport wrapper (:class:`bench.sync_support.Meter`): HTTP/1.1 as put
on the wire, compressed bodies as sent. ``BENCH_SYNC_CASES=500`` for a quick run; ``BENCH_SYNC_RUNS``,
``BENCH_SYNC_CLIENTS``; ``BENCH_SYNC_PEER=0`` leaves the peer out.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from sqlalchemy import select

from bench.bench_cases import _name, _phone, _resident_id
from bench.common import header, machine_speed, median
from bench.sync_clients import clients_round
from bench.sync_peer import PeerResult, peer_runs
from bench.sync_support import (
    LinkModel,
    Meter,
    ServerDatabases,
    ServerProcess,
    SlowLink,
    Traffic,
)
from fzmediate.gc_tuning import bulk_work
from fzmediate.security.keyslots import KdfParams
from fzmediate.server.db import Database
from fzmediate.server.enroll import issue_code
from fzmediate.services.workspace import Workspace
from fzmediate.store.models import OutboxEntry
from fzmediate.sync.client import SyncReport, encode_batch, enroll, sync

CASES = int(os.environ.get("BENCH_SYNC_CASES", "10000"))
RUNS = int(os.environ.get("BENCH_SYNC_RUNS", "3"))
CLIENTS = int(os.environ.get("BENCH_SYNC_CLIENTS", "200"))
PEER = os.environ.get("BENCH_SYNC_PEER", "1") != "0"
UNIT: Final = "PS-JD-PS"
PASSWORD: Final = "Granite-Orchid-Lantern-58"
KDF: Final = KdfParams(memory_kib=8192, iterations=1, lanes=1)  # unlocking is bench_unlock's business
MATTER: Final = "PS-TJ-007"
KIB: Final = 1024
MIB: Final = 1024 * 1024


# --- the desk ------------------------------------------------------------------------------------------------


def _intake(rng: Any, received_on: str) -> dict[str, Any]:
    def person(role: str) -> dict[str, Any]:
        return {
            "role": role,
            "kind": "person",
            "name": _name(rng),
            "id_type": "resident_id",
            "id_number": _resident_id(rng),
            "phone": _phone(rng)[3:],
            "address": "坪山区坪山街道测试路{0}号".format(rng.randrange(1, 300)),
        }

    return {
        "matter": MATTER,
        "received_on": received_on,
        "summary": "物业服务费纠纷",
        "facts": "申请人称小区电梯长期故障，物业公司未及时维修。",
        "claims": "请求减免2026年物业服务费。",
        "parties": [person("applicant"), person("respondent")],
    }


@dataclass(frozen=True)
class Seeded:
    store: Path  # the desk's data directory, CASES cases in its outbox
    empty: Path  # an initialized desk with nothing of its own (the pulling desk)
    seconds: float
    outbox: int
    docs: Path  # the same cases as PouchDB documents (JSON lines)
    template: list[dict[str, Any]]  # the outbox rows (wire form) of one case, for the simulated clients


def seed(work: Path, cases: int) -> Seeded:
    """Two desks: one with ``cases`` cases registered through the services, and one empty."""
    import random

    rng = random.Random(2026)
    empty, store = work / "empty", work / "seeded"
    for desk in (empty, store):  # two devices: each store has its own device id
        Workspace(desk, kdf=KDF).initialize("admin", PASSWORD, unit=UNIT)
        with Workspace(desk, kdf=KDF).unlock("admin", PASSWORD):
            pass  # the first unlock imports the catalogue: not part of any figure
    with Workspace(store, kdf=KDF).unlock("admin", PASSWORD) as s:
        today = s.cases.today().isoformat()
        intakes = [_intake(rng, today) for _ in range(cases)]
        t0 = time.perf_counter()
        for intake in intakes:
            s.cases.create(intake, confirm_duplicate=True)
        seconds = time.perf_counter() - t0
        docs, template, outbox = _export(s, work / "docs.jsonl")
    return Seeded(store, empty, seconds, outbox, docs, template)


def _export(s: Any, path: Path) -> tuple[Path, list[dict[str, Any]], int]:
    """The cases as documents for the PouchDB peer (a case with its parties and events, as the outbox has
    them), and the first case's outbox rows as the simulated clients' template."""
    by_case: dict[str, dict[str, Any]] = {}
    template: list[dict[str, Any]] = []
    wire: list[dict[str, Any]] = []
    with s.read() as r:
        rows = list(r.scalars(select(OutboxEntry).order_by(OutboxEntry.device_seq)))
        while rows:  # the rows as the push sends them
            chunk, body = encode_batch(rows)
            wire += json.loads(body)["changes"]
            rows = rows[len(chunk) :]
    for change in wire:
        payload = change["payload"]
        if change["entity"] == "case":
            by_case[change["entity_id"]] = dict(payload, _id=change["entity_id"], parties=[], events=[])
        elif change["entity"] in ("party", "case_event") and payload.get("case_id") in by_case:
            doc = by_case[payload["case_id"]]
            doc["parties" if change["entity"] == "party" else "events"].append(payload)
        if change["entity"] in ("case", "party", "case_event") and len(template) < 4:
            template.append(change)
    with path.open("w", encoding="utf-8") as out:
        for doc in by_case.values():
            out.write(json.dumps(doc, ensure_ascii=False) + "\n")
    return path, template, len(wire)


def _code(db_url: str) -> str:
    db = Database(db_url)
    try:
        return issue_code(db, UNIT, "desk")[0]
    finally:
        db.dispose()


@dataclass(frozen=True)
class Synced:
    seconds: float
    traffic: Traffic
    report: SyncReport


def _sync(data: Path, server: ServerProcess, db_url: str, wrap: Callable[[Meter], Any] | None = None) -> Synced:
    """Enroll the desk at ``data`` (not timed), then one timed sync through a metered transport."""
    with Workspace(data, kdf=KDF).unlock("admin", PASSWORD) as s:
        enroll(s, server.url, _code(db_url))
        meter = Meter()
        with bulk_work():
            t0 = time.perf_counter()
            report = sync(s, transport=wrap(meter) if wrap else meter)
            seconds = time.perf_counter() - t0
    meter.close()
    if report.errors or not report.up_to_date:
        raise RuntimeError("the sync did not complete: {0}".format(report.as_dict()))
    return Synced(seconds, meter.traffic, report)


# --- the runs ------------------------------------------------------------------------------------------------


def push_and_pull(seeded: Seeded, dbs: ServerDatabases, work: Path, n: int) -> tuple[Synced, Synced]:
    """Figure 1 and 2 on one fresh server: the seeded desk pushes, an empty desk pulls it all."""
    url = dbs.fresh()
    try:
        with ServerProcess(url) as server:
            pusher, puller = work / "push-{0}".format(n), work / "pull-{0}".format(n)
            shutil.copytree(seeded.store, pusher)
            shutil.copytree(seeded.empty, puller)
            pushed = _sync(pusher, server, url)
            pulled = _sync(puller, server, url)
            if pushed.report.pushed < seeded.outbox or pulled.report.pulled < seeded.outbox:
                raise RuntimeError("pushed {0}, pulled {1}".format(pushed.report.pushed, pulled.report.pulled))
            shutil.rmtree(pusher)
            shutil.rmtree(puller)
    finally:
        dbs.drop(url)
    return pushed, pulled


def slow_push(seeded: Seeded, dbs: ServerDatabases, work: Path, n: int, link: LinkModel) -> tuple[Synced, SlowLink]:
    url = dbs.fresh()
    links: list[SlowLink] = []

    def wrap(meter: Meter) -> SlowLink:
        links.append(SlowLink(meter, link, seed=n))
        return links[-1]

    try:
        with ServerProcess(url) as server:
            data = work / "slow-{0}".format(n)
            shutil.copytree(seeded.store, data)
            done = _sync(data, server, url, wrap)
            shutil.rmtree(data)
    finally:
        dbs.drop(url)
    return done, links[0]


# --- the report ----------------------------------------------------------------------------------------------


def _mib(n: float) -> str:
    return "{0:.2f} MiB".format(n / MIB)


def _met(ok: bool) -> str:
    return "**met**" if ok else "**missed**"


def _traffic_row(label: str, runs: list[Synced], cases: int, target: str, verdict: str, peer: str = "") -> str:
    secs = [r.seconds for r in runs]
    mid = sorted(runs, key=lambda r: r.seconds)[len(runs) // 2].traffic
    return "| {0} | {1:.2f} s ({2:.2f}–{3:.2f}) | {4} | {5} / {6} | {7:.0f} B | {8} | {9} | {10} |".format(
        label,
        median(secs),
        min(secs),
        max(secs),
        mid.requests,
        _mib(mid.up),
        _mib(mid.down),
        (mid.up + mid.down) / cases,
        peer or "—",
        target,
        verdict,
    )


def run(kind: str = "postgres", *, cases: int = CASES, runs: int = RUNS, clients: int = CLIENTS,
        peer: bool = PEER, link: LinkModel | None = None) -> str:  # fmt: skip
    """Measure everything; returns the Markdown section. ``kind="sqlite"`` and another ``link`` are for the
    smoke test (tests/sync/test_bench_sync.py)."""
    with tempfile.TemporaryDirectory(prefix="bench-sync-") as tmp:
        work = Path(tmp)
        seeded = seed(work, cases)
        dbs = ServerDatabases(kind, work)
        try:
            speed = [machine_speed()]
            pairs = [push_and_pull(seeded, dbs, work, n) for n in range(runs)]
            peers: list[PeerResult] | str = (
                peer_runs(seeded.docs, runs, work) if peer else "left out (BENCH_SYNC_PEER=0)"
            )
            slow = [slow_push(seeded, dbs, work, n, link or LinkModel()) for n in range(runs)]
            speed.append(machine_speed())
            rounds = [clients_round(dbs, seeded.template, clients, n) for n in range(runs)]
        finally:
            dbs.close()
    return _report(seeded, cases, runs, pairs, peers, slow, rounds, speed)


def _report(seeded: Seeded, cases: int, runs: int, pairs: list[tuple[Synced, Synced]],
            peers: list[PeerResult] | str, slow: list[tuple[Synced, SlowLink]],
            rounds: list[dict[str, Any]], speed: list[float]) -> str:  # fmt: skip
    pushes, pulls = [p for p, _ in pairs], [q for _, q in pairs]
    push_s, pull_s = median([p.seconds for p in pushes]), median([q.seconds for q in pulls])
    mid = sorted(pushes, key=lambda r: r.seconds)[len(pushes) // 2].traffic
    per_case = (mid.up + mid.down) / cases
    lines = [
        header("Sync with the district server: {0:,} cases (issue 9)".format(cases)),
        "\nCommand: `.venv/bin/python -m bench sync` (server: `fzmediate-server serve` on PostgreSQL 127.0.0.1, "
        "`synchronous_commit=on`, a fresh database each run; desk: a copy of the seeded SQLCipher store each run). "
        "{0:,} cases with two parties registered through `session.cases.create` in {1:.0f} s ({2:.1f} ms a case; "
        "seeding, not part of any figure): {3:,} outbox rows. Median of {4} runs (min–max); traffic of the median "
        "run, HTTP/1.1 headers and bodies as sent (zstd-compressed where both sides take it, as they do here), "
        "counted in the bench.\n".format(cases, seeded.seconds, seeded.seconds * 1000 / cases, seeded.outbox, runs),
        "The machine's speed in this run (`bench.common.machine_speed`: a fixed task, JSON encoding and parsing of "
        "a 720-change page 20 times on one thread, median of 5): {0} ms before figure 1, {1} ms before figure 4. "
        "These machines' speed changes by a third within an hour: compare another run's figures beside its own "
        "speed.\n".format(*("{0:.0f}".format(ms) for ms in speed)),
    ]
    peer_cell, peer_s = "", None
    if isinstance(peers, str):
        peer_note = "PouchDB peer: not measured — {0}.".format(peers)
    else:
        peer_s = median([p.seconds for p in peers])
        m = sorted(peers, key=lambda p: p.seconds)[len(peers) // 2]
        peer_cell = "{0:.2f} s, {1} req, {2} / {3}".format(peer_s, m.requests, _mib(m.up), _mib(m.down))
        peer_note = (
            "PouchDB peer (same run, same cases as {0:,} documents: the case with its parties and events; "
            "PouchDB {1} → express-pouchdb, both LevelDB, no fsync, separate processes): {2:.2f} s median "
            "({3:.2f}–{4:.2f}), {5} requests, {6} up / {7} down, {8:.0f} B a case; loading its local database "
            "took {9:.1f} s (seeding). Ours / peer: **{10:.2f}×** the time, {11:.2f}× the bytes.".format(
                cases, m.version, peer_s, min(p.seconds for p in peers), max(p.seconds for p in peers),
                m.requests, _mib(m.up), _mib(m.down), (m.up + m.down) / cases, m.seed_s, push_s / peer_s,
                (mid.up + mid.down) / (m.up + m.down),
            )
        )  # fmt: skip
    slow_runs = [s for s, _ in slow]
    lines += [
        "| figure | ours: seconds | requests | up / down | bytes a case | PouchDB peer | target | |",
        "|---|---|---|---|---|---|---|---|",
        _traffic_row(
            "1. push {0:,} cases from one desk, all acknowledged".format(cases),
            pushes,
            cases,
            "faster than the peer (issue: 2.4–3.9 s, 402 req, 22.9 MiB); ≤ 1 KiB a case",
            "time {0}; bytes {1}".format(
                _met(push_s < peer_s) if peer_s is not None else "not compared (no peer)", _met(per_case <= KIB)
            ),
            peer_cell,
        ),
        _traffic_row("2. pull {0:,} cases into an empty desk".format(cases), pulls, cases, "≤ 5 s", _met(pull_s <= 5)),
        _traffic_row(
            "3. push {0:,} cases at 2 Mbit/s, 150 ms RTT, 1 % loss".format(cases),
            slow_runs,
            cases,
            "≤ 60 s",
            _met(median([s.seconds for s in slow_runs]) <= 60),
        ),
    ]
    lines += _clients_lines(rounds, runs)
    link = slow[len(slow) // 2][1]
    lines += [
        "",
        peer_note,
        "",
        "Push rate of one desk (figure 1): {0:,.0f} changes/s ({1:,} changes in {2:.2f} s). Slow link: "
        "{3} segments lost and {4:.1f} s of link delay in the median run's model (summed over the exchanges, "
        "two of which overlap at a time); the model (`bench/sync_support.py`, "
        "`SlowLink`): each exchange sleeps one RTT (two on a new connection), both directions' bytes plus 52 B of "
        "TCP/IP header per 1,448-byte segment at 2 Mbit/s (exchanges in flight at once take turns on the link), and "
        "one RTO (350 ms) per segment lost (1 %, seeded) — "
        "pessimistic on losses (no fast retransmit), optimistic on congestion control (no slow start, no window "
        "halving). The machine's 2 CPUs were shared with other work while this ran.".format(
            seeded.outbox / push_s, seeded.outbox, push_s, link.lost, link.delay_s
        ),
    ]
    return "\n".join(lines) + "\n"


def _clients_lines(rounds: list[dict[str, Any]], runs: int) -> list[str]:
    r0 = rounds[0]
    p50 = median([r["p50"] for r in rounds])
    p95 = median([r["p95"] for r in rounds])
    p99 = median([r["p99"] for r in rounds])
    errors = sum(r["5xx"] for r in rounds)
    rate = median([r["rate"] for r in rounds])
    pulled = sorted(n for r in rounds for n in r["pulled"])
    return [
        "",
        "4. {0} simulated clients syncing at once — the reference's G7 (push 50, pull 200) — (server `--workers 2`; "
        "the clients spread over the catalogue's {1} units; each a device of its own: push {2} changes — {3} cases "
        "as a desk writes them — with the audit head, pull until up to date: the {4} changes of its unit waiting "
        "since before the round and what the unit's other desks push meanwhile, {5}–{6} a sync, median {7}; "
        "applications and catalogue only as the pull's hints say, as a desk's sync (none here: a request each "
        "before hints); threads in the bench process, signed requests through the sync client's `Channel`); "
        "median of {8} rounds:\n".format(
            r0["clients"],
            r0["units"],
            r0["batch"],
            r0["batch"] // 4,
            r0["behind"],
            pulled[0],
            pulled[-1],
            round(median(pulled)),
            runs,
        ),
        "| per sync p50 | per sync p95 | p99 | max | 5xx seen | 429 seen | server apply rate | target | |",
        "|---|---|---|---|---|---|---|---|---|",
        "| {0:.2f} s | {1:.2f} s | {2:.2f} s | {3:.2f} s | {4} | {5} | {6:,.0f} changes/s | p95 ≤ 3 s, p99 < 10 s, "
        "zero 5xx | {7} |".format(
            p50,
            p95,
            p99,
            max(r["max"] for r in rounds),
            errors,
            sum(r["429"] for r in rounds),
            rate,
            _met(p95 <= 3 and p99 < 10 and errors == 0),
        ),
        "",
        "Apply rate: changes pushed by all clients over the time from the first push sent to the last push "
        "answered. Per-sync times: {0} samples of each round, p50 {1}, p95 {2} s.".format(
            r0["clients"],
            ", ".join("{0:.2f}".format(r["p50"]) for r in rounds),
            ", ".join("{0:.2f}".format(r["p95"]) for r in rounds),
        ),
        "",
        "Where the CPU went while the clients synced (medians of the rounds; Linux `/proc`): the server's "
        "processes {0:.2f} s ({1:.1f} ms a sync), the clients (the bench process: signing, compressing, decoding "
        "the pulled pages) {2:.2f} s, everything else, PostgreSQL above all, {3:.2f} s; {4:.2f} s of the CPUs "
        "stayed idle. All of it shares this machine's {5} CPUs: the round cannot end before the busy seconds over "
        "the CPUs, {6:.2f} s.".format(
            median([r["cpu"].server for r in rounds]),
            median([r["cpu"].server for r in rounds]) * 1000 / r0["clients"],
            median([r["cpu"].clients for r in rounds]),
            median([r["cpu"].rest for r in rounds]),
            median([r["cpu"].idle for r in rounds]),
            os.cpu_count(),
            median([(r["cpu"].server + r["cpu"].clients + r["cpu"].rest) for r in rounds]) / (os.cpu_count() or 1),
        ),
    ]
