"""Which office certificates the district certified: a table of chains, each with the reason it is or is not."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.x509.oid import NameOID

from fzmediate.documents.certify import make_root
from fzmediate.documents.seal import PrivateKey
from fzmediate.resources import resource
from fzmediate.security import district_trust as trust_module
from fzmediate.security.district_trust import common_name, district_roots, office_chain_status
from tests.documents import trust

AT = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
OFFICE = "深圳市坪山区坪山街道人民调解委员会"
REPO = Path(__file__).resolve().parents[2]


def _name(text: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, text)])


def _key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def _certificate(
    subject: str,
    public_key: ec.EllipticCurvePublicKey,
    issuer_key: PrivateKey,
    issuer: str,
    *,
    ca: bool | None,
    path_length: int | None = None,
    cert_sign: bool = False,
    digital_signature: bool = True,
    start: dt.datetime = trust.START,
    days: int = 3650,
) -> x509.Certificate:
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(_name(issuer) if issuer != "ROOT" else trust.root().subject)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + dt.timedelta(days=days))
        .add_extension(
            x509.KeyUsage(digital_signature, False, False, False, False, cert_sign, False, False, False), critical=True
        )
    )
    if ca is not None:
        builder = builder.add_extension(x509.BasicConstraints(ca=ca, path_length=path_length), critical=True)
    algorithm = None if isinstance(issuer_key, ed25519.Ed25519PrivateKey) else hashes.SHA256()
    return builder.sign(issuer_key, algorithm)


def _office_under(issuer_key: PrivateKey, issuer: str, **options: object) -> x509.Certificate:
    return _certificate(OFFICE, _key().public_key(), issuer_key, issuer, ca=False, **options)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Case:
    chain: list[x509.Certificate]
    reason: str
    at: dt.datetime = AT


def _cases() -> dict[str, Case]:
    root_key = trust.root_key()
    ca_key = _key()
    ca = _certificate("区司法局", ca_key.public_key(), root_key, "ROOT", ca=True, path_length=0, cert_sign=True)
    stranger_key = _key()
    stranger_root = make_root(stranger_key, common_name(trust.root().subject), valid_from=trust.START)
    not_ca_key = _key()
    not_ca = _certificate("普通单位", not_ca_key.public_key(), root_key, "ROOT", ca=False, cert_sign=True)
    no_cert_sign_key = _key()
    no_cert_sign = _certificate("无签发权", no_cert_sign_key.public_key(), root_key, "ROOT", ca=True, cert_sign=False)
    deep_key = _key()
    deep = _certificate("下级", deep_key.public_key(), ca_key, "区司法局", ca=True, cert_sign=True)
    self_key = _key()
    return {
        "certified by the root": Case([_office_under(root_key, "ROOT")], "certified"),
        "certified through an intermediate": Case([_office_under(ca_key, "区司法局"), ca], "certified"),
        "intermediates in any order": Case([_office_under(ca_key, "区司法局"), trust.root(), ca], "certified"),
        "self-issued": Case([_certificate(OFFICE, self_key.public_key(), self_key, OFFICE, ca=False)], "self_issued"),
        "unknown issuer": Case([_office_under(_key(), "某市信任根")], "unknown_issuer"),
        "intermediate missing": Case([_office_under(ca_key, "区司法局")], "unknown_issuer"),
        "a root with the district's name but another key": Case(
            [_office_under(stranger_key, "ROOT"), stranger_root], "bad_signature"
        ),
        "office certificate expired": Case([_office_under(root_key, "ROOT", days=30)], "expired"),
        "office certificate not yet valid": Case(
            [_office_under(root_key, "ROOT", start=AT + dt.timedelta(days=1))], "expired"
        ),
        "intermediate expired": Case(
            [
                _office_under(ca_key, "区司法局"),
                _certificate("区司法局", ca_key.public_key(), root_key, "ROOT", ca=True, cert_sign=True, days=10),
            ],
            "expired",
        ),
        "root expired": Case([_office_under(root_key, "ROOT")], "expired", at=dt.datetime(2057, 1, 1, tzinfo=dt.UTC)),
        "issuer is not a CA": Case([_office_under(not_ca_key, "普通单位"), not_ca], "not_ca"),
        "issuer may not sign certificates": Case([_office_under(no_cert_sign_key, "无签发权"), no_cert_sign], "not_ca"),
        "path longer than the intermediate allows": Case([_office_under(deep_key, "下级"), deep, ca], "not_ca"),
        "office certificate is a CA": Case([ca], "wrong_usage"),
        "office certificate may not sign": Case(
            [_office_under(root_key, "ROOT", digital_signature=False)], "wrong_usage"
        ),
        "nothing": Case([], "empty"),
    }


CASES = _cases()


@pytest.mark.parametrize("name", list(CASES))
def test_chain_status(name: str) -> None:
    case = CASES[name]
    status = office_chain_status(case.chain, roots=[trust.root()], at=case.at)
    assert status.reason == case.reason, status.message
    assert status.certified == (case.reason == "certified")
    if status.certified:
        assert status.root == common_name(trust.root().subject) and status.subject == OFFICE
        assert status.path[0] == case.chain[0] and status.path[-1] == trust.root()
    else:
        assert status.message and not status.root and not status.path


def test_the_shipped_roots_do_not_certify_the_test_chains() -> None:
    for name in ("certified by the root", "certified through an intermediate"):
        status = office_chain_status(CASES[name].chain, at=AT)
        assert status.reason == "unknown_issuer" and not status.certified


def test_the_shipped_district_root() -> None:
    (root,) = district_roots()
    assert common_name(root.subject) == "深圳市坪山区人民政府 文书信任根"
    assert root.issuer == root.subject
    root.verify_directly_issued_by(root)  # self-signed
    assert isinstance(root.public_key(), ec.EllipticCurvePublicKey)
    assert isinstance(root.public_key().curve, ec.SECP256R1)  # type: ignore[union-attr]
    assert root.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    assert root.extensions.get_extension_for_class(x509.KeyUsage).value.key_cert_sign
    # Read from the app's own resources, never from a data directory.
    assert resource(*trust_module.ROOTS_FILE).resolve().is_relative_to((REPO / "resources").resolve())


def test_no_private_key_but_the_labelled_test_key_is_in_the_repository() -> None:
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=REPO, capture_output=True, text=True, check=True,
    ).stdout.split("\n")  # fmt: skip
    holders = []
    for name in filter(None, listed):
        path = REPO / name
        if path.is_file() and b"PRIVATE KEY-----" in path.read_bytes() and path.suffix != ".py":
            holders.append(name)
    # Only labelled test fixtures hold private keys, and none of them is the key of a shipped root.
    assert "tests/fixtures/trust/TEST-ONLY-root-key.pem" in holders
    assert [name for name in holders if not name.startswith("tests/fixtures/")] == []
    shipped = {_spki(root.public_key()) for root in district_roots()}
    for name in holders:
        for block in re.findall(
            rb"-----BEGIN PRIVATE KEY-----.+?-----END PRIVATE KEY-----", (REPO / name).read_bytes(), re.S
        ):
            key = serialization.load_pem_private_key(block, password=None)
            assert _spki(key.public_key()) not in shipped, name
    assert b"PRIVATE KEY" not in resource(*trust_module.ROOTS_FILE).read_bytes()


def _spki(key: object) -> bytes:
    return key.public_bytes(  # type: ignore[attr-defined, no-any-return]
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
