"""Constants and fakes shared by the tests (the outer boundary only: clock and KDF cost)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fzmediate.security.keyslots import KdfParams

#: Argon2id with small cost: the same code path as production, fast enough for hundreds of unlocks.
FAST_KDF = KdfParams(memory_kib=8192, iterations=1, lanes=1)
ADMIN_PW = "admin-pass-1"


class FakeClock:
    """A wall clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)
