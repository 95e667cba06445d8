"""Small synthetic cases for the procedure engine tests, and a runner that records accepted acts.

Every party is invented (names like 测试甲, numbers from tests/synthetic.py); the matters come from the
shipped catalogue source, so the tests run against the real time limits and remedies.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime
from functools import cache
from typing import Any

from fzmediate.catalogue.bundle import validate_payload
from fzmediate.catalogue.model import Bundle, Matter
from fzmediate.domain.case import CaseEvent, CaseKind, CaseRecord, Party, PartyKind, PartyRole
from fzmediate.procedure.calendar import WorkCalendar
from fzmediate.procedure.definition import ProcedureDefinition
from fzmediate.procedure.engine import (
    ActionRefused,
    ActionRequest,
    Actor,
    Outcome,
    ProcedureEngine,
    load_definitions,
    standard_definitions,
)
from fzmediate.procedure.guards_archive import required_documents
from fzmediate.resources import resource
from fzmediate.security.roles import Role
from tests.synthetic import make_resident_id, make_uscc

MEDIATOR = Actor("med1", Role.MEDIATOR, legally_qualified=False)
MEDIATOR2 = Actor("med2", Role.MEDIATOR, legally_qualified=False)
SUPERVISOR = Actor("sup1", Role.SUPERVISOR, legally_qualified=True)
SUPERVISOR_UNQUALIFIED = Actor("sup2", Role.SUPERVISOR, legally_qualified=False)
ADMIN = Actor("adm1", Role.ADMIN, legally_qualified=False)
ADMIN_QUALIFIED = Actor("adm2", Role.ADMIN, legally_qualified=True)
#: The head of the body (负责人): approves decisions, handles no case.
HEAD = Actor("head1", Role.SUPERVISOR, legally_qualified=False)

CONSUMER = "PS-TJ-001"  # 消费者权益争议行政调解: acceptance 5 wd (+5), mediation 30 d (+30)
LABOUR = "PS-TJ-005"  # 社会保险争议调解: mediation period 15 d from receipt
LAND = "PS-CJ-001"  # 土地权属争议行政裁决: service 5 d, reply 20 d, decision 6 months (+6)
FOREST = "PS-CJ-002"  # 林木林地权属争议: chained periods
PROCUREMENT = "PS-CJ-004"  # 政府采购投诉: periods from receipt


@cache
def bundle() -> Bundle:
    data = json.loads(resource("catalogue", "source", "pingshan.json").read_text(encoding="utf-8"))
    return validate_payload(data)


def matter(code: str) -> Matter:
    found = bundle().matter(code)
    assert found is not None, code
    return found


@cache
def definitions() -> dict[str, ProcedureDefinition]:
    return load_definitions(standard_definitions())


@cache
def calendar() -> WorkCalendar:
    return WorkCalendar()


def engine_for(code: str, cal: WorkCalendar | None = None) -> ProcedureEngine:
    m = matter(code)
    return ProcedureEngine(definitions()[m.procedure], m, cal or calendar())


def person(pid: str, role: PartyRole, name: str, seq: int) -> Party:
    return Party(
        id=pid,
        role=role,
        kind=PartyKind.PERSON,
        name=name,
        id_type="resident_id",
        id_number=make_resident_id(region="440310", seq=seq),
    )


def organisation(pid: str, role: PartyRole, name: str) -> Party:
    return Party(id=pid, role=role, kind=PartyKind.ORGANIZATION, name=name, id_type="uscc", id_number=make_uscc())


def default_parties(respondents: int = 1) -> tuple[Party, ...]:
    parties = [person("a1", PartyRole.APPLICANT, "测试甲", 11)]
    parties.append(organisation("r1", PartyRole.RESPONDENT, "测试乙有限公司"))
    for i in range(2, respondents + 1):
        parties.append(person(f"r{i}", PartyRole.RESPONDENT, "测试丙", 10 + i))
    return tuple(parties)


def make_case(
    code: str,
    received_on: date,
    *,
    parties: tuple[Party, ...] | None = None,
    assigned_mediator: str = "med1",
) -> CaseRecord:
    """A freshly registered case: state ``registered`` and one ``register`` event on the day received."""
    m = matter(code)
    return CaseRecord(
        id="case-1",
        number="PS-TEST-0001",
        kind=CaseKind(m.kind),
        matter_code=code,
        bundle_id="pingshan",
        bundle_version=1,
        procedure_id=m.procedure,
        state="registered",
        received_on=received_on,
        summary="测试纠纷",
        facts="测试事实",
        claims="测试请求",
        parties=parties if parties is not None else default_parties(),
        events=(
            CaseEvent(
                seq=1,
                action="register",
                on=received_on,
                at=datetime(received_on.year, received_on.month, received_on.day, 9, tzinfo=UTC),
                actor="med1",
                device="test",
                payload={},
            ),
        ),
        assigned_mediator=assigned_mediator,
    )


def record(case: CaseRecord, action: str, on: date, actor: Actor, outcome: Outcome) -> CaseRecord:
    """What the persistence layer does with an outcome: append the event, set the state."""
    event = CaseEvent(
        seq=len(case.events) + 1,
        action=action,
        on=on,
        at=datetime(on.year, on.month, on.day, 10, tzinfo=UTC),
        actor=actor.login,
        device="test",
        payload=outcome.payload,
    )
    mediator = outcome.assigned_mediator or case.assigned_mediator
    after = replace(case, state=outcome.new_state, events=(*case.events, event), assigned_mediator=mediator)
    # The case service hands the engine the documents issued for the case; here each is issued once required.
    return replace(after, documents=frozenset(r.kind for r in required_documents(after)))


class Runner:
    """Drives one case through an engine, keeping the snapshot up to date."""

    def __init__(self, code: str, received_on: date, **case_args: Any) -> None:
        self.engine = engine_for(code)
        self.case = make_case(code, received_on, **case_args)

    def do(self, action: str, on: date, actor: Actor = MEDIATOR, **payload: Any) -> Outcome:
        outcome = self.engine.apply(self.case, ActionRequest(action, actor, on, payload))
        self.case = record(self.case, action, on, actor, outcome)
        return outcome

    def refused(self, action: str, on: date, actor: Actor = MEDIATOR, **payload: Any) -> tuple[str, ...]:
        try:
            self.engine.apply(self.case, ActionRequest(action, actor, on, payload))
        except ActionRefused as exc:
            return exc.reasons
        raise AssertionError("{0} was allowed".format(action))

    @property
    def state(self) -> str:
        return self.case.state

    def deadline(self, name: str, today: date) -> Any:
        return next(d for d in self.engine.deadlines(self.case, today) if d.name == name)

    def principals(self) -> list[str]:
        return [p.id for p in self.case.principals()]

    def respondents(self) -> list[str]:
        return [p.id for p in self.case.parties if p.role is PartyRole.RESPONDENT]


def agreement(on: date, obligor: str = "r1", obligee: str = "a1", **extra: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "facts_and_disputes": "测试：商品质量争议，双方对退款数额有争议。",
        "terms": [
            {
                "obligor": obligor,
                "obligee": obligee,
                "content": "退还货款",
                "amount": "1200.50",
                "manner": "银行转账",
                "place": "坪山区测试街道",
                "deadline": date(on.year + 1, 1, 15).isoformat(),
            }
        ],
        "partial": False,
    }
    payload.update(extra)
    return payload


def decision() -> dict[str, Any]:
    return {
        "cause": "测试土地权属争议",
        "claims": "测试：确认争议地块使用权归申请人",
        "applicant_facts_and_reasons": "测试：申请人长期使用",
        "respondent_facts_and_reasons": "测试：被申请人持有旧证",
        "facts_found": "测试：查明的事实",
        "law_applied": "《广东省土地权属纠纷处理条例》（测试引用）",
        "decision_text": "测试：争议地块使用权归申请人",
    }


def contested_point(n: int = 1, **changes: Any) -> dict[str, Any]:
    """One contested point (争议焦点) with its finding, evidence and reasoning, as ``record_contested_point`` takes."""
    payload: dict[str, Any] = {
        "point": "测试争议焦点{0}".format(n),
        "finding": "测试：查明的事实{0}".format(n),
        "evidence": ["测试：土地证复印件", "测试：证人证言"],
        "reasoning": "测试：本机关的理由{0}".format(n),
    }
    payload.update(changes)
    return payload


def head_approval(**changes: Any) -> dict[str, Any]:
    """A 负责人审批 approving the decision."""
    payload: dict[str, Any] = {"result": "approved", "reasons": "测试：同意"}
    payload.update(changes)
    return payload


def collective_discussion(held_on: date, **changes: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "held_on": held_on.isoformat(),
        "participants": ["测试主任", "测试副主任", "测试法制审核人员"],
        "conclusion": "测试：同意作出裁决",
    }
    payload.update(changes)
    return payload


def closed_agreed_mediation() -> Runner:
    """A consumer mediation agreed, followed up and closed, with no document issued yet (the archive gate)."""
    r = Runner(CONSUMER, date(2026, 9, 25))
    r.do("accept", date(2026, 9, 28))
    respondent = r.respondents()[0]
    r.do("record_consent", date(2026, 9, 28), party=respondent, consent="agreed")
    r.do("disclose_conflicts", date(2026, 9, 28), has_conflict=False)
    r.do("issue_rights_notice", date(2026, 9, 28))
    r.do("acknowledge_rights_notice", date(2026, 9, 28), parties=r.principals(), method="signature")
    r.do("hold_session", date(2026, 9, 30))
    r.do("record_agreement", date(2026, 10, 9), **agreement(date(2026, 10, 9), signed_by=r.principals()))
    r.do("follow_up", date(2026, 10, 20), performance="performed")
    r.do("remind_judicial_confirmation", date(2026, 10, 20), parties=r.principals())
    r.do("close", date(2026, 10, 21))
    r.case = replace(r.case, documents=frozenset())  # nothing issued yet
    return r
