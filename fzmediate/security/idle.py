"""Idle auto-lock policy: after ``timeout_seconds`` without user input the store must be locked.

Pure and clock-injected, so it is tested without waiting. The UI feeds it (``touch`` on every mouse, key,
wheel or touch event) and asks ``due()`` on a timer; the lock itself is the caller's job.
"""

from __future__ import annotations

import time
from collections.abc import Callable

Clock = Callable[[], float]


class IdleLock:
    """When was the user last active, and is it time to lock?

    ``clock`` returns seconds on a monotonic scale (``time.monotonic`` by default): wall-clock jumps
    (NTP, daylight saving, a user changing the date) must neither lock early nor postpone the lock.
    """

    def __init__(self, timeout_seconds: float, clock: Clock = time.monotonic) -> None:
        if not timeout_seconds > 0:
            raise ValueError("timeout_seconds must be positive")
        self._timeout = float(timeout_seconds)
        self._clock = clock
        self._last = clock()

    @property
    def timeout_seconds(self) -> float:
        return self._timeout

    def touch(self) -> None:
        """Record user activity now."""
        self._last = self._clock()

    def _elapsed(self) -> float:
        # A clock that went backwards (it should not; monotonic) counts as "just active".
        return max(0.0, self._clock() - self._last)

    def remaining(self) -> float:
        """Seconds left before the lock is due (0 once it is due)."""
        return min(self._timeout, max(0.0, self._timeout - self._elapsed()))

    def due(self) -> bool:
        """True once ``timeout_seconds`` have passed since the last activity."""
        return self._elapsed() >= self._timeout
