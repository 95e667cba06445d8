"""The desk's Today screen as one store call: ``today(session, token)`` → :class:`TodayView`.

What the signed-in user has to do, most urgent first, each section bounded (the first
:data:`SECTION_LIMIT` items and the total):

* my cases — the cases assigned to the user whose procedure owes a next step, by the stored next deadline
  (``cases.next_due``, kept by the case service; read through the keyset-paged case list, so never a walk of
  every case);
* sessions today and in the next seven days — planned sessions (``session_plans``, by its ``starts_at``
  index) of the user's cases or with the user among the staff, not cancelled;
* applications waiting — kiosk applications imported and neither registered nor rejected (a count: the
  sealed boxes are not opened here);
* follow-ups due — acts the procedure still owes after an outcome (``owed_after``: 回访 after an agreement,
  the termination notice …) on the user's cases;
* 司法确认 windows closing — the parties' window (time limit ``judicial_confirmation``) still open on the
  user's agreed cases;
* waiting for me — for supervisors and administrators only: cases whose next act is one a mediator may not
  do (the acts of the procedure definition whose roles leave the mediator out: recusal decisions, the
  legality review, 集体讨论, 负责人审批, the decision), confirmed by the engine's available actions for this
  user; and running periods that only an approver may extend (the definition's ``extends`` acts, a matter
  limit with ``extendable_by``) ending within :data:`EXTENSION_NOTICE_WORKING_DAYS` working days.

Working days left come from the calendar of the case's pinned catalogue version, the same one its deadlines
were counted with. Where that count touches a year the calendar does not cover, the deadline is provisional
and no number is given (``working_days_left`` is None): never a guess.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING

from fzmediate.desk.token import CancelToken
from fzmediate.domain.case import VOIDED_STATE, CaseEvent, CaseKind, CaseRecord
from fzmediate.procedure.clock import add_working_days, working_days_between
from fzmediate.security.permissions import may
from fzmediate.security.roles import Role
from fzmediate.services.case_dto import CaseFilters, CaseQuery, CaseSummary, SortColumn
from fzmediate.services.inbox_dto import PENDING

if TYPE_CHECKING:
    from sqlalchemy.orm import Session as OrmSession

    from fzmediate.procedure.calendar import WorkCalendar
    from fzmediate.procedure.definition import ProcedureDefinition
    from fzmediate.procedure.engine import Actor as EngineActor
    from fzmediate.procedure.engine import ProcedureEngine
    from fzmediate.services.session import Session
    from fzmediate.store.models import Case

#: Items a section lists at most (the total says how many there are).
SECTION_LIMIT = 50
#: The parties' window to apply for 司法确认 (民事诉讼法 第二百零五条), as the catalogue's matters name it.
JUDICIAL_CONFIRMATION = "judicial_confirmation"
#: An approver-only extendable period ending within this many working days is shown as waiting for a decision.
EXTENSION_NOTICE_WORKING_DAYS = 3
#: Sessions of today and the next seven days.
SESSION_DAYS = 7
#: The most cases a section confirms with the engine (each a case load); the rest are counted, not listed.
_CONFIRM_LIMIT = 200
_CHUNK = 500


class SectionKind(StrEnum):
    MY_CASES = "my_cases"
    SESSIONS_TODAY = "sessions_today"
    SESSIONS_WEEK = "sessions_week"
    APPLICATIONS = "applications"
    FOLLOW_UPS = "follow_ups"
    JUDICIAL_CONFIRMATION = "judicial_confirmation"
    WAITING_FOR_ME = "waiting_for_me"


@dataclass(frozen=True)
class TodayItem:
    """One line of a section: a case and what is due (or, for a session, when and where)."""

    case_id: str
    number: str
    matter_name: str
    #: Masked names (张某某).
    applicants: tuple[str, ...]
    respondents: tuple[str, ...]
    #: The act(s) due next, in the words of the case's procedure (e.g. "受理 / 不予受理", "回访").
    step: str
    #: The time limit it is due under (e.g. "受理期限"), or "".
    deadline_label: str = ""
    due: date | None = None
    #: Working days from today to ``due`` (0: due today; negative: overdue by that many), None when unknown.
    working_days_left: int | None = None
    overdue: bool = False
    #: The due date or the count touches a year whose official holiday arrangement is not known.
    provisional: bool = False
    #: The stored next deadline has passed and awaits recomputation: neither overdue nor firm.
    recomputing: bool = False
    #: Owed since (follow-ups): the day of the act that made it owed.
    since: date | None = None
    #: Sessions: local start time (China), length and place.
    starts_at: datetime | None = None
    minutes: int = 0
    place: str = ""


@dataclass(frozen=True)
class TodaySection:
    kind: SectionKind
    items: tuple[TodayItem, ...]
    #: How many there are (``items`` holds at most SECTION_LIMIT).
    total: int
    #: My cases: how many are overdue in all.
    overdue: int = 0
    #: Applications: the day the oldest waiting one was imported.
    oldest: date | None = None


@dataclass(frozen=True)
class TodayView:
    today: date
    login: str
    full_name: str
    sections: tuple[TodaySection, ...]

    def section(self, kind: SectionKind) -> TodaySection | None:
        return next((s for s in self.sections if s.kind is kind), None)


def today(session: Session, token: CancelToken) -> TodayView:
    """The signed-in user's Today (see the module docs). Read only; nothing is written or audited."""
    actor = session.actor
    day = session.cases.today()
    sections: list[TodaySection] = [_my_cases(session, day)]
    token.check()
    sections += _sessions(session, day)
    token.check()
    if may(session, "intake.list"):
        sections.append(_applications(session))
    token.check()
    sections += _after_outcome(session, day, token)
    if actor.role in (Role.SUPERVISOR, Role.ADMIN):
        token.check()
        sections.append(_waiting_for_me(session, day, token))
    return TodayView(today=day, login=actor.login, full_name=actor.full_name, sections=tuple(sections))


