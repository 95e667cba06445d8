"""The PDF signature of an issued document (PAdES B-B), written in the same pass as the pages.

`add_signature_field` puts an invisible signature field on the first page of ReportLab's document before
ReportLab writes the file: its value is a signature dictionary whose ``/ByteRange`` and ``/Contents`` are
fixed-width placeholders. `fill_signature` then writes the byte range (everything but the ``/Contents`` hex
string), hashes those bytes, and writes the CMS signature into the placeholder. The file is never parsed
again: ReportLab knows where it wrote the dictionary.

What is written is what pyHanko 0.38 wrote as an incremental update for the same key (see `pades`), only in
the file's one revision instead of a second one:

* the field: ``/FT /Sig``, ``/T (FzmediateSeal)``, a widget with ``/Rect [0 0 0 0]`` and ``/F 132`` (print,
  locked) on page 1, listed in ``/AcroForm`` with ``/SigFlags 3``;
* the value: ``/Filter /Adobe.PPKLite``, ``/SubFilter /ETSI.CAdES.detached``, ``/M`` = the issue time,
  ``/Reason``, ``/Location``, 12 KiB reserved for the CMS (room for the chain and a later RFC 3161
  time-stamp token);
* the catalog declares the ESIC extension (PAdES) and ISO/TS 32002 (ECDSA P-256, Ed25519) with
  ``/Version /2.0``, as pyHanko did;
* the CMS ``SignedData`` (`cms_signature`): the office certificate and its chain up to the district root
  (`OfficeSigner.chain`), and signed attributes content-type,
  message-digest and signing-certificate-v2 (no signing-time: PAdES puts the time in ``/M``); SHA-256 with
  ECDSA P-256 (RFC 6979 nonces, so deterministic), SHA-512 with Ed25519 (RFC 8419). A test checks that the
  DER equals pyHanko's for the same digest, and that pyHanko validates the result as covering the entire file.

Building the CMS with asn1crypto from parts cached per certificate costs well under a millisecond; pyHanko
took about 17 ms per document (parsing the PDF, writing the update, and asn1crypto re-encoding the same
certificate structures several times), and importing it about 0.5 s.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from reportlab.pdfbase.pdfdoc import PDFArray, PDFDictionary, PDFName, PDFObject, PDFString

from fzmediate.documents.errors import SealError
from fzmediate.documents.pdfa import pdf_date, set_catalog_entries
from fzmediate.i18n import _

if TYPE_CHECKING:
    from fzmediate.documents.seal import OfficeSigner

SIGNATURE_FIELD = "FzmediateSeal"
#: Room for the DER of the CMS: about 850 bytes with one certificate and 500 more per chain certificate; the
#: rest is kept for an RFC 3161 time-stamp token (an unsigned attribute, with the TSA's certificates) to be
#: added later. The hex string in the file is twice as long.
CONTENTS_RESERVED = 12288
#: Widget flags: print (4) + locked (128).
_WIDGET_FLAGS = 132
_BYTE_RANGE_PLACEHOLDER = b"[0 0000000000 0000000000 0000000000]"
_ESIC = PDFDictionary({"Type": PDFName("DeveloperExtensions"), "BaseVersion": PDFName("1.7"), "ExtensionLevel": 1})
_ISO_32002 = PDFDictionary(
    {
        "Type": PDFName("DeveloperExtensions"),
        "BaseVersion": PDFName("2.0"),
        "ExtensionLevel": 32002,
        "ExtensionRevision": PDFString(":2022"),
        "URL": PDFString("https://www.iso.org/standard/45875.html"),
    }
)


class SignatureValue(PDFObject):  # type: ignore[misc]
    """The signature dictionary, written with placeholders; remembers where they are within itself."""

    __RefOnly__ = 1

    def __init__(self, *, signing_time: dt.datetime, reason: str = "", location: str = "", name: str = "") -> None:
        if signing_time.tzinfo is None:
            raise SealError(_("The signing time must carry a time zone."))
        self.signing_time = signing_time
        self.reason = reason
        self.location = location
        self.name = name
        self.byte_range_at = -1
        self.contents_at = -1

    def format(self, document: Any) -> bytes:
        lines = [
            b"<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached",
            # pyHanko's form of the date, with the closing apostrophe.
            b"/M " + PDFString(pdf_date(self.signing_time) + "'").format(document),
        ]
        for key, value in (("Name", self.name), ("Location", self.location), ("Reason", self.reason)):
            if value:
                lines.append("/{0} ".format(key).encode("ascii") + PDFString(value).format(document))
        head = b"\n".join([*lines, b"/ByteRange "])
        self.byte_range_at = len(head)
        head += _BYTE_RANGE_PLACEHOLDER + b"\n/Contents "
        self.contents_at = len(head)
        return head + b"<" + b"0" * (2 * CONTENTS_RESERVED) + b">\n>>"


class _SignatureField(PDFObject):  # type: ignore[misc]
    """The signature field merged with its widget annotation (invisible, on page 1)."""

    __RefOnly__ = 1

    def __init__(self, value: SignatureValue, page: Any) -> None:
        self.value = value
        self.page = page

    def format(self, document: Any) -> bytes:
        entries = {
            "Type": PDFName("Annot"),
            "Subtype": PDFName("Widget"),
            "FT": PDFName("Sig"),
            "T": PDFString(SIGNATURE_FIELD),
            "F": _WIDGET_FLAGS,
            "Rect": PDFArray([0, 0, 0, 0]),
            "P": document.Reference(self.page),
            "V": self.value,
        }
        return bytes(PDFDictionary(entries).format(document))


def add_signature_field(document: Any, value: SignatureValue) -> None:
    """Put the signature field holding `value` into ReportLab's `document` (all pages added, not yet written)."""
    first = document.Pages.pages[0]
    field = _SignatureField(value, first)
    first.Annots = [*(first.Annots or []), field]
    set_catalog_entries(
        document,
        AcroForm=PDFDictionary({"Fields": PDFArray([field]), "SigFlags": 3}),
        Version=PDFName("2.0"),
        Extensions=PDFDictionary({"ESIC": _ESIC, "ISO_": PDFArray([_ISO_32002])}),
    )


