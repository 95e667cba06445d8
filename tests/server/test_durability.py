"""What the server commits durably: devices' changes always; a request's nonce and rate allowance need not wait
for the WAL flush (fzmediate.server.db.Database.transaction, ``durable=False``). And the planner's statistics
after bulk pushes (Database.written)."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from fzmediate.server import db as db_module
from fzmediate.server.db import Database
from tests.server.harness import Server


@pytest.fixture
def db(server_db: str) -> Iterator[Database]:
    database = Database(server_db)
    yield database
    database.dispose()


def _setting(session: Session) -> str | None:
    if session.get_bind().dialect.name != "postgresql":
        return None  # SQLite: one setting for every commit (synchronous = FULL)
    return str(session.execute(text("SHOW synchronous_commit")).scalar_one())


def test_bookkeeping_commits_without_waiting_for_the_flush_and_nothing_else(db: Database, server_db: str) -> None:
    relaxed = db.transaction(_setting, durable=False)
    durable = db.transaction(_setting)
    after = db.transaction(_setting)  # SET LOCAL: the pooled connection is back to the default
    if server_db.startswith("postgresql"):
        assert (relaxed, durable, after) == ("off", "on", "on")
    else:
        assert (relaxed, durable, after) == (None, None, None)


def _analyzed(db: Database) -> dict[str, bool]:
    with db.engine.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT relname, last_analyze IS NOT NULL FROM pg_stat_user_tables "
            "WHERE relname IN ('entities', 'change_log')"
        ).all()
    return {str(name): bool(done) for name, done in rows}


@pytest.mark.parametrize("server_db", ["postgres"], indirect=True)  # planner statistics are PostgreSQL's
def test_bulk_pushes_refresh_the_planners_statistics(server: Server, monkeypatch: pytest.MonkeyPatch) -> None:
    """A new server's first large pushes must not leave the tables without statistics (the entity lookup was
    planned as a scan of every entity of a kind): once enough rows were written, the bulk tables are analysed."""
    monkeypatch.setattr(db_module, "ANALYZE_AFTER", 10)
    desk = server.enroll()
    desk.push(*[desk.change("party", "p{0}".format(i), "create", {"i": i}) for i in range(3)])
    served: Database = server.app.state.db  # the app's own: it counts the rows and runs the refresh
    assert served.statistics_settled()
    assert _analyzed(server.db) == {"entities": False, "change_log": False}  # 6 rows noted: under the threshold
    desk.push(*[desk.change("party", "q{0}".format(i), "create", {"i": i}) for i in range(3)])
    assert served.statistics_settled()  # the refresh runs beside the requests, not in the push
    assert _analyzed(server.db) == {"entities": True, "change_log": True}


def _refreshes(db: Database) -> tuple[int, set[str]]:
    """How often the bulk tables were analysed by hand, and the columns of ``entities`` with statistics."""
    with db.engine.connect() as conn:
        count = conn.exec_driver_sql(
            "SELECT min(analyze_count) FROM pg_stat_user_tables WHERE relname IN ('entities', 'change_log')"
        ).scalar_one()
        columns = conn.exec_driver_sql("SELECT attname FROM pg_stats WHERE tablename = 'entities'").scalars()
        return int(count), set(columns)


@pytest.mark.parametrize("server_db", ["postgres"], indirect=True)
def test_the_statistics_are_refreshed_each_time_the_tables_doubled_on_their_key_columns(
    server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After the first refresh, the next comes once as many rows again were written (a refresh at every fifth
    more ran ten ANALYZEs beside a 10,000-case push); the JSON payloads are left out of it."""
    monkeypatch.setattr(db_module, "ANALYZE_AFTER", 10)
    served: Database = server.app.state.db
    desk = server.enroll()

    def push(prefix: str, n: int) -> None:
        desk.push(*[desk.change("party", "{0}{1}".format(prefix, i), "create", {"i": i}) for i in range(n)])
        assert served.statistics_settled()

    push("a", 6)  # 12 rows noted: the first refresh
    first, columns = _refreshes(server.db)
    assert first == 1 and {"entity", "entity_id", "unit"} <= columns and "fields" not in columns
    push("b", 5)  # 10 more: fewer than the 12 seen so far
    assert _refreshes(server.db)[0] == 1
    push("c", 1)  # 12 more: the tables doubled
    assert _refreshes(server.db)[0] == 2