# --- helpers ------------------------------------------------------------------------------------------------------


def _engine(session: Session, case: Case, s: OrmSession) -> ProcedureEngine:
    return session.cases.engines.for_case(case.bundle_id, case.bundle_version, case.matter_code, case.procedure_id, s)


def _left(cal: WorkCalendar, day: date, due: date) -> tuple[int | None, bool]:
    """Working days from ``day`` to ``due`` on the case's calendar, and whether the count is provisional."""
    n, provisional = working_days_between(cal, day, due)
    return (None if provisional else n), provisional


def _timing(cal: WorkCalendar, day: date, due: date, provisional: bool) -> dict[str, object]:
    left, uncertain = _left(cal, day, due)
    return {
        "due": due,
        "working_days_left": left,
        "overdue": due < day,
        "provisional": provisional or uncertain,
    }


def _summaries(session: Session, s: OrmSession, cases: Sequence[Case]) -> dict[str, CaseSummary]:
    """Masked summaries of ``cases`` (as the case list shows them), by id."""
    from sqlalchemy import select

    from fzmediate.services.case_views import summary_of
    from fzmediate.store.models import PartyRow

    names: dict[str, list[tuple[str, str]]] = {c.id: [] for c in cases}
    ids = list(names)
    for i in range(0, len(ids), _CHUNK):
        q = (
            select(PartyRow.case_id, PartyRow.role, PartyRow.name)
            .where(PartyRow.case_id.in_(ids[i : i + _CHUNK]))
            .order_by(PartyRow.case_id, PartyRow.position)
        )
        for case_id, role, name in s.execute(q):
            names[case_id].append((role, name))
    out: dict[str, CaseSummary] = {}
    for c in cases:
        matter = session.catalogue.bundle(c.bundle_id, c.bundle_version, s).matter(c.matter_code)
        out[c.id] = summary_of(c, names[c.id], matter.name if matter else c.matter_code, session.cases.labels(c, s))
    return out


def _item(summary: CaseSummary, step: str, **fields: object) -> TodayItem:
    return TodayItem(
        case_id=summary.id,
        number=summary.number,
        matter_name=summary.matter_name,
        applicants=summary.applicants,
        respondents=summary.respondents,
        step=step,
        **fields,  # type: ignore[arg-type]
    )


