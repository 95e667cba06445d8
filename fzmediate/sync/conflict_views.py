"""Sync conflicts as the screens get them: plain values, light to import in the desk's GUI process.

:mod:`fzmediate.sync.conflicts` builds them in the store process, where personal values are masked and labels
translated; nothing here reads the store.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Final, Literal

#: How a person settles a conflict: keep this desk's value, take the server's, or enter another value.
Choice = Literal["mine", "theirs", "value"]
CHOICES: Final[tuple[str, ...]] = ("mine", "theirs", "value")
#: The longest reason a resolution may carry.
MAX_REASON: Final = 2_000


@dataclass(frozen=True)
class ConflictSide:
    """One side of a conflict: its value as shown (masked when personal), who changed it and on which device."""

    value: str
    actor: str
    device: str
    #: The device is this desk.
    this_desk: bool = False


@dataclass(frozen=True)
class ConflictView:
    """An open conflict: what it is about, the three values, both sides, and whether it can be settled here."""

    conflict_id: str
    entity: str
    entity_id: str
    #: The kind of record, translated ("Party", "Case" …).
    kind_label: str
    #: The case's number ("" when the record's case is not on this desk).
    case_number: str
    case_id: str
    field: str
    field_label: str
    base: str
    #: This desk's value (now, when the record is here).
    mine: ConflictSide
    #: The server's value.
    theirs: ConflictSide
    #: When the conflict was recorded (UTC).
    recorded_at: datetime
    #: ``server``: the server reported it; ``local``: found here while applying a pulled change.
    origin: str
    #: Whether a value can be applied here; else only "keep as it is here" settles it (``reason`` says why).
    applicable: bool = True
    reason: str = ""
    #: The field holds personal data (its values are shown masked).
    personal: bool = False


@dataclass(frozen=True)
class Resolution:
    """What settling a conflict did: which conflicts it closed and whether a change was queued for the server."""

    conflict_id: str
    choice: str
    #: Every conflict it closed (the one chosen and any other open one about the same field).
    closed: tuple[str, ...]
    #: A patch with the chosen value waits in the outbox.
    queued: bool
    case_id: str = ""
