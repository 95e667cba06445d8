"""Sync conflicts on the desk: listing the open ones (masked) and settling one (supervisors and administrators).

A conflict (``sync_conflicts``) keeps both values of a field that two devices changed from the same base. A
person settles it by keeping this desk's value, taking the server's, or entering another one, with a reason:

- the chosen value is written to the record here and queued in the outbox as a ``patch``, in one audited
  ``Session.write`` (action ``sync.resolve``; the event names ids, the field and the choice, never a value);
  the next sync carries it to the server. The patch's ``old`` is the server's value as the conflict recorded
  it, so that the server's three-way merge takes the new value (current == old); taking the server's value is
  the local change from this desk's value (the server already holds it and answers ``merged``);
- the conflict is marked resolved (who, when, the choice and the reason: kept in the encrypted store only),
  with every other open conflict about the same field of the same record (one decision settles them all);
- a conflict no value can settle here (a whole record that could not be applied, a deletion, a sealed record,
  a record this desk does not hold, a derived field) can only be closed by keeping what this desk has;
- every conflict it closes that the server recorded is closed there too: a ``conflict``/``tombstone`` change per
  conflict is queued after the patch, in the same transaction (also when nothing else is queued), so the next
  push closes the server's row and every other desk of the unit closes its copy when it pulls
  (docs/sync-protocol.md, "Conflicts"; ``fzmediate.server.merge.close_conflict``).

Values may hold personal data: the list masks them as every screen does (``fzmediate.security.masking``).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final

from sqlalchemy import select
from sqlalchemy.orm import Session as OrmSession

from fzmediate.errors import NotFoundError, ValidationError
from fzmediate.i18n import N_, _
from fzmediate.security.masking import mask_address, mask_id_number, mask_name, mask_phone, redact_text
from fzmediate.security.permissions import require
from fzmediate.services.search import index_case
from fzmediate.store.models import Base, Case, PartyRow, SyncConflict
from fzmediate.store.outbox import Change, Op, append_changes, json_value
from fzmediate.sync.apply import MODELS, WHOLE_ROW, _column_value
from fzmediate.sync.conflict_views import CHOICES, MAX_REASON, ConflictSide, ConflictView, Resolution
from fzmediate.sync.protocol import CONFLICT_ENTITY, DERIVED_FIELDS, SEALED_ENTITIES

if TYPE_CHECKING:
    from fzmediate.services.session import Session

log = logging.getLogger(__name__)

#: The most open conflicts one listing returns (oldest first).
LIST_LIMIT: Final = 500
#: Columns a resolution never writes: identity and bookkeeping.
_FIXED: Final = frozenset({"id", "case_id", "version", "position", "device_id", "created_at", "created_by"})
#: The field a server conflict uses for "deleted on one side, edited on the other".
DELETED_FIELD: Final = "_deleted"

_KIND_LABELS: Final[Mapping[str, str]] = {
    "case": N_("Case"),
    "party": N_("Party"),
    "case_event": N_("Case event"),
    "document": N_("Document"),
    "session_plan": N_("Session"),
    "attachment": N_("Attachment"),
}
_FIELD_LABELS: Final[Mapping[str, str]] = {
    "name": N_("Name"),
    "id_type": N_("ID type"),
    "id_number": N_("ID number"),
    "phone": N_("Phone"),
    "address": N_("Address"),
    "power_of_attorney": N_("Power of attorney"),
    "legal_representative": N_("Legal representative"),
    "representative_title": N_("Title of the representative"),
    "authority": N_("Authority"),
    "authority_scope": N_("Scope of authority"),
    "summary": N_("Summary"),
    "facts": N_("Facts"),
    "claims": N_("Claims"),
    "state": N_("State"),
    "assigned_mediator": N_("Mediator"),
    "starts_at": N_("Starts at"),
    "minutes": N_("Duration (minutes)"),
    "place": N_("Place"),
    "staff": N_("Staff"),
    "note": N_("Note"),
    "material": N_("Material"),
    WHOLE_ROW: N_("Whole record"),
    DELETED_FIELD: N_("Deletion"),
}
#: Fields masked like a name, an ID number, a phone, an address; other text fields are redacted (ID numbers
#: and phones inside free text starred).
_NAMES: Final = frozenset({"name", "legal_representative"})
_MASKERS: Final = {"id_number": mask_id_number, "phone": mask_phone, "address": mask_address}
#: Fields that hold personal data or free text that may (shown masked).
_PERSONAL: Final[Mapping[str, frozenset[str]]] = {
    "party": frozenset(
        {"name", "id_number", "phone", "address", "power_of_attorney", "legal_representative", "authority_scope"}
    ),
    "case": frozenset({"summary", "facts", "claims"}),
    "session_plan": frozenset({"place", "note", "cancelled_reason"}),
    "attachment": frozenset({"name", "removed_reason"}),
}


# --- reading ---------------------------------------------------------------------------------------------


def kind_label(entity: str) -> str:
    label = _KIND_LABELS.get(entity)
    return _(label) if label is not None else entity


def field_label(field: str) -> str:
    label = _FIELD_LABELS.get(field)
    return _(label) if label is not None else field


def personal(entity: str, field: str) -> bool:
    return field in _PERSONAL.get(entity, frozenset()) or field in (WHOLE_ROW, DELETED_FIELD)


def shown(entity: str, field: str, value: Any) -> str:
    """``value`` as the list shows it: masked when personal; a whole record by its size only."""
    if value is None or value == "":
        return _("(empty)")
    if field == WHOLE_ROW:
        count = len(value) if isinstance(value, Mapping) else 1
        return _("a whole record ({n} fields)").format(n=count)
    if field == DELETED_FIELD:
        if isinstance(value, bool):
            return _("deleted") if value else _("not deleted")
        if isinstance(value, Mapping):
            return _("edited: {fields}").format(fields=_(", ").join(field_label(str(k)) for k in value))
        return _("changed")
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list | tuple):
        return _(", ").join(shown(entity, field, v) for v in value)
    if isinstance(value, Mapping):
        return _("{n} values").format(n=len(value))
    text = str(value)
    if not personal(entity, field):
        return text
    if field in _NAMES:
        return mask_name(text)
    masker = _MASKERS.get(field)
    return masker(text) if masker is not None else redact_text(text)


def _settles(s: OrmSession, c: SyncConflict) -> tuple[Base | None, str]:
    """The record a value can be written to, or None and why only keeping this desk's state settles it."""
    model = MODELS.get(c.entity)
    if model is None or c.entity in SEALED_ENTITIES:
        return None, _("Records of this kind never change once made: only keeping this desk's record settles it.")
    if c.field in (WHOLE_ROW, DELETED_FIELD):
        return None, _("The whole record is in question, not one value: only keeping this desk's record settles it.")
    if c.field in _FIXED or c.field in DERIVED_FIELDS.get(c.entity, ()) or c.field not in model.__table__.columns:
        return None, _("This field is not one a person sets: only keeping this desk's record settles it.")
    row = s.get(model, c.entity_id)
    if row is None:
        return None, _("The record is not on this desk: only keeping this desk's state settles it.")
    return row, ""


