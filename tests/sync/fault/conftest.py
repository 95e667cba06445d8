"""Fixtures of the fault harness: desk templates, server databases (SQLite and PostgreSQL), two listeners."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.sync.fault.district import Databases, Listener
from tests.sync.fault.scenario import CrashHook, Templates, hooked

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


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def databases(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Databases]:
    if request.param == "postgres":
        _pg_reachable()
    made = Databases(request.param, tmp_path_factory.mktemp("server-dbs"))
    yield made
    made.close()


@pytest.fixture(scope="module")
def pg_databases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Databases]:
    _pg_reachable()
    made = Databases("postgres", tmp_path_factory.mktemp("server-dbs"))
    yield made
    made.close()


@pytest.fixture
def hook(monkeypatch: pytest.MonkeyPatch) -> Iterator[CrashHook]:
    with hooked(monkeypatch) as h:
        yield h


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    return tmp_path


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default
