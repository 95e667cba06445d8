"""Issue a document: render, seal every page, finish for archiving, sign. The bytes returned are final.

All of it happens in ReportLab's one pass over the document (`render` with a `DocumentFinisher`): the QR seal
is drawn on every page, the seal statements go into the page dictionaries, the PDF/A-2b entries (`pdfa`) and
the signature field (`signature`) into the document, and once ReportLab has written the file the signature
is computed over its bytes and written into the space kept for it. Nothing parses the PDF again.

When the caller passes the store's audit head (`anchor`: sequence number and hash of the last audit event
before this issue), it is written into the catalog (``/FZAuditHead``), inside the signed bytes: the
document then proves that the store's audit chain had reached that head (`verify.read_anchor`).

The caller stores the bytes and their SHA-256 with the case event; re-issuing a corrected document is a new
document (new id, pointing to the old one) and the old bytes are never touched.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from reportlab.pdfbase.pdfdoc import PDFString, PDFText

from fzmediate.documents.model import DocumentSpec
from fzmediate.documents.pdfa import archive_document, issue_time, set_catalog_entries
from fzmediate.documents.render import render
from fzmediate.documents.seal import ANCHOR_KEY, SEAL_KEY, OfficeSigner, QrSealer, SealStatement, format_anchor
from fzmediate.documents.signature import SignatureValue, add_signature_field, fill_signature

#: The signature's stated reason (document data, Simplified Chinese).
SIGNING_REASON = "签发"


@dataclass(frozen=True)
class IssuedDocument:
    """A sealed, signed PDF with what the case record keeps about it."""

    pdf: bytes
    sha256: str
    statements: tuple[SealStatement, ...]

    @property
    def pages(self) -> int:
        return len(self.statements)


class _Issuing:
    """The `DocumentFinisher` of an issued document (see module docs)."""

    def __init__(
        self, spec: DocumentSpec, signer: OfficeSigner, sealer: QrSealer, anchor: tuple[int, str] | None
    ) -> None:
        self.moment = issue_time(spec)
        self.anchor = format_anchor(*anchor) if anchor is not None else None
        self.signer = signer
        self.sealer = sealer
        self.signature = SignatureValue(signing_time=self.moment, reason=SIGNING_REASON, location=spec.meta.issuer)

    def prepare(self, document: Any) -> None:
        pages = document.Pages.pages
        statements = self.sealer.statements
        if len(statements) != len(pages):
            raise ValueError("one seal statement per page")
        for page, statement in zip(pages, statements, strict=True):
            _set_page_entry(page, SEAL_KEY.lstrip("/"), PDFText(statement.encode().encode("utf-8"), enc="raw"))
        archive_document(document, self.moment)
        if self.anchor is not None:
            set_catalog_entries(document, **{ANCHOR_KEY.lstrip("/"): PDFString(self.anchor)})
        # The file identifier (both halves: a new file), from the seal statements, which cover the document's
        # identity and the digest of every page. ReportLab's own would depend on the metadata only.
        identifier = hashlib.sha256("\n".join(s.encode() for s in statements).encode("utf-8")).hexdigest()[:32]
        document._ID = "[<{0}> <{0}>]".format(identifier).encode("ascii")
        add_signature_field(document, self.signature)

    def finish(self, pdf: bytes, document: Any) -> bytes:
        return fill_signature(pdf, document, self.signature, self.signer)


def _set_page_entry(page: Any, name: str, value: Any) -> None:
    """An entry ReportLab's `PDFPage` does not know (it writes only the names listed in `__NoDefault__`)."""
    if name not in page.__NoDefault__:
        page.__NoDefault__ = [*page.__NoDefault__, name]  # per instance: the class list is shared
    setattr(page, name, value)


def issue_pdf(spec: DocumentSpec, signer: OfficeSigner, *, anchor: tuple[int, str] | None = None) -> IssuedDocument:
    """Render `spec` with a signed QR seal on every page, PDF/A-2b metadata and a PAdES signature.

    `anchor` is the issuing store's audit head (sequence number, SHA-256 hex), sealed into the document.
    """
    sealer = QrSealer(signer, spec.meta)
    signed = render(spec, sealer, finisher=_Issuing(spec, signer, sealer, anchor)).pdf
    return IssuedDocument(signed, hashlib.sha256(signed).hexdigest(), tuple(sealer.statements))
