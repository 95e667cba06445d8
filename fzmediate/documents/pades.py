"""A PDF signature (PAdES B-B) appended to an existing PDF with pyHanko, made deterministic.

`issue_pdf` does not use this: it writes the same signature in ReportLab's rendering pass (`signature`), with
a CMS that is byte for byte pyHanko's. This module signs a PDF that is already made (`OfficeSigner.sign_pdf`),
as an incremental update, for PDFs not made by `issue_pdf` and as the reference the tests compare with.
Importing pyHanko takes about half a second (it pulls in aiohttp for time-stamp clients we do not use), so it
is imported only here and in `verify`.

Three pyHanko behaviours are overridden, each for determinism (see `seal` for why it matters):

* the signing time is the document's issue time, not the clock (``PdfSigningSession.system_time``);
* ECDSA nonces are derived from the key and message (RFC 6979) instead of random;
* the incremental update leaves the document metadata as issued (pyHanko would stamp ``ModDate`` = now and
  rewrite the XMP packet) and derives the second trailer ID from the signed bytes instead of random ones.

These touch pyHanko internals (pinned below 0.39 in pyproject.toml); `tests/documents` signs twice and compares
the bytes, so an upgrade that breaks an override fails a test instead of silently changing output.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from typing import TYPE_CHECKING, Any

from asn1crypto import keys as asn1_keys  # type: ignore[import-untyped]
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import signers
from pyhanko.sign.fields import SigSeedSubFilter
from pyhanko.sign.signers.pdf_cms import SimpleSigner
from pyhanko_certvalidator.registry import SimpleCertificateStore

from fzmediate.documents.errors import SealError
from fzmediate.documents.signature import CONTENTS_RESERVED, SIGNATURE_FIELD, digest_algorithm
from fzmediate.i18n import _

if TYPE_CHECKING:
    from fzmediate.documents.seal import OfficeSigner

#: pyHanko counts the room for the CMS in hex digits: the same bytes as `signature` reserves.
BYTES_RESERVED = 2 * CONTENTS_RESERVED


class _DeterministicSigner(SimpleSigner):
    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        key = serialization.load_der_private_key(self.signing_key.dump(), password=None)
        if isinstance(key, ec.EllipticCurvePrivateKey):
            if digest_algorithm != "sha256":
                raise SealError(_("The PDF signature must use SHA-256."))
            return bytes(key.sign(data, ec.ECDSA(hashes.SHA256(), deterministic_signing=True)))
        return bytes(super().sign_raw(data, digest_algorithm))


class _FixedTimePdfSigner(signers.PdfSigner):
    def __init__(self, *args: Any, signing_time: dt.datetime, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._signing_time = signing_time

    def init_signing_session(self, pdf_out: Any, existing_fields_only: bool = False) -> Any:
        session = super().init_signing_session(pdf_out, existing_fields_only=existing_fields_only)
        session.system_time = self._signing_time
        return session


class _AsIssuedWriter(IncrementalPdfFileWriter):
    def _update_meta(self) -> None:
        return None


def sign_pdf(
    signer: OfficeSigner, pdf: bytes, *, signing_time: dt.datetime, reason: str = "", location: str = "", name: str = ""
) -> bytes:
    """`pdf` with a PAdES B-B signature by `signer`, appended as an incremental update."""
    if signing_time.tzinfo is None:
        raise SealError(_("The signing time must carry a time zone."))
    der_cert = signer.certificate.public_bytes(serialization.Encoding.DER)
    cert = asn1_x509.Certificate.load(der_cert)
    key_der = signer.private_key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    pyhanko_signer = _DeterministicSigner(
        signing_cert=cert,
        signing_key=asn1_keys.PrivateKeyInfo.load(key_der),
        # The chain only: the signing certificate is embedded anyway (pyHanko would otherwise write it twice).
        cert_registry=SimpleCertificateStore.from_certs(  # type: ignore[no-untyped-call]
            [asn1_x509.Certificate.load(c.public_bytes(serialization.Encoding.DER)) for c in signer.chain]
        ),
    )
    writer = _AsIssuedWriter(io.BytesIO(pdf))
    first_id = writer._document_id[0]
    second_id = hashlib.sha256(pdf).digest()[:16]
    writer._document_id = generic.ArrayObject([first_id, generic.ByteStringObject(second_id)])
    meta = signers.PdfSignatureMetadata(
        field_name=SIGNATURE_FIELD,
        md_algorithm=digest_algorithm(signer),
        subfilter=SigSeedSubFilter.PADES,
        reason=reason or None,
        location=location or None,
        name=name or None,
    )
    pdf_signer = _FixedTimePdfSigner(meta, signer=pyhanko_signer, signing_time=signing_time)
    out = io.BytesIO()
    pdf_signer.sign_pdf(writer, output=out, bytes_reserved=BYTES_RESERVED)
    return out.getvalue()
