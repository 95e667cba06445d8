"""Growing wait after repeated failed unlocks (等保 登录失败处理).

Kept in a small JSON file beside the store (login names and counts only, no personal data), so that
restarting the app does not reset it. It is a user-facing control, not cryptography: an attacker with a
copy of the files faces only the KDF cost.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from fzmediate.security.atomic import atomic_write_bytes

FREE_ATTEMPTS = 4
BASE_DELAY_SECONDS = 30.0
MAX_DELAY_SECONDS = 3600.0


def delay_after(failures: int) -> float:
    """Seconds to wait after ``failures`` consecutive failures: none for the first few, then doubling."""
    if failures <= FREE_ATTEMPTS:
        return 0.0
    return min(BASE_DELAY_SECONDS * math.pow(2, failures - FREE_ATTEMPTS - 1), MAX_DELAY_SECONDS)


@dataclass
class Attempts:
    failures: int = 0
    last_failure: float = 0.0


class Backoff:
    def __init__(self, path: Path, clock: Callable[[], float]) -> None:
        self._path = path
        self._clock = clock

    def _read(self) -> dict[str, Attempts]:
        try:
            raw = json.loads(self._path.read_text("utf-8"))
            return {k: Attempts(int(v["failures"]), float(v["last_failure"])) for k, v in raw.items()}
        except (FileNotFoundError, ValueError, KeyError, TypeError, AttributeError):
            # A missing or unreadable counter file must not lock everyone out: start counting afresh.
            return {}

    def _write(self, data: dict[str, Attempts]) -> None:
        body = {k: {"failures": v.failures, "last_failure": v.last_failure} for k, v in data.items()}
        atomic_write_bytes(self._path, json.dumps(body, sort_keys=True).encode("utf-8"))

    def remaining(self, login: str) -> float:
        """Seconds until ``login`` may try again (0 when it may try now)."""
        a = self._read().get(login)
        if a is None:
            return 0.0
        return max(0.0, a.last_failure + delay_after(a.failures) - self._clock())

    def failures(self, login: str) -> int:
        a = self._read().get(login)
        return a.failures if a else 0

    def record_failure(self, login: str) -> float:
        data = self._read()
        a = data.setdefault(login, Attempts())
        a.failures += 1
        a.last_failure = self._clock()
        self._write(data)
        return delay_after(a.failures)

    def reset(self, login: str) -> int:
        """Forget ``login``'s failures after a success; returns how many there were (for the audit)."""
        data = self._read()
        a = data.pop(login, None)
        if a is not None:
            self._write(data)
        return a.failures if a else 0
