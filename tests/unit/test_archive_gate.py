"""The completeness gate: a case is not archived while a document its path requires has not been issued.

Table tests of what each path requires (agreed and failed mediation, decided adjudication, refusal, transfer),
of what counts as issued (a 送达回证 issued before a later service does not cover it), and the gate itself in the
engine (refusing with the name of each missing document, then allowing once they are issued) and through the
case and document services on a real store.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from fzmediate.documents.templates.kinds import KINDS, covers, issued_kinds
from fzmediate.domain.case import CaseEvent, CaseKind, CaseRecord
from fzmediate.i18n import set_locale
from fzmediate.procedure.engine import ActionRefused
from fzmediate.procedure.guards import GUARDS
from fzmediate.procedure.guards_archive import GATE, REQUIRED_DOCUMENTS, missing_documents, required_documents
from fzmediate.procedure.standard import standard_definitions
from tests.procedure_helpers import MEDIATOR, closed_agreed_mediation


def d(month: int, day: int) -> date:
    return date(2026, month, day)


def _case(kind: CaseKind, *actions: str) -> CaseRecord:
    at = datetime(2026, 10, 1, 9, tzinfo=UTC)
    events = tuple(CaseEvent(i, a, d(10, 1), at, "med1", "test", {}) for i, a in enumerate(actions, start=1))
    return CaseRecord("c", "N-1", kind, "M", "b", 1, "p", "closed", d(10, 1), "", "", "", (), events=events)


AGREED = ("register", "accept", "record_consent", "issue_rights_notice", "hold_session", "record_agreement")
FAILED = ("register", "accept", "record_consent", "issue_rights_notice", "hold_session", "record_undisputed_facts")
DECIDED = ("register", "accept", "serve_copy", "issue_rights_notice", "hold_hearing", "decide", "serve_decision")


@pytest.mark.parametrize(
    ("kind", "actions", "required"),
    [
        (
            CaseKind.MEDIATION,
            (*AGREED, "follow_up"),
            ["application", "acceptance_notice", "consent_request", "rights_notice", "mediation_record", "agreement",
             "follow_up_record"],
        ),
        (
            CaseKind.MEDIATION,
            (*FAILED, "terminate", "issue_termination_notice"),
            ["application", "acceptance_notice", "consent_request", "rights_notice", "mediation_record",
             "undisputed_facts", "termination_notice", "service_receipt"],
        ),
        (
            CaseKind.ADJUDICATION,
            DECIDED,
            ["application", "acceptance_notice", "adjudication_rights_notice", "reply_notice", "hearing_record",
             "decision", "service_receipt"],
        ),
        (
            CaseKind.ADJUDICATION,
            ("register", "accept", "publish_acceptance_notice", "suspend", "resume", "extend_period"),
            ["application", "acceptance_notice", "acceptance_announcement", "extension_notice", "suspension_notice",
             "resumption_notice"],
        ),
        (CaseKind.MEDIATION, ("register", "refuse"), ["application", "refusal_notice"]),
        (CaseKind.MEDIATION, ("register", "transfer"), ["application", "transfer_notice"]),
        (CaseKind.MEDIATION, ("register", "accept", "request_recusal", "decide_recusal"),
         ["application", "acceptance_notice", "recusal_decision"]),
    ],
)  # fmt: skip
def test_each_path_requires_its_documents(kind: CaseKind, actions: tuple[str, ...], required: list[str]) -> None:
    assert [r.kind for r in required_documents(_case(kind, *actions))] == required


def test_the_gate_names_kinds_that_exist_with_their_titles() -> None:
    for required in REQUIRED_DOCUMENTS:
        kind = KINDS[required.kind]
        assert required.title in kind.title or kind.title in required.title, required.kind
        assert required.case_kinds <= kind.case_kinds, required.kind


def test_a_service_receipt_covers_only_the_services_before_it() -> None:
    case = _case(CaseKind.ADJUDICATION, *DECIDED)
    receipt = KINDS["service_receipt"]
    before_decision_served = 6  # issued after the decision (seq 6), before it was served (seq 7)
    assert not covers(receipt, case, before_decision_served)
    assert covers(receipt, case, 7)
    issued = issued_kinds([("service_receipt", before_decision_served), ("decision", 6)], case)
    assert issued == {"decision"}
    assert issued_kinds([("service_receipt", 3), ("service_receipt", 7)], case) == {"service_receipt"}
    assert "service_receipt" in {r.kind for r in missing_documents(case, ["decision"])}


def test_archive_is_gated_in_both_standard_procedures() -> None:
    assert GATE in GUARDS
    for definition in standard_definitions():
        archive = next(a for a in definition["actions"] if a["name"] == "archive")
        assert GATE in archive["guards"], definition["id"]


def test_the_engine_refuses_archiving_naming_each_missing_document_then_allows_it() -> None:
    set_locale("en")
    r = closed_agreed_mediation()
    reasons = r.refused("archive", d(10, 22), file_number="测试卷宗-1")
    assert reasons == (
        "The case file is incomplete; issue these documents before archiving: "
        "申请书、受理通知书、征求意见书、权利义务告知书、调解笔录、调解协议书、回访记录",
    )
    r.case = replace(r.case, documents=frozenset({"application", "acceptance_notice", "agreement"}))
    assert r.refused("archive", d(10, 22))[0].endswith("征求意见书、权利义务告知书、调解笔录、回访记录")
    needed = {req.kind for req in required_documents(r.case)}
    r.case = replace(r.case, documents=frozenset(needed))
    r.do("archive", d(10, 22), file_number="测试卷宗-1")
    assert r.state == "archived"


def test_the_refusal_is_listed_with_the_archive_act() -> None:
    set_locale("en")
    r = closed_agreed_mediation()
    info = next(a for a in r.engine.actions(r.case, MEDIATOR, on=d(10, 22)) if a.name == "archive")
    assert not info.allowed and "调解笔录" in info.reasons[0]


def test_through_the_services_archive_waits_for_the_documents(tmp_path: object) -> None:
    from pathlib import Path

    from fzmediate.services.workspace import Workspace
    from tests.documents import case_lifecycles as life
    from tests.documents.test_new_kinds import _desk
    from tests.support import ADMIN_PW, FAST_KDF, FakeClock

    set_locale("zh_CN")
    assert isinstance(tmp_path, Path)
    ws = Workspace(tmp_path / "data", kdf=FAST_KDF, clock=FakeClock())
    ws.initialize("admin", ADMIN_PW, full_name="管理员")
    life.staff(ws)
    _desk(ws)
    with ws.unlock(*life.MEDIATOR) as s:
        case_id, applicant, respondent = life._prepare(s, "2026-10-09")
        life.step(s, case_id, "hold_session", "2026-10-20", {"summary": "测试", "present": [applicant, respondent]})
        life.step(
            s,
            case_id,
            "record_undisputed_facts",
            "2026-10-28",
            {"facts": "测试事实", "signed_by": [applicant, respondent]},
        )
        life.step(s, case_id, "terminate", "2026-10-28", {"ground": "cannot_proceed", "reasons": "分歧过大"})
        life.step(s, case_id, "issue_termination_notice", "2026-10-29", {"parties": [applicant, respondent]})
        life.step(s, case_id, "close", "2026-10-30")
        with pytest.raises(ActionRefused) as refused:
            life.step(s, case_id, "archive", "2026-11-02")
        for title in ("申请书", "终止调解通知书", "送达回证", "无争议事实确认书", "调解笔录"):
            assert title in refused.value.reasons[0]
        life.issue_required(s, case_id)
        life.step(s, case_id, "archive", "2026-11-02")
        assert s.cases.get(case_id).state == "archived"
