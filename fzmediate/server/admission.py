"""A request's bookkeeping on PostgreSQL in one round trip: revocation, nonce and rate allowance.

Every signed request is admitted before its endpoint runs (:func:`fzmediate.server.auth.admit`). Through the
ORM session that took seven round trips (BEGIN, ``SET LOCAL``, the device, the nonce, the bucket read and its
write, COMMIT), about as much of the server's time as a pull page's own work. Here:

- the device's key, unit, role and code come from a per-process cache (:class:`DeviceKeys`): they never change
  once a device is enrolled (enrollment refuses another key for a known device id); revocation, which does
  change, is read by the statement below, so a revoked device is refused from the next request on, in every
  process;
- the signature is checked in Python, with no database in between;
- one statement checks revocation, stores the nonce (``ON CONFLICT DO NOTHING``: a replay stores nothing) and,
  only when the nonce was new, takes one token of the device's bucket (an upsert whose ``WHERE`` refuses an
  empty bucket: :mod:`fzmediate.server.ratelimit`'s rule, in SQL); it is sent with ``SET LOCAL
  synchronous_commit TO OFF`` and the COMMIT in one pipeline (the bookkeeping's commit need not wait for the
  WAL flush: :meth:`fzmediate.server.db.Database.transaction`).

SQLite keeps the session's way (:func:`fzmediate.server.auth.admit`).
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final
from weakref import WeakKeyDictionary

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from fzmediate.server.db import Database
from fzmediate.server.pipeline import Compiled, Step, aware, naive, run_pipeline
from fzmediate.server.ratelimit import RateLimit


@dataclass(frozen=True)
class DeviceKey:
    """What a request needs of its device and never changes once it is enrolled."""

    device_id: str
    key: Ed25519PublicKey | None  # None: the stored key is not one (refused as a bad signature)
    unit: str
    role: str
    device_code: str


class DeviceKeys:
    """The enrolled devices' keys a server process has looked up, by device id (thread-safe). A device not
    enrolled is not remembered: it may enroll a moment later."""

    def __init__(self) -> None:
        self._held: dict[str, DeviceKey] = {}
        self._lock = threading.Lock()

    def get(self, device_id: str) -> DeviceKey | None:
        with self._lock:
            return self._held.get(device_id)

    def put(self, device: DeviceKey) -> None:
        with self._lock:
            self._held[device.device_id] = device


_KEYS: WeakKeyDictionary[Database, DeviceKeys] = WeakKeyDictionary()
_KEYS_LOCK: Final = threading.Lock()


def device_keys(db: Database) -> DeviceKeys:
    """The device keys this process keeps for ``db``."""
    with _KEYS_LOCK:
        keys = _KEYS.get(db)
        if keys is None:
            keys = _KEYS[db] = DeviceKeys()
        return keys


@dataclass(frozen=True)
class Booked:
    """What the bookkeeping statement found: ``known`` (the device's row is there), ``revoked``, ``fresh`` (the
    nonce was new and is stored), ``wait`` (whole seconds to wait when the bucket was empty, else None)."""

    known: bool
    revoked: bool
    fresh: bool
    wait: int | None


def book(db: Database, device_id: str, nonce: str, limit: RateLimit | None, *, sweep_before: datetime | None) -> Booked:
    """Run the request's bookkeeping (module docstring) for ``device_id`` and ``nonce`` at the server's time;
    ``limit``: the allowance to take one token of (None: no limit); ``sweep_before``: clear every device's
    nonces older than that first (a process does this once a minute)."""
    now = naive(db.now())
    limited = limit is not None and limit.enabled
    params: dict[str, Any] = {"device": device_id, "nonce": nonce, "now": now}
    if limited:
        assert limit is not None
        params["interval"] = limit.interval
        params["tolerance"] = limit.interval * (limit.burst - 1)
    steps = [Step(_QUICK_COMMIT, {})]
    if sweep_before is not None:
        steps.append(Step(_SWEEP, {"before": naive(sweep_before)}))
    steps.append(Step(_BOOK_LIMITED if limited else _BOOK, params))
    row = run_pipeline(db, steps)[-1][0]
    revoked, stored, took, full_at = row
    if revoked is None:
        return Booked(known=False, revoked=False, fresh=False, wait=None)
    wait = None
    if limited and stored and not took:
        assert limit is not None
        ahead = max(full_at - now, timedelta(0)) if full_at is not None else timedelta(0)
        wait = max(1, math.ceil((ahead - limit.interval * (limit.burst - 1)).total_seconds()))
    return Booked(known=True, revoked=bool(revoked), fresh=bool(stored), wait=wait)


def lookup(db: Database, device_id: str) -> tuple[str, str, str, str] | None:
    """The device's stored key (base64), unit, role and code; None for a device not enrolled (one round trip: a
    device's first request to each server process asks for it)."""
    rows = run_pipeline(db, [Step(_DEVICE, {"device": device_id})])[0]
    return None if not rows else (rows[0][0], rows[0][1], rows[0][2], rows[0][3])


