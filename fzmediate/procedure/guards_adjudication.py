"""Guards of adjudication: service, the reply period, the hearing, the review, the approval, the decision.

Sources: 深圳条例 第五十八条 (mediate first, unless the matter's own rules have no mediation step, e.g.
政府采购投诉); 广东省土地权属纠纷处理条例 and 广东省林木林地权属争议调解处理条例 (service, reply, a decision
stating its reasons and the remedy route). The legality and reasonableness review (法制审核) follows
国办发〔2018〕118号 by analogy: the reviewer is legally qualified and took no part in handling the case; the
head of the body (负责人) approves after the review, for a matter the catalogue marks major after a collective
discussion (集体讨论), and is neither handler nor reviewer (行政处罚法 第五十七、五十八条 by analogy). See
docs/legal-review.md for the readings chosen.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Final

from fzmediate.catalogue.model import Matter
from fzmediate.domain.case import RECORD_ACTIONS, CaseEvent, CaseRecord, PartyRole
from fzmediate.i18n import _
from fzmediate.procedure.definition import INTAKE_ACTION, ProcedureDefinition
from fzmediate.procedure.guard_registry import (
    GuardContext,
    current_mediator,
    guard,
    ids_of,
    missing_parties,
    text_of,
)
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
    """A hearing was held before the review, unless the matter's review is in writing (``hearing_required``)."""
    if not ctx.matter.hearing_required or ctx.case.events_of("hold_hearing"):
        return None
    return _("No hearing has been held")


@guard("mediation_attempted_first", actions=("attempt_mediation",))
def mediation_attempted_first(ctx: GuardContext) -> str | None:
    """Mediation was tried and failed or refused before the review (深圳条例 第五十八条), where the matter says so."""
    if not ctx.matter.mediation_first:
        return None
    if any(e.payload.get("result") in ("failed", "refused") for e in ctx.case.events_of("attempt_mediation")):
        return None
    return _("The dispute must first be mediated (深圳条例 第五十八条); no failed or refused mediation is on record")


# --- separation of review and approval ------------------------------------------------------------------

#: Acts that are not handling the case: the review, the head's approval and the collective discussion
#: themselves, and the head's decision on a recusal request (a 负责人 decision, not case work).
NOT_HANDLING: Final = frozenset(
    {"review", "approve_decision", "record_collective_discussion", "decide_recusal", *RECORD_ACTIONS}
)
#: Acts that come only after the decision; listing them as excluding the reviewer would say nothing.
AFTER_DECISION: Final = frozenset({"decide", "serve_decision", "close", "archive"})


def handling_acts(definition: ProcedureDefinition) -> list[str]:
    """The acts of a procedure that count as handling the case (whoever did one may not review or approve)."""
    return [a.name for a in definition.actions if a.name not in NOT_HANDLING | AFTER_DECISION]


def handled_by(definition: ProcedureDefinition, case: CaseRecord, login: str) -> list[str]:
    """Labels of the handling acts ``login`` performed in the case (registration included), each once."""
    labels = [
        _("registration") if e.action == INTAKE_ACTION else definition.action_label(e.action)
        for e in case.events
        if e.actor == login and e.action not in NOT_HANDLING | AFTER_DECISION
    ]
    return list(dict.fromkeys(labels))


def _not_handler(ctx: GuardContext, *, exclude_listed: bool) -> list[str]:
    """What makes the actor a handler of the case: being the assigned handler, or the handling acts done.

    ``exclude_listed`` leaves out the acts the engine already names (``requires_different_actor_from``), so
    that a refusal says each thing once.
    """
    login = ctx.request.actor.login
    problems: list[str] = []
    if login in {ctx.case.assigned_mediator, current_mediator(ctx.case)} - {""}:
        problems.append(_("you are the case handler"))
    listed = set(ctx.action.requires_different_actor_from) if exclude_listed else set()
    done = [
        _("registration") if e.action == INTAKE_ACTION else ctx.definition.action_label(e.action)
        for e in ctx.case.events
        if e.actor == login and e.action not in NOT_HANDLING | AFTER_DECISION | listed
    ]
    if done:
        problems.append(_("you did: {acts}").format(acts=_(", ").join(dict.fromkeys(done))))
    return problems


