"""The one permission question (``fzmediate.security.permissions.may``) and the service refusals agree.

For every role and every operation, the service refuses exactly when ``may`` says no, with ``may``'s first
reason; for a case act the answer combines the role, the desk unit's remit and the engine's reasons; for issuing
a document, the role, the kind's readiness and the issuing body. Also: browsing a case reads it masked and writes
nothing; showing personal data is an explicit, audited read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, datetime
from typing import Any

import pytest

from fzmediate.errors import FzError, PermissionDenied, ValidationError
from fzmediate.i18n import set_locale
from fzmediate.procedure.engine import ActionRefused
from fzmediate.security.permissions import OPERATIONS, Decision, Role, act_decisions, may, require
from fzmediate.services.attachments import AttachmentService, NewAttachment
from fzmediate.services.session import Actor, Session
from fzmediate.services.session_plans import SessionPlans
from fzmediate.services.statistics import StatsQuery, compute
from fzmediate.services.workspace import Workspace
from tests.cases_support import APPLICANT_ID, COMPANY_ID, intake, organization, person
from tests.support import ADMIN_PW, MEDIATOR_PW, MEDIATOR_PW_2, SUPERVISOR_PW
from tests.unit.test_attachments import png_bytes

LOGINS = {
    Role.ADMIN: ("admin", ADMIN_PW),
    Role.SUPERVISOR: ("sup1", SUPERVISOR_PW),
    Role.MEDIATOR: ("med1", MEDIATOR_PW),
}
LAND = {"matter": "PS-CJ-001", "summary": "土地使用权权属争议", "claims": "请求确认争议地块的使用权归申请人。"}
TRANSFER = {"receiving_body": "深圳市坪山区人民政府", "reasons": "土地权属争议由区人民政府处理"}


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    set_locale("en")
    yield


@pytest.fixture
def staffed(initialized: Workspace) -> Workspace:
    with initialized.unlock("admin", ADMIN_PW) as s:
        s.users.add("med1", "mediator", MEDIATOR_PW, full_name="赵喆")
        s.users.add("sup1", "supervisor", SUPERVISOR_PW, legally_qualified=True, full_name="钱多")
    return initialized


def as_role(ws: Workspace, role: Role) -> Session:
    login, password = LOGINS[role]
    return ws.unlock(login, password)


def first_reason(exc: FzError) -> str:
    reasons: tuple[str, ...] = getattr(exc, "reasons", (exc.message,))
    return reasons[0]


def agree(decision: Decision, call: Callable[[], Any], where: str) -> None:
    """The service refuses iff the decision says no, with the decision's first reason and error type."""
    if decision.allowed:
        try:
            call()
        except PermissionDenied as exc:  # pragma: no cover - the failure message is the point
            pytest.fail("{0}: may() allowed, the service refused: {1}".format(where, exc))
        except FzError as exc:
            # Input the operation judges itself (a junk PDF to verify): never a refusal of the user.
            assert not isinstance(exc, ActionRefused), (where, exc)
        return
    assert decision.reasons and decision.error is not None, where
    with pytest.raises(FzError) as raised:
        call()
    assert first_reason(raised.value) == decision.reason, where
    assert type(raised.value) is type(decision.error), where


# --- role-only operations ----------------------------------------------------------------------------------

#: (operation, roles expected to be allowed, the service call) — the call gets (session, a fresh case id).
ROLE_TABLE: list[tuple[str, frozenset[Role], Callable[[Session, str], Any]]] = [
    ("case.create", frozenset(Role), lambda s, c: s.cases.create(intake(), confirm_duplicate=True)),
    ("case.view", frozenset(Role), lambda s, c: s.cases.view(c)),
    ("case.show", frozenset(Role), lambda s, c: s.cases.reveal(c)),
    ("case.list", frozenset(Role), lambda s, c: s.cases.list()),
    ("case.actions", frozenset(Role), lambda s, c: s.cases.available_actions(c)),
    ("case.deadlines", frozenset(Role), lambda s, c: s.cases.deadlines(c)),
    ("case.assign", frozenset({Role.ADMIN, Role.SUPERVISOR}), lambda s, c: s.cases.assign(c, "med1")),
    (
        "case.void",
        frozenset({Role.ADMIN, Role.SUPERVISOR}),
        lambda s, c: s.cases.void(s.cases.create(intake(), confirm_duplicate=True).id, "重复登记", duplicate_of=c),
    ),
    ("document.list", frozenset(Role), lambda s, c: s.documents.list(c)),
    ("document.verify", frozenset(Role), lambda s, c: s.documents.verify(b"%PDF-1.7 not a document")),
    ("catalogue", frozenset(Role), lambda s, c: s.catalogue.list()),
    ("organisation.units", frozenset(Role), lambda s, c: s.organisation.units()),
    ("organisation.unit", frozenset({Role.ADMIN}), lambda s, c: s.organisation.set_desk_unit("PS-JD-PS")),
    (
        "manage_users",
        frozenset({Role.ADMIN}),
        lambda s, c: s.users.add("new" + s.actor.login, "mediator", MEDIATOR_PW_2),
    ),
    ("view_audit", frozenset({Role.ADMIN, Role.SUPERVISOR}), lambda s, c: s.maintenance.audit_tail()),
    ("statistics", frozenset({Role.ADMIN, Role.SUPERVISOR}), lambda s, c: compute(s, StatsQuery())),
    ("session.plan", frozenset(Role), lambda s, c: SessionPlans(s).plan(c, datetime(2026, 12, 2, 9, 30), 60, "调解室")),
    ("attachment.add", frozenset(Role), lambda s, c: _file(s, c)),
    ("attachment.list", frozenset(Role), lambda s, c: AttachmentService(s).list(c)),
    ("attachment.show", frozenset(Role), lambda s, c: AttachmentService(s).read(_file(s, c))),
    ("attachment.remove", frozenset(Role), lambda s, c: AttachmentService(s).remove(_file(s, c), "扫描错误")),
]