def _labels(definition: ProcedureDefinition, names: Iterable[str]) -> str:
    wanted = set(names)
    return " / ".join(a.label for a in definition.actions if a.name in wanted)


def _by_urgency(item: TodayItem) -> tuple[date, str]:
    return (item.due or date.max, item.number)


def _section(kind: SectionKind, items: list[TodayItem], total: int | None = None, **extra: object) -> TodaySection:
    items.sort(key=_by_urgency)
    return TodaySection(
        kind,
        tuple(items[:SECTION_LIMIT]),
        len(items) if total is None else total,
        **extra,  # type: ignore[arg-type]
    )


_definition_cache: dict[tuple[str, int], tuple[ProcedureDefinition, ...]] = {}


def _definitions(session: Session, s: OrmSession) -> tuple[ProcedureDefinition, ...]:
    """Every procedure definition of every stored catalogue version (bundles never change once stored)."""
    from sqlalchemy import select

    from fzmediate.services.case_engine import definitions_for
    from fzmediate.store.models import CatalogueBundle

    out: list[ProcedureDefinition] = []
    for bundle_id, version in s.execute(select(CatalogueBundle.bundle_id, CatalogueBundle.version)):
        key = (bundle_id, version)
        found = _definition_cache.get(key)
        if found is None:
            bundle = session.catalogue.bundle(bundle_id, version, s)
            found = _definition_cache[key] = tuple(definitions_for(bundle.procedures).values())
        out += found
    return tuple(out)


def _events(s: OrmSession, ids: Sequence[str]) -> dict[str, list[tuple[int, str, date]]]:
    """(seq, action, date) of the cases' events, in entry order."""
    from sqlalchemy import select

    from fzmediate.store.models import CaseEventRow

    out: dict[str, list[tuple[int, str, date]]] = {i: [] for i in ids}
    for i in range(0, len(ids), _CHUNK):
        q = (
            select(CaseEventRow.case_id, CaseEventRow.seq, CaseEventRow.action, CaseEventRow.on_date)
            .where(CaseEventRow.case_id.in_(ids[i : i + _CHUNK]))
            .order_by(CaseEventRow.case_id, CaseEventRow.seq)
        )
        for case_id, seq, action, on in s.execute(q):
            out[case_id].append((seq, action, on))
    return out


# --- my cases -----------------------------------------------------------------------------------------------------


def _my_cases(session: Session, day: date) -> TodaySection:
    from sqlalchemy import func, select

    from fzmediate.store.models import Case

    login = session.actor.login
    query = CaseQuery(filters=CaseFilters(mediator=login), sort=SortColumn.NEXT_DUE, descending=False)
    # Sorted by the stored next deadline, earliest (most overdue) first; cases owing nothing come last and are
    # left out: they have no next step to show.
    page = session.cases.page(query, None, SECTION_LIMIT)
    rows = [r for r in page.rows if r.next_due is not None]
    overdue = session.cases.count(CaseQuery(filters=CaseFilters(mediator=login, overdue=True)))
    items: list[TodayItem] = []
    with session.read() as s:
        total = int(
            s.scalar(
                select(func.count())
                .select_from(Case)
                .where(Case.assigned_mediator == login, Case.next_due.is_not(None), Case.state != VOIDED_STATE)
            )
            or 0
        )
        cases = {c.id: c for c in s.scalars(select(Case).where(Case.id.in_([r.id for r in rows])))}
        for row in rows:
            assert row.next_due is not None
            engine = _engine(session, cases[row.id], s)
            spec = next(
                (d for d in engine.definition.deadlines_for(row.matter_code) if d.time_limit == row.next_due_name), None
            )
            step = _labels(engine.definition, engine.definition.meeters(spec)) if spec else ""
            timing = _timing(engine.calendar, day, row.next_due, row.next_due_provisional)
            if row.id in page.recomputing:
                timing.update(overdue=False, working_days_left=None, recomputing=True)
            items.append(_item(row, step or row.next_due_label, deadline_label=row.next_due_label, **timing))
    return _section(SectionKind.MY_CASES, items, total, overdue=overdue)