def revoked_at(db: Database, device_id: str) -> datetime | None:
    """When the device was revoked (None: it is not, or not enrolled)."""
    rows = run_pipeline(db, [Step(_REVOKED, {"device": device_id})])[0]
    return None if not rows or rows[0][0] is None else aware(rows[0][0])


_DEVICE: Final = Compiled("SELECT public_key, unit, role, device_code FROM devices WHERE device_id = %(device)s", {})
_REVOKED: Final = Compiled("SELECT revoked_at FROM devices WHERE device_id = %(device)s", {})
_QUICK_COMMIT: Final = Compiled("SET LOCAL synchronous_commit TO OFF", {})
_SWEEP: Final = Compiled("DELETE FROM nonces WHERE created_at < %(before)s", {})
#: Revocation, then the nonce only for a device not revoked; the row's columns: revoked (None: no such device),
#: whether the nonce was stored, whether a token was taken, the bucket's ``full_at`` before (for the wait).
_DEVICE_CTE: Final = "dev AS (SELECT revoked_at IS NOT NULL AS revoked FROM devices WHERE device_id = %(device)s)"
_NONCE_CTE: Final = (
    "stored AS (INSERT INTO nonces (device_id, nonce, created_at) SELECT %(device)s, %(nonce)s, %(now)s "
    "FROM dev WHERE NOT dev.revoked ON CONFLICT DO NOTHING RETURNING 1)"
)
#: One token: the bucket's ``full_at`` moves one interval on from itself or from now, whichever is later,
#: unless that is more than ``tolerance`` ahead of now (an empty bucket: nothing changes).
_TAKE_CTE: Final = (
    "took AS (INSERT INTO rate_buckets (key, full_at) SELECT %(device)s, %(now)s + %(interval)s FROM stored "
    "ON CONFLICT (key) DO UPDATE SET full_at = GREATEST(rate_buckets.full_at, %(now)s) + %(interval)s "
    "WHERE GREATEST(rate_buckets.full_at, %(now)s) - %(now)s <= %(tolerance)s RETURNING 1)"
)
_BOOK: Final = Compiled(
    "WITH {0}, {1} SELECT (SELECT revoked FROM dev), EXISTS (SELECT 1 FROM stored), false, NULL".format(
        _DEVICE_CTE, _NONCE_CTE
    ),
    {},
)
_BOOK_LIMITED: Final = Compiled(
    (
        "WITH {0}, {1}, {2} SELECT (SELECT revoked FROM dev), EXISTS (SELECT 1 FROM stored), "
        "EXISTS (SELECT 1 FROM took), (SELECT full_at FROM rate_buckets WHERE key = %(device)s)"
    ).format(_DEVICE_CTE, _NONCE_CTE, _TAKE_CTE),
    {},
)
