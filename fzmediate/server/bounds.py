"""What the wire models allow but the databases cannot store: refused as 422 before anything is written.

The protocol's models (:mod:`fzmediate.sync.protocol`) bound lengths but not the size of integers, and allow
any character in text. The server's columns do not: a sequence number is a 64-bit integer, a version a 32-bit
one; PostgreSQL refuses NUL in text (and cannot read ``\\u0000`` out of a JSON value); a date in year 1 with a
time zone cannot be turned into UTC. Such a request would otherwise end in a database error (a 500). The
problems name fields (``body.changes.3.version: out of range``), never the values sent.

:class:`Inflate` takes request bodies sent compressed (``Content-Encoding: zstd`` or ``gzip``, what the sync
client sends once a server has said it takes them, RFC 7694): the gate in front has checked the size and the
signature of the bytes as sent; their decompressed size counts against the same 1 MB limit (413), so a small
body that would inflate to gigabytes (a "bomb") is refused without ever being inflated past the limit.
"""

from __future__ import annotations

import functools
import json
import typing
from collections.abc import Awaitable, Callable, Mapping, MutableMapping
from datetime import UTC, datetime
from typing import Any, Final, Literal

from pydantic import BaseModel

from fzmediate.server.errors import Refusal
from fzmediate.server.gate import replay
from fzmediate.sync.codings import CODINGS, BadEncoding, decompress
from fzmediate.sync.protocol import MAX_BODY_BYTES

MAX_BIGINT: Final = 2**63 - 1
MAX_INTEGER: Final = 2**31 - 1
#: The largest value each integer field may carry (the column it is stored in).
INTEGER_FIELDS: Final[Mapping[str, int]] = {
    "device_seq": MAX_BIGINT,
    "seq": MAX_BIGINT,
    "version": MAX_INTEGER,
    "base_version": MAX_INTEGER,
}


def check(body: BaseModel, raw: bytes | None = None) -> None:
    """Refuse (422 ``invalid``) a request body the database could not store as sent.

    ``raw``: the JSON text ``body`` was parsed from, when the caller has it. JSON can carry NUL only escaped
    (``\\u0000``; a raw control character is invalid JSON), so text without that escape holds no NUL in any string
    or key, and only the models' own fields are looked at (integers and times), not every value of every payload
    (most of a push's check)."""
    problems: list[str] = []
    _walk(body, ("body", None), problems, text=raw is None or _NUL_ESCAPE in raw)
    if problems:
        raise Refusal(422, "invalid", problems[:50])


#: Where a value sits in the body: (its name, where its parent sits); spelled out only for a problem (a push
#: has tens of thousands of values, and nearly always none to report).
_Path = tuple[str, "_Path | None"]


def _spelled(path: _Path) -> str:
    names: list[str] = []
    node: _Path | None = path
    while node is not None:
        names.append(node[0])
        node = node[1]
    return ".".join(reversed(names))


_NUL_ESCAPE: Final = b"\\u0000"


@functools.cache
def _checked_fields(model: type[BaseModel], text: bool) -> tuple[str, ...]:
    """The fields of ``model`` to look at: all of them, or (``text`` False: no NUL in the body) those that can hold
    something other than text and payloads (a push has 40,000 changes of 11 fields, 4 of them worth a look)."""
    if text:
        return tuple(model.model_fields)
    return tuple(name for name, info in model.model_fields.items() if not _text_only(info.annotation))


def _text_only(annotation: Any) -> bool:
    """Whether values of ``annotation`` are only text or JSON objects (str, a Literal of strings, a dict)."""
    if annotation is str or typing.get_origin(annotation) is dict:
        return True
    if typing.get_origin(annotation) is Literal:
        return all(isinstance(arg, str) for arg in typing.get_args(annotation))
    return False


