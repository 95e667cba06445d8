"""Rows written in bulk (fzmediate.server.bulk) are the rows SQLAlchemy's own insert and update write: the same
values read back, JSON kept as the same text, on SQLite (executemany) and PostgreSQL (COPY; UPDATE … FROM
json_to_recordset)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import Text, cast, insert, select, update
from sqlalchemy.exc import IntegrityError

from fzmediate.server.bulk import JsonTexts, insert_rows, update_rows
from fzmediate.server.db import Database
from fzmediate.server.models import ChangeLog, Entity

#: Text that COPY's and JSON's escaping must carry as it is: a backslash, a tab, line breaks, quotes, the COPY
#: end marker, rare characters outside the BMP, U+2028, a lone "\N" (COPY's NULL spelling).
AWKWARD = 'a\\b\tc\nd\re "q" \\. 𠮷䶮 \u2028 end'


def _log_row(seq: int, **values: Any) -> dict[str, Any]:
    at = datetime(2026, 12, 7, 5, 30, 15, 123456, tzinfo=UTC)
    row: dict[str, Any] = dict(
        server_seq=seq,
        device_id="dev-" + AWKWARD,
        device_seq=seq,
        change_id="c{0}".format(seq),
        entity="party",
        entity_id="p{0}".format(seq),
        op="create",
        base_version=None,
        version=2**31 - 1,
        payload={"name": "张𠮷", "note": AWKWARD, "n": 2**53, "x": None, "list": [1, "\\N", {"k": True}]},
        actor="王䶮",
        created_at=at,
        unit="PS-JD-PS",
        received_at=at,
        status="applied",
        reason=None,
        published=True,
    )
    row.update(values)
    return row


@pytest.fixture
def db(server_db: str) -> Iterator[Database]:
    database = Database(server_db)
    yield database
    database.dispose()


def _read(db: Database, model: Any, order: Any, json_column: Any) -> list[dict[str, Any]]:
    """Every row of ``model``'s table, with the JSON column's stored text as ``"text"``."""
    table = model.__table__
    with db.sessions() as s:
        query = select(table, cast(json_column, Text).label("text")).order_by(order)
        return [dict(row._mapping) for row in s.execute(query)]


def _compact(value: Any) -> str:
    """``value`` as compact JSON, characters as themselves: the text PostgreSQL keeps for bulk rows (what
    pydantic's encoder writes; pull sends it as stored)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def test_bulk_inserted_log_rows_are_what_sqlalchemy_inserts(db: Database) -> None:
    def pair(seq: int) -> list[dict[str, Any]]:
        return [_log_row(seq), _log_row(seq + 1, reason="sealed", published=False, status="rejected", base_version=0)]

    with db.sessions() as s:
        insert_rows(s, ChangeLog, pair(1))
        s.execute(insert(ChangeLog.__table__), pair(11))
        s.commit()
    rows = _read(db, ChangeLog, ChangeLog.server_seq, ChangeLog.payload)
    numbering = {"server_seq", "device_seq", "change_id", "entity_id", "text"}
    ours, theirs = rows[:2], rows[2:]
    assert [{k: v for k, v in r.items() if k not in numbering} for r in ours] == [
        {k: v for k, v in r.items() if k not in numbering} for r in theirs
    ]
    assert ours[0]["device_id"] == "dev-" + AWKWARD and ours[0]["payload"] == _log_row(1)["payload"]
    assert ours[0]["created_at"] == datetime(2026, 12, 7, 5, 30, 15, 123456, tzinfo=UTC)
    assert [r["published"] for r in ours] == [True, False] and ours[1]["reason"] == "sealed"
    if db.engine.dialect.name == "postgresql":
        assert ours[0]["text"] == _compact(_log_row(1)["payload"])


def entity_row(entity_id: str, **values: Any) -> dict[str, Any]:
    """An entity row as a push writes it; ``values`` override."""
    row: dict[str, Any] = dict(
        entity="party",
        entity_id=entity_id,
        unit="PS-JD-PS",
        version=1,
        fields={"name": "李𠮷"},
        deleted=False,
        last_server_seq=None,
        last_device="d",
        last_actor="a",
    )
    row.update(values)
    return row


def test_bulk_updated_entities_are_what_sqlalchemy_updates(db: Database) -> None:
    with db.sessions() as s:
        insert_rows(s, Entity, [entity_row("a"), entity_row("b")])
        s.commit()
    changed = {"version": 2, "fields": {"name": AWKWARD, "n": 2**53}, "deleted": True, "last_server_seq": 7}
    with db.sessions() as s:
        update_rows(s, Entity, [entity_row("a", **changed)], keys=("entity", "entity_id"))
        table = Entity.__table__
        s.execute(update(table).where(table.c.entity_id == "b").values(**changed))
        s.commit()
    a, b = _read(db, Entity, Entity.entity_id, Entity.fields)
    assert {k: v for k, v in a.items() if k not in ("entity_id", "text")} == {
        k: v for k, v in b.items() if k not in ("entity_id", "text")
    }
    assert a["fields"] == changed["fields"] and a["version"] == 2 and a["deleted"] is True
    if db.engine.dialect.name == "postgresql":
        assert a["text"] == _compact(changed["fields"])


def test_a_taken_key_fails_as_sqlalchemy_reports_it(db: Database) -> None:
    """A key another transaction took is an IntegrityError (Database.transaction runs the transaction again on
    it), on COPY as on SQLAlchemy's own insert; the values are not in its text."""
    with db.sessions() as s:
        insert_rows(s, ChangeLog, [_log_row(1)])
        s.commit()
    with db.sessions() as s, pytest.raises(IntegrityError) as failed:
        insert_rows(s, ChangeLog, [_log_row(2), _log_row(1, server_seq=3, device_seq=3)])  # change id c1 again
    assert "dev-" not in str(failed.value) and "𠮷" not in str(failed.value)


def test_a_value_shared_by_two_tables_is_stored_alike_in_both(db: Database) -> None:
    """A push's new entity and its log row hold one payload object, encoded once (JsonTexts) for both tables;
    times in another zone are stored as their UTC instant."""
    payload = {"name": "张𠮷", "note": AWKWARD, "n": 2**53}
    east = datetime(2026, 12, 7, 13, 30, 15, 123456, tzinfo=timezone(timedelta(hours=8)))
    texts = JsonTexts()
    entity = dict(
        entity="party", entity_id="p1", unit="PS-JD-PS", version=1, fields=payload, deleted=False,
        last_server_seq=1, last_device="d", last_actor="a",
    )  # fmt: skip
    with db.sessions() as s:
        insert_rows(s, Entity, [entity], texts)
        insert_rows(s, ChangeLog, [_log_row(1, payload=payload, created_at=east)], texts)
        s.commit()
    [stored] = _read(db, Entity, Entity.entity_id, Entity.fields)
    [logged] = _read(db, ChangeLog, ChangeLog.server_seq, ChangeLog.payload)
    assert stored["fields"] == logged["payload"] == payload
    assert stored["text"] == logged["text"]
    assert logged["created_at"] == datetime(2026, 12, 7, 5, 30, 15, 123456, tzinfo=UTC)
    assert texts.text(payload) == _compact(payload)
