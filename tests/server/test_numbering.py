"""A push's numbering on PostgreSQL (fzmediate.server.numbering): one statement draws the numbers and writes
the rows, sent with the COMMIT; it stores what the row-by-row writes store (fzmediate.server.bulk), and when it
fails nothing of the transaction is committed."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import Text, cast, delete, select, update
from sqlalchemy.exc import DBAPIError, IntegrityError

from fzmediate.server.bulk import insert_rows
from fzmediate.server.db import Database
from fzmediate.server.models import CHANGE_SEQ, ChangeLog, Device, Entity, SeqCounter
from fzmediate.server.numbering import Rows, commit_numbered
from tests.server.test_bulk import AWKWARD, _compact, _log_row, entity_row

pytestmark = pytest.mark.parametrize("server_db", ["postgres"], indirect=True)  # SQLite numbers row by row


@pytest.fixture
def db(server_db: str) -> Iterator[Database]:
    database = Database(server_db)
    yield database
    database.dispose()


def _entity(entity_id: str, **values: Any) -> dict[str, Any]:
    return entity_row(entity_id, **{"fields": {"name": "李𠮷", "note": AWKWARD}, **values})


def _counter(db: Database) -> int | None:
    with db.sessions() as s:
        return s.scalar(select(SeqCounter.value).where(SeqCounter.name == CHANGE_SEQ))


def _log_count(db: Database) -> int:
    with db.sessions() as s:
        return len(s.scalars(select(ChangeLog.server_seq)).all())


def test_numbered_rows_are_stored_and_committed(db: Database) -> None:
    with db.sessions() as s:
        insert_rows(s, Entity, [_entity("kept", last_server_seq=3), _entity("edited", last_server_seq=3)])
        s.execute(update(SeqCounter.__table__).values(value=40))
        s.commit()
    east8 = timezone(timedelta(hours=8))
    log = [
        _log_row(0, server_seq=None, created_at=datetime(2026, 12, 7, 13, 30, 15, 123456, tzinfo=east8)),
        _log_row(0, server_seq=None, device_seq=2, change_id="c2", status="rejected", published=False),
        _log_row(0, server_seq=None, device_seq=3, change_id="c3"),
    ]
    with db.sessions() as s:
        base = commit_numbered(
            s,
            3,
            Rows(log, [1, 2, 3]),
            Rows([_entity("new")], [3]),
            Rows(
                [_entity("edited", version=2, fields={"name": AWKWARD}), _entity("kept", version=2, last_server_seq=3)],
                [1, None],
            ),
        )
        s.rollback()  # committed already: nothing is left to roll back
    assert base == 40 and _counter(db) == 43
    with db.sessions() as s:
        logged = s.execute(
            select(ChangeLog.server_seq, ChangeLog.created_at, cast(ChangeLog.payload, Text)).order_by(
                ChangeLog.server_seq
            )
        ).all()
        entities = {e.entity_id: e for e in s.scalars(select(Entity))}
    assert [row[0] for row in logged] == [41, 42, 43]
    assert logged[0][1] == datetime(2026, 12, 7, 5, 30, 15, 123456, tzinfo=UTC)  # +08:00 stored as its UTC instant
    assert logged[0][2] == _compact(log[0]["payload"])  # the JSON text as written, characters as themselves
    assert entities["new"].last_server_seq == 43 and entities["new"].fields == {"name": "李𠮷", "note": AWKWARD}
    assert entities["edited"].last_server_seq == 41 and entities["edited"].fields == {"name": AWKWARD}
    assert entities["kept"].last_server_seq == 3 and entities["kept"].version == 2  # no publishing change: kept


def _device(s: Any) -> None:
    s.add(Device(device_id="d1", public_key="k", unit="u", role="desk", label="", device_code="A1",
                 enrolled_at=datetime.now(UTC), revoked_at=None, acked_through=0))  # fmt: skip


def test_a_taken_key_commits_nothing_of_the_transaction(db: Database) -> None:
    with db.sessions() as s:
        insert_rows(s, ChangeLog, [_log_row(1)])
        s.execute(update(SeqCounter.__table__).values(value=1))
        _device(s)
        s.commit()
    with db.sessions() as s, pytest.raises(IntegrityError) as failed:
        s.execute(update(Device.__table__).values(acked_through=9))  # earlier in the same transaction
        commit_numbered(s, 1, Rows([_log_row(0, server_seq=None, change_id="c1")], [1]), Rows([], []), Rows([], []))
    assert "dev-" not in str(failed.value) and "𠮷" not in str(failed.value)
    with db.sessions() as s:
        assert s.scalar(select(Device.acked_through)) == 0
    assert _counter(db) == 1 and _log_count(db) == 1


def test_a_counter_missing_fails_loudly_and_commits_nothing(db: Database) -> None:
    with db.sessions() as s:
        s.execute(delete(SeqCounter.__table__))
        _device(s)
        s.commit()
    with db.sessions() as s, pytest.raises(IntegrityError):
        s.execute(update(Device.__table__).values(acked_through=9))
        commit_numbered(s, 1, Rows([_log_row(0, server_seq=None)], [1]), Rows([_entity("e")], [1]), Rows([], []))
    with db.sessions() as s:
        assert s.scalar(select(Device.acked_through)) == 0
        assert s.scalars(select(Entity)).all() == []
    assert _log_count(db) == 0


def test_a_text_too_long_for_its_column_is_refused_not_cut(db: Database) -> None:
    with db.sessions() as s, pytest.raises(DBAPIError):
        commit_numbered(s, 1, Rows([_log_row(0, server_seq=None, op="x" * 17)], [1]), Rows([], []), Rows([], []))
    assert _log_count(db) == 0 and _counter(db) == 0
