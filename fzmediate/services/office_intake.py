"""The office intake key: the X25519 key pair kiosks seal applications to, and its signed public-key file.

Desk side. One active key pair per office (store), made on first need. Its public half is a plain row
(``intake_keys``); its private half is kept only as shares sealed to the slot keys of the users who work cases
(mediators and supervisors with a verified grant: ``fzmediate.services.key_custody``): an administrator-only
account, or anyone holding just the database key, cannot open a sealed application.

``fzmediate office export-key`` writes the public half in a file signed with the office's document-signing key
and carrying its certificate and chain; the kiosk checks the signature and that the chain leads to a district
root (``fzmediate.security.district_trust``) before it seals anything to the key. The file holds no personal
data: the office's name, the key, its id and dates, the exporting desk's device id.

Key file (JSON, UTF-8)::

    {"format": "fzmediate-intake-key", "version": 1,
     "payload": {"office", "unit", "key_id", "public_key" (base64 raw X25519), "key_fingerprint",
                 "created_on", "exported_at", "desk_device_id"},
     "signature": base64 (over "fzmediate:intake-key:v1\\n" + canonical payload), "signature_algorithm",
     "certificate": PEM, "chain": PEM (intermediates up to the district root; may be empty)}
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from sqlalchemy import select
from sqlalchemy.orm import Session as OrmSession

from fzmediate.errors import FzError, LockedError, PermissionDenied, UsageError
from fzmediate.i18n import _
from fzmediate.security import key_shares
from fzmediate.security import sealed_box as box
from fzmediate.security.atomic import atomic_write_bytes
from fzmediate.security.permissions import require
from fzmediate.services import key_custody
from fzmediate.store.models import IntakeKeyRow, Meta, OfficeKeyRow, new_time_id

if TYPE_CHECKING:
    from fzmediate.documents.seal import OfficeSigner
    from fzmediate.services.session import Session

log = logging.getLogger(__name__)

KEY_FILE_FORMAT = "fzmediate-intake-key"
KEY_FILE_VERSION = 1
_SIGNING_CONTEXT = b"fzmediate:intake-key:v1\n"
#: A key file is a few kilobytes; anything much larger is not one.
MAX_KEY_FILE_BYTES = 256 * 1024
#: The office's name and unit as printed on a receipt.
MAX_OFFICE_TEXT = 200
UNIT_KEY = "unit"


class KeyFileError(FzError):
    """An office key file that is unreadable, altered, or signed by an office the kiosk may not trust."""


@dataclass(frozen=True)
class IntakeKeyInfo:
    key_id: str
    public_key: bytes
    fingerprint: str
    office: str
    unit: str
    created_at: dt.datetime


@dataclass(frozen=True)
class ExportedKey:
    path: Path
    key_id: str
    key_fingerprint: str
    #: SHA-256 (hex, DER) of the signing certificate: what the kiosk staff confirm for an uncertified office.
    signer_fingerprint: str
    certified: bool


@dataclass(frozen=True)
class VerifiedKeyFile:
    """A key file whose signature verified; ``trust`` says why the kiosk may use it."""

    key_id: str
    public_key: bytes
    office: str
    unit: str
    signer_fingerprint: str
    #: ``certified`` (chains to a district root) or ``confirmed`` (uncertified, fingerprint confirmed by staff).
    trust: str
    raw: str


def canonical(obj: Any) -> bytes:
    """Canonical JSON: sorted keys, no spaces, UTF-8 (what is signed and what is sealed)."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def certificate_fingerprint(certificate: x509.Certificate) -> str:
    return hashlib.sha256(certificate.public_bytes(serialization.Encoding.DER)).hexdigest()


def normalize_fingerprint(text: str) -> str:
    """A fingerprint as typed (any case, with spaces or colons) → 64 lower-case hex digits."""
    return "".join(ch for ch in text.lower() if ch not in " :-\t")


def slot_private_raw(session: Session) -> bytes | None:
    """The acting user's slot private key (raw X25519), which opens their key shares; None if not held."""
    try:
        return session.slot_private_raw
    except LockedError:
        return None


