"""A minimal district server for the client's tests, as an ``httpx.MockTransport`` handler.

It implements what the contract (docs/sync-protocol.md) says the client relies on: enrollment by one-time code,
RFC 9421 signatures checked with the device's key, the ±300 s window answered ``clock_skew`` with
``FZ-Server-Time``, nonce replay, push in ``device_seq`` order (duplicate, gap, per-field three-way merge with
conflict records), pull by ``server_seq`` skipping the device's own changes, the audit anchor. Faults are
injected by name (``faults``). It is a test double, not the server (``fzmediate/server``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from fzmediate.sync.protocol import (
    PROTOCOL_HEADER,
    SERVER_TIME_HEADER,
    Change,
    EnrollRequest,
    PushRequest,
)
from fzmediate.sync.signing import SignatureRefused, public_key_of, verify_request

CODE = "ENROLL-CODE-1234"


@dataclass
class Device:
    device_id: str
    public_key: str
    device_code: str
    acked_through: int = 0


@dataclass
class Logged:
    server_seq: int
    device_id: str
    change: Change


@dataclass
class FakeServer:
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    codes: dict[str, str] = field(default_factory=lambda: {CODE: "PS-JD-PS"})
    devices: dict[str, Device] = field(default_factory=dict)
    log: list[Logged] = field(default_factory=list)
    entities: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    conflicts: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    nonces: set[tuple[str, str]] = field(default_factory=set)
    anchors: dict[str, tuple[int, str]] = field(default_factory=dict)
    #: Fault names consumed one per request: "500", "429", "426", "drop" (handle, then lose the answer),
    #: "network" (lose the request).
    faults: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    push_sizes: list[int] = field(default_factory=list)
    pull_limits: list[int] = field(default_factory=list)

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    # --- plumbing ----------------------------------------------------------------------------------------
    def _answer(self, status: int, body: dict[str, Any]) -> httpx.Response:
        headers = {SERVER_TIME_HEADER: str(int(self.clock().timestamp()))}
        return httpx.Response(status, json=body, headers=headers)

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request.url.path)
        fault = self.faults.pop(0) if self.faults else None
        if fault == "network":
            raise httpx.ConnectError("refused")
        if fault in ("500", "429"):
            return self._answer(int(fault), {"error": "busy"})
        if fault == "426" or request.headers.get(PROTOCOL_HEADER) != "1":
            return self._answer(426, {"error": "upgrade"})
        response = self._route(request)
        if fault == "drop":
            raise httpx.ReadError("connection reset")  # the server committed; the answer is lost
        return response

    def _route(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path == "/v1/enroll":
            return self._enroll(request)
        device = self._authenticate(request)
        if isinstance(device, httpx.Response):
            return device
        if path == "/v1/sync/push":
            return self._push(device, PushRequest.model_validate_json(request.content))
        if path == "/v1/sync/pull":
            self.pull_limits.append(int(request.url.params.get("limit", 500)))
            return self._pull(device, int(request.url.params["after"]), self.pull_limits[-1])
        if path == "/v1/sync/anchor":
            body = json.loads(request.content)
            self.anchors[device.device_id] = (body["seq"], body["hash"])
            return self._answer(200, {"ok": True})
        return self._answer(404, {"error": "not_found"})

    def _authenticate(self, request: httpx.Request) -> Device | httpx.Response:
        def key(kid: str) -> Any:
            d = self.devices.get(kid)
            return public_key_of(d.public_key) if d is not None else None

        try:
            signed = verify_request(request, request.content, key)
        except SignatureRefused:
            return self._answer(401, {"error": "bad_signature"})
        if abs((signed.created - self.clock()).total_seconds()) > 300:
            return self._answer(401, {"error": "clock_skew"})
        if (signed.device_id, signed.nonce) in self.nonces:
            return self._answer(401, {"error": "replayed"})
        self.nonces.add((signed.device_id, signed.nonce))
        return self.devices[signed.device_id]

    # --- endpoints -----------------------------------------------------------------------------------------
    def _enroll(self, request: httpx.Request) -> httpx.Response:
        body = EnrollRequest.model_validate_json(request.content)
        unit = self.codes.pop(body.code, None)
        if unit is None:
            return self._answer(401, {"error": "bad_code"})
        code = "D{0:05d}".format(len(self.devices) + 1)
        self.devices[body.device_id] = Device(body.device_id, body.public_key, code)
        return self._answer(
            200,
            {
                "device_id": body.device_id,
                "unit": unit,
                "unit_name": "坪山街道办事处",
                "role": body.role,
                "device_code": code,
                "server_time": self.clock().isoformat(),
            },
        )

    def _push(self, device: Device, body: PushRequest) -> httpx.Response:
        self.push_sizes.append(len(body.changes))
        results = []
        for c in body.changes:
            if c.device_seq <= device.acked_through:
                results.append({"device_seq": c.device_seq, "status": "duplicate"})
                continue
            if c.device_seq != device.acked_through + 1:
                results.append({"device_seq": c.device_seq, "status": "gap"})
                continue
            status = self._take(device, c)
            device.acked_through = c.device_seq
            results.append({"device_seq": c.device_seq, "status": status, "server_seq": len(self.log)})
        return self._answer(
            200,
            {"results": results, "acked_through": device.acked_through, "server_time": self.clock().isoformat()},
        )

    def _take(self, device: Device, c: Change) -> str:
        key = (c.entity, c.entity_id)
        status = "applied"
        if c.op in ("create", "append"):
            self.entities.setdefault(key, dict(c.payload))
        elif c.op == "patch":
            current = self.entities.setdefault(key, {})
            for name, diff in c.payload.items():
                if current.get(name) == diff["old"]:
                    current[name] = diff["new"]
                elif current.get(name) != diff["new"]:
                    status = "conflict"
                    record = {
                        "conflict_id": "srv-{0}-{1}".format(c.change_id, name),
                        "entity": c.entity,
                        "entity_id": c.entity_id,
                        "field": name,
                        "base_value": diff["old"],
                        "server_value": current.get(name),
                        "client_value": diff["new"],
                        "client_device": device.device_id,
                        "client_actor": c.actor,
                        "created_at": self.clock().isoformat(),
                    }
                    self.conflicts.append((len(self.log) + 1, record))
        self.log.append(Logged(len(self.log) + 1, device.device_id, c))
        return status

    def _pull(self, device: Device, after: int, limit: int) -> httpx.Response:
        window = [entry for entry in self.log if entry.server_seq > after][:limit]
        next_after = window[-1].server_seq if window else after
        more = bool(window) and window[-1].server_seq < len(self.log)
        changes = [
            {
                "server_seq": e.server_seq,
                "device_id": e.device_id,
                "device_seq": e.change.device_seq,
                "change_id": e.change.change_id,
                "entity": e.change.entity,
                "entity_id": e.change.entity_id,
                "op": e.change.op,
                "base_version": e.change.base_version,
                "version": e.change.version,
                "payload": e.change.payload,
                "actor": e.change.actor,
                "created_at": e.change.created_at.isoformat(),
            }
            for e in window
            if e.device_id != device.device_id
        ]
        conflicts = [c for seq, c in self.conflicts if after < seq <= next_after]
        return self._answer(
            200,
            {
                "changes": changes,
                "next_after": next_after,
                "more": more,
                "conflicts": conflicts,
                "server_time": self.clock().isoformat(),
            },
        )


def days(n: float) -> timedelta:
    return timedelta(days=n)
