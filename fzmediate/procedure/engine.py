"""The procedure engine: may this act happen to this case now, and if so, what does it record?

The engine is a pure function of the procedure definition, the matter's time limits and remedies, the
work calendar and the case snapshot with its events. It stores nothing: :meth:`ProcedureEngine.apply`
returns the next state and the checked payload, and the persistence layer appends the case event
(``action``, ``on``, ``payload``) and sets the state. A refused act raises :class:`ActionRefused` listing
*every* missing precondition — wrong state, role, qualification, data, and each failing guard — so that
people can fix everything at once.

Late acts are not refused: acceptance decided after five working days is still an acceptance. The act's
event records which deadlines it met and whether in time (``deadlines_met``), and :meth:`deadlines` shows
the deadline as met late.

Late entries (补录): an act is dated when it really happened (``ActionRequest.on``), which may be earlier than
the day it is entered (``entered_on``) — then with a ``late_reason``, never in the future and never before
the case was received; dated before the previous act only with an ``out_of_order_reason``. The event keeps
both dates and the reasons (``late_entry``). Deadlines and guards read the case in the order things
happened (by date, then by entry), so a late entry counts where it belongs; an act entered out of order is
judged on what had happened by its date.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, Final, Literal

from fzmediate.catalogue.localize import localized
from fzmediate.catalogue.model import Matter
from fzmediate.domain.case import RECORD_ACTIONS, CaseRecord
from fzmediate.errors import ActionRefused as ActionRefused
from fzmediate.errors import FzError, ValidationError
from fzmediate.i18n import _
from fzmediate.procedure.calendar import WorkCalendar
from fzmediate.procedure.clock import Unit as ClockUnit
from fzmediate.procedure.clock import compute_deadline, describe
from fzmediate.procedure.deadlines import Tracked, as_payload, extension_used, suspension_periods, track
from fzmediate.procedure.definition import ActionSpec, ProcedureDefinition, load_definitions
from fzmediate.procedure.guards import GUARDS, GuardContext, current_mediator
from fzmediate.procedure.payload import normalize_payload
from fzmediate.security.roles import Role, role_label

__all__ = [
    "ActionInfo",
    "ActionRefused",
    "ActionRequest",
    "Actor",
    "DeadlineInfo",
    "Outcome",
    "ProcedureEngine",
    "load_definitions",
    "standard_definitions",
]

#: Acts dated later than this are refused (the catalogue's holiday tables end at 2200 as well).
LATEST_PLAUSIBLE: Final = date(2200, 12, 31)
#: The act that drafts an agreement for signing, and the field of ``record_agreement`` that takes its text.
DRAFT_ACTION: Final = "draft_agreement"
FROM_DRAFT: Final = "from_draft"
#: What ``record_agreement`` takes from the draft when it references it (and does not restate it).
DRAFT_FIELDS: Final = ("facts_and_disputes", "terms", "partial", "remaining_disputes")
#: The longest late-entry reason accepted (a sentence or two, not a file).
MAX_REASON: Final = 2_000


@dataclass(frozen=True)
class Actor:
    """Who acts: the user's login, role, and whether they hold a legal qualification (法律职业资格)."""

    login: str
    role: Role
    legally_qualified: bool


@dataclass(frozen=True)
class ActionRequest:
    """An act someone wants to record. ``on`` is the legal date of the act (deadlines count from it)."""

    action: str
    actor: Actor
    on: date
    payload: Mapping[str, Any] = field(default_factory=dict)
    #: The day the act is entered (today, in China). None: not judged as a late entry (engine-only use).
    entered_on: date | None = None
    #: Why an act is entered after the day it happened (补录): required when ``on`` < ``entered_on``.
    late_reason: str = ""
    #: Why an act is dated before the previous act: required then.
    out_of_order_reason: str = ""


@dataclass(frozen=True)
class Outcome:
    """What an allowed act does: the next state and the checked payload to store in the case event."""

    new_state: str
    payload: dict[str, Any]
    #: Set when the act replaced the mediator (a granted recusal): the case's new assigned mediator.
    assigned_mediator: str | None = None


