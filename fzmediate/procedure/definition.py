"""Procedure definitions (程序规定) as declarative, validated data.

A definition says which states a case passes through, which acts (actions) move it on, who may do each
act, what data each act records, which *guards* must hold first, and which statutory time limits each act
starts, meets or stops. It travels inside the signed catalogue bundle (``Bundle.procedures``), so the
district can tighten a procedure — add a guard to an act, narrow its roles — by publishing data. What a
guard *means* is code (:mod:`fzmediate.procedure.guards`); the definition only names the guards it applies.

Everything is checked when the definition loads, so a bad bundle is refused before any case runs on it:
unknown states, guards, roles or payload fields; outcome targets that do not cover every choice; states
that cannot be reached from the initial state; terminal states no path reaches; states from which no
path leads to an end; cycles among deadlines that start when another runs out.

Labels are Chinese data, like the rest of the catalogue; only validation messages go through gettext.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Annotated, Any, Final, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator
from pydantic import ValidationError as PydanticValidationError

from fzmediate.catalogue.model import Identifier, MatterCode, ProcedureId, Text
from fzmediate.domain.case import INTAKE_ACTION as _INTAKE_ACTION
from fzmediate.errors import ValidationError
from fzmediate.i18n import _
from fzmediate.i18n.schema_errors import describe_problem

#: What a payload field holds. ``party``/``parties`` are party ids of the case; ``terms`` is the list of an
#: agreement's terms (条例 第二十六条); ``time_limit`` names one of the time limits an act extends.
PayloadType = Literal[
    "text",
    "text_list",
    "date",
    "integer",
    "decimal",
    "boolean",
    "choice",
    "party",
    "parties",
    "login",
    "terms",
    "time_limit",
]

#: Payload keys the engine writes itself; a definition may not declare them (a request could forge them).
RESERVED_FIELDS: Final = frozenset(
    {"by", "deadlines_met", "draft_seq", "extension", "from_state", "late_entry", "remedies", "replaced_mediator"}
)
#: Acts the case service records itself (更正, 作废): a definition may not declare them.
SERVICE_ACTIONS: Final = frozenset({"correct", "void"})

#: The intake act (:data:`fzmediate.domain.case.INTAKE_ACTION`): deadlines may start from it; a definition may
#: not declare it as one of its own acts.
INTAKE_ACTION: Final = _INTAKE_ACTION

#: Roles that may act on a case. The kiosk never may (it files applications and reads the catalogue only).
ActingRole = Literal["admin", "supervisor", "mediator"]


def _as_tuple(value: Any) -> Any:
    # A single name is accepted where a list of names is meant ("starts_after_action": "accept"). The
    # list becomes a tuple here because strict mode takes only tuples once a before-validator has run.
    if isinstance(value, str):
        return (value,)
    return tuple(value) if isinstance(value, list) else value


def _as_role_list(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


Names = Annotated[tuple[Identifier, ...], BeforeValidator(_as_tuple)]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)


class StateSpec(_Frozen):
    """One state of a case, e.g. ``accepted`` / 已受理."""

    name: Identifier
    label: Text


class PayloadField(_Frozen):
    """One item of data an act records (the payload of its case event)."""

    field: Identifier
    type: PayloadType
    required: bool = False
    #: For ``choice``: the allowed values (identifiers; the UI labels them).
    choices: tuple[Identifier, ...] = ()
    label: str = ""
    #: For ``party``/``parties``: which party roles qualify (empty = any principal party).
    party_roles: tuple[Literal["applicant", "respondent", "third_party"], ...] = ()
    #: For ``integer``: the smallest allowed value.
    minimum: int | None = None

    @model_validator(mode="after")
    def _consistent(self) -> PayloadField:
        if self.field in RESERVED_FIELDS:
            raise ValueError(_("payload field {field} is reserved for the engine").format(field=self.field))
        if self.type == "choice" and len(self.choices) < 2:
            raise ValueError(_("choice field {field} needs at least two choices").format(field=self.field))
        if self.type != "choice" and self.choices:
            raise ValueError(_("only a choice field may list choices ({field})").format(field=self.field))
        if len(set(self.choices)) != len(self.choices):
            raise ValueError(_("choice field {field} lists a choice twice").format(field=self.field))
        if self.party_roles and self.type not in ("party", "parties"):
            raise ValueError(_("only a party field may restrict party roles ({field})").format(field=self.field))
        if self.minimum is not None and self.type != "integer":
            raise ValueError(_("only an integer field may have a minimum ({field})").format(field=self.field))
        return self

    @property
    def display(self) -> str:
        return self.label or self.field


class Outcomes(_Frozen):
    """Where an act leads depending on a choice it records, e.g. consent agreed → stay, refused → …"""

    field: Identifier
    targets: dict[Identifier, Identifier]


class ActionSpec(_Frozen):
    """One act of the procedure.

    The next state is ``to_state``, or the target ``outcomes`` picks from the recorded choice, or — when
    neither is given — the current state (the act records something without moving the case). A
    ``clock: resume`` act returns to the state the case was in when it was suspended.
    """

    name: Identifier
    label: Text
    from_states: Annotated[Names, Field(min_length=1)]
    to_state: Identifier | None = None
    outcomes: Outcomes | None = None
    guards: Names = ()
    payload: tuple[PayloadField, ...] = ()
    #: Time limits this act satisfies (merged with the deadlines' ``met_by_actions``).
    deadline_met: Names = ()
    #: Time limits this act starts (merged with the deadlines' ``starts_after_action``).
    starts: Names = ()
    #: Time limits this act extends (by the matter's ``extendable_by``); with several, the payload's
    #: ``time_limit`` field says which.
    extends: Names = ()
    #: ``suspend`` stops every clock of the case (中止) until a ``resume`` act.
    clock: Literal["suspend", "resume"] | None = None
    repeatable: bool = False
    roles: Annotated[tuple[ActingRole, ...], BeforeValidator(_as_role_list), Field(min_length=1)]
    requires_legally_qualified: bool = False
    #: The actor must not be anyone who did one of these acts in the case (e.g. the review vs the hearing).
    requires_different_actor_from: Names = ()
    #: Once any of these acts happened, this act is owed before the case can be closed (e.g. 回访 after an
    #: agreement, the termination notice after a termination).
    owed_after: Names = ()
    #: The act's document states the remedy routes and deadlines; the engine copies them from the matter.
    states_remedies: bool = False

    def field(self, name: str) -> PayloadField | None:
        return next((f for f in self.payload if f.field == name), None)

    @model_validator(mode="after")
    def _consistent(self) -> ActionSpec:
        names = [f.field for f in self.payload]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(_("payload field {field} is declared twice").format(field=duplicates[0]))
        if self.to_state is not None and self.outcomes is not None:
            raise ValueError(_("give either to_state or outcomes, not both"))
        if self.clock == "resume" and (self.to_state is not None or self.outcomes is not None):
            raise ValueError(_("a resume act returns to the state before the suspension; give no target"))
        if self.outcomes is not None:
            choice = self.field(self.outcomes.field)
            if choice is None or choice.type != "choice" or not choice.required:
                raise ValueError(
                    _("outcomes must be keyed by a required choice field of the payload ({field})").format(
                        field=self.outcomes.field
                    )
                )
            if set(self.outcomes.targets) != set(choice.choices):
                raise ValueError(
                    _("outcomes must name a target for every choice of {field}").format(field=choice.field)
                )
        if len(self.extends) > 1:
            selector = self.field("time_limit")
            if selector is None or selector.type != "time_limit" or not selector.required:
                raise ValueError(_("an act that extends several time limits needs a required time_limit field"))
        return self


class DeadlineSpec(_Frozen):
    """A time limit of the matter (by name) as the procedure runs it.

    The clock starts on the date of the first act in ``starts_after_action``, or when the time limit
    ``starts_at_end_of`` runs out — whichever comes first (e.g. the mediation period of 林木林地 disputes
    runs from the written reply, or from the end of the reply period if none came). A deadline is *met* by
    the first later act in ``met_by_actions`` and *stopped* (no longer owed) by one in
    ``stopped_by_actions``. A ``waiting_period`` (e.g. a 30-day public notice) is nobody's obligation: it
    counts as met when it runs out. A ``conditional`` limit is owed only if the act that meets it happens
    at all (the transfer of a dispute outside the remit): it shows while it runs, and once past it lapses
    (stopped) instead of making the case overdue — a late act is still recorded as late. ``matters``
    restricts the entry to some matter codes; an entry that names matters wins over the general entry for
    the same time limit. A time limit the matter does not have is skipped.
    """

    time_limit: Identifier
    label: str = ""
    starts_after_action: Names = ()
    starts_at_end_of: Identifier | None = None
    met_by_actions: Names = ()
    stopped_by_actions: Names = ()
    matters: tuple[MatterCode, ...] = ()
    waiting_period: bool = False
    conditional: bool = False


class ProcedureDefinition(_Frozen):
    """A whole procedure, e.g. ``mediation.standard``."""

    id: ProcedureId
    kind: Literal["mediation", "adjudication"]
    title: Text
    initial_state: Identifier
    terminal_states: Annotated[Names, Field(min_length=1)]
    states: Annotated[tuple[StateSpec, ...], Field(min_length=2)]
    actions: Annotated[tuple[ActionSpec, ...], Field(min_length=1)]
    deadlines: tuple[DeadlineSpec, ...] = ()
    description: str = ""
    #: The legal texts the procedure follows (for people; the guards cite them in their messages).
    sources: tuple[Text, ...] = ()

    # --- look-ups -----------------------------------------------------------------------------------

    def action(self, name: str) -> ActionSpec | None:
        return next((a for a in self.actions if a.name == name), None)

    def state_label(self, name: str) -> str:
        found = next((s for s in self.states if s.name == name), None)
        return found.label if found is not None else name

    def action_label(self, name: str) -> str:
        found = self.action(name)
        return found.label if found is not None else name

    def deadlines_for(self, matter_code: str) -> tuple[DeadlineSpec, ...]:
        """The deadline entries that apply to a matter: a matter-specific entry beats the general one."""
        chosen: dict[str, DeadlineSpec] = {}
        for spec in self.deadlines:
            if spec.matters and matter_code not in spec.matters:
                continue
            current = chosen.get(spec.time_limit)
            if current is None or (spec.matters and not current.matters):
                chosen[spec.time_limit] = spec
        return tuple(chosen.values())

    def starters(self, spec: DeadlineSpec) -> frozenset[str]:
        """Acts that start ``spec``: its own list plus acts that declare ``starts`` for it."""
        return frozenset(spec.starts_after_action) | {a.name for a in self.actions if spec.time_limit in a.starts}

    def meeters(self, spec: DeadlineSpec) -> frozenset[str]:
        """Acts that meet ``spec``: its own list plus acts that declare ``deadline_met`` for it."""
        return frozenset(spec.met_by_actions) | {a.name for a in self.actions if spec.time_limit in a.deadline_met}

    def clock_actions(self, kind: Literal["suspend", "resume"]) -> frozenset[str]:
        return frozenset(a.name for a in self.actions if a.clock == kind)

    def next_states(self, action: ActionSpec, current: str) -> frozenset[str]:
        """Every state ``action`` can lead to from ``current`` (for the reachability checks)."""
        if action.clock == "resume":
            return frozenset(
                s
                for a in self.actions
                if a.clock == "suspend" and current in self._targets(a, current)
                for s in a.from_states
            )
        return self._targets(action, current)

    @staticmethod
    def _targets(action: ActionSpec, current: str) -> frozenset[str]:
        if action.outcomes is not None:
            return frozenset(action.outcomes.targets.values())
        return frozenset({action.to_state or current})

    # --- cross-checks -------------------------------------------------------------------------------

    @model_validator(mode="after")
    def _consistent(self) -> ProcedureDefinition:
        self._check_names()
        self._check_actions()
        self._check_deadlines()
        self._check_graph()
        return self

    def _check_names(self) -> None:
        states = [s.name for s in self.states]
        for name in states:
            if states.count(name) > 1:
                raise ValueError(_("state {state} is listed twice").format(state=name))
        actions = [a.name for a in self.actions]
        if INTAKE_ACTION in actions:
            raise ValueError(
                _("{action} is the intake act; the persistence layer records it").format(action=INTAKE_ACTION)
            )
        for name in sorted(SERVICE_ACTIONS & set(actions)):
            raise ValueError(_("{action} is recorded by the case service, not by a procedure").format(action=name))
        for name in actions:
            if actions.count(name) > 1:
                raise ValueError(_("action {action} is listed twice").format(action=name))
        known = set(states)
        for name in (self.initial_state, *self.terminal_states):
            if name not in known:
                raise ValueError(_("state {state} is not among the states").format(state=name))
        if self.initial_state in self.terminal_states:
            raise ValueError(_("the initial state cannot be terminal"))

    def _check_actions(self) -> None:
        # Imported here: the guard registry imports this module's types for its own annotations.
        from fzmediate.procedure.guards import GUARDS

        states = {s.name for s in self.states}
        actions = {a.name for a in self.actions}
        deadline_names = {d.time_limit for d in self.deadlines}
        for act in self.actions:
            where = act.name
            for state in (*act.from_states, *([act.to_state] if act.to_state else [])):
                if state not in states:
                    raise ValueError(_("action {action}: unknown state {state}").format(action=where, state=state))
            if act.outcomes is not None:
                for target in act.outcomes.targets.values():
                    if target not in states:
                        raise ValueError(_("action {action}: unknown state {state}").format(action=where, state=target))
            for guard in act.guards:
                info = GUARDS.get(guard)
                if info is None:
                    raise ValueError(_("action {action}: unknown guard {guard}").format(action=where, guard=guard))
                for needed_act in info.actions:
                    if needed_act not in actions:
                        raise ValueError(
                            _(
                                "action {action}: guard {guard} reads the acts {other}, which the procedure lacks"
                            ).format(action=where, guard=guard, other=needed_act)
                        )
                for needed in info.fields:
                    if act.field(needed) is None:
                        raise ValueError(
                            _(
                                "action {action}: guard {guard} reads payload field {field}, which is not declared"
                            ).format(action=where, guard=guard, field=needed)
                        )
            for other in (*act.requires_different_actor_from, *act.owed_after):
                if other not in actions:
                    raise ValueError(
                        _("action {action}: refers to unknown action {other}").format(action=where, other=other)
                    )
            for name in (*act.deadline_met, *act.starts, *act.extends):
                if name not in deadline_names:
                    raise ValueError(
                        _("action {action}: time limit {name} has no deadline entry").format(action=where, name=name)
                    )
            for f in act.payload:
                if f.type == "time_limit" and not act.extends:
                    raise ValueError(
                        _("action {action}: a time_limit field needs an act that extends something").format(
                            action=where
                        )
                    )
            if act.clock == "suspend" and not act.repeatable:
                # A case may be suspended more than once; a one-off suspension would be a trap.
                raise ValueError(_("action {action}: a suspend act must be repeatable").format(action=where))
        if self.clock_actions("suspend") and not self.clock_actions("resume"):
            raise ValueError(_("the procedure can suspend a case but has no resume act"))

    def _check_deadlines(self) -> None:
        actions = {a.name for a in self.actions} | {INTAKE_ACTION}
        seen: dict[tuple[str, tuple[str, ...]], int] = {}
        by_name: dict[str, list[DeadlineSpec]] = {}
        for spec in self.deadlines:
            key = (spec.time_limit, tuple(sorted(spec.matters)))
            if key in seen:
                raise ValueError(_("deadline {name} is listed twice for the same matters").format(name=spec.time_limit))
            seen[key] = 1
            by_name.setdefault(spec.time_limit, []).append(spec)
            for name in (*spec.starts_after_action, *spec.met_by_actions, *spec.stopped_by_actions):
                if name not in actions:
                    raise ValueError(
                        _("deadline {name}: unknown action {action}").format(name=spec.time_limit, action=name)
                    )
        for name, specs in by_name.items():
            matters = [m for s in specs for m in s.matters]
            for code in matters:
                if matters.count(code) > 1:
                    raise ValueError(
                        _("deadline {name}: matter {code} is named by two entries").format(name=name, code=code)
                    )
        for spec in self.deadlines:
            if spec.starts_at_end_of is not None and spec.starts_at_end_of not in by_name:
                raise ValueError(
                    _("deadline {name}: starts at the end of {other}, which has no deadline entry").format(
                        name=spec.time_limit, other=spec.starts_at_end_of
                    )
                )
            if not self.starters(spec) and spec.starts_at_end_of is None:
                raise ValueError(_("deadline {name}: nothing starts it").format(name=spec.time_limit))
        # starts_at_end_of must not loop (a → b → a): the engine computes them in dependency order.
        for spec in self.deadlines:
            chain = [spec.time_limit]
            nxt = spec.starts_at_end_of
            while nxt is not None:
                if nxt in chain:
                    raise ValueError(_("deadline {name}: starts_at_end_of forms a cycle").format(name=spec.time_limit))
                chain.append(nxt)
                nxt = next((s.starts_at_end_of for s in by_name.get(nxt, []) if s.starts_at_end_of), None)

    def _check_graph(self) -> None:
        terminal = set(self.terminal_states)
        edges: dict[str, set[str]] = {s.name: set() for s in self.states}
        for act in self.actions:
            for state in act.from_states:
                if state in terminal:
                    raise ValueError(
                        _("action {action} starts from terminal state {state}").format(action=act.name, state=state)
                    )
                edges[state] |= self.next_states(act, state)
        reached = {self.initial_state}
        todo = [self.initial_state]
        while todo:
            for nxt in edges[todo.pop()]:
                if nxt not in reached:
                    reached.add(nxt)
                    todo.append(nxt)
        unreachable = [s.name for s in self.states if s.name not in reached]
        if unreachable:
            kind = _("terminal state") if any(s in terminal for s in unreachable) else _("state")
            raise ValueError(
                _("{kind} {state} cannot be reached from {initial}").format(
                    kind=kind, state=unreachable[0], initial=self.initial_state
                )
            )
        # Every state must lead to some end: otherwise a case could be stuck forever.
        ending = set(terminal)
        changed = True
        while changed:
            changed = False
            for state, nexts in edges.items():
                if state not in ending and nexts & ending:
                    ending.add(state)
                    changed = True
        stuck = [s.name for s in self.states if s.name not in ending]
        if stuck:
            raise ValueError(_("no path leads from state {state} to a terminal state").format(state=stuck[0]))


# --- loading -----------------------------------------------------------------------------------------


def _path(parts: Sequence[Any]) -> str:
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else ("." if text else "") + str(part)
    return text


def _error(proc_id: str, exc: PydanticValidationError) -> ValidationError:
    errors = exc.errors()
    first = errors[0]
    where = _path(first["loc"])
    problem = describe_problem(first)
    if where:
        message = _("Procedure {id} is invalid: {field}: {problem}").format(id=proc_id, field=where, problem=problem)
    else:
        message = _("Procedure {id} is invalid: {problem}").format(id=proc_id, problem=problem)
    if len(errors) > 1:
        message += " " + _("({count} more problems)").format(count=len(errors) - 1)
    return ValidationError(message, field=where or None)


def load_definition(data: Mapping[str, Any]) -> ProcedureDefinition:
    """Validate one procedure given as JSON-like data (a bundle's ``procedures`` entry)."""
    raw_id = data.get("id") if isinstance(data, Mapping) else None
    proc_id = raw_id if isinstance(raw_id, str) and raw_id.strip() else "?"
    try:
        # Through JSON so that strict mode sees what a bundle file holds (lists, not tuples).
        text = json.dumps(data, ensure_ascii=False)
    except (TypeError, ValueError):
        raise ValidationError(
            _("Procedure {id} is invalid: it holds values JSON cannot represent").format(id=proc_id)
        ) from None
    try:
        return ProcedureDefinition.model_validate_json(text)
    except PydanticValidationError as exc:
        raise _error(proc_id, exc) from None


def load_definitions(procedures: Sequence[Mapping[str, Any]]) -> dict[str, ProcedureDefinition]:
    """Validate every procedure; refuse the lot with a message naming the first problem."""
    out: dict[str, ProcedureDefinition] = {}
    for data in procedures:
        definition = load_definition(data)
        if definition.id in out:
            raise ValidationError(_("Procedure {id} is defined twice").format(id=definition.id), field="id")
        out[definition.id] = definition
    return out
