"""Sealing and verification: a valid document verifies; every kind of tampering fails with its reason."""

from __future__ import annotations

import datetime as dt
import io
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import pikepdf
import pytest

from fzmediate.documents import verify
from fzmediate.documents.errors import SealError
from fzmediate.documents.issue import IssuedDocument, issue_pdf
from fzmediate.documents.model import DocumentSpec
from fzmediate.documents.render import render_pdf
from fzmediate.documents.seal import OfficeSigner, SealStatement, verify_statement
from fzmediate.documents.verify import read_anchor, verify_pdf
from fzmediate.security.district_trust import common_name
from tests.documents import trust
from tests.documents.conftest import make_signer
from tests.documents.pdftools import pdffonts, pdftotext, render_pages, squash
from tests.documents.samples import agreement_data


def _edit(pdf: bytes, change: object) -> bytes:
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        change(doc)  # type: ignore[operator]
        out = io.BytesIO()
        doc.save(out)
    return out.getvalue()


ROOTS = [trust.root()]


def test_an_issued_document_verifies(issued_agreement: IssuedDocument, signer: OfficeSigner) -> None:
    result = verify_pdf(issued_agreement.pdf, roots=ROOTS)
    assert result.valid and result.reason == verify.VALID and result.intact
    assert result.document_id == "D-2026-000123" and result.case_number == "坪调〔2026〕12号"
    assert result.pages == issued_agreement.pages >= 2
    assert result.certified_by == common_name(trust.root().subject) and result.trust == "certified"
    assert result.message.startswith("有效") and result.certified_by in result.message  # zh_CN, the default


def test_the_shipped_app_does_not_trust_the_test_root(issued_agreement: IssuedDocument) -> None:
    result = verify_pdf(issued_agreement.pdf)  # the district roots shipped in resources/trust
    assert not result.valid and result.reason == verify.NOT_CERTIFIED and result.intact
    assert result.trust == "unknown_issuer"


def test_the_issued_pdf_stays_embedded_only_and_readable(issued_agreement: IssuedDocument) -> None:
    assert all(f["emb"] == "yes" for f in pdffonts(issued_agreement.pdf))
    assert "王𠮷" in squash(pdftotext(issued_agreement.pdf))


def test_one_changed_byte_is_altered(issued_agreement: IssuedDocument) -> None:
    data = bytearray(issued_agreement.pdf)
    at = data.find(b"/Producer")
    data[at + 12] ^= 0x01  # one bit of one byte, inside the signed range
    result = verify_pdf(bytes(data), roots=ROOTS)
    assert not result.valid and result.reason == verify.ALTERED and not result.intact


def test_bytes_appended_after_signing_are_altered(issued_agreement: IssuedDocument) -> None:
    data = issued_agreement.pdf + b"\n% an incremental update would go here\n"
    assert verify_pdf(data, roots=ROOTS).reason == verify.ALTERED


def test_swapped_pages_are_reported(issued_agreement: IssuedDocument) -> None:
    swapped = _edit(issued_agreement.pdf, lambda doc: doc.pages.reverse())
    result = verify_pdf(swapped, roots=ROOTS)
    assert not result.valid and result.reason == verify.SWAPPED_PAGE and result.page == 1


def test_a_page_from_another_document_is_reported(
    issued_agreement: IssuedDocument, issued_guide: IssuedDocument
) -> None:
    def replace_second(doc: pikepdf.Pdf) -> None:
        with pikepdf.open(io.BytesIO(issued_guide.pdf)) as other:
            doc.pages[1] = other.pages[1]

    foreign = _edit(issued_agreement.pdf, replace_second)
    result = verify_pdf(foreign, roots=ROOTS)
    assert result.reason == verify.SWAPPED_PAGE and result.page == 2


def test_a_self_issued_signer_is_intact_but_not_certified(agreement: DocumentSpec) -> None:
    """A key nobody certified (here: with the name of the real office) seals a document: never valid."""
    stranger = make_signer()  # the same subject name as the certified office
    forged = issue_pdf(agreement, stranger).pdf
    result = verify_pdf(forged, roots=ROOTS)
    assert not result.valid and result.reason == verify.NOT_CERTIFIED and result.intact
    assert result.trust == "self_issued" and result.signer == "深圳市坪山区坪山街道人民调解委员会"
    assert "未经区级信任根认证" in result.message  # "not certified by a district root" (zh_CN, the default)


