"""What a pull page reads, on PostgreSQL in one round trip.

A page reads the counter's committed value and the numbers of the changes after the device's cursor, the open
conflicts it shows, and (on the last page) the hints: the newest catalogue and the count of kiosk applications
waiting. Through the ORM session that was a transaction of six round trips, each through SQLAlchemy's execution
layers, about half of a pull's server time. Here the same statements (SQLAlchemy's, compiled once for
psycopg) go out in one pipeline, read as plain rows.

The counter and the change numbers are read by one statement, so in one snapshot: every number up to the
counter's value has committed (a push draws its numbers under the counter's lock and keeps it to its commit),
so the page never passes a change this snapshot cannot see. The other reads need no common snapshot.
"""

from __future__ import annotations

from typing import Any, Final, cast

from sqlalchemy import Select, Table, bindparam, select

from fzmediate.server.auth import Caller
from fzmediate.server.models import CHANGE_SEQ, ChangeLog, SeqCounter
from fzmediate.server.pipeline import Compiled

_LOG: Final = cast(Table, ChangeLog.__table__)
_COUNTER: Final = cast(Table, SeqCounter.__table__)


def _page() -> Select[Any]:
    """The counter's value and, beside it, the numbers (and ids) of up to ``page_n`` published changes of the
    caller's unit after ``page_after`` by other devices: one row with nulls when there are none.

    In one snapshot every change a reader sees is numbered up to the counter's value it sees (a push advances the
    counter and writes its rows in one transaction, and draws after the one before it committed); the bound is
    kept as a check that cannot hide a change: one above it would be left for the next page, never skipped."""
    high = select(_COUNTER.c.value.label("high")).where(_COUNTER.c.name == CHANGE_SEQ).subquery("h")
    found = (
        select(_LOG.c.server_seq, _LOG.c.change_id)
        .where(
            _LOG.c.unit == bindparam("page_unit"),
            _LOG.c.server_seq > bindparam("page_after"),
            _LOG.c.published.is_(True),
            _LOG.c.device_id != bindparam("page_device"),
        )
        .order_by(_LOG.c.server_seq)
        .limit(bindparam("page_n"))
        .subquery("c")
    )
    page = high.outerjoin(found, found.c.server_seq <= high.c.high)
    return select(high.c.high, found.c.server_seq, found.c.change_id).select_from(page).order_by(found.c.server_seq)


#: Planned with its values each time (never prepared): a generic plan, not knowing the unit, walks every change
#: after the cursor in number order (6.6 ms a page of 772 among 14,000 here) instead of the unit's index (0.7 ms).
PAGE: Final = Compiled.of(_page())


def page_values(caller: Caller, after: int, n: int) -> dict[str, Any]:
    return {"page_unit": caller.unit, "page_after": after, "page_device": caller.device_id, "page_n": n}


def page_of(rows: list[tuple[Any, ...]]) -> tuple[int, list[tuple[int, str | None]]]:
    """The counter's value and the changes found, from :data:`PAGE`'s rows."""
    if not rows:
        return 0, []  # a database made without the counter's row: nothing published
    high = int(rows[0][0] or 0)
    return high, [(int(seq), change_id) for _high, seq, change_id in rows if seq is not None]
