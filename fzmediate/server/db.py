"""The server's database: engine, sessions, transactions with retry, and schema migration.

SQLite (development and demonstrations) runs every transaction as ``BEGIN IMMEDIATE``: writers are
serialised anyway, and a reader that later writes can then never fail half-way with "database is locked".
PostgreSQL (``postgresql+psycopg://``) runs READ COMMITTED with row locks where order matters; a transaction
that loses a race (a unique key taken, a deadlock, a serialisation failure) is run again from the start.
"""

from __future__ import annotations

import logging
import select
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Final, TypeVar

from alembic import command
from alembic.config import Config
from pydantic_core import to_json
from sqlalchemy import JSON, Engine, create_engine, event, text
from sqlalchemy.exc import DBAPIError, DisconnectionError, IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from fzmediate.alembic_support import alembic_config
from fzmediate.alembic_support import current_revision as current_revision
from fzmediate.alembic_support import head_revision as _head_revision
from fzmediate.server.models import CHANGE_SEQ, ChangeLog, Entity, SeqCounter

T = TypeVar("T")
Clock = Callable[[], datetime]
log = logging.getLogger(__name__)

#: How often a transaction that lost a race is tried again before the error is raised.
ATTEMPTS: Final = 5
#: PostgreSQL errors that mean "run it again": serialisation failure, deadlock.
_RETRY_PGCODES: Final = frozenset({"40001", "40P01"})


def utc_now() -> datetime:
    return datetime.now(UTC)


