"""Sealing an issued document: a signed seal statement and QR code on every page, and a PAdES signature.

**Seal statement.** Each page carries one line of text, printed as a QR code in the top margin and stored in
the page dictionary (``/FZSeal``) for `verify`::

    FZDOC1|<document id>|<case number>|<yyyymmdd>|<page>/<pages>|<document digest>|<page digest>|<signature>

The page digest is the SHA-256 of that page's content stream before its decorations (`render`), the
document digest the SHA-256 over the document's identity and every page digest in order; both are cut to
128 bits and written in unpadded base64url. The signature (base64url, 64 bytes) is made with the office key
over everything before it. So a printed page tells which document, case, date and position it belongs to and
that the office issued it; a PDF page can be checked against its own content.

**PDF signature.** The finished PDF is signed (PAdES baseline B-B, SHA-256; `signature`) with the same key; the
CMS carries the office certificate and its chain up to the district root (`OfficeSigner.chain`). The office
key is an EC P-256 (recommended: Acrobat and poppler verify it) or an Ed25519 key, held by the caller
(`OfficeSigner`). Until the district certifies it (docs/trust.md) its certificate is self-issued: tamper
evidence only, which `verify` reports as ``not_certified``, never as valid.

**Determinism.** Ed25519 signatures are deterministic and ECDSA signatures are made deterministic (RFC 6979).
The signing time is the document's ``issued_at`` (not the clock), pyHanko's metadata update is skipped (the
metadata stays exactly as issued) and the second trailer ID is derived from the signed bytes. So the same
inputs give byte-identical output.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature
from cryptography.x509.oid import NameOID
from reportlab.pdfgen.canvas import Canvas

from fzmediate.documents import layout as L
from fzmediate.documents.errors import SealError
from fzmediate.documents.model import DocumentMeta
from fzmediate.documents.qr import qr_matrix, qr_rows
from fzmediate.i18n import _

STATEMENT_PREFIX = "FZDOC1"
SEAL_KEY = "/FZSeal"
#: The catalog entry holding the issuing store's audit head (`format_anchor`), inside the signed bytes.
ANCHOR_KEY = "/FZAuditHead"
ANCHOR_PREFIX = "FZHEAD1"
_ANCHOR = re.compile(r"FZHEAD1\|([1-9][0-9]{0,17}|0)\|([0-9a-f]{64})")
QR_SIZE_MM = 22.0
QR_TOP_MM = 8.0
_DARK_RUN = re.compile(b"\x01+")

PrivateKey = ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey
PublicKey = ec.EllipticCurvePublicKey | ed25519.Ed25519PublicKey


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True)
class SealStatement:
    """What one page's seal says (see module docs); `signature` is empty until signed."""

    document_id: str
    case_number: str
    issue_date: dt.date
    page: int
    pages: int
    document_digest: str
    page_digest: str
    signature: str = ""

    def signed_text(self) -> str:
        return "|".join(
            [
                STATEMENT_PREFIX,
                self.document_id,
                self.case_number,
                self.issue_date.strftime("%Y%m%d"),
                "{0}/{1}".format(self.page, self.pages),
                self.document_digest,
                self.page_digest,
            ]
        )

    def encode(self) -> str:
        return self.signed_text() + "|" + self.signature

    @classmethod
    def parse(cls, text: str) -> SealStatement:
        """Read a statement; ValueError if it is not one."""
        fields = text.split("|")
        if len(fields) != 8 or fields[0] != STATEMENT_PREFIX:
            raise ValueError("not a seal statement")
        page, _slash, pages = fields[4].partition("/")
        return cls(
            document_id=fields[1],
            case_number=fields[2],
            issue_date=dt.datetime.strptime(fields[3], "%Y%m%d").date(),
            page=int(page),
            pages=int(pages),
            document_digest=fields[5],
            page_digest=fields[6],
            signature=fields[7],
        )


def format_anchor(sequence: int, digest: str) -> str:
    """The audit head as the catalog carries it: ``FZHEAD1|<sequence>|<hash, 64 hex digits>``."""
    text = "{0}|{1}|{2}".format(ANCHOR_PREFIX, sequence, digest)
    if _ANCHOR.fullmatch(text) is None:
        raise SealError(_("The audit head must be a sequence number and a SHA-256 in hex."))
    return text


def parse_anchor(text: str) -> tuple[int, str]:
    """(sequence, hash) from `format_anchor`'s text; ValueError if it is not one."""
    found = _ANCHOR.fullmatch(text)
    if found is None:
        raise ValueError("not an audit head")
    return int(found.group(1)), found.group(2)


