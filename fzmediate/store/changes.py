"""What a unit of work changed, as plain values (no SQLAlchemy): the outbox's :class:`Change` records and
the screens' :class:`OpChanges`. The desk's GUI process receives these from the store process, so this
module must stay light to import (:mod:`fzmediate.store.outbox` writes them)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Op(StrEnum):
    CREATE = "create"
    PATCH = "patch"
    APPEND = "append"
    TOMBSTONE = "tombstone"


@dataclass(frozen=True)
class Change:
    """One change to record: which entity, what happened, and its fields."""

    entity: str
    entity_id: str
    op: Op
    version: int
    payload: Mapping[str, Any]
    base_version: int | None = None


@dataclass(frozen=True)
class OpChanges:
    """What one or more units of work changed: the cases touched and the kinds of entity written
    (``case``, ``party``, ``case_event``, ``document``, ``user``, ``catalogue``, …). Empty for a read."""

    case_ids: frozenset[str] = frozenset()
    kinds: frozenset[str] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.kinds)

    def __or__(self, other: OpChanges) -> OpChanges:
        return OpChanges(self.case_ids | other.case_ids, self.kinds | other.kinds)

    @classmethod
    def of(cls, changes: Iterable[Change]) -> OpChanges:
        """The case ids and kinds of outbox changes: a case by its id, a case's row by its ``case_id``."""
        case_ids: set[str] = set()
        kinds: set[str] = set()
        for c in changes:
            kinds.add(c.entity)
            if c.entity == "case":
                case_ids.add(c.entity_id)
            elif isinstance(c.payload.get("case_id"), str):
                case_ids.add(c.payload["case_id"])
        return cls(frozenset(case_ids), frozenset(kinds))


NO_CHANGES = OpChanges()
