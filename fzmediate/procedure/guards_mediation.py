"""Guards of mediation: consent, conflicts and recusal, the mediation period, ending, the agreement.

Sources: 深圳经济特区矛盾纠纷多元化解条例 (2022) 第二十一、二十三、二十四、二十五、二十六、二十八、七十三条 — the
law of 行政调解 (the 人民调解法 governs 人民调解委员会, not administrative bodies). The agreement's contents (facts,
disputes, responsibilities, terms with manner and time of performance) follow the catalogue's agreement clause;
recusal and the agreement's contents also serve adjudication (先行调解, 条例 第五十八条).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fzmediate.domain.case import CaseRecord, Party, PartyRole
from fzmediate.i18n import _
from fzmediate.procedure.deadlines import extension_used
from fzmediate.procedure.form_types import AGENTS as AGENTS
from fzmediate.procedure.guard_registry import (
    TERMINATION_GROUNDS,
    GuardContext,
    current_mediator,
    events_after,
    extended_limit,
    guard,
    ids_of,
    last_replacement,
    missing_parties,
    pending_recusals,
    recused,
    text_of,
)
from fzmediate.procedure.payload import parse_amount, parse_date, party_ref, refs

# --- agents acting for their party ----------------------------------------------------------------------------

#: The payload field that lists the agents (委托代理人) who did an act in their party's place.


def represented(case: CaseRecord, agent_ids: set[str]) -> set[str]:
    """The parties for whom the listed agents may act in their place: those of agents with special authority
    (特别授权). A general agent's act (or an unknown id) counts for nobody; ``agents_have_authority`` says why."""
    out: set[str] = set()
    for agent_id in agent_ids:
        agent = case.party(agent_id)
        if agent is not None and agent.special_authority and agent.represents:
            out.add(agent.represents)
    return out


def _agent_problem(case: CaseRecord, position: int, agent: Party | None, for_party: str | None) -> str | None:
    if agent is None or agent.role is not PartyRole.AGENT:
        return _("{field}: entry {n} is not an agent (委托代理人) of this case").format(field=AGENTS, n=position)
    principal = case.party(agent.represents or "")
    if for_party is not None and agent.represents != for_party:
        return _("{agent} does not represent {party}").format(
            agent=party_ref(case, agent), party=party_ref(case, case.party(for_party) or agent)
        )
    if not agent.special_authority:
        return _(
            "{agent} has only general authority (一般授权) and cannot consent or sign for {party}; "
            "that needs a special authority (特别授权)"
        ).format(agent=party_ref(case, agent), party=party_ref(case, principal) if principal else "?")
    return None


@guard("agents_have_authority", fields=(AGENTS,))
def agents_have_authority(ctx: GuardContext) -> str | None:
    """An agent consents, acknowledges or signs in the party's place only with special authority (特别授权);
    for a party's consent, the agent must be that party's."""
    value = ctx.payload.get(AGENTS)
    listed = [v for v in value if isinstance(v, str)] if isinstance(value, list) else []
    party = ctx.payload.get("party")
    for_party = party if isinstance(party, str) and party else None
    problems = [
        problem
        for n, agent_id in enumerate(listed, start=1)
        if (problem := _agent_problem(ctx.case, n, ctx.case.party(agent_id), for_party)) is not None
    ]
    if not problems:
        return None
    return _("An agent cannot act for the party here: {problems}").format(problems=_("; ").join(problems))


@guard("agents_of_case", fields=(AGENTS,))
def agents_of_case(ctx: GuardContext) -> str | None:
    """The agents listed as present are agents of this case (any authority may attend)."""
    value = ctx.payload.get(AGENTS)
    listed = [v for v in value if isinstance(v, str)] if isinstance(value, list) else []
    for n, agent_id in enumerate(listed, start=1):
        agent = ctx.case.party(agent_id)
        if agent is None or agent.role is not PartyRole.AGENT:
            return _("{field}: entry {n} is not an agent (委托代理人) of this case").format(field=AGENTS, n=n)
    return None


def acted(case: CaseRecord, payload: Mapping[str, Any], key: str) -> set[str]:
    """The principal parties who did an act: those listed under ``key`` and those their special agents
    acted for."""
    return ids_of(payload.get(key)) | represented(case, ids_of(payload.get(AGENTS)))


# --- consent, conflicts, recusal ----------------------------------------------------------------------


