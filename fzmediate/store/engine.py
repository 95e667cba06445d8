"""The SQLCipher engine: one encrypted SQLite file opened with a raw 256-bit key.

The key never goes into a URL or a statement that SQLAlchemy could log: a ``creator`` opens the DB-API
connection and keys it before SQLAlchemy sees it. ``hide_parameters=True`` keeps bound values (personal
data) out of exception text. See reference/encryption.md for the measurements behind each PRAGMA.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlcipher3
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.pool import StaticPool

from fzmediate.errors import StoreDamagedError
from fzmediate.i18n import _

KEY_BYTES = 32

# Applied on every connection after the key. WAL + synchronous=FULL: a commit that returned is on disk.
# temp_store=MEMORY: SQLCipher does not encrypt temp files. secure_delete: freed pages are zeroed.
_CONNECTION_PRAGMAS = (
    "PRAGMA journal_mode = WAL",
    "PRAGMA synchronous = FULL",
    "PRAGMA temp_store = MEMORY",
    "PRAGMA secure_delete = ON",
    "PRAGMA foreign_keys = ON",
    "PRAGMA busy_timeout = 5000",
)


def _key_pragma(pragma: str, key: bytes | bytearray) -> str:
    if len(key) != KEY_BYTES:
        raise ValueError("database key must be 32 bytes")
    return "PRAGMA {0} = \"x'{1}'\"".format(pragma, bytes(key).hex())


def connect_raw(path: Path, key: bytes | bytearray, *, configure: bool = True) -> Any:
    """Open and key a DB-API connection; raise StoreDamagedError if the file does not open with this key.

    The first real read is what fails on a wrong key or a damaged file (``PRAGMA key`` itself never fails),
    so we read ``sqlite_master`` before changing anything: a file that fails here is left byte-identical.
    """
    conn = sqlcipher3.dbapi2.connect(str(path), check_same_thread=False, isolation_level=None)
    try:
        conn.execute("PRAGMA cipher_log_level = NONE")
        conn.execute(_key_pragma("key", key))
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except (sqlcipher3.dbapi2.DatabaseError, sqlite3.DatabaseError) as exc:
        conn.close()
        raise StoreDamagedError(
            _("The database file cannot be read with this key: it is damaged, truncated or not ours.")
        ) from exc
    if configure:
        for pragma in _CONNECTION_PRAGMAS:
            conn.execute(pragma)
    return conn


def store_json(value: Any) -> str:
    """JSON columns as stored: Chinese text as itself (UTF-8, 3 bytes a character) rather than ``\\uXXXX``
    escapes (6, or 12 for a rare character outside the BMP), and no padding spaces. The encrypted pages hold
    only what the rows need; the text means the same either way. A lone surrogate (possible in JSON that came
    from elsewhere) cannot be stored as UTF-8: such a value keeps its escapes, which mean the same."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(value, separators=(",", ":"))
    return text


def create_store_engine(path: Path, key_provider: Callable[[], bytes | bytearray]) -> Engine:
    """An engine on the encrypted file; ``key_provider`` is asked for the key on every new connection.

    StaticPool: one connection shared by the single DB worker (the UI serialises all DB work on one thread,
    the CLI is single-threaded), so WAL readers never race our own writer.
    """

    def creator() -> Any:
        return connect_raw(path, key_provider())

    engine = create_engine(
        "sqlite://",
        module=sqlcipher3.dbapi2,
        creator=creator,
        poolclass=StaticPool,
        hide_parameters=True,
        json_serializer=store_json,
    )

    @event.listens_for(engine, "begin")
    def _begin_immediate(conn: Any) -> None:
        # Take the write lock at BEGIN so that two processes never deadlock upgrading a read transaction.
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    @event.listens_for(engine, "connect")
    def _no_pysqlite_transactions(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # SQLAlchemy emits BEGIN itself (see the begin listener)

    return engine


def rekey(conn: Any, new_key: bytes | bytearray) -> None:
    """Re-encrypt every page under ``new_key`` (``PRAGMA rekey``); the caller holds the only connection."""
    conn.execute(_key_pragma("rekey", new_key))


def execute_outside_transaction(engine: Engine, sql: str) -> list[Any]:
    """Run a PRAGMA that must not be inside a transaction (checkpoint, journal mode) on the pooled connection."""
    with engine.connect() as conn:
        dbapi = conn.connection.dbapi_connection
        assert dbapi is not None
        return list(dbapi.execute(sql).fetchall())
