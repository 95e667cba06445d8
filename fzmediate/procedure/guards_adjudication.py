"""Guards of adjudication: service of the application, the reply period, the hearing, the review, the decision.

Sources: 深圳条例 第五十八条 (mediate first); 广东省土地权属纠纷处理条例 and 广东省林木林地权属争议调解处理
条例 (service, reply, decision stating the remedy route); the legality and reasonableness review has no rule
found and is a sign-off by a different, legally qualified person (reference/mission.md §1c).
"""

from __future__ import annotations

from collections.abc import Mapping

from fzmediate.domain.case import CaseEvent, CaseRecord, PartyRole
from fzmediate.i18n import _
from fzmediate.procedure.definition import ProcedureDefinition
from fzmediate.procedure.guard_registry import GuardContext, current_mediator, guard, ids_of, missing_parties
from fzmediate.procedure.payload import refs

# --- adjudication -------------------------------------------------------------------------------------


@guard("copy_served_on_all_respondents", fields=("parties",))
def copy_served_on_all_respondents(ctx: GuardContext) -> str | None:
    missing = missing_parties(ctx.case, ids_of(ctx.payload.get("parties")), {PartyRole.RESPONDENT})
    if not missing:
        return None
    return _("The copy of the application must be served on every respondent; missing: {parties}").format(
        parties=refs(ctx.case, missing)
    )


@guard("served_on_all_parties", fields=("parties",))
def served_on_all_parties(ctx: GuardContext) -> str | None:
    missing = missing_parties(ctx.case, ids_of(ctx.payload.get("parties")))
    if not missing:
        return None
    return _("The document must be served on every party; missing: {parties}").format(parties=refs(ctx.case, missing))


@guard("reply_received_or_period_expired", actions=("serve_copy", "receive_reply"))
def reply_received_or_period_expired(ctx: GuardContext) -> str | None:
    """A hearing waits for the respondent's reply, or for the reply period to run out."""
    case = ctx.case
    if not case.events_of("serve_copy"):
        return _("The copy of the application has not been served on the respondent")
    if case.events_of("receive_reply"):
        return None
    tracked = ctx.deadlines.get("reply")
    if tracked is None or ctx.request.on > tracked.due:
        return None
    return _("The respondent's reply period runs until {due}; wait for the reply or for the period to end").format(
        due=tracked.due.isoformat()
    )


@guard("hearing_held", actions=("hold_hearing",))
def hearing_held(ctx: GuardContext) -> str | None:
    if ctx.case.events_of("hold_hearing"):
        return None
    return _("No hearing has been held")


@guard("reviewer_not_handler")
def reviewer_not_handler(ctx: GuardContext) -> str | None:
    login = ctx.request.actor.login
    if login in {ctx.case.assigned_mediator, current_mediator(ctx.case)} - {""}:
        return _("The legality and reasonableness review must be done by someone other than the case handler")
    return None


def review_problem(definition: ProcedureDefinition, case: CaseRecord, review: CaseEvent) -> str | None:
    """Why a recorded review cannot support a decision, or None (also used by the property tests)."""
    if review.payload.get("result") != "approved":
        return _("The latest legality and reasonableness review did not approve the decision")
    by = review.payload.get("by")
    role = by.get("role") if isinstance(by, Mapping) else None
    qualified = by.get("legally_qualified") if isinstance(by, Mapping) else None
    if role not in ("supervisor", "admin") or qualified is not True:
        return _("The review on record was not done by a legally qualified supervisor")
    spec = definition.action(review.action)
    handlers = set(spec.requires_different_actor_from) if spec is not None else set()
    handlers |= {"hold_hearing"}
    if any(e.actor == review.actor for e in case.events if e.action in handlers and e.seq < review.seq):
        return _("The review on record was done by a person who handled the hearing or mediation")
    if review.actor in {case.assigned_mediator} - {""}:
        return _("The review on record was done by the case handler")
    return None


@guard("approving_review", actions=("review",))
def approving_review(ctx: GuardContext) -> str | None:
    """A decision needs the latest review to approve it, by a different, legally qualified person."""
    case = ctx.case
    review = case.last_event("review")
    if review is None:
        return _("No legality and reasonableness review is on record")
    later = [e for e in case.events if e.seq > review.seq and e.action in ("hold_hearing", "collect_evidence")]
    if later:
        return _("Hearings or evidence were added after the review; the case needs a new review")
    return review_problem(ctx.definition, case, review)


@guard("decision_states_remedies")
def decision_states_remedies(ctx: GuardContext) -> str | None:
    if ctx.matter.remedies:
        return None
    return _("The matter states no remedy routes, and a decision must state them")
