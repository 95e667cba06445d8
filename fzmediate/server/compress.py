"""zstd-compressed answers for clients that take them (``Accept-Encoding: zstd``, RFC 8878).

An ASGI middleware inside Starlette's ``GZipMiddleware``: an answer it compresses carries
``Content-Encoding: zstd``, which the gzip middleware leaves alone; any other answer passes it untouched and is
gzip-compressed as before for clients that take only gzip (desks from before zstd, browsers without it).
It compresses only answers that come whole in one message (every API answer: pull pages, catalogue bundles,
push results), of at least ``minimum_size`` bytes, of a JSON or text type, and not partial (206) or already
coded; streamed and binary answers (documents, attachments) are the gzip middleware's as before.

Why not the ``zstd-asgi`` package: it brings a second zstd binding (``backports.zstd``) beside the one httpx
decodes with (``zstandard``), compresses every type (PDFs, images) and partial answers alike, and its gzip
fallback is fixed at level 9; what is needed here is this one whole-body case.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any, Final

import anyio.to_thread

from fzmediate.sync.codings import ZSTD, compress, preferred

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

#: Media types worth compressing (the rest are already compressed or binary).
COMPRESSIBLE: Final = ("application/json", "text/")
#: Answers from this size on are compressed on a worker thread (zstandard lets go of the GIL), not on the event
#: loop: a pull page of 5,000 changes (3.5 MB) takes about 4 ms, which the loop would spend serving no one else.
THREAD_FROM: Final = 256 * 1024


def _header(headers: list[tuple[bytes, bytes]], name: bytes) -> bytes | None:
    for key, value in headers:
        if key.lower() == name:
            return value
    return None


class ZstdAnswers:
    """Compresses eligible answers (see the module docstring) with zstd for requests whose ``Accept-Encoding``
    prefers it among the codings this server has (:func:`fzmediate.sync.codings.preferred`); ``minimum_size``:
    smaller answers go as they are."""

    def __init__(self, app: ASGIApp, *, minimum_size: int) -> None:
        self.app = app
        self.minimum_size = minimum_size

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        accept = _header(scope.get("headers", []), b"accept-encoding") or b""
        if preferred(accept.decode("latin-1")) != ZSTD:
            await self.app(scope, receive, send)
            return
        start: Message | None = None

        async def maybe_compress(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                if self._eligible(message):
                    start = message  # held until the body shows whether it comes whole and is big enough
                    return
                await send(message)
            elif start is not None and message["type"] == "http.response.body":
                held, start = start, None
                body = message.get("body", b"")
                if not message.get("more_body", False) and len(body) >= self.minimum_size:
                    if len(body) >= THREAD_FROM:
                        packed = await anyio.to_thread.run_sync(compress, body, ZSTD)
                    else:
                        packed = compress(body, ZSTD)
                    kept = [(k, v) for k, v in held["headers"] if k.lower() not in (b"content-length", b"vary")]
                    vary = _header(held["headers"], b"vary")
                    if vary is None:
                        vary = b"Accept-Encoding"
                    elif b"accept-encoding" not in vary.lower():
                        vary += b", Accept-Encoding"
                    held["headers"] = [
                        *kept,
                        (b"content-encoding", ZSTD.encode()),
                        (b"content-length", str(len(packed)).encode("ascii")),
                        (b"vary", vary),
                    ]
                    message = {**message, "body": packed}
                await send(held)
                await send(message)
            else:
                if start is not None:  # a message other than the body came first: hand on what was held
                    held, start = start, None
                    await send(held)
                await send(message)

        await self.app(scope, receive, maybe_compress)

    @staticmethod
    def _eligible(start: Message) -> bool:
        headers: list[tuple[bytes, bytes]] = list(start.get("headers", []))
        if start.get("status") == 206 or _header(headers, b"content-encoding") is not None:
            return False
        media = (_header(headers, b"content-type") or b"").decode("latin-1").partition(";")[0].strip().lower()
        return any(media == kind or (kind.endswith("/") and media.startswith(kind)) for kind in COMPRESSIBLE)
