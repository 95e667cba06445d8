"""Enrollment with one-time codes (docs/sync-protocol.md, "Enrollment")."""

from __future__ import annotations

import re
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from fzmediate.server.enroll import UnknownUnit, issue_code
from fzmediate.sync.protocol import PROTOCOL_HEADER
from fzmediate.sync.signing import public_b64
from tests.server.harness import UNIT, Server


def _enroll(server: Server, code: str, device_id: str, *, role: str = "desk", key: str | None = None) -> Any:
    body = {
        "code": code,
        "device_id": device_id,
        "public_key": key or public_b64(Ed25519PrivateKey.generate()),
        "role": role,
        "label": "窗口2",
    }
    return server.client.post("/v1/enroll", json=body, headers={PROTOCOL_HEADER: "1"})


def test_a_good_code_enrolls_once_and_gives_a_unique_device_code(server: Server) -> None:
    r = _enroll(server, server.code(), "dev-a")
    assert r.status_code == 200
    body = r.json()
    assert body["device_id"] == "dev-a"
    assert body["unit"] == UNIT and body["unit_name"] == "坪山街道办事处" and body["role"] == "desk"
    assert re.fullmatch(r"D[2-9A-Z]{3}", body["device_code"])
    assert "server_time" in body and r.headers["FZ-Server-Time"].isdigit()
    other = _enroll(server, server.code(), "dev-b").json()
    assert other["device_code"] != body["device_code"]


def test_the_code_is_typed_loosely(server: Server) -> None:
    code = server.code()
    assert _enroll(server, code.replace("-", " ").lower(), "dev-a").status_code == 200


def test_an_expired_code_is_refused(server: Server) -> None:
    code = server.code()
    server.clock.advance(10 * 60 + 1)
    r = _enroll(server, code, "dev-a")
    assert (r.status_code, r.json()) == (401, {"error": "code_expired"})


def test_a_used_code_is_refused_but_a_retry_of_the_same_enrollment_is_answered_again(server: Server) -> None:
    code, key = server.code(), public_b64(Ed25519PrivateKey.generate())
    first = _enroll(server, code, "dev-a", key=key)
    assert first.status_code == 200
    again = _enroll(server, code, "dev-a", key=key)  # the answer was lost: the device asks again
    assert again.status_code == 200 and again.json()["device_code"] == first.json()["device_code"]
    r = _enroll(server, code, "dev-b")
    assert (r.status_code, r.json()) == (401, {"error": "code_used"})
    r = _enroll(server, code, "dev-a")  # the same device id with another key: not the same enrollment
    assert (r.status_code, r.json()) == (401, {"error": "code_used"})


def test_unknown_code_wrong_role_and_known_device_are_refused(server: Server) -> None:
    r = _enroll(server, "ABCD-EFGH-JKLM", "dev-a")
    assert (r.status_code, r.json()) == (401, {"error": "bad_code"})
    r = _enroll(server, server.code(role="kiosk"), "dev-a", role="desk")
    assert (r.status_code, r.json()) == (403, {"error": "forbidden"})
    assert _enroll(server, server.code(), "dev-a").status_code == 200
    r = _enroll(server, server.code(), "dev-a")
    assert (r.status_code, r.json()) == (403, {"error": "device_exists"})


def test_a_public_key_that_is_not_one_is_invalid_without_echo(server: Server) -> None:
    r = _enroll(server, server.code(), "dev-a", key="QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo3ODkwMTIzNDU2Nzg5")
    assert r.status_code == 422
    assert r.json()["error"] == "invalid" and "QUJD" not in r.text


def test_a_code_for_an_unknown_unit_is_not_issued(server: Server) -> None:
    with pytest.raises(UnknownUnit):
        issue_code(server.db, "PS-NOPE", "desk")