@guard("reviewer_not_handler")
def reviewer_not_handler(ctx: GuardContext) -> str | None:
    """The reviewer took no part in handling the case (国办发〔2018〕118号 法制审核, by analogy)."""
    problems = _not_handler(ctx, exclude_listed=True)
    if not problems:
        return None
    if problems == [_("you are the case handler")]:
        return _("The legality and reasonableness review must be done by someone other than the case handler")
    return _("The review must be done by someone who did not handle the case: {why}").format(why=_("; ").join(problems))


@guard("approver_not_handler", actions=("review",))
def approver_not_handler(ctx: GuardContext) -> str | None:
    """The head who approves neither handled the case nor reviewed it."""
    problems = _not_handler(ctx, exclude_listed=True)
    if "review" not in ctx.action.requires_different_actor_from and any(
        e.actor == ctx.request.actor.login for e in ctx.case.events_of("review")
    ):
        problems.append(_("you did the legality and reasonableness review"))
    if not problems:
        return None
    return _("The approval must be given by someone who neither handled nor reviewed the case: {why}").format(
        why=_("; ").join(problems)
    )


def review_problem(definition: ProcedureDefinition, case: CaseRecord, review: CaseEvent) -> str | None:
    """Why a recorded review cannot support a decision, or None (also used by the property tests)."""
    if review.payload.get("result") != "approved":
        return _("The latest legality and reasonableness review did not approve the decision")
    by = review.payload.get("by")
    role = by.get("role") if isinstance(by, Mapping) else None
    qualified = by.get("legally_qualified") if isinstance(by, Mapping) else None
    if role not in ("supervisor", "admin") or qualified is not True:
        return _("The review on record was not done by a legally qualified supervisor")
    if handled_by(definition, case, review.actor):
        return _("The review on record was done by a person who handled the case")
    if review.actor in {case.assigned_mediator} - {""}:
        return _("The review on record was done by the case handler")
    return None


#: Acts that change what the review examined: after one of them the case needs a new review.
REVIEW_INVALIDATED_BY: Final = ("hold_hearing", "collect_evidence", "record_contested_point", "receive_reply")


@guard("approving_review", actions=("review",))
def approving_review(ctx: GuardContext) -> str | None:
    """A decision needs the latest review to approve it, by a different, legally qualified person."""
    case = ctx.case
    review = case.last_event("review")
    if review is None:
        return _("No legality and reasonableness review is on record")
    later = [e for e in case.events if e.seq > review.seq and e.action in REVIEW_INVALIDATED_BY]
    if later:
        return _("Hearings, evidence or findings were added after the review; the case needs a new review")
    return review_problem(ctx.definition, case, review)


def approval_problem(definition: ProcedureDefinition, case: CaseRecord) -> str | None:
    """Why the case has no valid head's approval for its decision, or None (also used by the property tests)."""
    review = case.last_event("review")
    approval = case.last_event("approve_decision")
    if approval is None or review is None or approval.seq < review.seq:
        return _("The head of the body has not approved the decision after the latest review (负责人审批)")
    if approval.payload.get("result") != "approved":
        return _("The head of the body did not approve the decision")
    by = approval.payload.get("by")
    if not isinstance(by, Mapping) or by.get("role") not in ("supervisor", "admin"):
        return _("The approval on record was not given by a supervisor")
    reviewers = {e.actor for e in case.events_of("review")}
    if approval.actor in reviewers or approval.actor in {case.assigned_mediator} - {""}:
        return _("The approval on record was given by the reviewer or the case handler")
    if handled_by(definition, case, approval.actor):
        return _("The approval on record was given by a person who handled the case")
    return None


@guard("decision_approved", actions=("approve_decision", "review"))
def decision_approved(ctx: GuardContext) -> str | None:
    """The head of the body approved the decision after the latest review, and was neither handler nor reviewer."""
    return approval_problem(ctx.definition, ctx.case)


