"""The district side of the harness: real uvicorn servers on loopback in front of one server database.

A :class:`Listener` is one uvicorn server (its own thread, its own port) whose ASGI application can be swapped:
each world of scenarios gets a fresh database and a fresh ``create_app`` on it, without paying for a new
uvicorn. Two listeners on one PostgreSQL URL are two servers with their own engines and connection pools
(the setting of two server processes behind a load balancer). Databases come from a migrated template
(SQLite: a file copy; PostgreSQL: ``CREATE DATABASE … TEMPLATE``).
"""

from __future__ import annotations

import inspect
import os
import secrets
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Awaitable, Callable, MutableMapping, Sequence
from pathlib import Path
from typing import Any, Protocol

import httpx

from fzmediate.server.app import create_app
from fzmediate.server.db import Database
from fzmediate.server.enroll import issue_code
from tests.server.conftest import PG_ADMIN, _prepare, pg_name

UNIT = "PS-JD-PS"
PG_USER = os.environ.get("PGUSER", "postgres")

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _app(db_url: str) -> Any:
    """The server application; without a request limit when the server has one (the harness tests sync, and
    its many small pages would otherwise meet the limit)."""
    if "rate_limit" in inspect.signature(create_app).parameters:
        from fzmediate.server.ratelimit import RateLimit  # type: ignore[import-not-found,unused-ignore]

        return create_app(db_url, rate_limit=RateLimit(per_minute=0))  # type: ignore[call-arg,unused-ignore]
    return create_app(db_url)


class Swappable:
    """An ASGI application that hands every request to the current inner one."""

    def __init__(self) -> None:
        self.inner: Any = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.inner(scope, receive, send)


class Listener:
    """One uvicorn server on a free loopback port, in a thread."""

    def __init__(self, *, ssl_certfile: str | None = None, ssl_keyfile: str | None = None) -> None:
        """With ``ssl_certfile`` and ``ssl_keyfile`` (PEM) the listener speaks TLS (``https://``)."""
        import uvicorn

        self.app = Swappable()
        # The socket is bound here and handed to uvicorn: no other process (a parallel test worker) can take the
        # port between choosing and listening.
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        self.port = int(sock.getsockname()[1])
        self.url = "{0}://127.0.0.1:{1}".format("https" if ssl_certfile else "http", self.port)
        config = uvicorn.Config(
            self.app, log_level="error", lifespan="off", ssl_certfile=ssl_certfile, ssl_keyfile=ssl_keyfile
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [sock]}, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started and time.monotonic() < deadline:
            time.sleep(0.02)
        assert self._server.started, "uvicorn did not start"

    def serve(self, db_url: str) -> None:
        """From now on answer with a fresh application on ``db_url``."""
        old = self.app.inner
        self.app.inner = _app(db_url)
        if old is not None:
            old.state.db.dispose()

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
        if self.app.inner is not None:
            self.app.inner.state.db.dispose()


class ProcessListener:
    """A server in its own process: ``uvicorn --factory fzmediate.server.app:app_from_env`` on a free port.
    :meth:`serve` restarts it on another database (the factory reads the URL from the environment)."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = "http://127.0.0.1:{0}".format(self.port)
        self._proc: subprocess.Popen[bytes] | None = None

    def serve(self, db_url: str) -> None:
        self.stop()
        env = dict(os.environ, FZMEDIATE_SERVER_DB=db_url, FZMEDIATE_SERVER_RATE="0")
        args = ["-m", "uvicorn", "--factory", "fzmediate.server.app:app_from_env", "--host", "127.0.0.1"]
        args += ["--port", str(self.port), "--log-level", "error", "--lifespan", "on"]
        self._proc = subprocess.Popen([sys.executable, *args], env=env)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(self.url + "/v1/health", headers={"FZ-Protocol": "1"}, timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if self._proc.poll() is not None:
                break
            time.sleep(0.1)
        raise AssertionError("the server process did not start")

    def stop(self) -> None:
        if self._proc is not None:
            self._proc.terminate()
            self._proc.wait(timeout=10)
            self._proc = None


class Databases:
    """Fresh migrated server databases of one kind (``sqlite`` or ``postgres``), from one template."""

    def __init__(self, kind: str, workdir: Path) -> None:
        self.kind = kind
        self.workdir = workdir
        self._made: list[str] = []
        if kind == "sqlite":
            self._template = workdir / "template.db"
            _prepare("sqlite:///{0}".format(self._template))
        else:
            import psycopg

            self._admin = psycopg.connect(PG_ADMIN, autocommit=True)
            self._template_name = pg_name("fz_fault_tpl")
            self._admin.execute("CREATE DATABASE " + self._template_name)
            _prepare(self._pg_url(self._template_name))

    @staticmethod
    def _pg_url(name: str) -> str:
        return "postgresql+psycopg://{0}@127.0.0.1:5432/{1}".format(PG_USER, name)

    def fresh(self) -> str:
        if self.kind == "sqlite":
            path = self.workdir / "server-{0}.db".format(secrets.token_hex(4))
            shutil.copyfile(self._template, path)
            self._made.append(str(path))
            return "sqlite:///{0}".format(path)
        name = pg_name("fz_fault")
        self._admin.execute("CREATE DATABASE {0} TEMPLATE {1}".format(name, self._template_name))
        self._made.append(name)
        return self._pg_url(name)

    def drop(self, url: str) -> None:
        if self.kind == "sqlite":
            for suffix in ("", "-wal", "-shm"):
                Path(url.removeprefix("sqlite:///") + suffix).unlink(missing_ok=True)
        else:
            self._admin.execute("DROP DATABASE IF EXISTS {0} WITH (FORCE)".format(url.rsplit("/", 1)[1]))

    def close(self) -> None:
        if self.kind == "postgres":
            self._admin.execute("DROP DATABASE IF EXISTS {0} WITH (FORCE)".format(self._template_name))
            self._admin.close()


class Serving(Protocol):
    url: str

    def serve(self, db_url: str) -> None: ...


class District:
    """One server database behind ``listeners`` (one, or two servers on the same database)."""

    def __init__(self, db_url: str, listeners: Sequence[Serving]) -> None:
        self.db_url = db_url
        self.listeners = listeners
        for listener in listeners:
            listener.serve(db_url)
        self.db = Database(db_url)

    @property
    def urls(self) -> list[str]:
        return [listener.url for listener in self.listeners]

    def code(self, unit: str = UNIT) -> str:
        return issue_code(self.db, unit, "desk")[0]

    def close(self) -> None:
        for listener in self.listeners:
            if isinstance(listener, Listener) and listener.app.inner is not None:
                listener.app.inner.state.db.dispose()
                listener.app.inner = None
            elif isinstance(listener, ProcessListener):
                listener.stop()
        self.db.dispose()
