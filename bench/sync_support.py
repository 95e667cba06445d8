"""The plumbing of bench_sync: server databases, the server process, the wire meter and the slow link.

- :class:`ServerDatabases`: fresh migrated server databases (the catalogue's units loaded) from one template —
  PostgreSQL (``CREATE DATABASE … TEMPLATE``, all dropped at the end) or SQLite (a file copy, for the test).
- :class:`ServerProcess`: ``fzmediate-server serve`` in its own process on a free loopback port.
- :class:`Meter`: an httpx transport that counts requests and the bytes of each exchange as HTTP/1.1 puts them
  on the wire (request line, header lines, body as sent; status line, header lines, body as received, still
  compressed). TCP/IP headers are not counted (the PouchDB peer's socket counts do not include them either).
- :class:`SlowLink`: an httpx transport in front of another that makes each exchange cost what it would on a
  2 Mbit/s, 150 ms RTT, 1 % loss link (see its docstring for the model).
"""

from __future__ import annotations

import math
import os
import random
import secrets
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

import httpx

from fzmediate.catalogue.bundle import SHIPPED_BUNDLE, load_shipped_bundle
from fzmediate.resources import resource
from fzmediate.server.admin import UnitRecord, load_units
from fzmediate.server.catalogue import publish
from fzmediate.server.db import Database, migrate

PG_USER: Final = os.environ.get("PGUSER", "postgres")
PG_ADMIN: Final = "host=127.0.0.1 port=5432 dbname=test user={0} connect_timeout=3".format(PG_USER)
ROOT: Final = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _prepare(url: str) -> None:
    migrate(url)
    db = Database(url)
    try:
        units = load_shipped_bundle().bundle.units
        load_units(db, [UnitRecord(code=u.code, name=u.name, kind=u.kind, parent=u.parent) for u in units])
        publish(db, resource(*SHIPPED_BUNDLE).read_bytes())  # as a district does: every desk's pull names it
    finally:
        db.dispose()


class ServerDatabases:
    """Fresh server databases of one ``kind`` (``postgres`` or ``sqlite``), made from one migrated template."""

    def __init__(self, kind: str, workdir: Path) -> None:
        self.kind = kind
        self.workdir = workdir
        self._made: list[str] = []
        if kind == "sqlite":
            self._template = workdir / "server-template.db"
            _prepare("sqlite:///{0}".format(self._template))
            return
        import psycopg

        self._admin = psycopg.connect(PG_ADMIN, autocommit=True)
        self._template_name = "fz_bench_sync_tpl_" + secrets.token_hex(3)
        self._admin.execute("CREATE DATABASE " + self._template_name)
        _prepare(self._pg_url(self._template_name))

    @staticmethod
    def _pg_url(name: str) -> str:
        return "postgresql+psycopg://{0}@127.0.0.1:5432/{1}".format(PG_USER, name)

    def fresh(self) -> str:
        if self.kind == "sqlite":
            path = self.workdir / "server-{0}.db".format(secrets.token_hex(4))
            shutil.copyfile(self._template, path)
            return "sqlite:///{0}".format(path)
        name = "fz_bench_sync_" + secrets.token_hex(4)
        self._admin.execute("CREATE DATABASE {0} TEMPLATE {1}".format(name, self._template_name))
        self._made.append(name)
        url = self._pg_url(name)
        self.assert_durable(url)
        return url

    @staticmethod
    def assert_durable(url: str) -> None:
        """Acknowledged means on disk: the server's sessions commit with ``synchronous_commit=on`` and fsync."""
        if not url.startswith("postgresql"):
            return
        db = Database(url)
        try:
            with db.engine.connect() as conn:
                for setting in ("synchronous_commit", "fsync"):
                    value = conn.exec_driver_sql("SHOW " + setting).scalar()
                    assert value == "on", "{0} is {1}: the figures would not be durable".format(setting, value)
        finally:
            db.dispose()

    def drop(self, url: str) -> None:
        if self.kind == "sqlite":
            for suffix in ("", "-wal", "-shm"):
                Path(url.removeprefix("sqlite:///") + suffix).unlink(missing_ok=True)
            return
        name = url.rsplit("/", 1)[1]
        self._admin.execute("DROP DATABASE IF EXISTS {0} WITH (FORCE)".format(name))
        self._made.remove(name)

    def close(self) -> None:
        if self.kind == "postgres":
            for name in [*self._made, self._template_name]:
                self._admin.execute("DROP DATABASE IF EXISTS {0} WITH (FORCE)".format(name))
            self._admin.close()


