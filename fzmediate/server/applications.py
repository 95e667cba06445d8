"""Kiosk applications at the server: kept for the responsible unit, handed to a desk of it, then forgotten.

docs/sync-protocol.md, "Kiosk applications". The server never opens an application (it holds no intake key);
it routes by what the kiosk sent in clear and checks that routing against the unit tree and the catalogue:

- :func:`receive` (kiosks): each application is ``accepted``, ``duplicate`` (its id is held with the same
  SHA-256: a retried push) or ``rejected`` with a reason — ``hash_mismatch`` (the bytes do not match the SHA-256
  sent, or are too short to be a sealed box), ``id_reused`` (the id is held with other content),
  ``unknown_unit`` (the unit named is not the district's), ``unit_scope`` (the unit named is neither the
  kiosk's own unit nor one above it: a community's kiosk files for its street office, not for another street),
  ``unknown_matter`` (not a matter of the catalogue), ``matter_unit`` (the catalogue does not give the matter to
  that unit). The catalogue is the newest the server knows: the one the district published, or the one this
  build ships when that is newer. Without a unit named, the application goes to the kiosk's own unit, or for a
  community's kiosk to the street office above it (the unit that issues; a community never does).
- :func:`fetch` (desks): the waiting applications of the desk's unit sealed to the intake keys the desk names,
  oldest first, claimed for ``CLAIM_TTL`` so that another desk of the unit does not take them meanwhile.
- :func:`acknowledge` (desks): the desk stored them; they are handed out no more and their bytes are dropped.
  The row stays (without the bytes) so that a retried push is still recognised as a duplicate.

Nothing here logs or answers with anything but ids, codes and counts.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Mapping
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any, Final

from sqlalchemy import bindparam, func, or_, select
from sqlalchemy.orm import Session

from fzmediate.catalogue.bundle import BundleError, load_shipped_bundle, validate_payload
from fzmediate.catalogue.model import Bundle
from fzmediate.security import sealed_box as box
from fzmediate.server.auth import Caller
from fzmediate.server.catalogue import bundle_bytes, newest
from fzmediate.server.db import Database
from fzmediate.server.models import KioskApplication, Unit
from fzmediate.sync.application_protocol import (
    MAX_FETCH_BYTES,
    ApplicationAckRequest,
    ApplicationAckResponse,
    ApplicationFetchRequest,
    ApplicationFetchResponse,
    ApplicationPushRequest,
    ApplicationPushResponse,
    ApplicationResult,
    Reason,
    SealedApplication,
    WaitingApplication,
    sealed_text,
)

log = logging.getLogger(__name__)

#: How long a desk's fetch keeps applications from the other desks of its unit (time to store and acknowledge).
CLAIM_TTL: Final = timedelta(minutes=15)
#: Units above a unit looked at, at most (the district's tree is three levels deep).
_MAX_DEPTH: Final = 8


def _units_of(bundle: Bundle) -> Mapping[str, frozenset[str]]:
    return {m.code: frozenset(u.unit for u in m.implementing_units) for m in bundle.matters}


@lru_cache(maxsize=1)
def _shipped() -> tuple[str, int, Mapping[str, frozenset[str]]]:
    bundle = load_shipped_bundle().bundle
    return bundle.bundle_id, bundle.version, _units_of(bundle)


#: Matters of published catalogues read so far, by (bundle_id, version, digest): a catalogue is read once.
_PUBLISHED: dict[tuple[str, int, str], Mapping[str, frozenset[str]]] = {}


def _read_published(raw: bytes) -> Mapping[str, frozenset[str]] | None:
    """The matters of a bundle file the district published (verified when it was published), or None."""
    try:
        return _units_of(validate_payload(json.loads(raw)["bundle"]))
    except (BundleError, ValueError, KeyError, TypeError):
        log.warning("the published catalogue could not be read; matters are checked against the shipped one")
        return None


def matter_units(db: Database) -> Mapping[str, frozenset[str]]:
    """Matter code → the units that implement it, from the newest catalogue the server knows: the one the
    district published (``fzmediate-server publish-catalogue``, which kiosks pull) or the one this build ships,
    whichever is newer."""
    bundle_id, version, shipped = _shipped()
    head = newest(db)
    if head is None or head.bundle_id != bundle_id or head.version <= version:
        return shipped
    key = (head.bundle_id, head.version, head.digest)
    if key not in _PUBLISHED:
        raw = bundle_bytes(db, head)
        read = _read_published(raw) if raw is not None else None
        if read is None:
            return shipped
        _PUBLISHED[key] = read
    return _PUBLISHED[key]


def _lineage(session: Session, code: str) -> list[Unit]:
    """The unit ``code`` and the units above it, nearest first (empty when the unit is unknown)."""
    out: list[Unit] = []
    seen: set[str] = set()
    current: str | None = code
    while current and current not in seen and len(out) < _MAX_DEPTH:
        seen.add(current)
        unit = session.get(Unit, current)
        if unit is None:
            break
        out.append(unit)
        current = unit.parent
    return out


def _route(
    session: Session, lineage: list[Unit], application: SealedApplication, matters: Mapping[str, frozenset[str]]
) -> tuple[str | None, Reason | None]:
    """The unit the application goes to, or the reason it cannot go anywhere."""
    if application.unit is not None:
        if session.get(Unit, application.unit) is None:
            return None, "unknown_unit"
        if application.unit not in {u.code for u in lineage}:
            return None, "unit_scope"
        target = application.unit
    else:
        issuing = [u for u in lineage if u.kind != "community"]
        if not lineage:
            return None, "unknown_unit"
        target = (issuing or lineage)[0].code
    if application.matter_code is not None:
        units = matters.get(application.matter_code)
        if units is None:
            return None, "unknown_matter"
        if target not in units:
            return None, "matter_unit"
    return target, None


def _decoded(application: SealedApplication) -> bytes | None:
    """The sealed bytes when they match the SHA-256 sent and can be a sealed box; None otherwise."""
    try:
        sealed = box.unb64(application.sealed)
    except ValueError:
        return None
    if len(sealed) <= box.OVERHEAD or hashlib.sha256(sealed).hexdigest() != application.sha256:
        return None
    return sealed


def receive(db: Database, caller: Caller, request: ApplicationPushRequest) -> ApplicationPushResponse:
    """Keep a kiosk's applications for their units (see the module docstring), in one transaction."""
    decoded = [(a, _decoded(a)) for a in request.applications]  # hashing outside the transaction
    matters = matter_units(db)

    def work(session: Session) -> list[ApplicationResult]:
        now = db.now()
        lineage = _lineage(session, caller.unit)
        results: list[ApplicationResult] = []
        for application, sealed in decoded:
            results.append(_take(session, caller, lineage, matters, application, sealed, now))
        return results

    results = db.transaction(work)
    log.info(
        "kiosk applications: %d accepted, %d duplicate, %d rejected",
        *(sum(r.status == s for r in results) for s in ("accepted", "duplicate", "rejected")),
    )
    return ApplicationPushResponse(results=results, server_time=db.now())


