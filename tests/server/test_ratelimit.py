"""Per-device rate limits: a token bucket in the database, shared by every worker; 429 with Retry-After."""

from __future__ import annotations

import warnings
from collections.abc import Iterator

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette's notice about its httpx dependency
    from fastapi.testclient import TestClient

from fzmediate.server.app import create_app
from fzmediate.server.cli import main
from fzmediate.server.ratelimit import DEFAULT, RateLimit
from tests.server.harness import Server

LIMIT = RateLimit(per_minute=60, burst=3)  # one a second, three at once


@pytest.fixture
def limited(server: Server) -> Iterator[Server]:
    """``server`` with a small allowance per device."""
    default_client = server.client
    server.app = create_app(server.url, clock=server.clock, rate_limit=LIMIT)
    server.client = TestClient(server.app)
    try:
        yield server
    finally:
        server.client.close()
        server.app.state.db.dispose()
        server.client = default_client


def _pull_status(server: Server, desk: object) -> int:
    return int(desk.call("GET", "/v1/sync/pull").status_code)  # type: ignore[attr-defined]


def test_a_device_over_its_allowance_is_told_when_to_come_back(limited: Server) -> None:
    desk, other = limited.enroll(), limited.enroll()
    assert [_pull_status(limited, desk) for _ in range(3)] == [200, 200, 200]
    refused = desk.call("GET", "/v1/sync/pull")
    assert (refused.status_code, refused.json(), refused.headers["Retry-After"]) == (
        429,
        {"error": "rate_limited"},
        "1",
    )
    assert _pull_status(limited, other) == 200  # each device has its own bucket
    limited.clock.advance(1)
    assert [_pull_status(limited, desk) for _ in range(2)] == [200, 429]
    limited.clock.advance(60)  # a full bucket holds no more than the burst
    assert [_pull_status(limited, desk) for _ in range(4)] == [200, 200, 200, 429]


def test_every_worker_shares_the_bucket(limited: Server) -> None:
    second = TestClient(create_app(limited.url, clock=limited.clock, rate_limit=LIMIT))  # another worker process
    try:
        desk = limited.enroll()
        first = limited.client
        statuses = []
        for client in (first, second, first, second):
            statuses.append(client.send(desk.request("GET", "/v1/sync/pull")).status_code)
        assert statuses == [200, 200, 200, 429]
    finally:
        second.close()
        second.app.state.db.dispose()  # type: ignore[attr-defined]


def test_unsigned_requests_never_spend_a_devices_tokens(limited: Server) -> None:
    desk = limited.enroll()
    forged = desk.request("GET", "/v1/sync/pull")
    forged.headers["Signature"] = "fz=:AAAA:"
    for _ in range(5):
        assert limited.client.send(forged).status_code == 401
    assert _pull_status(limited, desk) == 200


def test_rate_limit_options() -> None:
    assert RateLimit.parse("120") == RateLimit(120, DEFAULT.burst) and RateLimit.parse("30/5") == RateLimit(30, 5)
    assert not RateLimit.parse("0").enabled
    for bad in ("", "x", "-1", "10/0"):
        with pytest.raises(ValueError):
            RateLimit.parse(bad)
    assert main(["--lang", "en", "serve", "--rate-limit", "fast"]) == 2
    for bad in ("0", "-2", "many"):
        assert main(["--lang", "en", "serve", "--threads", bad]) == 2