def _case_of(s: OrmSession, c: SyncConflict, row: Base | None) -> str:
    if c.entity == "case":
        return c.entity_id
    case_id = getattr(row, "case_id", None)
    if case_id is None and isinstance(c.server_value, Mapping):
        case_id = c.server_value.get("case_id")
    if case_id is None:
        found = s.get(MODELS[c.entity], c.entity_id) if c.entity in MODELS else None
        case_id = getattr(found, "case_id", None)
    return case_id if isinstance(case_id, str) else ""


def _aware(at: datetime) -> datetime:
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at


def _view(s: OrmSession, c: SyncConflict, device_id: str, numbers: dict[str, str]) -> ConflictView:
    row, reason = _settles(s, c)
    case_id = _case_of(s, c, row)
    if case_id and case_id not in numbers:
        numbers[case_id] = s.scalar(select(Case.number).where(Case.id == case_id)) or ""
    mine_value = json_value(getattr(row, c.field)) if row is not None else c.client_value
    return ConflictView(
        conflict_id=c.conflict_id,
        entity=c.entity,
        entity_id=c.entity_id,
        kind_label=kind_label(c.entity),
        case_number=numbers.get(case_id, ""),
        case_id=case_id,
        field=c.field,
        field_label=field_label(c.field),
        base=shown(c.entity, c.field, c.base_value) if c.field != WHOLE_ROW else "",
        mine=ConflictSide(
            shown(c.entity, c.field, mine_value),
            c.client_actor,
            c.client_device,
            this_desk=c.client_device in ("", device_id),
        ),
        theirs=ConflictSide(
            shown(c.entity, c.field, c.server_value), c.server_actor, c.server_device, c.server_device == device_id
        ),
        recorded_at=_aware(c.created_at),
        origin=c.origin,
        applicable=row is not None,
        reason=reason,
        personal=personal(c.entity, c.field),
    )


def open_conflicts(session: Session) -> tuple[ConflictView, ...]:
    """The open conflicts, oldest first, masked (whoever may sync may see them; not audited: nothing shown in
    full)."""
    require(session, "sync.run")
    numbers: dict[str, str] = {}
    with session.read() as s:
        rows = s.scalars(
            select(SyncConflict)
            .where(SyncConflict.resolved_at.is_(None))
            .order_by(SyncConflict.created_at, SyncConflict.conflict_id)
            .limit(LIST_LIMIT)
        )
        return tuple(_view(s, c, session.device_id, numbers) for c in rows)


# --- settling --------------------------------------------------------------------------------------------


def _reason(reason: str) -> str:
    why = reason.strip()
    if not why:
        raise ValidationError(_("reason: settling a conflict needs a reason."), field="reason")
    if len(why) > MAX_REASON:
        raise ValidationError(_("reason: at most {max} characters.").format(max=MAX_REASON), field="reason")
    return why