def _file(s: Session, case_id: str) -> str:
    """File a scan with the case (every case worker may), for the operations on an attachment."""
    return AttachmentService(s).add(case_id, [NewAttachment("scan.png", png_bytes())])[0].id


@pytest.mark.parametrize("role", list(Role))
def test_every_role_and_operation_the_service_refuses_iff_may_says_no(staffed: Workspace, role: Role) -> None:
    with as_role(staffed, role) as s:
        for operation, allowed_roles, call in ROLE_TABLE:
            case_id = s.cases.create(intake(), confirm_duplicate=True).id
            decision = may(s, operation)
            assert decision.allowed == (role in allowed_roles), (operation, role)
            assert decision == may(s.actor, operation)  # the role alone decides these
            agree(decision, lambda c=call, i=case_id: c(s, i), "{0} as {1}".format(operation, role))
            if not decision:
                assert operation in decision.reason  # the refusal names the operation, never a person


def test_the_recovery_code_may_do_nothing_and_an_unknown_operation_is_a_programming_error() -> None:
    recovery = Actor("recovery", None, False)
    for operation in OPERATIONS:
        decision = may(recovery, operation)
        assert not decision and decision.reason and isinstance(decision.error, PermissionDenied)
    with pytest.raises(ValueError):
        may(recovery, "case.shwo")
    with pytest.raises(ValueError):
        may(recovery, "case.list:accept")  # only acts and document kinds take a detail


# --- case acts: role, remit, engine ----------------------------------------------------------------------

#: (matter of the case, act, payload): a registered case in the street office's remit, and a land dispute
#: outside it (a street office only transfers it).
ACT_TABLE: list[tuple[dict[str, Any], str, dict[str, Any]]] = [
    ({}, "accept", {}),
    ({}, "refuse", {"reasons": "不属于本机关受理范围"}),
    ({}, "transfer", TRANSFER),
    ({}, "hold_session", {}),  # not in this state
    ({}, "extend_period", {"extend_by": 5, "reasons": "延期"}),  # not in this state; not a mediator's act
    ({}, "decide_recusal", {"decision": "rejected", "reasons": "无"}),
    ({}, "no_such_act", {}),
    (LAND, "accept", {}),  # outside the desk unit's remit
    (LAND, "transfer", TRANSFER),  # the way out stays open
    (LAND, "hold_session", {}),  # outside the remit, and not an act of its procedure: both reasons
]


@pytest.mark.parametrize("role", list(Role))
def test_every_role_and_act_the_case_service_agrees_with_may(staffed: Workspace, role: Role) -> None:
    with as_role(staffed, role) as s:
        for changes, action, payload in ACT_TABLE:
            case_id = s.cases.create(intake(**changes), confirm_duplicate=True).id
            decision = may(s, "case.act:" + action, case_id)
            assert decision == act_decisions(s, case_id).get(action, decision)  # one answer for a whole view
            agree(
                decision,
                lambda i=case_id, a=action, p=payload: s.cases.act(i, a, p),
                "{0} {1} as {2}".format(changes, action, role),
            )
            if decision:
                assert s.cases.view(case_id).events[-1].action == action


def test_the_act_answer_combines_remit_and_engine_reasons_in_the_services_order(staffed: Workspace) -> None:
    with as_role(staffed, Role.MEDIATOR) as s:
        land = s.cases.create(intake(**LAND), confirm_duplicate=True).id
        decision = may(s, "case.act:hold_session", land)
        assert isinstance(decision.error, ValidationError) and decision.error.field == "unit"
        assert len(decision.reasons) >= 2  # the remit first, then the engine's (not in this state)
        assert "深圳市坪山区人民政府" in decision.reason
        assert may(s, "case.act:transfer", land).allowed
        ours = s.cases.create(intake(), confirm_duplicate=True).id
        extend = may(s, "case.act:extend_period", ours)
        assert isinstance(extend.error, ActionRefused)
        engine = {a.name: a for a in s.cases.available_actions(ours)}["extend_period"]
        assert extend.reasons == engine.reasons  # the engine's own words, in its order
        assert any("supervisor" in r for r in extend.reasons)  # the act's own roles come from the definition
        assert may(s, "case.act:extend_period").allowed  # without a case only the role is judged


