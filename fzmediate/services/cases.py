"""Cases: create from an intake, read the case file, list and search, act through the procedure engine.

Every change is one ``Session.write`` transaction holding the change, its case event, the outbox rows that
carry it to the district server, and the audit event (action and case id only, never personal data). A refused
change writes nothing.
"""

from __future__ import annotations

import builtins
import logging
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session as OrmSession

from fzmediate.domain.case import VOIDED_STATE, CaseEvent, CaseRecord, Party
from fzmediate.domain.intake import (
    Intake,
    IntakeError,
    Problem,
    parse_intake_json,
    validate_intake,
)
from fzmediate.errors import DuplicateWarning as DuplicateWarning
from fzmediate.errors import FzError, NotFoundError, ValidationError
from fzmediate.i18n import _
from fzmediate.procedure.engine import ActionInfo, ActionRefused, ActionRequest, DeadlineInfo, ProcedureEngine
from fzmediate.procedure.engine import Actor as EngineActor
from fzmediate.procedure.guard_registry import recused
from fzmediate.security.permissions import may, require
from fzmediate.security.roles import Role
from fzmediate.services.case_engine import CaseEngines
from fzmediate.services.case_keeping import CaseKeeping
from fzmediate.services.case_keeping import StaleCaseError as StaleCaseError  # re-exported: callers catch it here
from fzmediate.services.case_listing import CaseFilters, CaseListing, CaseQuery, Page, SortKey
from fzmediate.services.case_records import find_duplicates
from fzmediate.services.case_views import (
    CaseDetail,
    CaseLabels,
    CaseSummary,
    detail_of,
    mask_detail,
    record_of,
    summary_of,
)
from fzmediate.services.deadline_refresh import DeadlineRefresher, RefreshProgress
from fzmediate.services.document_status import issued_kinds_of
from fzmediate.services.numbering import mint_number
from fzmediate.services.search import find_case_ids, index_case
from fzmediate.store.models import Case, CaseEventRow, PartyRow, User, new_time_id
from fzmediate.store.outbox import Change, Op, append_changes, diff_fields, row_fields

if TYPE_CHECKING:
    from fzmediate.services.session import Session

log = logging.getLogger(__name__)

#: Legal dates are dates in China (UTC+8 all year, no daylight saving).
CHINA = timezone(timedelta(hours=8), "Asia/Shanghai")
REGISTERED = "registered"
REGISTER = "register"
DEFAULT_LIMIT = 50
MAX_LIMIT = 500
#: The most a list call spends on recomputing stale next deadlines (the background pass does the rest).
LIST_REFRESH_MS = 5.0
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
# Derived on this desk only: never sent in the outbox.
_LOCAL = ("next_due_as_of",)
# Fields of a case row a change may patch (the rest never change after creation).
_MUTABLE = ("state", "assigned_mediator", "next_due", "next_due_name", "next_due_provisional", "updated_at", "version")


