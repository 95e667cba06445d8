"""Refusals as :class:`~fzmediate.sync.protocol.ErrorBody`: a code, and for a malformed request the problems.

FastAPI's own validation answer echoes the input (``"input": …``), which may be personal data. Ours says
where (a path of known field names; anything else, such as a key the client made up, becomes ``*``) and
which rule (pydantic's message for the rules whose message never quotes the input, else the rule's name).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Final

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from fzmediate.sync import protocol

#: Rules whose pydantic message is built from the schema only, never from the value sent.
_SAFE_MESSAGES: Final = frozenset(
    {
        "missing",
        "extra_forbidden",
        "string_type",
        "string_too_short",
        "string_too_long",
        "string_pattern_mismatch",
        "int_type",
        "int_parsing",
        "int_from_float",
        "bool_type",
        "bool_parsing",
        "greater_than",
        "greater_than_equal",
        "less_than",
        "less_than_equal",
        "too_short",
        "too_long",
        "list_type",
        "dict_type",
        "model_type",
        "model_attributes_type",
        "literal_error",
        "datetime_type",
        "datetime_parsing",
        "datetime_from_date_parsing",
        "json_invalid",
        "json_type",
        "frozen_instance",
    }
)
_STATUS_CODES: Final = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    415: "unsupported_media_type",
    429: "rate_limited",
}


class Refusal(Exception):
    """An endpoint's refusal: ``status`` and a code (and for 422 the problems, never values)."""

    def __init__(self, status: int, code: str, problems: Sequence[str] = ()) -> None:
        super().__init__(code)
        self.status = status
        self.code = code
        self.problems = list(problems)


def _known_names(models: Iterable[type[BaseModel]]) -> frozenset[str]:
    names = {"body", "query", "header", "path", "after", "limit", "follows"}
    names.update((protocol.HINTS_PARAM, protocol.ANCHOR_SEQ_PARAM, protocol.ANCHOR_HASH_PARAM))
    for model in models:
        names.update(model.model_fields)
    return frozenset(names)


_NAMES: Final = _known_names(
    m for m in vars(protocol).values() if isinstance(m, type) and issubclass(m, BaseModel) and m is not BaseModel
)


def describe(errors: Iterable[Any]) -> list[str]:
    """One line per problem: ``path: rule``, with no value of the request in it."""
    problems: list[str] = []
    for error in errors:
        loc = error.get("loc", ()) if isinstance(error, dict) else ()
        parts = [str(p) if isinstance(p, int) or p in _NAMES else "*" for p in loc]
        kind = str(error.get("type", "invalid")) if isinstance(error, dict) else "invalid"
        message = str(error.get("msg", kind)) if kind in _SAFE_MESSAGES else kind
        problems.append("{0}: {1}".format(".".join(parts) or "body", message))
    return problems[:50]


def error_response(status: int, code: str, problems: Sequence[str] = ()) -> JSONResponse:
    body = protocol.ErrorBody(error=code, problems=list(problems))
    return JSONResponse(body.model_dump(exclude_defaults=True), status_code=status)


def install(app: FastAPI) -> None:
    """Answer every refusal with an :class:`ErrorBody`."""

    async def invalid(_request: Request, exc: Exception) -> JSONResponse:
        errors = exc.errors() if isinstance(exc, RequestValidationError) else []
        return error_response(422, "invalid", describe(errors))

    async def http_error(_request: Request, exc: Exception) -> JSONResponse:
        status = exc.status_code if isinstance(exc, StarletteHTTPException) else 500
        return error_response(status, _STATUS_CODES.get(status, "error"))

    async def refused(_request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, Refusal)
        return error_response(exc.status, exc.code, exc.problems)

    app.add_exception_handler(RequestValidationError, invalid)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(Refusal, refused)
