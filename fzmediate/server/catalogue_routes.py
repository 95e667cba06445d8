"""``GET /v1/sync/catalogue``: the newest catalogue bundle the district published, for desks and kiosks alike.

Under ``/v1/sync/``, so the gate checks protocol, signature and rate as for every sync request; both roles may
ask (a kiosk pulls catalogue data and nothing else). The answer is the bundle file exactly as the district signed
it (``application/json``), with ``ETag: "<sha256>"`` (the digest of the signed payload), ``FZ-Catalogue-Id`` and
``FZ-Catalogue-Version``. A device that already holds it says so with ``?have=<sha256>`` (covered by the request
signature) and gets **204** with the same headers and no body; ``If-None-Match`` gets the usual **304**. Before the
district published anything: **404** ``not_found``. The server never vouches for the bytes: devices verify the
district's signature themselves (docs/sync-protocol.md, "Catalogue").
"""

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Header, Query, Request, Response

from fzmediate.server import catalogue, errors
from fzmediate.server.auth import Caller
from fzmediate.server.db import Database
from fzmediate.sync.catalogue_pull import (
    CATALOGUE_ID_HEADER,
    CATALOGUE_PATH,
    CATALOGUE_VERSION_HEADER,
    HAVE_PARAM,
)
from fzmediate.sync.protocol import SHA256_PATTERN

_BUNDLE: dict[str, Any] = {"application/json": {"schema": {"type": "object"}}}


def _matches(if_none_match: str | None, etag: str) -> bool:
    """Whether an ``If-None-Match`` list names ``etag`` (weak comparison, RFC 9110 13.1.2) or is ``*``."""
    if not if_none_match:
        return False
    for candidate in if_none_match.split(","):
        tag = candidate.strip()
        if tag == "*" or tag.removeprefix("W/") == etag:
            return True
    return False


def install(
    app: FastAPI,
    db_of: Callable[[Request], Awaitable[Database]],
    caller_of: Callable[[Request], Awaitable[Caller]],
    responses: dict[int | str, dict[str, Any]],
) -> None:
    """Mount ``GET /v1/sync/catalogue`` on ``app`` (``db_of``/``caller_of``: the app's own dependencies)."""
    DB = Annotated[Database, Depends(db_of)]
    Device = Annotated[Caller, Depends(caller_of)]

    @app.get(
        CATALOGUE_PATH,
        response_class=Response,
        responses={
            **responses,
            200: {"content": _BUNDLE, "description": "The newest published bundle file, as signed"},
            204: {"description": "The device already holds the newest bundle (?have)"},
            304: {"description": "Not modified (If-None-Match)"},
            404: {"description": "Nothing published yet (not_found)"},
        },
    )
    def newest_catalogue(
        db: DB,
        caller: Device,
        have: Annotated[str | None, Query(alias=HAVE_PARAM, pattern=SHA256_PATTERN)] = None,
        if_none_match: Annotated[str | None, Header(max_length=1000)] = None,
    ) -> Response:
        """The newest catalogue bundle the district published (any enrolled device, desk or kiosk)."""
        del caller  # authenticated by the gate; every role may read the catalogue
        head = catalogue.newest(db)
        if head is None:
            raise errors.Refusal(404, "not_found")
        etag = '"{0}"'.format(head.digest)
        headers = {
            "ETag": etag,
            CATALOGUE_ID_HEADER: head.bundle_id,
            CATALOGUE_VERSION_HEADER: str(head.version),
            "Cache-Control": "no-cache",
        }
        if have == head.digest:
            return Response(status_code=204, headers=headers)
        if _matches(if_none_match, etag):
            return Response(status_code=304, headers=headers)
        raw = catalogue.bundle_bytes(db, head)
        if raw is None:  # replaced between the two reads (publishing only adds rows): the device asks again
            raise errors.Refusal(404, "not_found")
        return Response(content=raw, media_type="application/json", headers=headers)