# --- sessions -----------------------------------------------------------------------------------------------------


def _sessions(session: Session, day: date) -> list[TodaySection]:
    from sqlalchemy import select

    from fzmediate.store.models import Case, SessionPlan

    login = session.actor.login
    start = datetime.combine(day, time.min)
    tomorrow = start + timedelta(days=1)
    end = start + timedelta(days=SESSION_DAYS + 1)
    today_items: list[TodayItem] = []
    week_items: list[TodayItem] = []
    with session.read() as s:
        q = (
            select(SessionPlan, Case)
            .join(Case, Case.id == SessionPlan.case_id)
            .where(SessionPlan.starts_at >= start, SessionPlan.starts_at < end, SessionPlan.cancelled_at.is_(None))
            .where(Case.state != VOIDED_STATE)
            .order_by(SessionPlan.starts_at, SessionPlan.id)
        )
        # A week of the office's sessions is a few dozen rows: who takes part is checked here, not in SQL
        # (``staff`` is a JSON list).
        plans = [(p, c) for p, c in s.execute(q).all() if c.assigned_mediator == login or login in (p.staff or [])]
        summaries = _summaries(session, s, list({c.id: c for _p, c in plans}.values()))
        for plan, case in plans:
            labels = session.cases.labels(case, s)
            item = _item(
                summaries[case.id],
                labels.state(case.state),
                due=plan.starts_at.date(),
                starts_at=plan.starts_at,
                minutes=plan.minutes,
                place=plan.place,
            )
            (today_items if plan.starts_at < tomorrow else week_items).append(item)
    by_time: list[TodaySection] = []
    for kind, items in ((SectionKind.SESSIONS_TODAY, today_items), (SectionKind.SESSIONS_WEEK, week_items)):
        by_time.append(TodaySection(kind, tuple(items[:SECTION_LIMIT]), len(items)))
    return by_time


# --- applications -------------------------------------------------------------------------------------------------


def _applications(session: Session) -> TodaySection:
    from sqlalchemy import func, select

    from fzmediate.store.models import IntakeInboxRow

    with session.read() as s:
        count, oldest = s.execute(
            select(func.count(), func.min(IntakeInboxRow.imported_at)).where(IntakeInboxRow.status == PENDING)
        ).one()
    first = oldest.date() if isinstance(oldest, datetime) else None
    return TodaySection(SectionKind.APPLICATIONS, (), int(count or 0), oldest=first)


# --- after an outcome: follow-ups and the 司法确认 window -------------------------------------------------------------


