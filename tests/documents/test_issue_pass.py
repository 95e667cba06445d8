"""Issuing in one pass: the QR matrix, the PDF/A entries and the PAdES signature that ReportLab writes itself
are what segno, pikepdf and pyHanko make (see `issue`, `qr`, `pdfa`, `signature`); pyHanko and poppler
validate the signature with the chain it carries, given only the (TEST-ONLY) district root."""

from __future__ import annotations

import datetime as dt
import io
import os
import random
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pikepdf
import pytest
import segno
from asn1crypto import cms  # type: ignore[import-untyped]
from cryptography.hazmat.primitives.serialization import Encoding

from fzmediate.documents import signature
from fzmediate.documents.issue import IssuedDocument, issue_pdf
from fzmediate.documents.model import DocumentSpec
from fzmediate.documents.qr import qr_matrix
from fzmediate.documents.seal import OfficeSigner
from fzmediate.documents.signature import cms_signature
from tests.documents import trust
from tests.documents.conftest import make_signer
from tests.documents.trust import START, certified
from tests.support import soak_scale

ROOT = Path(__file__).resolve().parents[2]


def _segno_matrix(payload: str) -> tuple[list[list[bool]], int]:
    code = segno.make_qr(payload.encode("utf-8"), error="M", mode="byte", boost_error=False)
    return [[bool(m) for m in row] for row in code.matrix], code.mask


