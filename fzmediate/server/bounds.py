"""What the wire models allow but the databases cannot store: refused as 422 before anything is written.

The protocol's models (:mod:`fzmediate.sync.protocol`) bound lengths but not the size of integers, and allow
any character in text. The server's columns do not: a sequence number is a 64-bit integer, a version a 32-bit
one; PostgreSQL refuses NUL in text (and cannot read ``\\u0000`` out of a JSON value); a date in year 1 with a
time zone cannot be turned into UTC. Such a request would otherwise end in a database error (a 500). The
problems name fields (``body.changes.3.version: out of range``), never the values sent.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Final

from pydantic import BaseModel

from fzmediate.server.errors import Refusal

MAX_BIGINT: Final = 2**63 - 1
MAX_INTEGER: Final = 2**31 - 1
#: The largest value each integer field may carry (the column it is stored in).
INTEGER_FIELDS: Final[Mapping[str, int]] = {
    "device_seq": MAX_BIGINT,
    "seq": MAX_BIGINT,
    "version": MAX_INTEGER,
    "base_version": MAX_INTEGER,
}


def check(body: BaseModel) -> None:
    """Refuse (422 ``invalid``) a request body the database could not store as sent."""
    problems: list[str] = []
    _walk(body, "body", problems)
    if problems:
        raise Refusal(422, "invalid", problems[:50])


def _walk(value: Any, path: str, problems: list[str]) -> None:
    if isinstance(value, BaseModel):
        for name in type(value).model_fields:
            item = getattr(value, name)
            where = "{0}.{1}".format(path, name)
            limit = INTEGER_FIELDS.get(name)
            if limit is not None and isinstance(item, int) and not -MAX_BIGINT <= item <= limit:
                problems.append("{0}: out of range".format(where))
            _walk(item, where, problems)
    elif isinstance(value, str):
        if "\x00" in value:
            problems.append("{0}: contains NUL".format(path))
    elif isinstance(value, datetime):
        try:
            value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
        except OverflowError:
            problems.append("{0}: out of range".format(path))
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            _walk(item, "{0}.{1}".format(path, index), problems)
    elif isinstance(value, dict):
        # A payload: its keys and values are the desk's data; their names are not told back.
        for key, item in value.items():
            if isinstance(key, str) and "\x00" in key:
                problems.append("{0}.*: contains NUL".format(path))
            _walk(item, "{0}.*".format(path), problems)
