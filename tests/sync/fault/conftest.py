"""Fixtures of the fault harness: desk templates, server databases (SQLite and PostgreSQL), two listeners, and
one SQLite world for the aimed tests (test_proxy, test_crashpoints)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.sync.fault.district import Databases, District, Listener
from tests.sync.fault.scenario import CrashHook, Templates, World, hooked

pytest.importorskip("uvicorn")

#: Desks per world (the brief: 2–3 desks of one unit).
DESKS = 3


@pytest.fixture(scope="session")
def templates(tmp_path_factory: pytest.TempPathFactory) -> Templates:
    return Templates(tmp_path_factory.mktemp("desk-templates"), DESKS)


@pytest.fixture(scope="session")
def listeners() -> Iterator[list[Listener]]:
    made = [Listener(), Listener()]
    yield made
    for listener in made:
        listener.stop()


def _pg_reachable() -> None:
    from tests.server.conftest import _pg_admin

    _pg_admin().close()  # skips (or fails under CI=true) when PostgreSQL is not there


@pytest.fixture(scope="session")
def sqlite_databases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Databases]:
    made = Databases("sqlite", tmp_path_factory.mktemp("server-dbs"))
    yield made
    made.close()


@pytest.fixture(scope="session")
def pg_databases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Databases]:
    """PostgreSQL databases of this process (each pytest-xdist worker has its own template and copies)."""
    _pg_reachable()
    made = Databases("postgres", tmp_path_factory.mktemp("server-dbs"))
    yield made
    made.close()


@pytest.fixture(params=["sqlite", "postgres"])
def databases(request: pytest.FixtureRequest) -> Databases:
    """The server databases of one kind, each test on both."""
    made: Databases = request.getfixturevalue("pg_databases" if request.param == "postgres" else "sqlite_databases")
    return made


@pytest.fixture
def hook(monkeypatch: pytest.MonkeyPatch) -> Iterator[CrashHook]:
    with hooked(monkeypatch) as h:
        yield h


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    return tmp_path


@pytest.fixture
def sqlite_world(
    request: pytest.FixtureRequest,
    sqlite_databases: Databases,
    listeners: list[Listener],
    templates: Templates,
    hook: CrashHook,
    workdir: Path,
) -> Iterator[World]:
    """A world on a fresh SQLite server database behind one listener: the test module's ``WORLD_SEED`` and
    ``WORLD_DESKS`` (default: seed 1, ``DESKS`` desks)."""
    seed = int(getattr(request.module, "WORLD_SEED", 1))
    desks = int(getattr(request.module, "WORLD_DESKS", DESKS))
    url = sqlite_databases.fresh()
    district = District(url, listeners[:1])
    made = World(seed, district, templates, workdir, hook, desks)
    try:
        yield made
    finally:
        made.close()
        district.close()
        sqlite_databases.drop(url)


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default
