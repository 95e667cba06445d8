"""The blob endpoints (``HEAD``/``PUT``/``GET /v1/sync/blobs/{sha256}``) on the server app; the rules are in
:mod:`fzmediate.server.blobs`. Under ``/v1/sync/``: the gate checks protocol, size (a chunk is at most the body
limit) and signature as for every sync request. Desks only: a kiosk has no documents or attachments to send."""

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Path, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from fzmediate.server import blobs, errors
from fzmediate.server.auth import Caller, require_role
from fzmediate.server.db import Database
from fzmediate.sync.protocol import (
    BLOB_COMPLETE_HEADER,
    BLOB_PATH,
    BLOB_RECEIVED_HEADER,
    MAX_BLOB_BYTES,
    SHA256_PATTERN,
    BlobStatus,
)

_OCTETS: dict[str, Any] = {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}


def install(
    app: FastAPI,
    db_of: Callable[[Request], Awaitable[Database]],
    caller_of: Callable[[Request], Awaitable[Caller]],
    responses: dict[int | str, dict[str, Any]],
) -> None:
    """Mount the three blob endpoints on ``app`` (``db_of``/``caller_of``: the app's own dependencies)."""
    DB = Annotated[Database, Depends(db_of)]
    Device = Annotated[Caller, Depends(caller_of)]
    Sha256 = Annotated[str, Path(pattern=SHA256_PATTERN)]
    Bytes = Annotated[int, Query(ge=0, le=MAX_BLOB_BYTES)]

    @app.head(BLOB_PATH, responses=responses)
    def blob_held(sha256: Sha256, db: DB, caller: Device) -> Response:
        """How many bytes of the blob the server holds (``FZ-Blob-Received``), and whether they are whole."""
        require_role(caller, "desk")
        held = blobs.status(db, caller, sha256)
        headers = {BLOB_RECEIVED_HEADER: str(held.received), BLOB_COMPLETE_HEADER: "1" if held.complete else "0"}
        return Response(status_code=200, headers=headers)

    @app.put(
        BLOB_PATH,
        response_model=BlobStatus,
        responses=responses,
        openapi_extra={"requestBody": {"required": True, "content": _OCTETS}},
    )
    async def blob_chunk(
        request: Request, sha256: Sha256, offset: Bytes, size: Bytes, db: DB, caller: Device
    ) -> BlobStatus:
        """Append one chunk (the body) at ``offset`` of the ``size``-byte blob; the answer says where to go on."""
        require_role(caller, "desk")
        if size < 1:
            raise errors.Refusal(422, "invalid", ["query.size: greater_than_equal"])
        chunk = await request.body()
        answer: BlobStatus = await run_in_threadpool(blobs.put_chunk, db, caller, sha256, offset, size, chunk)
        return answer

    @app.get(BLOB_PATH, response_class=Response, responses={**responses, 200: {"content": _OCTETS}})
    def blob_bytes(sha256: Sha256, db: DB, caller: Device) -> Response:
        """The whole bytes of a blob a change of the device's unit named (404 otherwise)."""
        require_role(caller, "desk")
        return Response(content=blobs.fetch(db, caller, sha256), media_type="application/octet-stream")
