"""Growing wait after repeated failed unlocks (等保 登录失败处理), that parallel processes cannot bypass.

Why it holds under concurrency: every attempt takes an OS file lock, reads the counter, refuses when a wait
is due, and otherwise counts itself as a failure *before* the key derivation runs (a reservation), then
releases the lock. So N processes guessing at once get at most ``FREE_ATTEMPTS + 1`` key derivations in
total: the attempt whose failure starts the first wait is itself checked, exactly as in the one-process
case. A success clears the counter (and its own reservation) under the lock; a failure needs no second
write, the attempt was counted already.

What the file holds: a random salt and, per counter, a *bucket* — HMAC-SHA256(salt, login) cut to 20 bits
— with a count and a time. Nothing typed is stored: a password typed into the user-name field cannot be
read back, and 20 bits are too few to confirm a guess at it (about a million other strings share each
bucket). Real login names almost never share a bucket; if two do, they only share a wait. Entries quiet
for a day are dropped, so the file stays small and holds no history.

It is advisory, a user-facing control and not cryptography: whoever can write the data directory can
delete the file, and an attacker with a copy of the store faces only the key-derivation cost and the
password's strength. That is why losing or damaging the file starts the count afresh instead of locking
everyone out.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import math
import os
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from filelock import FileLock

from fzmediate.security.atomic import atomic_write_bytes

FREE_ATTEMPTS = 4
BASE_DELAY_SECONDS = 30.0
MAX_DELAY_SECONDS = 3600.0
#: Key derivations N parallel wrong guesses can reach before everyone must wait.
ATTEMPT_BUDGET = FREE_ATTEMPTS + 1
#: A counter untouched this long (its wait long over) is forgotten.
FORGET_AFTER_SECONDS = 24 * 3600.0
BUCKET_BITS = 20
#: The lock is held for one read and one small write; waiting longer than this means something is stuck.
LOCK_TIMEOUT_SECONDS = 10.0

FORMAT = "fzmediate-unlock-attempts"
FORMAT_VERSION = 2


def delay_after(failures: int) -> float:
    """Seconds to wait after ``failures`` consecutive failures: none for the first few, then doubling."""
    if failures <= FREE_ATTEMPTS:
        return 0.0
    return min(BASE_DELAY_SECONDS * math.pow(2, failures - FREE_ATTEMPTS - 1), MAX_DELAY_SECONDS)


@dataclass
class Attempts:
    failures: int = 0
    last_failure: float = 0.0


@dataclass
class _State:
    salt: bytes
    counters: dict[str, Attempts]
    #: The file was missing, damaged or in the old login-keyed format (rewrite it at the next chance).
    stale: bool = False


@dataclass(frozen=True)
class Ticket:
    """The outcome of asking to try: ``wait`` > 0 means refused (nothing counted)."""

    wait: float
    failures: int

    @property
    def delay_if_failed(self) -> float:
        """The wait this attempt starts if it fails (it is already counted)."""
        return delay_after(self.failures)


class Backoff:
    """The failure counters of one data directory (file ``path``, lock file beside it)."""

    def __init__(self, path: Path, clock: Callable[[], float]) -> None:
        self._path = path
        self._clock = clock
        self.lock_path = path.with_name(path.name + ".lock")
        # Reservations this process made and has not settled yet (see ``record_failure`` and ``reset``).
        self._reserved: Counter[str] = Counter()
        self._mutex = threading.Lock()

    # --- file ------------------------------------------------------------------------------------
    def _lock(self) -> FileLock:
        self._path.parent.mkdir(parents=True, exist_ok=True)
        return FileLock(str(self.lock_path), timeout=LOCK_TIMEOUT_SECONDS, thread_local=False)

    def _read(self) -> _State:
        try:
            raw = json.loads(self._path.read_text("utf-8"))
            if raw.get("format") != FORMAT or raw.get("version") != FORMAT_VERSION:
                raise ValueError("format")
            salt = base64.b64decode(raw["salt"], validate=True)
            if len(salt) < 16:
                raise ValueError("salt")
            counters = {
                str(k): Attempts(int(v["failures"]), float(v["last_failure"])) for k, v in raw["counters"].items()
            }
            return _State(salt, counters)
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            # A missing, unreadable or older (login-keyed) file must not lock everyone out: count afresh.
            return _State(os.urandom(16), {}, stale=True)

    def _write(self, state: _State) -> None:
        now = self._clock()
        kept = {
            k: v
            for k, v in state.counters.items()
            if now - v.last_failure < max(FORGET_AFTER_SECONDS, delay_after(v.failures))
        }
        body = {
            "format": FORMAT,
            "version": FORMAT_VERSION,
            "salt": base64.b64encode(state.salt).decode("ascii"),
            "counters": {k: {"failures": v.failures, "last_failure": v.last_failure} for k, v in kept.items()},
        }
        atomic_write_bytes(self._path, json.dumps(body, sort_keys=True).encode("utf-8"))

    @staticmethod
    def _bucket(salt: bytes, login: str) -> str:
        digest = hmac.new(salt, login.encode("utf-8", errors="surrogatepass"), hashlib.sha256).digest()
        value = int.from_bytes(digest[:4], "big") >> (32 - BUCKET_BITS)
        return "{0:05x}".format(value)

    def _wait(self, a: Attempts | None) -> float:
        if a is None:
            return 0.0
        return max(0.0, a.last_failure + delay_after(a.failures) - self._clock())

    # --- queries (read only, no lock needed: the file is replaced atomically) ----------------------
    def remaining(self, login: str) -> float:
        """Seconds until ``login`` may try again (0 when it may try now)."""
        state = self._read()
        return self._wait(state.counters.get(self._bucket(state.salt, login)))

    def failures(self, login: str) -> int:
        state = self._read()
        a = state.counters.get(self._bucket(state.salt, login))
        return a.failures if a else 0

    # --- an attempt ------------------------------------------------------------------------------
    def reserve(self, login: str) -> Ticket:
        """Ask to try ``login`` now. Refused: a ticket with the wait, nothing counted. Allowed: this
        attempt is counted as a failure at once; ``reset`` takes it back after a success."""
        with self._lock():
            state = self._read()
            key = self._bucket(state.salt, login)
            a = state.counters.get(key)
            wait = self._wait(a)
            if wait > 0:
                return Ticket(wait=wait, failures=a.failures if a else 0)
            a = state.counters.setdefault(key, Attempts())
            a.failures += 1
            a.last_failure = self._clock()
            self._write(state)
        with self._mutex:
            self._reserved[login] += 1
        return Ticket(wait=0.0, failures=a.failures)

    def _take_reservation(self, login: str) -> bool:
        with self._mutex:
            if self._reserved[login] > 0:
                self._reserved[login] -= 1
                return True
            return False

    def record_failure(self, login: str) -> float:
        """Settle a failed attempt; returns the wait it started. Counts it only if ``reserve`` did not."""
        if self._take_reservation(login):
            return delay_after(self.failures(login))
        with self._lock():
            state = self._read()
            a = state.counters.setdefault(self._bucket(state.salt, login), Attempts())
            a.failures += 1
            a.last_failure = self._clock()
            self._write(state)
        return delay_after(a.failures)

    def reset(self, login: str) -> int:
        """Forget ``login``'s failures after a success; returns how many there were before it (for the audit)."""
        own = 1 if self._take_reservation(login) else 0
        with self._lock():
            state = self._read()
            a = state.counters.pop(self._bucket(state.salt, login), None)
            if a is not None or (state.stale and self._path.exists()):
                self._write(state)  # also replaces an old file that kept login names in the clear
        return max(0, (a.failures if a else 0) - own)