def test_a_chain_that_does_not_reach_the_root_is_not_certified(agreement: DocumentSpec, signer: OfficeSigner) -> None:
    unchained = signer.with_certificate(signer.certificate)  # the intermediate left out of the signature
    result = verify_pdf(issue_pdf(agreement, unchained).pdf, roots=ROOTS)
    assert result.reason == verify.NOT_CERTIFIED and result.trust == "unknown_issuer"


def test_an_expired_office_certificate_is_not_certified(agreement: DocumentSpec) -> None:
    short = trust.certified(make_signer(), days=30)  # valid January 2026 only
    pdf = issue_pdf(agreement, short).pdf
    assert verify_pdf(pdf, roots=ROOTS, at=trust.START + dt.timedelta(days=10)).valid
    result = verify_pdf(pdf, roots=ROOTS, at=trust.START + dt.timedelta(days=60))
    assert result.reason == verify.NOT_CERTIFIED and result.trust == "expired"


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
    result = verify_pdf(resigned, roots=ROOTS)
    assert not result.valid and result.reason == verify.WRONG_DIGEST and result.page == 1


def test_unsigned_and_unsealed_documents(agreement_pdf: bytes, signer: OfficeSigner) -> None:
    assert verify_pdf(agreement_pdf, roots=ROOTS).reason == verify.UNSIGNED
    signed_draft = signer.sign_pdf(agreement_pdf, signing_time=_issue_time())
    assert verify_pdf(signed_draft, roots=ROOTS).reason == verify.NOT_SEALED
    assert verify_pdf(b"not a pdf", roots=ROOTS).reason == verify.UNREADABLE


@pytest.mark.parametrize("key_type", ["ec-p256", "ed25519"])
def test_issuing_is_deterministic(agreement: DocumentSpec, key_type: str) -> None:
    office = trust.certified(make_signer(key_type=key_type), via_intermediate=True)
    first = issue_pdf(agreement, office, anchor=(3, "c" * 64))
    second = issue_pdf(agreement, office, anchor=(3, "c" * 64))
    assert first.pdf == second.pdf and first.sha256 == second.sha256
    assert verify_pdf(first.pdf, roots=ROOTS).valid


def test_the_audit_head_is_sealed_into_the_document(agreement: DocumentSpec, signer: OfficeSigner) -> None:
    head = (1234, "0123456789abcdef" * 4)
    pdf = issue_pdf(agreement, signer, anchor=head).pdf
    assert read_anchor(pdf, roots=ROOTS, require_certified=True) == head
    assert read_anchor(pdf) == head  # intact is enough: the head is checked against the store's chain
    assert read_anchor(pdf, require_certified=True) is None  # the app does not trust the test root
    assert verify_pdf(pdf, roots=ROOTS).anchor == head
    # The head is inside the signed bytes: changing it breaks the signature, and nothing is read.
    forged = pdf.replace(b"FZHEAD1|1234|", b"FZHEAD1|1233|")
    assert forged != pdf and verify_pdf(forged, roots=ROOTS).reason == verify.ALTERED
    assert read_anchor(forged, roots=ROOTS) is None
    assert read_anchor(issue_pdf(agreement, signer).pdf, roots=ROOTS) is None  # none was given
    with pytest.raises(SealError):
        issue_pdf(agreement, signer, anchor=(1, "not a hash"))


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
    pages = render_pages(issued_agreement.pdf, 200, 1, issued_agreement.pages)
    for page, statement in zip(pages, issued_agreement.statements, strict=True):
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "page.png"
            page.save(path)
            out = subprocess.run(["zbarimg", "-q", "--raw", str(path)], capture_output=True, check=True)
        assert out.stdout.decode("utf-8").strip() == statement.encode()
        # 22 mm square, right-aligned with the text block, 8 mm below the top edge: where it always was.
        left, top, right, bottom = _dark_box(page, top_mm=30)
        px = 200 / 25.4
        assert abs((right - left) / px - 22) < 0.6 and abs((bottom - top) / px - 22) < 0.6
        assert abs(top / px - 8) < 0.6


def _dark_box(page: Any, *, top_mm: float) -> tuple[int, int, int, int]:
    """The bounding box (pixels) of the dark pixels in the top `top_mm` of the right half of `page`."""
    width, _height = page.size
    px = 200 / 25.4
    band = page.convert("L").crop((width // 2, 0, width, int(top_mm * px)))
    box = band.point(lambda value: 255 if value < 128 else 0).getbbox()
    assert box is not None
    return box[0] + width // 2, box[1], box[2] + width // 2, box[3]


def test_warm_up_loads_what_the_first_document_needs() -> None:
    from fzmediate.documents.warmup import warm_up

    warm_up()
