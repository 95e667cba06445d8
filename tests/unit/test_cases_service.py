"""The case services: create, read, list, search, numbering, pinning to a bundle version, outbox, roles.

Everything goes through ``session.cases`` and ``session.catalogue``, as the UI and the CLI call them.
"""

from __future__ import annotations

import re
from datetime import date
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from fzmediate.catalogue.bundle import BundleError
from fzmediate.domain.case import CaseKind, PartyRole
from fzmediate.errors import NotFoundError, PermissionDenied, ValidationError
from fzmediate.services import cases as cases_module
from fzmediate.services.catalogue import NoCatalogueError
from fzmediate.services.numbering import derived_device_code
from fzmediate.services.session import Session
from fzmediate.services.workspace import Workspace
from fzmediate.store.models import CaseEventRow, OutboxEntry
from tests.cases_support import (
    APPLICANT_ID,
    COMPANY_ID,
    RESPONDENT_ID,
    SHIPPED,
    adjudication_intake,
    counts,
    dev_trusted,
    intake,
    organization,
    person,
    signed_bundle,
)
from tests.support import ADMIN_PW, KIOSK_PW, MEDIATOR_PW, SUPERVISOR_PW

NUMBER = re.compile(r"坪山(调|裁)〔(\d{4})〕([0-9A-F]{6})(\d{4,})号")


pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def staffed(initialized: Workspace) -> Workspace:
    with initialized.unlock("admin", ADMIN_PW) as s:
        s.users.add("med1", "mediator", MEDIATOR_PW)
        s.users.add("sup1", "supervisor", SUPERVISOR_PW, legally_qualified=True)
    return initialized


def outbox(session: Session) -> list[SimpleNamespace]:
    """The outbox rows as plain values (ORM rows expire when the read transaction ends)."""
    with session.read() as s:
        rows = s.scalars(select(OutboxEntry).order_by(OutboxEntry.seq))
        return [SimpleNamespace(**{c.key: getattr(r, c.key) for c in OutboxEntry.__table__.columns}) for r in rows]


# --- catalogue in the store ------------------------------------------------------------------------


def test_shipped_bundle_imported_on_first_unlock(session: Session) -> None:
    [info] = session.catalogue.bundles()
    assert (info.bundle_id, info.version, info.active) == ("pingshan", SHIPPED, True)
    assert info.imported_by == "admin"
    assert {m.code for m in session.catalogue.list()} >= {"PS-TJ-001", "PS-CJ-004"}
    assert session.catalogue.show("PS-TJ-007").name == "物业管理纠纷行政调解"
    with pytest.raises(NotFoundError):
        session.catalogue.show("PS-TJ-999")
    imports = [e for e in session.maintenance.audit_tail() if e.action == "catalogue.import"]
    assert len(imports) == 1 and imports[0].details["source"] == "shipped"


def test_shipped_bundle_not_imported_twice(initialized: Workspace) -> None:
    for _ in range(2):
        with initialized.unlock("admin", ADMIN_PW) as s:
            assert len(s.catalogue.bundles()) == 1


def test_import_refuses_same_older_other_and_unsigned(session: Session, tmp_path: Any) -> None:
    keys = dev_trusted()
    before = counts(session)
    same = signed_bundle(SHIPPED)
    with pytest.raises(BundleError) as err:
        session.catalogue.import_bundle(same, trusted_keys=keys)
    assert err.value.reason == "conflict"  # same id and version as the installed one, other content
    session.catalogue.import_bundle(signed_bundle(SHIPPED + 2), trusted_keys=keys)
    with pytest.raises(BundleError) as err:
        session.catalogue.import_bundle(signed_bundle(SHIPPED + 1), trusted_keys=keys)
    assert err.value.reason == "not_newer"
    with pytest.raises(BundleError) as err:
        session.catalogue.import_bundle(signed_bundle(9, bundle_id="shenzhen"), trusted_keys=keys)
    assert err.value.reason == "not_newer" and "shenzhen" in err.value.message
    with pytest.raises(BundleError) as err:
        session.catalogue.import_bundle(signed_bundle(SHIPPED + 3))  # the app does not trust the test key
    assert err.value.reason == "unknown_key"
    path = tmp_path / "b.fzcat.json"
    path.write_bytes(signed_bundle(SHIPPED + 3)[:-40])
    with pytest.raises(BundleError) as err:
        session.catalogue.import_bundle(path, trusted_keys=keys)
    assert err.value.reason == "not_a_bundle"
    assert counts(session)["audit"] == before["audit"] + 1  # only the accepted import
    assert [(b.version, b.active) for b in session.catalogue.bundles()] == [(SHIPPED, False), (SHIPPED + 2, True)]


