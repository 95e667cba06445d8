"""Requests to the district server are signed (RFC 9421): what is covered cannot change without the server
noticing, and a signature names its device, time and nonce."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from fzmediate.sync.protocol import PROTOCOL_HEADER
from fzmediate.sync.signing import SignatureRefused, Signed, public_b64, public_key_of, sign_request, verify_request

KEY = Ed25519PrivateKey.generate()
DEVICE = "0193a0b2-7c1e-7000-8000-000000000001"
BODY = b'{"changes":[]}'
BASE = "http://127.0.0.1:8765/v1/sync/"


def signed(url: str = "http://127.0.0.1:8765/v1/sync/push?x=1", body: bytes = BODY) -> httpx.Request:
    request = httpx.Request("POST", url, content=body, headers={PROTOCOL_HEADER: "1"})
    sign_request(request, DEVICE, KEY, now=datetime(2026, 12, 6, 9, 0, tzinfo=UTC))
    return request


def keys(device_id: str) -> object:
    return KEY.public_key() if device_id == DEVICE else None


def test_a_signed_request_verifies_and_says_who_when_and_its_nonce() -> None:
    request = signed()
    found = verify_request(request, request.content, keys)  # type: ignore[arg-type]
    assert isinstance(found, Signed)
    assert found.device_id == DEVICE
    assert found.created == datetime(2026, 12, 6, 9, 0, tzinfo=UTC)
    assert len(found.nonce) >= 16
    assert signed().headers["signature-input"] != request.headers["signature-input"]  # a fresh nonce each time


@pytest.mark.parametrize(
    "tamper",
    [
        lambda r: httpx.Request(r.method, r.url, content=b'{"changes":[1]}', headers=r.headers),  # the body
        lambda r: httpx.Request(r.method, BASE + "pull?x=1", content=r.content, headers=r.headers),
        lambda r: httpx.Request(r.method, BASE + "push?x=2", content=r.content, headers=r.headers),
        lambda r: httpx.Request("PUT", r.url, content=r.content, headers=r.headers),
        lambda r: httpx.Request(r.method, r.url, content=r.content, headers={**r.headers, PROTOCOL_HEADER: "2"}),
    ],
    ids=["body", "path", "query", "method", "protocol"],
)
def test_changing_anything_covered_breaks_the_signature(tamper: object) -> None:
    request = tamper(signed())  # type: ignore[operator]
    with pytest.raises(SignatureRefused):
        verify_request(request, request.content, keys)  # type: ignore[arg-type]


def test_an_unknown_device_or_another_key_is_refused() -> None:
    request = signed()
    with pytest.raises(SignatureRefused):
        verify_request(request, request.content, lambda _id: None)
    other = Ed25519PrivateKey.generate().public_key()
    with pytest.raises(SignatureRefused):
        verify_request(request, request.content, lambda _id: other)


def test_an_unsigned_request_is_refused() -> None:
    request = httpx.Request("POST", "http://127.0.0.1:8765/v1/sync/push", content=BODY)
    with pytest.raises(SignatureRefused):
        verify_request(request, request.content, keys)  # type: ignore[arg-type]


def test_public_keys_travel_as_raw_base64() -> None:
    assert public_key_of(public_b64(KEY)).public_bytes_raw() == KEY.public_key().public_bytes_raw()
