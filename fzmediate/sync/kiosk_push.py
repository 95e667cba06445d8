"""A kiosk and the district server: enrollment, the push of its sealed applications, the catalogue.

docs/sync-protocol.md, "Kiosk applications". The kiosk enrolls like a desk (``fzmediate.sync.client.
enroll_store``: the device's Ed25519 key is made inside the kiosk's encrypted store, which the staff password
opens) with a code district IT issued for the role ``kiosk``. It holds no case key and no intake private key:
it can only push what it sealed, pull the district's catalogue and send its audit head (:func:`sync_kiosk`).

:func:`sync_kiosk` sends the applications waiting on the kiosk (those not yet exported or sent), the
sealed bytes exactly as ``kiosk export-applications`` writes them, with the routing data the kiosk kept in
clear: the matter code, the sealed-to key's id and fingerprint, and the key file's unit when it names one. The
server answers each ``accepted``, ``duplicate`` (it held it already: an answer lost before) or ``rejected``
(with a reason). Accepted and duplicate applications are marked sent in one transaction with their audit
event; like exported ones they are kept (sealed, so keeping them costs no privacy), and ``kiosk status``
counts them as handed over; ``export-applications --all`` can still write them to a file. A sent application
has ``exported_at`` set and an export count of 0 until a file carries it too. Refused ones stay waiting: the
export file is the fallback. One larger than ``MAX_SEALED_SYNC_BYTES`` never goes by sync (it goes by file).
Only counts and codes are logged.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pydantic import ValidationError as PydanticError
from sqlalchemy import select

from fzmediate.i18n import _
from fzmediate.security import sealed_box as box
from fzmediate.security.audit import head
from fzmediate.store.models import KioskOfficeKeyRow, KioskOutboxRow
from fzmediate.sync.acks import naive
from fzmediate.sync.application_protocol import (
    APPLICATIONS_PATH,
    MAX_PUSH_APPLICATIONS,
    MAX_SEALED_SYNC_BYTES,
    UNIT_PATTERN,
    ApplicationPushRequest,
    ApplicationPushResponse,
    SealedApplication,
    sealed_text,
)
from fzmediate.sync.catalogue_pull import pull_catalogue
from fzmediate.sync.client import EnrollResult, NotEnrolledError, enroll_store, enrolled
from fzmediate.sync.http import Channel, RetryPolicy, answer_error, http_client
from fzmediate.sync.protocol import MAX_BODY_BYTES, AnchorRequest

if TYPE_CHECKING:
    from fzmediate.services.kiosk import KioskService

log = logging.getLogger(__name__)

_ENVELOPE: Final = len(b'{"applications":[]}')
_UNIT: Final = re.compile(UNIT_PATTERN)


@dataclass(frozen=True)
class KioskPushReport:
    """What one kiosk sync did: counts and codes only (kept in ``sync_state.last_report``)."""

    #: Applications the server took for their units this time.
    sent: int = 0
    #: Applications the server held already (a push whose answer was lost): now marked sent too.
    duplicate: int = 0
    #: Refused by the server (they stay waiting; ``reasons`` counts the codes).
    refused: int = 0
    #: Too large to go by sync: they wait for an export file.
    too_large: int = 0
    #: Applications still waiting on the kiosk after this sync.
    waiting: int = 0
    reasons: dict[str, int] = field(default_factory=dict)
    #: Catalogue versions installed from the district server by this sync (0 or 1).
    catalogue: int = 0
    clock_offset_s: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def enroll_kiosk(
    kiosk: KioskService,
    server_url: str,
    code: str,
    *,
    transport: httpx.BaseTransport | None = None,
    ca_pem: str | None = None,
    label: str = "",
    retry: RetryPolicy | None = None,
) -> EnrollResult:
    """Enroll this kiosk with a one-time code district IT issued for a kiosk (kiosk staff; once)."""
    already = _("This kiosk is already enrolled with a district server; nothing was changed.")
    return enroll_store(
        kiosk,
        server_url,
        code,
        role="kiosk",
        already=already,
        transport=transport,
        ca_pem=ca_pem,
        label=label,
        retry=retry,
    )


def sync_kiosk(
    kiosk: KioskService,
    *,
    transport: httpx.BaseTransport | None = None,
    now: Callable[[], datetime] | None = None,
    retry: RetryPolicy | None = None,
) -> KioskPushReport:
    """One kiosk sync: send the waiting sealed applications and mark those the server holds as sent, install
    the district's newer catalogue if it publishes one (``fzmediate.sync.catalogue_pull``), send the audit head.
    All a kiosk may do at the server."""
    with kiosk.read() as s:
        state = enrolled(s)
        if state is None:
            raise NotEnrolledError(
                _("This kiosk is not enrolled with a district server: kiosk staff run fzmediate kiosk enroll first.")
            )
        server_url, key_raw, ca_pem, offset = state.server_url, state.device_key, state.ca_pem, state.clock_offset_s
        keys = {
            k.key_id: (k.unit if _UNIT.fullmatch(k.unit) else None, box.key_fingerprint(box.unb64(k.public_key)))
            for k in s.scalars(select(KioskOfficeKeyRow))
        }
    clock = now if now is not None else kiosk.now
    counts: dict[str, int] = {"sent": 0, "duplicate": 0, "refused": 0, "too_large": 0}
    reasons: dict[str, int] = {}
    with http_client(server_url, transport=transport, ca_pem=ca_pem) as client:
        channel = Channel(
            client,
            now=clock,
            offset_s=offset,
            device_id=kiosk.device_id,
            key=Ed25519PrivateKey.from_private_bytes(key_raw),
            retry=retry,
        )
        after = ""
        while True:
            batch, after, too_large, seen = _next_batch(kiosk, keys, after)
            counts["too_large"] += too_large
            if not seen:
                break
            if not batch:
                continue  # a page of applications that go by file only: look further
            body = ApplicationPushRequest(applications=batch).model_dump_json().encode()
            answer = _parse(channel.call("POST", APPLICATIONS_PATH, body=body))
            _mark_sent(kiosk, answer, {a.application_id for a in batch}, counts, reasons, clock)
        catalogue = pull_catalogue(kiosk, channel)  # verified against the district's key, like a desk's
        with kiosk.read() as s:
            seq, digest = head(s)
        channel.call("POST", "/v1/sync/anchor", body=AnchorRequest(seq=seq, hash=digest).model_dump_json().encode())
    report = KioskPushReport(
        **counts,
        waiting=kiosk.status().pending,
        reasons=reasons,
        catalogue=1 if catalogue.installed is not None else 0,
        clock_offset_s=round(channel.offset_s, 3),
    )
    with kiosk.write("kiosk.sync", "store", kiosk.store_id, dict(counts)) as s:
        row = enrolled(s)
        assert row is not None
        row.last_sync_at = naive(clock())
        row.last_report = report.as_dict()
        row.clock_offset_s = channel.offset_s
    log.info(
        "kiosk sync done: sent %d, duplicate %d, refused %d, too large %d",
        report.sent,
        report.duplicate,
        report.refused,
        report.too_large,
    )
    return report


def _next_batch(
    kiosk: KioskService, keys: dict[str, tuple[str | None, str]], after: str
) -> tuple[list[SealedApplication], str, int, int]:
    """The next waiting applications after id ``after`` that fit one request; the last id looked at; how many
    of those were too large to go by sync; how many were looked at."""
    batch: list[SealedApplication] = []
    size = _ENVELOPE
    too_large = seen = 0
    with kiosk.read() as s:
        rows = s.scalars(
            select(KioskOutboxRow)
            .where(KioskOutboxRow.exported_at.is_(None), KioskOutboxRow.application_id > after)
            .order_by(KioskOutboxRow.application_id)
            .limit(MAX_PUSH_APPLICATIONS)
        )
        for row in rows:
            seen += 1
            if len(row.sealed) > MAX_SEALED_SYNC_BYTES or row.office_key_id not in keys:
                too_large += 1  # (a key row is never deleted: the second test is a guard only)
                after = row.application_id
                continue
            unit, fingerprint = keys[row.office_key_id]
            item = SealedApplication(
                application_id=row.application_id,
                office_key_id=row.office_key_id,
                key_fingerprint=fingerprint,
                unit=unit,
                matter_code=row.matter_code or None,
                sha256=row.sha256,
                sealed=sealed_text(row.sealed),
            )
            n = len(item.model_dump_json()) + 1
            if batch and size + n > MAX_BODY_BYTES:
                break
            batch.append(item)
            size += n
            after = row.application_id
    return batch, after, too_large, seen


def _parse(response: httpx.Response) -> ApplicationPushResponse:
    try:
        return ApplicationPushResponse.model_validate_json(response.content)
    except (PydanticError, ValueError):
        raise answer_error("bad_answer") from None


def _mark_sent(
    kiosk: KioskService,
    answer: ApplicationPushResponse,
    sent: set[str],
    counts: dict[str, int],
    reasons: dict[str, int],
    clock: Callable[[], datetime],
) -> None:
    """Mark what the server holds as sent (one transaction, audited with counts); count the refusals."""
    held: list[str] = []
    for result in answer.results:
        if result.application_id not in sent:
            continue  # not ours to mark: the server answered about something this batch did not carry
        if result.status == "rejected":
            counts["refused"] += 1
            code = result.reason or "rejected"
            reasons[code] = reasons.get(code, 0) + 1
            continue
        counts["sent" if result.status == "accepted" else "duplicate"] += 1
        held.append(result.application_id)
    if not held:
        return
    at = clock().astimezone(UTC).replace(tzinfo=None)
    with kiosk.write("kiosk.push", "application", "*", {"applications": len(held)}) as s:
        for row in s.scalars(select(KioskOutboxRow).where(KioskOutboxRow.application_id.in_(held))):
            if row.exported_at is None:
                row.exported_at = at  # kept, like an exported application; ``exports`` stays: no file has it