def fill_signature(pdf: bytes, document: Any, value: SignatureValue, signer: OfficeSigner) -> bytes:
    """`pdf` (as ReportLab wrote `document`) with the byte range and the CMS signature filled in."""
    name = value.__InternalName__
    number, generation = document.idToObjectNumberAndVersion[name]
    start = document.idToOffset[name] + len("{0} {1} obj\n".format(number, generation))
    data = bytearray(pdf)
    byte_range_at = start + value.byte_range_at
    contents_at = start + value.contents_at
    contents_end = contents_at + 2 * CONTENTS_RESERVED + 2
    if (
        data[byte_range_at : byte_range_at + len(_BYTE_RANGE_PLACEHOLDER)] != _BYTE_RANGE_PLACEHOLDER
        or data[contents_at : contents_at + 1] != b"<"
        or data[contents_end - 1 : contents_end] != b">"
    ):
        raise RuntimeError("the signature placeholder is not where ReportLab wrote it")
    ranges = "[0 {0} {1} {2}]".format(contents_at, contents_end, len(data) - contents_end).encode("ascii")
    data[byte_range_at : byte_range_at + len(_BYTE_RANGE_PLACEHOLDER)] = ranges.ljust(len(_BYTE_RANGE_PLACEHOLDER))
    digest = hashlib.new(digest_algorithm(signer))
    view = memoryview(data)
    digest.update(view[:contents_at])
    digest.update(view[contents_end:])
    view.release()
    der = cms_signature(signer, digest.digest())
    if len(der) > CONTENTS_RESERVED:  # a certificate far larger than a self-issued or usual CA one
        raise ValueError("the CMS signature ({0} bytes) exceeds the {1} reserved".format(len(der), CONTENTS_RESERVED))
    data[contents_at + 1 : contents_at + 1 + 2 * len(der)] = der.hex().encode("ascii")
    return bytes(data)


def digest_algorithm(signer: OfficeSigner) -> str:
    """SHA-256 with ECDSA P-256; SHA-512 with Ed25519, as CMS defines it (RFC 8419)."""
    return "sha256" if isinstance(signer.private_key, ec.EllipticCurvePrivateKey) else "sha512"


def _der(tag: int, content: bytes) -> bytes:
    """One DER TLV (definite length)."""
    length = len(content)
    if length < 0x80:
        return bytes((tag, length)) + content
    size = (length.bit_length() + 7) // 8
    return bytes((tag, 0x80 | size)) + length.to_bytes(size, "big") + content


_SEQUENCE, _SET, _OCTET_STRING, _CONTEXT_0 = 0x30, 0x31, 0x04, 0xA0


@dataclass(frozen=True)
class _SignerParts:
    """The DER of every part of a SignedData that depends only on the certificate and key type."""

    signed_data_head: bytes  # version, digestAlgorithms, encapContentInfo, certificates [0]
    signer_info_head: bytes  # version, sid (issuer and serial number), digestAlgorithm
    content_type: bytes  # the content-type attribute (data)
    message_digest_type: bytes  # the OID of the message-digest attribute
    signing_certificate: bytes  # the signing-certificate-v2 attribute
    signature_algorithm: bytes
    signed_data_type: bytes  # the OID of signed-data