class CaseService(CaseKeeping):
    def __init__(self, session: Session) -> None:
        self._s = session
        self.engines = CaseEngines(session.catalogue)
        self._labels: dict[tuple[str, int, str, str], CaseLabels] = {}
        self.deadline_refresher = DeadlineRefresher(self)
        self.listing = CaseListing(self)

    # --- clocks ----------------------------------------------------------------------------------
    def today(self) -> date:
        """Today in China: the date legal acts and deadlines are counted in."""
        return self._s.now().astimezone(CHINA).date()

    def _now_naive(self) -> datetime:
        return self._s.now().astimezone(UTC).replace(tzinfo=None)

    # --- creating --------------------------------------------------------------------------------
    def parse(self, intake: Intake | Mapping[str, Any] | str | bytes) -> Intake:
        """Validate an intake against the active catalogue without storing anything."""
        if isinstance(intake, Intake):
            return intake
        catalogue = self._s.catalogue.active()
        if isinstance(intake, str | bytes):
            return parse_intake_json(intake, catalogue=catalogue, today=self.today())
        return validate_intake(intake, catalogue=catalogue, today=self.today())

    def create(
        self,
        intake: Intake | Mapping[str, Any] | str | bytes,
        *,
        channel: str = "desk",
        also: Callable[[OrmSession, str], None] | None = None,
        confirm_duplicate: bool = False,
    ) -> CaseSummary:
        """Register a new case (state ``registered``, one ``register`` event dated ``received_on``).

        ``intake`` is the JSON text, its decoded data or a parsed :class:`Intake`. Raises IntakeError (every
        problem, by field path) and writes nothing when anything is invalid. ``channel`` is "kiosk" for an
        application filed at a kiosk and registered from the intake inbox; ``also(orm_session, case_id)`` runs in
        the same transaction (the inbox links its application there, so a crash cannot register it twice).

        An application whose matter and parties match an open case raises :class:`DuplicateWarning` naming the
        case, and is registered only with ``confirm_duplicate`` (the register event then names the cases).
        """
        if channel not in ("desk", "kiosk"):
            raise ValueError("channel")
        role = require(self._s, "case.create")
        bundle_id, bundle_version = self._s.catalogue.active_ref()
        parsed = self.parse(intake)
        matter = self._s.catalogue.bundle(bundle_id, bundle_version).matter(parsed.matter_code)
        if matter is None:  # an Intake parsed against another catalogue version
            raise IntakeError([Problem("matter", _("matter: not a matter code of the active catalogue"))])
        with self._s.read() as s:
            similar = find_duplicates(s, parsed)
        if similar and not confirm_duplicate:
            raise DuplicateWarning(similar)
        now = self._now_naive()
        case_id = self._new_id()
        party_ids = [self._new_id() for _p in parsed.parties]
        parties = tuple(
            Party(
                id=party_ids[i],
                role=p.role,
                kind=p.kind,
                name=p.name,
                id_type=p.id_type,
                id_number=p.id_number,
                phone=p.phone,
                address=p.address,
                represents=party_ids[p.represents] if p.represents is not None else None,
                power_of_attorney=p.power_of_attorney,
                legal_representative=p.legal_representative,
                representative_title=p.representative_title,
                authority=p.authority,
                authority_scope=p.authority_scope,
            )
            for i, p in enumerate(parsed.parties)
        )
        register_payload: dict[str, Any] = {"channel": channel}
        if similar:
            register_payload["duplicate_confirmed"] = list(similar)
        register = CaseEvent(
            seq=1,
            action=REGISTER,
            on=parsed.received_on,
            at=now,
            actor=self._s.actor.login,
            device=self._s.device_id,
            payload=register_payload,
        )
        # A mediator registering a dispute at the desk handles it; otherwise a supervisor assigns it.
        assigned = self._s.actor.login if role is Role.MEDIATOR else ""
        details: dict[str, Any] = {"matter": parsed.matter_code, "kind": parsed.kind.value}
        if similar:
            details["duplicate_confirmed"] = list(similar)
        with self._s.write("case.create", "case", case_id, details) as s:
            number = mint_number(s, device_id=self._s.device_id, kind=parsed.kind, year=parsed.received_on.year)
            record = CaseRecord(
                id=case_id,
                number=number,
                kind=parsed.kind,
                matter_code=parsed.matter_code,
                bundle_id=bundle_id,
                bundle_version=bundle_version,
                procedure_id=parsed.procedure_id,
                state=REGISTERED,
                received_on=parsed.received_on,
                summary=parsed.summary,
                facts=parsed.facts,
                claims=parsed.claims,
                parties=parties,
                events=(register,),
                assigned_mediator=assigned,
            )
            due, due_name, provisional = self._next_due(record, s)
            case = Case(
                id=case_id,
                number=number,
                kind=parsed.kind.value,
                matter_code=parsed.matter_code,
                bundle_id=bundle_id,
                bundle_version=bundle_version,
                procedure_id=parsed.procedure_id,
                state=REGISTERED,
                received_on=parsed.received_on,
                summary=parsed.summary,
                facts=parsed.facts,
                claims=parsed.claims,
                assigned_mediator=assigned,
                next_due=due,
                next_due_name=due_name,
                next_due_provisional=provisional,
                next_due_as_of=self.today(),
                created_at=now,
                created_by=self._s.actor.login,
                device_id=self._s.device_id,
                updated_at=now,
                version=1,
            )
            s.add(case)
            s.flush()  # parties and events refer to the case row
            rows = [
                PartyRow(
                    id=p.id,
                    case_id=case_id,
                    position=i,
                    role=p.role.value,
                    kind=p.kind.value,
                    name=p.name,
                    id_type=p.id_type,
                    id_number=p.id_number,
                    phone=p.phone,
                    address=p.address,
                    represents=p.represents,
                    power_of_attorney=p.power_of_attorney,
                    legal_representative=p.legal_representative,
                    representative_title=p.representative_title,
                    authority=p.authority,
                    authority_scope=p.authority_scope,
                    version=1,
                )
                for i, p in enumerate(parties)
            ]
            s.add_all(rows)
            event = self._event_row(case_id, register)
            s.add(event)
            s.flush()
            index_case(s, case_id, ((p.name, p.id_number, p.phone) for p in parties))
            self._outbox(
                s,
                Change("case", case_id, Op.CREATE, 1, row_fields(case, exclude=_LOCAL)),
                *(Change("party", row.id, Op.CREATE, 1, row_fields(row)) for row in rows),
                Change("case_event", event.id, Op.APPEND, 1, row_fields(event)),
            )
            summary = summary_of(case, ((p.role.value, p.name) for p in parties), matter.name, self.labels(record, s))
            if also is not None:
                also(s, case_id)
        log.info("case created (matter %s)", parsed.matter_code)
        return summary

    def _new_id(self) -> str:
        """A UUIDv7 on the session clock: rows of one case are appended to the indexes, not scattered."""
        return new_time_id(int(self._s.now().timestamp() * 1000))

    def _store_event(
        self, s: OrmSession, case: Case, event: CaseEvent, before: Mapping[str, Any], base_version: int
    ) -> None:
        """Append ``event`` to ``case`` (already updated in place from ``before``) with its two outbox changes."""
        row = self._event_row(case.id, event)
        s.add(row)
        s.flush()
        after = {f: getattr(case, f) for f in _MUTABLE}
        self._outbox(
            s,
            Change("case_event", row.id, Op.APPEND, 1, row_fields(row)),
            Change("case", case.id, Op.PATCH, case.version, diff_fields(before, after), base_version),
        )

    def _event_row(self, case_id: str, e: CaseEvent) -> CaseEventRow:
        return CaseEventRow(
            id=self._new_id(),
            case_id=case_id,
            seq=e.seq,
            action=e.action,
            on_date=e.on,
            at=e.at,
            actor=e.actor,
            device=e.device,
            payload=dict(e.payload),
        )

    def _outbox(self, s: OrmSession, *changes: Change) -> None:
        append_changes(s, changes, device_id=self._s.device_id, actor=self._s.actor.login, at=self._s.now())

    # --- reading ---------------------------------------------------------------------------------
    def view(self, ref: str) -> CaseDetail:
        """The case file for browsing (by id or number): personal data masked, nothing written, not audited.

        Minimal exposure (深圳市坪山区法治政府建设实施方案 （十九）; ``case_views.mask_detail``): the full values
        only on an explicit action, :meth:`reveal`. The stored next deadline is shown as the day's first list
        left it (recomputing it would be a write).
        """
        require(self._s, "case.view")
        case_id = self._resolve(ref)
        with self._s.read() as s:
            return mask_detail(self._detail(s, case_id))

    def reveal(self, ref: str) -> CaseDetail:
        """The case file with full personal values, on an explicit "show personal data" action.

        Audited (``case.show``): the event names who looked and at which case, never the person looked up.
        """
        return self.get(ref)

    def get(self, ref: str) -> CaseDetail:
        """The case file, with full personal values (by id or by number). Reading it is audited.

        The older name of :meth:`reveal`, for the services that fill documents from the case; the desk browses
        with :meth:`view`.
        """
        require(self._s, "case.show")
        case_id = self._resolve(ref)
        with self._s.write("case.show", "case", case_id) as s:
            case = s.get(Case, case_id)
            if case is not None and self._stale(case, self.today()):
                self._refresh_one(s, case, self.today())
            return self._detail(s, case_id)

    def _resolve(self, ref: str) -> str:
        text = ref.strip()
        with self._s.read() as s:
            if _UUID.fullmatch(text):
                found = s.scalar(select(Case.id).where(Case.id == text))
            else:
                found = s.scalar(select(Case.id).where(Case.number == text))
        if found is None:
            raise NotFoundError(_("No case with this id or number."))
        return found

    def _load(self, s: OrmSession, case_id: str) -> tuple[Case, CaseRecord]:
        case = s.get(Case, case_id)
        if case is None:
            raise NotFoundError(_("No case with this id or number."))
        parties = s.scalars(select(PartyRow).where(PartyRow.case_id == case_id)).all()
        events = s.scalars(select(CaseEventRow).where(CaseEventRow.case_id == case_id)).all()
        record = record_of(case, parties, events)
        # The completeness gate on archiving (guards_archive) reads which documents have been issued.
        return case, replace(record, documents=issued_kinds_of(s, record))

    def _detail(self, s: OrmSession, case_id: str) -> CaseDetail:
        case, record = self._load(s, case_id)
        return detail_of(case, record, self._matter_name(s, case), self.labels(case, s))

    def _matter_name(self, s: OrmSession, case: Case) -> str:
        matter = self._s.catalogue.bundle(case.bundle_id, case.bundle_version, s).matter(case.matter_code)
        return matter.name if matter is not None else case.matter_code

    def list(
        self,
        query: str | None = None,
        *,
        overdue: bool = False,
        limit: int = DEFAULT_LIMIT,
        offset: int = 0,
        today: date | None = None,
        include_voided: bool = False,
    ) -> builtins.list[CaseSummary]:
        """Cases newest first (overdue ones: most overdue first), names masked.

        ``query`` searches as :meth:`search` does; ``overdue`` keeps cases whose next deadline has passed.
        Voided registrations (作废) are left out unless ``include_voided``.
        """
        require(self._s, "case.list")
        if not 1 <= limit <= MAX_LIMIT:
            raise ValidationError(_("limit: between 1 and {max}.").format(max=MAX_LIMIT), field="limit")
        if offset < 0:
            raise ValidationError(_("offset: must not be negative."), field="offset")
        if today is None or today == self.today():
            # Bounded: the stale few are recomputed by the background pass (deadline_refresh), not here.
            self.deadline_refresher.refresh_stale(batch=20, deadline_ms=LIST_REFRESH_MS)
        due_before = (today or self.today()) if overdue else None
        with self._s.read() as s:
            if query is not None and query.strip():
                ids = find_case_ids(s, query, limit=limit, offset=offset, due_before=due_before)
                cases = {c.id: c for c in s.scalars(select(Case).where(Case.id.in_(ids)))}
                ordered = [cases[i] for i in ids if i in cases]
                if not include_voided:
                    ordered = [c for c in ordered if c.state != VOIDED_STATE]
            else:
                q = select(Case)
                if not include_voided:
                    q = q.where(Case.state != VOIDED_STATE)
                if due_before is not None:
                    q = q.where(Case.next_due < due_before).order_by(Case.next_due, Case.id.desc())
                else:
                    q = q.order_by(Case.id.desc())
                ordered = list(s.scalars(q.limit(limit).offset(offset)))
            return self._summaries(s, ordered)

    def search(self, text: str, *, limit: int = DEFAULT_LIMIT, offset: int = 0) -> builtins.list[CaseSummary]:
        """By case number (prefix), party name (any part), ID number (whole or last 6), phone (whole or last 4).

        Newest first, names masked; an empty text finds nothing.
        """
        if not text.strip():
            require(self._s, "case.list")
            return []
        return self.list(text, limit=limit, offset=offset)

    def summaries(self, ids: Sequence[str]) -> builtins.list[CaseSummary]:
        """The list rows (names masked, not audited) of the cases ``ids``, in that order; an unknown id is left
        out. For screens that chose their cases by a query of their own (a supervisor's queues)."""
        require(self._s, "case.list")
        wanted = builtins.list(dict.fromkeys(ids))
        if not wanted:
            return []
        with self._s.read() as s:
            found = {c.id: c for c in s.scalars(select(Case).where(Case.id.in_(wanted)))}
            return self._summaries(s, [found[i] for i in wanted if i in found])

    def rows(self, query: CaseQuery, ids: Sequence[str]) -> Page:
        """The current list rows of ``ids`` that ``query`` still selects, in ``ids`` order (see ``case_listing``)."""
        return self.listing.rows(query, ids)

    def _summaries(self, s: OrmSession, cases: Sequence[Case]) -> builtins.list[CaseSummary]:
        if not cases:
            return []
        names: dict[str, builtins.list[tuple[str, str]]] = {c.id: [] for c in cases}
        q = (
            select(PartyRow.case_id, PartyRow.role, PartyRow.name)
            .where(PartyRow.case_id.in_(list(names)))
            .order_by(PartyRow.case_id, PartyRow.position)
        )
        for case_id, role, name in s.execute(q):
            names[case_id].append((role, name))
        return [summary_of(c, names[c.id], self._matter_name(s, c), self.labels(c, s)) for c in cases]

    def count(self, query: CaseQuery | None = None) -> int:
        """How many cases ``query`` selects (text and filters); every case, voided ones too, without one."""
        return self.listing.count(query or CaseQuery(filters=CaseFilters(include_voided=True)))

    def page(self, query: CaseQuery, after: SortKey | None = None, size: int = DEFAULT_LIMIT) -> Page:
        """A keyset page of the case list for a lazy model (see ``case_listing``)."""
        return self.listing.page(query, after, size)

    def refresh_stale(self, *, batch: int = 50, deadline_ms: float | None = 5.0) -> RefreshProgress:
        """One bounded pass of the background deadline refresh (see ``deadline_refresh``)."""
        return self.deadline_refresher.refresh_stale(batch=batch, deadline_ms=deadline_ms)

    def assign(self, ref: str, mediator: str) -> CaseDetail:
        """Put a case in the hands of a mediator (supervisors and administrators).

        From then on the procedure judges this mediator as the one in charge (also after a granted recusal
        named someone else: the later act counts). A mediator removed from the case by a granted recusal is
        refused: assigning them back would undo the recusal. The audit records who was assigned and who was
        in charge before (logins)."""
        require(self._s, "case.assign")
        case_id = self._resolve(ref)
        login = mediator.strip()
        with self._s.read() as s:
            user = s.scalars(select(User).where(User.login == login, User.active.is_(True))).one_or_none()
            if user is None:
                raise ValidationError(
                    _("Mediator: no active mediator, supervisor or administrator with this user name."),
                    field="mediator",
                )
            _case, record = self._load(s, case_id)
        if login in recused(record):
            raise ValidationError(
                _("Mediator: {login} was removed from this case by a granted recusal; assign someone else.").format(
                    login=login
                ),
                field="mediator",
            )
        details = {"mediator": login, "before": record.assigned_mediator}
        with self._s.write("case.assign", "case", case_id, details) as s:
            case = s.get(Case, case_id)
            assert case is not None
            before = {f: getattr(case, f) for f in _MUTABLE}
            base_version = case.version
            case.assigned_mediator = login
            case.updated_at = self._now_naive()
            case.version = base_version + 1
            after = {f: getattr(case, f) for f in _MUTABLE}
            s.flush()
            self._outbox(s, Change("case", case_id, Op.PATCH, case.version, diff_fields(before, after), base_version))
            return self._detail(s, case_id)

    # --- the denormalized next deadline ------------------------------------------------------------
    @staticmethod
    def _stale(case: Case, today: date) -> bool:
        """Time alone can change a next deadline only once its day has passed (a window lapses, a waiting
        period ends, a suspension goes on): then it is recomputed, at most once a day."""
        return (
            case.next_due is not None
            and case.next_due < today
            and (case.next_due_as_of is None or case.next_due_as_of < today)
        )

    def _refresh_one(self, s: OrmSession, case: Case, today: date) -> None:
        _case, record = self._load(s, case.id)
        nxt = self._engine(record, s).next_deadline(record, today)
        case.next_due = nxt.due if nxt is not None else None
        case.next_due_name = nxt.name if nxt is not None else ""
        case.next_due_provisional = nxt.provisional if nxt is not None else False
        case.next_due_as_of = today

    def refresh_due(self) -> int:
        """Recompute the next deadline of the cases whose stored one has passed; returns how many changed.

        The three ``next_due`` columns are a cache of ``engine.next_deadline`` for lists and the overdue
        filter; this keeps them true as days go by. Derived values: no version bump, no outbox row (every
        desk and the server derive them from the events); one audit event when anything was recomputed.
        """
        require(self._s, "case.list")
        today = self.today()
        stale = (
            select(Case.id)
            .where(Case.next_due < today)
            .where((Case.next_due_as_of.is_(None)) | (Case.next_due_as_of < today))
        )
        with self._s.read() as s:
            ids = list(s.scalars(stale))
        if not ids:
            return 0
        with self._s.write("case.refresh_due", "case", "*", {"cases": len(ids)}) as s:
            for case in s.scalars(select(Case).where(Case.id.in_(ids))):
                if self._stale(case, today):
                    self._refresh_one(s, case, today)
        return len(ids)

    # --- the procedure ---------------------------------------------------------------------------
    def _engine(self, case: Case | CaseRecord | CaseDetail, s: OrmSession | None = None) -> ProcedureEngine:
        return self.engines.for_case(case.bundle_id, case.bundle_version, case.matter_code, case.procedure_id, s)

    def labels(self, case: Case | CaseRecord | CaseDetail, s: OrmSession | None = None) -> CaseLabels:
        """The words for a case's states, acts and time limits: those of the catalogue version it is pinned to.

        Should that version's rules not load (they always should), the codes are shown as themselves rather
        than the case becoming unreadable.
        """
        key = (case.bundle_id, case.bundle_version, case.matter_code, case.procedure_id)
        found = self._labels.get(key)
        if found is None:
            try:
                engine = self._engine(case, s)
            except FzError:
                log.warning("no labels for procedure %s of catalogue version %s", case.procedure_id, key[:2])
                return CaseLabels.none()
            found = self._labels[key] = CaseLabels.of(engine.definition, engine.matter)
        return found

    def _next_due(self, record: CaseRecord, s: OrmSession) -> tuple[date | None, str, bool]:
        nxt = self._engine(record, s).next_deadline(record, self.today())
        if nxt is None:
            return None, "", False
        return nxt.due, nxt.name, nxt.provisional

    def _engine_actor(self) -> EngineActor:
        a = self._s.actor
        assert a.role is not None  # require() refused the recovery actor
        return EngineActor(a.login, a.role, a.legally_qualified)

    def available_actions(self, ref: str, *, on: date | None = None) -> builtins.list[ActionInfo]:
        """What the acting user may do next, each with whether it is allowed now and, if not, why.

        ``on``: judge as the case stood that day (an act entered late); by default today. The desk asks
        ``fzmediate.security.permissions.may`` (``act_decisions``), which adds the role and the desk's unit.
        """
        require(self._s, "case.actions")
        case_id = self._resolve(ref)
        with self._s.read() as s:
            _case, record = self._load(s, case_id)
            engine = self._engine(record, s)
        return list(engine.actions(record, self._engine_actor(), on=on or self.today()))

    def deadlines(self, ref: str, today: date | None = None) -> builtins.list[DeadlineInfo]:
        """Every deadline of the case, computed under its pinned bundle (provisional where no calendar covers)."""
        require(self._s, "case.deadlines")
        case_id = self._resolve(ref)
        with self._s.read() as s:
            _case, record = self._load(s, case_id)
            engine = self._engine(record, s)
        return list(engine.deadlines(record, today or self.today()))

    def act(
        self,
        ref: str,
        action: str,
        payload: Mapping[str, Any] | None = None,
        *,
        on: date | None = None,
        occurred_on: date | None = None,
        late_reason: str = "",
        out_of_order_reason: str = "",
        expected_version: int | None = None,
    ) -> CaseDetail:
        """Apply a procedure action. The engine refuses it (ActionRefused, naming what is missing) or returns
        the new state; then the event, the new state and version, the next deadline and the outbox rows are
        written in one transaction.

        ``occurred_on`` (or its older name ``on``) is the date the act really happened, by default today. An
        earlier date is a late entry (补录) and needs ``late_reason``; a date before the previous act also
        ``out_of_order_reason``; never in the future, never before the receipt (the engine's date rules).
        """
        if on is not None and occurred_on is not None and on != occurred_on:
            raise ValidationError(_("occurred_on: give the date of the act once."), field="occurred_on")
        today = self.today()
        day = occurred_on or on or today
        # The question the desk asks (role, the desk unit's remit, the engine's reasons): refused with its
        # first reason, so a disabled control and this refusal never disagree. The act's data is judged below;
        # a refusal by the engine then also names what is wrong with the data, after the desk's reasons.
        decision = may(self._s, "case.act:" + action, ref, on=day)
        if not decision and not isinstance(decision.error, ActionRefused):
            decision.require()
        case_id = self._resolve(ref)
        data = dict(payload or {})
        audit: dict[str, Any] = {"action": action}
        if day < today:
            audit["late_entry"] = True  # 补录: the audit trail shows it (the reason is in the case event)
        with self._s.write("case.act", "case", case_id, audit) as s:
            case, record = self._load(s, case_id)
            if expected_version is not None and case.version != expected_version:
                raise StaleCaseError(_("The case was changed meanwhile; reload it and try again."))
            request = ActionRequest(
                action=action,
                actor=self._engine_actor(),
                on=day,
                payload=data,
                entered_on=today,
                late_reason=late_reason,
                out_of_order_reason=out_of_order_reason,
            )
            try:
                outcome = self._engine(record, s).apply(record, request)
            except ActionRefused as exc:
                raise ActionRefused((*decision.reasons, *exc.reasons), action=action) from None
            decision.require()  # refused by the question the desk asks, whatever the data
            now = self._now_naive()
            event = CaseEvent(
                seq=(record.events[-1].seq if record.events else 0) + 1,
                action=action,
                on=day,
                at=now,
                actor=self._s.actor.login,
                device=self._s.device_id,
                payload=dict(outcome.payload),
            )
            after = replace(record, state=outcome.new_state, events=(*record.events, event), version=case.version + 1)
            before = {f: getattr(case, f) for f in _MUTABLE}
            base_version = case.version
            due, due_name, provisional = self._next_due(after, s)
            case.state = outcome.new_state
            if outcome.assigned_mediator:  # a granted recusal names the replacement
                case.assigned_mediator = outcome.assigned_mediator
            case.next_due, case.next_due_name, case.next_due_provisional = due, due_name, provisional
            case.next_due_as_of = self.today()
            case.updated_at = now
            case.version = base_version + 1
            self._store_event(s, case, event, before, base_version)
            detail = self._detail(s, case_id)
        log.info("case action %s recorded", action)
        return detail
