"""The district server's HTTP API (docs/sync-protocol.md): enrollment, push, pull, anchor, health.

:func:`create_app` builds the FastAPI application on a database URL; its OpenAPI description is at
``/openapi.json``. The endpoints are plain functions (FastAPI runs them in its thread pool), each opening its
own session per transaction; the gate in front (:mod:`fzmediate.server.gate`) has already checked size,
protocol and signature. :func:`app_from_env` is the factory ``serve --workers N`` hands to uvicorn.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Annotated, Any, Final, Literal

from anyio import CapacityLimiter, to_thread
from fastapi import Depends, FastAPI, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError
from pydantic.json_schema import models_json_schema
from starlette.middleware.gzip import GZipMiddleware

from fzmediate.gc_tuning import tune_for_bulk_work
from fzmediate.i18n import set_locale
from fzmediate.server import (
    application_routes,
    blob_routes,
    bounds,
    catalogue_routes,
    district_view,
    errors,
    office_certs,
    office_routes,
)
from fzmediate.server.auth import Caller, require_role
from fzmediate.server.compress import ZstdAnswers
from fzmediate.server.db import PUSH_THREADS, THREADS, Clock, Database
from fzmediate.server.enroll import enroll
from fzmediate.server.gate import Gate
from fzmediate.server.pull import anchor, pull
from fzmediate.server.push import push
from fzmediate.server.ratelimit import DEFAULT, RATE_ENV, RateLimit, RateLimiter
from fzmediate.sync import codings
from fzmediate.sync.protocol import (
    ANCHOR_HASH_PARAM,
    ANCHOR_SEQ_PARAM,
    FOLLOWS_HEADER,
    HINTS_PARAM,
    MAX_PULL_LIMIT,
    MAX_PUSH_CHANGES,
    OLDEST_ACCEPTED,
    PROTOCOL_VERSION,
    PULL_MAX_HEADER,
    PUSH_MAX_HEADER,
    AnchorRequest,
    AnchorResponse,
    EnrollRequest,
    EnrollResponse,
    ErrorBody,
    HealthResponse,
    PullResponse,
    PushRequest,
    PushResponse,
)

#: The environment variable ``serve --workers N`` passes the database URL in.
DB_URL_ENV: Final = "FZMEDIATE_SERVER_DB"
#: The environment variable ``serve --workers N`` passes ``--threads`` in.
THREADS_ENV: Final = "FZMEDIATE_SERVER_THREADS"
#: Entities a kiosk may push (appended only): the applications people file at it.
KIOSK_ENTITIES: Final = frozenset({"application"})

_ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": text}
    for status, text in (
        (
            401,
            "Not signed by an enrolled, active device (unknown_device, revoked, bad_signature, clock_skew, replayed)",
        ),
        (403, "Outside the device's role or unit (forbidden)"),
        (413, "Body over 1 MB, as sent or once decompressed (too_large)"),
        (415, "Content-Encoding other than gzip (unsupported_encoding)"),
        (422, "Malformed request (invalid, with the problems: paths and rules, never values)"),
        (426, "Protocol too old (upgrade)"),
    )
}


# The dependencies every endpoint takes are coroutines, though they do no I/O: FastAPI runs a plain function
# dependency on a worker thread, two more thread hops a request (under load each hop is a handover of the GIL).
async def _db(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


async def _caller(request: Request) -> Caller:
    caller = getattr(request.state, "caller", None)
    if not isinstance(caller, Caller):  # the gate authenticates every /v1/sync/ path; never reached otherwise
        raise errors.Refusal(401, "bad_signature")
    return caller


async def _push_body(request: Request) -> PushRequest:
    """The push request, parsed and validated from its bytes in one pass (pydantic's JSON mode): FastAPI's own
    body handling decodes the JSON to Python objects first and validates those, twice the work on a body of 500
    changes. Problems are FastAPI's (``RequestValidationError``, located under ``body``); the body's schema is
    declared by :func:`_declare_bodies`. The bytes are checked for NUL and out-of-range values as any body."""
    raw = await request.body()
    try:
        body = PushRequest.model_validate_json(raw)
    except ValidationError as invalid:
        problems = invalid.errors(include_url=False, include_input=False, include_context=False)
        raise RequestValidationError([{**p, "loc": ("body", *p["loc"])} for p in problems]) from None
    bounds.check(body, raw)
    return body


def _anchor_of(seq: int | None, digest: str | None) -> AnchorRequest | None:
    """The audit head a push carries in its query, or None; one parameter without the other is invalid (422)."""
    if seq is None and digest is None:
        return None
    if seq is None or digest is None:
        missing = ANCHOR_SEQ_PARAM if seq is None else ANCHOR_HASH_PARAM
        raise RequestValidationError([{"type": "missing", "loc": ("query", missing), "msg": "Field required"}])
    return AnchorRequest(seq=seq, hash=digest)  # bounded by the parameters' own rules (hex: no NUL)


def _declare_bodies(app: FastAPI, bodies: Mapping[str, type[BaseModel]]) -> None:
    """Describe the request bodies read by hand (``bodies``: path → model) in the OpenAPI document, as FastAPI
    would for a body parameter: the model's schema among the components, the operation's body referring to it."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = generate()
            keyed: list[tuple[type[BaseModel], Literal["validation"]]] = [(m, "validation") for m in bodies.values()]
            refs, defs = models_json_schema(keyed, ref_template="#/components/schemas/{model}")
            schemas = document.setdefault("components", {}).setdefault("schemas", {})
            for name, schema in defs.get("$defs", {}).items():
                schemas.setdefault(name, schema)
            for path, model in bodies.items():
                content = {"application/json": {"schema": refs[(model, "validation")]}}
                document["paths"][path]["post"]["requestBody"] = {"required": True, "content": content}
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


DB = Annotated[Database, Depends(_db)]
Device = Annotated[Caller, Depends(_caller)]
PushBody = Annotated[PushRequest, Depends(_push_body)]


def create_app(
    db_url: str, *, clock: Clock | None = None, rate_limit: RateLimit = DEFAULT, threads: int = THREADS
) -> FastAPI:
    """The server application on the (migrated) database at ``db_url``; ``clock`` is for tests; ``rate_limit``
    is each device's request allowance; ``threads`` the requests whose work runs at once (:data:`THREADS`)."""
    if threads < 1:
        raise ValueError("threads must be at least 1")
    db = Database(db_url, clock=clock)

    turns: dict[str, CapacityLimiter] = {}  # the pushes' own thread limiter, once the server's loop runs

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # Thread limiters belong to the event loop: made here, once the server's loop runs. Every plain endpoint
        # and the gate's admission take their thread from the default one (THREADS); pushes from their own
        # (PUSH_THREADS). Without a lifespan (tests that never start one) pushes share the default limiter.
        to_thread.current_default_thread_limiter().total_tokens = threads
        turns["push"] = CapacityLimiter(PUSH_THREADS)
        yield
        db.dispose()

    app = FastAPI(
        title="fzmediate district server",
        version=str(PROTOCOL_VERSION),
        description="Sync protocol (docs/sync-protocol.md). Every /v1/sync/ request is signed (RFC 9421).",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    app.state.db = db
    errors.install(app)
    # Added innermost first: the gate (size, protocol, signature over the bytes as sent) runs before a compressed
    # body is inflated; answers of at least codings.COMPRESS_FROM bytes are compressed for clients that accept it (pull
    # pages): zstd where the client takes it, gzip otherwise (the gzip middleware leaves a zstd answer alone).
    app.add_middleware(ZstdAnswers, minimum_size=codings.COMPRESS_FROM)
    app.add_middleware(GZipMiddleware, minimum_size=codings.COMPRESS_FROM, compresslevel=codings.GZIP_LEVEL)
    app.add_middleware(bounds.Inflate)
    app.add_middleware(Gate, db=db, limiter=RateLimiter(db, rate_limit))
    district_view.install(app, db)

    @app.get("/v1/health", response_model=HealthResponse)
    def health(db: DB) -> HealthResponse:
        return HealthResponse(protocol=PROTOCOL_VERSION, oldest_accepted=OLDEST_ACCEPTED, server_time=db.now())

    @app.post("/v1/enroll", response_model=EnrollResponse, responses=_ERRORS, response_model_exclude_none=True)
    def enroll_device(body: EnrollRequest, db: DB) -> EnrollResponse:
        bounds.check(body)
        return office_certs.enroll_with_request(db, body, enroll)  # keeps the office key's request, if any

    @app.post("/v1/sync/push", response_model=PushResponse, responses=_ERRORS)
    async def push_changes(
        body: PushBody,
        db: DB,
        caller: Device,
        follows: Annotated[int | None, Query(ge=0, le=bounds.MAX_BIGINT)] = None,
        anchor_seq: Annotated[int | None, Query(alias=ANCHOR_SEQ_PARAM, ge=0, le=bounds.MAX_BIGINT)] = None,
        anchor_hash: Annotated[str | None, Query(alias=ANCHOR_HASH_PARAM, pattern=r"^[0-9a-f]{1,128}$")] = None,
    ) -> Response:
        """``follows``: the last ``device_seq`` of the device's push sent just before this one (it may still be on
        its way): this one waits for it a moment rather than be answered ``gap`` (``FZ-Push-Follows``).
        ``anchor_seq`` and ``anchor_hash`` (both or neither): the device's audit chain head, kept as
        ``/v1/sync/anchor`` keeps it, the answer's ``anchor`` saying what was kept."""
        if caller.role == "kiosk" and any(c.entity not in KIOSK_ENTITIES or c.op != "append" for c in body.changes):
            raise errors.Refusal(403, "forbidden")
        head = _anchor_of(anchor_seq, anchor_hash)
        # The answer's JSON, written by fzmediate.server.push from the server's own values: not validated again.
        answer = await push(db, caller, list(body.changes), follows=follows, anchor=head, limiter=turns.get("push"))
        headers = {FOLLOWS_HEADER: "1", PUSH_MAX_HEADER: str(MAX_PUSH_CHANGES)}
        return Response(answer, media_type="application/json", headers=headers)

    @app.get("/v1/sync/pull", response_model=PullResponse, responses=_ERRORS)
    def pull_changes(
        db: DB,
        caller: Device,
        after: Annotated[int, Query(ge=0, le=bounds.MAX_BIGINT)] = 0,
        limit: Annotated[int, Query(ge=1, le=MAX_PULL_LIMIT)] = MAX_PULL_LIMIT,
        hints: Annotated[bool, Query(alias=HINTS_PARAM)] = False,
    ) -> Response:
        """``hints``: the last page says what else there is to fetch (``PullHints``: the newest catalogue, the
        kiosk applications waiting), so that the desk does not ask for each on every sync."""
        require_role(caller, "desk")
        # The page's JSON, written from what the server stored and validated on the way in (fzmediate.server.pull).
        page = pull(db, caller, after, limit, hints=hints)
        return Response(page, media_type="application/json", headers={PULL_MAX_HEADER: str(MAX_PULL_LIMIT)})

    @app.post("/v1/sync/anchor", response_model=AnchorResponse, responses=_ERRORS)
    def anchor_head(body: AnchorRequest, db: DB, caller: Device) -> AnchorResponse:
        bounds.check(body)
        return anchor(db, caller, body)

    blob_routes.install(app, _db, _caller, _ERRORS)
    application_routes.install(app, _db, _caller, _ERRORS)
    office_routes.install(app, _db, _caller, _ERRORS)
    catalogue_routes.install(app, _db, _caller, _ERRORS)
    _declare_bodies(app, {"/v1/sync/push": PushRequest})
    return app


def app_from_env() -> FastAPI:
    """The application on the database named by ``FZMEDIATE_SERVER_DB`` (each uvicorn worker calls this)."""
    url = os.environ.get(DB_URL_ENV)
    if not url:
        raise RuntimeError("{0} is not set".format(DB_URL_ENV))
    set_locale(None)  # FZMEDIATE_LANG, as ``serve --lang`` left it: the district page's language
    rate, threads = os.environ.get(RATE_ENV), os.environ.get(THREADS_ENV)
    app = create_app(
        url, rate_limit=RateLimit.parse(rate) if rate else DEFAULT, threads=int(threads) if threads else THREADS
    )
    tune_for_bulk_work()  # this worker process serves it
    return app