def test_a_late_entry_is_judged_as_the_case_stood_that_day(staffed: Workspace) -> None:
    with as_role(staffed, Role.MEDIATOR) as s:
        case_id = s.cases.create(intake(), confirm_duplicate=True).id
        day = date(2026, 11, 28)
        assert may(s, "case.act:accept", case_id, on=day)
        s.cases.act(case_id, "accept", {}, occurred_on=day, late_reason="当日系统停机")
        assert s.cases.view(case_id).events[-1].on == day
        # A future date is the engine's to name when applied (may judges it as of today).
        with pytest.raises(ActionRefused) as raised:
            s.cases.act(case_id, "suspend", {"reasons": "等待鉴定"}, occurred_on=date(2026, 12, 30))
        assert "future" in str(raised.value)


# --- issuing documents ---------------------------------------------------------------------------------------

ISSUE_TABLE = ["receipt", "acceptance_notice", "agreement", "no_such_kind"]


@pytest.mark.parametrize("role", list(Role))
def test_every_role_and_document_kind_issue_agrees_with_may(staffed: Workspace, role: Role) -> None:
    with as_role(staffed, role) as s:
        case_id = s.cases.create(intake(), confirm_duplicate=True).id
        s.cases.act(case_id, "accept", {})
        for kind in ISSUE_TABLE:
            decision = may(s, "document.issue:" + kind, case_id)
            if role is Role.ADMIN:
                assert isinstance(decision.error, PermissionDenied), kind  # no share of the office key
            agree(decision, lambda k=kind: s.documents.issue(k, case_id), "{0} as {1}".format(kind, role))
        if role is not Role.ADMIN:
            assert {d.kind for d in s.documents.list(case_id)} == {"receipt", "acceptance_notice"}


def test_require_raises_the_decisions_error(staffed: Workspace) -> None:
    with as_role(staffed, Role.MEDIATOR) as s:
        assert require(s, "case.list") is Role.MEDIATOR
        with pytest.raises(PermissionDenied) as raised:
            require(s, "case.assign")
        assert str(raised.value) == may(s, "case.assign").reason


# --- reading without writing ----------------------------------------------------------------------------------


def audit_actions(ws: Workspace) -> list[Any]:
    with ws.unlock("admin", ADMIN_PW) as s:
        return [e for e in s.maintenance.audit_tail(500) if e.action.startswith("case.")]


def test_view_is_masked_and_writes_nothing_reveal_is_audited_naming_the_actor_not_the_person(
    staffed: Workspace,
) -> None:
    with as_role(staffed, Role.MEDIATOR) as s:
        parties = [person(), organization(legal_representative="赵大明")]
        case_id = s.cases.create(
            intake(facts="申请人电话13912345678，多次反映。", parties=parties), confirm_duplicate=True
        ).id
    before = audit_actions(staffed)
    with as_role(staffed, Role.MEDIATOR) as s:
        view = s.cases.view(case_id)
        number = view.number
        assert view.masked and s.cases.view(number) == view
    after_view = audit_actions(staffed)
    assert [e.action for e in after_view] == [e.action for e in before]  # browsing wrote nothing
    shown = repr(view)
    for secret in (APPLICANT_ID, COMPANY_ID, "13912345678", "王𠮷", "测试路1号", "赵大明"):
        assert secret not in shown, secret
    applicant, company = view.parties
    assert company.legal_representative == "赵某某"
    assert applicant.name == "王某" and applicant.phone == "139****5678"
    assert applicant.id_number == APPLICANT_ID[:6] + "********" + APPLICANT_ID[-4:]
    assert "139****5678" in view.facts
    with as_role(staffed, Role.MEDIATOR) as s:
        full = s.cases.reveal(case_id)
    assert not full.masked and full.parties[0].id_number == APPLICANT_ID and full.parties[0].name == "王𠮷"
    new = [e for e in audit_actions(staffed) if e.seq > max(x.seq for x in after_view)]
    shows = [e for e in new if e.action == "case.show"]
    assert len(shows) == 1
    event = shows[0]
    assert (event.actor, event.object_type, event.object_id) == ("med1", "case", case_id)
    for secret in (APPLICANT_ID, "王𠮷", "13912345678"):
        assert secret not in repr(event)


def test_masking_twice_changes_nothing_and_the_cli_json_matches_the_view(staffed: Workspace) -> None:
    from fzmediate.services.case_views import jsonable, mask_detail, masked_detail

    with as_role(staffed, Role.SUPERVISOR) as s:
        case_id = s.cases.create(intake(), confirm_duplicate=True).id
        view = s.cases.view(case_id)
        full = s.cases.reveal(case_id)
    assert mask_detail(view) is view
    assert masked_detail(full) == jsonable(view)
