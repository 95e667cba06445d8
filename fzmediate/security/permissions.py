"""The one permission question: may this user do this operation (on this case) now, and if not, why?

Roles, what each may do, and the checks that follow from a case are answered here, in one place, by
:func:`may`. The desk asks it to enable a control and to say why a disabled one is disabled (tooltip and
accessible description); the services ask the same function before they change anything and refuse with its
first reason (:func:`require`). So a disabled control and a service refusal never disagree.

An operation is a service operation name: ``case.create``, ``case.void``, ``organisation.unit``,
``manage_users`` … (:data:`OPERATIONS`). Two take a detail after a colon and, given a case, judge it too:

* ``case.act:ACT`` — the role, then the desk unit's remit (a desk acts only for the matters its unit implements,
  except the way out: transfer, withdrawal; ``fzmediate.services.organisation``), then the procedure engine's
  reasons for that act on that case today (state, the act's own roles, legal qualification, a different actor,
  guards and clocks; ``CaseService.available_actions``);
* ``document.issue:KIND`` — the role, then whether the kind can be made for the case (the act it documents is
  on record), the issuing body for the desk's unit, and whether it may be sealed yet.

What only the act's data can decide (a payload field, the date of a late entry) is judged when the act is
applied: ``may`` can say yes and the service still refuse the data, never the other way round.

There is no kiosk role: a kiosk is its own device with its own store and never holds this store's key
(``fzmediate.services.kiosk``). A role counts only when an administrator's signed grant states it
(``fzmediate.security.grants``). The recovery code acts with no role and may do none of these.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING

from fzmediate.errors import FzError, PermissionDenied, ValidationError
from fzmediate.i18n import N_, _

if TYPE_CHECKING:
    from fzmediate.services.session import Actor, Session


class Role(StrEnum):
    ADMIN = "admin"
    SUPERVISOR = "supervisor"
    MEDIATOR = "mediator"


class Permission(StrEnum):
    """The store-administration operations (their values are operation names of :data:`OPERATIONS`)."""

    MANAGE_USERS = "manage_users"
    BACKUP = "backup"
    RESTORE = "restore"
    CHECK = "check"
    VIEW_AUDIT = "view_audit"


_LABELS = {
    Role.ADMIN: N_("administrator"),
    Role.SUPERVISOR: N_("supervisor"),
    Role.MEDIATOR: N_("mediator"),
}


def role_label(role: Role) -> str:
    return _(_LABELS[role])


# --- who may do what ------------------------------------------------------------------------------------

EVERYONE = frozenset(Role)
#: Mediators, supervisors and administrators register and work cases; the procedure engine then checks each
#: act against the actor (e.g. the legality review needs a different, legally qualified person).
CASE_WORKERS = frozenset({Role.ADMIN, Role.SUPERVISOR, Role.MEDIATOR})
APPLICATION_WRITERS = CASE_WORKERS
#: Roles that may hold the office signing key and issue documents. An administrator manages accounts and the
#: store; without a case role they get no share of the office keys (security/key_shares.py).
ISSUERS = frozenset({Role.SUPERVISOR, Role.MEDIATOR})
ASSIGNERS = frozenset({Role.ADMIN, Role.SUPERVISOR})
CATALOGUE_READERS = EVERYONE
CATALOGUE_IMPORTERS = frozenset({Role.ADMIN})
UNIT_SETTERS = frozenset({Role.ADMIN})
_OVERSEERS = frozenset({Role.ADMIN, Role.SUPERVISOR})

#: Every operation the services check, and the roles that may do it.
OPERATIONS: Mapping[str, frozenset[Role]] = {
    # cases
    "case.create": APPLICATION_WRITERS,
    "case.view": CASE_WORKERS,  # the masked case file, for browsing (not audited)
    "case.show": CASE_WORKERS,  # the full case file, on an explicit action (audited)
    "case.list": CASE_WORKERS,
    "case.actions": CASE_WORKERS,
    "case.deadlines": CASE_WORKERS,
    "case.act": CASE_WORKERS,
    "case.assign": ASSIGNERS,
    "case.correct": CASE_WORKERS,
    "case.void": ASSIGNERS,
    "session.plan": CASE_WORKERS,  # plan or cancel a session (time, place, staff); not a procedure act
    # attachments (scans and photos filed with a case); a wrongly filed one is marked removed, never deleted,
    # by whoever works the case: the mediator who filed a wrong scan corrects it as they correct a typo
    "attachment.add": CASE_WORKERS,
    "attachment.list": CASE_WORKERS,  # masked metadata, for browsing (not audited)
    "attachment.show": CASE_WORKERS,  # the bytes, on an explicit action (audited)
    "attachment.remove": CASE_WORKERS,
    # documents
    "document": CASE_WORKERS,  # drafts
    "document.office": CASE_WORKERS,
    "document.list": CASE_WORKERS,
    "document.show": CASE_WORKERS,
    "document.casefile": CASE_WORKERS,
    "document.verify": EVERYONE,
    "document.issue": ISSUERS,
    # applications from kiosks and the office keys
    "intake": CASE_WORKERS,
    "intake.key": CASE_WORKERS,
    "intake.import": CASE_WORKERS,
    "intake.list": CASE_WORKERS,
    "intake.register": CASE_WORKERS,
    "intake.reject": CASE_WORKERS,
    "office.export_key": ISSUERS,
    "office.request": ASSIGNERS & ISSUERS,
    "office.install": ASSIGNERS,
    # the catalogue and the desk's unit
    "catalogue": CATALOGUE_READERS,
    "catalogue.import": CATALOGUE_IMPORTERS,
    "organisation.units": CATALOGUE_READERS,
    "organisation.unit": UNIT_SETTERS,
    # oversight
    "statistics": _OVERSEERS,
    # sync with the district server: an administrator enrolls the device; whoever works cases may sync it
    "sync.enroll": frozenset({Role.ADMIN}),
    "sync.run": CASE_WORKERS,
    # a sync conflict is settled (a value chosen for the record, with a reason) by a supervisor or administrator
    "sync.resolve": ASSIGNERS,
    # the store
    Permission.MANAGE_USERS.value: frozenset({Role.ADMIN}),
    Permission.BACKUP.value: _OVERSEERS,
    Permission.RESTORE.value: frozenset({Role.ADMIN}),
    Permission.CHECK.value: _OVERSEERS,
    Permission.VIEW_AUDIT.value: _OVERSEERS,
}
#: Operations that take a detail after a colon (``case.act:accept``), judged on a case when one is given.
DETAILED = frozenset({"case.act", "document.issue"})


def allows(role: Role, permission: Permission | str) -> bool:
    """Whether ``role`` may do the operation (its role alone; :func:`may` adds what follows from a case)."""
    return role in OPERATIONS[_base(str(permission))[0]]


def _base(action: str) -> tuple[str, str]:
    """(operation, detail) of ``action``; an operation not in the table is a programming error."""
    base, _sep, detail = action.partition(":")
    if base not in OPERATIONS or (detail and base not in DETAILED):
        raise ValueError("unknown operation: " + action)
    return base, detail


# --- the answer -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Decision:
    """Allowed, or not with every reason (localized sentences, the first one the service refuses with)."""

    allowed: bool
    reasons: tuple[str, ...] = ()
    #: The refusal the service raises (its type tells callers what kind of refusal: role, unit, procedure).
    error: FzError | None = field(default=None, compare=False, repr=False)

    def __bool__(self) -> bool:
        return self.allowed

    @property
    def reason(self) -> str:
        """The first reason ("" when allowed): the tooltip of a disabled control, the service's refusal."""
        return self.reasons[0] if self.reasons else ""

    def require(self) -> None:
        """Raise the refusal when not allowed."""
        if not self.allowed:
            raise self.error if self.error is not None else PermissionDenied(self.reason)


