"""Office certificates through the district server (docs/sync-protocol.md, "Office certificates").

A desk sends a PKCS #10 request for its active office key, at enrollment (``EnrollRequest.office_request``) or
on a later sync (``POST /v1/sync/office/request``); the server checks that it is one (parseable, self-signature
valid, an EC P-256 or Ed25519 key) and keeps it per device and key. District IT runs ``fzmediate-server
certify-office`` with the district's root key, which stays in the operator's file and is never stored here:
each pending request whose subject names the issuing body of the device's enrolled unit is certified with
:func:`fzmediate.documents.certify.certify_request` (the offline command's function), any other is refused
(``unit_mismatch``). The desk fetches the certificate on its next sync and installs it as ``fzmediate office
install`` does. Everything here is public key material and office names: no personal data.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from fzmediate.documents.certify import OFFICE_DAYS, certify_request, pem
from fzmediate.documents.seal import PrivateKey
from fzmediate.security.district_trust import common_name
from fzmediate.server.auth import Caller
from fzmediate.server.db import Database
from fzmediate.server.errors import Refusal
from fzmediate.server.models import Device, OfficeRequestRow, Unit
from fzmediate.sync.protocol import EnrollRequest, EnrollResponse, OfficeCertificate, OfficeRequestStatus

PENDING: Final = "pending"
CERTIFIED: Final = "certified"
REFUSED: Final = "refused"
SUPERSEDED: Final = "superseded"
#: Refusal reasons of ``certify-office`` (stable words, shown to the desk in :class:`OfficeRequestStatus`).
UNIT_MISMATCH: Final = "unit_mismatch"
UNKNOWN_UNIT: Final = "unknown_unit"
REVOKED: Final = "revoked"
#: A certificate starts this long before it is issued, so that a verifier whose clock is a little behind the
#: district's does not see it as "not yet valid" (documents it certifies are signed after it is installed).
CLOCK_GRACE: Final = dt.timedelta(hours=1)
MAX_SUBJECT: Final = 200


def key_sha256(public_key: Any) -> str:
    """SHA-256 (hex) of a public key's SubjectPublicKeyInfo in DER: names a key across request and certificate."""
    der: bytes = public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return hashlib.sha256(der).hexdigest()


def parse_request(text: str, field: str) -> x509.CertificateSigningRequest:
    """The certificate request in ``text`` (PEM), or :class:`Refusal` 422 naming ``field`` (never its value)."""

    def refuse(rule: str) -> Refusal:
        return Refusal(422, "invalid", ["{0}: {1}".format(field, rule)])

    try:
        request = x509.load_pem_x509_csr(text.encode("ascii"))
    except (ValueError, UnicodeEncodeError):
        raise refuse("not a PEM certificate request") from None
    try:
        signed = request.is_signature_valid
        public = request.public_key()
        subject = common_name(request.subject)
    except (ValueError, TypeError):  # a key or name the library cannot read
        raise refuse("not a PEM certificate request") from None
    if not signed:
        raise refuse("not signed by its own key")
    if not (
        isinstance(public, ed25519.Ed25519PublicKey)
        or (isinstance(public, ec.EllipticCurvePublicKey) and isinstance(public.curve, ec.SECP256R1))
    ):
        raise refuse("the key must be EC P-256 or Ed25519")
    if not subject.strip() or len(subject) > MAX_SUBJECT:
        raise refuse("the subject must name the office")
    return request


def acting_name(session: Session, unit_code: str) -> str | None:
    """The name a unit's documents are issued in: its own, or its street office's for a community (mirrors
    :func:`fzmediate.catalogue.org.acting_unit`); None for a unit the server does not know."""
    unit = session.get(Unit, unit_code)
    if unit is None:
        return None
    if unit.kind == "community" and unit.parent:
        parent = session.get(Unit, unit.parent)
        if parent is not None:
            return parent.name
    return unit.name


# --- what desks send and fetch -------------------------------------------------------------------------------


def receive(db: Database, device_id: str, unit: str, text: str, *, field: str) -> OfficeRequestStatus:
    """Keep a desk's request (idempotent per device and key: the same key again is answered with its state).

    A pending request of the same device for another key is superseded: a desk has one active office key."""
    request = parse_request(text, field)
    key = key_sha256(request.public_key())
    subject = common_name(request.subject)
    now = db.now()

    def work(session: Session) -> OfficeRequestStatus:
        row = session.scalars(
            select(OfficeRequestRow).where(OfficeRequestRow.device_id == device_id, OfficeRequestRow.key_sha256 == key)
        ).first()
        if row is None:
            for older in session.scalars(
                select(OfficeRequestRow).where(
                    OfficeRequestRow.device_id == device_id, OfficeRequestRow.status == PENDING
                )
            ):
                older.status = SUPERSEDED
            row = OfficeRequestRow(
                request_id=str(uuid.uuid4()),
                device_id=device_id,
                unit=unit,
                key_sha256=key,
                subject=subject,
                request_pem=text,
                received_at=now,
                status=PENDING,
                reason=None,
                certificate_pem=None,
                certified_at=None,
                not_after=None,
            )
            session.add(row)
            session.flush()
        return OfficeRequestStatus(status=row.status, reason=row.reason, key_sha256=key, server_time=now)  # type: ignore[arg-type]

    return db.transaction(work)