def discussed_after_review(case: CaseRecord) -> CaseEvent | None:
    """The collective discussion recorded after the latest review, if any."""
    review = case.last_event("review")
    discussion = case.last_event("record_collective_discussion")
    if discussion is None or (review is not None and discussion.seq < review.seq):
        return None
    return discussion


@guard("collective_discussion_if_major", actions=("record_collective_discussion", "review"))
def collective_discussion_if_major(ctx: GuardContext) -> str | None:
    """For a matter the catalogue marks major, a collective discussion after the review (国办发〔2018〕118号)."""
    if not ctx.matter.major_decision or discussed_after_review(ctx.case) is not None:
        return None
    return _("A major decision: a collective discussion must be recorded after the review and before the approval")


@guard("collective_discussion_dated", fields=("held_on",), actions=("review",))
def collective_discussion_dated(ctx: GuardContext) -> str | None:
    """The discussion was held after the review and not after the day it is recorded."""
    held = ctx.payload.get("held_on")
    if not isinstance(held, str) or not held:
        return None  # the payload check names the missing date
    day = date.fromisoformat(held)
    review = ctx.case.last_event("review")
    if day > ctx.request.on:
        return _("The collective discussion cannot be held after the day it is recorded ({on})").format(
            on=ctx.request.on.isoformat()
        )
    if review is not None and day < review.on:
        return _("The collective discussion must come after the review of {on}").format(on=review.on.isoformat())
    return None


# --- the reasons of the decision ---------------------------------------------------------------------------


def contested_points(case: CaseRecord) -> list[CaseEvent]:
    """The contested points on record, in the order first raised; a point recorded again replaces the earlier."""
    latest: dict[str, CaseEvent] = {}
    for event in case.events_of("record_contested_point"):
        key = event.payload.get("point")
        if isinstance(key, str) and key.strip():
            # Re-assigning keeps the key's first position: the order stays that of the first recording.
            latest[key.strip()] = event
    return list(latest.values())


@guard("contested_points_recorded", actions=("record_contested_point",))
def contested_points_recorded(ctx: GuardContext) -> str | None:
    """At least one contested point, with the facts found, the evidence and the reasoning, is on record."""
    if contested_points(ctx.case):
        return None
    return _("No contested point with its facts found, evidence and reasoning is on record")


@guard("third_party_position_stated", fields=("third_party_statement",))
def third_party_position_stated(ctx: GuardContext) -> str | None:
    """When the case has a third party, the decision states its position (第三人述称)."""
    if not any(p.role is PartyRole.THIRD_PARTY for p in ctx.case.parties):
        return None
    if text_of(ctx.payload, "third_party_statement"):
        return None
    return _("The case has a third party: the decision must state the third party's position")


_TITLE = re.compile(r"《([^《》]+)》")


def law_titles(text: str) -> list[str]:
    """The titles of the laws a text cites (what stands between 《 and 》), each once, in order."""
    return list(dict.fromkeys(t.strip() for t in _TITLE.findall(text)))


def catalogue_laws(matter: Matter) -> set[str]:
    """The laws the catalogue cites for the matter: its legal basis, sources and citation table."""
    texts = [b.law for b in matter.legal_basis] + list(matter.sources) + [c.text for c in matter.citations]
    return {t for text in texts for t in law_titles(text)}


@guard("articles_from_catalogue", fields=("law_applied",))
def articles_from_catalogue(ctx: GuardContext) -> str | None:
    """The law applied cites provisions of laws the catalogue lists for the matter (so the district can check them)."""
    cited = law_titles(text_of(ctx.payload, "law_applied"))
    if not cited:
        return _("The law applied must cite at least one provision in the form 《law》 article …")
    unknown = [t for t in cited if t not in catalogue_laws(ctx.matter)]
    if not unknown:
        return None
    return _(
        "The law applied cites laws the catalogue does not list for this matter: {laws}; cite the matter's laws, "
        "or ask the district to add the law to the catalogue"
    ).format(laws="、".join("《{0}》".format(t) for t in unknown))


@guard("decision_states_remedies")
def decision_states_remedies(ctx: GuardContext) -> str | None:
    if ctx.matter.remedies:
        return None
    return _("The matter states no remedy routes, and a decision must state them")