@dataclass(frozen=True)
class ActionInfo:
    """One act of the procedure as offered to a user now: allowed, or why not."""

    name: str
    label: str
    allowed: bool
    reasons: tuple[str, ...]
    #: False when the case is not in a state the act starts from (the UI usually hides those).
    in_state: bool = True


DeadlineStatus = Literal["open", "met", "overdue", "stopped"]


@dataclass(frozen=True)
class DeadlineInfo:
    """A time limit of a case, for screens, notices and the overdue list."""

    name: str
    label: str
    due: date
    provisional: bool
    basis: str
    status: DeadlineStatus
    met_on: date | None
    #: Whose time limit it is: the agency's, a party's (e.g. the reply, 司法确认) or a court's.
    applies_to: str = "agency"
    #: The legal basis of the limit, from the matter (e.g. 《…条例》第四十六条).
    legal_basis: str = ""
    start: date | None = None
    stopped_on: date | None = None
    #: A waiting period (e.g. a public notice) is nobody's obligation; it is met when it runs out.
    waiting_period: bool = False

    @property
    def late(self) -> bool:
        """Met, but after the due date (recorded, not refused)."""
        return self.met_on is not None and self.met_on > self.due


def chronological(case: CaseRecord, until: date | None = None) -> CaseRecord:
    """The case as things happened: procedure events by date, then by entry, renumbered in that order.

    Record-keeping events (corrections, voiding) are left out: they are no acts and count for no deadline.
    ``until``: only what had happened by that date (an act entered out of order is judged on that).
    """
    events = sorted((e for e in case.events if e.action not in RECORD_ACTIONS), key=lambda e: (e.on, e.seq))
    if until is not None:
        events = [e for e in events if e.on <= until]
    if [e.seq for e in events] == [e.seq for e in case.events]:
        return case
    return replace(case, events=tuple(replace(e, seq=i) for i, e in enumerate(events, start=1)))


def _info(t: Tracked) -> DeadlineInfo:
    return DeadlineInfo(
        name=t.name,
        label=t.label,
        due=t.due,
        provisional=t.provisional,
        basis=t.basis,
        status=t.status,
        met_on=t.met_on,
        applies_to=t.limit.applies_to,
        legal_basis=t.limit.basis,
        start=t.start,
        stopped_on=t.stopped_on,
        waiting_period=t.spec.waiting_period,
    )


