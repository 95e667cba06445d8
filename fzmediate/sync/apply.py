"""Applying changes pulled from the district server to the desk's store (docs/sync-protocol.md, "Pull").

Called inside the transaction that also stores the page's cursor (``fzmediate.sync.client``), so a page is
applied whole or not at all. Every rule is idempotent: a page applied twice changes nothing.

- ``create`` / ``append``: the row is inserted when absent and left alone when present. A row that cannot be
  inserted (its parent case is not here, or it collides with a local row, e.g. two desks appending event
  number 7 to one case) is kept whole in ``sync_conflicts`` (field ``*``) for a person to look at.
- ``patch``: per field, three-way: local == old → take new; local == new → nothing to do; otherwise the desk's
  value stays and the field is recorded in ``sync_conflicts`` (origin ``local``).
- ``tombstone``: an attachment is marked removed, a session plan cancelled; the other entities have no
  deletion (a case is voided by an act), so the tombstone is recorded in ``sync_conflicts`` and skipped.

Nothing here writes outbox rows: these changes came from the server. Payloads may hold personal data and are
never logged; only counts leave this module.
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Final

from sqlalchemy import Boolean, Date, DateTime, Float, Integer, LargeBinary, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from fzmediate.services.search import index_case
from fzmediate.store.models import (
    AttachmentRow,
    Base,
    Case,
    CaseEventRow,
    DocumentRow,
    PartyRow,
    SessionPlan,
    SyncConflict,
)
from fzmediate.store.outbox import json_value
from fzmediate.sync.protocol import SEALED_ENTITIES, Conflict, PulledChange

#: The entities a desk keeps, by the outbox's entity names.
MODELS: Final[Mapping[str, type[Base]]] = {
    "case": Case,
    "party": PartyRow,
    "case_event": CaseEventRow,
    "document": DocumentRow,
    "session_plan": SessionPlan,
    "attachment": AttachmentRow,
}
#: Whole-row records in sync_conflicts use this field name.
WHOLE_ROW: Final = "*"
_NAMESPACE: Final = uuid.UUID("6b2f1d1e-5c8a-4e0b-9d47-1f3c2a9e8b70")


@dataclass
class PageResult:
    """What applying one page did (counts and case ids only)."""

    applied: int = 0
    skipped: int = 0
    conflicts: int = 0
    case_ids: set[str] = field(default_factory=set)
    #: Cases whose search rows must be rewritten (a case or party arrived or changed).
    reindex: set[str] = field(default_factory=set)


def local_conflict_id(change_id: str, field_name: str) -> str:
    """Stable, so that the same page applied twice records the same conflict once."""
    return str(uuid.uuid5(_NAMESPACE, "{0}\n{1}".format(change_id, field_name)))


# --- values ----------------------------------------------------------------------------------------------


def _column_value(column: Any, value: Any) -> Any:
    """A JSON payload value as the column stores it (ISO dates back to dates, base64 back to bytes)."""
    if value is None:
        return None
    kind = column.type
    if isinstance(kind, DateTime):
        parsed = datetime.fromisoformat(value) if isinstance(value, str) else value
        if isinstance(parsed, datetime) and parsed.tzinfo is not None:
            parsed = parsed.astimezone(UTC).replace(tzinfo=None)  # the store keeps naive UTC
        return parsed
    if isinstance(kind, Date):
        return date.fromisoformat(value) if isinstance(value, str) else value
    if isinstance(kind, LargeBinary):
        return base64.b64decode(value) if isinstance(value, str) else bytes(value)
    if isinstance(kind, Boolean):
        return bool(value)
    if isinstance(kind, Integer):
        return int(value)
    if isinstance(kind, Float):
        return float(value)
    return value


def _columns(model: type[Base]) -> dict[str, Any]:
    return {c.key: c for c in model.__table__.columns}


def row_from_payload(model: type[Base], entity_id: str, payload: Mapping[str, Any]) -> Base:
    """A new row of ``model`` from a create/append payload; fields this build does not know are ignored."""
    columns = _columns(model)
    values = {k: _column_value(columns[k], v) for k, v in payload.items() if k in columns}
    values["id"] = entity_id
    if model is AttachmentRow and "data" not in values:
        values["data"] = b""  # metadata only: the bytes travel separately (not yet part of protocol 1)
    return model(**values)


# --- the rules -----------------------------------------------------------------------------------------------


def apply_changes(s: Session, changes: Iterable[PulledChange], *, local_device: str, now: datetime) -> PageResult:
    """Apply pulled changes in order inside the caller's transaction; then rewrite the touched search rows."""
    result = PageResult()
    naive_now = now.astimezone(UTC).replace(tzinfo=None) if now.tzinfo else now
    for change in changes:
        _apply_one(s, change, result, local_device=local_device, now=naive_now)
    for case_id in sorted(result.reindex):
        if s.get(Case, case_id) is not None:
            parties = s.execute(
                select(PartyRow.name, PartyRow.id_number, PartyRow.phone).where(PartyRow.case_id == case_id)
            ).all()
            index_case(s, case_id, ((p.name, p.id_number, p.phone) for p in parties))
    return result


def _case_of(change: PulledChange, row: Base | None) -> str | None:
    if change.entity == "case":
        return change.entity_id
    case_id = getattr(row, "case_id", None) if row is not None else change.payload.get("case_id")
    return case_id if isinstance(case_id, str) else None


