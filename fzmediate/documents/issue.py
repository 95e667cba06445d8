"""Issue a document: render, seal every page, finish for archiving, sign. The bytes returned are final.

The caller stores the bytes and their SHA-256 with the case event; re-issuing a corrected document is a new
document (new id, pointing to the old one) and the old bytes are never touched.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from fzmediate.documents.model import DocumentSpec
from fzmediate.documents.pdfa import finish_pdf, issue_time
from fzmediate.documents.render import render
from fzmediate.documents.seal import OfficeSigner, QrSealer, SealStatement

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


def issue_pdf(spec: DocumentSpec, signer: OfficeSigner) -> IssuedDocument:
    """Render `spec` with a signed QR seal on every page, add PDF/A-2b metadata, sign with PAdES."""
    sealer = QrSealer(signer, spec.meta)
    rendered = render(spec, sealer)
    finished = finish_pdf(rendered.pdf, spec, sealer.statements)
    signed = signer.sign_pdf(finished, signing_time=issue_time(spec), reason=SIGNING_REASON, location=spec.meta.issuer)
    return IssuedDocument(signed, hashlib.sha256(signed).hexdigest(), tuple(sealer.statements))