class ProcedureEngine:
    """Runs one procedure definition for the cases of one matter."""

    def __init__(self, definition: ProcedureDefinition, matter: Matter, calendar: WorkCalendar) -> None:
        if matter.kind != definition.kind:
            raise ValidationError(
                _("Matter {code} is a {kind} matter; procedure {id} is for {other}").format(
                    code=matter.code, kind=matter.kind, id=definition.id, other=definition.kind
                ),
                field="procedure",
            )
        self.definition = definition
        self.matter = matter
        self.calendar = calendar

    # --- public API -------------------------------------------------------------------------------------

    def apply(self, case: CaseRecord, request: ActionRequest) -> Outcome:
        """Check the act and return what to record; raise :class:`ActionRefused` naming all that is missing."""
        try:
            return self._apply(case, request)
        except ActionRefused:
            raise
        except FzError as exc:
            # E.g. a date so far in the future that the clock cannot count to it.
            raise ActionRefused([exc.message], action=request.action) from exc

    def actions(self, case: CaseRecord, actor: Actor, *, on: date | None = None) -> list[ActionInfo]:
        """Every act of the procedure, with whether ``actor`` could do it now and, if not, why.

        Checks that depend on the act's data are left out (they are judged when the act is applied).
        Date-dependent guards (the mediation period, the reply period) are judged as of ``on``, by
        default today's date.
        """
        when = on if on is not None else date.today()
        out: list[ActionInfo] = []
        try:
            tracked: dict[str, Tracked] | None = track(
                self.definition, self.matter, self.calendar, chronological(case), when
            )
        except FzError:
            tracked = None  # each act then reports the clock's problem itself
        for act in self.definition.actions:
            try:
                reasons, _payload, _tracked = self._check(case, actor, act.name, when, None, tracked)
            except FzError as exc:
                reasons = [exc.message]
            out.append(
                ActionInfo(
                    name=act.name,
                    label=act.label,
                    allowed=not reasons,
                    reasons=tuple(dict.fromkeys(reasons)),
                    in_state=case.state in act.from_states,
                )
            )
        return out

    def deadlines(self, case: CaseRecord, today: date) -> list[DeadlineInfo]:
        """Every time limit of the case that has started, earliest due first."""
        tracked = track(self.definition, self.matter, self.calendar, chronological(case), today)
        return sorted((_info(t) for t in tracked.values()), key=lambda d: (d.due, d.name))

    def next_deadline(self, case: CaseRecord, today: date) -> DeadlineInfo | None:
        """The earliest of the agency's deadlines still owed (open or overdue), or None.

        Parties' windows (the reply, 司法确认) and waiting periods are not the agency's to meet, so they
        never make a case overdue; :meth:`deadlines` shows them.
        """
        owed = [
            d
            for d in self.deadlines(case, today)
            if d.status in ("open", "overdue") and d.applies_to == "agency" and not d.waiting_period
        ]
        return owed[0] if owed else None

    def state_label(self, state: str) -> str:
        return self.definition.state_label(state)

    # --- checks -----------------------------------------------------------------------------------------

    def _check(
        self,
        case: CaseRecord,
        actor: Actor,
        name: str,
        on: date,
        raw: Mapping[str, Any] | None,
        tracked: dict[str, Tracked] | None = None,
        request: ActionRequest | None = None,
    ) -> tuple[list[str], dict[str, Any], dict[str, Tracked]]:
        """All reasons against the act, its checked payload, and the deadlines as of ``on``.

        ``raw is None`` means "listing": data-dependent checks are skipped. ``tracked`` may pass the
        deadlines already computed for ``on`` (listing computes them once for every act). ``request``: the
        act being applied (its late-entry data is checked).
        """
        d = self.definition
        act = d.action(name)
        if act is None:
            return [_("There is no act {action} in procedure {id}").format(action=name, id=d.id)], {}, {}
        reasons: list[str] = []
        if case.procedure_id and case.procedure_id != d.id:
            reasons.append(
                _("The case follows procedure {case_id}, not {id}").format(case_id=case.procedure_id, id=d.id)
            )
        if case.state not in act.from_states:
            reasons.append(
                _("Action {action} is not possible in state {state}; it needs: {needed}").format(
                    action=localized(act.label),
                    state=localized(d.state_label(case.state)),
                    needed=_(" or ").join(localized(d.state_label(s)) for s in act.from_states),
                )
            )
        reasons += self._actor_reasons(case, actor, act)
        if not act.repeatable:
            done = case.last_event(act.name)
            if done is not None:
                reasons.append(
                    _("{action} has already been done (on {on})").format(action=act.label, on=done.on.isoformat())
                )
        if raw is not None:
            reasons += self._date_reasons(case, request or ActionRequest(name, actor, on))
        payload, problems = normalize_payload(case, act, raw if raw is not None else {})
        if raw is not None:
            reasons += problems
            reasons += self._merge_draft(case, act, payload)
        # Guards and clocks read the case as it stood on the act's date (see the module docs).
        seen = chronological(case, on)
        if tracked is None:
            tracked = track(d, self.matter, self.calendar, seen, on)
        checked = ActionRequest(action=name, actor=actor, on=on, payload=payload)
        ctx = GuardContext(seen, checked, act, payload, d, self.matter, tracked)
        checks = [GUARDS[g] for g in act.guards]
        if act.extends:
            # What an extension is allowed to be is the law's, not the data's: always checked.
            checks += [GUARDS[n] for n in ("extension_before_due", "extension_within_limit") if n not in act.guards]
        for info in checks:
            if raw is None and info.uses_payload:
                continue
            problem = info.check(ctx)
            if problem:
                reasons.append(problem)
        return reasons, payload, tracked

    def _actor_reasons(self, case: CaseRecord, actor: Actor, act: ActionSpec) -> list[str]:
        reasons: list[str] = []
        if actor.role.value not in act.roles:
            reasons.append(
                _("Your role ({role}) cannot do {action}; it is for: {roles}").format(
                    role=role_label(actor.role),
                    action=act.label,
                    roles=_(" or ").join(role_label(Role(r)) for r in act.roles),
                )
            )
        if act.requires_legally_qualified and not actor.legally_qualified:
            reasons.append(_("{action} needs a user with a legal qualification").format(action=act.label))
        if act.requires_different_actor_from:
            did = [
                self.definition.action_label(e.action)
                for e in case.events
                if e.action in act.requires_different_actor_from and e.actor == actor.login
            ]
            if did:
                reasons.append(
                    _("{action} must be done by someone other than the person who did: {acts}").format(
                        action=act.label, acts=_(", ").join(dict.fromkeys(did))
                    )
                )
        return reasons

    @staticmethod
    def _date_reasons(case: CaseRecord, request: ActionRequest) -> list[str]:
        """The rules of an act's date: plausible, not in the future, not before the receipt; a late entry
        gives its reason, an entry dated before the previous act says why."""
        on, entered = request.on, request.entered_on
        if on > LATEST_PLAUSIBLE:
            # A typo like 9026: the clocks could not count from it, and no case lasts that long.
            return [_("The date of the act ({on}) is not a plausible date").format(on=on.isoformat())]
        reasons: list[str] = []
        for key, text in (("late_reason", request.late_reason), ("out_of_order_reason", request.out_of_order_reason)):
            if len(text) > MAX_REASON:
                reasons.append(_("{field}: at most {max} characters").format(field=key, max=MAX_REASON))
        if entered is not None and on > entered:
            reasons.append(
                _("occurred_on: the date of an act ({on}) cannot lie in the future (today is {today})").format(
                    on=on.isoformat(), today=entered.isoformat()
                )
            )
        if on < case.received_on:
            reasons.append(
                _("occurred_on: the date of an act ({on}) cannot be before the case was received ({received})").format(
                    on=on.isoformat(), received=case.received_on.isoformat()
                )
            )
            return reasons
        if entered is not None and on < entered and not request.late_reason.strip():
            reasons.append(
                _(
                    "late_reason: an act entered after the day it happened ({on}, entered {today}) is a late "
                    "entry and needs a reason"
                ).format(on=on.isoformat(), today=entered.isoformat())
            )
        last = max((e.on for e in case.events if e.action not in RECORD_ACTIONS), default=case.received_on)
        if on < last and not request.out_of_order_reason.strip():
            reasons.append(
                _(
                    "out_of_order_reason: the date of the act ({on}) is before the previous act ({last}); "
                    "say why it is entered out of order"
                ).format(on=on.isoformat(), last=last.isoformat())
            )
        return reasons

    @staticmethod
    def _merge_draft(case: CaseRecord, act: ActionSpec, payload: dict[str, Any]) -> list[str]:
        """``record_agreement`` with ``from_draft``: the agreement as drafted and printed for signing.

        What the act restates itself wins; what it leaves empty comes from the latest draft, whose entry it
        then references (``draft_seq``).
        """
        if act.field(FROM_DRAFT) is None or payload.get(FROM_DRAFT) is not True:
            return []
        draft = case.last_event(DRAFT_ACTION)
        if draft is None:
            return [_("from_draft: no draft agreement has been recorded")]
        for key in DRAFT_FIELDS:
            if act.field(key) is not None and payload.get(key) in (None, "", [], False) and key in draft.payload:
                payload[key] = draft.payload[key]
        payload["draft_seq"] = draft.seq
        return []

    # --- applying ---------------------------------------------------------------------------------------

    def _apply(self, case: CaseRecord, request: ActionRequest) -> Outcome:
        reasons, payload, tracked = self._check(
            case, request.actor, request.action, request.on, request.payload, request=request
        )
        if reasons:
            raise ActionRefused(reasons, action=request.action)
        act = self.definition.action(request.action)
        assert act is not None  # _check refused unknown acts
        stored: dict[str, Any] = dict(payload)
        stored["by"] = {"role": request.actor.role.value, "legally_qualified": request.actor.legally_qualified}
        late = self._late_entry(case, request)
        if late:
            stored["late_entry"] = late
        met = [
            as_payload(t, request.on)
            for t in tracked.values()
            if request.action in self.definition.meeters(t.spec) and (t.status in ("open", "overdue") or t.lapsed)
        ]
        if met:
            stored["deadlines_met"] = met
        if act.extends:
            stored["extension"] = self._extension(case, act, payload, tracked, request.on)
        if act.clock == "suspend":
            stored["from_state"] = case.state
        if act.states_remedies:
            stored["remedies"] = self._remedies()
        assigned: str | None = None
        if act.name == "decide_recusal" and payload.get("decision") == "granted":
            assigned = payload.get("new_mediator") or None
            stored["replaced_mediator"] = current_mediator(case)
        return Outcome(new_state=self._next_state(case, act, payload), payload=stored, assigned_mediator=assigned)

    @staticmethod
    def _late_entry(case: CaseRecord, request: ActionRequest) -> dict[str, Any]:
        """What the event keeps of a late or out-of-order entry: the day entered and the reasons given."""
        out: dict[str, Any] = {}
        if request.entered_on is not None and request.on < request.entered_on:
            out = {"entered_on": request.entered_on.isoformat(), "reason": request.late_reason.strip()}
        last = max((e.on for e in case.events if e.action not in RECORD_ACTIONS), default=case.received_on)
        if request.on < last:
            out["out_of_order_reason"] = request.out_of_order_reason.strip()
            out["previous_act_on"] = last.isoformat()
        return out

    def _next_state(self, case: CaseRecord, act: ActionSpec, payload: Mapping[str, Any]) -> str:
        if act.clock == "resume":
            suspenders = self.definition.clock_actions("suspend")
            last = next((e for e in reversed(case.events) if e.action in suspenders), None)
            back = last.payload.get("from_state") if last is not None else None
            spec = self.definition.action(last.action) if last is not None else None
            allowed = spec.from_states if spec is not None else ()
            if isinstance(back, str) and back in allowed:
                return back
            if allowed:
                return allowed[0]
            raise ActionRefused([_("The case has no suspension to resume from")], action=act.name)
        if act.outcomes is not None:
            return act.outcomes.targets[str(payload.get(act.outcomes.field))]
        return act.to_state or case.state

    def _extension(
        self,
        case: CaseRecord,
        act: ActionSpec,
        payload: Mapping[str, Any],
        tracked: Mapping[str, Tracked],
        on: date,
    ) -> dict[str, Any]:
        name = act.extends[0] if len(act.extends) == 1 else str(payload.get("time_limit"))
        current = tracked[name]  # guards made sure it is running
        ext = current.limit.extendable_by
        assert ext is not None  # extension_within_limit made sure
        wanted = payload.get("extend_by")
        amount = wanted if isinstance(wanted, int) and wanted > 0 else ext.amount - extension_used(current)
        suspended = suspension_periods(self.definition, case, on)
        new_due = compute_deadline(self.calendar, current.due, amount, ext.unit, suspended).due
        return {
            "time_limit": name,
            "amount": amount,
            "unit": ext.unit,
            "period": describe(amount, ClockUnit(ext.unit)),
            "previous_due": current.due.isoformat(),
            "new_due": new_due.isoformat(),
            "approver": ext.approver,
            "basis": ext.basis,
        }

    def _remedies(self) -> list[dict[str, Any]]:
        """The remedy routes and deadlines the decision must state, copied from the matter."""
        return [
            {
                "route": r.route,
                "label": r.label,
                "amount": r.amount,
                "unit": r.unit,
                "period": describe(r.amount, ClockUnit(r.unit)),
                "starts_from": r.starts_from,
                "basis": r.basis,
                "body": r.body,
                "required_first": r.required_first,
            }
            for r in self.matter.remedies
        ]


def standard_definitions() -> list[dict[str, Any]]:
    """The two standard procedures as plain JSON-able data (they go into the signed bundle)."""
    from fzmediate.procedure.standard import standard_definitions as build

    return build()
