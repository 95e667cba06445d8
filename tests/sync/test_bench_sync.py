"""bench/bench_sync.py's whole path at a tiny size, so that it cannot rot between the runs of ``make bench``:
SQLite server databases (the embedded default) instead of PostgreSQL, 20 cases, 5 clients, no PouchDB peer,
a link that costs next to nothing. Nothing here is timed; the figures are the bench's business."""

from __future__ import annotations

import gzip
import re

import httpx
import pytest

from bench import bench_sync
from bench.sync_support import LinkModel, Meter, SlowLink


def test_the_sync_bench_runs_end_to_end_at_a_tiny_size() -> None:
    fast = LinkModel(bandwidth=1e12, rtt=0.0, loss=0.5, rto=0.0)
    section = bench_sync.run("sqlite", cases=20, runs=1, clients=5, peer=False, link=fast)
    assert "## Sync with the district server: 20 cases" in section
    for figure in ("| 1. push 20 cases", "| 2. pull 20 cases", "| 3. push 20 cases at 2 Mbit/s", "4. 5 simulated"):
        assert figure in section
    assert "PouchDB peer: not measured — left out" in section
    pulled = re.search(r"the (\d+) changes of its unit waiting since before the round .*?, (\d+)–(\d+) a sync", section)
    assert pulled is not None and int(pulled.group(2)) >= int(pulled.group(1)) == 200  # G7: each pulls at least 200
    assert re.search(r"\| [\d.]+ s \| [\d.]+ s \| [\d.]+ s \| [\d.]+ s \| 0 \|", section)  # p50, p95, p99, max; no 5xx
    server_cpu = re.search(r"the server's processes (\d+\.\d+) s \((\d+\.\d+) ms a sync\)", section)
    assert server_cpu is not None and float(server_cpu.group(1)) > 0  # its workers' CPU read from /proc


def test_the_meter_counts_bodies_as_sent_and_the_link_charges_for_them() -> None:
    big = b'{"changes": []}' + b" " * 50_000

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=gzip.compress(big), headers={"content-encoding": "gzip"})

    meter = Meter(httpx.MockTransport(answer))
    slept: list[float] = []
    link = SlowLink(meter, LinkModel(loss=0.0))
    link.sleep = slept.append
    with httpx.Client(transport=link, base_url="http://district.test") as client:
        got = client.post("/v1/sync/push", content=b"x" * 10_000)
    assert got.content == big  # decoded for the client
    traffic = meter.traffic
    assert traffic.requests == 1
    assert 10_000 < traffic.up < 10_400
    assert traffic.down < len(big) // 10  # counted compressed, as on the wire
    model = link.model
    expected = 2 * model.rtt + (traffic.up + traffic.down) * 8 / model.bandwidth
    assert slept and expected < slept[0] < expected * 1.1


def test_exchanges_in_flight_at_once_take_turns_on_the_slow_link() -> None:
    """Two pushes on their way share the link's bandwidth; only their round trips overlap. (The fake sleep
    returns at once, so the second exchange starts while the first is still being sent.)"""
    meter = Meter(httpx.MockTransport(lambda request: httpx.Response(200, content=b"{}")))
    slept: list[float] = []
    link = SlowLink(meter, LinkModel(loss=0.0))
    link.sleep = slept.append
    with httpx.Client(transport=link, base_url="http://district.test") as client:
        client.post("/v1/sync/push", content=b"x" * 100_000)
        client.post("/v1/sync/push", content=b"x" * 100_000)
    model = link.model
    sending = slept[0] - 2 * model.rtt  # the first: a new connection, then its bytes
    assert sending > 100_000 * 8 / model.bandwidth
    assert slept[1] == pytest.approx(2 * sending + model.rtt, rel=0.01)  # waits for the first's bytes, then its own