def _naive(at: datetime) -> datetime:
    return at.astimezone(UTC).replace(tzinfo=None) if at.tzinfo is not None else at


def _reindex(s: OrmSession, case_id: str) -> None:
    parties = s.execute(
        select(PartyRow.name, PartyRow.id_number, PartyRow.phone).where(PartyRow.case_id == case_id)
    ).all()
    index_case(s, case_id, ((p.name, p.id_number, p.phone) for p in parties))


def resolve(session: Session, conflict_id: str, choice: str, reason: str, value: Any = None) -> Resolution:
    """Settle the open conflict ``conflict_id`` (see the module docs); supervisors and administrators."""
    require(session, "sync.resolve")
    if choice not in CHOICES:
        raise ValidationError(_("choice: keep this desk's value, take the server's, or enter one."), field="choice")
    why = _reason(reason)
    with session.read() as s:
        found = s.get(SyncConflict, conflict_id)
        if found is None:
            raise NotFoundError(_("No such conflict; it may have been settled meanwhile."))
        entity, entity_id, field = found.entity, found.entity_id, found.field
    details = {"conflict": conflict_id, "field": field, "choice": choice}
    with session.write("sync.resolve", entity, entity_id, details) as s:
        conflict = s.get(SyncConflict, conflict_id)
        assert conflict is not None
        if conflict.resolved_at is not None:
            raise ValidationError(_("This conflict was settled meanwhile; nothing was changed."), field="conflict")
        row, why_not = _settles(s, conflict)
        if row is None and choice != "mine":
            raise ValidationError(why_not, field="choice")
        queued = False
        case_id = _case_of(s, conflict, row)
        if row is not None:
            queued = _apply(session, s, conflict, row, choice, value)
            if queued and entity in ("case", "party") and case_id:
                _reindex(s, case_id)
        now = _naive(session.now())
        siblings = s.scalars(
            select(SyncConflict).where(
                SyncConflict.entity == entity,
                SyncConflict.entity_id == entity_id,
                SyncConflict.field == field,
                SyncConflict.resolved_at.is_(None),
            )
        )
        closed = sorted({conflict_id, *(c.conflict_id for c in siblings)})
        at_server: list[SyncConflict] = []
        for other in s.scalars(select(SyncConflict).where(SyncConflict.conflict_id.in_(closed))):
            other.resolved_at = now
            other.resolved_by = session.actor.login
            other.resolution = {"choice": choice, "reason": why, "decided_in": conflict_id}
            if other.origin == "server" and other.field != WHOLE_ROW:
                at_server.append(other)  # a "*" row of origin server is a change the server refused: not its row
        _close_at_server(session, s, at_server)
    log.info("sync conflict settled (%s, %d closed, queued %s)", choice, len(closed), queued)
    return Resolution(conflict_id, choice, tuple(closed), queued, case_id)


def _close_at_server(session: Session, s: OrmSession, conflicts: list[SyncConflict]) -> None:
    """Queue the closing of the server's conflict rows (one ``conflict``/``tombstone`` change each, naming what
    the conflict is about so that the server refuses a mix-up), in the caller's transaction."""
    if not conflicts:
        return
    append_changes(
        s,
        [
            Change(
                CONFLICT_ENTITY,
                c.conflict_id,
                Op.TOMBSTONE,
                0,
                {"entity": c.entity, "entity_id": c.entity_id, "field": c.field},
            )
            for c in sorted(conflicts, key=lambda c: c.conflict_id)
        ],
        device_id=session.device_id,
        actor=session.actor.login,
        at=session.now(),
    )


def _apply(session: Session, s: OrmSession, conflict: SyncConflict, row: Base, choice: str, value: Any) -> bool:
    """Write the chosen value to ``row`` and queue the patch; False when nothing needs to change anywhere."""
    column = row.__table__.columns[conflict.field]
    before = json_value(getattr(row, conflict.field))
    if choice == "mine":
        chosen = before
    elif choice == "theirs":
        chosen = conflict.server_value
    else:
        try:
            stored = _column_value(column, value)
        except (TypeError, ValueError):
            raise ValidationError(
                _("value: not a value this field can hold ({field}).").format(field=conflict.field), field="value"
            ) from None
        chosen = json_value(stored)
    # Taking the server's value is the change here (the server holds it already and answers "merged"); any other
    # choice is sent as a change from what the server holds, so its three-way merge takes the new value.
    old = before if choice == "theirs" else conflict.server_value
    if old == chosen and before == chosen:
        return False
    base_version = int(getattr(row, "version", 0) or 0)
    setattr(row, conflict.field, _column_value(column, chosen))
    if hasattr(row, "version"):
        row.version = base_version + 1
    s.flush()
    payload = {conflict.field: {"old": old, "new": json_value(getattr(row, conflict.field))}}
    append_changes(
        s,
        [Change(conflict.entity, conflict.entity_id, Op.PATCH, base_version + 1, payload, base_version)],
        device_id=session.device_id,
        actor=session.actor.login,
        at=session.now(),
    )
    return True