def document_digest(document_id: str, case_number: str, issue_date: dt.date, page_digests: Sequence[bytes]) -> bytes:
    """SHA-256 over the document's identity and its page digests in order (the full 32 bytes)."""
    digest = hashlib.sha256()
    for part in (STATEMENT_PREFIX, document_id, case_number, issue_date.isoformat()):
        digest.update(part.encode("utf-8") + b"\0")
    digest.update(len(page_digests).to_bytes(4, "big"))
    for page in page_digests:
        digest.update(page)
    return digest.digest()


def _check_field(value: str, name: str) -> None:
    if "|" in value or "\n" in value:
        raise SealError(_("The {field} of a sealed document must not contain '|' or a line break.").format(field=name))


class OfficeSigner:
    """The office's signing key and certificate: signs seal statements and PDFs.

    The key stays in memory with this object; how it is stored and unlocked is the caller's business.
    `chain` holds the certificates that certify `certificate` up to (not including) a district root, in
    order: they travel in every PDF signature so that a verifier can build the path to the root.
    """

    def __init__(
        self, private_key: PrivateKey, certificate: x509.Certificate, chain: Sequence[x509.Certificate] = ()
    ) -> None:
        if isinstance(private_key, ec.EllipticCurvePrivateKey):
            if not isinstance(private_key.curve, ec.SECP256R1):
                raise SealError(_("The office key must be an EC P-256 or Ed25519 key."))
        elif not isinstance(private_key, ed25519.Ed25519PrivateKey):
            raise SealError(_("The office key must be an EC P-256 or Ed25519 key."))
        if _spki(private_key.public_key()) != _spki(certificate.public_key()):
            raise SealError(_("The certificate does not belong to the office key."))
        self.private_key = private_key
        self.certificate = certificate
        self.chain = tuple(chain)

    # --- construction ------------------------------------------------------------------------------------
    @classmethod
    def generate(
        cls,
        common_name: str,
        organization: str = "",
        *,
        key_type: str = "ec-p256",
        valid_from: dt.datetime | None = None,
        years: int = 10,
        serial: int | None = None,
    ) -> OfficeSigner:
        """A new key with a self-issued certificate (digitalSignature + nonRepudiation)."""
        key: PrivateKey
        if key_type == "ec-p256":
            key = ec.generate_private_key(ec.SECP256R1())
        elif key_type == "ed25519":
            key = ed25519.Ed25519PrivateKey.generate()
        else:
            raise SealError(_("The office key must be an EC P-256 or Ed25519 key."))
        return cls(key, self_issued_certificate(key, common_name, organization, valid_from, years, serial))

    @classmethod
    def from_pem(
        cls, key_pem: bytes, certificate_pem: bytes, password: bytes | None = None, chain_pem: bytes = b""
    ) -> OfficeSigner:
        key = serialization.load_pem_private_key(key_pem, password=password)
        if not isinstance(key, (ec.EllipticCurvePrivateKey, ed25519.Ed25519PrivateKey)):
            raise SealError(_("The office key must be an EC P-256 or Ed25519 key."))
        chain = x509.load_pem_x509_certificates(chain_pem) if chain_pem.strip() else []
        return cls(key, x509.load_pem_x509_certificate(certificate_pem), chain)

    def with_certificate(self, certificate: x509.Certificate, chain: Sequence[x509.Certificate] = ()) -> OfficeSigner:
        """The same key with another certificate for it (e.g. the one the district issued) and its chain."""
        return OfficeSigner(self.private_key, certificate, chain)

    # --- signing -----------------------------------------------------------------------------------------
    @property
    def public_key(self) -> PublicKey:
        key = self.private_key.public_key()
        assert isinstance(key, (ec.EllipticCurvePublicKey, ed25519.Ed25519PublicKey))
        return key

    def sign(self, data: bytes) -> bytes:
        """A deterministic 64-byte signature: Ed25519, or ECDSA P-256/SHA-256 as r‖s (RFC 6979 nonce)."""
        if isinstance(self.private_key, ed25519.Ed25519PrivateKey):
            return self.private_key.sign(data)
        der = self.private_key.sign(data, ec.ECDSA(hashes.SHA256(), deterministic_signing=True))
        r, s = decode_dss_signature(der)
        return r.to_bytes(32, "big") + s.to_bytes(32, "big")

    def seal_statements(self, meta: DocumentMeta, page_digests: Sequence[bytes]) -> list[SealStatement]:
        """The signed statement for every page."""
        _check_field(meta.document_id, _("document id"))
        _check_field(meta.case_number, _("case number"))
        whole = b64url(document_digest(meta.document_id, meta.case_number, meta.issue_date, page_digests)[:16])
        statements = []
        for number, page in enumerate(page_digests, start=1):
            draft = SealStatement(
                meta.document_id, meta.case_number, meta.issue_date, number, len(page_digests), whole,
                b64url(page[:16]),
            )  # fmt: skip
            signature = b64url(self.sign(draft.signed_text().encode("utf-8")))
            statements.append(SealStatement(**{**draft.__dict__, "signature": signature}))
        return statements

    def sign_pdf(
        self, pdf: bytes, *, signing_time: dt.datetime, reason: str = "", location: str = "", name: str = ""
    ) -> bytes:
        """`pdf` with a PAdES B-B signature appended as an incremental update (see module docs)."""
        from fzmediate.documents.pades import sign_pdf

        return sign_pdf(self, pdf, signing_time=signing_time, reason=reason, location=location, name=name)


