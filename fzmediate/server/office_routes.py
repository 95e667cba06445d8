"""The office-certificate endpoints on the server app (docs/sync-protocol.md, "Office certificates"); the rules
are in :mod:`fzmediate.server.office_certs`. Under ``/v1/sync/``: the gate checks protocol, size and signature as
for every sync request. Desks only: a kiosk has no office key (403)."""

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Query, Request

from fzmediate.server import bounds, errors, office_certs
from fzmediate.server.auth import Caller, require_role
from fzmediate.server.db import Database
from fzmediate.sync.protocol import (
    OFFICE_CERTIFICATE_PATH,
    OFFICE_REQUEST_PATH,
    SHA256_PATTERN,
    ErrorBody,
    OfficeCertificate,
    OfficeRequestBody,
    OfficeRequestStatus,
)


def install(
    app: FastAPI,
    db_of: Callable[[Request], Awaitable[Database]],
    caller_of: Callable[[Request], Awaitable[Caller]],
    responses: dict[int | str, dict[str, Any]],
) -> None:
    """Mount the two office-certificate endpoints on ``app`` (``db_of``/``caller_of``: the app's dependencies)."""
    DB = Annotated[Database, Depends(db_of)]
    Device = Annotated[Caller, Depends(caller_of)]
    Key = Annotated[str | None, Query(pattern=SHA256_PATTERN)]
    not_found: dict[int | str, dict[str, Any]] = {
        404: {"model": ErrorBody, "description": "No certificate yet (not_found)"}
    }

    @app.post(OFFICE_REQUEST_PATH, response_model=OfficeRequestStatus, responses=responses)
    def office_request(body: OfficeRequestBody, db: DB, caller: Device) -> OfficeRequestStatus:
        """Keep a certificate request for the desk's office key; the answer says where the district stands."""
        require_role(caller, "desk")
        bounds.check(body)
        return office_certs.receive(db, caller.device_id, caller.unit, body.office_request, field="body.office_request")

    @app.get(OFFICE_CERTIFICATE_PATH, response_model=OfficeCertificate, responses={**responses, **not_found})
    def office_certificate(db: DB, caller: Device, key: Key = None) -> OfficeCertificate:
        """The district's certificate for the desk's office key ``key`` (SHA-256 of its SubjectPublicKeyInfo; the
        latest one without it), or 404 ``not_found`` while there is none."""
        require_role(caller, "desk")
        found = office_certs.certificate_for(db, caller, key)
        if found is None:
            raise errors.Refusal(404, "not_found")
        return found
