"""Keeping the stored next deadline (``cases.next_due``) true as days go by: incremental, off the list path.

Why most stored next deadlines never need recomputing
-----------------------------------------------------
``cases.next_due`` caches ``ProcedureEngine.next_deadline(record, today)``: the earliest deadline of the
agency's that is still owed (status ``open`` or ``overdue``; parties' windows and waiting periods left out).
It is recomputed whenever an act changes the case. Between acts, ``today`` enters ``deadlines.track`` in
exactly three places:

1. ``status``: ``open`` turns ``overdue`` when ``today > due``. Both are owed, so the earliest owed
   deadline, its due date and its name stay the same: **no change**.
2. A ``waiting_period`` turns ``met`` when ``today > due``. Waiting periods are never the next deadline and
   a limit starting at the end of one starts at its due date whatever the day: **no change**.
3. A ``conditional`` limit (e.g. ``transfer``, owed only for a dispute outside the remit) *lapses* the day
   after its due date and is no longer owed; the next deadline then becomes the following one. **Changes**,
   but only when the lapsing limit is the stored next deadline, i.e. only once ``next_due < today``.
4. An open suspension (中止) counts up to ``today``: every due date of the case moves one day later each
   day the case stands still. **Changes daily**, for the cases whose suspension is open.

(The due dates themselves depend on the case's pinned catalogue version and its calendar, never on today.)

So a stored next deadline can be wrong only for (3) conditional ones already past and (4) cases with an
open suspension — a few cases a day, where the old once-a-day refresh walked *every* case whose deadline
had passed (44.5 s at 100,000 cases on the first list of a day). :meth:`DeadlineRefresher.stale_filter`
finds the candidates with indexed SQL (``ix_cases_state`` for suspensions; ``ix_cases_next_due_name_next_due``,
migration 0007, for conditional limits that have passed: a lapsed one is replaced when recomputed, so that
range holds only the cases still waiting), :meth:`DeadlineRefresher.is_stale` decides per case under its
own pinned procedure, and
:meth:`DeadlineRefresher.refresh_stale` recomputes them a bounded batch at a time, for the UI's background
operation to call until nothing remains.

Until a stale row is recomputed the list marks it "recomputing" (:meth:`DeadlineRefresher.is_stale`)
instead of asserting an overdue flag that may be false (a lapsed transfer limit, a suspended case).
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import ColumnElement, and_, false, func, or_, select
from sqlalchemy.orm import Session as OrmSession

from fzmediate.catalogue.model import Matter
from fzmediate.errors import FzError
from fzmediate.procedure.definition import ProcedureDefinition
from fzmediate.security.permissions import require
from fzmediate.services.case_engine import definitions_for
from fzmediate.store.models import Case, CatalogueBundle

if TYPE_CHECKING:
    from fzmediate.services.cases import CaseService

#: The procedure a case follows: (bundle_id, bundle_version, procedure_id, matter_code).
Group = tuple[str, int, str, str]


@dataclass(frozen=True)
class TimeDependence:
    """What in one procedure (for one matter) lets time alone change a stored next deadline."""

    #: Names of the agency's conditional time limits (they lapse the day after their due date).
    conditional: frozenset[str]
    #: States a case can be in while a suspension is open (its due dates move every day).
    still_states: frozenset[str]


def time_dependence(d: ProcedureDefinition, matter: Matter) -> TimeDependence:
    """Read :class:`TimeDependence` off a procedure definition and its matter (see the module docs)."""
    conditional = set()
    for spec in d.deadlines_for(matter.code):
        limit = matter.time_limit(spec.time_limit)
        if spec.conditional and not spec.waiting_period and limit is not None and limit.applies_to == "agency":
            conditional.add(spec.time_limit)
    # A suspension stays open until a resume act: follow every other act out of the suspended states.
    still = {a.to_state for a in d.actions if a.clock == "suspend" and a.to_state}
    if any(a.clock == "suspend" and not a.to_state for a in d.actions):
        still |= {s for a in d.actions if a.clock == "suspend" for s in a.from_states}
    grew = True
    while grew:
        grew = False
        for act in d.actions:
            if act.clock == "resume" or not still.intersection(act.from_states):
                continue
            targets = {act.to_state} if act.to_state else set()
            if act.outcomes is not None:
                targets |= set(act.outcomes.targets.values())
            new = {t for t in targets if t and t not in still}
            if new:
                still |= new
                grew = True
    return TimeDependence(frozenset(conditional), frozenset(still))


@dataclass(frozen=True)
class RefreshProgress:
    """One bounded pass: how many cases were recomputed and how many still wait."""

    refreshed: int
    remaining: int

    @property
    def done(self) -> bool:
        return self.remaining == 0


class DeadlineRefresher:
    """Finds and recomputes the stored next deadlines that time alone has made stale (see the module docs)."""

    def __init__(self, cases: CaseService) -> None:
        self._cases = cases
        self._deps: dict[Group, TimeDependence] = {}
        self._coarse_refs: tuple[tuple[str, int], ...] = ()
        self._coarse_dep: TimeDependence | None = None

    # --- which rows ---------------------------------------------------------------------------------
    def _dependence(self, s: OrmSession, group: Group) -> TimeDependence:
        found = self._deps.get(group)
        if found is None:
            bundle_id, version, procedure_id, matter_code = group
            try:
                engine = self._cases.engines.for_case(bundle_id, version, matter_code, procedure_id, s)
            except FzError:
                # Rules that do not load cannot be recomputed either; the case view reports the problem.
                found = TimeDependence(frozenset(), frozenset())
            else:
                found = time_dependence(engine.definition, engine.matter)
            self._deps[group] = found
        return found

    def _coarse(self, s: OrmSession) -> TimeDependence:
        """The union of :class:`TimeDependence` over every procedure and matter of every stored catalogue
        version: a superset of what any case can need, read from a few catalogue rows (not the cases)."""
        refs = tuple((b, int(v)) for b, v in s.execute(select(CatalogueBundle.bundle_id, CatalogueBundle.version)))
        if self._coarse_refs != refs or self._coarse_dep is None:
            conditional: set[str] = set()
            still: set[str] = set()
            for bundle_id, version in refs:
                try:
                    bundle = self._cases._s.catalogue.bundle(bundle_id, version, s)
                    definitions = definitions_for(bundle.procedures)
                except FzError:
                    continue  # a version whose rules do not load: its cases cannot be recomputed either
                for definition in definitions.values():
                    for matter in bundle.matters:
                        if matter.kind == definition.kind:
                            dep = time_dependence(definition, matter)
                            conditional |= dep.conditional
                            still |= dep.still_states
            self._coarse_refs, self._coarse_dep = refs, TimeDependence(frozenset(conditional), frozenset(still))
        return self._coarse_dep

    def stale_filter(self, s: OrmSession, today: date) -> ColumnElement[bool]:
        """SQL for "this case's stored next deadline may be wrong today": the candidates, through two indexes
        (``ix_cases_state``, ``ix_cases_next_due_name_next_due``). A superset: :meth:`is_stale` decides per
        case, and a candidate that turns out fine is marked checked for today (so the set drains)."""
        dep = self._coarse(s)
        which: list[ColumnElement[bool]] = []
        if dep.still_states:
            which.append(Case.state.in_(sorted(dep.still_states)))
        if dep.conditional:
            which.append(and_(Case.next_due_name.in_(sorted(dep.conditional)), Case.next_due < today))
        if not which:
            return false()
        return and_(or_(*which), or_(Case.next_due_as_of.is_(None), Case.next_due_as_of < today))

    def is_stale(self, s: OrmSession, case: Case, today: date) -> bool:
        """Whether this row's stored next deadline may be wrong today (the rule of :meth:`stale_filter`)."""
        if case.next_due_as_of is not None and case.next_due_as_of >= today:
            return False
        group = (case.bundle_id, case.bundle_version, case.procedure_id, case.matter_code)
        dep = self._dependence(s, group)
        if case.state in dep.still_states:
            return True
        return case.next_due is not None and case.next_due < today and case.next_due_name in dep.conditional

    def stale_ids(self, s: OrmSession, cases: Iterable[Case], today: date) -> frozenset[str]:
        return frozenset(c.id for c in cases if self.is_stale(s, c, today))

    # --- recomputing ------------------------------------------------------------------------------
    def remaining(self) -> int:
        """How many cases wait for recomputation today."""
        require(self._cases._s, "case.list")
        today = self._cases.today()
        with self._cases._s.read() as s:
            return int(s.scalar(select(func.count()).select_from(Case).where(self.stale_filter(s, today))) or 0)

    def refresh_stale(self, *, batch: int = 50, deadline_ms: float | None = 5.0) -> RefreshProgress:
        """Recompute at most ``batch`` stale next deadlines, stopping early once ``deadline_ms`` has passed
        (checked after each case, so at least one case is done; ``None``: no time limit, only ``batch``);
        returns what was done and what remains. Call it again until ``done``.

        Derived values only: no version bump, no outbox row. One audit event per pass that changed anything.
        """
        svc = self._cases
        require(svc._s, "case.list")
        if batch < 1:
            raise ValueError("batch")
        started = time.perf_counter()
        today = svc.today()
        with svc._s.read() as s:
            stale = self.stale_filter(s, today)
            ids = list(s.scalars(select(Case.id).where(stale).order_by(Case.id).limit(batch)))
        done = 0
        if ids:
            with svc._s.write("case.refresh_due", "case", "*", {"cases": len(ids)}) as s:
                for case_id in ids:
                    case = s.get(Case, case_id)
                    if case is not None and self.is_stale(s, case, today):
                        svc._refresh_one(s, case, today)
                    elif case is not None:
                        case.next_due_as_of = today  # looked at: right as stored, for today
                    done += 1
                    if deadline_ms is not None and (time.perf_counter() - started) * 1000.0 >= deadline_ms:
                        break
        if len(ids) < batch and done == len(ids):
            return RefreshProgress(refreshed=done, remaining=0)  # the query found every candidate there was
        with svc._s.read() as s:
            left = int(s.scalar(select(func.count()).select_from(Case).where(self.stale_filter(s, today))) or 0)
        return RefreshProgress(refreshed=done, remaining=left)
