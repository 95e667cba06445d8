"""Signed catalogue bundle files: canonical bytes, signing, and verified loading.

A bundle file is JSON::

    {"format": "fzmediate-catalogue", "format_version": 1,
     "bundle": {...the Bundle payload...},
     "signatures": [{"alg": "ed25519", "key_id": "<16 hex>", "sig": "<base64>"}]}

Each signature is Ed25519 over the *canonical bytes* of ``bundle``: JSON with sorted keys, no insignificant
whitespace, UTF-8, no floating-point numbers. So a file may be re-indented or have its keys reordered and
still verify, while any change to the content breaks every signature.

`verify_bundle` checks, in this order, and stops at the first failure with a message naming it: the bytes
are JSON; the format and its version are known; at least one signature by a trusted key matches (a trusted
key's signature that does not match is always an error); the payload fits the schema; the cross-checks
hold; the signing key was valid on the publication date. Nothing is returned unless everything passed.
"""

from __future__ import annotations

import base64
import binascii
import copy
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pydantic import ValidationError as PydanticValidationError

from fzmediate.catalogue.keys import TrustedKeys, key_id_for
from fzmediate.catalogue.model import FORMAT_NAME, FORMAT_VERSION, Bundle
from fzmediate.errors import ValidationError
from fzmediate.i18n import _
from fzmediate.i18n.schema_errors import describe_problem, field_path
from fzmediate.resources import resource

SHIPPED_BUNDLE: Final = ("catalogue", "pingshan.fzcat.json")
SIGNATURE_ALG: Final = "ed25519"
#: A bundle is a few hundred KB; anything far larger is not one (and is not read into memory whole).
MAX_FILE_BYTES: Final = 32 * 1024 * 1024
_FILE_KEYS: Final = frozenset({"format", "format_version", "bundle", "signatures"})
_SIGNATURE_KEYS: Final = frozenset({"alg", "key_id", "sig"})


class BundleError(ValidationError):
    """A bundle was refused. `reason` is a stable word for code and tests; the message is for people.

    Reasons: unreadable, not_a_bundle, unsupported_version, unsigned, unknown_key, bad_signature, invalid,
    key_not_valid, not_newer.
    """

    def __init__(self, message: str, *, reason: str, field: str | None = None) -> None:
        super().__init__(message, field=field)
        self.reason = reason


@dataclass(frozen=True)
class VerifiedBundle:
    """A bundle that passed every check, with what a case needs to pin it."""

    bundle: Bundle
    #: SHA-256 (hex) of the canonical bytes of the signed payload: identifies this exact content.
    digest: str
    #: Ids of the trusted keys whose signatures matched.
    signed_by: tuple[str, ...]


def canonical_bytes(value: Any) -> bytes:
    """The canonical encoding that signatures cover: sorted keys, no whitespace, UTF-8, no floats."""
    _check_canonical(value, "bundle")
    try:
        text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False)
        return text.encode("utf-8")
    except (UnicodeEncodeError, ValueError, TypeError) as exc:
        raise BundleError(_("Not a bundle file: it contains invalid text."), reason="not_a_bundle") from exc


def _check_canonical(value: Any, where: str) -> None:
    # Floats have no single canonical spelling (1.0, 1e0, 1.00), so a signed payload may not hold any.
    if value is None or isinstance(value, bool | int | str):
        return
    if isinstance(value, float):
        raise BundleError(
            _("Not a bundle file: {where} is a decimal number; bundles allow whole numbers only.").format(where=where),
            reason="not_a_bundle",
        )
    if isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str):
                raise BundleError(
                    _("Not a bundle file: {where} has a key that is not text.").format(where=where),
                    reason="not_a_bundle",
                )
            _check_canonical(item, where + "." + key)
        return
    if isinstance(value, list | tuple):
        for index, item in enumerate(value):
            _check_canonical(item, f"{where}[{index}]")
        return
    raise BundleError(
        _("Not a bundle file: {where} holds a value JSON cannot represent.").format(where=where),
        reason="not_a_bundle",
    )


def validate_payload(payload: Mapping[str, Any]) -> Bundle:
    """Check a payload against the schema and cross-checks; raise a BundleError naming the first problem."""
    try:
        return Bundle.model_validate_json(canonical_bytes(payload))
    except PydanticValidationError as exc:
        raise _schema_error(exc, payload) from exc


def sign_bundle(bundle_dict: Mapping[str, Any], private_key: Ed25519PrivateKey) -> dict[str, Any]:
    """Validate `bundle_dict` and wrap it in a bundle file signed with `private_key`.

    An invalid payload is refused before signing, so the district can never publish one.
    """
    validate_payload(bundle_dict)
    file: dict[str, Any] = {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "bundle": copy.deepcopy(dict(bundle_dict)),
        "signatures": [],
    }
    return add_signature(file, private_key)