ALLOWED = Decision(True)


def _denied(*errors: FzError) -> Decision:
    reasons: list[str] = []
    for e in errors:
        reasons.extend(getattr(e, "reasons", (e.message,)))
    return Decision(False, tuple(dict.fromkeys(reasons)), errors[0])


def _role_decision(role: Role | None, base: str) -> Decision:
    if role is None or role not in OPERATIONS[base]:
        return _denied(
            PermissionDenied(_("Your role does not allow this operation ({permission}).").format(permission=base))
        )
    return ALLOWED


def may(who: Session | Actor, action: str, case: str | None = None, *, on: date | None = None) -> Decision:
    """May ``who`` (a session, or just its actor) do ``action`` (on ``case``, by id or number) now?

    With an actor, or without a case, only the role is judged. ``on``: the date an act happened (a late
    entry is judged as the case stood that day; by default today). Raises NotFoundError for an unknown case
    and ValueError for an operation the table does not know.
    """
    # An actor is a plain value (the desk's GUI process judges by role with it and never loads the store).
    from fzmediate.services.dto import Actor

    base, detail = _base(action)
    actor = who if isinstance(who, Actor) else who.actor
    decision = _role_decision(actor.role, base)
    if not decision or case is None or not detail or isinstance(who, Actor):
        return decision
    if base == "case.act":
        return act_decisions(who, case, on=on, only=detail)[detail]
    return _issue_decision(who, detail, case)


