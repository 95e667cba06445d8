"""Sealing and verification: a valid document verifies; every kind of tampering fails with its reason."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pikepdf
import pytest

from fzmediate.documents import verify
from fzmediate.documents.issue import IssuedDocument, issue_pdf
from fzmediate.documents.model import DocumentSpec
from fzmediate.documents.render import render_pdf
from fzmediate.documents.seal import OfficeSigner, SealStatement, verify_statement
from fzmediate.documents.verify import verify_pdf
from tests.documents.conftest import make_signer
from tests.documents.pdftools import pdffonts, pdftotext, render_pages, squash
from tests.documents.samples import agreement_data


def _edit(pdf: bytes, change: object) -> bytes:
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        change(doc)  # type: ignore[operator]
        out = io.BytesIO()
        doc.save(out)
    return out.getvalue()


def test_an_issued_document_verifies(issued_agreement: IssuedDocument, signer: OfficeSigner) -> None:
    result = verify_pdf(issued_agreement.pdf, [signer.certificate])
    assert result.valid and result.reason == verify.VALID
    assert result.document_id == "D-2026-000123" and result.case_number == "坪调〔2026〕12号"
    assert result.pages == issued_agreement.pages >= 2
    assert verify_pdf(issued_agreement.pdf, [signer.public_key]).valid  # a bare public key works too


def test_the_issued_pdf_stays_embedded_only_and_readable(issued_agreement: IssuedDocument) -> None:
    assert all(f["emb"] == "yes" for f in pdffonts(issued_agreement.pdf))
    assert "王𠮷" in squash(pdftotext(issued_agreement.pdf))


def test_one_changed_byte_is_altered(issued_agreement: IssuedDocument, signer: OfficeSigner) -> None:
    data = bytearray(issued_agreement.pdf)
    at = data.find(b"/Producer")
    data[at + 12] ^= 0x01  # one bit of one byte, inside the signed range
    result = verify_pdf(bytes(data), [signer.certificate])
    assert not result.valid and result.reason == verify.ALTERED


def test_bytes_appended_after_signing_are_altered(issued_agreement: IssuedDocument, signer: OfficeSigner) -> None:
    data = issued_agreement.pdf + b"\n% an incremental update would go here\n"
    assert verify_pdf(data, [signer.certificate]).reason == verify.ALTERED


def test_swapped_pages_are_reported(issued_agreement: IssuedDocument, signer: OfficeSigner) -> None:
    swapped = _edit(issued_agreement.pdf, lambda doc: doc.pages.reverse())
    result = verify_pdf(swapped, [signer.certificate])
    assert not result.valid and result.reason == verify.SWAPPED_PAGE and result.page == 1


def test_a_page_from_another_document_is_reported(
    issued_agreement: IssuedDocument, issued_guide: IssuedDocument, signer: OfficeSigner
) -> None:
    def replace_second(doc: pikepdf.Pdf) -> None:
        with pikepdf.open(io.BytesIO(issued_guide.pdf)) as other:
            doc.pages[1] = other.pages[1]

    foreign = _edit(issued_agreement.pdf, replace_second)
    result = verify_pdf(foreign, [signer.certificate])
    assert result.reason == verify.SWAPPED_PAGE and result.page == 2


def test_a_signature_by_an_unknown_key_is_refused(agreement: DocumentSpec, signer: OfficeSigner) -> None:
    stranger = make_signer("冒名调解委员会")
    forged = issue_pdf(agreement, stranger).pdf
    result = verify_pdf(forged, [signer.certificate])
    assert not result.valid and result.reason == verify.UNKNOWN_KEY


def test_content_that_does_not_match_its_seal_is_a_wrong_digest(
    issued_agreement: IssuedDocument, signer: OfficeSigner
) -> None:
    """Someone with the office key re-signs a PDF whose page was edited: the seal no longer matches."""

    def edit_page(doc: pikepdf.Pdf) -> None:
        del doc.Root.AcroForm  # drop the old signature field and its widget
        for each in doc.pages:
            if "/Annots" in each.obj:
                del each.obj.Annots
        page = doc.pages[0]
        content = page.obj.Contents.read_bytes()
        page.obj.Contents = doc.make_stream(content.replace(b" Tc", b" Tc ", 1))

    unsigned = _edit(issued_agreement.pdf, edit_page)
    resigned = signer.sign_pdf(unsigned, signing_time=_issue_time())
    result = verify_pdf(resigned, [signer.certificate])
    assert not result.valid and result.reason == verify.WRONG_DIGEST and result.page == 1


def test_unsigned_and_unsealed_documents(agreement_pdf: bytes, signer: OfficeSigner) -> None:
    assert verify_pdf(agreement_pdf, [signer.certificate]).reason == verify.UNSIGNED
    signed_draft = signer.sign_pdf(agreement_pdf, signing_time=_issue_time())
    assert verify_pdf(signed_draft, [signer.certificate]).reason == verify.NOT_SEALED
    assert verify_pdf(b"not a pdf", [signer.certificate]).reason == verify.UNREADABLE


@pytest.mark.parametrize("key_type", ["ec-p256", "ed25519"])
def test_issuing_is_deterministic(agreement: DocumentSpec, key_type: str) -> None:
    office = make_signer(key_type=key_type)
    first = issue_pdf(agreement, office)
    second = issue_pdf(agreement, office)
    assert first.pdf == second.pdf and first.sha256 == second.sha256
    assert verify_pdf(first.pdf, [office.certificate]).valid


def test_seal_statements_are_signed_and_carried_by_each_page(
    issued_agreement: IssuedDocument, signer: OfficeSigner
) -> None:
    statements = issued_agreement.statements
    assert [s.page for s in statements] == list(range(1, len(statements) + 1))
    for statement in statements:
        assert verify_statement(statement, signer.public_key)
        assert SealStatement.parse(statement.encode()) == statement
        assert statement.issue_date.isoformat() == "2026-11-29"
    tampered = SealStatement.parse(statements[0].encode().replace("|1/", "|2/"))
    assert not verify_statement(tampered, signer.public_key)
    with pikepdf.open(io.BytesIO(issued_agreement.pdf)) as doc:
        stored = [bytes(page.obj["/FZSeal"]).decode("utf-8") for page in doc.pages]
        assert stored == [s.encode() for s in statements]
        assert str(doc.open_metadata().get("pdfaid:part")) == "2"
        assert doc.check_pdf_syntax() == []
        assert "/OutputIntents" in doc.Root


def test_draft_renders_carry_no_qr_but_issued_ones_do(agreement_pdf: bytes, issued_agreement: IssuedDocument) -> None:
    assert b"/FZSeal" not in agreement_pdf
    assert render_pdf(agreement_spec_with_other_id()) != agreement_pdf


def agreement_spec_with_other_id() -> DocumentSpec:
    from fzmediate.documents.templates.agreement import agreement_spec

    return agreement_spec(agreement_data(document_id="D-2026-000124"))


def _issue_time():  # type: ignore[no-untyped-def]
    import datetime as dt

    return dt.datetime(2026, 11, 29, 10, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))


# `make test` installs zbar-tools (.ci/sysdeps); only a machine without it skips, and never CI.
@pytest.mark.skipif(
    shutil.which("zbarimg") is None and os.environ.get("CI") != "true",
    reason="zbarimg (zbar-tools) is not installed; make test installs it",
)
def test_the_printed_qr_decodes_to_the_page_statement(issued_agreement: IssuedDocument) -> None:
    page = render_pages(issued_agreement.pdf, 200, 1, 1)[0]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "page.png"
        page.save(path)
        out = subprocess.run(["zbarimg", "-q", "--raw", str(path)], capture_output=True, check=True)
    assert out.stdout.decode("utf-8").strip() == issued_agreement.statements[0].encode()


def test_warm_up_loads_what_the_first_document_needs() -> None:
    from fzmediate.documents.warmup import warm_up

    warm_up()