def _take(
    session: Session,
    caller: Caller,
    lineage: list[Unit],
    matters: Mapping[str, frozenset[str]],
    application: SealedApplication,
    sealed: bytes | None,
    now: datetime,
) -> ApplicationResult:
    aid = application.application_id
    if sealed is None:
        return ApplicationResult(application_id=aid, status="rejected", reason="hash_mismatch")
    held = session.get(KioskApplication, aid)
    if held is not None:
        if held.sha256 != application.sha256:
            return ApplicationResult(application_id=aid, status="rejected", reason="id_reused")
        return ApplicationResult(application_id=aid, status="duplicate", unit=held.unit)
    target, reason = _route(session, lineage, application, matters)
    if target is None:
        return ApplicationResult(application_id=aid, status="rejected", reason=reason)
    session.add(
        KioskApplication(
            application_id=aid,
            unit=target,
            kiosk_device_id=caller.device_id,
            kiosk_unit=caller.unit,
            office_key_id=application.office_key_id,
            key_fingerprint=application.key_fingerprint,
            matter_code=application.matter_code,
            sha256=application.sha256,
            size=len(sealed),
            sealed=sealed,
            received_at=now,
            claimed_by=None,
            claimed_until=None,
            acked_at=None,
            acked_by=None,
        )
    )
    session.flush()  # a second entry of the same id in this request is then a duplicate
    return ApplicationResult(application_id=aid, status="accepted", unit=target)


