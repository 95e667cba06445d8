"""What the server commits durably: devices' changes always; a request's nonce and rate allowance need not wait
for the WAL flush (fzmediate.server.db.Database.transaction, ``durable=False``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from fzmediate.server.db import Database


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
