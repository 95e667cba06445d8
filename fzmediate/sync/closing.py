"""A conflict settled on another desk, as this desk learns it from a pull (docs/sync-protocol.md, "Conflicts").

The settling desk queued a ``conflict``/``tombstone`` change (``fzmediate.sync.conflicts``); the server closed its
row and published the change with ``{"entity", "entity_id", "field", "value"?}``, ``value`` being the field's value
at the server once settled. Here, in the page's transaction:

- this desk's copy of that conflict is closed, and so is every other open conflict it holds about the same field
  of the same record (the disagreement this desk found itself while applying a pulled change): a person decided;
- when ``value`` came and this desk still holds one of the disputed values (base, server's or client's) in a field
  a person sets, it takes the settled value, so the desks converge; a value this desk set since is kept (its own
  outbox change carries it to the server, where the merge judges it).

Nothing is queued (the decision came from the server) and nothing here logs values.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, Final

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from fzmediate.store.models import Base, SyncConflict
from fzmediate.store.outbox import json_value
from fzmediate.sync.protocol import DERIVED_FIELDS, SEALED_ENTITIES, PulledChange

#: Columns a settled value never writes: identity and bookkeeping (as ``fzmediate.sync.conflicts``).
_FIXED: Final = frozenset({"id", "case_id", "version", "position", "device_id", "created_at", "created_by"})


def close_pulled(
    s: Session,
    change: PulledChange,
    *,
    now: datetime,
    models: Mapping[str, type[Base]],
    convert: Callable[[Any, Any], Any],
) -> tuple[int, str | None]:
    """Close what ``change`` settled (see the module docs); returns how many conflicts it closed here and the
    case whose search rows must be rewritten when a party's or case's value changed (else None).

    ``models`` are the desk's synced entities and ``convert`` turns a JSON value into a column's
    (``fzmediate.sync.apply``)."""
    about = change.payload
    entity, entity_id, field = about.get("entity"), about.get("entity_id"), about.get("field")
    same_field = (
        (SyncConflict.entity == entity) & (SyncConflict.entity_id == entity_id) & (SyncConflict.field == field)
        if isinstance(entity, str) and isinstance(entity_id, str) and isinstance(field, str)
        else SyncConflict.conflict_id == change.entity_id
    )
    rows = list(
        s.scalars(
            select(SyncConflict).where(
                SyncConflict.resolved_at.is_(None), or_(SyncConflict.conflict_id == change.entity_id, same_field)
            )
        )
    )
    disputed = [json_value(v) for r in rows for v in (r.base_value, r.server_value, r.client_value)]
    for row in rows:
        row.resolved_at = now
        row.resolved_by = change.actor[:64]
        row.resolution = {"settled_on": change.device_id, "server_seq": change.server_seq}
    if not rows or "value" not in about or not isinstance(entity, str) or not isinstance(field, str):
        return len(rows), None
    return len(rows), _take_settled(s, models.get(entity), entity, entity_id, field, about["value"], disputed, convert)


def _take_settled(
    s: Session,
    model: type[Base] | None,
    entity: str,
    entity_id: Any,
    field: str,
    value: Any,
    disputed: list[Any],
    convert: Callable[[Any, Any], Any],
) -> str | None:
    if model is None or entity in SEALED_ENTITIES or field in _FIXED or field in DERIVED_FIELDS.get(entity, ()):
        return None
    column = model.__table__.columns.get(field)
    row = s.get(model, entity_id) if column is not None else None
    if row is None:
        return None
    local = json_value(getattr(row, field))
    if local == value or local not in disputed:
        return None  # settled here already, or changed here since: this desk's own change goes to the server
    try:
        setattr(row, field, convert(column, value))
    except (TypeError, ValueError):
        return None
    case_id = entity_id if entity == "case" else getattr(row, "case_id", None)
    return case_id if isinstance(case_id, str) and entity in ("case", "party") else None