# --- the key file ------------------------------------------------------------------------------------
def make_key_file(payload: dict[str, Any], signer: OfficeSigner, chain: Sequence[x509.Certificate]) -> bytes:
    """The signed key file for ``payload`` (see the module docstring)."""
    algorithm = "ed25519" if isinstance(signer.private_key, ed25519.Ed25519PrivateKey) else "ecdsa-p256-sha256"
    body = {
        "format": KEY_FILE_FORMAT,
        "version": KEY_FILE_VERSION,
        "payload": payload,
        "signature_algorithm": algorithm,
        "signature": box.b64(signer.sign(_SIGNING_CONTEXT + canonical(payload))),
        "certificate": signer.certificate.public_bytes(serialization.Encoding.PEM).decode("ascii"),
        "chain": b"".join(c.public_bytes(serialization.Encoding.PEM) for c in chain).decode("ascii"),
    }
    return json.dumps(body, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")


def _verify_signature(certificate: x509.Certificate, data: bytes, signature: bytes) -> bool:
    public = certificate.public_key()
    try:
        if isinstance(public, ed25519.Ed25519PublicKey):
            public.verify(signature, data)
        elif isinstance(public, ec.EllipticCurvePublicKey) and len(signature) == 64:
            der = encode_dss_signature(int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big"))
            public.verify(der, data, ec.ECDSA(hashes.SHA256()))
        else:
            return False
    except InvalidSignature:
        return False
    return True


def read_key_file(
    data: bytes,
    *,
    trust_uncertified: str | None = None,
    roots: Sequence[x509.Certificate] | None = None,
    at: dt.datetime | None = None,
) -> VerifiedKeyFile:
    """Check a key file: format, the office's signature, and that the district certified the signer.

    An uncertified signer (self-issued, or not chaining to a district root) is accepted only when
    ``trust_uncertified`` is its certificate's SHA-256 fingerprint, as the desk printed it: staff confirm the
    key came from their office (trust on first use). ``roots`` is for tests (a TEST-ONLY root).
    """
    from fzmediate.security.district_trust import office_chain_status

    damaged = KeyFileError(_("The office key file is damaged or not an office key file; nothing was changed."))
    if len(data) > MAX_KEY_FILE_BYTES:
        raise damaged
    try:
        body = json.loads(data.decode("utf-8"))
        if body["format"] != KEY_FILE_FORMAT or body["version"] != KEY_FILE_VERSION:
            raise damaged
        payload = body["payload"]
        signature = box.unb64(body["signature"])
        certificate = x509.load_pem_x509_certificate(body["certificate"].encode("ascii"))
        chain_text = body.get("chain") or ""
        chain = list(x509.load_pem_x509_certificates(chain_text.encode("ascii"))) if chain_text.strip() else []
        public_key = box.unb64(payload["public_key"])
        key_id, office, unit = str(payload["key_id"]), str(payload["office"]), str(payload.get("unit", ""))
    except KeyFileError:
        raise
    except (ValueError, KeyError, TypeError, AttributeError, UnicodeError, RecursionError):
        raise damaged from None
    if not isinstance(payload, dict) or len(public_key) != 32 or not 1 <= len(key_id) <= 36:
        raise damaged
    if len(office) > MAX_OFFICE_TEXT or len(unit) > MAX_OFFICE_TEXT or not (office + unit).isprintable():
        raise damaged
    if payload.get("key_fingerprint") != box.key_fingerprint(public_key):
        raise damaged
    if not _verify_signature(certificate, _SIGNING_CONTEXT + canonical(payload), signature):
        raise KeyFileError(
            _("The office key file's signature does not verify: it was altered or not signed by the office.")
        )
    signer_fp = certificate_fingerprint(certificate)
    status = office_chain_status([certificate, *chain], roots=roots, at=at)
    if status.certified:
        trust = "certified"
    elif trust_uncertified is not None and normalize_fingerprint(trust_uncertified) == signer_fp:
        trust = "confirmed"
    elif trust_uncertified is not None:
        raise KeyFileError(
            _(
                "The fingerprint given with --trust-uncertified is not that of the key file's signer; "
                "compare it again with what the desk printed. Nothing was changed."
            )
        )
    else:
        raise KeyFileError(
            _(
                "The office key file is signed by a certificate the district has not certified ({reason}). "
                "To use it anyway, confirm the fingerprint the desk printed with --trust-uncertified."
            ).format(reason=status.message)
        )
    return VerifiedKeyFile(
        key_id=key_id,
        public_key=public_key,
        office=office,
        unit=unit,
        signer_fingerprint=signer_fp,
        trust=trust,
        raw=data.decode("utf-8"),
    )


# --- the desk's key pair -------------------------------------------------------------------------------
def _info(row: IntakeKeyRow) -> IntakeKeyInfo:
    return IntakeKeyInfo(
        key_id=row.id,
        public_key=box.unb64(row.public_key),
        fingerprint=row.fingerprint,
        office=row.office,
        unit=row.unit,
        created_at=row.created_at,
    )


class OfficeIntake:
    """The desk's intake key pair (service; reached as ``OfficeIntake(session)``)."""

    def __init__(self, session: Session) -> None:
        self._s = session

    def active(self) -> IntakeKeyInfo | None:
        with self._s.read() as s:
            row = s.scalars(select(IntakeKeyRow).where(IntakeKeyRow.active.is_(True))).first()
            return _info(row) if row is not None else None

    def known_key_ids(self) -> set[str]:
        """Every intake key this office ever had (applications sealed to a retired key still open)."""
        with self._s.read() as s:
            return set(s.scalars(select(IntakeKeyRow.id)))

    def ensure(self) -> IntakeKeyInfo:
        """The active intake key, made on first need and shared to every user who works cases."""
        require(self._s, "intake.key")
        found = self.active()
        if found is not None:
            return found
        private, public = box.new_key_pair()
        now = self._s.now()
        key_id = new_time_id(int(now.timestamp() * 1000))
        with self._s.write("intake_key.create", "intake_key", key_id) as s:
            if not key_custody.entitled_recipients(s, self._s.store_id):
                raise PermissionDenied(
                    _(
                        "No mediator or supervisor could hold the office intake key yet: "
                        "add one before exporting the key."
                    )
                )
            office, unit = self._office(s)
            row = IntakeKeyRow(
                id=key_id,
                public_key=box.b64(public),
                fingerprint=box.key_fingerprint(public),
                office=office,
                unit=unit,
                created_at=now.replace(tzinfo=None),
                created_by=self._s.actor.login,
                active=True,
            )
            s.add(row)
            holders = key_custody.share_new_key(self._s, s, key_shares.OFFICE_INTAKE, key_id, private)
            info = _info(row)
        log.info("office intake key created (%d holders)", holders)
        return info

    def _office(self, s: OrmSession) -> tuple[str, str]:
        """The office's name and its unit code as the key file names them: the desk's unit (set by an
        administrator, ``organisation``), which the district server routes kiosk applications by; an older
        store's ``unit`` setting, else the office name, when no unit is set."""
        from fzmediate.services.organisation import DESK_UNIT_KEY

        name = s.get(Meta, "office_name")
        unit = s.get(Meta, DESK_UNIT_KEY) or s.get(Meta, UNIT_KEY)
        office = name.value if name is not None else ""
        return office, unit.value if unit is not None else office

    def private_keys(self) -> dict[str, bytes]:
        """The private intake keys the acting user holds (key id → raw key); empty when they hold no share.

        Shares reach users entitled after the key was made (a new mediator) when a holder unlocks
        (``key_custody.share_onward``), as for the office signing key.
        """
        require(self._s, "intake")
        if slot_private_raw(self._s) is None:
            return {}
        keys: dict[str, bytes] = {}
        for key_id in sorted(self.known_key_ids()):
            opened = key_custody.open_role_key(self._s, key_shares.OFFICE_INTAKE, key_id)
            if opened is not None:
                keys[key_id] = opened
        return keys

    # --- export ----------------------------------------------------------------------------------
    def export_key(self, out: Path) -> ExportedKey:
        """Write the signed public-key file for kiosks (mode 0600); audited.

        Only users who may hold the office signing key (mediators, supervisors) can sign the file.
        """
        from fzmediate.security.district_trust import office_chain_status

        require(self._s, "office.export_key")
        info = self.ensure()
        signer = self._s.documents.keys.signer()
        chain = self._chain(certificate_fingerprint(signer.certificate))
        now = self._s.now().astimezone(dt.UTC)
        payload = {
            "office": info.office or _common_name(signer.certificate),
            "unit": info.unit,
            "key_id": info.key_id,
            "public_key": box.b64(info.public_key),
            "key_fingerprint": info.fingerprint,
            "created_on": info.created_at.date().isoformat(),
            "exported_at": now.isoformat(timespec="seconds"),
            "desk_device_id": self._s.device_id,
        }
        data = make_key_file(payload, signer, chain)
        signer_fp = certificate_fingerprint(signer.certificate)
        with self._s.write("intake_key.export", "intake_key", info.key_id, {"signer": signer_fp[:16]}):
            pass
        try:
            atomic_write_bytes(out, data, mode=0o600)
        except OSError as exc:
            raise UsageError(_("Cannot write {name}: {problem}").format(name=out.name, problem=exc.strerror)) from None
        certified = office_chain_status([signer.certificate, *chain]).certified
        return ExportedKey(out, info.key_id, info.fingerprint, signer_fp, certified)

    def _chain(self, signer_fingerprint: str) -> list[x509.Certificate]:
        with self._s.read() as s:
            row = s.scalars(select(OfficeKeyRow).where(OfficeKeyRow.fingerprint == signer_fingerprint)).first()
            text = (getattr(row, "chain_pem", "") or "") if row is not None else ""
        return list(x509.load_pem_x509_certificates(text.encode("ascii"))) if text.strip() else []


def _common_name(certificate: x509.Certificate) -> str:
    from fzmediate.security.district_trust import common_name

    return common_name(certificate.subject)