@functools.lru_cache(maxsize=16)
def _signer_parts(der_certificate: bytes, der_chain: tuple[bytes, ...], ecdsa: bool) -> _SignerParts:
    """Encoded once per certificate with asn1crypto (the library pyHanko builds its CMS with)."""
    from asn1crypto import algos, cms, tsp  # type: ignore[import-untyped]
    from asn1crypto import x509 as asn1_x509

    certificate = asn1_x509.Certificate.load(der_certificate)
    digest = "sha256" if ecdsa else "sha512"
    digest_algorithm_der = algos.DigestAlgorithm({"algorithm": digest}).dump()
    # pyHanko's `as_signing_certificate_v2` (RFC 5035): the certificate's SHA-256 and issuer/serial.
    signing_certificate = tsp.SigningCertificateV2(
        {
            "certs": [
                tsp.ESSCertIDv2(
                    {
                        "hash_algorithm": {"algorithm": "sha256"},
                        "cert_hash": hashlib.sha256(der_certificate).digest(),
                        "issuer_serial": {
                            "issuer": [asn1_x509.GeneralName({"directory_name": certificate.issuer})],
                            "serial_number": certificate["tbs_certificate"]["serial_number"],
                        },
                    }
                )
            ]
        }
    )
    sid = cms.IssuerAndSerialNumber({"issuer": certificate.issuer, "serial_number": certificate.serial_number})
    version = b"\x02\x01\x01"  # INTEGER 1 (CMS v1, both in SignedData and SignerInfo)
    return _SignerParts(
        signed_data_head=version
        + _der(_SET, digest_algorithm_der)
        + cms.EncapsulatedContentInfo({"content_type": "data"}).dump()
        # certificates [0] IMPLICIT SET OF: the office certificate and its chain, sorted as DER sorts a SET OF
        # (X.690 §11.6), which is also the order asn1crypto writes pyHanko's in.
        + _der(_CONTEXT_0, b"".join(sorted({der_certificate, *der_chain}))),
        signer_info_head=version + sid.dump() + digest_algorithm_der,
        content_type=cms.CMSAttribute({"type": "content_type", "values": ["data"]}).dump(),
        message_digest_type=cms.CMSAttributeType("message_digest").dump(),
        signing_certificate=cms.CMSAttribute(
            {"type": "signing_certificate_v2", "values": [signing_certificate]}
        ).dump(),
        signature_algorithm=algos.SignedDigestAlgorithm({"algorithm": "sha256_ecdsa" if ecdsa else "ed25519"}).dump(),
        signed_data_type=cms.ContentType("signed_data").dump(),
    )


def cms_signature(signer: OfficeSigner, digest: bytes) -> bytes:
    """The DER of a detached CMS SignedData (PAdES B-B) by `signer` over a document `digest`.

    Assembled from `_signer_parts` and the two values that change: the digest and the signature. (Building
    the whole structure with asn1crypto each time cost about 10 ms.)
    """
    ecdsa = isinstance(signer.private_key, ec.EllipticCurvePrivateKey)
    parts = _signer_parts(
        signer.certificate.public_bytes(serialization.Encoding.DER),
        tuple(c.public_bytes(serialization.Encoding.DER) for c in signer.chain),
        ecdsa,
    )
    message_digest = _der(_SEQUENCE, parts.message_digest_type + _der(_SET, _der(_OCTET_STRING, digest)))
    # A DER SET OF is sorted by encoding (X.690 §11.6): content-type, message-digest, signing certificate,
    # the order pyHanko writes them in.
    attributes = b"".join(sorted((parts.content_type, message_digest, parts.signing_certificate)))
    to_sign = _der(_SET, attributes)
    if isinstance(signer.private_key, ec.EllipticCurvePrivateKey):
        signature = signer.private_key.sign(to_sign, ec.ECDSA(hashes.SHA256(), deterministic_signing=True))
    else:
        signature = signer.private_key.sign(to_sign)
    signer_info = _der(
        _SEQUENCE,
        parts.signer_info_head
        + _der(_CONTEXT_0, attributes)  # signedAttrs [0] IMPLICIT
        + parts.signature_algorithm
        + _der(_OCTET_STRING, signature),
    )
    signed_data = _der(_SEQUENCE, parts.signed_data_head + _der(_SET, signer_info))
    return _der(_SEQUENCE, parts.signed_data_type + _der(_CONTEXT_0, signed_data))  # content [0] EXPLICIT
