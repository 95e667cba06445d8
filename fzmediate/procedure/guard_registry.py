"""The guard registry: what a guard is, what it may look at, and helpers that read a case's history.

A procedure definition names which guards apply to which act; the modules :mod:`guards`,
:mod:`guards_mediation` and :mod:`guards_adjudication` register what each guard means. Every guard is a
function of a :class:`GuardContext` returning ``None`` when it holds, else one localized sentence naming
what is missing. Messages refer to parties by role and position ("respondent 2"), never by name or ID.

Guards read earlier acts by their standard names (``record_consent``, ``decide_recusal`` …); each entry
lists the acts and payload fields it reads, and a definition that applies a guard without them is refused
when it loads.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from fzmediate.catalogue.model import Matter
from fzmediate.domain.case import CaseEvent, CaseRecord, Party, PartyRole
from fzmediate.procedure.deadlines import Tracked
from fzmediate.procedure.definition import ActionSpec, ProcedureDefinition

if TYPE_CHECKING:
    from fzmediate.procedure.engine import ActionRequest

#: 深圳条例 第二十八条 grounds (in order), plus the end of the period without extension (第二十五条).
TERMINATION_GROUNDS: Final = (
    "withdrawal_or_refusal",
    "concealment_or_false_information_or_delay",
    "collusion_against_public_or_third_party",
    "cannot_proceed",
    "period_expired_without_extension",
)


@dataclass(frozen=True)
class GuardContext:
    """What a guard may look at. ``payload`` is the act's checked payload (valid fields only)."""

    case: CaseRecord
    request: ActionRequest
    action: ActionSpec
    payload: Mapping[str, Any]
    definition: ProcedureDefinition
    matter: Matter
    #: The case's time limits as of the act's date, before the act (see deadlines.track).
    deadlines: Mapping[str, Tracked]


Guard = Callable[[GuardContext], "str | None"]


@dataclass(frozen=True)
class GuardInfo:
    name: str
    check: Guard
    #: Payload fields of the guarded act that the guard reads.
    fields: tuple[str, ...] = ()
    #: Acts (by name) whose events the guard reads; the definition must have them.
    actions: tuple[str, ...] = ()

    @property
    def uses_payload(self) -> bool:
        """Whether the guard depends on the act's data (so it cannot be judged before the data is entered)."""
        return bool(self.fields)


GUARDS: dict[str, GuardInfo] = {}


def guard(name: str, *, fields: tuple[str, ...] = (), actions: tuple[str, ...] = ()) -> Callable[[Guard], Guard]:
    def register(fn: Guard) -> Guard:
        GUARDS[name] = GuardInfo(name, fn, fields, actions)
        return fn

    return register


# --- reading the case -------------------------------------------------------------------------------------------


def text_of(payload: Mapping[str, Any], key: str) -> str:
    value = payload.get(key)
    return value.strip() if isinstance(value, str) else ""


def ids_of(value: Any) -> set[str]:
    return {v for v in value if isinstance(v, str)} if isinstance(value, list | tuple) else set()


def events_after(case: CaseRecord, action: str, seq: int) -> tuple[CaseEvent, ...]:
    return tuple(e for e in case.events if e.action == action and e.seq > seq)


def current_mediator(case: CaseRecord) -> str:
    """The mediator now in charge: the case's assigned mediator.

    Whoever put the case in someone's hands last decides: a granted recusal's replacement (the persistence
    layer applies ``Outcome.assigned_mediator``) or a later assignment by a supervisor (``CaseService.assign``)
    both write the case's assigned mediator, so reading a recusal's ``new_mediator`` instead would ignore an
    assignment made after it. While a recusal decision is applied the snapshot still holds the mediator it
    replaces (recorded as ``replaced_mediator``).
    """
    return case.assigned_mediator


def _last_recusal_decision(case: CaseRecord) -> int:
    last = case.last_event("decide_recusal")
    return last.seq if last is not None else 0


def last_replacement(case: CaseRecord) -> int:
    for event in reversed(case.events):
        if event.action == "decide_recusal" and event.payload.get("decision") == "granted":
            return event.seq
    return 0


def pending_recusals(case: CaseRecord) -> list[CaseEvent]:
    """Recusal requests not yet decided: a party's request, or the mediator's own disclosed conflict."""
    since = _last_recusal_decision(case)
    out = list(events_after(case, "request_recusal", since))
    out += [e for e in events_after(case, "disclose_conflicts", since) if e.payload.get("has_conflict") is True]
    return sorted(out, key=lambda e: e.seq)


def recused(case: CaseRecord) -> set[str]:
    """Mediators removed by a granted recusal (they may not act in the case any more).

    The engine records who was replaced (``replaced_mediator``) because the snapshot's assigned mediator
    is already the new one once the persistence layer applied the outcome.
    """
    out: set[str] = set()
    for event in case.events:
        if event.action == "decide_recusal" and event.payload.get("decision") == "granted":
            old = event.payload.get("replaced_mediator")
            if isinstance(old, str) and old:
                out.add(old)
    return out - {current_mediator(case), ""}


def missing_parties(case: CaseRecord, have: set[str], roles: set[PartyRole] | None = None) -> list[Party]:
    return [p for p in case.principals() if (roles is None or p.role in roles) and p.id not in have]


def extended_limit(ctx: GuardContext) -> str | None:
    if len(ctx.action.extends) == 1:
        return ctx.action.extends[0]
    chosen = ctx.payload.get("time_limit")
    return chosen if isinstance(chosen, str) and chosen in ctx.action.extends else None


def describe_guard(name: str) -> str:
    """The guard's intent (its docstring's first line), for documentation and the definition editor."""
    info = GUARDS.get(name)
    doc = info.check.__doc__ if info is not None else None
    return (doc or name).strip().splitlines()[0]


# The completeness gate on archiving lives in its own module; importing it here registers it with every load
# of the registry (it imports this module, which is complete by now).
from fzmediate.procedure import guards_archive as _guards_archive  # noqa: E402,F401
