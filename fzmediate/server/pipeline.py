"""Statements sent to PostgreSQL in one round trip: psycopg's pipeline mode, on a pooled connection of its own
(:func:`run_pipeline`) or in a session's transaction (:func:`run_in_session`).

The server's busiest paths (a request's bookkeeping, a pull page's reads, a push's reads and writes) each run a
few short statements; through the ORM session each cost a round trip and SQLAlchemy's execution layers, together
about as much of the server's time as the work (docs/decisions.md, "The hot paths on PostgreSQL talk to psycopg
in pipelines"). Their SQL is SQLAlchemy's, compiled once (:class:`Compiled`); rows come back plain, times naive
(:func:`aware`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

from sqlalchemy.dialects.postgresql import psycopg
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from fzmediate.server.db import Database

#: The dialect the hot paths compile their SQL for (psycopg 3).
PG: Final = psycopg.dialect()  # type: ignore[no-untyped-call]


@dataclass(frozen=True)
class Compiled:
    """A Core statement as psycopg's SQL text, with the values it binds itself (a LIMIT)."""

    sql: str
    fixed: dict[str, Any]

    @classmethod
    def of(cls, statement: Any) -> Compiled:
        compiled = statement.compile(dialect=PG)
        return cls(str(compiled), dict(compiled.params))

    def params(self, **values: Any) -> dict[str, Any]:
        return {**self.fixed, **values}


@dataclass(frozen=True)
class Step:
    """One statement of a pipeline and its values; ``planned_each_time``: never prepared (a statement whose
    generic plan is poor, as a pull page's: fzmediate.server.page_reads.PAGE)."""

    statement: Compiled
    values: dict[str, Any]
    planned_each_time: bool = False


def run_pipeline(db: Database, steps: list[Step]) -> list[list[tuple[Any, ...]]]:
    """Run ``steps`` in one transaction on a pooled connection, sent together with its COMMIT (psycopg's
    pipeline mode: one round trip); each step's rows (none for a statement that returns none). An error is
    raised as SQLAlchemy raises its own, the values never in its text, and nothing is committed."""
    raw = db.engine.raw_connection()
    try:
        driver = raw.driver_connection
        assert driver is not None
        try:
            return _pipelined(driver, steps, commit=True, dbapi=db.engine.dialect.loaded_dbapi)
        except DBAPIError:
            raw.invalidate()  # its state after a failed pipeline is not worth reasoning about: a fresh one next time
            raise
    finally:
        raw.close()


def run_in_session(session: Session, steps: list[Step], *, commit: bool = False) -> list[list[tuple[Any, ...]]]:
    """Run ``steps`` in ``session``'s transaction in one round trip, and commit it with them when ``commit`` (the
    session must have flushed everything: its own commit then has nothing left to do); each step's rows. An error
    is raised as SQLAlchemy raises its own, the values never in its text; the caller rolls the session back (as
    :meth:`~fzmediate.server.db.Database.transaction` does, and runs it again when the error says so)."""
    driver = session.connection().connection.driver_connection  # psycopg's, in the session's transaction
    assert driver is not None
    return _pipelined(driver, steps, commit=commit, dbapi=session.get_bind().dialect.loaded_dbapi)


def _pipelined(driver: Any, steps: list[Step], *, commit: bool, dbapi: Any) -> list[list[tuple[Any, ...]]]:
    try:
        cursors = [driver.cursor() for _ in steps]
        with driver.pipeline():
            for cursor, step in zip(cursors, steps, strict=True):
                prepare = False if step.planned_each_time else None  # None: psycopg's own rule (the 5th time)
                cursor.execute(step.statement.sql, step.statement.params(**step.values), prepare=prepare)
            if commit:
                driver.commit()
        return [cursor.fetchall() if cursor.description is not None else [] for cursor in cursors]
    except dbapi.Error as exc:
        statement = "; ".join(step.statement.sql for step in steps)
        raise DBAPIError.instance(statement, None, exc, dbapi.Error, hide_parameters=True) from None


def naive(at: datetime) -> datetime:
    """A time as the tables store it (naive UTC, :class:`fzmediate.server.models.UTCDateTime`)."""
    return at.astimezone(UTC).replace(tzinfo=None)


def aware(at: datetime | None) -> datetime | None:
    """A stored time as the models read it (aware UTC)."""
    return None if at is None else at.replace(tzinfo=UTC)
