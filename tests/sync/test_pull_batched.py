"""Pull applies a page in a bounded number of SQL statements; a row of the page that collides is still parked
in sync_conflicts alone while the rest of the page is applied."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from fzmediate.services.session import Session
from fzmediate.services.workspace import Workspace
from fzmediate.store.models import Case, CaseEventRow, PartyRow, SearchTerm, SyncConflict
from fzmediate.sync.client import apply_page, enroll, sync
from fzmediate.sync.protocol import PulledChange, PullResponse
from tests.cases_support import intake, organization, person
from tests.support import ADMIN_PW, FAST_KDF, FakeClock, sql_statements
from tests.sync.fake_server import FakeServer

#: Statements one page may run besides search rows: cursor, audit event, a look-up and an insert per kind…
_BOUND = 40


@pytest.fixture
def one_case_page(tmp_path: Path, clock: FakeClock, server: FakeServer, enrolled: Session) -> list[PulledChange]:
    """The changes another desk's registered case makes (the case, two parties, its event), as pulled."""
    ws = Workspace(tmp_path / "other", kdf=FAST_KDF, clock=clock)
    ws.initialize("admin", ADMIN_PW, full_name="管理员", unit="PS-JD-PS")
    with ws.unlock("admin", ADMIN_PW) as s:
        s.cases.create(intake(parties=[person(name="欧阳娜娜"), organization(name="司马某物业管理有限公司")]))
        server.codes["OTHER-CODE-0000"] = "PS-JD-PS"
        enroll(s, "http://district.test", "OTHER-CODE-0000", transport=server.transport())
        sync(s, transport=server.transport())
    page = PullResponse.model_validate_json(server._pull(server.devices[enrolled.device_id], 0, 500).content)
    assert {c.entity for c in page.changes} >= {"case", "party", "case_event"}
    return page.changes


def _copy(change: PulledChange, n: int, seq: int) -> PulledChange:
    """``change`` as if made for the ``n``-th of many cases: other ids, another case number."""

    def renamed(value: str) -> str:
        return "{0}-{1:03d}".format(value[:30], n)

    payload = dict(change.payload)
    if change.entity == "case":
        entity_id = renamed(change.entity_id)
        payload["number"] = "{0}-{1:03d}".format(payload.get("number"), n)
    else:
        entity_id = renamed(change.entity_id)
        payload["case_id"] = renamed(str(payload["case_id"]))
    return change.model_copy(
        update={"entity_id": entity_id, "payload": payload, "server_seq": seq, "change_id": renamed(change.change_id)}
    )


def _page(changes: list[PulledChange]) -> PullResponse:
    return PullResponse(
        changes=changes, next_after=changes[-1].server_seq, more=False, server_time=changes[-1].created_at
    )


def _count(session: Session, table: Any) -> int:
    with session.read() as s:
        return int(s.scalar(select(func.count()).select_from(table)) or 0)


def test_a_500_change_page_runs_a_bounded_number_of_statements(
    enrolled: Session, one_case_page: list[PulledChange]
) -> None:
    per_case = len(one_case_page)
    cases = 500 // per_case
    changes = [_copy(c, n, n * per_case + i + 1) for n in range(cases) for i, c in enumerate(one_case_page)]
    before = _count(enrolled, Case)
    with sql_statements(enrolled.db.engine) as seen:
        apply_page(enrolled, _page(changes), after=0, offset_s=0.0, now=enrolled.now())
    # Rewriting a case's search rows is two statements (index_case; no round trips in SQLite): everything else
    # is bounded whatever the page holds.
    search = [q for q in seen if "search_terms" in q]
    assert len(search) <= 2 * cases
    assert len(seen) - len(search) <= _BOUND, len(seen)
    assert _count(enrolled, Case) == before + cases
    assert _count(enrolled, SyncConflict) == 0
    case_id = changes[0].entity_id
    with enrolled.read() as s:
        assert s.scalar(select(func.count()).select_from(PartyRow).where(PartyRow.case_id == case_id)) == 2
        assert s.scalar(select(func.count()).select_from(SearchTerm).where(SearchTerm.case_id == case_id))


def test_a_colliding_row_is_parked_alone_and_the_rest_of_the_page_applied(
    enrolled: Session, one_case_page: list[PulledChange]
) -> None:
    party = next(c for c in one_case_page if c.entity == "party")
    # Another party at the same place of the same case: the page's bulk insert fails on (case_id, position).
    twin = party.model_copy(
        update={
            "entity_id": "twin-party",
            "change_id": "twin-change",
            "server_seq": one_case_page[-1].server_seq + 1,
            "payload": {**party.payload, "name": "东方某某"},
        }
    )
    page = _page([*one_case_page, twin])
    apply_page(enrolled, page, after=0, offset_s=0.0, now=enrolled.now())
    case_id = next(c.entity_id for c in one_case_page if c.entity == "case")
    with enrolled.read() as s:
        assert s.get(Case, case_id) is not None
        assert s.get(PartyRow, "twin-party") is None
        assert s.scalar(select(func.count()).select_from(PartyRow).where(PartyRow.case_id == case_id)) == 2
        assert s.scalar(select(func.count()).select_from(CaseEventRow).where(CaseEventRow.case_id == case_id))
        [parked] = s.scalars(select(SyncConflict)).all()
        assert (parked.entity_id, parked.field, parked.server_value["name"]) == ("twin-party", "*", "东方某某")
    assert [c.id for c in enrolled.cases.search("欧阳")] == [case_id]
    # The same page again changes nothing.
    apply_page(enrolled, page, after=0, offset_s=0.0, now=enrolled.now())
    assert _count(enrolled, SyncConflict) == 1 and _count(enrolled, PartyRow) >= 2


def _raw(session: Session, tables: tuple[str, ...]) -> dict[str, list[tuple[Any, ...]]]:
    """The tables' rows as stored (no type conversion on the way out)."""
    with session.read() as s:
        connection = s.connection()
        return {t: list(connection.exec_driver_sql("SELECT * FROM {0} ORDER BY id".format(t))) for t in tables}


def test_rows_written_on_the_driver_are_the_rows_sqlalchemy_writes(
    tmp_path: Path,
    clock: FakeClock,
    server: FakeServer,
    enrolled: Session,
    one_case_page: list[PulledChange],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A page's new rows go to the driver with each value through its column type's processor: byte for byte
    what SQLAlchemy's own executemany stores (dates, times, JSON, NULLs)."""
    from fzmediate.sync import apply

    page, now = _page(one_case_page), enrolled.now()
    tables = ("cases", "parties", "case_events")
    on_driver: list[bool] = []
    real = apply._insert_on_driver

    def spy(*args: Any) -> bool:
        on_driver.append(real(*args))
        return on_driver[-1]

    monkeypatch.setattr(apply, "_insert_on_driver", spy)
    apply_page(enrolled, page, after=0, offset_s=0.0, now=now)
    assert on_driver and all(on_driver)
    fast = _raw(enrolled, tables)
    third = Workspace(tmp_path / "third", kdf=FAST_KDF, clock=clock)
    third.initialize("admin", ADMIN_PW, full_name="管理员", unit="PS-JD-PS")
    with third.unlock("admin", ADMIN_PW) as s:
        server.codes["THIRD-CODE-0000"] = "PS-JD-PS"
        enroll(s, "http://district.test", "THIRD-CODE-0000", transport=server.transport())
        monkeypatch.setattr(apply, "_insert_on_driver", lambda *_args: False)
        apply_page(s, page, after=0, offset_s=0.0, now=now)
        assert _raw(s, tables) == fast
    assert all(fast[t] for t in tables)
