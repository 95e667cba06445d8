"""The guards: what must hold before an act is allowed, and how to say plainly what is missing.

This module is the one to import: it holds the guards common to both procedures (parties identified,
written reasons, the notice of rights, nothing left owed at closing) and loads the mediation and
adjudication guards, so that :data:`GUARDS` is complete. See :mod:`guard_registry` for what a guard is.

Sources: 深圳条例 第四十五、四十六条 (transfer, written refusal); the rights notice before mediating (条例 第二十一、
二十三、二十四条, from the matter's citation table); the 卷宗 template (what the case file needs before closing);
reference/mission.md §1.
"""

from __future__ import annotations

from fzmediate.domain.case import PartyKind, PartyRole
from fzmediate.i18n import _
from fzmediate.procedure import guards_adjudication, guards_mediation
from fzmediate.procedure.guard_registry import (
    GUARDS,
    TERMINATION_GROUNDS,
    Guard,
    GuardContext,
    GuardInfo,
    current_mediator,
    describe_guard,
    events_after,
    guard,
    ids_of,
    missing_parties,
    text_of,
)
from fzmediate.procedure.guards_adjudication import decision_states_remedies, review_problem
from fzmediate.procedure.guards_mediation import AGENTS, represented
from fzmediate.procedure.payload import party_ref, refs

__all__ = [
    "GUARDS",
    "TERMINATION_GROUNDS",
    "Guard",
    "GuardContext",
    "GuardInfo",
    "current_mediator",
    "decision_states_remedies",
    "describe_guard",
    "guards_adjudication",
    "guards_mediation",
    "review_problem",
]

# --- intake -------------------------------------------------------------------------------------------


@guard("parties_identified")
def parties_identified(ctx: GuardContext) -> str | None:
    """Each applicant and respondent has a name, and each person an identity document (checked at intake)."""
    case = ctx.case
    problems: list[str] = []
    for role in (PartyRole.APPLICANT, PartyRole.RESPONDENT):
        if not any(p.role is role for p in case.parties):
            problems.append(
                _("the case has no applicant") if role is PartyRole.APPLICANT else _("the case has no respondent")
            )
    for party in case.parties:
        if party.role not in (PartyRole.APPLICANT, PartyRole.RESPONDENT):
            continue
        if not party.name.strip():
            problems.append(_("{party} has no name").format(party=party_ref(case, party)))
        if party.kind is PartyKind.PERSON and not (party.id_type.strip() and party.id_number.strip()):
            problems.append(_("{party} has no identity document").format(party=party_ref(case, party)))
    if not problems:
        return None
    return _("Not all parties are identified: {problems}").format(problems=_("; ").join(problems))


@guard("written_reasons", fields=("reasons",))
def written_reasons(ctx: GuardContext) -> str | None:
    """Refusal, transfer, suspension, extension, termination … are given in writing with reasons (条例 第四十六条)."""
    if text_of(ctx.payload, "reasons"):
        return None
    return _("The written reasons are missing: {act} must state its reasons").format(act=ctx.action.label)


@guard("receiving_body_named", fields=("receiving_body",))
def receiving_body_named(ctx: GuardContext) -> str | None:
    if text_of(ctx.payload, "receiving_body"):
        return None
    return _("The body the case is transferred to is not named (条例 第四十五条)")


# --- notice of rights ---------------------------------------------------------------------------------


@guard("rights_notice_issued", actions=("issue_rights_notice",))
def rights_notice_issued(ctx: GuardContext) -> str | None:
    if ctx.case.events_of("issue_rights_notice"):
        return None
    return _("The notice of rights and duties has not been issued")


@guard("rights_acknowledged_by_all", actions=("issue_rights_notice", "acknowledge_rights_notice"))
def rights_acknowledged_by_all(ctx: GuardContext) -> str | None:
    """Every principal party acknowledged the notice of rights, itself or through a special agent."""
    case = ctx.case
    issued = case.events_of("issue_rights_notice")
    if not issued:
        return _("The notice of rights and duties has not been issued")
    have: set[str] = set()
    for event in events_after(case, "acknowledge_rights_notice", issued[0].seq):
        # A party acknowledges itself, or through an agent with special authority (特别授权).
        have |= ids_of(event.payload.get("parties")) | represented(case, ids_of(event.payload.get(AGENTS)))
    missing = missing_parties(case, have)
    if missing:
        return _("The notice of rights has not been acknowledged by: {parties}").format(parties=refs(case, missing))
    return None


@guard("agreement_recorded", actions=("record_agreement",))
def agreement_recorded(ctx: GuardContext) -> str | None:
    if ctx.case.events_of("record_agreement"):
        return None
    return _("No agreement has been recorded")


@guard("no_open_obligations")
def no_open_obligations(ctx: GuardContext) -> str | None:
    """Nothing the procedure still owes (acts with ``owed_after`` whose trigger happened) is left undone."""
    case = ctx.case
    owed: list[str] = []
    for act in ctx.definition.actions:
        if not act.owed_after:
            continue
        triggers = [e for e in case.events if e.action in act.owed_after]
        if triggers and not events_after(case, act.name, triggers[0].seq):
            owed.append(act.label)
    if not owed:
        return None
    return _("Still to be done before the case can be closed: {acts}").format(acts=_(", ").join(owed))
