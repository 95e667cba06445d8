"""Checks and backups of an unlocked store."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from fzmediate.security.audit import AuditRecord, to_record, verify_chain
from fzmediate.security.roles import Permission
from fzmediate.services.dto import BackupInfo, CheckReport
from fzmediate.store.models import AuditEvent

if TYPE_CHECKING:
    from fzmediate.services.session import Session


class MaintenanceService:
    def __init__(self, session: Session) -> None:
        self._s = session

    def check(self) -> CheckReport:
        """SQLite and SQLCipher page integrity, then the whole audit chain."""
        self._s.require(Permission.CHECK)
        problems = list(self._s.db.integrity_problems())
        with self._s.read() as s:
            problems.extend(verify_chain(s))
            count = s.scalar(select(func.count()).select_from(AuditEvent)) or 0
        return CheckReport(problems=tuple(problems), audit_events=count)

    def audit_tail(self, limit: int = 50) -> list[AuditRecord]:
        self._s.require(Permission.VIEW_AUDIT)
        with self._s.read() as s:
            rows = s.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(limit))
            return [to_record(e) for e in rows]

    def backup(self, out: Path) -> BackupInfo:
        """Write an encrypted backup file (see ``fzmediate.services.backup``)."""
        self._s.require(Permission.BACKUP)
        from fzmediate.services.backup import write_backup

        with self._s.write("store.backup", "store", self._s.store_id):
            pass
        return write_backup(self._s, out)
