"""Every write says what it changed (``Session.take_changes``): the case ids and entity kinds of the committed
units of work since the last call, for the screens to refresh from. Reads and refused writes change nothing."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import func, select

from fzmediate.errors import FzError
from fzmediate.services.session import Session
from fzmediate.services.workspace import Workspace
from fzmediate.store.models import OutboxEntry
from fzmediate.store.outbox import NO_CHANGES, OpChanges
from tests.documents import case_lifecycles as life
from tests.support import ADMIN_PW, MEDIATOR_PW


@pytest.fixture
def med(initialized: Workspace) -> Iterator[Session]:
    life.staff(initialized)
    with initialized.unlock(*life.MEDIATOR) as s:
        s.take_changes()  # what unlocking wrote is not the test's business
        yield s


def _outbox_rows(s: Session) -> int:
    with s.read() as o:
        return int(o.scalar(select(func.count()).select_from(OutboxEntry)) or 0)


def test_registering_a_case_reports_the_case_its_parties_and_event(med: Session) -> None:
    before = _outbox_rows(med)
    case = med.cases.create(life.mediation_intake("2026-11-24"), confirm_duplicate=True)
    changes = med.take_changes()
    assert changes == OpChanges(frozenset({case.id}), frozenset({"case", "party", "case_event"}))
    assert med.take_changes() == NO_CHANGES and not NO_CHANGES  # taken once
    assert _outbox_rows(med) == before + 5  # stored as before: the case, three parties, the event


def test_an_act_reports_its_case_and_event(med: Session) -> None:
    first = med.cases.create(life.mediation_intake("2026-11-24"), confirm_duplicate=True)
    second = med.cases.create(life.mediation_intake("2026-11-24"), confirm_duplicate=True)
    med.take_changes()
    med.cases.act(second.id, "accept", {"note": "材料齐全"})
    changes = med.take_changes()
    assert changes.case_ids == {second.id} and first.id not in changes.case_ids
    assert changes.kinds == {"case", "case_event"}


def test_issuing_a_document_reports_the_document_of_its_case(med: Session) -> None:
    case_id = life.refused_case(med)
    med.take_changes()
    kinds = life.issue_required(med, case_id)
    assert kinds
    changes = med.take_changes()
    assert changes.case_ids == {case_id} and "document" in changes.kinds
    med.documents.render(kinds[0], case_id)  # a draft is shown, not stored
    assert med.take_changes() == NO_CHANGES


def test_reads_report_nothing(med: Session) -> None:
    case = med.cases.create(life.mediation_intake("2026-11-24"), confirm_duplicate=True)
    med.take_changes()
    med.cases.get(case.id)  # the audited read writes its audit event, and changes nothing
    med.cases.available_actions(case.id)
    med.cases.deadlines(case.id)
    assert med.take_changes() == NO_CHANGES


def test_a_refused_write_reports_nothing(med: Session) -> None:
    case = med.cases.create(life.mediation_intake("2026-11-24"), confirm_duplicate=True)
    med.take_changes()
    with pytest.raises(FzError):
        med.cases.act(case.id, "record_consent", {"consent": "maybe"})
    assert med.take_changes() == NO_CHANGES


def test_writes_without_outbox_rows_are_reported_by_kind(initialized: Workspace) -> None:
    life.staff(initialized)
    with initialized.unlock("admin", ADMIN_PW) as s:
        s.take_changes()
        s.users.add("med2", "mediator", MEDIATOR_PW, full_name="周某")
        changes = s.take_changes()
    # The user, and the key shares that let the new user open the office keys.
    assert "user" in changes.kinds and changes.kinds <= {"user", "key_share"} and changes.case_ids == frozenset()


def test_changes_accumulate_until_taken(med: Session) -> None:
    a = med.cases.create(life.mediation_intake("2026-11-24"), confirm_duplicate=True)
    b = med.cases.create(life.mediation_intake("2026-11-24"), confirm_duplicate=True)
    assert med.take_changes().case_ids == {a.id, b.id}