@guard("consent_of_all_respondents", actions=("record_consent",))
def consent_of_all_respondents(ctx: GuardContext) -> str | None:
    """Every respondent agreed to mediation, none refused (条例 第二十一条)."""
    case = ctx.case
    latest: dict[str, str] = {}
    for event in case.events_of("record_consent"):
        party, consent = event.payload.get("party"), event.payload.get("consent")
        agents = ids_of(event.payload.get(AGENTS))
        if agents and isinstance(party, str) and party not in represented(case, agents):
            continue  # given by an agent without the authority to consent: it does not count
        if isinstance(party, str) and isinstance(consent, str):
            latest[party] = consent
    respondents = [p for p in case.parties if p.role is PartyRole.RESPONDENT]
    refused = [p for p in respondents if latest.get(p.id) == "refused"]
    if refused:
        return _("{parties} refused mediation; there can be no mediation (条例 第二十一条)").format(
            parties=refs(case, refused)
        )
    missing = [p for p in respondents if latest.get(p.id) != "agreed"]
    if not respondents:
        return _("The case has no respondent whose consent could be recorded")
    if missing:
        return _("Consent to mediation has not been recorded for: {parties}").format(parties=refs(case, missing))
    return None


@guard("conflicts_disclosed", actions=("disclose_conflicts",))
def conflicts_disclosed(ctx: GuardContext) -> str | None:
    """Whoever acts — the mediator in charge or anyone else — disclosed conflicts of interest first (条例 第二十三条).

    The mediator in charge after a replacement must disclose after it; anyone else's disclosure counts from
    the start of the case.
    """
    case = ctx.case
    actor = ctx.request.actor.login
    mediator = current_mediator(case)
    since = last_replacement(case) if actor == mediator else 0
    for event in events_after(case, "disclose_conflicts", since):
        who = event.payload.get("mediator") or event.actor
        if who == actor:
            return None
    if actor != mediator:
        return _(
            "You ({login}) have not disclosed conflicts of interest in this case; whoever mediates must disclose "
            "first (条例 第二十三条)"
        ).format(login=actor)
    if since:
        return _("The replacement mediator has not yet disclosed conflicts of interest (条例 第二十三条)")
    return _("The mediator has not disclosed conflicts of interest (条例 第二十三条)")


@guard("no_pending_recusal", actions=("decide_recusal",))
def no_pending_recusal(ctx: GuardContext) -> str | None:
    """No recusal request (a party's, or the mediator's own disclosed conflict) is waiting for a decision."""
    pending = pending_recusals(ctx.case)
    if not pending:
        return None
    return _("A recusal request is waiting for a decision; the mediator cannot act until it is decided")


@guard("actor_not_recused", actions=("decide_recusal",))
def actor_not_recused(ctx: GuardContext) -> str | None:
    if ctx.request.actor.login in recused(ctx.case):
        return _("You were replaced as mediator after a recusal and can no longer act in this case")
    return None


@guard("recusal_pending", actions=("request_recusal", "disclose_conflicts"))
def recusal_pending(ctx: GuardContext) -> str | None:
    if pending_recusals(ctx.case):
        return None
    return _("There is no recusal request to decide")


@guard("recusal_decision_complete", fields=("decision", "new_mediator", "reasons"))
def recusal_decision_complete(ctx: GuardContext) -> str | None:
    """A recusal decision gives reasons; a granted one names a different mediator to take over."""
    case, payload = ctx.case, ctx.payload
    problems: list[str] = []
    mediator = current_mediator(case)
    if mediator and ctx.request.actor.login == mediator:
        problems.append(_("the mediator concerned cannot decide on their own recusal"))
    if not text_of(payload, "reasons"):
        problems.append(_("the reasons are missing"))
    if payload.get("decision") == "granted":
        new = text_of(payload, "new_mediator")
        if not new:
            problems.append(_("the replacement mediator is not named"))
        elif new == mediator or new in recused(case):
            problems.append(_("the replacement must be a mediator who has not been recused"))
    if not problems:
        return None
    return _("The recusal decision is incomplete: {problems}").format(problems=_("; ").join(problems))


@guard("recusal_granted_on_request", fields=("decision",))
def recusal_granted_on_request(ctx: GuardContext) -> str | None:
    """条例 第二十三条: when a party asks, or the mediator disclosed a conflict, the mediator steps aside."""
    if ctx.payload.get("decision") in (None, "granted"):
        return None
    return _("The mediator must step aside when a party asks or a conflict was disclosed (条例 第二十三条)")