def make_engine(url: str) -> Engine:
    """An engine for ``url``; bound values never appear in exception text (they may be personal data). JSON
    values are stored as pydantic writes them (compact, every character as it is), the spelling the bulk writes
    (:mod:`fzmediate.server.bulk`) use: with the standard library's default an SQLite server stored, and sent
    in every pull, each character outside ASCII as an escape (two for 𠮷)."""
    if url.startswith("sqlite"):
        engine = create_engine(url, hide_parameters=True, json_serializer=_json_text, connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _connect(dbapi_conn: Any, _record: Any) -> None:
            dbapi_conn.isolation_level = None  # we say BEGIN ourselves (below)
            cur = dbapi_conn.cursor()
            for pragma in ("journal_mode = WAL", "synchronous = FULL", "foreign_keys = ON", "busy_timeout = 30000"):
                cur.execute("PRAGMA " + pragma)
            cur.close()

        @event.listens_for(engine, "begin")
        def _begin(conn: Any) -> None:
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    engine = create_engine(url, hide_parameters=True, json_serializer=_json_text, pool_size=POOL_SIZE, max_overflow=0)
    event.listen(engine, "checkout", _refuse_closed)
    return engine


def _refuse_closed(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
    """A pooled connection PostgreSQL has closed (a restart, ``pg_terminate_backend``, an idle timeout) is not
    handed out: the pool drops it and opens another (SQLAlchemy's custom "pessimistic" ping, by the checkout
    event). Told without a round trip: an idle connection between transactions has nothing to read, so one
    whose socket is readable (the server's goodbye, or the end of the stream) or in error is closed. SQLAlchemy's
    ``pool_pre_ping`` asked PostgreSQL ``SELECT 1`` at every checkout instead: two or three round trips a request
    (the bookkeeping, the page's reads, the push's transaction each check one out), ~1,000 in a round of 200
    desks syncing at once."""
    if dbapi_connection.closed or dbapi_connection.broken or _readable(dbapi_connection.fileno()):
        raise DisconnectionError()


def _readable(fd: int) -> bool:
    """Whether ``fd`` has something to read, or is at its end or in error, right now (no waiting)."""
    if hasattr(select, "poll"):  # not select(): it cannot take a descriptor numbered 1024 or more
        waiting = select.poll()
        waiting.register(fd, select.POLLIN | select.POLLPRI)
        return bool(waiting.poll(0))  # POLLHUP and POLLERR are reported whatever was asked for
    return bool(select.select([fd], [], [fd], 0)[0])


def _json_text(value: Any) -> str:
    return to_json(value).decode()


#: The PostgreSQL connections a server process holds, all kept open: as many as it used at most before
#: (SQLAlchemy's 5 and 10 "overflow" ones), but the overflow ones were closed as soon as they were given back and
#: opened again at the next burst, each a new PostgreSQL backend process to start and warm: ~100 a round of 200
#: desks syncing at once. A request waits for a free one (at most the pool's 30 s) as it did for the 16th.
POOL_SIZE: Final = 15


#: Requests whose database work a server process runs at once, each on a worker thread (the others wait their
#: turn on the event loop, holding no thread and no connection). AnyIO's default is 40: with 200 desks syncing at
#: once on two CPUs, each process's 40 threads took turns at one interpreter lock, 150 context switches a request,
#: and kept up to 30 PostgreSQL backends busy at once; with 4 the server needed a fifth less CPU, PostgreSQL a
#: third less, and the round's p95 fell from 3.9-4.4 s to 3.4-3.5 s (docs/decisions.md). A request's work runs in
#: one thread call and never waits for a request that holds no thread, so a small number cannot deadlock.
THREADS: Final = 4
#: Pushes a server process works on at once, on threads of their own (not taken from THREADS). Every push ends
#: waiting for the counter's lock (fzmediate.server.push), so a second push of the same process mostly waits there
#: too; and a desk's pull, which waits for nothing, queued behind the pushes that came before it: with 200 desks
#: syncing at once no pull was answered until nearly every push was taken, and the desks' own work on their pages
#: was left for the end. One at a time (and the pulls beside it), the round's p95 fell from 2.9-3.2 s to 2.6-2.7 s
#: and its median from 2.5-2.7 s to 1.6-1.7 s; two a process measured 2.7-3.1 s (docs/decisions.md).
PUSH_THREADS: Final = 1


#: Rows written through pushes before the planner's statistics are first refreshed (then each time as many
#: again as all refreshes so far had seen: the tables doubled): see :meth:`Database.written`.
ANALYZE_AFTER: Final = 5000


#: ``ANALYZE`` of the tables a push fills in bulk, on the columns queries look rows up by only: not the JSON
#: payloads, which have no statistics worth having and are most of the bytes (at 40,000 rows a table, 131 ms of
#: PostgreSQL's time instead of 265 ms).
_ANALYZE: Final = "ANALYZE " + ", ".join(
    "{0} ({1})".format(
        model.__tablename__, ", ".join(c.name for c in model.__table__.columns if not isinstance(c.type, JSON))
    )
    for model in (Entity, ChangeLog)
)


#: Whether this transaction refreshes the statistics: no other process holds the refresh's lock (held to the
#: end of the transaction), and the change log was never analysed or has doubled since (its rows are numbered
#: by the counter).
_ANALYZE_TURN: Final = (
    "SELECT pg_try_advisory_xact_lock(hashtext('fzmediate analyze')) AND ("
    "SELECT coalesce(max(c.reltuples), -1) < 0 OR max(s.value) >= 2 * max(c.reltuples) "
    "FROM pg_class c, {counters} s WHERE c.oid = '{log}'::regclass AND s.name = '{name}')"
).format(counters=SeqCounter.__tablename__, log=ChangeLog.__tablename__, name=CHANGE_SEQ)


class Database:
    """One engine and its session factory; ``clock`` is the server's time (tests move it by hand)."""

    def __init__(self, url: str, *, clock: Clock | None = None) -> None:
        self.url = url
        self.engine = make_engine(url)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        self.clock: Clock = clock or utc_now
        self._written = 0
        self._analyzed = 0
        self._analyze_lock = threading.Lock()
        self._analyzing: threading.Thread | None = None

    def written(self, rows: int) -> None:
        """Note ``rows`` written by a committed push; on PostgreSQL, refresh the planner's statistics of the bulk
        tables once enough were written (``ANALYZE``, outside any transaction, on a thread of its own).

        A new district server's first large pushes fill tables that autovacuum has not analysed yet (it waits
        for its next round, a minute or more): without statistics PostgreSQL planned a batch's entity lookup as a
        scan of every entity of the kind, so each batch of a 10,000-case push cost more than the one before.
        ANALYZE samples the table and takes no lock that writers wait for. It runs beside the requests, never in
        one: run in the push that crossed the threshold, it held back that push's answer (up to 90 ms here), and with
        it the desk's next push, about a tenth of a 10,000-case push's time. One at a time; rows noted while one runs
        count towards the next. Each time the tables have doubled, not more often: an ANALYZE at 40,000 rows a
        table costs PostgreSQL over 100 ms, and refreshed at every fifth more, a 10,000-case push ran ten of them
        beside it (~1.5 s of CPU the push itself needed); later, autovacuum's own rounds keep them."""
        if rows <= 0 or self.engine.dialect.name != "postgresql":
            return
        with self._analyze_lock:
            self._written += rows
            busy = self._analyzing is not None and self._analyzing.is_alive()
            if busy or self._written < max(ANALYZE_AFTER, self._analyzed):
                return
            self._analyzed += self._written
            self._written = 0
            self._analyzing = threading.Thread(target=self._analyze, name="fz-analyze", daemon=True)
            self._analyzing.start()

    def _analyze(self) -> None:
        """Refresh the statistics unless another process is doing it or did since the tables last doubled:
        each process notes only its own rows, and with ``--workers 2`` both ran every refresh (four ANALYZEs
        in a round of 200 desks syncing at once, ~130 ms of PostgreSQL's CPU each). The change log's size is
        the counter's value (every logged change took a number); ANALYZE keeps its row count in
        ``pg_class.reltuples`` (-1 before the first)."""
        try:
            with self.engine.connect() as conn:
                if conn.exec_driver_sql(_ANALYZE_TURN).scalar():
                    conn.exec_driver_sql(_ANALYZE)
                conn.commit()
        except DBAPIError as exc:  # statistics are an optimisation: the next threshold tries again
            log.warning("refreshing the planner's statistics failed (%s)", type(exc.orig).__name__)

    def statistics_settled(self, timeout: float = 30.0) -> bool:
        """Wait for a refresh of the planner's statistics that is running, if any; whether none is running now."""
        running = self._analyzing
        if running is not None:
            running.join(timeout)
        return running is None or not running.is_alive()

    def now(self) -> datetime:
        return self.clock()

    def transaction(self, work: Callable[[Session], T], *, durable: bool = True) -> T:
        """Run ``work`` in a fresh session and commit; run it again when it lost a race with another writer.

        ``durable=False`` is for bookkeeping that protects nothing once lost (a request's nonce, a device's rate
        allowance): on PostgreSQL its commit does not wait for the WAL flush (``SET LOCAL synchronous_commit``),
        so the two such transactions every request runs do not each wait for an fsync. A crash can lose the last
        fraction of a second of them: a nonce could then be replayed within the signature's clock window, which
        repeats an idempotent push or a read the replayer cannot decrypt (TLS). Changes devices push are always
        durable before they are acknowledged."""
        for attempt in range(1, ATTEMPTS + 1):
            with self.sessions() as session:
                try:
                    if not durable and self.engine.dialect.name == "postgresql":
                        session.execute(text("SET LOCAL synchronous_commit TO OFF"))
                    result = work(session)
                    session.commit()
                    return result
                except (IntegrityError, OperationalError, DBAPIError) as exc:
                    session.rollback()
                    if attempt == ATTEMPTS or not _retryable(exc):
                        raise
                    log.info("transaction retried after %s (attempt %d)", type(exc.orig).__name__, attempt)
        raise AssertionError("unreachable")

    def dispose(self) -> None:
        self.statistics_settled()  # not under a refresh still using the engine
        self.engine.dispose()


def _retryable(exc: DBAPIError) -> bool:
    if isinstance(exc, IntegrityError):
        return True  # a key another transaction took meanwhile: the next attempt sees it
    code = getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None)
    if code in _RETRY_PGCODES:
        return True
    return isinstance(exc, OperationalError) and "locked" in str(exc.orig).lower()


# --- migrations ---------------------------------------------------------------------------------
def _alembic_config() -> Config:
    return alembic_config("fzmediate.server")


def head_revision() -> str:
    return _head_revision("fzmediate.server")


def migrate(url: str) -> str:
    """Upgrade the database at ``url`` to the newest schema; returns the revision it is at."""
    engine = make_engine(url)
    try:
        cfg = _alembic_config()
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
        return head_revision()
    finally:
        engine.dispose()
