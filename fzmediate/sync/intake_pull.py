"""The desk takes in the applications kiosks pushed for its unit (docs/sync-protocol.md, "Kiosk applications").

Part of every sync (``fzmediate.sync.client.sync``), after the pull: the desk asks for the waiting applications
sealed to the intake keys it holds (``POST /v1/sync/applications/fetch``), stores them through the very path
of ``fzmediate intake import`` (``IntakeInbox.import_file``, on the entries the export file would carry), so
they show in ``intake list`` and on the Today screen, and then acknowledges them (``…/ack``): the server hands
them to no other desk and drops their bytes. The import is idempotent by application id, so a lost
acknowledgement costs nothing: the next sync fetches them again, finds them here and acknowledges again.

One application that does not import (its box does not open with this office's key for a user who holds it)
does not hold back the others: it is counted as an error, left unacknowledged at the server (claimed by this
desk for a while, then free for another desk of the unit) and not asked for again in this sync.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from pydantic import BaseModel
from pydantic import ValidationError as PydanticError

from fzmediate.errors import SealedApplicationError
from fzmediate.security.permissions import may
from fzmediate.services.intake_inbox import IntakeInbox
from fzmediate.services.kiosk import EXPORT_FORMAT, EXPORT_VERSION
from fzmediate.sync.application_protocol import (
    ACK_PATH,
    FETCH_PATH,
    MAX_KEY_IDS,
    ApplicationAckRequest,
    ApplicationAckResponse,
    ApplicationFetchRequest,
    ApplicationFetchResponse,
    WaitingApplication,
)
from fzmediate.sync.http import Channel, SyncError, answer_error

if TYPE_CHECKING:
    from fzmediate.desk.token import CancelToken
    from fzmediate.services.session import Session

log = logging.getLogger(__name__)

M = TypeVar("M", bound=BaseModel)
#: A server from before kiosk applications answers 404: that is "nothing waits", not a failed sync.
_NO_ENDPOINT = frozenset({"not_found", "http_404"})


@dataclass
class IntakePulled:
    """Counts of one fetch: applications added to the inbox, already there, and not importable."""

    imported: int = 0
    already: int = 0
    errors: int = 0


def pull_applications(
    session: Session, channel: Channel, token: CancelToken | None = None, *, waiting: int | None = None
) -> IntakePulled:
    """Fetch, import and acknowledge the applications waiting for this desk (see the module docstring).

    Nothing to do for a user who may not import applications, a desk that never made an intake key (no kiosk
    can have sealed anything to it), or when the pull's hints said none wait (``waiting`` 0; None: not said)."""
    counts = IntakePulled()
    if waiting == 0 or not may(session, "intake.import"):
        return counts
    inbox = IntakeInbox(session)
    key_ids = sorted(inbox.keys.known_key_ids(), reverse=True)[:MAX_KEY_IDS]  # time-ordered ids: newest first
    if not key_ids:
        return counts
    request = ApplicationFetchRequest(key_ids=key_ids).model_dump_json().encode()
    failed: set[str] = set()
    while token is None or not token.cancelled:
        try:
            response = channel.call("POST", FETCH_PATH, body=request)
        except SyncError as exc:
            if exc.code in _NO_ENDPOINT:
                return counts
            raise
        page: ApplicationFetchResponse = _parse(ApplicationFetchResponse, response.content)
        fresh = [a for a in page.applications if a.application_id not in failed]
        if not fresh:
            break
        stored = _import(inbox, fresh, counts)
        failed.update(a.application_id for a in fresh if a.application_id not in stored)
        if stored:
            body = ApplicationAckRequest(application_ids=sorted(stored)).model_dump_json().encode()
            _parse(ApplicationAckResponse, channel.call("POST", ACK_PATH, body=body).content)
        if not page.more:
            break
    if counts.imported or counts.errors:
        log.info("kiosk applications fetched: %d new, %d not importable", counts.imported, counts.errors)
    return counts


def _parse(model: type[M], content: bytes) -> M:
    try:
        return model.model_validate_json(content)
    except (PydanticError, ValueError):
        raise answer_error("bad_answer") from None


def export_body(kiosk_device_id: str, applications: Iterable[WaitingApplication]) -> bytes:
    """The applications as a kiosk's export file carries them (``KioskService.export_applications``)."""
    return json.dumps(
        {
            "format": EXPORT_FORMAT,
            "version": EXPORT_VERSION,
            "kiosk_device_id": kiosk_device_id,
            "applications": [
                {
                    "application_id": a.application_id,
                    "office_key_id": a.office_key_id,
                    "sealed": a.sealed,
                    "sha256": a.sha256,
                }
                for a in applications
            ],
        }
    ).encode("ascii")


def _import(inbox: IntakeInbox, applications: list[WaitingApplication], counts: IntakePulled) -> set[str]:
    """Import ``applications`` (per kiosk, as one file each); the ids now in the inbox."""
    by_kiosk: dict[str, list[WaitingApplication]] = {}
    for a in applications:
        by_kiosk.setdefault(a.kiosk_device_id, []).append(a)
    stored: set[str] = set()
    for kiosk, group in by_kiosk.items():
        try:
            result = inbox.import_file(export_body(kiosk, group))
        except SealedApplicationError:  # all or nothing per file: take them one by one, keep the good ones
            for a in group:
                try:
                    one = inbox.import_file(export_body(kiosk, [a]))
                except SealedApplicationError:
                    counts.errors += 1
                    continue
                counts.imported += one.added
                counts.already += one.already
                stored.add(a.application_id)
            continue
        counts.imported += result.added
        counts.already += result.already
        stored.update(a.application_id for a in group)
    return stored
