"""Issuing in one pass: the QR matrix, the PDF/A entries and the PAdES signature that ReportLab writes itself
are what ReportLab's QR encoder, pikepdf and pyHanko made before (see `issue`, `qr`, `pdfa`, `signature`)."""

from __future__ import annotations

import io
import random
import re
import subprocess
import sys
from pathlib import Path

import pikepdf
import pytest
from asn1crypto import cms  # type: ignore[import-untyped]
from cryptography.hazmat.primitives.serialization import Encoding
from reportlab.graphics.barcode import qrencoder

from fzmediate.documents.issue import IssuedDocument, issue_pdf
from fzmediate.documents.model import DocumentSpec
from fzmediate.documents.qr import qr_matrix
from fzmediate.documents.seal import OfficeSigner
from fzmediate.documents.signature import cms_signature
from tests.documents.conftest import make_signer

ROOT = Path(__file__).resolve().parents[2]


def _reportlab_matrix(payload: str) -> list[list[bool]]:
    code = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
    code.addData(qrencoder.QR8bitByte(payload.encode("utf-8")))
    code.version = code.calculate_version()
    code.makeImpl(False, 0)
    return [[bool(m) for m in row] for row in code.modules]


def test_the_qr_matrix_is_reportlabs() -> None:
    rng = random.Random(20261129)
    alphabet = "FZDOC1|D-2026-0123456789abcXYZ_坪调〔〕号𠮷"
    lengths = [0, 1, 13, 14, 100, 180, 188, 250, *(rng.randint(1, 700) for _ in range(25))]
    versions = set()
    for length in lengths:
        payload = "".join(rng.choice(alphabet) for _ in range(length))
        expected = _reportlab_matrix(payload)
        versions.add((len(expected) - 17) // 4)
        assert qr_matrix(payload) == expected, length
    # Small versions, version information (≥ 7) and the 16-bit length field (≥ 10) are all covered.
    assert min(versions) == 1 and any(7 <= v < 10 for v in versions) and max(versions) >= 10


def _embedded_cms(pdf: bytes) -> bytes:
    found = re.search(rb"/Contents <([0-9a-fA-F]+)>", pdf)
    assert found is not None
    raw = bytes.fromhex(found.group(1).decode("ascii"))
    return bytes(raw[: len(cms.ContentInfo.load(raw).dump())])


@pytest.mark.parametrize("key_type", ["ec-p256", "ed25519"])
def test_the_cms_is_pyhankos(agreement_pdf: bytes, key_type: str) -> None:
    """For the same key and document digest, the CMS written in the rendering pass is pyHanko's, byte for byte."""
    import datetime as dt

    office = make_signer(key_type=key_type)
    moment = dt.datetime(2026, 11, 29, 10, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    by_pyhanko = _embedded_cms(office.sign_pdf(agreement_pdf, signing_time=moment, reason="签发"))
    signer_info = cms.ContentInfo.load(by_pyhanko)["content"]["signer_infos"][0]
    digest = next(a["values"][0].native for a in signer_info["signed_attrs"] if a["type"].native == "message_digest")
    assert cms_signature(office, digest) == by_pyhanko


@pytest.mark.parametrize("key_type", ["ec-p256", "ed25519"])
def test_pyhanko_validates_the_signature_over_the_entire_file(agreement: DocumentSpec, key_type: str) -> None:
    from asn1crypto import x509 as asn1_x509
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    office = make_signer(key_type=key_type)
    pdf = issue_pdf(agreement, office).pdf
    reader = PdfFileReader(io.BytesIO(pdf))  # strict parsing
    (embedded,) = reader.embedded_signatures
    root = asn1_x509.Certificate.load(office.certificate.public_bytes(Encoding.DER))
    context = ValidationContext(
        trust_roots=[root], allow_fetching=False, moment=office.certificate.not_valid_before_utc
    )
    status = validate_pdf_signature(embedded, signer_validation_context=context)
    assert status.intact and status.valid and status.trusted
    assert status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    assert embedded.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"
    assert embedded.sig_object["/Reason"] == "签发"


def test_the_issued_pdf_is_one_revision_with_the_pdfa_entries(issued_agreement: IssuedDocument) -> None:
    pdf = issued_agreement.pdf
    assert pdf.count(b"%%EOF") == 1 and b"/Prev" not in pdf
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        assert doc.check_pdf_syntax() == []
        meta = doc.open_metadata()
        assert meta.pdfa_status == "2B"
        assert "/Filter" not in doc.Root.Metadata.stream_dict  # the XMP packet stays plain text
        assert "/Trapped" not in doc.docinfo
        assert doc.docinfo["/CreationDate"] == doc.docinfo["/ModDate"] == "D:20261129103000+08'00"
        written = {key: str(meta[key]) for key in meta}
        # The XMP says what pikepdf's own mapping of the document information says.
        with pikepdf.new() as reference:
            for key, value in doc.docinfo.items():
                reference.docinfo[key] = value
            with reference.open_metadata(set_pikepdf_as_editor=False) as expected:
                expected.load_from_docinfo(reference.docinfo)
                expected["pdfaid:part"] = "2"
                expected["pdfaid:conformance"] = "B"
                expected["dc:language"] = ["zh-CN"]
            wanted = {key: str(value) for key, value in reference.open_metadata().items()}
        assert written == wanted
        (intent,) = doc.Root.OutputIntents
        assert intent.S == "/GTS_PDFA1" and intent.DestOutputProfile.N == 3
        widget = doc.pages[0].obj.Annots[0]
        assert widget.FT == "/Sig" and widget.F == 132 and list(widget.Rect) == [0, 0, 0, 0]
        assert doc.Root.AcroForm.SigFlags == 3 and doc.Root.AcroForm.Fields[0].objgen == widget.objgen
        trailer_id = [bytes(part) for part in doc.trailer.ID]
        assert trailer_id[0] == trailer_id[1] and len(trailer_id[0]) == 16
    # PDF/A: every stream's data is followed by an end-of-line before `endstream`, not counted in /Length.
    streams = 0
    for found in re.finditer(rb">>\s*stream\r?\n", pdf):
        length = re.search(rb"/Length (\d+)\b", pdf[pdf.rfind(b" obj", 0, found.start()) : found.start()])
        assert length is not None
        end = found.end() + int(length.group(1))
        assert pdf[end : end + 10] == b"\nendstream"
        streams += 1
    assert streams == pdf.count(b"endstream") >= 10
    # One filter is written as a name: qpdf (the case file) copies such a stream as it is.
    assert b"/Filter [" not in pdf


def test_issuing_imports_neither_pyhanko_nor_pikepdf() -> None:
    """The first issued document after start-up does not wait for pyHanko (≈ 0.5 s) or pikepdf."""
    code = (
        "import sys\n"
        "from tests.documents.conftest import make_signer\n"
        "from tests.documents.samples import agreement_data\n"
        "from fzmediate.documents.issue import issue_pdf\n"
        "from fzmediate.documents.templates.agreement import agreement_spec\n"
        "issue_pdf(agreement_spec(agreement_data()), make_signer())\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'pyhanko', 'pikepdf', 'aiohttp'}))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_a_signature_too_large_for_its_room_is_refused(
    agreement: DocumentSpec, signer: OfficeSigner, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fzmediate.documents import signature

    monkeypatch.setattr(signature, "cms_signature", lambda _office, _digest: b"0" * (signature.CONTENTS_RESERVED + 1))
    with pytest.raises(ValueError, match="exceeds"):
        issue_pdf(agreement, signer)