def add_signature(file_dict: Mapping[str, Any], private_key: Ed25519PrivateKey) -> dict[str, Any]:
    """A copy of a bundle file with one more signature (co-signing with a new key during rotation)."""
    payload = file_dict.get("bundle")
    if not isinstance(payload, Mapping):
        raise BundleError(_("Not a bundle file: it has no bundle object."), reason="not_a_bundle")
    raw_public = private_key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    key_id = key_id_for(raw_public)
    signatures = [dict(s) for s in file_dict.get("signatures", [])]
    if any(s.get("key_id") == key_id for s in signatures):
        raise BundleError(_("The bundle is already signed with key {key_id}.").format(key_id=key_id), reason="invalid")
    sig = private_key.sign(canonical_bytes(payload))
    signatures.append({"alg": SIGNATURE_ALG, "key_id": key_id, "sig": base64.b64encode(sig).decode("ascii")})
    result = copy.deepcopy(dict(file_dict))
    result["signatures"] = signatures
    return result


def dump_bundle_file(file_dict: Mapping[str, Any]) -> bytes:
    """Readable JSON for a bundle file (indentation does not matter to the signatures)."""
    return (json.dumps(file_dict, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def load_bundle(source: Path | str | bytes, trusted_keys: TrustedKeys) -> Bundle:
    """Read, verify and validate a bundle file (a path, or its bytes); see `verify_bundle`."""
    return verify_bundle(source, trusted_keys).bundle


def load_shipped_bundle(trusted_keys: TrustedKeys | None = None) -> VerifiedBundle:
    """The default Pingshan bundle that ships with the app, verified with the shipped trusted keys."""
    keys = trusted_keys if trusted_keys is not None else TrustedKeys.load()
    return verify_bundle(resource(*SHIPPED_BUNDLE), keys)


def verify_bundle(source: Path | str | bytes, trusted_keys: TrustedKeys) -> VerifiedBundle:
    """Verify a bundle file completely, or raise a BundleError naming the first problem."""
    data = source if isinstance(source, bytes) else read_bundle_file(Path(source))
    file = _parse(data)
    payload = file["bundle"]
    canonical = canonical_bytes(payload)
    signed_by = _check_signatures(file["signatures"], canonical, trusted_keys)
    bundle = validate_payload(payload)
    valid = [k for k in signed_by if (key := trusted_keys.get(k)) is not None and key.valid_on(bundle.published_on)]
    if not valid:
        key = trusted_keys.get(signed_by[0])
        raise BundleError(
            _(
                "The bundle was signed with key {key_id} ({label}), which is not valid for a bundle published on {day}."
            ).format(key_id=signed_by[0], label=key.label if key else "", day=bundle.published_on.isoformat()),
            reason="key_not_valid",
        )
    return VerifiedBundle(bundle=bundle, digest=hashlib.sha256(canonical).hexdigest(), signed_by=tuple(valid))


def require_newer(current: Bundle | None, candidate: Bundle) -> None:
    """Refuse a candidate that is not a newer version of the installed bundle (no rollback, no swap)."""
    if current is None:
        return
    if candidate.bundle_id != current.bundle_id:
        raise BundleError(
            _("The bundle is {candidate}, but the installed catalogue is {current}.").format(
                candidate=candidate.bundle_id, current=current.bundle_id
            ),
            reason="not_newer",
        )
    if candidate.version <= current.version:
        raise BundleError(
            _("Bundle version {new} is not newer than the installed version {old}.").format(
                new=candidate.version, old=current.version
            ),
            reason="not_newer",
        )


def read_bundle_file(path: Path) -> bytes:
    """The bytes of a bundle file, refusing an unreadable or absurdly large one (BundleError)."""
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise BundleError(
            _("Cannot read the bundle file {name}: {problem}").format(name=path.name, problem=exc.strerror),
            reason="unreadable",
        ) from exc
    if len(data) > MAX_FILE_BYTES:
        raise BundleError(_("Not a bundle file: it is far too large."), reason="not_a_bundle")
    return data


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise BundleError(
                _("Not a bundle file: the key {key} appears twice in one object.").format(key=key),
                reason="not_a_bundle",
            )
        result[key] = value
    return result


def _reject_constant(name: str) -> Any:
    raise BundleError(_("Not a bundle file: it contains {name}.").format(name=name), reason="not_a_bundle")


def _parse(data: bytes) -> dict[str, Any]:
    if len(data) > MAX_FILE_BYTES:
        raise BundleError(_("Not a bundle file: it is far too large."), reason="not_a_bundle")
    try:
        text = data.decode("utf-8-sig")
        parsed = json.loads(text, object_pairs_hook=_no_duplicate_keys, parse_constant=_reject_constant)
    except UnicodeDecodeError as exc:
        raise BundleError(_("Not a bundle file: it is not UTF-8 text."), reason="not_a_bundle") from exc
    except json.JSONDecodeError as exc:
        raise BundleError(
            _("Not a bundle file: it is not valid JSON (line {line}, column {column}).").format(
                line=exc.lineno, column=exc.colno
            ),
            reason="not_a_bundle",
        ) from exc
    except RecursionError as exc:
        raise BundleError(_("Not a bundle file: it is nested too deeply."), reason="not_a_bundle") from exc
    if not isinstance(parsed, dict) or parsed.get("format") != FORMAT_NAME:
        raise BundleError(
            _("Not a bundle file: its format is not {format}.").format(format=FORMAT_NAME),
            reason="not_a_bundle",
        )
    version = parsed.get("format_version")
    if type(version) is not int or version != FORMAT_VERSION:
        raise BundleError(
            _("Unsupported bundle format version {version}: this version of fzmediate reads version {ours}.").format(
                version=json.dumps(version), ours=FORMAT_VERSION
            ),
            reason="unsupported_version",
        )
    unknown = sorted(set(parsed) - _FILE_KEYS)
    if unknown:
        raise BundleError(
            _("Not a bundle file: unexpected field {field}.").format(field=unknown[0]), reason="not_a_bundle"
        )
    if not isinstance(parsed.get("bundle"), dict):
        raise BundleError(_("Not a bundle file: it has no bundle object."), reason="not_a_bundle")
    signatures = parsed.get("signatures")
    if not isinstance(signatures, list) or not signatures:
        raise BundleError(_("The bundle is not signed: it carries no signature."), reason="unsigned")
    return parsed


def _check_signatures(signatures: list[Any], canonical: bytes, trusted_keys: TrustedKeys) -> list[str]:
    matched: list[str] = []
    unknown: list[str] = []
    for number, entry in enumerate(signatures, start=1):
        if not isinstance(entry, dict) or set(entry) != _SIGNATURE_KEYS:
            raise BundleError(
                _("Not a bundle file: signature #{n} is malformed.").format(n=number), reason="not_a_bundle"
            )
        alg, key_id, sig = entry["alg"], entry["key_id"], entry["sig"]
        if alg != SIGNATURE_ALG:
            raise BundleError(
                _("Signature #{n} uses an unsupported algorithm ({alg}).").format(n=number, alg=alg),
                reason="not_a_bundle",
            )
        if not isinstance(key_id, str) or not isinstance(sig, str):
            raise BundleError(
                _("Not a bundle file: signature #{n} is malformed.").format(n=number), reason="not_a_bundle"
            )
        key = trusted_keys.get(key_id)
        if key is None:
            # A signature by a key we do not know (e.g. a newer district key) is neither proof nor harm.
            unknown.append(key_id)
            continue
        try:
            key.verifier().verify(base64.b64decode(sig, validate=True), canonical)
        except (InvalidSignature, binascii.Error, ValueError) as exc:
            raise BundleError(
                _(
                    "The signature does not match (key {key_id}, {label}): the bundle was changed after it "
                    "was signed, or the file is damaged."
                ).format(key_id=key_id, label=key.label),
                reason="bad_signature",
            ) from exc
        matched.append(key_id)
    if not matched:
        raise BundleError(
            _("The bundle is signed by an unknown key ({key_ids}); no trusted key signed it.").format(
                key_ids=", ".join(unknown)
            ),
            reason="unknown_key",
        )
    return matched


def _schema_error(exc: PydanticValidationError, payload: Mapping[str, Any]) -> BundleError:
    errors = exc.errors()
    # A container whose items all failed also reports itself "too short": that echo is not a problem.
    locs = [tuple(e["loc"]) for e in errors]
    errors = [
        e
        for e in errors
        if not (
            e["type"] == "too_short" and any(len(o) > len(e["loc"]) and o[: len(e["loc"])] == e["loc"] for o in locs)
        )
    ] or errors
    first = errors[0]
    loc = tuple(first["loc"])
    problem = describe_problem(first)
    if len(loc) >= 2 and loc[0] == "matters" and isinstance(loc[1], int):
        code = _matter_code(payload, loc[1])
        field = field_path(loc[2:])
        if field:
            message = _("Invalid bundle: matter {code}, field {field}: {problem}").format(
                code=code, field=field, problem=problem
            )
        else:
            message = _("Invalid bundle: matter {code}: {problem}").format(code=code, problem=problem)
    elif loc:
        message = _("Invalid bundle: field {field}: {problem}").format(field=field_path(loc), problem=problem)
    else:
        message = _("Invalid bundle: {problem}").format(problem=problem)
    if len(errors) > 1:
        message += " " + _("({count} more problems)").format(count=len(errors) - 1)
    return BundleError(message, reason="invalid", field=field_path(loc) or None)


def _matter_code(payload: Mapping[str, Any], index: int) -> str:
    matters = payload.get("matters")
    if isinstance(matters, list) and 0 <= index < len(matters) and isinstance(matters[index], dict):
        code = matters[index].get("code")
        if isinstance(code, str) and code.strip():
            return code
    return f"#{index + 1}"
