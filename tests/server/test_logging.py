"""The server's logs carry no personal data: a push full of it (applied, malformed, and one that fails inside
the server) over real HTTP, with every logger at DEBUG and uvicorn's access log on, leaves none of it in any
log record; each request leaves one structured line."""

from __future__ import annotations

import logging
from typing import Any

import httpx
import pytest

import fzmediate.server.app as app_module
from tests.server.district_support import PERSONAL, on_loopback, seed
from tests.server.harness import Server

#: The test's own HTTP client logs the URLs it asks for: not the server's logs.
CLIENT_LOGGERS = ("httpx", "httpcore")


def _text(record: logging.LogRecord) -> str:
    parts = [record.getMessage(), repr(record.args), repr(record.__dict__)]
    if record.exc_info:
        parts.append(logging.Formatter().formatException(record.exc_info))
    return "\n".join(parts)


def test_no_personal_value_reaches_a_log(
    server: Server, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    caplog.set_level(logging.DEBUG)
    with on_loopback(server) as base:
        server.client, test_client = httpx.Client(base_url=base, timeout=10), server.client  # type: ignore[assignment]
        try:
            seed(server)  # cases with names, ID numbers, phones, addresses, free text; two desks
            desk = server.enroll()
            malformed = desk.change("case", "bad", "create", {"name": PERSONAL[0]})
            malformed.update({"op": PERSONAL[1], "device_seq": PERSONAL[2], PERSONAL[3]: PERSONAL[4]})
            assert desk.call("POST", "/v1/sync/push", {"changes": [malformed]}).status_code == 422

            def broken(*_args: Any) -> None:
                raise ValueError("cannot store {0} {1}".format(PERSONAL[0], PERSONAL[2]))

            monkeypatch.setattr(app_module, "push", broken)
            failed = desk.call("POST", "/v1/sync/push", {"changes": [desk.change("party", "p9", "create", {})]})
            assert (failed.status_code, failed.json()) == (500, {"error": "internal"})
            assert server.client.get("/v1/sync/{0}?q={1}".format(PERSONAL[0], PERSONAL[2])).status_code == 426
        finally:
            server.client.close()
            server.client = test_client
    records = [r for r in caplog.records if not r.name.startswith(CLIENT_LOGGERS)]
    assert records, "nothing was logged at all"
    leaked = [(r.name, value) for r in records for value in PERSONAL if value in _text(r)]
    assert leaked == []
    lines: list[Any] = [r for r in records if hasattr(r, "fz_request")]
    statuses = sorted({r.fz_request["status"] for r in lines})
    assert statuses == [200, 422, 426, 500]
    assert any(r.name == "fzmediate.server.gate" and r.levelno == logging.ERROR for r in records)
    assert {r.fz_request["path"] for r in lines} <= {"/v1/enroll", "/v1/sync/push", "-"}


def test_serve_logs_through_the_gate_not_uvicorns_access_log(server: Server, monkeypatch: pytest.MonkeyPatch) -> None:
    import uvicorn

    from fzmediate.server.cli import main

    seen: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: seen.update(kw))
    assert main(["--db", server.url, "serve", "--port", "0"]) == 0
    assert seen["access_log"] is False and seen["log_config"]["loggers"]["fzmediate"]["level"] == "INFO"
