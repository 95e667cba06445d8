"""The desk's side of office certificates through the district server (docs/sync-protocol.md, "Office
certificates"; docs/trust.md).

At each sync, while the active office key is not certified by a district root:

- a user who may install certificates (``office.install``: supervisors, administrators) fetches the district's
  certificate (``GET /v1/sync/office/certificate``) and installs it with
  :meth:`fzmediate.services.office_keys.OfficeKeys.install` — the same checks as ``fzmediate office install``:
  it must be for the active key and chain to a district root the app ships;
- a user who may make the request (``office.request``: supervisors, who hold the office key) sends the key's
  certificate request (``POST /v1/sync/office/request``) once per key; ``meta.office_request_key`` remembers
  which key was sent, so the request is neither signed nor audited again at every sync.

A mediator's sync does neither (the permission table says who handles the office key); the certificate waits
on the server for a supervisor's or administrator's sync. Nothing here is personal data.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from pydantic import ValidationError as PydanticError
from sqlalchemy import select

from fzmediate.errors import FzError
from fzmediate.security.district_trust import office_chain_status
from fzmediate.security.permissions import may
from fzmediate.store.models import Meta, OfficeKeyRow
from fzmediate.sync.http import Channel, SyncError
from fzmediate.sync.protocol import (
    OFFICE_CERTIFICATE_PATH,
    OFFICE_REQUEST_PATH,
    OfficeCertificate,
    OfficeRequestBody,
    OfficeRequestStatus,
)

if TYPE_CHECKING:
    from fzmediate.services.session import Session

log = logging.getLogger(__name__)

#: The key (SHA-256 of its SubjectPublicKeyInfo) whose request the server holds.
SENT_KEY: Final = "office_request_key"


@dataclass(frozen=True)
class ActiveKey:
    """The active office key: its SubjectPublicKeyInfo hash and whether a district root certifies it."""

    key_sha256: str
    certified: bool


def key_sha256(public_key: object) -> str:
    """SHA-256 (hex) of a public key's SubjectPublicKeyInfo (DER), as the server names keys."""
    assert hasattr(public_key, "public_bytes")
    der: bytes = public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return hashlib.sha256(der).hexdigest()


def active_key(session: Session, roots: Sequence[x509.Certificate] | None = None) -> ActiveKey | None:
    """The active office key, or None before the first one is made (public data only)."""
    with session.read() as s:
        row = s.scalars(select(OfficeKeyRow).where(OfficeKeyRow.active.is_(True))).first()
        if row is None:
            return None
        certificate_pem, chain_pem = row.certificate_pem, row.chain_pem
    certificate = x509.load_pem_x509_certificate(certificate_pem.encode("ascii"))
    chain = x509.load_pem_x509_certificates(chain_pem.encode("ascii")) if chain_pem.strip() else []
    status = office_chain_status([certificate, *chain], roots=roots)
    return ActiveKey(key_sha256(certificate.public_key()), status.certified)


def request_pem(session: Session) -> str | None:
    """A certificate request for the active office key (made if none yet), when this user may make one and the
    desk's office name is set (else the district could not certify it); None otherwise."""
    if not may(session, "office.request") or not session.documents.keys.office_name():
        return None
    try:
        return session.documents.keys.certificate_request().decode("ascii")
    except FzError as exc:  # e.g. no share of the office key yet: a colleague passes it on at their unlock
        log.info("no office certificate request made (%s)", type(exc).__name__)
        return None


def remember_sent(session: Session, pem: str) -> None:
    """Note that the server holds the request ``pem`` (its key), so that it is not made again."""
    sha = key_sha256(x509.load_pem_x509_csr(pem.encode("ascii")).public_key())
    with session.db.unit_of_work() as s:
        row = s.get(Meta, SENT_KEY)
        if row is None:
            s.add(Meta(key=SENT_KEY, value=sha))
        else:
            row.value = sha


def install(session: Session, pem: str, roots: Sequence[x509.Certificate] | None = None) -> bool:
    """Install the district's certificate ``pem`` as ``fzmediate office install`` does; False (logged, nothing
    changed) when this user may not or it does not pass the checks."""
    if not may(session, "office.install"):
        return False
    try:
        session.documents.keys.install(pem.encode("ascii"), roots=roots)
    except FzError as exc:
        log.warning("the district's office certificate was not installed (%s)", type(exc).__name__)
        return False
    return True


def exchange(session: Session, channel: Channel, *, roots: Sequence[x509.Certificate] | None = None) -> int:
    """The sync step: fetch and install the certificate, or send the request; how many were installed (0/1)."""
    key = active_key(session, roots)
    if key is not None and key.certified:
        return 0
    if key is not None and may(session, "office.install"):
        found = _fetch(channel, key.key_sha256)
        if found is not None and found.key_sha256 == key.key_sha256 and install(session, found.certificate, roots):
            log.info("office certificate installed from the district server")
            return 1
    with session.read() as s:
        sent = s.get(Meta, SENT_KEY)
        sent_key = sent.value if sent is not None else ""
    if key is not None and sent_key == key.key_sha256:
        return 0
    pem = request_pem(session)
    if pem is None:
        return 0
    body = OfficeRequestBody(office_request=pem).model_dump_json().encode()
    try:
        answer = OfficeRequestStatus.model_validate_json(channel.call("POST", OFFICE_REQUEST_PATH, body=body).content)
    except SyncError as exc:
        if exc.code != "not_found":  # a server from before office certificates: ask again next time
            raise
        return 0
    except (PydanticError, ValueError):
        return 0
    remember_sent(session, pem)
    log.info("office certificate request sent (%s)", answer.status)
    return 0


def _fetch(channel: Channel, key: str) -> OfficeCertificate | None:
    try:
        response = channel.call("GET", OFFICE_CERTIFICATE_PATH, params={"key": key})
    except SyncError as exc:
        if exc.code == "not_found":  # none yet (or a server from before office certificates)
            return None
        raise
    try:
        return OfficeCertificate.model_validate_json(response.content)
    except (PydanticError, ValueError):
        log.warning("the district's office certificate answer was not understood")
        return None


def after_enroll(session: Session, sent: str | None, certificate: str | None) -> None:
    """After enrollment: remember the request sent with it; install the certificate the answer carried (a
    retried enrollment of a desk the district already certified)."""
    if sent is not None:
        remember_sent(session, sent)
    if certificate is not None:
        install(session, certificate)