def test_import_with_force_accepts_other_catalogue_and_older_version(session: Session) -> None:
    keys = dev_trusted()
    session.catalogue.import_bundle(signed_bundle(SHIPPED + 4), trusted_keys=keys)
    info = session.catalogue.import_bundle(signed_bundle(2, bundle_id="shenzhen"), trusted_keys=keys, force=True)
    assert (info.bundle_id, info.version, info.active) == ("shenzhen", 2, True)
    assert session.catalogue.active_ref() == ("shenzhen", 2)
    forced = next(e for e in session.maintenance.audit_tail() if e.action == "catalogue.import")
    assert forced.details["forced"] is True


def test_case_stays_pinned_to_its_bundle_version(session: Session) -> None:
    old = session.cases.create(intake(), confirm_duplicate=True)

    def rename(payload: dict[str, Any]) -> None:
        for m in payload["matters"]:
            if m["code"] == "PS-TJ-007":
                m["name"] = "物业纠纷调解（第二版）"
                for t in m["time_limits"]:
                    if t["name"] == "acceptance":
                        t["amount"] = 10

    session.catalogue.import_bundle(signed_bundle(SHIPPED + 1, change=rename), trusted_keys=dev_trusted())
    new = session.cases.create(intake(), confirm_duplicate=True)
    old_detail, new_detail = session.cases.get(old.id), session.cases.get(new.id)
    assert (old_detail.bundle_version, new_detail.bundle_version) == (SHIPPED, SHIPPED + 1)
    assert old_detail.matter_name == "物业管理纠纷行政调解"
    assert new_detail.matter_name == "物业纠纷调解（第二版）"
    # The engine of each case runs the time limits of its own version: 5 vs 10 working days.
    old_due = {d.name: d.due for d in session.cases.deadlines(old.id)}["acceptance"]
    new_due = {d.name: d.due for d in session.cases.deadlines(new.id)}["acceptance"]
    assert (old_due, new_due) == (date(2026, 12, 4), date(2026, 12, 11))
    assert session.cases.act(old.id, "accept").bundle_version == SHIPPED


def test_no_catalogue_installed(session: Session) -> None:
    with session.write("test.drop", "catalogue", "-") as s:
        s.execute(text("DELETE FROM meta WHERE key = 'catalogue_active'"))
    session.catalogue._active = None
    with pytest.raises(NoCatalogueError):
        session.cases.create(intake(), confirm_duplicate=True)


# --- create and read -------------------------------------------------------------------------------


def test_create_returns_a_masked_summary(session: Session) -> None:
    created = session.cases.create(intake(), confirm_duplicate=True)
    assert created.state == "registered" and created.version == 1 and created.kind is CaseKind.MEDIATION
    assert created.matter_name == "物业管理纠纷行政调解"
    assert created.applicants == ("王某",) and created.respondents == ("坪山某物业管理有限公司",)
    assert created.next_due == date(2026, 12, 2) and created.next_due_name == "transfer"
    assert APPLICANT_ID not in repr(created) and "13912345678" not in repr(created)


