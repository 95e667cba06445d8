"""The office seal: the key that signs issued documents, kept in the encrypted store, and its certificate.

On first use an EC P-256 key and a self-issued certificate are generated (common name: the issuing body's
name, see `office_name`). The private key is stored in the encrypted database, never in a plain file (how
is the business of `signer` and `_generate` only: sealed per entitled user, see ``services/key_custody.py``).

A self-issued certificate gives tamper evidence only: documents it signs verify as ``not_certified`` (exit 3
of ``fzmediate doc verify``), never as valid. Trust comes from the district (docs/trust.md): the desk makes a
certificate request for the active key (`certificate_request`), the district certifies it offline with its
root key, and the desk installs the certificate (`install`), which must match the active key and chain to a
district root shipped with the app; its chain is stored in ``office_keys.chain_pem`` and travels in every
signature from then on.

The certificates of every key the store ever had (public, no personal data) are also written to
``<data dir>/office-certificates.pem`` for information only: nothing trusts that file.

Changing the office name retires the active key (it stays, so what it signed still verifies); the next
document is sealed with a new key whose certificate carries the new name, which needs certifying again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from sqlalchemy import select
from sqlalchemy.orm import Session as OrmSession

from fzmediate.documents.certify import certificate_request, pem
from fzmediate.documents.seal import OfficeSigner
from fzmediate.errors import NotFoundError, PermissionDenied, ValidationError
from fzmediate.i18n import _
from fzmediate.security.atomic import atomic_write_bytes
from fzmediate.security.district_trust import ChainStatus, common_name, office_chain_status
from fzmediate.security.key_shares import OFFICE_SIGNING
from fzmediate.security.permissions import require
from fzmediate.services.key_custody import open_role_key, share_new_key
from fzmediate.store.models import Meta, OfficeKeyRow, new_time_id

if TYPE_CHECKING:
    from fzmediate.services.session import Session

log = logging.getLogger(__name__)

CERTIFICATES_FILE = "office-certificates.pem"
OFFICE_NAME_KEY = "office_name"
#: Validity of a generated certificate.
YEARS = 10
MAX_OFFICE_NAME = 80


def certificates_path(data_dir: Path) -> Path:
    """Where the public certificates of the office keys are exported (informational; never a trust anchor)."""
    return Path(data_dir) / CERTIFICATES_FILE


def read_certificates(path: Path) -> list[x509.Certificate]:
    """The certificates in a PEM file; none if it does not exist or cannot be read."""
    try:
        data = path.read_bytes()
    except OSError:
        return []
    try:
        return list(x509.load_pem_x509_certificates(data))
    except ValueError:
        log.warning("the office certificates file cannot be read")
        return []


def _spki(certificate: x509.Certificate) -> bytes:
    return certificate.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def fingerprint(certificate: x509.Certificate) -> str:
    """SHA-256 (hex) of the certificate in DER."""
    return hashlib.sha256(certificate.public_bytes(serialization.Encoding.DER)).hexdigest()


@dataclass(frozen=True)
class OfficeKeyInfo:
    """The active office key as ``fzmediate office show`` tells it (public facts only)."""

    key_id: str
    office: str
    subject: str
    issuer: str
    fingerprint: str
    not_before: dt.datetime
    not_after: dt.datetime
    chain: tuple[str, ...]
    certified: bool
    trust: str
    message: str


class OfficeKeys:
    def __init__(self, session: Session) -> None:
        self._s = session
        self._signer: OfficeSigner | None = None

    # --- the office name ---------------------------------------------------------------------------
    def office_name(self) -> str:
        """The issuing body's name set for this store, or "" (then each matter's implementing body is used)."""
        with self._s.read() as s:
            row = s.get(Meta, OFFICE_NAME_KEY)
            return row.value if row is not None else ""

    def set_office_name(self, name: str) -> None:
        """Set the issuing body's name; the active key is retired so that the next seal carries the name."""
        with self._s.write("document.office", "meta", OFFICE_NAME_KEY) as s:
            self.apply_office_name(s, name)

    def apply_office_name(self, s: OrmSession, name: str) -> None:
        """`set_office_name` inside the caller's audited unit of work (the desk's unit sets it with its own)."""
        text = name.strip()
        if not text or len(text) > MAX_OFFICE_NAME or "\n" in text or "|" in text:
            raise ValidationError(
                _("The office name must be 1 to {n} characters on one line, without '|'.").format(n=MAX_OFFICE_NAME),
                field="office",
            )
        from fzmediate.documents.coverage import require_glyphs

        require_glyphs(text, field=_("office name"))
        row = s.get(Meta, OFFICE_NAME_KEY)
        if row is None:
            s.add(Meta(key=OFFICE_NAME_KEY, value=text))
        else:
            row.value = text
        for key in s.scalars(select(OfficeKeyRow).where(OfficeKeyRow.active.is_(True))):
            if key.common_name != text:
                key.active = False
        self._signer = None

    # --- the key ------------------------------------------------------------------------------------
    def signer(self) -> OfficeSigner:
        """The active office key with its certificate and chain, generated (and exported) on first use.

        The private key exists only as shares sealed to the slot keys of users whose verified role may issue
        (mediators and supervisors; ``services/key_custody.py``): an account without a case role — an
        administrator's — holds none and cannot seal a document, even with the database key in hand.
        """
        if self._signer is not None:
            return self._signer
        require(self._s, "document.issue")
        with self._s.read() as s:
            row = s.scalars(select(OfficeKeyRow).where(OfficeKeyRow.active.is_(True))).first()
            found = (row.id, row.private_key_pem, row.certificate_pem, row.chain_pem) if row is not None else None
        if found is None:
            key_id, certificate_pem = self._generate()
            found = (key_id, "", certificate_pem, "")
        key_id, legacy_pem, certificate_pem, chain_pem = found
        if legacy_pem:
            self._share_legacy_key(key_id, legacy_pem)
        key_pem = open_role_key(self._s, OFFICE_SIGNING, key_id)
        if key_pem is None:
            raise PermissionDenied(
                _(
                    "You hold no share of the office signing key yet: a colleague who holds it passes it on when "
                    "they next unlock (mediators and supervisors only)."
                )
            )
        self._signer = OfficeSigner.from_pem(
            key_pem, certificate_pem.encode("ascii"), chain_pem=chain_pem.encode("ascii")
        )
        self._ensure_exported(self._signer.certificate)
        return self._signer

    def _generate(self) -> tuple[str, str]:
        """Make the office key; store its certificate and its private key sealed to every entitled user."""
        name = self.office_name() or "fzmediate 文书签章（设备 {0}）".format(self._s.device_id[:8].upper())
        now = self._s.now().astimezone(dt.UTC).replace(microsecond=0)
        signer = OfficeSigner.generate(name, "fzmediate", valid_from=now - dt.timedelta(days=1), years=YEARS)
        key_pem = signer.private_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        cert_pem = signer.certificate.public_bytes(serialization.Encoding.PEM).decode("ascii")
        key_id = new_time_id(int(now.timestamp() * 1000))
        with self._s.write("office_key.create", "office_key", key_id) as s:
            existing = s.scalars(select(OfficeKeyRow).where(OfficeKeyRow.active.is_(True))).first()
            if existing is not None:  # made meanwhile: use that one
                return existing.id, existing.certificate_pem
            s.add(
                OfficeKeyRow(
                    id=key_id,
                    created_at=now.replace(tzinfo=None),
                    created_by=self._s.actor.login,
                    common_name=name,
                    fingerprint=fingerprint(signer.certificate),
                    certificate_pem=cert_pem,
                    private_key_pem="",
                    active=True,
                )
            )
            s.flush()
            share_new_key(self._s, s, OFFICE_SIGNING, key_id, key_pem)
        log.info("office key created")
        return key_id, cert_pem

    def _share_legacy_key(self, key_id: str, key_pem: str) -> None:
        """A key stored in the clear by an older version: seal it to the entitled users, then blank the column."""
        with self._s.write("office_key.wrap", "office_key", key_id) as s:
            row = s.get(OfficeKeyRow, key_id)
            if row is None or not row.private_key_pem:
                return
            share_new_key(self._s, s, OFFICE_SIGNING, key_id, key_pem.encode("ascii"))
            for old in s.scalars(select(OfficeKeyRow).where(OfficeKeyRow.private_key_pem != "")):
                if old.id != key_id:
                    share_new_key(self._s, s, OFFICE_SIGNING, old.id, old.private_key_pem.encode("ascii"))
                old.private_key_pem = ""
        log.info("office key moved into key shares")

    # --- certification by the district (docs/trust.md) ------------------------------------------------
    def certificate_request(self) -> bytes:
        """A PKCS #10 request (PEM) for the active key, subject = the office's name, for the district.

        Signing the request needs the private key, so only a supervisor (who assigns and issues) makes it."""
        require(self._s, "office.request")
        signer = self.signer()
        name = common_name(signer.certificate.subject)
        request = certificate_request(signer.private_key, name)
        with self._s.write("office_key.request", "office_key", fingerprint(signer.certificate)):
            pass
        return request.public_bytes(serialization.Encoding.PEM)

    def install(self, data: bytes, *, roots: Sequence[x509.Certificate] | None = None) -> ChainStatus:
        """Install the certificate the district issued for the active key (PEM: the certificate, then any
        intermediates). It must match the active key and chain to a district root (`roots`: tests only)."""
        require(self._s, "office.install")
        try:
            certificates = x509.load_pem_x509_certificates(data)
        except ValueError:
            raise ValidationError(
                _("The certificate file holds no readable PEM certificate."), field="certificate"
            ) from None
        current = self._active_certificate()
        spki = _spki(current)
        mine = [c for c in certificates if _spki(c) == spki]
        if not mine:
            raise ValidationError(
                _("The certificate is not for this store's active office key; make a new request."),
                field="certificate",
            )
        office = mine[0]
        status = office_chain_status([office, *(c for c in certificates if c is not office)], roots=roots)
        if not status.certified:
            raise ValidationError(status.message, field="certificate")
        chain_pem = pem(status.path[1:-1]).decode("ascii")  # the intermediates: the root ships with the app
        office_pem = office.public_bytes(serialization.Encoding.PEM).decode("ascii")
        details = {"fingerprint": fingerprint(office), "root": fingerprint(status.path[-1])}
        with self._s.write("office_key.certify", "office_key", fingerprint(current), details) as s:
            row = s.scalars(select(OfficeKeyRow).where(OfficeKeyRow.active.is_(True))).first()
            if row is None or _spki(x509.load_pem_x509_certificate(row.certificate_pem.encode("ascii"))) != spki:
                raise ValidationError(_("The active office key changed meanwhile; make a new request."))
            row.certificate_pem = office_pem
            row.chain_pem = chain_pem
            row.fingerprint = fingerprint(office)
            row.common_name = common_name(office.subject)
        self._signer = None
        self.export()
        log.info("office certificate installed")
        return status

    def show(self, *, roots: Sequence[x509.Certificate] | None = None) -> OfficeKeyInfo:
        """The active key's certificate and whether the district certified it (`roots`: tests only)."""
        with self._s.read() as s:
            row = s.scalars(select(OfficeKeyRow).where(OfficeKeyRow.active.is_(True))).first()
            if row is None:
                raise NotFoundError(_("No office key yet: it is made when the first document is issued."))
            key_id, certificate_pem, chain_pem = row.id, row.certificate_pem, row.chain_pem
        certificate = x509.load_pem_x509_certificate(certificate_pem.encode("ascii"))
        chain = x509.load_pem_x509_certificates(chain_pem.encode("ascii")) if chain_pem.strip() else []
        status = office_chain_status([certificate, *chain], roots=roots)
        return OfficeKeyInfo(
            key_id=key_id,
            office=self.office_name(),
            subject=common_name(certificate.subject),
            issuer=common_name(certificate.issuer),
            fingerprint=fingerprint(certificate),
            not_before=certificate.not_valid_before_utc,
            not_after=certificate.not_valid_after_utc,
            chain=tuple(common_name(c.subject) for c in chain),
            certified=status.certified,
            trust=status.reason,
            message=status.message,
        )

    def _active_certificate(self) -> x509.Certificate:
        with self._s.read() as s:
            row = s.scalars(select(OfficeKeyRow).where(OfficeKeyRow.active.is_(True))).first()
            certificate_pem = row.certificate_pem if row is not None else None
        if certificate_pem is None:
            return self.signer().certificate
        return x509.load_pem_x509_certificate(certificate_pem.encode("ascii"))

    # --- certificates ---------------------------------------------------------------------------------
    def certificates(self) -> list[x509.Certificate]:
        """The certificates of every office key of this store, the active one first."""
        with self._s.read() as s:
            rows = s.scalars(select(OfficeKeyRow).order_by(OfficeKeyRow.active.desc(), OfficeKeyRow.id.desc())).all()
            pems = [r.certificate_pem for r in rows]
        return [x509.load_pem_x509_certificate(p.encode("ascii")) for p in pems]

    def export(self) -> Path:
        """Write every certificate of the store to ``<data dir>/office-certificates.pem`` (public, for
        information: verification never reads it)."""
        path = certificates_path(self._s.workspace.paths.root)
        known = {fingerprint(c): c for c in read_certificates(path)}
        for certificate in self.certificates():
            known.setdefault(fingerprint(certificate), certificate)
        data = b"".join(c.public_bytes(serialization.Encoding.PEM) for c in known.values())
        atomic_write_bytes(path, data, mode=0o644)
        return path

    def _ensure_exported(self, certificate: x509.Certificate) -> None:
        path = certificates_path(self._s.workspace.paths.root)
        if fingerprint(certificate) not in {fingerprint(c) for c in read_certificates(path)}:
            self.export()