def _walk(value: Any, path: _Path, problems: list[str], *, text: bool) -> None:
    """Check ``value``; ``text``: whether strings and payloads may hold NUL and must be looked at."""
    if isinstance(value, BaseModel):
        _walk_fields(value, path, problems, text=text)
    elif not text and isinstance(value, str | dict):
        return  # no NUL anywhere in the body, and payloads hold nothing else to check (JSON has no times)
    elif isinstance(value, str):
        if "\x00" in value:
            problems.append("{0}: contains NUL".format(_spelled(path)))
    elif isinstance(value, datetime):
        if not _utc_convertible(value):
            problems.append("{0}: out of range".format(_spelled(path)))
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            _walk(item, (str(index), path), problems, text=text)
    elif isinstance(value, dict):
        # A payload: its keys and values are the desk's data; their names are not told back.
        where = ("*", path)
        for key, item in value.items():
            if isinstance(key, str) and "\x00" in key:
                problems.append("{0}: contains NUL".format(_spelled(where)))
            _walk(item, where, problems, text=text)


def _walk_fields(model: BaseModel, path: _Path, problems: list[str], *, text: bool) -> None:
    """:func:`_walk` of a model's fields (:func:`_checked_fields`): integers and times here rather than by a call
    each (a push has 40,000 changes: a call per field was 4 µs a change), the rest by :func:`_walk`."""
    for name in _checked_fields(type(model), text):
        item = getattr(model, name)
        if item is None or isinstance(item, bool):
            continue
        if isinstance(item, int):
            limit = INTEGER_FIELDS.get(name)
            if limit is not None and not -MAX_BIGINT <= item <= limit:
                problems.append("{0}: out of range".format(_spelled((name, path))))
        elif isinstance(item, datetime):
            if not _utc_convertible(item):
                problems.append("{0}: out of range".format(_spelled((name, path))))
        else:
            _walk(item, (name, path), problems, text=text)


def _utc_convertible(value: datetime) -> bool:
    """Whether ``value`` can be turned into UTC (a naive one is taken as UTC). Only the first and the last year
    can overflow (an offset is less than a day)."""
    if 1 < value.year < 9999:
        return True
    try:
        value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
    except OverflowError:
        return False
    return True


# --- compressed request bodies ----------------------------------------------------------------------------------

Scope = MutableMapping[str, Any]
ASGIMessage = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[ASGIMessage]]
Send = Callable[[ASGIMessage], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

#: The content codings a request body may come in (besides none), preferred first; every answer names them
#: (RFC 7694).
REQUEST_CODINGS: Final = ", ".join(CODINGS)


class Inflate:
    """ASGI middleware behind the gate: decompresses a zstd or gzip request body for the endpoints, within the
    body limit (:func:`fzmediate.sync.codings.decompress`), refuses other codings (415 ``unsupported_encoding``),
    and says ``Accept-Encoding: zstd, gzip`` in every answer that passes it, so that clients learn they may
    compress."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def advertise(message: ASGIMessage) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), (b"accept-encoding", REQUEST_CODINGS.encode())]
            await send(message)

        headers = scope.get("headers", [])
        coding = b",".join(v for k, v in headers if k.lower() == b"content-encoding").strip().lower()
        if not coding or coding == b"identity":
            await self.app(scope, receive, advertise)
            return
        name = coding.decode("latin-1")
        if name not in CODINGS:
            await _refuse(advertise, 415, "unsupported_encoding")
            return
        body = await _whole(receive)
        try:
            plain = decompress(body, name, MAX_BODY_BYTES)
        except BadEncoding as bad:
            await _refuse(advertise, bad.status, bad.code)
            return
        kept = [(k, v) for k, v in headers if k.lower() not in (b"content-encoding", b"content-length")]
        inner = dict(scope, headers=[*kept, (b"content-length", str(len(plain)).encode("ascii"))])
        await self.app(inner, replay(plain), advertise)


async def _whole(receive: Receive) -> bytes:
    """The request body (the gate has read it whole already, within the limit, and replays it)."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


async def _refuse(send: Send, status: int, code: str) -> None:
    body = json.dumps({"error": code}).encode("ascii")
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode("ascii"))]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