def test_get_is_the_full_case_file_and_is_audited(session: Session) -> None:
    created = session.cases.create(intake(), confirm_duplicate=True)
    by_id, by_number = session.cases.get(created.id), session.cases.get(" " + created.number + " ")
    assert by_id == by_number
    applicant, respondent = by_id.parties
    assert (applicant.name, applicant.id_number, applicant.phone) == ("王𠮷", APPLICANT_ID, "+8613912345678")
    assert applicant.role is PartyRole.APPLICANT and respondent.id_number == COMPANY_ID
    assert [(e.seq, e.action, e.on) for e in by_id.events] == [(1, "register", date(2026, 11, 27))]
    assert by_id.events[0].payload == {"channel": "desk"}
    record = by_id.record()
    assert record.state == "registered" and record.parties == by_id.parties
    audit = session.maintenance.audit_tail()
    shows = [e for e in audit if e.action == "case.show"]
    assert len(shows) == 2 and shows[0].object_id == created.id and shows[0].details == {}
    create = next(e for e in audit if e.action == "case.create")
    assert create.details == {"matter": "PS-TJ-007", "kind": "mediation"}
    with pytest.raises(NotFoundError):
        session.cases.get("坪山调〔2026〕000000000号")


def test_agent_represents_its_party(session: Session) -> None:
    agent = person(
        "agent",
        "赵律师",
        id_number=RESPONDENT_ID,
        phone="13800001111",
        represents=1,
        power_of_attorney="一般",
        authority="general",
    )
    created = session.cases.create(intake(parties=[person(), organization(), agent]), confirm_duplicate=True)
    parties = session.cases.get(created.id).parties
    assert parties[2].represents == parties[1].id and parties[2].power_of_attorney == "一般"


def test_list_newest_first_masked_and_paged(session: Session) -> None:
    made = [
        session.cases.create(intake(parties=[person(name=n), organization()]), confirm_duplicate=True)
        for n in ("张三丰", "李四", "欧阳娜娜")
    ]
    listed = session.cases.list()
    assert [c.id for c in listed] == [c.id for c in reversed(made)]
    assert [c.applicants for c in listed] == [("欧阳某某",), ("李某",), ("张某某",)]
    assert [c.id for c in session.cases.list(limit=1, offset=1)] == [made[1].id]
    with pytest.raises(ValidationError):
        session.cases.list(limit=0)


def test_overdue_filter(session: Session, clock: Any) -> None:
    session.cases.create(
        intake(received_on="2026-11-02"), confirm_duplicate=True
    )  # transfer due 2026-11-05: overdue on 11-29
    fresh = session.cases.create(intake(), confirm_duplicate=True)
    overdue = session.cases.list(overdue=True)
    assert len(overdue) == 1 and overdue[0].overdue(date(2026, 11, 29)) and overdue[0].id != fresh.id
    assert session.cases.list(overdue=True, today=date(2026, 12, 1)) == overdue
    assert len(session.cases.list(overdue=True, today=date(2026, 12, 3))) == 2
    assert session.cases.list("王", overdue=True) == overdue


# --- search ----------------------------------------------------------------------------------------


def test_search_by_number_name_id_and_phone(session: Session) -> None:
    a = session.cases.create(intake(), confirm_duplicate=True)
    b = session.cases.create(
        adjudication_intake(
            parties=[
                person(name="欧阳𠮷", phone="010-12345678"),
                person("respondent", "李䶮", id_number=RESPONDENT_ID, phone="13800002222"),
            ]
        ),
        confirm_duplicate=True,
    )

    def found(query: str) -> set[str]:
        return {c.id for c in session.cases.search(query)}

    assert found(a.number) == {a.id}
    assert found(a.number[:6]) == {a.id}  # 坪山调〔2026
    assert found("坪山裁") == {b.id}
    assert found("𠮷") == {a.id, b.id}
    assert found("欧阳") == {b.id} and found("阳𠮷") == {b.id}
    assert found("物业管理") == {a.id}  # part of the respondent company's name
    assert found(APPLICANT_ID) == {a.id, b.id}
    assert found(APPLICANT_ID.lower()[:-4] + " " + APPLICANT_ID[-4:]) == {a.id, b.id}
    assert found(RESPONDENT_ID[-6:]) == {b.id}
    assert found("13912345678") == {a.id}
    assert found("+86 139 1234 5678") == {a.id}
    assert found("5678") == {a.id, b.id}  # both phones end in 5678
    assert found("2222") == {b.id}
    assert found("01012345678") == {b.id}
    assert found("赵") == set() and found("") == set() and found("9" * 70) == set()