@guard("disclosure_complete", fields=("has_conflict", "details"))
def disclosure_complete(ctx: GuardContext) -> str | None:
    if ctx.payload.get("has_conflict") is True and not text_of(ctx.payload, "details"):
        return _("Describe the conflict of interest that is disclosed")
    return None


# --- the mediation period and its extension -----------------------------------------------------------


@guard("within_mediation_period")
def within_mediation_period(ctx: GuardContext) -> str | None:
    """条例 第二十五条: when the period ends without agreement, mediation ends unless the parties extend it."""
    tracked = ctx.deadlines.get("mediation_period")
    if tracked is None or tracked.status in ("met", "stopped") or ctx.request.on <= tracked.due:
        return None
    return _(
        "The mediation period ended on {due}; mediation must end unless all parties agree to extend it "
        "(条例 第二十五条)"
    ).format(due=tracked.due.isoformat())


@guard("extension_consent_of_all", fields=("consenting_parties",))
def extension_consent_of_all(ctx: GuardContext) -> str | None:
    """条例 第二十五条: the period is extended only when the parties agree (all principal parties)."""
    missing = missing_parties(ctx.case, acted(ctx.case, ctx.payload, "consenting_parties"))
    if not missing:
        return None
    return _("The extension lacks the consent of: {parties}").format(parties=refs(ctx.case, missing))


@guard("extension_before_due")
def extension_before_due(ctx: GuardContext) -> str | None:
    name = extended_limit(ctx)
    if name is None:
        return None  # the payload check names the missing time limit
    tracked = ctx.deadlines.get(name)
    if tracked is None:
        limit = ctx.matter.time_limit(name)
        if limit is None:
            return _("The matter has no time limit {name}").format(name=name)
        return _("The period {label} has not started, so it cannot be extended").format(label=limit.label)
    if tracked.status in ("met", "stopped"):
        return _("The period {label} is no longer running, so it cannot be extended").format(label=tracked.label)
    if ctx.request.on > tracked.due:
        return _("The period {label} ran out on {due}; it can no longer be extended").format(
            label=tracked.label, due=tracked.due.isoformat()
        )
    return None


@guard("extension_within_limit", fields=("extend_by",))
def extension_within_limit(ctx: GuardContext) -> str | None:
    """Only as far as the matter's ``extendable_by`` allows, counting earlier extensions."""
    name = extended_limit(ctx)
    if name is None:
        return None
    limit = ctx.matter.time_limit(name)
    if limit is None:
        return _("The matter has no time limit {name}").format(name=name)
    ext = limit.extendable_by
    if ext is None:
        return _("The matter's rules do not allow extending {label}").format(label=limit.label)
    tracked = ctx.deadlines.get(name)
    left = ext.amount - (extension_used(tracked) if tracked is not None else 0)
    if left <= 0:
        return _("{label} has already been extended as far as the rules allow").format(label=limit.label)
    wanted = ctx.payload.get("extend_by")
    if isinstance(wanted, int) and wanted > left:
        return _("An extension of {n} is more than the {left} still allowed for {label} ({basis})").format(
            n=wanted, left=left, label=limit.label, basis=ext.basis
        )
    return None


# --- ending a mediation -------------------------------------------------------------------------------


@guard("statutory_ground", fields=("ground",))
def statutory_ground(ctx: GuardContext) -> str | None:
    """Termination only on a ground of 条例 第二十八条, or the end of the period (第二十五条)."""
    ground = ctx.payload.get("ground")
    if ground is None:
        return _("Termination needs a statutory ground (条例 第二十八条)")
    if ground not in TERMINATION_GROUNDS:
        return _("{ground} is not a statutory ground of termination (条例 第二十八条)").format(ground=ground)
    if ctx.case.state == "consent_refused" and ground != "withdrawal_or_refusal":
        return _("A party refused mediation: the ground of termination is refusal (条例 第二十八条第一项)")
    if ground == "period_expired_without_extension":
        tracked = ctx.deadlines.get("mediation_period")
        if tracked is None:
            return _("The matter has no mediation period that could have expired")
        if ctx.request.on <= tracked.due:
            return _("The mediation period runs until {due}; it has not expired").format(due=tracked.due.isoformat())
    return None


