"""The office seal: the key that signs issued documents, kept in the encrypted store.

On first use an EC P-256 key and a self-issued certificate are generated (common name: the issuing body's
name, see `office_name`). The private key is stored in the encrypted database (``office_keys``), never in a
plain file; the certificates of every key the store ever had (public, no personal data) are also written to
``<data dir>/office-certificates.pem``, so that ``fzmediate doc verify`` can check a document without
unlocking the store.

A self-issued certificate gives tamper evidence only: it proves that this store's key sealed the bytes,
not the legal standing of a licensed CA certificate under 《电子签名法》. In production the district should
have a CA issue the office certificate and install it in place of the generated one (docs/documents.md).

Changing the office name retires the active key (it stays, so what it signed still verifies); the next
document is sealed with a new key whose certificate carries the new name.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
from pathlib import Path
from typing import TYPE_CHECKING

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from sqlalchemy import select

from fzmediate.documents.seal import OfficeSigner
from fzmediate.errors import ValidationError
from fzmediate.i18n import _
from fzmediate.security.atomic import atomic_write_bytes
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
    """Where the public certificates of the office keys are exported."""
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


def fingerprint(certificate: x509.Certificate) -> str:
    """SHA-256 (hex) of the certificate in DER."""
    return hashlib.sha256(certificate.public_bytes(serialization.Encoding.DER)).hexdigest()


def default_office_name(implementing_body: str) -> str:
    """A body's name from a catalogue matter's ``implementing_body``: the first body named, without the
    explanation in brackets (``深圳市坪山区人民政府（具体工作由…承办）`` → ``深圳市坪山区人民政府``)."""
    head = re.split(r"[；;]", implementing_body, maxsplit=1)[0]
    head = re.sub(r"（[^）]*）|\([^)]*\)", "", head).strip()
    return head or implementing_body.strip()


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
        text = name.strip()
        if not text or len(text) > MAX_OFFICE_NAME or "\n" in text or "|" in text:
            raise ValidationError(
                _("The office name must be 1 to {n} characters on one line, without '|'.").format(n=MAX_OFFICE_NAME),
                field="office",
            )
        from fzmediate.documents.coverage import require_glyphs

        require_glyphs(text, field=_("office name"))
        with self._s.write("document.office", "meta", OFFICE_NAME_KEY) as s:
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
        """The active office key, generated (and its certificate exported) on first use."""
        if self._signer is not None:
            return self._signer
        with self._s.read() as s:
            row = s.scalars(select(OfficeKeyRow).where(OfficeKeyRow.active.is_(True))).first()
            pem = (row.private_key_pem, row.certificate_pem) if row is not None else None
        if pem is None:
            pem = self._generate()
        self._signer = OfficeSigner.from_pem(pem[0].encode("ascii"), pem[1].encode("ascii"))
        self._ensure_exported(self._signer.certificate)
        return self._signer

    def _generate(self) -> tuple[str, str]:
        name = self.office_name() or "fzmediate 文书签章（设备 {0}）".format(self._s.device_id[:8].upper())
        now = self._s.now().astimezone(dt.UTC).replace(microsecond=0)
        signer = OfficeSigner.generate(name, "fzmediate", valid_from=now - dt.timedelta(days=1), years=YEARS)
        key_pem = signer.private_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode("ascii")
        cert_pem = signer.certificate.public_bytes(serialization.Encoding.PEM).decode("ascii")
        key_id = new_time_id(int(now.timestamp() * 1000))
        with self._s.write("office_key.create", "office_key", key_id) as s:
            existing = s.scalars(select(OfficeKeyRow).where(OfficeKeyRow.active.is_(True))).first()
            if existing is not None:  # made meanwhile: use that one
                return existing.private_key_pem, existing.certificate_pem
            s.add(
                OfficeKeyRow(
                    id=key_id,
                    created_at=now.replace(tzinfo=None),
                    created_by=self._s.actor.login,
                    common_name=name,
                    fingerprint=fingerprint(signer.certificate),
                    certificate_pem=cert_pem,
                    private_key_pem=key_pem,
                    active=True,
                )
            )
        log.info("office key created")
        return key_pem, cert_pem

    # --- certificates ---------------------------------------------------------------------------------
    def certificates(self) -> list[x509.Certificate]:
        """The certificates of every office key of this store, the active one first."""
        with self._s.read() as s:
            rows = s.scalars(select(OfficeKeyRow).order_by(OfficeKeyRow.active.desc(), OfficeKeyRow.id.desc())).all()
            pems = [r.certificate_pem for r in rows]
        return [x509.load_pem_x509_certificate(p.encode("ascii")) for p in pems]

    def export(self) -> Path:
        """Write every certificate of the store to ``<data dir>/office-certificates.pem`` (public)."""
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