class ServerProcess:
    """``fzmediate-server --db URL serve`` (``--workers N``) on a free loopback port, in its own process."""

    def __init__(self, db_url: str, *, workers: int = 1) -> None:
        self.port = free_port()
        self.url = "http://127.0.0.1:{0}".format(self.port)
        args = [sys.executable, "-m", "fzmediate.server.cli", "--db", db_url, "--lang", "en", "serve"]
        args += ["--host", "127.0.0.1", "--port", str(self.port)]
        if workers > 1:
            args += ["--workers", str(workers)]
        self._proc = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(self.url + "/v1/health", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if self._proc.poll() is not None:
                break
            time.sleep(0.1)
        self.stop()
        raise RuntimeError("the district server did not start")

    @property
    def pid(self) -> int:
        return self._proc.pid

    def stop(self) -> None:
        if self._proc.poll() is None:
            self._proc.terminate()
            try:
                self._proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()

    def __enter__(self) -> ServerProcess:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()


def _head_bytes(start_line: str, headers: httpx.Headers) -> int:
    return len(start_line) + 2 + sum(len(k) + 2 + len(v) + 2 for k, v in headers.raw) + 2


def _raw(response: httpx.Response) -> bytes:
    """The body of a transport's response as it came (not decoded)."""
    stream = response.stream
    assert isinstance(stream, httpx.SyncByteStream)
    return b"".join(stream)


@dataclass
class Traffic:
    requests: int = 0
    up: int = 0
    down: int = 0
    statuses: Counter[int] = field(default_factory=Counter)


class Meter(httpx.BaseTransport):
    """Counts what goes over the wire (see the module docstring); thread-safe, one per measured run."""

    def __init__(self, inner: httpx.BaseTransport | None = None) -> None:
        self.inner = inner if inner is not None else httpx.HTTPTransport()
        self.traffic = Traffic()
        self._lock = threading.Lock()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = request.read()
        target = request.url.raw_path.decode("ascii")
        up = _head_bytes("{0} {1} HTTP/1.1".format(request.method, target), request.headers) + len(body)
        response = self.inner.handle_request(request)
        raw = _raw(response)  # as received: compressed bodies stay compressed here
        response.close()
        down = _head_bytes("HTTP/1.1 {0} XX".format(response.status_code), response.headers) + len(raw)
        with self._lock:
            self.traffic.requests += 1
            self.traffic.up += up
            self.traffic.down += down
            self.traffic.statuses[response.status_code] += 1
        return httpx.Response(
            response.status_code, headers=response.headers, stream=httpx.ByteStream(raw), extensions=response.extensions
        )

    def close(self) -> None:
        self.inner.close()


@dataclass(frozen=True)
class LinkModel:
    """A slow link: ``bandwidth`` bit/s each way, ``rtt`` seconds, ``loss`` per packet each way."""

    bandwidth: float = 2_000_000
    rtt: float = 0.150
    loss: float = 0.01
    #: Bytes of payload per TCP segment, and of TCP/IP headers each segment adds.
    mss: int = 1448
    overhead: int = 52
    #: What one lost segment costs: the retransmission timeout (Linux: srtt + max(200 ms, 4·rttvar)).
    rto: float = 0.150 + 0.200


class SlowLink(httpx.BaseTransport):
    """Every exchange costs, on top of the real server's time: one round trip (two on a new connection, for the
    TCP handshake), the transmission of both directions at ``bandwidth`` (segments with their TCP/IP headers),
    and for each segment lost (seeded draw, ``loss`` each) one retransmission timeout. The link is one: the
    transmissions of exchanges in flight at once (a desk keeps two pushes on their way) take turns on it, while
    their round trips and timeouts overlap. A pessimistic model in that every loss waits a full RTO (fast
    retransmit would often recover in one RTT); an optimistic one in that it ignores slow start and the
    congestion window halving after a loss. The time is spent in ``time.sleep`` after the real exchange, so the
    wall clock of a sync through it is what the link would cost."""

    def __init__(self, inner: httpx.BaseTransport, model: LinkModel | None = None, *, seed: int = 2026) -> None:
        self.inner = inner
        self.model = model or LinkModel()
        self.rng = random.Random(seed)
        self.lost = 0
        self.delay_s = 0.0
        self.sleep: Callable[[float], None] = time.sleep
        self._lock = threading.Lock()
        self._connections = 0  # set up so far (each exchange in flight at once needs one)
        self._active = 0
        self._link_free_at = 0.0  # time.monotonic() when the link has sent what it was given

    def _cost(self, nbytes: int) -> tuple[float, float]:
        """(seconds on the link, seconds of retransmission timeouts) for ``nbytes`` one way."""
        m = self.model
        segments = max(1, math.ceil(nbytes / m.mss))
        lost = sum(1 for _ in range(segments) if self.rng.random() < m.loss)
        self.lost += lost
        return (nbytes + segments * m.overhead) * 8 / m.bandwidth, lost * m.rto

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = request.read()
        up = _head_bytes("{0} {1} HTTP/1.1".format(request.method, request.url.raw_path.decode()), request.headers)
        with self._lock:
            self._active += 1
            handshake = self._active > self._connections
            self._connections = max(self._connections, self._active)
        try:
            response = self.inner.handle_request(request)
            raw = _raw(response)
            response.close()
        finally:
            with self._lock:
                self._active -= 1
        down = _head_bytes("HTTP/1.1 200 OK", response.headers) + len(raw)
        with self._lock:
            (send_up, rto_up), (send_down, rto_down) = self._cost(up + len(body)), self._cost(down)
            now = time.monotonic()
            start = max(now, self._link_free_at)  # behind what the link is still sending for the other exchange
            self._link_free_at = start + send_up + send_down
            wait = (start - now) + send_up + send_down + rto_up + rto_down + self.model.rtt * (2 if handshake else 1)
            self.delay_s += wait
        self.sleep(wait)
        return httpx.Response(
            response.status_code, headers=response.headers, stream=httpx.ByteStream(raw), extensions=response.extensions
        )

    def close(self) -> None:
        self.inner.close()