def _apply_one(s: Session, change: PulledChange, result: PageResult, *, local_device: str, now: datetime) -> None:
    model = MODELS.get(change.entity)
    if model is None:  # catalogue data, audit events, kinds of a newer build: not a desk's rows
        result.skipped += 1
        return
    current = s.get(model, change.entity_id)
    case_id = _case_of(change, current)
    if change.op in ("create", "append"):
        done = _insert(s, model, change, current, result, local_device=local_device, now=now)
    elif change.entity in SEALED_ENTITIES:  # the server refuses these; never change a sealed row
        result.skipped += 1
        return
    elif change.op == "patch":
        done = _patch(s, change, current, result, local_device=local_device, now=now)
    else:
        done = _tombstone(s, change, current, result, local_device=local_device, now=now)
    if done and case_id is not None:
        result.case_ids.add(case_id)
        if change.entity in ("case", "party"):
            result.reindex.add(case_id)


def _insert(
    s: Session,
    model: type[Base],
    change: PulledChange,
    current: Base | None,
    result: PageResult,
    *,
    local_device: str,
    now: datetime,
) -> bool:
    if current is not None:
        result.skipped += 1  # already here: an earlier pull, or our own row
        return False
    parent = change.payload.get("case_id")
    if change.entity != "case" and (not isinstance(parent, str) or s.get(Case, parent) is None):
        _record_whole_row(s, change, result, local_device=local_device, now=now)
        return False
    try:
        with s.begin_nested():  # a collision rolls back this row only, not the page
            s.add(row_from_payload(model, change.entity_id, change.payload))
            s.flush()
    except (IntegrityError, ValueError, TypeError):
        _record_whole_row(s, change, result, local_device=local_device, now=now)
        return False
    result.applied += 1
    return True


def _patch(
    s: Session, change: PulledChange, current: Base | None, result: PageResult, *, local_device: str, now: datetime
) -> bool:
    if current is None:
        _record_whole_row(s, change, result, local_device=local_device, now=now)
        return False
    columns = _columns(type(current))
    changed = False
    for name, diff in change.payload.items():
        if name not in columns or name == "id" or not isinstance(diff, Mapping):
            continue
        old, new = diff.get("old"), diff.get("new")
        local = json_value(getattr(current, name))
        if local == new:
            continue
        if local == old:
            setattr(current, name, _column_value(columns[name], new))
            changed = True
            continue
        _record(
            s,
            result,
            conflict_id=local_conflict_id(change.change_id, name),
            change=change,
            field_name=name,
            base=old,
            server=new,
            client=local,
            local_device=local_device,
            now=now,
        )
    if "version" in columns and change.version > (getattr(current, "version", 0) or 0):
        current.version = change.version  # type: ignore[attr-defined]  # every versioned model has it
    if changed:
        result.applied += 1
    else:
        result.skipped += 1
    return changed


def _tombstone(
    s: Session, change: PulledChange, current: Base | None, result: PageResult, *, local_device: str, now: datetime
) -> bool:
    if isinstance(current, AttachmentRow):
        if current.removed_at is None:
            current.removed_at = now
            current.removed_by = change.actor
            result.applied += 1
            return True
    elif isinstance(current, SessionPlan):
        if current.cancelled_at is None:
            current.cancelled_at = now
            result.applied += 1
            return True
    else:
        _record_whole_row(s, change, result, local_device=local_device, now=now)
        return False
    result.skipped += 1
    return False


# --- conflicts -----------------------------------------------------------------------------------------------


def _record_whole_row(
    s: Session, change: PulledChange, result: PageResult, *, local_device: str, now: datetime
) -> None:
    _record(
        s,
        result,
        conflict_id=local_conflict_id(change.change_id, WHOLE_ROW),
        change=change,
        field_name=WHOLE_ROW,
        base={"op": change.op, "base_version": change.base_version, "version": change.version},
        server=dict(change.payload),
        client=None,
        local_device=local_device,
        now=now,
    )


def _record(
    s: Session,
    result: PageResult,
    *,
    conflict_id: str,
    change: PulledChange,
    field_name: str,
    base: Any,
    server: Any,
    client: Any,
    local_device: str,
    now: datetime,
) -> None:
    if s.get(SyncConflict, conflict_id) is not None:
        return  # the same page again
    s.add(
        SyncConflict(
            conflict_id=conflict_id,
            origin="local",
            entity=change.entity,
            entity_id=change.entity_id,
            field=field_name,
            base_value=base,
            server_value=server,
            client_value=client,
            server_device=change.device_id,
            client_device=local_device,
            server_actor=change.actor,
            client_actor="",
            created_at=now,
        )
    )
    s.flush()
    result.conflicts += 1


def store_server_conflicts(s: Session, conflicts: Iterable[Conflict], *, now: datetime) -> int:
    """Keep the conflicts a pull page reports (idempotent by ``conflict_id``); returns how many are new."""
    added = 0
    naive_now = now.astimezone(UTC).replace(tzinfo=None) if now.tzinfo else now
    for c in conflicts:
        row = s.get(SyncConflict, c.conflict_id)
        if row is not None:
            if c.resolved and row.resolved_at is None:
                row.resolved_at = naive_now
                row.resolved_by = "server"
            continue
        created = c.created_at.astimezone(UTC).replace(tzinfo=None) if c.created_at.tzinfo else c.created_at
        s.add(
            SyncConflict(
                conflict_id=c.conflict_id,
                origin="server",
                entity=c.entity,
                entity_id=c.entity_id,
                field=c.field,
                base_value=c.base_value,
                server_value=c.server_value,
                client_value=c.client_value,
                server_device=c.server_device or "",
                client_device=c.client_device,
                server_actor=c.server_actor or "",
                client_actor=c.client_actor,
                created_at=created,
                resolved_at=naive_now if c.resolved else None,
                resolved_by="server" if c.resolved else "",
            )
        )
        added += 1
    s.flush()
    return added
