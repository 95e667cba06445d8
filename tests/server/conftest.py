"""The ``server_db`` fixture: a migrated server database per test, on SQLite and on PostgreSQL.

PostgreSQL: 127.0.0.1:5432, trust authentication, database ``test`` for the administrative connection. One
template database is migrated per session (per pytest-xdist worker: names carry the worker, :func:`pg_name`);
each test gets ``CREATE DATABASE … TEMPLATE`` (fast) and drops it after. When PostgreSQL cannot be reached the
PostgreSQL cases are skipped with the reason, except under ``CI=true``, where they fail: a CI run must not pass
without having exercised PostgreSQL.
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from fzmediate.server.admin import UnitRecord, load_units
from fzmediate.server.db import Database, migrate
from tests.server.harness import OTHER_UNIT, UNIT, Server, serve

PG_ADMIN = "host=127.0.0.1 port=5432 dbname=test user={0} connect_timeout=3".format(
    os.environ.get("PGUSER", "postgres")
)
UNITS = [
    UnitRecord(UNIT, "坪山街道办事处", "street_office", None),
    UnitRecord(OTHER_UNIT, "马峦街道办事处", "street_office", None),
]


def pg_name(prefix: str) -> str:
    """A new database name: the prefix, this process's pytest-xdist worker (``gw0``…; ``main`` without xdist) and
    a random part, so that parallel workers never share a database and a leftover names who left it."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    return "{0}_{1}_{2}".format(prefix, worker, secrets.token_hex(5))


def _prepare(url: str) -> None:
    migrate(url)
    db = Database(url)
    try:
        load_units(db, UNITS)
    finally:
        db.dispose()


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("server-template") / "template.db"
    _prepare("sqlite:///{0}".format(path))
    return path


def _pg_admin() -> psycopg.Connection[tuple[object, ...]]:
    try:
        return psycopg.connect(PG_ADMIN, autocommit=True)
    except psycopg.OperationalError as exc:
        reason = "PostgreSQL at 127.0.0.1:5432 is not reachable ({0})".format(type(exc).__name__)
        if os.environ.get("CI") == "true":
            pytest.fail(reason + "; CI=true requires it", pytrace=False)
        pytest.skip(reason + "; the PostgreSQL cases are skipped (CI=true would fail them)")


@pytest.fixture(scope="session")
def _pg_template() -> Iterator[str]:
    conn = _pg_admin()
    name = pg_name("fz_srv_tpl")
    conn.execute("CREATE DATABASE " + name)
    try:
        _prepare("postgresql+psycopg://{0}@127.0.0.1:5432/{1}".format(os.environ.get("PGUSER", "postgres"), name))
        yield name
    finally:
        conn.execute("DROP DATABASE IF EXISTS {0} WITH (FORCE)".format(name))
        conn.close()


@pytest.fixture(params=["sqlite", "postgres"])
def server_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of a fresh, migrated server database with two units."""
    if request.param == "sqlite":
        path = tmp_path / "server.db"
        shutil.copyfile(request.getfixturevalue("_sqlite_template"), path)
        yield "sqlite:///{0}".format(path)
        return
    template = request.getfixturevalue("_pg_template")
    conn = _pg_admin()
    name = pg_name("fz_srv")
    conn.execute("CREATE DATABASE {0} TEMPLATE {1}".format(name, template))
    try:
        yield "postgresql+psycopg://{0}@127.0.0.1:5432/{1}".format(os.environ.get("PGUSER", "postgres"), name)
    finally:
        conn.execute("DROP DATABASE IF EXISTS {0} WITH (FORCE)".format(name))
        conn.close()


@pytest.fixture
def server(server_db: str) -> Iterator[Server]:
    yield from serve(server_db)
