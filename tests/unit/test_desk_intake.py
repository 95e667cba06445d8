"""The desk's intake calls (``fzmediate.desk.intake``), without Qt: the matters with the desk's competence, the
checks the form runs as the user types, registration with attachments in one transaction, the kiosk path."""

from __future__ import annotations

import pickle
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from fzmediate.desk import intake as desk
from fzmediate.domain.identity import IdType
from fzmediate.domain.intake import IntakeError
from fzmediate.errors import ValidationError
from fzmediate.i18n import _
from fzmediate.services.attachments import AttachmentService, NewAttachment
from fzmediate.services.cases import DuplicateWarning
from fzmediate.services.intake_inbox import IntakeInbox
from fzmediate.services.session import Session
from fzmediate.store.models import AttachmentRow
from tests.cases_support import TODAY, counts, intake, organization, person
from tests.kiosk_support import MEDIATOR, inbox_with_one
from tests.support import FakeClock
from tests.synthetic import make_resident_id
from tests.unit.test_attachments import png_bytes

pytestmark = pytest.mark.usefixtures("english")


def _attachments(session: Session) -> int:
    with session.read() as s:
        return int(s.scalar(select(func.count()).select_from(AttachmentRow)) or 0)


def test_matters_put_the_desks_own_first_and_name_the_competent_body_of_the_rest(session: Session) -> None:
    choice = desk.matters(session, None)
    pickle.loads(pickle.dumps(choice))  # crosses the store's process boundary
    assert choice.desk_unit == "深圳市坪山区坪山街道办事处" and choice.today == TODAY
    by_code = {m.code: m for m in choice.matters}
    own = by_code["PS-TJ-007"]
    assert own.ours and own.conditions and any(m.required for m in own.materials)
    assert {t.label for t in own.time_limits} >= {"受理期限"}
    consumer = by_code["PS-TJ-001"]
    assert not consumer.ours and consumer.competent == ("深圳市市场监督管理局坪山监管局",)
    flags = [m.ours for m in choice.matters]
    assert flags == sorted(flags, reverse=True)  # every own matter before every other


def test_id_checks_run_without_the_store_and_name_the_rule() -> None:
    today = date(2026, 11, 29)
    good = make_resident_id(region="440310", birth=date(1975, 3, 14), seq=101)
    assert desk.id_number_problem(IdType.RESIDENT_ID, good, today) == ""
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    assert desk.id_number_problem("resident_id", bad, today) == _(
        "ID number: the check character does not match; look for a mistyped digit."
    )
    assert desk.id_number_problem("hk_macao_permit", "H12345678", today) == ""
    assert "H or M" in desk.id_number_problem("hk_macao_permit", "X123", today)
    assert desk.id_number_problem("passport", "  ", today) == ""
    assert desk.id_number_problem("passport", "", today, required=True) == _("ID number: required.")
    assert desk.phone_problem("13912345678") == "" and desk.phone_problem("12") != ""
    assert [v for v, _label in desk.id_types("organization")] == ["uscc"]
    assert "uscc" not in [v for v, _label in desk.id_types("person")] and len(desk.id_types("person")) == 6


def test_check_form_gives_every_problem_by_field_path() -> None:
    data = intake(parties=[person(id_number="123"), organization(legal_representative="", representative_title="")])
    fields = {p.field for p in desk.check_form(data, TODAY)}
    assert "parties[0].id_number" in fields
    assert desk.check_form(intake(), TODAY) == ()
    agent = person("agent", "李四", represents=0, power_of_attorney="代为调解", authority="special")
    fields = {p.field for p in desk.check_form(intake(parties=[person(), organization(), agent]), TODAY)}
    assert fields == {"parties[2].authority_scope"}  # a special authority states its powers


def test_register_files_the_case_and_its_attachments_together(session: Session) -> None:
    data = png_bytes()
    files = (NewAttachment("申请书.png", data, material="调解申请书"),)
    done = desk.register(session, None, intake(), files, True, None)
    assert done.number and done.attachments == 1
    [info] = AttachmentService(session).list(done.case_id)
    assert info.material == "调解申请书" and AttachmentService(session).read(info.id).data == data
    case = session.cases.get(done.case_id)
    assert case.events[0].payload == {"channel": "desk"}
    audit = [e.action for e in reversed(session.maintenance.audit_tail(6))]
    at = audit.index("attachment.add")
    assert audit[at + 1] == "case.create"  # one transaction: the file's event, then the creation's
    assert session.maintenance.check().ok  # the chain (signed events added inside the write) verifies


def test_a_refused_attachment_or_form_writes_nothing(session: Session) -> None:
    before = counts(session)
    with pytest.raises(ValidationError) as wrong_file:
        desk.register(session, None, intake(), (NewAttachment("x.docx", b"PK\x03\x04"),), True, None)
    assert wrong_file.value.field == "attachments[0]"
    with pytest.raises(IntakeError) as wrong_form:
        desk.register(session, None, intake(summary=""), (NewAttachment("a.png", png_bytes()),), True, None)
    assert wrong_form.value.field == "summary"
    assert counts(session) == before and _attachments(session) == 0


def test_a_duplicate_is_raised_unchanged_then_registered_when_confirmed(session: Session) -> None:
    first = desk.register(session, None, intake(), (), False, None)
    with pytest.raises(DuplicateWarning) as warned:
        desk.register(session, None, intake(), (NewAttachment("a.png", png_bytes()),), False, None)
    assert warned.value.numbers == (first.number,)
    again = pickle.loads(pickle.dumps(warned.value))  # the dialog gets it across the process boundary
    assert again.numbers == (first.number,)
    assert _attachments(session) == 0
    second = desk.register(session, None, intake(), (NewAttachment("a.png", png_bytes()),), True, None)
    assert second.number != first.number and _attachments(session) == 1


def test_a_kiosk_application_prefills_the_form_and_registering_links_it(tmp_path: Path, clock: FakeClock) -> None:
    ws, application_id, number = inbox_with_one(tmp_path, clock)
    with ws.unlock(*MEDIATOR) as s:
        opened = desk.inbox_application(s, None, application_id)
        assert opened.number == number and opened.data["parties"][0]["name"] == "王𠮷"
        completed = dict(opened.data, summary="物业服务费纠纷（已核对）")
        done = desk.register(s, None, completed, (NewAttachment("a.png", png_bytes()),), False, opened.application_id)
        [entry] = IntakeInbox(s).list("registered")
        assert entry.case_id == done.case_id
        case = s.cases.get(done.case_id)
        assert case.summary == "物业服务费纠纷（已核对）" and case.events[0].payload == {"channel": "kiosk"}
        assert len(AttachmentService(s).list(done.case_id)) == 1
        with pytest.raises(ValidationError):
            desk.inbox_application(s, None, application_id)  # registered once only
