"""Schemathesis against the server's OpenAPI description: generated requests to every operation, the unsigned
ones (health, enrollment) as they come and the signed ones (push, pull, anchor) signed with an enrolled
desk's key, on SQLite and PostgreSQL. No answer may be a server error (5xx): docs/sync-protocol.md says "5xx
never by design". Examples are limited so that both databases take well under a minute together."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    import schemathesis
    from schemathesis.checks import not_a_server_error
    from schemathesis.generation.modes import GenerationMode

from fzmediate.server.app import create_app
from fzmediate.server.ratelimit import RateLimit
from fzmediate.sync.protocol import PROTOCOL_HEADER, SCHEMA_HEADER
from fzmediate.sync.signing import sign_request
from tests.server.harness import Device, Server

#: Examples per operation (besides schemathesis's own boundary cases).
EXAMPLES = 25


class _Signed(requests.auth.AuthBase):
    """Signs each request as the desk would (RFC 9421, a fresh nonce each time)."""

    def __init__(self, device: Device) -> None:
        self.device = device

    def __call__(self, r: requests.PreparedRequest) -> requests.PreparedRequest:
        body = r.body.encode("utf-8") if isinstance(r.body, str) else (r.body or b"")
        assert isinstance(body, bytes) and r.url is not None and r.method is not None
        headers = {k: v.decode("latin-1") if isinstance(v, bytes) else v for k, v in r.headers.items()}
        signed = httpx.Request(r.method, r.url, content=body, headers=headers)
        sign_request(signed, self.device.device_id, self.device.key, now=self.device.server.clock())
        for name in ("Content-Digest", "Signature-Input", "Signature"):
            r.headers[name] = signed.headers[name]
        return r


@pytest.fixture
def fuzzed(server: Server) -> Iterator[tuple[Server, Device]]:
    """``server`` without a request limit (the examples come from one desk, faster than any desk would), and
    its desk."""
    server.app = create_app(server.url, clock=server.clock, rate_limit=RateLimit(per_minute=0))
    desk = server.enroll()
    try:
        yield server, desk
    finally:
        server.app.state.db.dispose()


def _fuzz(operation: Any, mode: GenerationMode, desk: Device) -> None:
    """Send generated requests to ``operation``; Hypothesis reports the smallest one that got a 5xx."""
    headers = {PROTOCOL_HEADER: "1", SCHEMA_HEADER: "0002"}
    signed = operation.path.startswith("/v1/sync/")

    @given(case=operation.as_strategy(mode))
    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
    def run(case: Any) -> None:
        response = case.call(headers=headers, auth=_Signed(desk) if signed else None)
        case.validate_response(response, checks=[not_a_server_error])
        if signed:
            assert response.status_code != 401, response.text  # signed well: the examples got through

    run()


@pytest.mark.parametrize("mode", list(GenerationMode))
def test_no_request_makes_a_server_error(fuzzed: tuple[Server, Device], mode: GenerationMode) -> None:
    server, desk = fuzzed
    schema = schemathesis.openapi.from_asgi("/openapi.json", server.app)
    operations: list[Any] = [result.ok() for result in schema.get_all_operations()]  # type: ignore[union-attr]
    assert {op.path for op in operations} >= {"/v1/health", "/v1/enroll", "/v1/sync/push", "/v1/sync/pull"}
    for operation in operations:
        try:
            _fuzz(operation, mode, desk)
        except Unsatisfiable:
            assert mode is GenerationMode.NEGATIVE and operation.path == "/v1/health"  # nothing to get wrong there