def certificate_for(db: Database, caller: Caller, key: str | None = None) -> OfficeCertificate | None:
    """The certificate the district issued for the caller's office key ``key`` (the latest one without it), of
    the caller's own device and unit only; None when there is none."""
    query = select(OfficeRequestRow).where(
        OfficeRequestRow.device_id == caller.device_id,
        OfficeRequestRow.unit == caller.unit,
        OfficeRequestRow.status == CERTIFIED,
    )
    if key is not None:
        query = query.where(OfficeRequestRow.key_sha256 == key)
    with db.sessions() as session:
        row = session.scalars(query.order_by(OfficeRequestRow.certified_at.desc()).limit(1)).first()
        if row is None or row.certificate_pem is None or row.not_after is None:
            return None
        return OfficeCertificate(
            certificate=row.certificate_pem, key_sha256=row.key_sha256, not_after=row.not_after, server_time=db.now()
        )


def enroll_with_request(
    db: Database, body: EnrollRequest, enroll: Callable[[Database, EnrollRequest], EnrollResponse]
) -> EnrollResponse:
    """Enroll as ``enroll`` does, keeping the office key's request the body carries; the answer carries the
    certificate when the district already issued one (a retried enrollment). A bad request is refused (422)
    before the code is burnt."""
    if body.office_request is not None:
        if body.role != "desk":
            raise Refusal(422, "invalid", ["body.office_request: only a desk has an office key"])
        parse_request(body.office_request, "body.office_request")
    answer = enroll(db, body)
    if body.office_request is not None:
        receive(db, answer.device_id, answer.unit, body.office_request, field="body.office_request")
    caller = Caller(answer.device_id, answer.unit, answer.role, answer.device_code)
    found = certificate_for(db, caller)
    if found is None:
        return answer
    return answer.model_copy(update={"office_certificate": found.certificate})


# --- what district IT does (``fzmediate-server certify-office``) ----------------------------------------------


@dataclass(frozen=True)
class OfficeRequestInfo:
    """A request as ``certify-office`` lists it, and what became of it (``reason`` when refused)."""

    device_id: str
    device_code: str
    unit: str
    subject: str
    key_sha256: str
    received_at: dt.datetime
    status: str
    reason: str | None = None
    not_after: dt.datetime | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "device_id": self.device_id,
            "device_code": self.device_code,
            "unit": self.unit,
            "subject": self.subject,
            "key_sha256": self.key_sha256,
            "received_at": self.received_at.isoformat(),
            "status": self.status,
            "reason": self.reason,
            "not_after": self.not_after.isoformat() if self.not_after else None,
        }


@dataclass(frozen=True)
class Selection:
    """Which pending requests: one device (id or device code), one unit, or every one (all None)."""

    device: str | None = None
    unit: str | None = None


def _pending(session: Session, selection: Selection) -> list[tuple[OfficeRequestRow, Device]]:
    query = (
        select(OfficeRequestRow, Device)
        .join(Device, Device.device_id == OfficeRequestRow.device_id)
        .where(OfficeRequestRow.status == PENDING)
        .order_by(OfficeRequestRow.unit, Device.device_code, OfficeRequestRow.received_at)
    )
    if selection.device is not None:
        query = query.where(or_(Device.device_id == selection.device, Device.device_code == selection.device.upper()))
    if selection.unit is not None:
        query = query.where(OfficeRequestRow.unit == selection.unit)
    return [(row, device) for row, device in session.execute(query).all()]


def _info(row: OfficeRequestRow, device: Device) -> OfficeRequestInfo:
    return OfficeRequestInfo(
        device_id=row.device_id,
        device_code=device.device_code,
        unit=row.unit,
        subject=row.subject,
        key_sha256=row.key_sha256,
        received_at=row.received_at,
        status=row.status,
        reason=row.reason,
        not_after=row.not_after,
    )


def pending(db: Database, selection: Selection = Selection()) -> list[OfficeRequestInfo]:
    """The requests waiting for ``certify-office``."""
    with db.sessions() as session:
        return [_info(row, device) for row, device in _pending(session, selection)]


def certify(
    db: Database,
    issuer_key: PrivateKey,
    issuer_certificate: x509.Certificate,
    selection: Selection = Selection(),
    *,
    days: int = OFFICE_DAYS,
) -> list[OfficeRequestInfo]:
    """Certify the selected pending requests with the district key, in one transaction; what became of each.

    A request whose subject is not the issuing body of the device's enrolled unit is refused (``unit_mismatch``:
    the district certifies only the name the desk issues in), as is one of a revoked device. A bad key or
    validity raises :class:`fzmediate.documents.errors.SealError` before anything is stored. An issuer that is
    not self-signed (an intermediate CA of the district) travels with the certificate."""
    now = db.now().replace(microsecond=0)
    chain = [] if issuer_certificate.issuer == issuer_certificate.subject else [issuer_certificate]

    def work(session: Session) -> list[OfficeRequestInfo]:
        done: list[OfficeRequestInfo] = []
        for row, device in _pending(session, selection):
            expected = acting_name(session, device.unit)
            if device.revoked_at is not None:
                row.status, row.reason = REFUSED, REVOKED
            elif expected is None:
                row.status, row.reason = REFUSED, UNKNOWN_UNIT
            elif row.unit != device.unit or row.subject != expected:
                row.status, row.reason = REFUSED, UNIT_MISMATCH
            else:
                request = x509.load_pem_x509_csr(row.request_pem.encode("ascii"))
                certificate = certify_request(
                    request, issuer_key, issuer_certificate, valid_from=now - CLOCK_GRACE, days=days
                )
                row.status, row.reason = CERTIFIED, None
                row.certificate_pem = pem([certificate, *chain]).decode("ascii")
                row.certified_at = now
                row.not_after = certificate.not_valid_after_utc
            done.append(_info(row, device))
        return done

    return db.transaction(work)