def verify_statement(statement: SealStatement, public_key: PublicKey) -> bool:
    """True if `statement` carries a valid signature by `public_key`."""
    try:
        raw = b64url_decode(statement.signature)
    except ValueError:
        return False
    data = statement.signed_text().encode("utf-8")
    try:
        if isinstance(public_key, ed25519.Ed25519PublicKey):
            public_key.verify(raw, data)
        else:
            if len(raw) != 64:
                return False
            der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
            public_key.verify(der, data, ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        return False
    return True


def self_issued_certificate(
    key: PrivateKey,
    common_name: str,
    organization: str = "",
    valid_from: dt.datetime | None = None,
    years: int = 10,
    serial: int | None = None,
) -> x509.Certificate:
    """A self-issued end-entity certificate for document signing."""
    attributes = [x509.NameAttribute(NameOID.COMMON_NAME, common_name)]
    if organization:
        attributes.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization))
    name = x509.Name(attributes)
    start = valid_from or dt.datetime.now(dt.UTC).replace(microsecond=0)
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(serial if serial is not None else x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + dt.timedelta(days=365 * years))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )
    algorithm = None if isinstance(key, ed25519.Ed25519PrivateKey) else hashes.SHA256()
    return builder.sign(key, algorithm)


def _spki(key: Any) -> bytes:
    return bytes(key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo))


def public_key_id(key: Any) -> bytes:
    """SHA-256 of a public key's SubjectPublicKeyInfo: how trusted keys are compared."""
    return hashlib.sha256(_spki(key)).digest()


class QrSealer:
    """The `PageDecorator` that signs the statements and draws each page's QR code."""

    def __init__(self, signer: OfficeSigner, meta: DocumentMeta) -> None:
        self.signer = signer
        self.meta = meta
        self.statements: list[SealStatement] = []

    def prepare(self, page_digests: Sequence[bytes]) -> None:
        self.statements = self.signer.seal_statements(self.meta, page_digests)

    def draw(self, canvas: Canvas, page: int, pages: int) -> None:
        draw_qr(canvas, self.statements[page - 1].encode())


def qr_modules(payload: str) -> list[list[bool]]:
    """The QR matrix for `payload`: byte mode (UTF-8), error correction M, smallest version that fits, and
    the mask the ISO/IEC 18004 penalty rules choose (segno's matrix, computed by `qr` in about 1 ms instead
    of segno's 23). The code is 22 mm wide (0.4 mm per module at version 10) on an empty margin.
    """
    return qr_matrix(payload)


def draw_qr(canvas: Canvas, payload: str) -> None:
    """The QR code in the top margin, right-aligned with the text block, 22 mm square.

    Written as raw path operators in module units under one scaling matrix: integers format fast, where
    ReportLab's pure-Python float formatting of a thousand rectangles cost about 10 ms per page. Each run of
    dark modules in a row is one rectangle.
    """
    rows = qr_rows(payload)
    count = len(rows)
    size = QR_SIZE_MM * L.MM
    step = size / count
    left = L.BLOCK_RIGHT - size
    bottom = L.PAGE_HEIGHT - QR_TOP_MM * L.MM - size
    ops = ["q 0 g {0:.4f} 0 0 {0:.4f} {1:.3f} {2:.3f} cm".format(step, left, bottom)]
    for row_number, row in enumerate(rows):
        y = count - row_number - 1
        ops.extend(
            "{0} {1} {2} 1 re".format(run.start(), y, run.end() - run.start()) for run in _DARK_RUN.finditer(row)
        )
    # One fill for the whole code; rectangles of one row touch exactly, so no seams between them.
    ops.append("f Q")
    canvas.addLiteral("\n".join(ops))