# --- numbering -------------------------------------------------------------------------------------


def test_numbers_unique_and_sequential_per_device_series_and_year(session: Session) -> None:
    code = derived_device_code(session.device_id)
    numbers = [session.cases.create(intake(), confirm_duplicate=True).number for _ in range(3)]
    numbers.append(session.cases.create(intake(received_on="2025-12-30"), confirm_duplicate=True).number)
    numbers.append(session.cases.create(adjudication_intake(), confirm_duplicate=True).number)
    parsed = [NUMBER.fullmatch(n) for n in numbers]
    assert all(parsed)
    assert [(m[1], m[2], m[3], m[4]) for m in parsed if m] == [
        ("调", "2026", code, "0001"),
        ("调", "2026", code, "0002"),
        ("调", "2026", code, "0003"),
        ("调", "2025", code, "0001"),
        ("裁", "2026", code, "0001"),
    ]
    assert len(set(numbers)) == len(numbers)


def test_server_assigned_device_code_wins(session: Session) -> None:
    from fzmediate.store.models import Meta

    with session.write("device.code", "store", session.store_id) as s:
        s.add(Meta(key="device_code", value="PS0042"))
    assert session.cases.create(intake(), confirm_duplicate=True).number == "坪山调〔2026〕PS00420001号"


def test_numbers_continue_after_restart(staffed: Workspace) -> None:
    with staffed.unlock("med1", MEDIATOR_PW) as s:
        first = s.cases.create(intake(), confirm_duplicate=True).number
    with staffed.unlock("med1", MEDIATOR_PW) as s:
        second = s.cases.create(intake(), confirm_duplicate=True).number
    assert first.endswith("0001号") and second.endswith("0002号")


# --- outbox and the one transaction ----------------------------------------------------------------


def test_create_writes_outbox_rows_in_order(session: Session) -> None:
    created = session.cases.create(intake(), confirm_duplicate=True)
    rows = outbox(session)
    assert [(r.entity, r.op, r.version, r.device_seq) for r in rows] == [
        ("case", "create", 1, 1),
        ("party", "create", 1, 2),
        ("party", "create", 1, 3),
        ("case_event", "append", 1, 4),
    ]
    assert all(r.device_id == session.device_id and r.actor == "admin" for r in rows)
    assert rows[0].entity_id == created.id and rows[0].payload["number"] == created.number
    assert rows[0].payload["received_on"] == "2026-11-27" and rows[0].payload["bundle_version"] == SHIPPED
    assert rows[1].payload["name"] == "王𠮷" and rows[3].payload["action"] == "register"
    assert len({r.change_id for r in rows}) == 4 and rows[0].schema_version == "0002"


def test_act_writes_event_patch_and_bumps_version(session: Session) -> None:
    created = session.cases.create(intake(), confirm_duplicate=True)
    detail = session.cases.act(created.id, "accept", on=date(2026, 11, 28), late_reason="测试：次日补录")
    assert (detail.state, detail.version) == ("accepted", 2)
    assert detail.next_due_name == "mediation_period" and detail.next_due == date(2026, 12, 28)
    assert [(e.seq, e.action, e.on) for e in detail.events][-1] == (2, "accept", date(2026, 11, 28))
    event_row, patch = outbox(session)[-2:]
    assert (event_row.entity, event_row.op) == ("case_event", "append")
    assert (patch.entity, patch.op, patch.base_version, patch.version) == ("case", "patch", 1, 2)
    assert patch.payload["state"] == {"old": "registered", "new": "accepted"}
    assert patch.payload["next_due"] == {"old": "2026-12-02", "new": "2026-12-28"}
    assert "facts" not in patch.payload
    act_audit = next(e for e in session.maintenance.audit_tail() if e.action == "case.act")
    assert act_audit.object_id == created.id and act_audit.details == {"action": "accept", "late_entry": True}


