"""Every sync request is signed by an enrolled, active device; refusals say nothing but their code."""

from __future__ import annotations

import warnings
from datetime import timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from fzmediate.server.admin import revoke
from fzmediate.server.app import create_app
from fzmediate.sync.protocol import PROTOCOL_HEADER
from fzmediate.sync.signing import public_b64
from tests.server.harness import Device, Server

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette's notice about its httpx dependency
    from fastapi.testclient import TestClient


def _refused(response: object, status: int, code: str) -> None:
    assert response.status_code == status  # type: ignore[attr-defined]
    assert response.json() == {"error": code}  # type: ignore[attr-defined]
    assert response.headers["FZ-Server-Time"].isdigit()  # type: ignore[attr-defined]


def test_an_enrolled_device_is_let_in(server: Server) -> None:
    desk = server.enroll()
    assert desk.pull()["changes"] == []


def test_a_device_never_enrolled_is_unknown(server: Server) -> None:
    stranger = Device(server, "never-enrolled", Ed25519PrivateKey.generate())
    _refused(stranger.call("GET", "/v1/sync/pull"), 401, "unknown_device")


def test_a_revoked_device_is_refused(server: Server) -> None:
    desk = server.enroll()
    assert revoke(server.db, desk.device_code) is not None
    _refused(desk.call("GET", "/v1/sync/pull"), 401, "revoked")


def test_a_device_revoked_after_its_requests_is_refused_from_the_next_one_on(server: Server) -> None:
    """The server remembers a device's key once looked up (PostgreSQL: fzmediate.server.admission), never its
    standing: a revocation holds from the next request on, in every process."""
    desk = server.enroll()
    another_process = TestClient(create_app(server.url, clock=server.clock))
    try:
        assert desk.pull()["changes"] == []
        assert another_process.send(desk.request("GET", "/v1/sync/pull")).status_code == 200
        assert revoke(server.db, desk.device_code) is not None
        _refused(desk.call("GET", "/v1/sync/pull"), 401, "revoked")
        _refused(another_process.send(desk.request("GET", "/v1/sync/pull")), 401, "revoked")
        # Refused for its time too: still told it is revoked first, and nothing is booked for it.
        late = desk.request("GET", "/v1/sync/pull", created=server.clock() + timedelta(hours=1))
        _refused(server.client.send(late), 401, "revoked")
    finally:
        another_process.close()
        another_process.app.state.db.dispose()  # type: ignore[attr-defined]


def test_a_device_unknown_at_first_is_let_in_once_enrolled(server: Server) -> None:
    """A device id the server did not know is not remembered as unknown: it may enroll a moment later."""
    key = Ed25519PrivateKey.generate()
    early = Device(server, "desk-later", key)
    _refused(early.call("GET", "/v1/sync/pull"), 401, "unknown_device")
    server.client.post(
        "/v1/enroll",
        json={
            "code": server.code(),
            "device_id": "desk-later",
            "public_key": public_b64(key),
            "role": "desk",
            "label": "",
        },
        headers={PROTOCOL_HEADER: "1"},
    ).raise_for_status()
    assert early.call("GET", "/v1/sync/pull").status_code == 200


def test_a_replayed_request_is_refused(server: Server) -> None:
    desk = server.enroll()
    request = desk.request("GET", "/v1/sync/pull?after=0")
    assert server.client.send(request).status_code == 200
    _refused(server.client.send(request), 401, "replayed")


@pytest.mark.parametrize("seconds", [-301, 301])
def test_a_signature_outside_the_window_is_clock_skew(server: Server, seconds: int) -> None:
    desk = server.enroll()
    r = desk.call("GET", "/v1/sync/pull", created=server.clock() + timedelta(seconds=seconds))
    _refused(r, 401, "clock_skew")
    assert int(r.headers["FZ-Server-Time"]) == int(server.clock().timestamp())


def test_a_tampered_body_is_a_bad_signature(server: Server) -> None:
    desk = server.enroll()
    signed = desk.request("POST", "/v1/sync/push", {"changes": []})
    forged = server.client.build_request(
        "POST", "/v1/sync/push", content=b'{"changes": [ ]}', headers=dict(signed.headers)
    )
    forged.headers["content-length"] = str(len(b'{"changes": [ ]}'))
    _refused(server.client.send(forged), 401, "bad_signature")


def test_a_signature_by_another_key_or_none_is_bad(server: Server) -> None:
    desk = server.enroll()
    impostor = Device(server, desk.device_id, Ed25519PrivateKey.generate())
    _refused(impostor.call("GET", "/v1/sync/pull"), 401, "bad_signature")
    unsigned = server.client.get("/v1/sync/pull", headers={"FZ-Protocol": "1"})
    _refused(unsigned, 401, "bad_signature")


def test_a_signed_path_cannot_be_moved(server: Server) -> None:
    desk = server.enroll()
    signed = desk.request("GET", "/v1/sync/pull?after=0")
    moved = server.client.build_request("GET", "/v1/sync/pull?after=5", headers=dict(signed.headers))
    _refused(server.client.send(moved), 401, "bad_signature")


def test_a_kiosk_may_only_append_applications(server: Server) -> None:
    kiosk = server.enroll(role="kiosk")
    _refused(kiosk.call("GET", "/v1/sync/pull"), 403, "forbidden")
    case = kiosk.change("case", "case-1", "create", {"title": "x"})
    _refused(kiosk.call("POST", "/v1/sync/push", {"changes": [case]}), 403, "forbidden")
    application = kiosk.change("application", "app-1", "append", {"matter": "M1"}, device_seq=1)
    assert kiosk.push(application)["results"][0]["status"] == "applied"


def test_a_device_a_minute_ahead_is_let_in(server: Server) -> None:
    desk = server.enroll()
    assert desk.call("GET", "/v1/sync/pull", created=server.clock() + timedelta(seconds=60)).status_code == 200


def test_nonces_too_old_to_replay_are_cleared_once_a_minute(server: Server) -> None:
    """A nonce is kept twice the signature window; the stale ones of every device go at the first request of a
    process and then at the first after each SWEEP_EVERY, not in every request's bookkeeping."""
    from sqlalchemy import select

    from fzmediate.server.auth import SWEEP_EVERY
    from fzmediate.server.models import Nonce
    from fzmediate.sync.signing import WINDOW

    def held() -> list[str]:
        with server.db.sessions() as s:
            return sorted(s.scalars(select(Nonce.device_id)))

    desk, other = server.enroll(), server.enroll()
    desk.pull()  # its nonce, at t0
    minute = SWEEP_EVERY.total_seconds()
    server.clock.advance((2 * WINDOW).total_seconds() - minute / 2)
    other.pull()  # a sweep (over a minute since the last): the desk's nonce is not stale yet
    assert held() == sorted([desk.device_id, other.device_id])
    server.clock.advance(minute * 2 / 3)
    other.pull()  # the desk's nonce is stale now, but the last sweep was 40 s ago
    assert held().count(desk.device_id) == 1
    server.clock.advance(minute / 2)
    other.pull()  # 70 s since the last sweep
    assert desk.device_id not in held() and held().count(other.device_id) == 3
    replayed = desk.request("GET", "/v1/sync/pull")
    assert server.client.send(replayed).status_code == 200
    _refused(server.client.send(replayed), 401, "replayed")  # a fresh one is still remembered