def _after_outcome(session: Session, day: date, token: CancelToken) -> list[TodaySection]:
    from sqlalchemy import select

    from fzmediate.store.models import Case

    login = session.actor.login
    follow_ups: list[TodayItem] = []
    windows: list[TodayItem] = []
    window_candidates: list[tuple[date, str]] = []
    with session.read() as s:
        definitions = _definitions(session, s)
        # The states an owed act or the act that meets the window can be done in: only cases there can owe them.
        states: set[str] = set()
        for d in definitions:
            for act in d.actions:
                if act.owed_after:
                    states.update(act.from_states)
            for spec in d.deadlines:
                if spec.time_limit == JUDICIAL_CONFIRMATION:
                    states.update(st for a in d.actions if a.name in d.meeters(spec) for st in a.from_states)
        cases = list(s.scalars(select(Case).where(Case.assigned_mediator == login, Case.state.in_(sorted(states)))))
        events = _events(s, [c.id for c in cases])
        owing: list[tuple[Case, str, date]] = []
        for case in cases:
            token.check()
            engine = _engine(session, case, s)
            history = events[case.id]
            for act in engine.definition.actions:
                if not act.owed_after or case.state not in act.from_states:
                    continue
                # As the no_open_obligations guard judges it: owed once a trigger happened, until done after it.
                trigger = next((e for e in history if e[1] in act.owed_after), None)
                if trigger is not None and not any(e[1] == act.name and e[0] > trigger[0] for e in history):
                    owing.append((case, act.label, trigger[2]))
            for spec in engine.definition.deadlines_for(case.matter_code):
                if spec.time_limit != JUDICIAL_CONFIRMATION:
                    continue
                started = [e for e in history if e[1] in engine.definition.starters(spec)]
                met = any(e[1] in engine.definition.meeters(spec) for e in history)
                if started and not met:
                    window_candidates.append((started[0][2], case.id))
        summaries = _summaries(session, s, [c for c, _l, _d in owing])
        for case, label, since in owing:
            follow_ups.append(_item(summaries[case.id], label, since=since))
    # The newest agreements first: their windows are the ones still open.
    window_candidates.sort(reverse=True)
    confirmed: dict[str, tuple[str, date, bool]] = {}
    for _start, case_id in window_candidates[:_CONFIRM_LIMIT]:
        token.check()
        window = next((d for d in session.cases.deadlines(case_id, day) if d.name == JUDICIAL_CONFIRMATION), None)
        if window is None or window.status != "open":
            continue
        confirmed[case_id] = (window.label, window.due, window.provisional)
    if confirmed:
        with session.read() as s:
            found = list(s.scalars(select(Case).where(Case.id.in_(list(confirmed)))))
            summaries = _summaries(session, s, found)
            for case in found:
                label, due, provisional = confirmed[case.id]
                engine = _engine(session, case, s)
                spec = next(
                    d
                    for d in engine.definition.deadlines_for(case.matter_code)
                    if d.time_limit == JUDICIAL_CONFIRMATION
                )
                step = _labels(engine.definition, engine.definition.meeters(spec))
                windows.append(
                    _item(
                        summaries[case.id],
                        step,
                        deadline_label=label,
                        **_timing(engine.calendar, day, due, provisional),
                    )
                )
    follow_ups.sort(key=lambda i: (i.since or date.max, i.number))
    return [
        TodaySection(SectionKind.FOLLOW_UPS, tuple(follow_ups[:SECTION_LIMIT]), len(follow_ups)),
        _section(SectionKind.JUDICIAL_CONFIRMATION, windows),
    ]


# --- waiting for a supervisor -------------------------------------------------------------------------------------


def _approver_acts(definition: ProcedureDefinition) -> list[str]:
    """Acts a mediator may not do (the definition's roles): a supervisor or administrator must."""
    return [a.name for a in definition.actions if Role.MEDIATOR.value not in a.roles]


def _decision_waits(engine: ProcedureEngine, record: CaseRecord, actor: EngineActor, day: date) -> bool:
    """Whether a decision act could be waiting: every guard of it that reads earlier acts (and no data of its
    own) holds on the case's events. A cheap first sieve; the engine's available actions decide."""
    from fzmediate.procedure.engine import ActionRequest
    from fzmediate.procedure.guard_registry import GuardContext
    from fzmediate.procedure.guards import GUARDS

    d = engine.definition
    for name in _approver_acts(d):
        act = d.action(name)
        if act is None or act.extends or record.state not in act.from_states:
            continue
        ctx = GuardContext(record, ActionRequest(name, actor, day), act, {}, d, engine.matter, {})
        reading = [GUARDS[g] for g in act.guards if GUARDS[g].actions and not GUARDS[g].uses_payload]
        if reading and all(g.check(ctx) is None for g in reading):
            return True
    return False


