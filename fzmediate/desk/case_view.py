"""The case view's store calls: one case on screen, its acts, its planned sessions.

:func:`load` reads everything the case page shows in one call, masked and not audited: the case file, the
timeline of events (each summarised without personal data beyond masked names), the deadlines, every act of
the procedure with whether the user may do it now and why not (``act_decisions``: the same answer the service
refuses with), the form of each act (``forms_of``: the same forms the CLI describes) and the planned sessions.
:func:`apply_act` checks the typed data with the form first and answers per field (the dialog shows each
message beside its field), then applies the act. :func:`reveal` is the explicit, audited "show personal data".
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from fzmediate.desk.token import CancelToken
from fzmediate.domain.case import Authority, CaseRecord, Party, PartyKind, PartyRole, party_role_label
from fzmediate.errors import ActionRefused, FzError, ValidationError
from fzmediate.i18n import _
from fzmediate.procedure.clock import working_days_between
from fzmediate.procedure.form_types import AGENTS, FORM, ActForm, choice_label
from fzmediate.security.masking import mask_name, redact_text
from fzmediate.security.permissions import act_decisions
from fzmediate.services.case_dto import CaseDetail, EventView, deadline_status_label
from fzmediate.services.plan_dto import PlannedSession

if TYPE_CHECKING:
    from fzmediate.services.session import Session


log = logging.getLogger(__name__)

#: How much of a free text the timeline shows.
SUMMARY_CHARS = 60


@dataclass(frozen=True)
class PartyLine:
    """A party as the Parties tab shows it (masked unless from :func:`reveal`)."""

    id: str
    ref: str
    role: str
    role_label: str
    organization: bool
    name: str
    id_number: str
    phone: str
    address: str
    #: For an agent: whom it represents (role and position) and its authority.
    represents: str
    authority: str


@dataclass(frozen=True)
class TimelineEntry:
    seq: int
    on: date
    action: str
    label: str
    actor: str
    #: 补录: entered after the day it happened.
    late: bool
    summary: str


@dataclass(frozen=True)
class DeadlineLine:
    name: str
    label: str
    due: date
    provisional: bool
    status: str
    status_label: str
    overdue: bool
    #: Working days from today to the due date (negative: overdue by); None when not countable.
    working_days_left: int | None


@dataclass(frozen=True)
class ActLine:
    """One act of the procedure: may the user do it now, and if not, every reason (localized)."""

    action: str
    label: str
    allowed: bool
    reasons: tuple[str, ...]
    form: ActForm


@dataclass(frozen=True)
class CaseScreen:
    id: str
    number: str
    kind_label: str
    matter_name: str
    state: str
    state_label: str
    mediator: str
    received_on: date
    summary: str
    claims: str
    next_due: date | None
    next_due_label: str
    next_due_provisional: bool
    overdue: bool
    today: date
    parties: tuple[PartyLine, ...]
    timeline: tuple[TimelineEntry, ...]
    deadlines: tuple[DeadlineLine, ...]
    acts: tuple[ActLine, ...]
    sessions: tuple[PlannedSession, ...]
    version: int
    #: The mediator's full name (the login when the user has none or is gone).
    mediator_name: str = ""

    def act(self, name: str) -> ActLine:
        found = next((a for a in self.acts if a.action == name), None)
        if found is None:
            raise KeyError(name)
        return found


@dataclass(frozen=True)
class ActOutcome:
    """What became of an act: applied (the case's new version), or refused with messages by field.

    ``errors`` pairs a field name (``FORM`` for the form as a whole, ``occurred_on``/``late_reason`` for the
    date of a late entry) with its message. Nothing was written when ``applied`` is False.
    """

    applied: bool
    version: int
    errors: tuple[tuple[str, str], ...] = ()

    def error(self, name: str) -> str:
        return "\n".join(m for n, m in self.errors if n == name)


# --- reading ------------------------------------------------------------------------------------------


def _party_lines(detail: CaseDetail) -> tuple[PartyLine, ...]:
    from fzmediate.procedure.payload import party_ref

    record = _plain_record(detail)
    out: list[PartyLine] = []
    for p in detail.parties:
        represented = record.party(p.represents) if p.represents else None
        out.append(
            PartyLine(
                id=p.id,
                ref=party_ref(record, p),
                role=p.role.value,
                role_label=party_role_label(p.role),
                organization=p.kind is PartyKind.ORGANIZATION,
                name=p.name,
                id_number=p.id_number,
                phone=p.phone,
                address=p.address,
                represents=party_ref(record, represented) if represented is not None else "",
                authority=_authority_label(p),
            )
        )
    return tuple(out)


def _authority_label(p: Party) -> str:
    if p.role is not PartyRole.AGENT:
        return ""
    return _("special authority") if p.authority == Authority.SPECIAL.value else _("general authority")


def _plain_record(detail: CaseDetail) -> CaseRecord:
    return detail.record()


def _short(text: str) -> str:
    text = " ".join(redact_text(text).split())
    return text if len(text) <= SUMMARY_CHARS else text[: SUMMARY_CHARS - 1] + "…"


def summarize(event: EventView, form: ActForm | None, record: CaseRecord) -> str:
    """A line about what the event recorded: parties by role and position (masked name), choices by their
    words, texts shortened with ID numbers and phones starred, names of agents masked."""
    from fzmediate.procedure.payload import party_ref

    payload: Mapping[str, Any] = event.payload
    parts: list[str] = []

    def party(pid: Any) -> str:
        p = record.party(pid) if isinstance(pid, str) else None
        if p is None:
            return "?"
        return "{0} {1}".format(party_ref(record, p), mask_name(p.name)).strip() if p.name else party_ref(record, p)

    fields = form.fields if form is not None else ()
    for f in fields:
        value = payload.get(f.name)
        if value in (None, "", [], False):
            continue
        label = f.display
        if f.type == "party":
            shown = party(value)
        elif f.type == "parties" and isinstance(value, list):
            shown = _(", ").join(party(v) for v in value)
        elif f.type in ("choice", "time_limit"):
            shown = next((c.label for c in f.choices if c.value == value), choice_label(f.name, str(value)))
        elif f.name == AGENTS and isinstance(value, list):
            shown = _(", ").join(party(v) for v in value)  # agents are parties of the case, kept by id
        elif f.type == "text_list" and isinstance(value, list):
            shown = _(", ").join(mask_name(str(v)) for v in value)
        elif f.type == "terms" and isinstance(value, list):
            shown = _("{n} terms").format(n=len(value))
        elif f.type == "boolean":
            shown = _("yes")
        else:
            shown = _short(str(value))
        parts.append(_("{field}: {value}").format(field=label, value=shown))
    return _("; ").join(parts)


def _late(event: EventView) -> bool:
    """补录: the engine keeps the day entered and the reason under ``late_entry``."""
    late = event.payload.get("late_entry")
    return isinstance(late, Mapping) and bool(late.get("entered_on"))


def load(session: Session, token: CancelToken, case_id: str) -> CaseScreen:
    """Everything the case page shows, masked and not audited."""
    from fzmediate.procedure.forms import forms_of
    from fzmediate.services.session_plans import SessionPlans

    cases = session.cases
    detail = cases.view(case_id)
    token.check()
    today = cases.today()
    engine = cases.engines.for_case(detail.bundle_id, detail.bundle_version, detail.matter_code, detail.procedure_id)
    record = detail.record()  # masked names: forms mask them again, harmlessly
    forms = {f.action: f for f in forms_of(engine.definition, record)}
    decisions = act_decisions(session, detail.id)
    acts = tuple(
        ActLine(
            action=a.name,
            label=a.label or a.name,
            allowed=decisions[a.name].allowed if a.name in decisions else False,
            reasons=decisions[a.name].reasons if a.name in decisions else (_("Not available."),),
            form=forms[a.name],
        )
        for a in engine.definition.actions
    )
    token.check()
    deadlines: list[DeadlineLine] = []
    for d in cases.deadlines(detail.id, today):
        status = str(d.status)
        open_ = status == "open"
        try:
            left: int | None = working_days_between(engine.calendar, today, d.due)[0] if open_ else None
        except (FzError, ValueError, OverflowError):
            left = None
        deadlines.append(
            DeadlineLine(
                name=d.name,
                label=d.label or d.name,
                due=d.due,
                provisional=d.provisional,
                status=status,
                status_label=deadline_status_label(status, late=d.late),
                overdue=status == "overdue" or (open_ and d.due < today),
                working_days_left=left,
            )
        )
    timeline = tuple(
        TimelineEntry(
            seq=e.seq,
            on=e.on,
            action=e.action,
            label=e.action_label or e.action,
            actor=e.actor,
            late=_late(e),
            summary=summarize(e, forms.get(e.action), record),
        )
        for e in detail.timeline()
    )
    sessions = tuple(SessionPlans(session).of_case(detail.id))
    names = {u.login: u.full_name for u in session.users.list(include_removed=True)}
    return CaseScreen(
        mediator_name=names.get(detail.assigned_mediator) or detail.assigned_mediator,
        id=detail.id,
        number=detail.number,
        kind_label=detail.kind_label,
        matter_name=detail.matter_name,
        state=detail.state,
        state_label=detail.state_label,
        mediator=detail.assigned_mediator,
        received_on=detail.received_on,
        summary=detail.summary,
        claims=detail.claims,
        next_due=detail.next_due,
        next_due_label=detail.next_due_label,
        next_due_provisional=detail.next_due_provisional,
        overdue=detail.overdue(today),
        today=today,
        parties=_party_lines(detail),
        timeline=timeline,
        deadlines=tuple(deadlines),
        acts=acts,
        sessions=sessions,
        version=detail.version,
    )


def reveal(session: Session, token: CancelToken, case_id: str) -> tuple[PartyLine, ...]:
    """The parties with their full personal data, on the explicit "show personal data" action (audited)."""
    return _party_lines(session.cases.reveal(case_id))


# --- acting -------------------------------------------------------------------------------------------


def apply_act(
    session: Session,
    token: CancelToken,
    case_id: str,
    action: str,
    raw_payload: Mapping[str, Any],
    occurred_on: date | None,
    late_reason: str,
    expected_version: int | None,
) -> ActOutcome:
    """Check ``raw_payload`` with the act's form, then apply the act; refusals come back by field.

    Raises ``StaleCaseError`` when the case changed since ``expected_version`` (the dialog reloads).
    """
    from fzmediate.procedure.forms import forms_of, validate

    cases = session.cases
    detail = cases.view(case_id)
    engine = cases.engines.for_case(detail.bundle_id, detail.bundle_version, detail.matter_code, detail.procedure_id)
    try:
        form = next(f for f in forms_of(engine.definition, detail.record()) if f.action == action)
    except StopIteration:
        return ActOutcome(False, detail.version, ((FORM, _("There is no such act in this procedure.")),))
    payload, errors = validate(form, dict(raw_payload))
    if errors:
        return ActOutcome(False, detail.version, tuple(sorted(errors.items())))
    try:
        after = cases.act(
            case_id,
            action,
            payload,
            occurred_on=occurred_on,
            late_reason=late_reason,
            expected_version=expected_version,
        )
    except ActionRefused as exc:
        return ActOutcome(False, detail.version, tuple((_field_of(form, r), r) for r in exc.reasons))
    except ValidationError as exc:
        if exc.__class__ is not ValidationError:
            raise
        name = exc.field if exc.field in ("occurred_on", "late_reason", "out_of_order_reason") else FORM
        return ActOutcome(False, detail.version, ((name or FORM, exc.message),))
    log.info("act %s applied from the case view", action)
    return ActOutcome(True, after.version)


def _field_of(form: ActForm, reason: str) -> str:
    """The field a refusal names ("调解结果: …"), else the form as a whole."""
    for name in ("occurred_on", "late_reason", "out_of_order_reason"):
        if reason.startswith((name + ":", name + "：")):
            return name
    for f in form.fields:
        if reason.startswith(_("{field}: {rule}").format(field=f.display, rule="")):
            return f.name
    return FORM


# --- planned sessions -----------------------------------------------------------------------------------


def plan_session(
    session: Session,
    token: CancelToken,
    case_id: str,
    starts_at: datetime,
    minutes: int,
    place: str,
    staff: tuple[str, ...],
    note: str,
) -> PlannedSession:
    from fzmediate.services.session_plans import SessionPlans

    return SessionPlans(session).plan(case_id, starts_at, minutes, place, staff, note)


def cancel_session(session: Session, token: CancelToken, plan_id: str, reason: str, version: int) -> PlannedSession:
    from fzmediate.services.session_plans import SessionPlans

    return SessionPlans(session).cancel(plan_id, reason, expected_version=version)


def planned_sessions(session: Session, token: CancelToken, case_id: str) -> tuple[PlannedSession, ...]:
    from fzmediate.services.session_plans import SessionPlans

    return tuple(SessionPlans(session).of_case(case_id))
