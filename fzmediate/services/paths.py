"""The files of one data directory."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


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

    def db_companions(self) -> list[Path]:
        return [self.db, self.db.with_name(self.db.name + "-wal"), self.db.with_name(self.db.name + "-shm")]
