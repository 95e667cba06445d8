"""Sync with the district server, for the desk and the CLI: thin wrappers over ``fzmediate.sync.client``.

The network work and its rules live in ``fzmediate.sync``; this module adds what a screen shows about it
(:func:`status`: enrollment, cursors, what waits, open conflicts; counts and codes only, no personal data).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import httpx
from sqlalchemy import func, select

from fzmediate.security.permissions import may
from fzmediate.store.models import OutboxEntry, SyncConflict, SyncState
from fzmediate.sync.client import EnrollResult, SyncReport, enroll, sync
from fzmediate.sync.http import RetryPolicy

if TYPE_CHECKING:
    from fzmediate.desk.token import CancelToken
    from fzmediate.services.session import Session

__all__ = ["EnrollResult", "SyncReport", "SyncStatus", "enroll_desk", "run", "status"]


@dataclass(frozen=True)
class SyncStatus:
    enrolled: bool
    server_url: str = ""
    unit: str = ""
    unit_name: str = ""
    device_code: str = ""
    after: int = 0
    acked_through: int = 0
    waiting: int = 0
    open_conflicts: int = 0
    clock_offset_s: float = 0.0
    last_sync_at: datetime | None = None
    last_report: dict[str, Any] | None = None


def enroll_desk(
    session: Session,
    server_url: str,
    code: str,
    *,
    ca_pem: str | None = None,
    transport: httpx.BaseTransport | None = None,
) -> EnrollResult:
    """Enroll this desk (administrators, once): see ``fzmediate.sync.client.enroll``."""
    return enroll(session, server_url, code, transport=transport, ca_pem=ca_pem)


def run(
    session: Session,
    *,
    transport: httpx.BaseTransport | None = None,
    token: CancelToken | None = None,
    now: Callable[[], datetime] | None = None,
    retry: RetryPolicy | None = None,
) -> SyncReport:
    """One sync: push, pull, anchor (see ``fzmediate.sync.client.sync``)."""
    return sync(session, transport=transport, token=token, now=now, retry=retry)


def status(session: Session) -> SyncStatus:
    """Where sync stands on this desk (whoever may sync may see it)."""
    may(session, "sync.run").require()
    with session.read() as s:
        state = s.get(SyncState, 1)
        waiting = s.scalar(select(func.count()).select_from(OutboxEntry)) or 0
        if state is None:
            return SyncStatus(enrolled=False, waiting=waiting)
        conflicts = s.scalar(select(func.count()).select_from(SyncConflict).where(SyncConflict.resolved_at.is_(None)))
        return SyncStatus(
            enrolled=True,
            server_url=state.server_url,
            unit=state.unit,
            unit_name=state.unit_name,
            device_code=state.device_code,
            after=state.after,
            acked_through=state.acked_through,
            waiting=waiting,
            open_conflicts=conflicts or 0,
            clock_offset_s=state.clock_offset_s,
            last_sync_at=state.last_sync_at,
            last_report=dict(state.last_report) if state.last_report else None,
        )
