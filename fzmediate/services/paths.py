"""The files of one data directory."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

#: Folder name prefixes of work in progress inside the data directory (removed at the next start if stale).
STAGING_PREFIX = ".restore-"
BACKUP_WORK_PREFIX = ".fzbackup-"


@dataclass(frozen=True)
class StorePaths:
    root: Path

    @property
    def db(self) -> Path:
        return self.root / "fzmediate.db"

    @property
    def slots(self) -> Path:
        return self.root / "keyslots.json"

    @property
    def pending_slots(self) -> Path:
        """Slots for a new database key, written before a re-key and promoted after it."""
        return self.root / "keyslots.pending.json"

    @property
    def attempts(self) -> Path:
        return self.root / "unlock-attempts.json"

    @property
    def backups(self) -> Path:
        return self.root / "backups"

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    @property
    def lock(self) -> Path:
        return self.root / ".lock"

    @property
    def restore_intent(self) -> Path:
        """Written when a restore's swap begins, removed when it is complete (see ``store_swap``)."""
        return self.root / "restore-intent.json"

    def db_companions(self) -> list[Path]:
        """The database and the files SQLite keeps beside it. They belong to that one database: a WAL or a
        hot rollback journal applied to another database file destroys it, so they always move together."""
        return [self.db, *(self.db.with_name(self.db.name + suffix) for suffix in ("-wal", "-shm", "-journal"))]

    def store_files(self) -> list[Path]:
        """Every file that makes up the store: what a restore moves aside, as one set."""
        return [*self.db_companions(), self.slots, self.pending_slots]

    def staged_names(self) -> tuple[str, ...]:
        """What a prepared store consists of, in the order it is moved in (the slot file, the sign that a
        store exists, last)."""
        return (self.db.name, self.slots.name)
