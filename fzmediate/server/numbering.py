"""A push's numbers drawn, its rows written and its transaction committed in one round trip (PostgreSQL).

Numbers become visible in commit order because the counter's row stays locked from the draw to the commit
(:mod:`fzmediate.server.push`); every other push's numbering waits on that lock, so how long it is held decides
how many pushes a server takes a second. Drawn first and then written table by table from Python, a push held it
over five round trips (the draw, the new entities, the changed ones, the log rows, the commit), and with many
requests in one process its thread waited for the interpreter's lock each time it came back from the database:
held 12-21 ms a push under load, the lock lined the pushes up (docs/decisions.md, "One round trip under the
counter's lock").

Here one statement advances the counter, inserts the log rows and the new entities and updates the changed
ones, each numbered ``base + ord`` from the drawn value; the rows travel as one JSON array a table
(``json_to_recordset``), and the statement and the COMMIT are sent together (psycopg's pipeline mode), so
PostgreSQL lets the lock go at the commit without waiting for this thread. Every row carries ``ord``: the
1-based place, among the push's numbered changes, of the change it is (a log row) or of the change that last
published it (an entity; None: it keeps its ``last_server_seq``).

SQLite runs one writer at a time: a push there writes its rows as :mod:`fzmediate.server.bulk` does.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final, cast

from sqlalchemy import Table
from sqlalchemy.orm import Session

from fzmediate.server.bulk import json_rows, quoted, record_defs
from fzmediate.server.models import CHANGE_SEQ, ChangeLog, Entity, SeqCounter
from fzmediate.server.pipeline import PG, Compiled, Step, run_in_session


@dataclass(frozen=True)
class Rows:
    """Rows of one table (dicts keyed by column name, every column of the table) and their ``ords``."""

    rows: Sequence[dict[str, Any]]
    ords: Sequence[int | None]

    def json(self, dialect: Any, table: Table) -> str:
        with_ords = [{**row, _ORD: place} for row, place in zip(self.rows, self.ords, strict=True)]
        return json_rows(dialect, list(table.columns), with_ords)


def commit_numbered(
    session: Session, count: int, log: Rows, new: Rows, changed: Rows, before: Sequence[Step] = ()
) -> int:
    """Advance the change counter by ``count``; insert ``log`` into ``change_log`` and ``new`` into
    ``entities`` and update ``changed`` (by key), each row numbered ``base + ord``; commit the session's
    transaction. ``before``: statements sent ahead of it in the same round trip (the push's own bookkeeping,
    written before the counter's lock is taken). Returns ``base``, the counter's value before the draw.

    The last thing of the transaction: the session must have flushed everything (its own commit then has
    nothing left to do). When the statement fails nothing is committed and the error is raised as SQLAlchemy
    raises its own (a taken key is an IntegrityError: :meth:`~fzmediate.server.db.Database.transaction` runs
    the push again). A counter row missing (a database the migrations did not make) fails it too: every log
    row's number is then null."""
    dialect = session.get_bind().dialect
    parts = {"log": (_LOG, log), "new": (_ENTITIES, new), "changed": (_ENTITIES, changed)}
    present = tuple(name for name, (_table, rows) in parts.items() if rows.rows)
    params: dict[str, Any] = {"n": count, "counter": CHANGE_SEQ}
    params.update({name: rows.json(dialect, table) for name, (table, rows) in parts.items() if rows.rows})
    numbered = Step(Compiled(_statement(present), {}), params)
    found = run_in_session(session, [*before, numbered], commit=True)[-1]
    if len(found) != 1 or found[0][1] != len(log.rows):
        raise AssertionError("the numbered write took another number of log rows than it was given")
    return int(found[0][0])


_ORD: Final = "ord"
_LOG: Final = cast(Table, ChangeLog.__table__)
_ENTITIES: Final = cast(Table, Entity.__table__)
_COUNTER: Final = cast(Table, SeqCounter.__table__)
#: The column a row's number goes to, by table.
_NUMBERED: Final = {_LOG.name: "server_seq", _ENTITIES.name: "last_server_seq"}


def _q(name: str) -> str:
    return quoted(PG, name)


def _source(table: Table, name: str) -> str:
    """The rows of parameter ``name`` as a relation ``s`` with ``table``'s columns and ``ord``."""
    defs = record_defs(PG, list(table.columns))
    return "json_to_recordset(CAST(%({0})s AS json)) AS s({1}, {2} bigint)".format(name, defs, _ORD)


def _values(table: Table) -> list[tuple[str, str]]:
    """Each column of ``table`` and the value written to it: the numbered one from the draw."""
    numbered = _NUMBERED[table.name]
    out = []
    for column in table.columns:
        value = "s.{0}".format(_q(column.name))
        if column.name == numbered:
            value = "COALESCE((SELECT base FROM drawn) + s.{0}, {1})".format(_ORD, value)
        out.append((_q(column.name), value))
    return out


def _insert(table: Table, name: str) -> str:
    values = _values(table)
    return "INSERT INTO {0} ({1}) SELECT {2} FROM {3} RETURNING 1".format(
        _q(table.name), ", ".join(c for c, _v in values), ", ".join(v for _c, v in values), _source(table, name)
    )


def _update(table: Table, name: str) -> str:
    keys = {_q(c.name) for c in table.primary_key.columns}
    sets = ", ".join("{0} = {1}".format(c, v) for c, v in _values(table) if c not in keys)
    match = " AND ".join("t.{0} = s.{0}".format(k) for k in sorted(keys))
    return "UPDATE {0} AS t SET {1} FROM {2} WHERE {3} RETURNING 1".format(
        _q(table.name), sets, _source(table, name), match
    )


@functools.cache
def _statement(present: tuple[str, ...]) -> str:
    """The statement for the parts ``present``, built once for each combination (psycopg prepares a statement
    it has run a few times, by its text)."""
    draw = "drawn AS (UPDATE {0} SET value = value + %(n)s WHERE name = %(counter)s RETURNING value - %(n)s AS base)"
    ctes = [draw.format(_q(_COUNTER.name))]
    builders = {"log": _insert(_LOG, "log"), "new": _insert(_ENTITIES, "new"), "changed": _update(_ENTITIES, "changed")}
    ctes += ["{0} AS ({1})".format(name, builders[name]) for name in present]
    logged = "(SELECT count(*) FROM log)" if "log" in present else "0"
    return "WITH {0} SELECT (SELECT base FROM drawn), {1}".format(", ".join(ctes), logged)
