"""Which time limits of a case are running, when each falls due, and whether it was met.

Everything is derived from the case's events and the matter's time limits: the definition says which
act starts, meets or stops each limit; ``suspend``/``resume`` acts give the periods in which no clock
runs (中止); extension acts (their payload's ``extension``) add the extra period after the current end.

Suspension days: a case suspended on day S and resumed on day R stands still on S … R-1 (the clock runs
again on the day of resumption). A suspension still open counts up to ``today``, so while a case stands
still none of its deadlines can fall due.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Literal

from fzmediate.catalogue.model import Matter, TimeLimit
from fzmediate.domain.case import CaseEvent, CaseRecord
from fzmediate.i18n import _
from fzmediate.procedure.calendar import WorkCalendar
from fzmediate.procedure.clock import Period, compute_deadline, describe
from fzmediate.procedure.clock import Unit as ClockUnit
from fzmediate.procedure.definition import DeadlineSpec, ProcedureDefinition

Status = Literal["open", "met", "overdue", "stopped"]


@dataclass(frozen=True)
class Tracked:
    """One running (or finished) time limit of a case."""

    spec: DeadlineSpec
    limit: TimeLimit
    start: date
    due: date
    provisional: bool
    basis: str
    status: Status
    met_on: date | None
    stopped_on: date | None
    #: Extensions granted so far: (amount, unit) each.
    extensions: tuple[tuple[int, str], ...]
    #: A conditional limit that ran out without its act: no longer shown as owed, a late act still counts.
    lapsed: bool = False

    @property
    def name(self) -> str:
        return self.limit.name

    @property
    def label(self) -> str:
        return self.spec.label or self.limit.label


def suspension_periods(definition: ProcedureDefinition, case: CaseRecord, until: date) -> tuple[Period, ...]:
    """Days on which the case's clocks stood still, from its suspend/resume events."""
    suspend = definition.clock_actions("suspend")
    resume = definition.clock_actions("resume")
    periods: list[Period] = []
    opened: date | None = None
    for event in case.events:
        if event.action in suspend and opened is None:
            opened = event.on
        elif event.action in resume and opened is not None:
            if event.on > opened:
                periods.append((opened, event.on - timedelta(days=1)))
            opened = None
    if opened is not None:
        periods.append((opened, max(opened, until)))
    return tuple(periods)


def _first(events: tuple[CaseEvent, ...], names: frozenset[str], after_seq: int | None) -> CaseEvent | None:
    for event in events:
        if event.action in names and (after_seq is None or event.seq > after_seq):
            return event
    return None


def _extension_of(event: CaseEvent, name: str) -> tuple[int, str] | None:
    ext = event.payload.get("extension")
    if not isinstance(ext, Mapping) or ext.get("time_limit") != name:
        return None
    amount, unit = ext.get("amount"), ext.get("unit")
    if isinstance(amount, int) and not isinstance(amount, bool) and amount > 0 and unit in set(ClockUnit):
        return amount, str(unit)
    return None


def _order(specs: tuple[DeadlineSpec, ...]) -> list[DeadlineSpec]:
    """Specs in dependency order: a limit that starts at the end of another comes after it."""
    by_name = {s.time_limit: s for s in specs}
    done: list[DeadlineSpec] = []
    seen: set[str] = set()

    def visit(spec: DeadlineSpec, depth: int) -> None:
        if spec.time_limit in seen or depth > len(specs):
            return
        ref = by_name.get(spec.starts_at_end_of or "")
        if ref is not None:
            visit(ref, depth + 1)
        seen.add(spec.time_limit)
        done.append(spec)

    for spec in specs:
        visit(spec, 0)
    return done


def track(
    definition: ProcedureDefinition,
    matter: Matter,
    calendar: WorkCalendar,
    case: CaseRecord,
    today: date,
) -> dict[str, Tracked]:
    """Every time limit of the case that has started, keyed by name, as of ``today``."""
    suspended = suspension_periods(definition, case, today)
    extenders = frozenset(a.name for a in definition.actions if a.extends)
    out: dict[str, Tracked] = {}
    for spec in _order(definition.deadlines_for(matter.code)):
        limit = matter.time_limit(spec.time_limit)
        if limit is None:
            continue
        started = _first(case.events, definition.starters(spec), None)
        candidates: list[date] = [started.on] if started is not None else []
        ref = out.get(spec.starts_at_end_of or "")
        if ref is not None:
            candidates.append(ref.due)
        if not candidates:
            continue
        start = min(candidates)
        # Acts count only after the act that started the clock (the same act may start and meet it,
        # e.g. a second mediation session within 7 working days of the first).
        after = started.seq if started is not None and started.on == start else None
        base = compute_deadline(calendar, start, limit.amount, limit.unit, suspended)
        due, provisional = base.due, base.provisional
        basis = describe(limit.amount, ClockUnit(limit.unit))
        extensions: list[tuple[int, str]] = []
        for event in case.events:
            if event.action not in extenders:
                continue
            ext = _extension_of(event, limit.name)
            if ext is None:
                continue
            longer = compute_deadline(calendar, due, ext[0], ext[1], suspended)
            due, provisional = longer.due, provisional or longer.provisional
            basis = _("{basis}, extended by {extra}").format(basis=basis, extra=describe(ext[0], ClockUnit(ext[1])))
            extensions.append(ext)
        met = _first(case.events, definition.meeters(spec), after)
        stop = _first(case.events, frozenset(spec.stopped_by_actions), after)
        status: Status
        met_on: date | None = None
        stopped_on: date | None = None
        lapsed = False
        if met is not None and (stop is None or met.seq < stop.seq):
            status, met_on = "met", met.on
        elif stop is not None:
            status, stopped_on = "stopped", stop.on
        elif spec.waiting_period and today > due:
            status, met_on = "met", due
        elif spec.conditional and today > due:
            status, stopped_on, lapsed = "stopped", due, True
        elif today > due:
            status = "overdue"
        else:
            status = "open"
        out[limit.name] = Tracked(
            spec=spec,
            limit=limit,
            start=start,
            due=due,
            provisional=provisional,
            basis=basis,
            status=status,
            met_on=met_on,
            stopped_on=stopped_on,
            extensions=tuple(extensions),
            lapsed=lapsed,
        )
    return out


def extension_used(tracked: Tracked) -> int:
    """How much of the allowed extension (in the extension's unit) has been granted already."""
    ext = tracked.limit.extendable_by
    if ext is None:
        return 0
    return sum(amount for amount, unit in tracked.extensions if unit == ext.unit)


def as_payload(tracked: Tracked, on: date) -> dict[str, Any]:
    """How a deadline met by an act is recorded in that act's event."""
    return {"time_limit": tracked.name, "due": tracked.due.isoformat(), "on_time": on <= tracked.due}
