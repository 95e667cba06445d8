"""Check an issued PDF: signed by an office the district certified, unchanged since, every page the page sealed.

`verify_pdf` answers with one `VerifyResult`: ``valid`` or the first reason it is not, in this order:

``unreadable``     not a PDF that can be read at all;
``unsigned``       no PDF signature;
``altered``        the signed bytes were changed or bytes were added after signing. If the page seals show
                   that pages were reordered or taken from another document, ``swapped_page`` is reported
                   instead, since that says more;
``not_sealed``     signed, but the pages carry no seal statements;
``wrong_digest``   a page's content, or the document digest, does not match its signed seal statement (the
                   signer's key signed a PDF whose content is not what was sealed), or a seal signature is bad;
``swapped_page``   a page is missing, extra, out of order or belongs to another document;
``not_certified``  signature and seals are intact, but the signer's certificate does not chain to a district
                   root (self-issued, unknown issuer, expired, bad signature, not a CA: `ChainStatus`).

Trust comes only from the district roots shipped with the app (`fzmediate.security.district_trust`); the
office certificate and its chain come from the PDF signature itself (the CMS certificates). No file in the
data directory is consulted. ``roots=`` is for tests and inspection with a TEST-ONLY root.

`read_anchor` gives the audit head (sequence number, hash) the issuing store had when the document was
issued: it is in the document catalog (``/FZAuditHead``), inside the signed byte range.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.serialization import Encoding

from fzmediate.documents.render import page_body_digest
from fzmediate.documents.seal import (
    ANCHOR_KEY,
    SEAL_KEY,
    STATEMENT_PREFIX,
    SealStatement,
    b64url,
    parse_anchor,
    verify_statement,
)
from fzmediate.i18n import _
from fzmediate.security.district_trust import ChainStatus, common_name, office_chain_status

VALID: Final = "valid"
UNREADABLE: Final = "unreadable"
UNSIGNED: Final = "unsigned"
ALTERED: Final = "altered"
NOT_SEALED: Final = "not_sealed"
WRONG_DIGEST: Final = "wrong_digest"
SWAPPED_PAGE: Final = "swapped_page"
NOT_CERTIFIED: Final = "not_certified"


@dataclass(frozen=True)
class VerifyResult:
    """The answer: `valid`, a stable `reason` word (module docs) and a localized message for people.

    `intact` says that the PDF signature and every page seal are intact (true for ``valid`` and
    ``not_certified``); `trust` is the `ChainStatus` reason of the signer's certificate chain and
    `certified_by` the district root's name when certified. `anchor` is the audit head at issuance
    (sequence, hash), read only from an intact document.
    """

    valid: bool
    reason: str
    message: str
    document_id: str = ""
    case_number: str = ""
    issue_date: dt.date | None = None
    pages: int = 0
    signer: str = ""
    #: 1-based page the reason refers to, when there is one.
    page: int | None = None
    intact: bool = False
    trust: str = ""
    certified_by: str = ""
    anchor: tuple[int, str] | None = None


@dataclass
class _Page:
    statement: SealStatement | None
    digest: bytes | None  # None when the page content could not be read


def verify_pdf(
    data: bytes, *, roots: Sequence[x509.Certificate] | None = None, at: dt.datetime | None = None
) -> VerifyResult:
    """Verify an issued document; trusted only if its signer chains to a district root (module docs).

    `roots` replaces the shipped district roots (tests: a TEST-ONLY root); `at` (default: now) is the moment
    the certificates must be valid at.
    """
    read = _read_pdf(data)
    if read is None:
        return VerifyResult(False, UNREADABLE, _("Invalid: the file is not a readable PDF."))
    pages, anchor = read
    signature = _signature(data)
    if signature is None:
        return VerifyResult(False, UNSIGNED, _("Invalid: the document carries no signature."), pages=len(pages))
    embedded, certificate, others = signature
    signer_name = common_name(certificate.subject)
    public_key = certificate.public_key()
    info = _identity(pages, signer_name)
    if not _intact(embedded, certificate):
        misplaced = _misplaced_page(pages)
        if misplaced is not None:
            return _swapped(misplaced, info)
        return VerifyResult(False, ALTERED, _("Invalid: the bytes were changed after signing."), **info)
    if all(p.statement is None for p in pages):
        return VerifyResult(False, NOT_SEALED, _("Invalid: the pages carry no seal."), **info)
    # Seals are only ever made with EC P-256 or Ed25519 keys: any other key's seals cannot be valid.
    usable = isinstance(public_key, (ec.EllipticCurvePublicKey, ed25519.Ed25519PublicKey))
    wrong = _wrong_digest_page(pages, public_key) if usable else 1
    if wrong is not None:
        message = _("Invalid: page {page} does not match its seal (wrong digest).").format(page=wrong)
        return VerifyResult(False, WRONG_DIGEST, message, **info, page=wrong)
    misplaced = _misplaced_page(pages)
    if misplaced is not None:
        return _swapped(misplaced, info)
    chain = office_chain_status([certificate, *others], roots=roots, at=at)
    if not chain.certified:
        return _not_certified(chain, info, anchor)
    message = _(
        "Valid: document {id}, case {case}, issued {date}, {pages} pages, signed by {signer}, certified by {root}."
    ).format(
        id=info["document_id"], case=info["case_number"] or "-", date=info["issue_date"], pages=len(pages),
        signer=signer_name, root=chain.root,
    )  # fmt: skip
    return VerifyResult(
        True, VALID, message, **info, intact=True, trust=chain.reason, certified_by=chain.root, anchor=anchor
    )


def read_anchor(
    data: bytes, *, roots: Sequence[x509.Certificate] | None = None, require_certified: bool = False
) -> tuple[int, str] | None:
    """The audit head (sequence number, hash) sealed into an issued document, or None.

    None unless the signature and every seal are intact (and, with `require_certified`, the signer is
    certified by a district root), or when the document carries no audit head (issued before it did).
    """
    result = verify_pdf(data, roots=roots)
    if not result.intact or (require_certified and not result.valid):
        return None
    return result.anchor


def _not_certified(chain: ChainStatus, info: dict[str, Any], anchor: tuple[int, str] | None) -> VerifyResult:
    message = _(
        "Signature intact, but the issuing office's certificate is not certified by a district root "
        "(document {id}, signed by {signer}): {problem}"
    ).format(id=info.get("document_id") or "-", signer=info["signer"], problem=chain.message)
    return VerifyResult(False, NOT_CERTIFIED, message, **info, intact=True, trust=chain.reason, anchor=anchor)


def _swapped(page: int, info: dict[str, Any]) -> VerifyResult:
    message = _("Invalid: page {page} is not the page sealed at that position (swapped or foreign page).").format(
        page=page
    )
    return VerifyResult(False, SWAPPED_PAGE, message, **info, page=page)


def _identity(pages: list[_Page], signer: str) -> dict[str, Any]:
    first = next((p.statement for p in pages if p.statement is not None), None)
    if first is None:
        return {"pages": len(pages), "signer": signer}
    return {
        "document_id": first.document_id,
        "case_number": first.case_number,
        "issue_date": first.issue_date,
        "pages": len(pages),
        "signer": signer,
    }


def _read_pdf(data: bytes) -> tuple[list[_Page], tuple[int, str] | None] | None:
    """Every page's seal statement and content digest, and the audit head in the catalog; None if unreadable."""
    import pikepdf

    try:
        pdf = pikepdf.open(io.BytesIO(data))
    except Exception:  # any parse failure means the same thing to the user
        return None
    with pdf:
        anchor: tuple[int, str] | None = None
        raw_anchor = pdf.Root.get(ANCHOR_KEY)
        if raw_anchor is not None:
            try:
                anchor = parse_anchor(bytes(raw_anchor).decode("ascii"))
            except (ValueError, TypeError):
                anchor = None
        pages = []
        for page in pdf.pages:
            statement: SealStatement | None = None
            raw = page.obj.get(SEAL_KEY)
            if raw is not None:
                try:
                    text = bytes(raw).decode("utf-8")
                    statement = SealStatement.parse(text) if text.startswith(STATEMENT_PREFIX) else None
                except (ValueError, TypeError):
                    statement = None
            pages.append(_Page(statement, _content_digest(page)))
    return pages, anchor


