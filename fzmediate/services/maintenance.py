"""Checks and backups of an unlocked store."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from fzmediate.security.audit import AuditRecord, to_record
from fzmediate.security.roles import Permission
from fzmediate.services.anchors import Anchor, check_anchors
from fzmediate.services.dto import BackupInfo, CheckReport
from fzmediate.services.store_trust import full_check
from fzmediate.store.models import AuditEvent

if TYPE_CHECKING:
    from fzmediate.services.backup import Progress
    from fzmediate.services.session import Session


class MaintenanceService:
    def __init__(self, session: Session) -> None:
        self._s = session

    def check(self, anchors: Sequence[Anchor] = (), *, deep: bool = False) -> CheckReport:
        """SQLite and SQLCipher page integrity, every role grant, the whole audit chain with every signature,
        and each anchor taken earlier (issued documents, head receipts) still in the chain."""
        self._s.require(Permission.CHECK)
        problems = list(self._s.db.integrity_problems(deep=deep))
        with self._s.read() as s:
            source = (self._s.db.path, bytes(self._s.db._current_key()))
            problems.extend(full_check(s, self._s.store_id, source=source))
            count = s.scalar(select(func.count()).select_from(AuditEvent)) or 0
        problems.extend(check_anchors(self._s, list(anchors)))
        return CheckReport(problems=tuple(problems), audit_events=count)

    def audit_tail(self, limit: int = 50) -> list[AuditRecord]:
        self._s.require(Permission.VIEW_AUDIT)
        with self._s.read() as s:
            rows = s.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(limit))
            return [to_record(e) for e in rows]

    def backup(self, out: Path, *, progress: Progress | None = None) -> BackupInfo:
        """Write an encrypted backup file (see ``fzmediate.services.backup``; ``progress``: bytes done, in all)."""
        self._s.require(Permission.BACKUP)
        from fzmediate.services.backup import write_backup

        with self._s.write("store.backup", "store", self._s.store_id):
            pass
        return write_backup(self._s, out, progress=progress)