def test_refused_action_writes_nothing(session: Session) -> None:
    from fzmediate.procedure.engine import ActionRefused

    created = session.cases.create(intake(), confirm_duplicate=True)
    before = counts(session)
    with pytest.raises(ActionRefused) as err:
        session.cases.act(created.id, "hold_session")
    assert err.value.reasons
    with pytest.raises(ActionRefused):
        session.cases.act(created.id, "no_such_act")
    with pytest.raises(ActionRefused, match=r"occurred_on: .*future"):
        session.cases.act(created.id, "accept", on=date(2026, 11, 30))
    assert counts(session) == before


def test_stale_version_refused(session: Session) -> None:
    created = session.cases.create(intake(), confirm_duplicate=True)
    session.cases.act(created.id, "accept", expected_version=1)
    with pytest.raises(cases_module.StaleCaseError):
        session.cases.act(created.id, "record_consent", {}, expected_version=1)


def test_failure_mid_transaction_leaves_nothing(session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    before = counts(session)

    def broken(*args: Any, **kwargs: Any) -> int:
        raise RuntimeError("disk full")

    # The case, parties and event rows and two outbox rows are flushed by then: all must roll back.
    monkeypatch.setattr(cases_module, "index_case", broken)
    with pytest.raises(RuntimeError):
        session.cases.create(intake(), confirm_duplicate=True)
    assert counts(session) == before


def test_case_events_are_append_only(session: Session) -> None:
    created = session.cases.create(intake(), confirm_duplicate=True)
    for statement in (
        "UPDATE case_events SET action = 'accept' WHERE case_id = :id",
        "DELETE FROM case_events WHERE case_id = :id",
    ):
        with pytest.raises(DBAPIError, match="append-only"), session.write("test.tamper", "case", created.id) as s:
            s.execute(text(statement), {"id": created.id})
    with session.read() as s:
        [event] = s.scalars(select(CaseEventRow).where(CaseEventRow.case_id == created.id))
        assert event.action == "register"


# --- roles -----------------------------------------------------------------------------------------


def test_the_desk_store_has_no_kiosk_role(staffed: Workspace) -> None:
    # A kiosk is its own device with its own store (services/kiosk.py): no account here can be a kiosk.
    with staffed.unlock("admin", ADMIN_PW) as s:
        with pytest.raises(ValidationError) as err:
            s.users.add("kiosk1", "kiosk", KIOSK_PW)
        assert err.value.field == "role"
        assert "kiosk1" not in [u.login for u in s.users.list(include_removed=True)]
    with staffed.unlock("med1", MEDIATOR_PW) as s:
        # An application that came sealed from a kiosk is registered by a case worker, marked as such.
        created = s.cases.create(intake(received_on="2026-11-29"), channel="kiosk", confirm_duplicate=True)
        detail = s.cases.get(created.id)
        assert detail.created_by == "med1" and detail.events[0].payload == {"channel": "kiosk"}


def test_mediator_handles_what_they_register_and_supervisor_assigns(staffed: Workspace) -> None:
    with staffed.unlock("med1", MEDIATOR_PW) as s:
        own = s.cases.create(intake(), confirm_duplicate=True)
        assert own.assigned_mediator == "med1"
        assert s.cases.act(own.id, "accept").state == "accepted"
        with pytest.raises(PermissionDenied):
            s.cases.assign(own.id, "med1")
        with pytest.raises(PermissionDenied):
            s.catalogue.import_bundle(signed_bundle(SHIPPED + 1), trusted_keys=dev_trusted())
    with staffed.unlock("sup1", SUPERVISOR_PW) as s:
        assert s.cases.assign(own.id, "sup1").assigned_mediator == "sup1"
        with pytest.raises(ValidationError):
            s.cases.assign(own.id, "nobody")
        patch = outbox(s)[-1]
        assert patch.payload["assigned_mediator"] == {"old": "med1", "new": "sup1"}


def test_recovery_actor_cannot_touch_cases(staffed: Workspace) -> None:
    from fzmediate.services.session import Actor

    with staffed.unlock("admin", ADMIN_PW) as s:
        s.actor = Actor("__recovery__", None, False)
        with pytest.raises(PermissionDenied):
            s.cases.create(intake(), confirm_duplicate=True)
        with pytest.raises(PermissionDenied):
            s.catalogue.list()


# --- privacy ---------------------------------------------------------------------------------------


def test_no_party_data_in_any_file(initialized: Workspace, tmp_path: Any) -> None:
    """Names, ID numbers and phones of parties (and their search rows) exist only inside the encrypted DB."""
    from fzmediate.logsetup import configure_logging
    from tests.synthetic import make_resident_id

    canary_id = make_resident_id(region="440310", birth=date(1966, 6, 6), seq=919)
    canary_name, canary_phone = "欧阳𠮷䶮", "13655550123"
    configure_logging(initialized.paths.logs)
    with initialized.unlock("admin", ADMIN_PW) as s:
        party = person(name=canary_name, id_number=canary_id, phone=canary_phone, address="坪山区𠮷字巷")
        created = s.cases.create(intake(parties=[party, organization()]), confirm_duplicate=True)
        assert s.cases.search(canary_id[-6:]) and s.cases.search("𠮷䶮")
        with pytest.raises(ValidationError):
            s.cases.create(
                intake(parties=[person(name=canary_name, id_number=canary_id[:-1] + "0"), organization()]),
                confirm_duplicate=True,
            )
        s.cases.act(created.id, "accept")
    needles = [
        v.encode(enc) for v in (canary_name, canary_id, canary_phone, "坪山区𠮷字巷") for enc in ("utf-8", "utf-16-le")
    ]
    for path in initialized.paths.root.rglob("*"):
        if path.is_file():
            content = path.read_bytes()
            assert not any(n in content for n in needles), path.name


def test_next_deadline_follows_the_calendar(session: Session, clock: Any) -> None:
    """The stored next deadline is recomputed once its day has passed: the transfer window lapses unused."""
    created = session.cases.create(intake(), confirm_duplicate=True)
    assert (created.next_due_name, created.next_due) == ("transfer", date(2026, 12, 2))
    clock.advance(4 * 86400)  # 2026-12-03
    assert session.cases.list(overdue=True) == []
    [row] = session.cases.list()
    assert (row.next_due_name, row.next_due) == ("acceptance", date(2026, 12, 4))
    refreshes = [e for e in session.maintenance.audit_tail() if e.action == "case.refresh_due"]
    assert len(refreshes) == 1 and refreshes[0].details == {"cases": 1}
    assert session.cases.refresh_due() == 0  # once a day at most
    assert [e.entity for e in outbox(session)] == ["case", "party", "party", "case_event"]  # derived: not synced
    clock.advance(2 * 86400)  # 2026-12-05
    assert [c.id for c in session.cases.list(overdue=True)] == [created.id]
    assert session.cases.get(created.id).next_due == date(2026, 12, 4)


# --- labels: words for the codes ---------------------------------------------------------------------


def test_dtos_carry_labels_beside_the_codes(session: Session) -> None:
    from fzmediate.domain.case import CaseEvent
    from fzmediate.services.case_views import case_kind_label

    created = session.cases.create(intake(), confirm_duplicate=True)
    assert (created.state, created.state_label) == ("registered", "已登记")
    assert (created.next_due_name, created.next_due_label) == ("transfer", "移送期限")
    assert (created.kind, created.kind_label) == (CaseKind.MEDIATION, case_kind_label("mediation"))
    assert created.kind_label == "administrative mediation"  # gettext (English in this module)
    detail = session.cases.act(created.id, "accept", on=date(2026, 11, 28), late_reason="测试：次日补录")
    assert (detail.state, detail.state_label) == ("accepted", "已受理")
    assert (detail.next_due_name, detail.next_due_label) == ("mediation_period", "调解期限")
    assert [(e.action, e.action_label) for e in detail.events] == [("register", "registration"), ("accept", "受理")]
    # The deadlines the engine lists name their time limits with the same words.
    labels = {d.name: d.label for d in session.cases.deadlines(created.id)}
    assert labels["mediation_period"] == detail.next_due_label
    # The engine's snapshot holds plain events, equal to what the store reads back.
    assert all(type(e) is CaseEvent for e in detail.record().events)
    assert [row.state_label for row in session.cases.list()] == ["已受理"]
    adjudication = session.cases.create(adjudication_intake(), confirm_duplicate=True)
    assert (adjudication.kind_label, adjudication.next_due_label) == ("administrative adjudication", "立案期限")


def test_labels_come_from_the_pinned_catalogue_version(session: Session) -> None:
    old = session.cases.create(intake(), confirm_duplicate=True)

    def relabel(payload: dict[str, Any]) -> None:
        for proc in payload["procedures"]:
            for state in proc["states"]:
                if state["name"] == "registered":
                    state["label"] = "已登记（第二版）"
            for act in proc["actions"]:
                if act["name"] == "accept":
                    act["label"] = "决定受理"
        for m in payload["matters"]:
            for t in m["time_limits"]:
                if t["name"] == "transfer":
                    t["label"] = "移送时限"

    session.catalogue.import_bundle(signed_bundle(SHIPPED + 1, change=relabel), trusted_keys=dev_trusted())
    new = session.cases.create(intake(), confirm_duplicate=True)
    assert (old.state_label, old.next_due_label) == ("已登记", "移送期限")
    assert (new.state_label, new.next_due_label) == ("已登记（第二版）", "移送时限")
    listed = {c.id: (c.state_label, c.next_due_label) for c in session.cases.list()}
    assert listed == {old.id: ("已登记", "移送期限"), new.id: ("已登记（第二版）", "移送时限")}
    assert session.cases.act(old.id, "accept").events[-1].action_label == "受理"
    assert session.cases.act(new.id, "accept").events[-1].action_label == "决定受理"


def test_label_functions() -> None:
    from fzmediate.services.case_views import CaseLabels, case_kind_label, deadline_status_label, unit_label

    assert [deadline_status_label(s) for s in ("open", "met", "stopped", "overdue")] == [
        "in progress",
        "met on time",
        "stopped",
        "overdue",
    ]
    assert deadline_status_label("met", late=True) == "met late"
    assert deadline_status_label("open", late=True) == "in progress"
    assert [unit_label(u) for u in ("working_days", "calendar_days", "months", "years")] == [
        "working days",
        "days",
        "months",
        "years",
    ]
    assert (case_kind_label(CaseKind.ADJUDICATION), case_kind_label("mediation")) == (
        "administrative adjudication",
        "administrative mediation",
    )
    # A code nobody has words for is shown as itself, never dropped.
    assert (deadline_status_label("paused"), unit_label("weeks"), case_kind_label("arbitration")) == (
        "paused",
        "weeks",
        "arbitration",
    )
    none = CaseLabels.none()
    assert (none.state("accepted"), none.action("accept"), none.deadline("transfer"), none.deadline("")) == (
        "accepted",
        "accept",
        "transfer",
        "",
    )
    assert none.action("register") == "registration"
