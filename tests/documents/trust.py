"""The TEST-ONLY district root (tests/fixtures/trust) and office keys certified by it, directly or through an
intermediate CA, the way `fzmediate office certify` does it. The app never trusts this root: tests pass it
explicitly (``roots=``, ``--roots``)."""

from __future__ import annotations

import datetime as dt
import functools
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec

from fzmediate.documents.certify import certificate_request, certify_request, load_private_key, make_intermediate
from fzmediate.documents.seal import OfficeSigner, PrivateKey
from fzmediate.security.district_trust import common_name

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "trust"
ROOT_PEM = FIXTURES / "TEST-ONLY-root.pem"
ROOT_KEY_PEM = FIXTURES / "TEST-ONLY-root-key.pem"
START = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


@functools.cache
def root() -> x509.Certificate:
    return x509.load_pem_x509_certificate(ROOT_PEM.read_bytes())


@functools.cache
def root_key() -> PrivateKey:
    return load_private_key(ROOT_KEY_PEM.read_bytes())


@functools.cache
def intermediate() -> tuple[PrivateKey, x509.Certificate]:
    """A TEST-ONLY CA below the test root (the 司法局 of the district, say)."""
    key = ec.generate_private_key(ec.SECP256R1())
    certificate = make_intermediate(
        key.public_key(), "TEST-ONLY 区司法局文书签发中心", root_key(), root(), valid_from=START
    )
    return key, certificate


def certified(signer: OfficeSigner, *, via_intermediate: bool = False, days: int = 3650) -> OfficeSigner:
    """`signer`'s key with a certificate from the test root (or its intermediate), as after `office install`."""
    request = certificate_request(signer.private_key, common_name(signer.certificate.subject))
    if via_intermediate:
        key, ca = intermediate()
        certificate = certify_request(request, key, ca, valid_from=START, days=days)
        return signer.with_certificate(certificate, [ca])
    return signer.with_certificate(certify_request(request, root_key(), root(), valid_from=START, days=days))
