"""The kiosk application endpoints on the server app (docs/sync-protocol.md, "Kiosk applications"); the rules
are in :mod:`fzmediate.server.applications`. Under ``/v1/sync/``: the gate has checked protocol, size and
signature. A kiosk may only push (``POST /v1/sync/applications``); only desks fetch and acknowledge: either
role calling the other's endpoint gets 403 ``forbidden``."""

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request

from fzmediate.server import applications, bounds
from fzmediate.server.auth import Caller, require_role
from fzmediate.server.db import Database
from fzmediate.sync.application_protocol import (
    ACK_PATH,
    APPLICATIONS_PATH,
    FETCH_PATH,
    ApplicationAckRequest,
    ApplicationAckResponse,
    ApplicationFetchRequest,
    ApplicationFetchResponse,
    ApplicationPushRequest,
    ApplicationPushResponse,
)


def install(
    app: FastAPI,
    db_of: Callable[[Request], Awaitable[Database]],
    caller_of: Callable[[Request], Awaitable[Caller]],
    responses: dict[int | str, dict[str, Any]],
) -> None:
    """Mount the three endpoints on ``app`` (``db_of``/``caller_of``: the app's own dependencies)."""
    DB = Annotated[Database, Depends(db_of)]
    Device = Annotated[Caller, Depends(caller_of)]

    @app.post(APPLICATIONS_PATH, response_model=ApplicationPushResponse, responses=responses)
    def push_applications(body: ApplicationPushRequest, db: DB, caller: Device) -> ApplicationPushResponse:
        """A kiosk's sealed applications, for the units responsible for them (kiosks only)."""
        require_role(caller, "kiosk")
        bounds.check(body)
        return applications.receive(db, caller, body)

    @app.post(FETCH_PATH, response_model=ApplicationFetchResponse, responses=responses)
    def fetch_applications(body: ApplicationFetchRequest, db: DB, caller: Device) -> ApplicationFetchResponse:
        """The applications waiting for the desk's unit, sealed to the keys it names (desks only)."""
        require_role(caller, "desk")
        bounds.check(body)
        return applications.fetch(db, caller, body)

    @app.post(ACK_PATH, response_model=ApplicationAckResponse, responses=responses)
    def acknowledge_applications(body: ApplicationAckRequest, db: DB, caller: Device) -> ApplicationAckResponse:
        """The applications the desk has stored (desks only)."""
        require_role(caller, "desk")
        bounds.check(body)
        return applications.acknowledge(db, caller, body)
