"""Trust in issued documents comes from the district: which office certificates the district has certified.

The district's root certificate(s) ship with the app in ``resources/trust/district-roots.pem`` (read-only,
replaced only by an app update, like the catalogue's trusted keys). An office's document-signing
certificate counts as *certified* only when it chains to one of those roots: every issuer's signature
verified with the issuer's public key, every certificate valid at the time asked about, every issuer a CA
allowed to certify (basicConstraints CA, path length, keyUsage keyCertSign) and the office certificate
itself allowed to sign (keyUsage digitalSignature, not a CA). No writable file is ever read as a root:
``roots=`` exists for tests, which pass a TEST-ONLY root explicitly.

The checks are explicit rather than `cryptography.x509.verification`: that verifier implements the Web PKI
profile (server or client authentication, subjectAltName, extended key usage), which is not the profile of
a document-signing certificate named by its organisation (docs/trust.md).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final, TypeVar

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.x509.oid import NameOID

from fzmediate.i18n import _
from fzmediate.resources import resource

_T = TypeVar("_T", bound=x509.ExtensionType)

ROOTS_FILE: Final = ("trust", "district-roots.pem")
#: Longest chain accepted (office certificate, intermediates, root).
MAX_CHAIN: Final = 5

CERTIFIED: Final = "certified"
EMPTY: Final = "empty"
SELF_ISSUED: Final = "self_issued"
UNKNOWN_ISSUER: Final = "unknown_issuer"
EXPIRED: Final = "expired"
BAD_SIGNATURE: Final = "bad_signature"
NOT_CA: Final = "not_ca"
WRONG_USAGE: Final = "wrong_usage"


@dataclass(frozen=True)
class ChainStatus:
    """Whether an office certificate chain is certified by a district root, and if not, why.

    `reason` is a stable word (the constants above); `message` is localized for people. `subject` is the
    office certificate's common name, `root` the common name of the district root it chains to ("" if none).
    `path` is the verified path from the office certificate up to and including the root.
    """

    certified: bool
    reason: str
    message: str
    subject: str = ""
    root: str = ""
    path: tuple[x509.Certificate, ...] = field(default=(), repr=False)


def common_name(name: x509.Name) -> str:
    """The common name of an X.509 name, or its RFC 4514 string when it has none."""
    values = name.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(values[0].value) if values else name.rfc4514_string()


@functools.cache
def _shipped_roots() -> tuple[x509.Certificate, ...]:
    data = resource(*ROOTS_FILE).read_bytes()
    return tuple(x509.load_pem_x509_certificates(data))


def district_roots() -> list[x509.Certificate]:
    """The district root certificates shipped with the app (read-only; never from the data dir)."""
    return list(_shipped_roots())


def office_chain_status(
    chain: Sequence[x509.Certificate],
    *,
    roots: Sequence[x509.Certificate] | None = None,
    at: dt.datetime | None = None,
) -> ChainStatus:
    """Whether `chain` (office certificate first, then any intermediates, in any order) is certified.

    `roots` defaults to the shipped district roots; tests pass a TEST-ONLY root. `at` (default: now) is the
    moment every certificate on the path must be valid at.
    """
    if not chain:
        return ChainStatus(False, EMPTY, _("No certificate was given."))
    trusted = list(roots) if roots is not None else district_roots()
    moment = (at or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    leaf = chain[0]
    subject = common_name(leaf.subject)
    path, failure = _build_path(leaf, list(chain[1:]), trusted)
    if failure is not None:
        reason, message = failure
        return ChainStatus(False, reason, message, subject=subject)
    root = path[-1]
    problem = _check_path(path, moment)
    if problem is not None:
        return ChainStatus(False, problem[0], problem[1], subject=subject)
    message = _("The certificate of {subject} is certified by {root}.").format(
        subject=subject, root=common_name(root.subject)
    )
    return ChainStatus(True, CERTIFIED, message, subject=subject, root=common_name(root.subject), path=tuple(path))


def _issued_by(certificate: x509.Certificate, issuer: x509.Certificate) -> bool | None:
    """True if `issuer` signed `certificate`; False if the names match but the signature does not; None
    if `issuer` is not named as the certificate's issuer."""
    if certificate.issuer != issuer.subject:
        return None
    try:
        certificate.verify_directly_issued_by(issuer)
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


def _build_path(
    leaf: x509.Certificate, intermediates: list[x509.Certificate], roots: list[x509.Certificate]
) -> tuple[list[x509.Certificate], tuple[str, str] | None]:
    """The path from `leaf` to a trusted root through `intermediates`, or the reason there is none."""
    path = [leaf]
    current = leaf
    name = common_name(leaf.subject)
    while len(path) < MAX_CHAIN:
        name_matched = False
        for root in roots:
            verdict = _issued_by(current, root)
            if verdict:
                return [*path, root], None
            name_matched = name_matched or verdict is False
        for candidate in intermediates:
            if candidate in path:
                continue
            verdict = _issued_by(current, candidate)
            if verdict:
                path.append(candidate)
                current = candidate
                break
            name_matched = name_matched or verdict is False
        else:
            if name_matched:
                message = _("The certificate of {name} is not validly signed by its issuer {issuer}.").format(
                    name=common_name(current.subject), issuer=common_name(current.issuer)
                )
                return path, (BAD_SIGNATURE, message)
            if current is leaf and leaf.issuer == leaf.subject:
                message = _("The certificate of {name} is self-issued, not certified by the district.").format(
                    name=name
                )
                return path, (SELF_ISSUED, message)
            message = _("The certificate of {name} was issued by {issuer}, which is not a district root.").format(
                name=common_name(current.subject), issuer=common_name(current.issuer)
            )
            return path, (UNKNOWN_ISSUER, message)
    message = _("The certificate chain of {name} is longer than {n} certificates.").format(name=name, n=MAX_CHAIN)
    return path, (UNKNOWN_ISSUER, message)


def _check_path(path: list[x509.Certificate], moment: dt.datetime) -> tuple[str, str] | None:
    """Validity periods, CA constraints of every issuer and the key usage of the office certificate."""
    for certificate in path:
        if not certificate.not_valid_before_utc <= moment <= certificate.not_valid_after_utc:
            message = _("The certificate of {name} is not valid on {date} (valid {start} to {end}).").format(
                name=common_name(certificate.subject),
                date=moment.date().isoformat(),
                start=certificate.not_valid_before_utc.date().isoformat(),
                end=certificate.not_valid_after_utc.date().isoformat(),
            )
            return EXPIRED, message
    for below, issuer in enumerate(path[1:]):
        constraints = _extension(issuer, x509.BasicConstraints)
        usage = _extension(issuer, x509.KeyUsage)
        path_length = constraints.path_length if constraints is not None else None
        if (
            constraints is None
            or not constraints.ca
            or (path_length is not None and below > path_length)
            or (usage is not None and not usage.key_cert_sign)
        ):
            message = _("The certificate of {name} may not certify other certificates (not a CA).").format(
                name=common_name(issuer.subject)
            )
            return NOT_CA, message
    leaf = path[0]
    constraints = _extension(leaf, x509.BasicConstraints)
    usage = _extension(leaf, x509.KeyUsage)
    if (constraints is not None and constraints.ca) or usage is None or not usage.digital_signature:
        message = _("The certificate of {name} is not a document-signing certificate (key usage).").format(
            name=common_name(leaf.subject)
        )
        return WRONG_USAGE, message
    return None


def _extension(certificate: x509.Certificate, kind: type[_T]) -> _T | None:
    try:
        return certificate.extensions.get_extension_for_class(kind).value
    except x509.ExtensionNotFound:
        return None
