"""Keeping the case file right through the case service: corrections (更正) and voiding a duplicate (作废).

:class:`CaseKeeping` is a part of :class:`fzmediate.services.cases.CaseService` (which inherits it); the rules
and the record format are in :mod:`fzmediate.services.case_records`. Each change is one ``Session.write``
transaction with its case event, the outbox rows and the audit event (field names only, never values).
"""

from __future__ import annotations

import builtins
import logging
from collections.abc import Mapping
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session as OrmSession

from fzmediate.domain.case import CORRECT_ACTION, VOID_ACTION, VOIDED_STATE, CaseEvent, CaseRecord
from fzmediate.domain.intake import validate_registered
from fzmediate.errors import FzError, NotFoundError, ValidationError
from fzmediate.errors import StaleCaseError as StaleCaseError
from fzmediate.i18n import _
from fzmediate.security.permissions import require
from fzmediate.services.case_records import (
    CASE_FIELDS,
    PARTY_FIELDS,
    CorrectionResult,
    apply_changes,
    diff,
    registered_data,
)
from fzmediate.services.case_views import CaseDetail
from fzmediate.services.search import index_case
from fzmediate.store.models import Case, CaseEventRow, DocumentRow, PartyRow
from fzmediate.store.outbox import Change, Op, diff_fields, row_fields

if TYPE_CHECKING:
    from fzmediate.services.session import Session

log = logging.getLogger(__name__)

#: The longest reason for a correction or a void.
MAX_REASON = 2_000
# Fields of a case row a change may patch (the rest never change after creation).
_MUTABLE = ("state", "assigned_mediator", "next_due", "next_due_name", "next_due_provisional", "updated_at", "version")


