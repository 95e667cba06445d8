"""Offline certification of an office's document-signing key by the district (docs/trust.md).

Three steps, none of which needs a network:

1. on the desk, `certificate_request` makes a PKCS #10 request for the active office key (subject: the
   office's name);
2. at the district, on its own offline machine, `certify_request` checks the request's signature and issues
   the office certificate with the district root key (or an intermediate's);
3. on the desk, the certificate (and any intermediates) is installed after `office_chain_status` says it
   chains to a shipped district root (`fzmediate.services.office_keys.OfficeKeys.install`).

`make_root` creates a district root certificate; the district runs it once and keeps the key offline. The
app ships only the root certificate.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.x509.oid import NameOID

from fzmediate.documents.errors import SealError
from fzmediate.documents.seal import PrivateKey
from fzmediate.i18n import _

#: Default validity of an office certificate issued by `certify_request`.
OFFICE_DAYS = 5 * 365
#: Default validity of a district root made by `make_root`.
ROOT_YEARS = 20


def _algorithm(key: PrivateKey) -> hashes.SHA256 | None:
    return None if isinstance(key, ed25519.Ed25519PrivateKey) else hashes.SHA256()


def _name(common_name: str, organization: str = "") -> x509.Name:
    attributes = [x509.NameAttribute(NameOID.COMMON_NAME, common_name)]
    if organization:
        attributes.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization))
    return x509.Name(attributes)


def load_private_key(pem: bytes, password: bytes | None = None) -> PrivateKey:
    """An EC P-256 or Ed25519 private key from PEM; SealError for any other key."""
    try:
        key = serialization.load_pem_private_key(pem, password=password)
    except (ValueError, TypeError) as exc:
        raise SealError(_("The key file is not a readable PEM private key.")) from exc
    if isinstance(key, ec.EllipticCurvePrivateKey) and isinstance(key.curve, ec.SECP256R1):
        return key
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return key
    raise SealError(_("The key must be an EC P-256 or Ed25519 key."))


def make_root(
    key: PrivateKey, common_name: str, *, organization: str = "", valid_from: dt.datetime, years: int = ROOT_YEARS
) -> x509.Certificate:
    """A self-signed district root: CA, may certify one level of intermediates, keyCertSign + cRLSign."""
    name = _name(common_name, organization)
    public = key.public_key()
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(valid_from)
        .not_valid_after(valid_from + dt.timedelta(days=365 * years))
        .add_extension(x509.BasicConstraints(ca=True, path_length=1), critical=True)
        .add_extension(_usage(cert_sign=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
    )
    return builder.sign(key, _algorithm(key))


def make_intermediate(
    public_key: ec.EllipticCurvePublicKey | ed25519.Ed25519PublicKey,
    common_name: str,
    issuer_key: PrivateKey,
    issuer_certificate: x509.Certificate,
    *,
    organization: str = "",
    valid_from: dt.datetime,
    years: int = 10,
) -> x509.Certificate:
    """A CA certificate below a district root (e.g. for the 司法局 that certifies the offices of its district):
    may certify end entities only (path length 0). It never outlives its issuer."""
    end = min(valid_from + dt.timedelta(days=365 * years), issuer_certificate.not_valid_after_utc)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name, organization))
        .issuer_name(issuer_certificate.subject)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(valid_from)
        .not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_usage(cert_sign=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_certificate.public_key()),  # type: ignore[arg-type]
            critical=False,
        )
    )
    return builder.sign(issuer_key, _algorithm(issuer_key))


def _usage(*, cert_sign: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=not cert_sign,
        content_commitment=not cert_sign,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=cert_sign,
        crl_sign=cert_sign,
        encipher_only=False,
        decipher_only=False,
    )


def certificate_request(key: PrivateKey, common_name: str, organization: str = "") -> x509.CertificateSigningRequest:
    """A PKCS #10 request for `key`, subject = the office's name."""
    builder = x509.CertificateSigningRequestBuilder().subject_name(_name(common_name, organization))
    return builder.sign(key, _algorithm(key))


def certify_request(
    request: x509.CertificateSigningRequest,
    issuer_key: PrivateKey,
    issuer_certificate: x509.Certificate,
    *,
    valid_from: dt.datetime,
    days: int = OFFICE_DAYS,
) -> x509.Certificate:
    """The office certificate for `request`, signed by the district key `issuer_key`.

    The request's own signature is checked (it proves the office holds the key). The certificate is an
    end entity for document signing: digitalSignature + nonRepudiation, the authority key identifier of the
    issuer, and no extended key usage (poppler/NSS refuse a signer whose EKU lacks emailProtection, such as
    documentSigning alone; with none, every validator accepts it for signing). It never outlives its issuer.
    """
    if not request.is_signature_valid:
        raise SealError(_("The certificate request is not validly signed by its key."))
    if not 1 <= days <= 20 * 365:
        raise SealError(_("The validity must be between 1 and {n} days.").format(n=20 * 365))
    if _spki(issuer_key.public_key()) != _spki(issuer_certificate.public_key()):
        raise SealError(_("The root key does not belong to the root certificate."))
    public = request.public_key()
    if not isinstance(public, (ec.EllipticCurvePublicKey, ed25519.Ed25519PublicKey)):
        raise SealError(_("The key must be an EC P-256 or Ed25519 key."))
    if isinstance(public, ec.EllipticCurvePublicKey) and not isinstance(public.curve, ec.SECP256R1):
        raise SealError(_("The key must be an EC P-256 or Ed25519 key."))
    end = min(valid_from + dt.timedelta(days=days), issuer_certificate.not_valid_after_utc)
    builder = (
        x509.CertificateBuilder()
        .subject_name(request.subject)
        .issuer_name(issuer_certificate.subject)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(valid_from)
        .not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_usage(cert_sign=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_certificate.public_key()),  # type: ignore[arg-type]
            critical=False,
        )
    )
    return builder.sign(issuer_key, _algorithm(issuer_key))


def _spki(key: object) -> bytes:
    assert isinstance(key, (ec.EllipticCurvePublicKey, ed25519.Ed25519PublicKey))
    return key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def pem(certificates: Sequence[x509.Certificate]) -> bytes:
    """Certificates as concatenated PEM."""
    return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certificates)
