"""Attack: make ``doc verify`` call a forged document valid (issue 12: "a forged certificate in any file").

The forger has the data directory (no password needed for what is tried here), knows the office's name and
the district root's name, and can make any key and certificate they like — including ones issued by the
TEST-ONLY root, whose private key is public in this repository. Trust comes only from the district roots
shipped with the app, so every forgery verifies as ``not_certified`` (exit 3) at best, never ``valid``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID

from fzmediate import cli
from fzmediate.documents.certify import certificate_request, certify_request, make_root
from fzmediate.documents.issue import issue_pdf
from fzmediate.documents.model import DocumentSpec
from fzmediate.documents.seal import OfficeSigner
from fzmediate.documents.templates.agreement import agreement_spec
from fzmediate.documents.verify import NOT_CERTIFIED, verify_pdf
from fzmediate.security.district_trust import common_name, district_roots
from fzmediate.services.office_keys import CERTIFICATES_FILE
from tests.documents import trust
from tests.documents.samples import agreement_data

OFFICE = "坪山街道办事处"
START = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def agreement() -> DocumentSpec:
    return agreement_spec(agreement_data())


def _verify_cli(capsys: pytest.CaptureFixture[str], pdf: Path, data_dir: Path, *extra: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = cli.main(["--lang", "en", "doc", "verify", str(pdf), "--data-dir", str(data_dir), *extra])
    out, err = capsys.readouterr()
    return code, out, err


def _self_made(name: str = OFFICE) -> OfficeSigner:
    return OfficeSigner.generate(name, valid_from=START)


def _under_a_fake_district_root() -> OfficeSigner:
    """A root with the shipped root's exact name (another key) certifies the forger's office key."""
    (real,) = district_roots()
    fake_root_key = ec.generate_private_key(ec.SECP256R1())
    (organization,) = real.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)
    fake_root = make_root(
        fake_root_key, common_name(real.subject), organization=str(organization.value), valid_from=START
    )
    assert fake_root.subject == real.subject and fake_root.public_key() != real.public_key()
    forger = _self_made()
    request = certificate_request(forger.private_key, OFFICE)
    certificate = certify_request(request, fake_root_key, fake_root, valid_from=START)
    return forger.with_certificate(certificate, [fake_root])  # the fake root rides in the signature too


def _under_the_public_test_root() -> OfficeSigner:
    return trust.certified(_self_made(), via_intermediate=True)


FORGERS: dict[str, Callable[[], OfficeSigner]] = {
    "self-issued with the office's name": _self_made,
    "certified by a fake root named like the district's": _under_a_fake_district_root,
    "certified by the TEST-ONLY root (its key is public)": _under_the_public_test_root,
}


@pytest.mark.parametrize("forger", list(FORGERS))
def test_a_forged_document_is_never_valid_whatever_the_data_dir_holds(
    forger: str, agreement: DocumentSpec, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    office = FORGERS[forger]()
    forged = tmp_path / "forged.pdf"
    forged.write_bytes(issue_pdf(agreement, office).pdf)
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    # Everything the forger can write that looks like a trust anchor: the exported certificates file (with
    # the forged certificate appended), and the forged chain where a root file might be looked for.
    forged_pem = b"".join(c.public_bytes(Encoding.PEM) for c in (office.certificate, *office.chain))
    (data_dir / CERTIFICATES_FILE).write_bytes(forged_pem)
    for name in ("district-roots.pem", "trust/district-roots.pem", "roots.pem", "resources/trust/district-roots.pem"):
        (data_dir / name).parent.mkdir(parents=True, exist_ok=True)
        (data_dir / name).write_bytes(forged_pem)

    result = verify_pdf(forged.read_bytes())
    assert not result.valid and result.reason == NOT_CERTIFIED and result.signer == OFFICE
    code, out, err = _verify_cli(capsys, forged, data_dir)
    assert code == 3 and out == "" and "not certified by a district root" in err
    # The certificates file passed the old way is no longer an option at all.
    assert _verify_cli(capsys, forged, data_dir, "--certificates", str(data_dir / CERTIFICATES_FILE))[0] == 2


def test_a_fake_root_named_like_the_districts_fails_on_the_signature(agreement: DocumentSpec) -> None:
    result = verify_pdf(issue_pdf(agreement, _under_a_fake_district_root()).pdf)
    assert result.reason == NOT_CERTIFIED and result.trust == "bad_signature"


def test_only_roots_given_explicitly_are_trusted_besides_the_shipped_ones(
    agreement: DocumentSpec, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--roots`` is the one way to trust another root, it says so, and it replaces the shipped roots."""
    pdf = tmp_path / "test-certified.pdf"
    pdf.write_bytes(issue_pdf(agreement, _under_the_public_test_root()).pdf)
    code, _out, err = _verify_cli(capsys, pdf, tmp_path, "--roots", str(trust.ROOT_PEM))
    assert code == 0 and "Warning" in err and "instead of the district roots" in err
    assert _verify_cli(capsys, pdf, tmp_path)[0] == 3


def test_the_shipped_roots_come_from_the_application_not_the_data_dir(tmp_path: Path) -> None:
    roots = district_roots()
    assert roots and all(isinstance(r, x509.Certificate) for r in roots)
    assert all(common_name(r.subject) == "深圳市坪山区人民政府 文书信任根" for r in roots)