class CaseKeeping:
    """Corrections and voids; the case service supplies the session and the shared helpers."""

    _s: Session

    if TYPE_CHECKING:

        def today(self) -> date: ...
        def _now_naive(self) -> datetime: ...
        def _resolve(self, ref: str) -> str: ...
        def _load(self, s: OrmSession, case_id: str) -> tuple[Case, CaseRecord]: ...
        def _detail(self, s: OrmSession, case_id: str) -> CaseDetail: ...
        def _event_row(self, case_id: str, e: CaseEvent) -> CaseEventRow: ...
        def _outbox(self, s: OrmSession, *changes: Change) -> None: ...
        def _store_event(
            self, s: OrmSession, case: Case, event: CaseEvent, before: Mapping[str, Any], base_version: int
        ) -> None: ...
        def get(self, ref: str) -> CaseDetail: ...

    def correct(
        self,
        ref: str,
        changes: Mapping[str, Any],
        reason: str,
        *,
        expected_version: int | None = None,
        reissue: bool = True,
    ) -> CorrectionResult:
        """Correct registered data with a reason; the old values stay in the history (a ``correct`` event).

        ``changes`` as :func:`fzmediate.services.case_records.apply_changes` reads them. The corrected data must
        pass the intake rules (each problem named by its field). The search index is rebuilt from the new
        values. With ``reissue``, every document issued before is issued again as a new version (reason: the
        correction); one that cannot be issued now is listed in ``reissue_failed``, the correction stands.
        """
        require(self._s, "case.correct")
        case_id = self._resolve(ref)
        why = reason.strip()
        if not why:
            raise ValidationError(_("reason: a correction needs a reason."), field="reason")
        if len(why) > MAX_REASON:
            raise ValidationError(_("reason: at most {max} characters.").format(max=MAX_REASON), field="reason")
        if not isinstance(changes, Mapping) or not changes:
            raise ValidationError(_("changes: nothing to correct."), field="changes")
        with self._s.read() as s:
            case, record = self._load(s, case_id)
            rows = list(s.scalars(select(PartyRow).where(PartyRow.case_id == case_id)))
            if case.state == VOIDED_STATE:
                raise ValidationError(_("The case is void; its data can no longer be corrected."), field="state")
            data, problems = apply_changes(registered_data(case, rows), rows, changes)
        if problems:
            raise ValidationError(
                _("changes: {fields}: not a field that can be corrected (or no such party)").format(
                    fields=_(", ").join(dict.fromkeys(problems))
                ),
                field="changes",
            )
        checked = validate_registered(data, today=self.today())
        with self._s.read() as s:
            stored = s.get(Case, case_id)
            assert stored is not None
            found = diff(stored, list(s.scalars(select(PartyRow).where(PartyRow.case_id == case_id))), checked)
        if not found:
            raise ValidationError(_("changes: the values given are those already registered."), field="changes")
        fields = [c.field for c in found]
        with self._s.write("case.correct", "case", case_id, {"fields": fields}) as s:
            case, record = self._load(s, case_id)
            if expected_version is not None and case.version != expected_version:
                raise StaleCaseError(_("The case was changed meanwhile; reload it and try again."))
            rows = sorted(s.scalars(select(PartyRow).where(PartyRow.case_id == case_id)), key=lambda r: r.position)
            changes_out: list[Change] = []
            for row, party in zip(rows, checked.parties, strict=True):
                mine = [c for c in found if c.party == row.id]
                if not mine:
                    continue
                before = {k: getattr(row, k) for k in PARTY_FIELDS}
                base = row.version
                for key in PARTY_FIELDS:
                    setattr(row, key, getattr(party, key))
                row.version = base + 1
                after = {k: getattr(row, k) for k in PARTY_FIELDS}
                changes_out.append(Change("party", row.id, Op.PATCH, row.version, diff_fields(before, after), base))
            tracked = (*_MUTABLE, *CASE_FIELDS)
            before_case = {f: getattr(case, f) for f in tracked}
            base_version = case.version
            for key in CASE_FIELDS:
                setattr(case, key, getattr(checked, key))
            event = self._record_event(record, CORRECT_ACTION, {"reason": why, "changes": [c.payload() for c in found]})
            case.updated_at = event.at
            case.version = base_version + 1
            row_event = self._event_row(case_id, event)
            s.add(row_event)
            s.flush()
            index_case(s, case_id, ((r.name, r.id_number, r.phone) for r in rows))
            after_case = {f: getattr(case, f) for f in tracked}
            self._outbox(
                s,
                *changes_out,
                Change("case_event", row_event.id, Op.APPEND, 1, row_fields(row_event)),
                Change("case", case_id, Op.PATCH, case.version, diff_fields(before_case, after_case), base_version),
            )
        log.info("case data corrected (%d fields)", len(found))
        reissued: list[tuple[str, int]] = []
        failed: list[tuple[str, str]] = []
        if reissue:
            for kind in self._issued_kinds(case_id):
                try:
                    info = self._s.documents.issue(kind, case_id, reason="更正：" + why)
                except FzError as exc:
                    failed.append((kind, exc.message))
                else:
                    reissued.append((kind, info.version))
        return CorrectionResult(self.get(case_id), tuple(found), tuple(reissued), tuple(failed))

    def _issued_kinds(self, case_id: str) -> builtins.list[str]:
        """The kinds of the documents issued for the case (each once, in the order first issued)."""
        with self._s.read() as s:
            kinds = s.scalars(
                select(DocumentRow.kind).where(DocumentRow.case_id == case_id).order_by(DocumentRow.issued_at)
            )
            return list(dict.fromkeys(kinds))

    def void(self, ref: str, reason: str, *, duplicate_of: str, expected_version: int | None = None) -> CaseDetail:
        """Void a duplicate registration (supervisors and administrators): state ``voided``, with the reason
        and the case it duplicates; nothing is deleted, the number is never reused."""
        require(self._s, "case.void")
        case_id = self._resolve(ref)
        why = reason.strip()
        if not why:
            raise ValidationError(_("reason: voiding a registration needs a reason."), field="reason")
        if len(why) > MAX_REASON:
            raise ValidationError(_("reason: at most {max} characters.").format(max=MAX_REASON), field="reason")
        try:
            original_id = self._resolve(duplicate_of)
        except NotFoundError:
            raise ValidationError(_("duplicate_of: no case with this id or number."), field="duplicate_of") from None
        if original_id == case_id:
            raise ValidationError(_("duplicate_of: a case cannot duplicate itself."), field="duplicate_of")
        with self._s.write("case.void", "case", case_id) as s:
            case, record = self._load(s, case_id)
            original = s.get(Case, original_id)
            assert original is not None
            if expected_version is not None and case.version != expected_version:
                raise StaleCaseError(_("The case was changed meanwhile; reload it and try again."))
            if case.state == VOIDED_STATE:
                raise ValidationError(_("The case is already void."), field="state")
            if case.state in ("closed", "archived"):
                raise ValidationError(
                    _("state: a closed or archived case is not voided; its file stays as it was closed."),
                    field="state",
                )
            if original.state == VOIDED_STATE:
                raise ValidationError(_("duplicate_of: that case is itself void."), field="duplicate_of")
            payload = {"reason": why, "duplicate_of": original.number, "from_state": case.state}
            event = self._record_event(record, VOID_ACTION, payload)
            before = {f: getattr(case, f) for f in _MUTABLE}
            base_version = case.version
            case.state = VOIDED_STATE
            case.next_due, case.next_due_name, case.next_due_provisional = None, "", False
            case.next_due_as_of = self.today()
            case.updated_at = event.at
            case.version = base_version + 1
            self._store_event(s, case, event, before, base_version)
            detail = self._detail(s, case_id)
        log.info("case voided as a duplicate")
        return detail

    def _record_event(self, record: CaseRecord, action: str, payload: Mapping[str, Any]) -> CaseEvent:
        """A record-keeping event (correction, void), dated today: it happens when it is entered."""
        return CaseEvent(
            seq=(record.events[-1].seq if record.events else 0) + 1,
            action=action,
            on=self.today(),
            at=self._now_naive(),
            actor=self._s.actor.login,
            device=self._s.device_id,
            payload=dict(payload),
        )