def require(who: Session, action: str, case: str | None = None, *, on: date | None = None) -> Role:
    """Refuse (raise the first reason's error) unless :func:`may` allows; return the actor's role."""
    may(who, action, case, on=on).require()
    role = who.actor.role
    assert role is not None  # may() refuses the recovery actor every operation
    return role


def require_role(session: Session, allowed: frozenset[Role], operation: str) -> Role:
    """Older form of :func:`require` for code written before the operation table: prefer ``require``."""
    role = session.actor.role
    if role is None or role not in allowed:
        raise PermissionDenied(
            _("Your role does not allow this operation ({permission}).").format(permission=operation)
        )
    return role


def act_decisions(
    session: Session, case: str, *, on: date | None = None, only: str | None = None
) -> dict[str, Decision]:
    """``may(session, "case.act:" + act, case)`` for every act of the case's procedure, in one reading.

    For a case view: one call gives each act's control its state and its reason. ``only`` asks about one act
    (also one its procedure lacks, which is refused naming the procedure).
    """
    from sqlalchemy import select

    from fzmediate.procedure.engine import ActionRefused
    from fzmediate.store.models import Case

    role = _role_decision(session.actor.role, "case.act")
    cases = session.cases
    case_id = cases._resolve(case)
    with session.read() as s:
        matter_code, procedure_id, received_on = s.execute(
            select(Case.matter_code, Case.procedure_id, Case.received_on).where(Case.id == case_id)
        ).one()
    # A date the engine would refuse as a date (future, before the receipt) is judged as of today here; the
    # engine names the date's problem when the act is applied.
    when = on if on is not None and received_on <= on <= cases.today() else None
    infos = {i.name: i for i in cases.available_actions(case_id, on=when)} if role else {}
    names = [only] if only is not None else list(infos)
    out: dict[str, Decision] = {}
    for name in names:
        if not role:
            out[name] = role
            continue
        errors: list[FzError] = []
        try:
            session.organisation.require_may_act(matter_code, name)
        except FzError as exc:
            errors.append(exc)
        info = infos.get(name)
        if info is None:
            reasons: tuple[str, ...] = (
                _("There is no act {action} in procedure {id}").format(action=name, id=procedure_id),
            )
        else:
            reasons = info.reasons if not info.allowed else ()
        if reasons:
            errors.append(ActionRefused(reasons, action=name))
        out[name] = _denied(*errors) if errors else ALLOWED
    return out


def _issue_decision(session: Session, kind_name: str, case: str) -> Decision:
    """May the document kind be issued (sealed) for the case now: made at all, by this desk, sealed yet."""
    from fzmediate.documents.templates.kinds import get_kind, unmet, unmet_for_issue

    cases, documents = session.cases, session.documents
    try:
        kind = get_kind(kind_name)
    except FzError as exc:
        return _denied(exc)
    with session.read() as s:
        _row, record = cases._load(s, cases._resolve(case))
    matter = documents._matter(record)
    label = cases.labels(record).action
    problem = unmet(kind, record, label, matter=matter)
    if problem is not None:
        return _denied(ValidationError(problem, field="kind"))
    try:
        documents._issuer_for(kind, record, matter)
    except FzError as exc:
        return _denied(exc)
    not_yet = unmet_for_issue(kind, record, label)
    if not_yet is not None:
        return _denied(ValidationError(not_yet, field="kind"))
    return ALLOWED
