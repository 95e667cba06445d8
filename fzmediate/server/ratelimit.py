"""Per-device request limits: a token bucket per device, kept in the database.

The server keeps no state outside its database (``serve --workers N`` runs several processes, and a district
may run several servers behind one proxy), so the bucket lives in the table ``rate_buckets``, one row per
device, updated in a short transaction of its own (the row is locked, so concurrent requests of one device
queue on it; other devices' rows are not touched).

The bucket is stored as a single time, as the generic cell rate algorithm does: ``full_at`` is when the bucket
would be full again. A request at ``now`` costs one token, i.e. moves ``full_at`` one interval
(60 s ÷ ``per_minute``) later, starting from ``now`` if the bucket was already full. It is refused when the
bucket is empty: when ``full_at`` is more than ``burst − 1`` intervals ahead of ``now``. The refusal says how
long until one token is back (``Retry-After``, whole seconds rounded up); a refused request costs nothing.

Defaults: 300 requests a minute sustained, bursts of 120. A desk's sync round is a few requests (push
batches, pull pages, the anchor); the first sync of a large unit pulls a page of up to 5,000 changes a request,
so 100 000 changes take about 21 requests, well within a burst. The sync client
(:mod:`fzmediate.sync.http`) waits ``Retry-After`` and tries again.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import timedelta
from typing import Final, cast

from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.orm import Session

from fzmediate.server.db import Database
from fzmediate.server.models import RateBucket

#: The environment variable that carries ``serve --rate-limit`` to each worker process.
RATE_ENV: Final = "FZMEDIATE_SERVER_RATE"


@dataclass(frozen=True)
class RateLimit:
    """``per_minute`` requests a minute sustained, up to ``burst`` at once; ``per_minute`` 0 means no limit."""

    per_minute: int = 300
    burst: int = 120

    @property
    def enabled(self) -> bool:
        return self.per_minute > 0

    @property
    def interval(self) -> timedelta:
        return timedelta(seconds=60 / self.per_minute)

    @classmethod
    def parse(cls, text: str) -> RateLimit:
        """``"PER_MINUTE"`` or ``"PER_MINUTE/BURST"`` (``"0"``: no limit); ValueError otherwise."""
        head, _sep, tail = text.strip().partition("/")
        per_minute = int(head)
        burst = int(tail) if tail else cls.burst
        if per_minute < 0 or burst < 1:
            raise ValueError(text)
        return cls(per_minute, burst)

    def text(self) -> str:
        return "{0}/{1}".format(self.per_minute, self.burst)


DEFAULT: Final = RateLimit()


class RateLimiter:
    """Takes one token of a device's bucket per request (:meth:`take`)."""

    def __init__(self, db: Database, limit: RateLimit = DEFAULT) -> None:
        self.db = db
        self.limit = limit

    def take(self, key: str) -> int | None:
        """None when the request of ``key`` (a device id) may go on; else the whole seconds to wait."""
        if not self.limit.enabled:
            return None
        return self.db.transaction(lambda session: self.take_in(session, key), durable=False)

    def take_in(self, session: Session, key: str) -> int | None:
        """:meth:`take` inside the caller's transaction (the request's bookkeeping, fzmediate.server.auth.admit)."""
        if not self.limit.enabled:
            return None
        interval = self.limit.interval
        tolerance = interval * (self.limit.burst - 1)
        now = self.db.now()
        core = session.connection()  # plain statements, built once: every request runs them
        row = core.execute(_BUCKET, {"b_key": key}).first()
        full_at = now if row is None or row.full_at < now else row.full_at
        ahead = full_at - now
        if ahead > tolerance:
            return max(1, math.ceil((ahead - tolerance).total_seconds()))
        if row is None:
            # A concurrent first request of the same device inserts too: the loser's transaction fails on the
            # primary key and is run again by Database.transaction, then finds the row.
            core.execute(_NEW_BUCKET, {"key": key, "full_at": full_at + interval})
        else:
            core.execute(_MOVE_BUCKET, {"b_key": key, "b_full_at": full_at + interval})
        return None


_TABLE: Final = cast(Table, RateBucket.__table__)
#: The device's bucket, locked until the request's bookkeeping commits (concurrent requests queue on it).
_BUCKET: Final = select(_TABLE.c.full_at).where(_TABLE.c.key == bindparam("b_key")).with_for_update()
_NEW_BUCKET: Final = insert(_TABLE)
_MOVE_BUCKET: Final = (
    update(_TABLE)
    .where(_TABLE.c.key == bindparam("b_key"))
    .values(full_at=bindparam("b_full_at", type_=_TABLE.c.full_at.type))
)