def _content_digest(page: Any) -> bytes | None:
    import pikepdf

    try:
        contents = page.obj.get("/Contents")
        if contents is None:
            return page_body_digest(b"")
        if isinstance(contents, pikepdf.Array):
            data = b"\n".join(part.read_bytes() for part in contents)
        else:
            data = contents.read_bytes()
    except Exception:  # a damaged stream: the digest check reports it
        return None
    return page_body_digest(data)


def _signature(data: bytes) -> tuple[Any, x509.Certificate, list[x509.Certificate]] | None:
    """The last signature, its signer's certificate and the other certificates its CMS carries."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        signatures = reader.embedded_signatures
    except Exception:  # an unparsable signature structure is no signature we can check
        return None
    if not signatures:
        return None
    embedded = signatures[-1]
    try:
        certificate = x509.load_der_x509_certificate(embedded.signer_cert.dump())
        others = [x509.load_der_x509_certificate(c.dump()) for c in embedded.other_embedded_certs]
    except Exception:  # a certificate that cannot be parsed: no signature we can check
        return None
    return embedded, certificate, others


def _intact(embedded: Any, certificate: x509.Certificate) -> bool:
    """The signature is cryptographically valid and covers the whole file."""
    from asn1crypto import x509 as asn1_x509  # type: ignore[import-untyped]
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    root = asn1_x509.Certificate.load(certificate.public_bytes(Encoding.DER))
    try:
        context = ValidationContext(trust_roots=[root], allow_fetching=False, moment=certificate.not_valid_before_utc)
        status = validate_pdf_signature(embedded, signer_validation_context=context)
    except Exception:  # pyHanko refuses to validate a broken structure: the bytes are not as signed
        return False
    return bool(status.intact and status.valid and status.coverage == SignatureCoverageLevel.ENTIRE_FILE)


def _misplaced_page(pages: list[_Page]) -> int | None:
    """The first page whose seal does not put it at this position of this document, or None."""
    first = next((p.statement for p in pages if p.statement is not None), None)
    if first is None:
        return None
    for number, page in enumerate(pages, start=1):
        st = page.statement
        if (
            st is None
            or st.document_id != first.document_id
            or st.document_digest != first.document_digest
            or st.page != number
            or st.pages != len(pages)
        ):
            return number
    return None


def _wrong_digest_page(pages: list[_Page], public_key: Any) -> int | None:
    """The first page whose seal is not validly signed or does not match the page content, or None."""
    from fzmediate.documents.seal import document_digest

    for number, page in enumerate(pages, start=1):
        st = page.statement
        if st is None:
            continue  # a page without a seal is a foreign page, reported as swapped
        if not verify_statement(st, public_key):
            return number
        if page.digest is None or b64url(page.digest[:16]) != st.page_digest:
            return number
    first = next(p.statement for p in pages if p.statement is not None)
    if all(p.digest is not None for p in pages):
        digests = [p.digest for p in pages if p.digest is not None]
        whole = b64url(document_digest(first.document_id, first.case_number, first.issue_date, digests)[:16])
        if len({p.statement.document_id for p in pages if p.statement}) == 1 and whole != first.document_digest:
            # Page digests all match but the set or order does not: report it as misplaced instead.
            return None if _misplaced_page(pages) is not None else 1
    return None
