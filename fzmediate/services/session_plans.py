"""Planned sessions: when and where a mediation session or hearing of a case is to take place, and who attends.

Planning is not a legal act: ``hold_session`` records the session that took place. A plan feeds the case view's
Sessions tab and Today's "sessions this week"; a cancelled plan is kept with its reason, never deleted. Each
change is one ``Session.write`` with its audit event (ids only: a place or a note may name people) and its
outbox change (entity ``session_plan``: the whole row when planned, the cancellation as a patch), so the
district server sees the plans as it sees the case.

Who may plan: case workers (``session.plan``) on a case from whose state a session act (``hold_session``,
``hold_hearing``, ``attempt_mediation``) can still be reached: not on a voided, refused, closed or archived case.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session as OrmSession

from fzmediate.domain.case import VOIDED_STATE
from fzmediate.errors import NotFoundError, ValidationError
from fzmediate.i18n import _
from fzmediate.security.permissions import require
from fzmediate.services.case_keeping import StaleCaseError
from fzmediate.services.plan_dto import MAX_MINUTES as MAX_MINUTES
from fzmediate.services.plan_dto import MIN_MINUTES as MIN_MINUTES
from fzmediate.services.plan_dto import PlannedSession as PlannedSession
from fzmediate.store.models import Case, SessionPlan, User
from fzmediate.store.outbox import Change, Op, append_changes, diff_fields, row_fields

if TYPE_CHECKING:
    from fzmediate.procedure.definition import ProcedureDefinition
    from fzmediate.services.session import Session

#: Local time in China (legal dates and the times written on invitations).
CHINA_OFFSET = timedelta(hours=8)
MAX_PLACE = 200
MAX_NOTE = 2000
MAX_STAFF = 10
#: States after which no session is held, whatever the procedure says.
_ENDED = frozenset({VOIDED_STATE})
#: The acts that record a session (mediation, hearing) in the shipped procedures.
SESSION_ACTS = frozenset({"hold_session", "hold_hearing", "attempt_mediation"})


def _session_states(definition: ProcedureDefinition) -> frozenset[str]:
    """The states from which a session act can still happen (now or after further acts)."""
    edges: dict[str, set[str]] = {}
    targets: set[str] = set()
    for act in definition.actions:
        for state in act.from_states:
            edges.setdefault(state, set()).update(definition.next_states(act, state))
            if act.name in SESSION_ACTS:
                targets.add(state)
    found = set(targets)
    changed = True
    while changed:
        changed = False
        for state, nxt in edges.items():
            if state not in found and nxt & found:
                found.add(state)
                changed = True
    return frozenset(found)


def _dto(row: SessionPlan) -> PlannedSession:
    return PlannedSession(
        id=row.id,
        case_id=row.case_id,
        starts_at=row.starts_at,
        minutes=row.minutes,
        place=row.place,
        staff=tuple(row.staff or ()),
        note=row.note or "",
        created_by=row.created_by,
        cancelled=row.cancelled_at is not None,
        cancelled_reason=row.cancelled_reason or "",
        version=row.version,
    )


class SessionPlans:
    """Plan, cancel and list the sessions of a case (``SessionPlans(session)``)."""

    def __init__(self, session: Session) -> None:
        self._s = session

    def local_now(self) -> datetime:
        """Now in China, naive (as ``starts_at`` is stored)."""
        return (self._s.now().astimezone(UTC) + CHINA_OFFSET).replace(tzinfo=None)

    def _workable(self, case_ref: str) -> str:
        require(self._s, "session.plan")
        cases = self._s.cases
        case_id = cases._resolve(case_ref)
        with self._s.read() as s:
            case = s.get(Case, case_id)
            assert case is not None  # _resolve found it
            engine = cases.engines.for_case(case.bundle_id, case.bundle_version, case.matter_code, case.procedure_id, s)
            state, label = case.state, cases.labels(case, s).state(case.state)
        if state in _ENDED or state not in _session_states(engine.definition):
            raise ValidationError(
                _("Sessions can no longer be planned: the case is {state}.").format(state=label), field="case"
            )
        return case_id

    def plan(
        self,
        case_ref: str,
        starts_at: datetime,
        minutes: int,
        place: str,
        staff: tuple[str, ...] = (),
        note: str = "",
    ) -> PlannedSession:
        """Plan a session (local time in China). Refuses a time in the past, an empty place, unknown staff."""
        case_id = self._workable(case_ref)
        place = place.strip()
        note = note.strip()
        logins = tuple(dict.fromkeys(s.strip() for s in staff if s.strip()))
        if starts_at.tzinfo is not None:
            raise ValueError("starts_at: local time in China, naive")
        if starts_at < self.local_now():
            raise ValidationError(_("Start: the time has already passed."), field="starts_at")
        if not MIN_MINUTES <= minutes <= MAX_MINUTES:
            raise ValidationError(
                _("Duration: between {low} and {high} minutes.").format(low=MIN_MINUTES, high=MAX_MINUTES),
                field="minutes",
            )
        if not place:
            raise ValidationError(_("Place: required."), field="place")
        if len(place) > MAX_PLACE:
            raise ValidationError(_("Place: at most {n} characters.").format(n=MAX_PLACE), field="place")
        if len(note) > MAX_NOTE:
            raise ValidationError(_("Note: at most {n} characters.").format(n=MAX_NOTE), field="note")
        if len(logins) > MAX_STAFF:
            raise ValidationError(_("Staff: at most {n} people.").format(n=MAX_STAFF), field="staff")
        with self._s.read() as s:
            known = set(s.scalars(select(User.login).where(User.login.in_(logins), User.active.is_(True))))
        unknown = [login for login in logins if login not in known]
        if unknown:
            raise ValidationError(
                _("Staff: no active user named {logins}.").format(logins=_(", ").join(unknown)), field="staff"
            )
        now = self._s.now().astimezone(UTC).replace(tzinfo=None)
        row = SessionPlan(
            case_id=case_id,
            starts_at=starts_at.replace(second=0, microsecond=0),
            minutes=minutes,
            place=place,
            staff=list(logins),
            note=note,
            created_at=now,
            created_by=self._s.actor.login,
            version=1,
        )
        with self._s.write("session.plan", "case", case_id) as s:
            s.add(row)
            s.flush()
            self._outbox(s, Change("session_plan", row.id, Op.CREATE, row.version, row_fields(row)))
            return _dto(row)

    def cancel(self, plan_id: str, reason: str, *, expected_version: int | None = None) -> PlannedSession:
        """Cancel a planned session, with the reason (kept, not deleted)."""
        require(self._s, "session.plan")
        reason = reason.strip()
        if not reason:
            raise ValidationError(_("Reason: required."), field="reason")
        if len(reason) > MAX_NOTE:
            raise ValidationError(_("Reason: at most {n} characters.").format(n=MAX_NOTE), field="reason")
        with self._s.read() as s:
            found = s.get(SessionPlan, plan_id)
            if found is None:
                raise NotFoundError(_("No such planned session."))
            case_id = found.case_id
        self._workable(case_id)
        with self._s.write("session.cancel", "case", case_id) as s:
            row = s.get(SessionPlan, plan_id)
            assert row is not None
            if expected_version is not None and row.version != expected_version:
                raise StaleCaseError(_("The planned session was changed meanwhile; reload it and try again."))
            if row.cancelled_at is not None:
                raise ValidationError(_("This session is already cancelled."), field="plan")
            base_version = row.version
            before = {"cancelled_at": row.cancelled_at, "cancelled_reason": row.cancelled_reason}
            row.cancelled_at = self._s.now().astimezone(UTC).replace(tzinfo=None)
            row.cancelled_reason = reason
            row.version = base_version + 1
            s.flush()
            patch = diff_fields(before, {"cancelled_at": row.cancelled_at, "cancelled_reason": reason})
            self._outbox(s, Change("session_plan", row.id, Op.PATCH, row.version, patch, base_version))
            return _dto(row)

    def _outbox(self, s: OrmSession, change: Change) -> None:
        """Record ``change`` in the outbox, in the unit of work that made it."""
        append_changes(s, [change], device_id=self._s.device_id, actor=self._s.actor.login, at=self._s.now())

    def of_case(self, case_ref: str, *, include_cancelled: bool = True) -> list[PlannedSession]:
        """The case's planned sessions, earliest first."""
        require(self._s, "case.view")
        case_id = self._s.cases._resolve(case_ref)
        q = select(SessionPlan).where(SessionPlan.case_id == case_id)
        if not include_cancelled:
            q = q.where(SessionPlan.cancelled_at.is_(None))
        with self._s.read() as s:
            return [_dto(r) for r in s.scalars(q.order_by(SessionPlan.starts_at, SessionPlan.id))]

    def between(self, start: datetime, end: datetime) -> list[PlannedSession]:
        """Sessions not cancelled starting in [start, end) (local time), earliest first: for Today."""
        require(self._s, "case.list")
        q = (
            select(SessionPlan)
            .where(SessionPlan.starts_at >= start, SessionPlan.starts_at < end, SessionPlan.cancelled_at.is_(None))
            .order_by(SessionPlan.starts_at, SessionPlan.id)
        )
        with self._s.read() as s:
            return [_dto(r) for r in s.scalars(q)]
