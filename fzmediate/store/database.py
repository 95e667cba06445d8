"""An open encrypted store: engine, migrations and units of work."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from fzmediate.errors import LockedError, StoreDamagedError
from fzmediate.i18n import _
from fzmediate.security.crashpoints import crashpoint
from fzmediate.security.keyslots import wipe
from fzmediate.store.engine import connect_raw, create_store_engine, execute_outside_transaction, rekey
from fzmediate.store.migrate import upgrade_to_head


class Database:
    """The SQLCipher database of one data directory, open with the key held in ``self._key``.

    ``close()`` disposes every connection and wipes the key buffer: after it, any use raises LockedError.
    """

    def __init__(self, path: Path, key: bytearray) -> None:
        self.path = path
        self._key: bytearray | None = key
        self.engine: Engine = create_store_engine(path, self._current_key)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @staticmethod
    def probe(path: Path, key: bytes | bytearray) -> None:
        """Raise StoreDamagedError unless ``path`` exists and opens with ``key`` (reads only).

        SQLite would treat a missing or empty file as a new database, so those are refused here; a file cut
        short fails SQLite's own page-count check on the first read inside ``connect_raw``.
        """
        if not path.is_file() or path.stat().st_size == 0:
            raise StoreDamagedError(
                _("The database file is missing, truncated or damaged. Restore it from a backup; nothing was changed.")
            )
        connect_raw(path, key, configure=False).close()

    def _current_key(self) -> bytearray:
        if self._key is None:
            raise LockedError(_("The store is locked. Unlock it to continue."))
        return self._key

    @property
    def is_open(self) -> bool:
        return self._key is not None

    def migrate(self, backup_dir: Path) -> Path | None:
        return upgrade_to_head(self.engine, self.path, backup_dir)

    @contextmanager
    def unit_of_work(self) -> Iterator[Session]:
        """One transaction: commits when the block ends, rolls back everything if it raises."""
        self._current_key()
        session = self._sessions()
        try:
            with session.begin():
                yield session
        finally:
            session.close()

    @contextmanager
    def reader(self) -> Iterator[Session]:
        """A read-only unit of work (rolled back at the end)."""
        self._current_key()
        session = self._sessions()
        try:
            yield session
        finally:
            session.rollback()
            session.close()

    def integrity_problems(self, *, deep: bool = False) -> list[str]:
        """``cipher_integrity_check`` (HMAC of every page) and ``quick_check`` (every page and b-tree), localized;
        ``deep`` runs ``integrity_check`` instead, which also compares every index with its table.

        The HMAC of every page already catches any byte changed in the file; the index comparison guards only
        against SQLite's own bugs and costs ten times as long (39 s against 4 s on a 550 MB store)."""
        problems: list[str] = []
        # cipher_integrity_check reads the main file only: fold committed WAL frames into it first.
        execute_outside_transaction(self.engine, "PRAGMA wal_checkpoint(TRUNCATE)")
        pragma = "PRAGMA integrity_check" if deep else "PRAGMA quick_check"
        rows = [str(r[0]) for r in execute_outside_transaction(self.engine, pragma)]
        if rows != ["ok"]:
            problems.append(_("SQLite integrity check failed: {detail}").format(detail="; ".join(rows[:5])))
        cipher = execute_outside_transaction(self.engine, "PRAGMA cipher_integrity_check")
        if cipher:
            problems.append(
                _("Encrypted page check failed ({count} pages): the file was altered or damaged.").format(
                    count=len(cipher)
                )
            )
        return problems

    def rekey(self, new_key: bytearray) -> None:
        """Re-encrypt the whole file under ``new_key``; on success the old key buffer is wiped."""
        with self.engine.connect() as conn:
            dbapi = conn.connection.dbapi_connection
            assert dbapi is not None
            try:
                # Re-key in rollback-journal mode (SQLCipher's documented path): every page is rewritten
                # under the new key in one journaled transaction, then WAL mode is restored.
                dbapi.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                dbapi.execute("PRAGMA journal_mode = DELETE")
                crashpoint("rekey.journal-mode")
                rekey(dbapi, new_key)
                crashpoint("rekey.pages-rewritten")
                dbapi.execute("PRAGMA journal_mode = WAL")
            except Exception as exc:
                raise StoreDamagedError(_("Re-encrypting the database failed; it still uses the old key.")) from exc
        old, self._key = self._key, new_key
        if old is not None:
            wipe(old)

    def export_to(self, target: Path) -> None:
        """Write a consistent encrypted copy (same key) to ``target`` with ``sqlcipher_export``."""
        key_hex = bytes(self._current_key()).hex()
        with self.engine.connect() as conn:
            dbapi = conn.connection.dbapi_connection
            assert dbapi is not None
            # ATTACH cannot take a bound parameter for KEY; the key is hex we produced, the path is quoted.
            quoted = str(target).replace("'", "''")
            dbapi.execute("ATTACH DATABASE '{0}' AS export KEY \"x'{1}'\"".format(quoted, key_hex))
            try:
                dbapi.execute("SELECT sqlcipher_export('export')")
            finally:
                dbapi.execute("DETACH DATABASE export")

    def close(self) -> None:
        self.engine.dispose()
        if self._key is not None:
            wipe(self._key)
            self._key = None
