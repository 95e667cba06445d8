"""The supervisor's screens: work queues, the overdue dashboard, assignment and statistics (no Qt).

Queues list the cases waiting for a supervisor: unassigned cases, and cases where a supervisor's act is due —
a recusal decision (回避决定), an extension (延长期限) of a period about to end, the legality and reasonableness
review (合法性、合理性审查) and the head's approval (负责人审批) of an adjudication, and the decision once approved.
Which cases are candidates is one indexed SQL reading per queue (bounded by ``QUEUE_LIMIT``); whether the
signed-in supervisor may do the act, and why not, is the engine's answer (``act_decisions``: role, the desk
unit's remit, the act's own rules such as "the reviewer must not have handled the case").

Every function is ``fn(session, token, *args)`` with picklable arguments and results (see ``fzmediate.desk``).
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Final

from fzmediate.desk.token import CancelToken
from fzmediate.errors import ValidationError
from fzmediate.i18n import _
from fzmediate.security.permissions import act_decisions, require
from fzmediate.security.roles import Role, role_label
from fzmediate.services.case_dto import MAX_PAGE, CaseFilters, CaseLabels, CaseQuery, CaseSummary, SortColumn
from fzmediate.services.stats_dto import Statistics, StatsQuery, to_csv

if TYPE_CHECKING:
    from fzmediate.services.session import Session

#: The most cases one queue lists (oldest first): a longer queue says so and the case list shows the rest.
QUEUE_LIMIT: Final = 200
#: An extendable period ending within this many days puts the case in the extension queue.
EXTENSION_WINDOW_DAYS: Final = 10
#: The time limits an ``extend_period`` act extends (mediation period; an adjudication's decision period).
EXTENDABLE: Final = ("mediation_period", "decision")
#: States in which nothing is owed any more (or the registration was voided).
_ENDED: Final = ("closed", "archived", "voided")
#: Acts of handling that (re)open the question for the reviewer once recorded after the latest review.
_HANDLING: Final = ("record_contested_point", "collect_evidence", "hold_hearing", "receive_reply")


class Queue:
    """The queue names (also the DTO's attribute names)."""

    UNASSIGNED = "unassigned"
    RECUSAL = "recusal"
    EXTENSION = "extension"
    REVIEW = "review"
    APPROVAL = "approval"
    DECISION = "decision"
    ALL: Final = (UNASSIGNED, RECUSAL, EXTENSION, REVIEW, APPROVAL, DECISION)


@dataclass(frozen=True)
class QueueEntry:
    """A case waiting for a supervisor's act, and whether the signed-in user may do it now (else why not)."""

    case: CaseSummary
    act: str
    act_label: str
    allowed: bool
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Queues:
    today: date
    unassigned: tuple[CaseSummary, ...]
    recusal: tuple[QueueEntry, ...]
    extension: tuple[QueueEntry, ...]
    review: tuple[QueueEntry, ...]
    approval: tuple[QueueEntry, ...]
    decision: tuple[QueueEntry, ...]
    #: Queues that had more candidates than ``QUEUE_LIMIT``.
    truncated: tuple[str, ...] = ()


@dataclass(frozen=True)
class MediatorLoad:
    """One person's open and overdue cases (login "" for the unassigned cases)."""

    login: str
    name: str
    open: int
    overdue: int


@dataclass(frozen=True)
class OverdueBoard:
    today: date
    loads: tuple[MediatorLoad, ...]

    @property
    def total_overdue(self) -> int:
        return sum(m.overdue for m in self.loads)


@dataclass(frozen=True)
class OverdueCases:
    login: str
    today: date
    rows: tuple[CaseSummary, ...]
    #: Rows whose stored next deadline awaits recomputation (may drop out once recomputed).
    recomputing: frozenset[str]


@dataclass(frozen=True)
class Mediator:
    login: str
    name: str
    role: Role

    @property
    def label(self) -> str:
        return _("{login} ({name}, {role})").format(login=self.login, name=self.name, role=role_label(self.role))


@dataclass(frozen=True)
class Assignment:
    case_id: str
    number: str
    mediator: str


@dataclass(frozen=True)
class Exported:
    path: str
    size: int


# --- queues -------------------------------------------------------------------------------------------


def queues(session: Session, token: CancelToken) -> Queues:
    """Every queue of the supervisor's screen (see the module docs)."""
    from sqlalchemy import and_, exists, func, or_, select
    from sqlalchemy.orm import aliased

    from fzmediate.store.models import Case, CaseEventRow

    require(session, "case.assign")
    today = session.cases.today()
    is_open = Case.state.not_in(_ENDED)
    e, d = aliased(CaseEventRow), aliased(CaseEventRow)
    last_decision = (
        select(func.coalesce(func.max(d.seq), 0))
        .where(d.case_id == Case.id, d.action == "decide_recusal")
        .scalar_subquery()
    )
    recusal_pending = exists().where(
        e.case_id == Case.id,
        e.seq > last_decision,
        or_(
            e.action == "request_recusal",
            and_(e.action == "disclose_conflicts", e.payload["has_conflict"].as_boolean().is_(True)),
        ),
    )
    r, h = aliased(CaseEventRow), aliased(CaseEventRow)
    last_review = (
        select(func.coalesce(func.max(r.seq), 0))
        .where(r.case_id == Case.id, r.action.in_(("review", "approve_decision")))
        .scalar_subquery()
    )
    handled_since = exists().where(h.case_id == Case.id, h.action.in_(_HANDLING), h.seq > last_review)
    contested = exists().where(e.case_id == Case.id, e.action == "record_contested_point")
    wheres = {
        Queue.UNASSIGNED: [is_open, Case.assigned_mediator == ""],
        Queue.RECUSAL: [is_open, recusal_pending],
        Queue.EXTENSION: [
            is_open,
            Case.next_due_name.in_(EXTENDABLE),
            Case.next_due >= today,
            Case.next_due <= today + timedelta(days=EXTENSION_WINDOW_DAYS),
        ],
        Queue.REVIEW: [is_open, Case.kind == "adjudication", contested, handled_since],
        Queue.APPROVAL: [Case.state == "reviewed"],
        Queue.DECISION: [Case.state == "approved"],
    }
    chosen: dict[str, list[str]] = {}
    labels: dict[str, CaseLabels] = {}
    truncated: list[str] = []
    with session.read() as s:
        for name, where in wheres.items():
            q = select(Case).where(*where).order_by(Case.received_on, Case.id).limit(QUEUE_LIMIT + 1)
            rows = list(s.scalars(q))
            if len(rows) > QUEUE_LIMIT:
                truncated.append(name)
                rows = rows[:QUEUE_LIMIT]
            chosen[name] = [row.id for row in rows]
            labels.update({row.id: session.cases.labels(row, s) for row in rows})
    # The list's own summaries (names masked, labels of the case's catalogue version), in one reading.
    every = {summary.id: summary for summary in session.cases.summaries([i for ids in chosen.values() for i in ids])}
    found: dict[str, list[CaseSummary]] = {name: [every[i] for i in ids if i in every] for name, ids in chosen.items()}
    acts = {
        Queue.RECUSAL: ("decide_recusal",),
        Queue.EXTENSION: ("extend_period",),
        Queue.REVIEW: ("review",),
        Queue.APPROVAL: ("approve_decision", "record_collective_discussion"),
        Queue.DECISION: ("decide",),
    }
    total = sum(len(found[q]) for q in acts)
    done = 0
    entries: dict[str, tuple[QueueEntry, ...]] = {}
    for name, names in acts.items():
        out: list[QueueEntry] = []
        for summary in found[name]:
            token.check()
            out.extend(_entries(session, summary, labels[summary.id], names))
            done += 1
            token.report(done, total)
        entries[name] = tuple(out)
    return Queues(
        today=today,
        unassigned=tuple(found[Queue.UNASSIGNED]),
        recusal=entries[Queue.RECUSAL],
        extension=entries[Queue.EXTENSION],
        review=entries[Queue.REVIEW],
        approval=entries[Queue.APPROVAL],
        decision=entries[Queue.DECISION],
        truncated=tuple(truncated),
    )


def _entries(session: Session, summary: CaseSummary, labels: CaseLabels, names: tuple[str, ...]) -> list[QueueEntry]:
    """The engine's answer for the queue's act(s). A second act (the collective discussion before an
    approval) is listed only when it is what stands in the way of the first."""
    decisions = act_decisions(session, summary.id)
    first = names[0]
    if first not in decisions:
        return []
    out = [QueueEntry(summary, first, labels.action(first), decisions[first].allowed, decisions[first].reasons)]
    for other in names[1:]:
        decision = decisions.get(other)
        if decision is not None and decision.allowed and not decisions[first].allowed:
            out.append(QueueEntry(summary, other, labels.action(other), True, ()))
    return out


# --- overdue ------------------------------------------------------------------------------------------


def overdue_board(session: Session, token: CancelToken) -> OverdueBoard:
    """Open and overdue cases per person (every active mediator, also with none; then anyone else holding
    cases; the unassigned last)."""
    from sqlalchemy import case, func, select

    from fzmediate.store.models import Case, User

    require(session, "case.assign")
    today = session.cases.today()
    is_open = Case.state.not_in(_ENDED)
    overdue = func.sum(case((Case.next_due < today, 1), else_=0))
    q = select(Case.assigned_mediator, func.count(), overdue).where(is_open).group_by(Case.assigned_mediator)
    with session.read() as s:
        counts = {str(login): (int(n), int(late or 0)) for login, n, late in s.execute(q)}
        users = list(s.execute(select(User.login, User.full_name, User.role).where(User.active.is_(True))))
    names = {login: name for login, name, _role in users}
    mediators = sorted(login for login, _name, role in users if role == Role.MEDIATOR.value)
    others = sorted(login for login in counts if login and login not in mediators)
    order = [*mediators, *others, *([""] if "" in counts else [])]
    loads = []
    for login in order:
        n, late = counts.get(login, (0, 0))
        name = names.get(login, "") if login else _("(unassigned)")
        loads.append(MediatorLoad(login, name, n, late))
    return OverdueBoard(today, tuple(loads))


def overdue_cases(session: Session, token: CancelToken, login: str) -> OverdueCases:
    """The overdue cases of one person (login "" for the unassigned), most overdue first."""
    require(session, "case.assign")
    query = CaseQuery(filters=CaseFilters(mediator=login, overdue=True), sort=SortColumn.NEXT_DUE, descending=False)
    page = session.cases.page(query, size=MAX_PAGE)
    return OverdueCases(login, page.today, tuple(page.rows), frozenset(page.recomputing))


# --- assignment ---------------------------------------------------------------------------------------


def mediators(session: Session, token: CancelToken) -> tuple[Mediator, ...]:
    """Who a case can be put in the hands of: active mediators, then supervisors."""
    require(session, "case.assign")
    people = [u for u in session.users.list() if u.role in (Role.MEDIATOR, Role.SUPERVISOR)]
    people.sort(key=lambda u: (u.role is not Role.MEDIATOR, u.login))
    return tuple(Mediator(u.login, u.full_name, u.role) for u in people)


def assign(session: Session, token: CancelToken, case_id: str, login: str) -> Assignment:
    """Put the case in ``login``'s hands. A pending recusal is decided in the case instead (回避决定 names the
    replacement, with reasons); a mediator recused from the case cannot be given it again."""
    from fzmediate.procedure.guard_registry import pending_recusals, recused

    require(session, "case.assign")
    record = session.cases.view(case_id).record()
    if pending_recusals(record):
        raise ValidationError(
            _(
                "A recusal request is pending in this case: decide it in the case (recusal decision), which names "
                "the new mediator."
            ),
            field="mediator",
        )
    if login.strip() in recused(record):
        raise ValidationError(
            _("{login} has been recused from this case and cannot be assigned to it.").format(login=login.strip()),
            field="mediator",
        )
    detail = session.cases.assign(case_id, login)
    return Assignment(detail.id, detail.number, detail.assigned_mediator)


# --- statistics ---------------------------------------------------------------------------------------


def statistics(session: Session, token: CancelToken, query: StatsQuery) -> Statistics:
    from fzmediate.services.statistics import compute

    return compute(session, query)


def statistics_csv(session: Session, token: CancelToken, query: StatsQuery) -> bytes:
    """The statistics as CSV, UTF-8 with a byte-order mark (so that Excel reads the Chinese)."""
    from fzmediate.services.statistics import compute

    return to_csv(compute(session, query))


def statistics_pdf(session: Session, token: CancelToken, query: StatsQuery) -> bytes:
    """The statistics as a PDF with its fonts embedded."""
    from fzmediate.services.statistics import compute, to_pdf

    return to_pdf(compute(session, query))


def export_statistics(session: Session, token: CancelToken, query: StatsQuery, fmt: str, path: str) -> Exported:
    """Compute the statistics and write them to ``path`` as ``fmt`` ("csv" or "pdf"), replacing it atomically.

    Aggregates only: no personal data reaches the file.
    """
    if fmt not in ("csv", "pdf"):
        raise ValueError("fmt")
    token.report(0, 2)
    data = statistics_csv(session, token, query) if fmt == "csv" else statistics_pdf(session, token, query)
    token.check()
    token.report(1, 2)
    target = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=".export-", dir=str(target.parent))
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    token.report(2, 2)
    return Exported(str(target), len(data))
