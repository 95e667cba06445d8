"""Corrections (更正), voiding a duplicate registration (作废), the duplicate warning, and schema 0006.

Through the services on a real store: nothing is lost (the old values stay in the case history), search finds
the new values, a document issued before is issued again as a new version, a voided case leaves the open lists
and its number is never reused.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from fzmediate.domain.intake import IntakeError
from fzmediate.errors import PermissionDenied, ValidationError
from fzmediate.i18n import set_locale
from fzmediate.procedure.engine import ActionRefused
from fzmediate.services.cases import DuplicateWarning
from fzmediate.services.session import Session
from fzmediate.services.workspace import Workspace
from fzmediate.store.migrate import current_revision, head_revision
from tests.cases_support import RESPONDENT_ID, intake, organization, person
from tests.documents.case_lifecycles import MEDIATOR, staff
from tests.support import FAST_KDF, SUPERVISOR_PW

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "schema_0001"


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    set_locale("en")
    yield


@pytest.fixture
def staffed(initialized: Workspace) -> Workspace:
    staff(initialized)
    return initialized


@pytest.fixture
def mediator(staffed: Workspace) -> Iterator[Session]:
    with staffed.unlock(*MEDIATOR) as s:
        yield s


# --- corrections --------------------------------------------------------------------------------------------


def test_correction_keeps_old_values_and_search_finds_the_new(mediator: Session) -> None:
    s = mediator
    case = s.cases.create(intake())
    applicant = s.cases.get(case.id).parties[0]
    result = s.cases.correct(
        case.id,
        {"parties": {applicant.id: {"name": "王𠮷华", "phone": "13700004444"}}, "facts": "更正后的事实。"},
        "申请人身份证件姓名登记有误",
    )
    detail = result.detail
    assert detail.parties[0].name == "王𠮷华" and detail.parties[0].phone == "+8613700004444"
    assert detail.facts == "更正后的事实。"
    event = detail.events[-1]
    assert (event.action, event.action_label) == ("correct", "correction of registered data")
    changes = {c["field"]: (c["old"], c["new"]) for c in event.payload["changes"]}
    assert changes["parties[0].name"] == ("王𠮷", "王𠮷华")  # the old value stays in the history
    assert changes["parties[0].phone"] == ("+8613912345678", "+8613700004444")
    assert changes["facts"][1] == "更正后的事实。" and event.payload["reason"] == "申请人身份证件姓名登记有误"
    assert [c.number for c in s.cases.search("王𠮷华")] == [case.number]
    assert s.cases.search("13912345678") == []  # the old phone is no longer a search key


@pytest.mark.parametrize(
    ("changes", "reason", "field"),
    [
        ({"facts": "x"}, "  ", "reason"),
        ({}, "更正", "changes"),
        ({"number": "x"}, "更正", "changes"),
        ({"facts": "申请人称小区电梯长期故障，物业公司未及时维修。"}, "更正", "changes"),
    ],
    ids=["no-reason", "nothing", "unknown-field", "same-value"],
)
def test_correction_refusals_name_the_field(
    mediator: Session, changes: dict[str, str], reason: str, field: str
) -> None:
    case = mediator.cases.create(intake())
    with pytest.raises(ValidationError) as err:
        mediator.cases.correct(case.id, changes, reason)
    assert err.value.field == field


def test_corrected_values_pass_the_intake_rules(mediator: Session) -> None:
    case = mediator.cases.create(intake())
    company = mediator.cases.get(case.id).parties[1]
    with pytest.raises(IntakeError) as err:
        mediator.cases.correct(case.id, {"parties": {company.id: {"legal_representative": "赵\u202e某"}}}, "更正")
    assert [p.field for p in err.value.problems] == ["parties[1].legal_representative"]
    with pytest.raises(IntakeError):
        mediator.cases.correct(case.id, {"parties": {company.id: {"id_number": "91440300MA5DXYW01X"}}}, "更正")


def test_documents_issued_before_are_reissued_as_new_versions(mediator: Session) -> None:
    s = mediator
    case = s.cases.create(intake())
    s.cases.act(case.id, "accept")
    first = s.documents.issue("acceptance_notice", case.id)
    applicant = s.cases.get(case.id).parties[0]
    result = s.cases.correct(case.id, {"parties": {applicant.id: {"name": "王𠮷华"}}}, "姓名登记有误")
    assert ("acceptance_notice", 2) in result.reissued, result.reissue_failed
    docs = [d for d in s.documents.list(case.id) if d.kind == "acceptance_notice"]
    assert [(d.version, d.current) for d in docs] == [(1, False), (2, True)]
    assert docs[1].supersedes == first.id and docs[1].reason.startswith("更正：")
    assert s.documents.get_pdf(first.id)  # the first version is kept as issued


# --- voiding a duplicate registration ----------------------------------------------------------------------


def test_void_a_duplicate_registration(staffed: Workspace) -> None:
    with staffed.unlock("sup1", SUPERVISOR_PW) as s:
        original = s.cases.create(intake())
        duplicate = s.cases.create(intake(), confirm_duplicate=True)
        with pytest.raises(ValidationError) as err:
            s.cases.void(duplicate.id, "", duplicate_of=original.number)
        assert err.value.field == "reason"
        with pytest.raises(ValidationError) as err:
            s.cases.void(duplicate.id, "重复登记", duplicate_of=duplicate.number)
        assert err.value.field == "duplicate_of"
        voided = s.cases.void(duplicate.id, "同一申请重复登记", duplicate_of=original.number)
        assert voided.state == "voided" and voided.next_due is None
        assert voided.events[-1].payload["duplicate_of"] == original.number
        assert [c.number for c in s.cases.list()] == [original.number]  # not in the open lists
        assert {c.number for c in s.cases.list(include_voided=True)} == {original.number, duplicate.number}
        assert s.cases.get(duplicate.id).parties  # nothing deleted
        with pytest.raises(ActionRefused):
            s.cases.act(duplicate.id, "accept")
        again = s.cases.create(intake(), confirm_duplicate=True)
        assert again.number not in (original.number, duplicate.number)  # the number is never reused
        assert again.number.endswith("0003号")


def test_a_mediator_cannot_void(mediator: Session) -> None:
    case = mediator.cases.create(intake())
    other = mediator.cases.create(intake(), confirm_duplicate=True)
    with pytest.raises(PermissionDenied):
        mediator.cases.void(other.id, "重复登记", duplicate_of=case.number)


# --- the duplicate warning ----------------------------------------------------------------------------------


def test_duplicate_warning_names_the_case_and_needs_confirmation(mediator: Session) -> None:
    s = mediator
    first = s.cases.create(intake())
    before = len(s.cases.list())
    with pytest.raises(DuplicateWarning) as err:
        s.cases.create(intake(summary="物业费"))
    assert err.value.numbers == (first.number,) and first.number in err.value.message
    assert len(s.cases.list()) == before  # nothing registered
    second = s.cases.create(intake(), confirm_duplicate=True)
    register = s.cases.get(second.id).events[0]
    assert register.payload["duplicate_confirmed"] == [first.number]


@pytest.mark.parametrize(
    ("parties", "matter", "warns"),
    [
        ([person(), organization()], "PS-TJ-007", True),  # same ID numbers
        ([person(id_number=RESPONDENT_ID), organization()], "PS-TJ-007", True),  # same name and phone
        ([person(id_number=RESPONDENT_ID, phone="13700009999"), organization()], "PS-TJ-007", False),
        ([person(), organization(name="坪山另一物业有限公司", id_number=None)], "PS-TJ-007", False),
        ([person(), organization()], "PS-TJ-001", False),  # another matter
    ],
    ids=["id", "name-phone", "other-person", "other-respondent", "other-matter"],
)
def test_duplicate_matching(mediator: Session, parties: list[dict[str, str]], matter: str, warns: bool) -> None:
    mediator.cases.create(intake())
    data = intake(parties=parties, matter=matter)
    if warns:
        with pytest.raises(DuplicateWarning):
            mediator.cases.create(data)
    else:
        mediator.cases.create(data)


# --- schema 0006 --------------------------------------------------------------------------------------------


def test_older_store_upgrades_to_0006_with_empty_party_fields(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(FIXTURE, data)
    ws = Workspace(data, kdf=FAST_KDF)
    with ws.unlock("admin", "fixture-pass-1") as s:
        assert current_revision(s.db.engine) == head_revision() and head_revision() >= "0006"
        with s.read() as r:
            columns = {row[1] for row in r.execute(text("PRAGMA table_info(parties)"))}
            triggers = {row[0] for row in r.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger'"))}
        assert {"legal_representative", "representative_title", "authority", "authority_scope"} <= columns
        assert {"trg_case_events_no_update", "trg_case_events_no_delete"} <= triggers
        s.users.add("med9", "mediator", "fixture-pass-9")
    with ws.unlock("med9", "fixture-pass-9") as s:
        created = s.cases.create(intake())
        company = s.cases.get(created.id).parties[1]
        assert (company.legal_representative, company.representative_title) == ("赵某", "法定代表人")
