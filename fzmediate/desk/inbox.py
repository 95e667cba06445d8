"""The desk's inbox of applications filed at kiosks: import a file, list (masked), reject with a reason.

Registering goes through the intake form pre-filled from the application (``fzmediate.desk.intake``), so an
application is checked like one on paper before it becomes a case.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from fzmediate.desk.token import CancelToken
from fzmediate.services.inbox_dto import PENDING, ImportResult, InboxEntry

if TYPE_CHECKING:
    from fzmediate.services.session import Session


def applications(session: Session, token: CancelToken, pending_only: bool = True) -> tuple[InboxEntry, ...]:
    """The inbox, masked, oldest first: pending applications (or every one)."""
    from fzmediate.services.intake_inbox import IntakeInbox

    return tuple(IntakeInbox(session).list(PENDING if pending_only else None))


def import_file(session: Session, token: CancelToken, path: str) -> ImportResult:
    """Import a file written by ``fzmediate kiosk export-applications`` (all or nothing; still sealed)."""
    from fzmediate.services.intake_inbox import IntakeInbox

    return IntakeInbox(session).import_file(Path(path))


def reject(session: Session, token: CancelToken, application_id: str, reason: str) -> None:
    from fzmediate.services.intake_inbox import IntakeInbox

    IntakeInbox(session).reject(application_id, reason)
