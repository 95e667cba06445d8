"""Test harness of the district server: a migrated database per test, the app behind a test client, and
devices that sign their requests as the real client does."""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette's notice about its httpx dependency
    from fastapi.testclient import TestClient

from fzmediate.server.app import create_app
from fzmediate.server.db import Database
from fzmediate.server.enroll import issue_code
from fzmediate.sync.protocol import PROTOCOL_HEADER, SCHEMA_HEADER
from fzmediate.sync.signing import public_b64, sign_request

UNIT = "PS-JD-PS"
OTHER_UNIT = "PS-JD-MS"


class Clock:
    """The server's clock, moved by hand (starts now, so signatures made with the real time pass)."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC).replace(microsecond=0)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@dataclass
class Device:
    server: Server
    device_id: str
    key: Ed25519PrivateKey
    device_code: str = ""
    unit: str = UNIT
    next_seq: int = 1
    sent: list[dict[str, Any]] = field(default_factory=list)

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        content: bytes | None = None,
        created: datetime | None = None,
        protocol: str = "1",
    ) -> httpx.Request:
        data = content if content is not None else (json.dumps(body).encode("utf-8") if body is not None else b"")
        headers = {PROTOCOL_HEADER: protocol, SCHEMA_HEADER: "0002", "content-type": "application/json"}
        req = self.server.client.build_request(method, path, content=data, headers=headers)
        sign_request(req, self.device_id, self.key, now=created or self.server.clock())
        return cast(httpx.Request, req)

    def call(self, method: str, path: str, body: Any = None, **kw: Any) -> httpx.Response:
        return cast(httpx.Response, self.server.client.send(self.request(method, path, body, **kw)))

    def change(self, entity: str, entity_id: str, op: str, payload: dict[str, Any], **kw: Any) -> dict[str, Any]:
        """The next outbox row of this device (device_seq counts up)."""
        seq = kw.pop("device_seq", None) or self.next_seq
        self.next_seq = max(self.next_seq, seq + 1)
        row = {
            "change_id": "{0}-{1}".format(self.device_id, seq),
            "device_seq": seq,
            "entity": entity,
            "entity_id": entity_id,
            "op": op,
            "base_version": kw.pop("base_version", None),
            "version": kw.pop("version", 1),
            "payload": payload,
            "actor": kw.pop("actor", "user-" + self.device_id),
            "created_at": "2026-12-01T08:00:00",
            "schema_version": "0002",
        }
        row.update(kw)
        return row

    def push(self, *changes: dict[str, Any]) -> dict[str, Any]:
        r = self.call("POST", "/v1/sync/push", {"changes": list(changes)})
        assert r.status_code == 200, r.text
        result: dict[str, Any] = r.json()
        return result

    def pull(self, after: int = 0, limit: int = 500) -> dict[str, Any]:
        result: dict[str, Any] = json.loads(self.pull_raw(after, limit))
        return result

    def pull_raw(self, after: int = 0, limit: int = 500) -> bytes:
        """The page's body as the server wrote it."""
        r = self.call("GET", "/v1/sync/pull?after={0}&limit={1}".format(after, limit))
        assert r.status_code == 200, r.text
        return r.content


class Server:
    """The app on a fresh database, driven in-process through a test client."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.clock = Clock()
        self.db = Database(url, clock=self.clock)
        self.app = create_app(url, clock=self.clock)
        self.client = TestClient(self.app)
        self._n = 0

    def code(self, unit: str = UNIT, role: str = "desk") -> str:
        return issue_code(self.db, unit, role)[0]

    def enroll(self, unit: str = UNIT, role: str = "desk", *, label: str = "") -> Device:
        self._n += 1
        device = Device(self, "{0}-dev{1}".format(role, self._n), Ed25519PrivateKey.generate(), unit=unit)
        r = self.client.post(
            "/v1/enroll",
            json={
                "code": self.code(unit, role),
                "device_id": device.device_id,
                "public_key": public_b64(device.key),
                "role": role,
                "label": label,
            },
            headers={PROTOCOL_HEADER: "1"},
        )
        assert r.status_code == 200, r.text
        device.device_code = r.json()["device_code"]
        return device

    def close(self) -> None:
        self.client.close()
        self.app.state.db.dispose()
        self.db.dispose()


def serve(url: str) -> Iterator[Server]:
    server = Server(url)
    try:
        yield server
    finally:
        server.close()
