"""Every request to the district server is signed with the device's Ed25519 key (RFC 9421, docs/sync-protocol.md).

:func:`sign_request` signs an outgoing ``httpx.Request`` in place; :func:`verify_request` checks an incoming
request for the server (with the device's public key found by ``keyid``) and returns the signed parameters.
Replay (nonce reuse) and the time window are policy of the server, which also checks the device's status.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from http_message_signatures import HTTPMessageSigner, HTTPMessageVerifier, HTTPSignatureKeyResolver, algorithms
from http_message_signatures.exceptions import HTTPMessageSignaturesException, InvalidSignature

from fzmediate.sync.protocol import PROTOCOL_HEADER

LABEL: Final = "fz"
TAG: Final = "fzmediate-sync"
COVERED: Final = ("@method", "@path", "@query", "content-digest", PROTOCOL_HEADER.lower())
#: How far ``created`` may be from the server's clock (either way).
WINDOW: Final = timedelta(seconds=300)
#: The library's own clock check, switched off (``timedelta.max`` would overflow its date arithmetic).
NO_CLOCK_LIMIT: Final = timedelta(days=3650)


class SignatureRefused(Exception):
    """The request's signature is missing, malformed or wrong (or its digest does not match its body)."""


@dataclass(frozen=True)
class Signed:
    """What a verified signature says: the device (``keyid``), when it was made and its nonce."""

    device_id: str
    created: datetime
    nonce: str


def content_digest(body: bytes) -> str:
    """The RFC 9530 ``Content-Digest`` field of ``body``."""
    return "sha-256=:{0}:".format(base64.b64encode(hashlib.sha256(body).digest()).decode("ascii"))


class _Keys(HTTPSignatureKeyResolver):
    def __init__(
        self,
        private: Ed25519PrivateKey | None = None,
        public: Callable[[str], Ed25519PublicKey | None] | None = None,
    ) -> None:
        self._private = private
        self._public = public

    def resolve_private_key(self, key_id: str) -> Ed25519PrivateKey:
        assert self._private is not None
        return self._private

    def resolve_public_key(self, key_id: str) -> Ed25519PublicKey:
        key = self._public(key_id) if self._public is not None else None
        if key is None:
            raise SignatureRefused("unknown key")
        return key


def sign_request(request: Any, device_id: str, key: Ed25519PrivateKey, *, now: datetime | None = None) -> None:
    """Sign ``request`` (an ``httpx.Request``, body already set) in place: Content-Digest, Signature-Input and
    Signature headers. ``now``: the time to sign with (the device clock plus its learned offset)."""
    body = bytes(request.content or b"")
    request.headers["Content-Digest"] = content_digest(body)
    signer = HTTPMessageSigner(signature_algorithm=algorithms.ED25519, key_resolver=_Keys(private=key))
    signer.sign(
        request,
        key_id=device_id,
        created=now or datetime.now(UTC),
        nonce=base64.urlsafe_b64encode(secrets.token_bytes(16)).decode("ascii").rstrip("="),
        label=LABEL,
        tag=TAG,
        covered_component_ids=COVERED,
        body=body,
        use_existing_digest=True,
    )


def verify_request(message: Any, body: bytes, public_key: Callable[[str], Ed25519PublicKey | None]) -> Signed:
    """Verify ``message`` (method, absolute url and headers, as the library's resolver reads them) and its body.

    Raises :class:`SignatureRefused` for any problem; the time window is not judged here (``max_age`` off):
    the caller compares ``created`` with its own clock and answers ``clock_skew``.
    """
    verifier = HTTPMessageVerifier(signature_algorithm=algorithms.ED25519, key_resolver=_Keys(public=public_key))
    # The library refuses a ``created`` more than 5 s ahead of this machine's clock; the window is the server's
    # policy (WINDOW, answered ``clock_skew`` with the server's time so the device can correct its offset).
    verifier.max_clock_skew = NO_CLOCK_LIMIT
    try:
        results = verifier.verify(
            message, max_age=None, expect_tag=TAG, expect_label=LABEL, require_components=COVERED, body=body
        )
    except (InvalidSignature, HTTPMessageSignaturesException, SignatureRefused, ValueError, KeyError) as exc:
        raise SignatureRefused(type(exc).__name__) from None
    if len(results) != 1:
        raise SignatureRefused("expected one signature")
    params: Mapping[str, int | str] = results[0].parameters
    created, keyid, nonce = params.get("created"), params.get("keyid"), results[0].nonce
    if not isinstance(created, int) or not isinstance(keyid, str) or not nonce:
        raise SignatureRefused("created, keyid and nonce are required")
    return Signed(device_id=keyid, created=datetime.fromtimestamp(created, UTC), nonce=str(nonce))


def public_key_of(raw_b64: str) -> Ed25519PublicKey:
    """An Ed25519 public key from its raw 32 bytes in base64 (as enrollment sends it)."""
    raw = base64.b64decode(raw_b64, validate=True)
    return Ed25519PublicKey.from_public_bytes(raw)


def public_b64(key: Ed25519PrivateKey) -> str:
    return base64.b64encode(key.public_key().public_bytes_raw()).decode("ascii")
