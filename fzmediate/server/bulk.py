"""Many rows in one statement: what a push writes (hundreds of log rows and entities a request).

On PostgreSQL new rows go in by ``COPY … FROM STDIN``, changed rows travel as one JSON array parameter unpacked
by ``json_to_recordset`` into an ``UPDATE … FROM``: one statement and one round trip, where an ``executemany``
sends a statement per row (psycopg pipelines them, but each is still parsed, planned and executed on its own, and
that was most of a push's database time). JSON columns keep the compact text they were given (``json`` rather
than ``jsonb``). SQLite is in-process: its ``executemany`` has no round trips to save and is used as it is.

Values pass through each column's type (:meth:`TypeEngine.bind_processor` semantics by way of
``process_bind_param`` for our :class:`~fzmediate.server.models.UTCDateTime`), so both paths store the same.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Collection, Iterator, Sequence
from datetime import datetime
from typing import Any, Final, cast

from pydantic_core import to_json
from sqlalchemy import Column, ColumnElement, Dialect, Table, any_, bindparam, insert, text, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import KeyedColumnElement
from sqlalchemy.types import JSON, DateTime, TypeDecorator

#: Values per ``IN (…)`` list on SQLite: well under its limit on bound parameters.
IN_CHUNK: Final = 500


def one_of(session: Session, column: KeyedColumnElement[Any], values: Collection[Any]) -> Iterator[ColumnElement[bool]]:
    """Conditions that together select the rows whose ``column`` is one of ``values`` (a query for each).

    PostgreSQL: one condition, ``column = ANY(:array)``, the values as one array parameter: the statement is the
    same whatever their number, so it is compiled and planned once (an ``IN`` list of 500 was rendered, parsed
    and converted value by value: a tenth of a push's server time). SQLite: ``IN`` lists of :data:`IN_CHUNK`."""
    unique = sorted(set(values))
    if not unique:
        return
    if _postgres(session):
        yield column == any_(bindparam(None, unique, type_=ARRAY(column.type)))
        return
    for start in range(0, len(unique), IN_CHUNK):
        yield column.in_(unique[start : start + IN_CHUNK])


class JsonTexts:
    """JSON values encoded once for the rows one transaction writes, by the value object (held, so that its id
    names it while this lives): a push stores each new entity's fields in its entity row and, as the same
    object, its change's payload in its log row."""

    def __init__(self) -> None:
        self._texts: dict[int, tuple[Any, str]] = {}

    def text(self, value: Any) -> str | None:
        if value is None:
            return None
        held = self._texts.get(id(value))
        if held is None:
            held = self._texts[id(value)] = (value, to_json(value).decode())
        return held[1]


def insert_rows(
    session: Session, model: type[Any], rows: Sequence[dict[str, Any]], json: JsonTexts | None = None
) -> None:
    """Insert ``rows`` (dicts keyed by column name, every row the same keys) into ``model``'s table; ``json``:
    where JSON values already encoded for another table of the transaction are found (PostgreSQL).

    PostgreSQL: ``COPY … FROM STDIN`` in the session's transaction, the values as each column stores them (the
    same conversions as :func:`update_rows`): PostgreSQL takes rows through COPY for about half the work of
    unpacking a JSON array, and a push writes its rows while it holds the device's lock, so the next push of that
    device waits on this (``json_to_recordset``: 13-14 ms for 500 log rows here, COPY 7.5 ms)."""
    table = _table(model)
    if not rows:
        return
    if not _postgres(session):
        session.execute(insert(table), list(rows))
        return
    dialect = session.get_bind().dialect
    columns = [table.c[name] for name in rows[0]]
    texts = json if json is not None else JsonTexts()
    converters = [(c.name, texts.text if isinstance(c.type, JSON) else _copy_converter(c, dialect)) for c in columns]
    names = ", ".join(_quoted(session, c.name) for c in columns)
    statement = "COPY {table} ({names}) FROM STDIN".format(table=_quoted(session, table.name), names=names)
    driver = session.connection().connection.driver_connection  # psycopg's, in the session's transaction
    assert driver is not None
    try:
        with driver.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row([convert(row[name]) if convert else row[name] for name, convert in converters])
    except dialect.loaded_dbapi.Error as exc:
        # As SQLAlchemy raises it for its own statements (a taken key is an IntegrityError, which
        # Database.transaction answers by running the transaction again), the values never in its text.
        raise DBAPIError.instance(statement, None, exc, dialect.loaded_dbapi.Error, hide_parameters=True) from None


def _copy_converter(column: Column[Any], dialect: Any) -> Callable[[Any], Any] | None:
    """How a value of ``column`` (not JSON) goes into COPY, or None when as it is: a decorated type's value as
    the type binds it (a UTC time made naive); psycopg writes times itself, faster than ``isoformat``."""
    kind = column.type
    if isinstance(kind, TypeDecorator):
        return functools.partial(kind.process_bind_param, dialect=dialect)
    return None


def update_rows(session: Session, model: type[Any], rows: Sequence[dict[str, Any]], keys: Sequence[str]) -> None:
    """Update the rows of ``model``'s table named by ``keys`` (column names; every row holds them) to ``rows``'
    values."""
    table = _table(model)
    if not rows:
        return
    if not _postgres(session):
        params = [{**row, **{"k_" + k: row[k] for k in keys}} for row in rows]
        values: dict[str, Any] = {name: bindparam(name) for name in rows[0] if name not in keys}
        where = [table.c[k] == bindparam("k_" + k) for k in keys]
        session.connection().execute(update(table).where(*where).values(values), params)
        return
    columns = [table.c[name] for name in rows[0]]
    sets = ", ".join("{0} = r.{0}".format(_quoted(session, c.name)) for c in columns if c.name not in keys)
    match = " AND ".join("t.{0} = r.{0}".format(_quoted(session, k)) for k in keys)
    sql = "UPDATE {table} AS t SET {sets} FROM json_to_recordset(CAST(:rows AS json)) AS r({defs}) WHERE {match}"
    dialect = session.get_bind().dialect
    defs = record_defs(dialect, columns)
    statement = sql.format(table=_quoted(session, table.name), sets=sets, defs=defs, match=match)
    session.execute(text(statement), {"rows": json_rows(dialect, columns, rows)})


def _table(model: type[Any]) -> Table:
    return cast(Table, model.__table__)


def _postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _quoted(session: Session, name: str) -> str:
    return quoted(session.get_bind().dialect, name)


def quoted(dialect: Dialect, name: str) -> str:
    """``name`` as an identifier in ``dialect``'s SQL."""
    return str(dialect.identifier_preparer.quote(name))


def record_defs(dialect: Dialect, columns: Sequence[Column[Any]]) -> str:
    """The column definitions of a ``json_to_recordset`` over rows of ``columns``: each value is read by its
    column type's input function (a text longer than a ``varchar(n)`` is refused, as an insert refuses it)."""
    return ", ".join("{0} {1}".format(quoted(dialect, c.name), c.type.compile(dialect=dialect)) for c in columns)


def json_rows(dialect: Dialect, columns: Sequence[Column[Any]], rows: Sequence[dict[str, Any]]) -> str:
    """The rows as one JSON array, each value as its column stores it (only the columns whose values need
    converting are touched: times; JSON and plain values are encoded as they are)."""
    converted = [(c.name, convert) for c in columns if (convert := _converter(c, dialect)) is not None]
    if converted:
        rows = [{**row, **{name: convert(row[name]) for name, convert in converted}} for row in rows]
    return to_json(list(rows)).decode()  # pydantic's encoder: several times the standard library's speed


def _converter(column: Column[Any], dialect: Any) -> Callable[[Any], Any] | None:
    """How a value of ``column`` goes into the JSON array, or None when it goes as it is."""
    kind = column.type
    if isinstance(kind, JSON):
        return None
    if isinstance(kind, TypeDecorator):

        def decorated(value: Any) -> Any:
            value = kind.process_bind_param(value, dialect)
            return value.isoformat() if isinstance(value, datetime) else value

        return decorated
    if isinstance(kind, DateTime):
        return _iso
    return None


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value
