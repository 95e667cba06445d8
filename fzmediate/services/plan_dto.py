"""Planned sessions as the screens get them (plain values, light to import in the desk's GUI process)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

#: The shortest and longest session one may plan (minutes).
MIN_MINUTES = 15
MAX_MINUTES = 12 * 60


@dataclass(frozen=True)
class PlannedSession:
    """A planned session as screens show it (plain values)."""

    id: str
    case_id: str
    starts_at: datetime
    minutes: int
    place: str
    staff: tuple[str, ...]
    note: str
    created_by: str
    cancelled: bool
    cancelled_reason: str
    version: int