@guard(
    "undisputed_facts_before_termination",
    fields=("facts_declined", "facts_declined_note"),
    actions=("hold_session", "record_undisputed_facts"),
)
def undisputed_facts_before_termination(ctx: GuardContext) -> str | None:
    """条例 第七十三条: once mediation took place and failed, the undisputed facts are recorded first."""
    case = ctx.case
    if not case.events_of("hold_session") or case.events_of("record_undisputed_facts"):
        return None
    if ctx.payload.get("facts_declined") is True:
        if text_of(ctx.payload, "facts_declined_note"):
            return None
        return _("Say in a note why the parties did not sign the undisputed facts")
    return _(
        "Record the undisputed facts before terminating (条例 第七十三条), or state that the parties declined to sign "
        "them, with a note"
    )


@guard("undisputed_facts_complete", fields=("facts", "signed_by", "declined", "note"))
def undisputed_facts_complete(ctx: GuardContext) -> str | None:
    """The record states the facts and every party signed it — or says the parties declined, and why."""
    payload, case = ctx.payload, ctx.case
    if payload.get("declined") is True:
        return None if text_of(payload, "note") else _("Say in a note why the parties declined to sign")
    if not text_of(payload, "facts"):
        return _("The undisputed facts are not stated")
    missing = missing_parties(case, acted(case, payload, "signed_by"))
    if missing:
        return _("The undisputed facts are not signed by: {parties} (record that they declined, with a note)").format(
            parties=refs(case, missing)
        )
    return None


# --- the agreement ------------------------------------------------------------------------------------


def _term_problems(ctx: GuardContext, index: int, term: Mapping[str, Any]) -> list[str]:
    case = ctx.case
    principals = {p.id for p in case.principals()}
    where = _("term {n}").format(n=index + 1)
    problems: list[str] = []
    obligor, obligee = term.get("obligor"), term.get("obligee")
    for key, value in (("obligor", obligor), ("obligee", obligee)):
        if value not in principals:
            problems.append(_("{where}: the {role} is not a party of the case").format(where=where, role=key))
    if obligor is not None and obligor == obligee:
        problems.append(_("{where}: obligor and obligee are the same party").format(where=where))
    for key in ("content", "manner", "place"):
        value = term.get(key)
        if not (isinstance(value, str) and value.strip()):
            problems.append(_("{where}: {key} is missing").format(where=where, key=key))
    amount = term.get("amount")
    if amount not in (None, "") and (parse_amount(amount) is None or parse_amount(amount) == 0):
        problems.append(_("{where}: the amount must be greater than zero").format(where=where))
    deadline = parse_date(term.get("deadline"))
    if deadline is None:
        problems.append(_("{where}: the performance deadline is missing").format(where=where))
    elif deadline < ctx.request.on:
        problems.append(_("{where}: the performance deadline is before the agreement").format(where=where))
    return problems


@guard("agreement_contents", fields=("facts_and_disputes", "terms", "partial", "remaining_disputes"))
def agreement_contents(ctx: GuardContext) -> str | None:
    """条例 第二十六条 (the agreement is written and signed): facts and points in dispute; what was agreed, how, where
    and by when."""
    payload = ctx.payload
    problems: list[str] = []
    if not text_of(payload, "facts_and_disputes"):
        problems.append(_("the facts and points in dispute are not stated"))
    terms = payload.get("terms")
    if not isinstance(terms, list) or not terms:
        problems.append(_("no agreed term is stated"))
    else:
        for index, term in enumerate(terms):
            if isinstance(term, Mapping):
                problems += _term_problems(ctx, index, term)
    if payload.get("partial") is True and not text_of(payload, "remaining_disputes"):
        problems.append(_("a partial agreement must list what stays in dispute (条例 第二十六条)"))
    if not problems:
        return None
    return _("The agreement is incomplete (条例 第二十六条): {problems}").format(problems=_("; ").join(problems))


@guard("agreement_signed_by_all", fields=("signed_by",))
def agreement_signed_by_all(ctx: GuardContext) -> str | None:
    missing = missing_parties(ctx.case, acted(ctx.case, ctx.payload, "signed_by"))
    if not missing:
        return None
    return _("The agreement has not been signed by: {parties}").format(parties=refs(ctx.case, missing))
