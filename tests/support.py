"""Constants and fakes shared by the tests (the outer boundary only: clock and KDF cost)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, event

from fzmediate.security.kdf import KdfParams

#: Argon2id with small cost: the same code path as production, fast enough for hundreds of unlocks.
FAST_KDF = KdfParams(memory_kib=8192, iterations=1, lanes=1)
#: Test passwords: each passes the strength check for every role (zxcvbn score 4), so any can be an admin's.
ADMIN_PW = "Tall-Copper-Lantern-47"
ADMIN_PW_2 = "Amber-Falcon-Meadow-38"
MEDIATOR_PW = "Quiet-River-Basket-92"
MEDIATOR_PW_2 = "Silver-Harbor-Violet-15"
SUPERVISOR_PW = "Brisk-Maple-Tundra-63"
SUPERVISOR_PW_2 = "Velvet-Canyon-Orbit-29"
KIOSK_PW = "Crisp-Walnut-Glacier-71"
#: A password set later (change, reset, recovery).
NEW_PW = "Pale-Ember-Quarry-54"
OTHER_PW = "Hollow-Cedar-Signal-86"


class FakeClock:
    """A wall clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


#: ``make soak`` sets FZMEDIATE_SOAK=1: tests marked ``soak`` then run their long tier (more rounds/examples).
SOAK = os.environ.get("FZMEDIATE_SOAK") == "1"


def soak_scale(quick: int, soak: int) -> int:
    """``quick`` rounds in ``make test``, ``soak`` rounds in ``make soak``."""
    return soak if SOAK else quick


@contextmanager
def sql_statements(engine: Engine) -> Iterator[list[str]]:
    """The SQL statements ``engine`` runs inside the block (a real bound on work, not a timing)."""
    seen: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)