def _waiting_for_me(session: Session, day: date, token: CancelToken) -> TodaySection:
    from sqlalchemy import select

    from fzmediate.procedure.engine import Actor as EngineActor
    from fzmediate.procedure.guards import GUARDS
    from fzmediate.store.models import Case, CaseEventRow

    a = session.actor
    assert a.role is not None
    actor = EngineActor(a.login, a.role, a.legally_qualified)
    candidates: set[str] = set()
    active = session.catalogue.active_ref()  # read before the unit of work below (they do not nest)
    with session.read() as s:
        decision_states: set[str] = set()
        read: set[str] = set()
        extended: set[str] = set()
        for d in _definitions(session, s):
            for name in _approver_acts(d):
                act = d.action(name)
                assert act is not None
                if act.extends:
                    extended.update(act.extends)
                    continue
                decision_states.update(act.from_states)
                read.update(x for g in act.guards for x in GUARDS[g].actions)
                read.add(name)
        # Open cases in a state a decision act starts from (indexed on state), with their events of the acts the
        # decision guards read; the guards that read them sieve, the engine confirms below.
        cols = (Case.id, Case.number, Case.kind, Case.matter_code, Case.bundle_id, Case.bundle_version)
        more = (Case.procedure_id, Case.state, Case.received_on, Case.assigned_mediator)
        rows = list(s.execute(select(*cols, *more).where(Case.state.in_(sorted(decision_states)))))
        for i in range(0, len(rows), _CHUNK):
            token.check()
            chunk = {r.id: r for r in rows[i : i + _CHUNK]}
            events: dict[str, list[CaseEvent]] = {}
            q = (
                select(CaseEventRow)
                .where(CaseEventRow.case_id.in_(list(chunk)), CaseEventRow.action.in_(sorted(read)))
                .order_by(CaseEventRow.case_id, CaseEventRow.seq)
            )
            for e in s.scalars(q):
                events.setdefault(e.case_id, []).append(
                    CaseEvent(e.seq, e.action, e.on_date, e.at, e.actor, e.device, e.payload or {})
                )
            for case_id, history in events.items():
                r = chunk[case_id]
                engine = session.cases.engines.for_case(r.bundle_id, r.bundle_version, r.matter_code, r.procedure_id, s)
                record = CaseRecord(
                    id=r.id, number=r.number, kind=CaseKind(r.kind), matter_code=r.matter_code,
                    bundle_id=r.bundle_id, bundle_version=r.bundle_version, procedure_id=r.procedure_id,
                    state=r.state, received_on=r.received_on, summary="", facts="", claims="", parties=(),
                    events=tuple(history), assigned_mediator=r.assigned_mediator,
                )  # fmt: skip
                if _decision_waits(engine, record, actor, day):
                    candidates.add(case_id)
        # Periods only an approver may extend, ending within a few working days (the active calendar counts).
        if extended:
            cal = session.catalogue.calendar(active[0], active[1], s)
            cutoff = add_working_days(cal, day, EXTENSION_NOTICE_WORKING_DAYS).due
            q2 = select(Case.id).where(
                Case.next_due_name.in_(sorted(extended)), Case.next_due >= day, Case.next_due <= cutoff
            )
            candidates.update(s.scalars(q2))
    confirmed: dict[str, frozenset[str]] = {}
    for case_id in sorted(candidates)[:_CONFIRM_LIMIT]:
        token.check()
        found = session.cases.available_actions(case_id, on=day)
        confirmed[case_id] = frozenset(x.name for x in found if x.allowed and x.in_state)
    items: list[TodayItem] = []
    with session.read() as s:
        cases = list(s.scalars(select(Case).where(Case.id.in_(list(confirmed)))))
        summaries = _summaries(session, s, cases)
        for case in cases:
            engine = _engine(session, case, s)
            d = engine.definition
            mine = [n for n in _approver_acts(d) if n in confirmed[case.id]]
            waiting = [n for n in mine if not _extends(d, n)]
            if not waiting and case.next_due is not None and case.next_due_name:
                limit = engine.matter.time_limit(case.next_due_name)
                if limit is not None and limit.extendable_by is not None:
                    waiting = [n for n in mine if case.next_due_name in _extends(d, n)]
            if not waiting:
                continue
            summary = summaries[case.id]
            timing: dict[str, object] = {}
            if case.next_due is not None:
                timing = _timing(engine.calendar, day, case.next_due, case.next_due_provisional)
            items.append(_item(summary, _labels(d, waiting), deadline_label=summary.next_due_label, **timing))
    return _section(
        SectionKind.WAITING_FOR_ME,
        items,
        max(len(items), len(candidates)) if len(candidates) > _CONFIRM_LIMIT else None,
    )


def _extends(definition: ProcedureDefinition, name: str) -> tuple[str, ...]:
    act = definition.action(name)
    return tuple(act.extends) if act is not None else ()