@pytest.mark.soak
def test_the_qr_matrix_is_segnos() -> None:
    """Module for module segno's symbol, mask chosen by the ISO/IEC 18004 penalty rules (not a fixed mask)."""
    rng = random.Random(20261129)
    alphabet = "FZDOC1|D-2026-0123456789abcXYZ_坪调〔〕号𠮷"
    extra = soak_scale(40, 2000)
    lengths = [0, 1, 13, 14, 100, 180, 188, 250, *(rng.randint(1, 700) for _ in range(extra))]
    versions, masks = set(), set()
    for length in lengths:
        payload = "".join(rng.choice(alphabet) for _ in range(length))
        expected, mask = _segno_matrix(payload)
        versions.add((len(expected) - 17) // 4)
        masks.add(mask)
        assert qr_matrix(payload) == expected, length
    # Small versions, version information (≥ 7) and the 16-bit length field (≥ 10) are all covered.
    assert min(versions) == 1 and any(7 <= v < 10 for v in versions) and max(versions) >= 10
    assert len(masks) >= 6  # the mask is chosen per code


def test_a_seal_payload_takes_segnos_mask(issued_agreement: IssuedDocument) -> None:
    for statement in issued_agreement.statements:
        expected, _mask = _segno_matrix(statement.encode())
        assert qr_matrix(statement.encode()) == expected


def _embedded_cms(pdf: bytes) -> bytes:
    found = re.search(rb"/Contents <([0-9a-fA-F]+)>", pdf)
    assert found is not None
    raw = bytes.fromhex(found.group(1).decode("ascii"))
    return bytes(raw[: len(cms.ContentInfo.load(raw).dump())])


@pytest.mark.parametrize("key_type", ["ec-p256", "ed25519"])
@pytest.mark.parametrize("chain", ["self-issued", "certified", "via-intermediate"])
def test_the_cms_is_pyhankos(agreement_pdf: bytes, key_type: str, chain: str) -> None:
    """For the same key, chain and document digest, the CMS written in the rendering pass is pyHanko's, byte
    for byte (certificates included)."""
    import datetime as dt

    office = _office(key_type, chain)
    moment = dt.datetime(2026, 11, 29, 10, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    by_pyhanko = _embedded_cms(office.sign_pdf(agreement_pdf, signing_time=moment, reason="签发"))
    signed_data = cms.ContentInfo.load(by_pyhanko)["content"]
    assert len(signed_data["certificates"]) == 1 + len(office.chain)
    signer_info = signed_data["signer_infos"][0]
    digest = next(a["values"][0].native for a in signer_info["signed_attrs"] if a["type"].native == "message_digest")
    assert cms_signature(office, digest) == by_pyhanko


def _office(key_type: str, chain: str) -> OfficeSigner:
    office = make_signer(key_type=key_type)
    if chain == "self-issued":
        return office
    return certified(office, via_intermediate=chain == "via-intermediate")


def _pyhanko_status(pdf: bytes, trust_root: Any) -> Any:
    from asn1crypto import x509 as asn1_x509
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    reader = PdfFileReader(io.BytesIO(pdf))  # strict parsing
    (embedded,) = reader.embedded_signatures
    root = asn1_x509.Certificate.load(trust_root.public_bytes(Encoding.DER))
    # Only the root is given: the intermediate must come from the signature itself.
    context = ValidationContext(trust_roots=[root], allow_fetching=False, moment=START + dt.timedelta(days=300))
    return embedded, validate_pdf_signature(embedded, signer_validation_context=context)


@pytest.mark.parametrize("key_type", ["ec-p256", "ed25519"])
@pytest.mark.parametrize("chain", ["certified", "via-intermediate"])
def test_pyhanko_validates_the_signature_with_the_chain(agreement: DocumentSpec, key_type: str, chain: str) -> None:
    from pyhanko.sign.validation.status import SignatureCoverageLevel

    office = _office(key_type, chain)
    pdf = issue_pdf(agreement, office).pdf
    embedded, status = _pyhanko_status(pdf, trust.root())
    assert status.intact and status.valid and status.trusted, status.pretty_print_details()
    assert status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    path = [c.subject.native["common_name"] for c in status.validation_path]
    assert path[0].startswith("TEST-ONLY") and path[-1] == "深圳市坪山区坪山街道人民调解委员会"
    assert len(path) == (3 if chain == "via-intermediate" else 2)
    assert embedded.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"
    assert embedded.sig_object["/Reason"] == "签发"


def test_pyhanko_does_not_trust_a_self_issued_signer(agreement: DocumentSpec) -> None:
    _embedded, status = _pyhanko_status(issue_pdf(agreement, make_signer()).pdf, trust.root())
    assert status.intact and status.valid and not status.trusted


def test_the_signature_leaves_room_for_a_time_stamp(agreement: DocumentSpec) -> None:
    """An RFC 3161 token (with the TSA's certificates) takes about 4–6 KB: it fits after the chain."""
    office = _office("ec-p256", "via-intermediate")
    used = len(_embedded_cms(issue_pdf(agreement, office).pdf))
    assert signature.CONTENTS_RESERVED - used >= 8192


# `make test` installs poppler-utils and libnss3-tools (.ci/sysdeps); only a machine without them skips.
@pytest.mark.skipif(
    (shutil.which("pdfsig") is None or shutil.which("certutil") is None) and os.environ.get("CI") != "true",
    reason="pdfsig (poppler-utils) or certutil (libnss3-tools) is not installed; make test installs them",
)
def test_pdfsig_validates_the_signature_with_the_chain(agreement: DocumentSpec, tmp_path: Path) -> None:
    """poppler (NSS) trusts the signer through the chain in the signature, given only the root."""
    nss = tmp_path / "nss"
    nss.mkdir()
    root_pem = tmp_path / "root.pem"
    root_pem.write_bytes(trust.root().public_bytes(Encoding.PEM))
    subprocess.run(["certutil", "-N", "-d", "sql:{0}".format(nss), "--empty-password"], check=True)
    subprocess.run(
        ["certutil", "-A", "-d", "sql:{0}".format(nss), "-n", "root", "-t", "C,C,C", "-i", str(root_pem)], check=True
    )

    def pdfsig(office: OfficeSigner) -> list[str]:
        target = tmp_path / "signed.pdf"
        target.write_bytes(issue_pdf(agreement, office).pdf)
        out = subprocess.run(
            ["pdfsig", "-nssdir", "sql:{0}".format(nss), str(target)], capture_output=True, text=True, check=False
        ).stdout
        return [line.strip() for line in out.splitlines() if "Validation:" in line]

    chained = _office("ec-p256", "via-intermediate")
    assert pdfsig(chained) == [
        "- Signature Validation: Signature is Valid.",
        "- Certificate Validation: Certificate is Trusted.",
    ]
    # The same certificate without its chain in the signature: NSS cannot reach the root.
    unchained = chained.with_certificate(chained.certificate)
    assert pdfsig(unchained)[1] == "- Certificate Validation: Certificate issuer is unknown."
    assert pdfsig(make_signer())[1] == "- Certificate Validation: Certificate issuer is unknown."


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
