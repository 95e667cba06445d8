"""The gate every request passes before any endpoint (an ASGI middleware).

In this order: every response gets ``FZ-Server-Time``; a body over 1 MB is refused (413) before it is read
whole; an old protocol gets 426 ``upgrade`` (enrollment and sync); a sync request must be signed by an
enrolled device (401, :mod:`fzmediate.server.auth`), whose identity the endpoints then read from
``request.state.caller``, and within the device's request allowance (429 ``rate_limited`` with ``Retry-After``,
:mod:`fzmediate.server.ratelimit`). Nothing of the request is ever echoed, and an unexpected error is answered 500
``internal`` with its type logged, never its text (it may quote personal data).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any, Final

import anyio.to_thread

from fzmediate.server.auth import AuthRefused, admit, message_of
from fzmediate.server.db import Database
from fzmediate.server.ratelimit import RateLimiter
from fzmediate.sync.application_protocol import ACK_PATH, APPLICATIONS_PATH, FETCH_PATH
from fzmediate.sync.catalogue_pull import CATALOGUE_PATH
from fzmediate.sync.protocol import (
    MAX_BODY_BYTES,
    OFFICE_CERTIFICATE_PATH,
    OFFICE_REQUEST_PATH,
    OLDEST_ACCEPTED,
    PROTOCOL_HEADER,
    PROTOCOL_VERSION,
)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

log = logging.getLogger(__name__)

#: Paths under these prefixes carry the protocol header; the sync ones are signed too.
VERSIONED: Final = ("/v1/enroll", "/v1/sync/")
SIGNED: Final = "/v1/sync/"
#: The paths a request log line names (any other is logged as ``-``).
KNOWN_PATHS: Final = frozenset(
    {
        "/v1/health",
        "/v1/enroll",
        "/v1/sync/push",
        "/v1/sync/pull",
        "/v1/sync/anchor",
        OFFICE_REQUEST_PATH,
        OFFICE_CERTIFICATE_PATH,
        CATALOGUE_PATH,
        APPLICATIONS_PATH,
        FETCH_PATH,
        ACK_PATH,
        "/openapi.json",
        "/district/",
        "/district/stats.json",
    }
)


class TooLarge(Exception):
    pass


class Gate:
    def __init__(self, app: ASGIApp, *, db: Database, limiter: RateLimiter | None = None) -> None:
        self.app = app
        self.db = db
        self.limiter = limiter if limiter is not None else RateLimiter(db)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False
        status = 0
        began = time.monotonic()

        async def send_timed(message: Message) -> None:
            nonlocal started, status
            if message["type"] == "http.response.start":
                started = True
                status = int(message.get("status", 0))
                stamp = str(int(self.db.now().timestamp())).encode("ascii")
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"fz-server-time"]
                message["headers"] = [*headers, (b"fz-server-time", stamp)]
            await send(message)

        try:
            await self._pass(scope, receive, send_timed)
        except Exception as exc:
            log.error("unexpected %s while answering a request (message not logged)", type(exc).__qualname__)
            if not started:
                await _refuse(send_timed, 500, "internal")
        _log_request(scope, status, time.monotonic() - began)

    async def _pass(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope["path"]
        if not path.startswith(VERSIONED):
            await self.app(scope, receive, send)
            return
        if _declared_length(scope) > MAX_BODY_BYTES:
            await _refuse(send, 413, "too_large")
            return
        try:
            body = await _read_body(receive)
        except TooLarge:
            await _refuse(send, 413, "too_large")
            return
        refusal = _protocol_refusal(scope)
        if refusal is not None:
            await _refuse(send, *refusal)
            return
        if path.startswith(SIGNED):
            try:
                caller, wait = await anyio.to_thread.run_sync(
                    admit, self.db, message_of(dict(scope)), body, self.limiter
                )
            except AuthRefused as refused:
                await _refuse(send, 401, refused.code)
                return
            if wait is not None:
                await _refuse(send, 429, "rate_limited", [(b"retry-after", str(wait).encode("ascii"))])
                return
            scope.setdefault("state", {})["caller"] = caller
        await self.app(scope, replay(body), send)


def _log_request(scope: Scope, status: int, seconds: float) -> None:
    """One structured line per answered request: method, the path when it is one of ours (a path a client made
    up may carry anything, so it is not logged), status, the device's code, the time taken. Never a body, a
    query string or a header value."""
    path: str = scope.get("path", "")
    caller = scope.get("state", {}).get("caller")
    fields = {
        "method": str(scope.get("method", ""))[:8],
        "path": path if path in KNOWN_PATHS else "-",
        "status": status,
        "device": getattr(caller, "device_code", "-"),
        "ms": round(seconds * 1000),
    }
    log.info(
        "request method=%s path=%s status=%d device=%s ms=%d",
        *fields.values(),
        extra={"fz_request": fields},
    )


def _declared_length(scope: Scope) -> int:
    for key, value in scope.get("headers", []):
        if key.lower() == b"content-length":
            try:
                return int(value)
            except ValueError:
                return MAX_BODY_BYTES + 1  # not a length: not a request we read
    return 0


async def _read_body(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise TooLarge
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def replay(body: bytes) -> Receive:
    """An ASGI ``receive`` that hands the app ``body`` (already read) once, then a disconnect."""
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return {"type": "http.disconnect"}

    return receive


def _protocol_refusal(scope: Scope) -> tuple[int, str] | None:
    """426 ``upgrade`` for a missing or older protocol; 400 ``unsupported_protocol`` for a newer one."""
    name = PROTOCOL_HEADER.lower().encode("ascii")
    value = next((v for k, v in scope.get("headers", []) if k.lower() == name), None)
    try:
        version = int(value) if value is not None else 0
    except ValueError:
        version = 0
    if version < OLDEST_ACCEPTED:
        return 426, "upgrade"
    if version > PROTOCOL_VERSION:
        return 400, "unsupported_protocol"
    return None


async def _refuse(send: Send, status: int, code: str, extra: list[tuple[bytes, bytes]] | None = None) -> None:
    body = json.dumps({"error": code}).encode("ascii")
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode("ascii"))]
    headers.extend(extra or ())
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