@pytest.mark.parametrize("server_db", ["postgres"], indirect=True)
def test_processes_do_not_refresh_the_statistics_twice_for_the_same_rows(
    server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each process notes only the rows it wrote; a process whose count says "refresh" skips it when another
    did since the change log last doubled (two workers ran every refresh twice)."""
    monkeypatch.setattr(db_module, "ANALYZE_AFTER", 10)
    first: Database = server.app.state.db
    second = Database(server.url, clock=server.clock)  # another worker's, on the same database
    try:
        desk = server.enroll()
        desk.push(*[desk.change("party", "a{0}".format(i), "create", {"i": i}) for i in range(6)])
        assert first.statistics_settled() and _refreshes(server.db)[0] == 1
        second.written(12)  # its own rows said "refresh": the log has not doubled since the first's
        assert second.statistics_settled() and _refreshes(server.db)[0] == 1
        desk.push(*[desk.change("party", "b{0}".format(i), "create", {"i": i}) for i in range(6)])
        assert first.statistics_settled() and _refreshes(server.db)[0] == 2  # doubled: 12 changes against 6
    finally:
        second.dispose()


@pytest.mark.parametrize("server_db", ["postgres"], indirect=True)
def test_a_push_is_answered_without_waiting_for_the_statistics(server: Server, monkeypatch: pytest.MonkeyPatch) -> None:
    """The refresh runs beside the requests: the push that crosses the threshold is answered while it runs (in
    the push, it held back that answer and with it the desk's next push)."""
    monkeypatch.setattr(db_module, "ANALYZE_AFTER", 2)
    started, release = threading.Event(), threading.Event()
    refresh = Database._analyze

    def slow_refresh(self: Database) -> None:
        started.set()
        release.wait(30)
        refresh(self)

    monkeypatch.setattr(Database, "_analyze", slow_refresh)
    served: Database = server.app.state.db
    desk = server.enroll()
    try:
        answer = desk.push(desk.change("party", "p1", "create", {"i": 1}), desk.change("party", "p2", "create", {}))
        assert [r["status"] for r in answer["results"]] == ["applied", "applied"]
        assert started.wait(10)  # the refresh was started, and the push was answered while it waits
        assert not served.statistics_settled(timeout=0.1)
    finally:
        release.set()
    assert served.statistics_settled()
    assert _analyzed(server.db) == {"entities": True, "change_log": True}


@pytest.mark.parametrize("server_db", ["postgres"], indirect=True)  # SQLite has no server to lose
def test_connections_postgresql_closed_are_never_handed_to_a_request(server: Server) -> None:
    """PostgreSQL ends every connection of the server (a restart, an administrator): the next requests, each
    of which would have been handed a pooled connection now dead, are all answered as if nothing happened."""
    desk, other = server.enroll(), server.enroll()
    desk.push(desk.change("case", "c1", "create", {"title": "甲"}))
    assert len(other.pull()["changes"]) == 1  # the pool now holds connections of each kind of work
    with server.db.engine.connect() as admin:
        ended = admin.execute(
            text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        ).scalar_one()
    assert ended >= 1  # the app's pooled connection
    answers = [desk.push(desk.change("case", "c{0}".format(n), "create", {"title": "乙"})) for n in range(2, 5)]
    assert [a["results"][0]["status"] for a in answers] == ["applied"] * 3
    assert [c["entity_id"] for c in other.pull()["changes"]] == ["c1", "c2", "c3", "c4"]