#: Applications a desk may take now: its unit's, not acknowledged, claimed by no other desk (or no longer); the
#: values bound at execution (:func:`claimable`). Every pull's hints count them: a condition built per request
#: had its statement's cache key worked out again each time.
_CLAIMABLE: Final = (
    KioskApplication.unit == bindparam("claim_unit"),
    KioskApplication.acked_at.is_(None),
    or_(
        KioskApplication.claimed_by.is_(None),
        KioskApplication.claimed_by == bindparam("claim_device"),
        KioskApplication.claimed_until < bindparam("claim_now", type_=KioskApplication.claimed_until.type),
    ),
)


def claimable(caller: Caller, now: datetime) -> dict[str, Any]:
    """The values of :data:`_CLAIMABLE` for ``caller`` at ``now``."""
    return {"claim_unit": caller.unit, "claim_device": caller.device_id, "claim_now": now}


def waiting(session: Session, caller: Caller, now: datetime) -> int:
    """How many applications ``caller`` could fetch now, whatever key they are sealed to (a pull's hint)."""
    return session.connection().scalar(WAITING, claimable(caller, now)) or 0


WAITING: Final = select(func.count()).select_from(KioskApplication).where(*_CLAIMABLE)


def fetch(db: Database, caller: Caller, request: ApplicationFetchRequest) -> ApplicationFetchResponse:
    """The waiting applications of the desk's unit sealed to the keys it names; claimed for ``CLAIM_TTL``."""

    def work(session: Session) -> tuple[list[WaitingApplication], bool]:
        now = db.now()
        query = (
            select(KioskApplication)
            .where(*_CLAIMABLE, KioskApplication.office_key_id.in_(set(request.key_ids)))
            .order_by(KioskApplication.received_at, KioskApplication.application_id)
            .limit(request.limit + 1)
            .with_for_update(skip_locked=True)  # two desks fetching at once take different rows
        )
        rows = list(session.scalars(query, claimable(caller, now)))
        taken: list[WaitingApplication] = []
        size = 0
        for row in rows[: request.limit]:
            if row.sealed is None:
                continue
            if taken and size + row.size > MAX_FETCH_BYTES:
                break
            size += row.size
            row.claimed_by, row.claimed_until = caller.device_id, now + CLAIM_TTL
            taken.append(
                WaitingApplication(
                    application_id=row.application_id,
                    kiosk_device_id=row.kiosk_device_id,
                    office_key_id=row.office_key_id,
                    key_fingerprint=row.key_fingerprint,
                    matter_code=row.matter_code,
                    sha256=row.sha256,
                    sealed=sealed_text(row.sealed),
                    received_at=row.received_at,
                )
            )
        return taken, len(rows) > len(taken)

    taken, more = db.transaction(work)
    return ApplicationFetchResponse(applications=taken, more=more, server_time=db.now())


def acknowledge(db: Database, caller: Caller, request: ApplicationAckRequest) -> ApplicationAckResponse:
    """The desk stored these: hand them out no more and drop their bytes. Only what this desk fetched (its
    claim) is acknowledged; acknowledging again counts them again (a retried acknowledgement)."""

    def work(session: Session) -> int:
        now = db.now()
        rows = session.scalars(
            select(KioskApplication).where(
                KioskApplication.application_id.in_(set(request.application_ids)),
                KioskApplication.unit == caller.unit,
            )
        )
        count = 0
        for row in rows:
            if row.acked_at is not None:
                count += row.acked_by == caller.device_id
                continue
            if row.claimed_by != caller.device_id:
                continue
            row.acked_at, row.acked_by, row.sealed = now, caller.device_id, None
            count += 1
        return count

    count = db.transaction(work)
    return ApplicationAckResponse(acknowledged=count, server_time=db.now())
