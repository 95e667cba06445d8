"""The case list screen's store calls, without Qt: pages, counts, every search form, rows after a write, the
filter choices, and the order rows are placed in (the service's own paging order)."""

from __future__ import annotations

import itertools
import pickle
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date, timedelta

import pytest

from fzmediate.desk import case_list
from fzmediate.domain.case import CaseKind
from fzmediate.services.case_listing import CaseFilters, CaseQuery, SortColumn, SortKey
from fzmediate.services.case_views import CaseSummary
from fzmediate.services.session import Session
from fzmediate.services.workspace import Workspace
from tests.cases_support import adjudication_intake, person
from tests.documents import case_lifecycles as life
from tests.support import ADMIN_PW
from tests.synthetic import make_resident_id

NAMES = ("王𠮷", "张䶮", "李𬌗", "陈小明", "刘燚", "周淼", "赵堃", "孙一")
STREETS = ("坪山区坑梓街道某路1号", "坪山区龙田街道某路2号", "坪山区坪山街道某路3号", "深圳市坪山区某小区")


class Token:
    """The cancel token the DB worker hands to a call (never cancelled here)."""

    def check(self) -> None:
        return None


T = Token()


@dataclass(frozen=True)
class Seeded:
    id: str
    number: str
    name: str
    id_number: str
    phone: str


def seed_cases(s: Session, n: int = 30) -> list[Seeded]:
    """``n`` cases: varied names (rare characters too), ID numbers, phones, streets; some assigned to med1,
    every fifth an adjudication. Received 2026-10-20 … 2026-11-27 (the clock says 2026-11-29)."""
    out: list[Seeded] = []
    for i in range(n):
        name = NAMES[i % len(NAMES)]
        id_number = make_resident_id(region="440310", birth=date(1960 + i % 40, 1 + i % 12, 1 + i % 28), seq=100 + i)
        phone = "139{0:08d}".format(20_000_000 + i * 7919)
        applicant = person(name=name, id_number=id_number, phone=phone, address=STREETS[i % len(STREETS)])
        received = (date(2026, 10, 20) + timedelta(days=i * 38 // n)).isoformat()
        if i % 5 == 4:
            data = adjudication_intake(received_on=received, parties=[applicant, adjudication_intake()["parties"][1]])
        else:
            respondent = life.mediation_intake(received)["parties"][1]
            data = life.mediation_intake(received, parties=[applicant, respondent])
        case = s.cases.create(data, confirm_duplicate=True)
        if i % 3 == 0:
            s.cases.assign(case.id, "med1")
        out.append(Seeded(case.id, case.number, name, id_number, phone))
    return out


@pytest.fixture
def session(initialized: Workspace) -> Iterator[Session]:
    life.staff(initialized)
    with initialized.unlock("admin", ADMIN_PW) as s:
        yield s


@pytest.fixture
def seeded(session: Session) -> list[Seeded]:
    return seed_cases(session)


def _all(s: Session, query: CaseQuery, size: int = 7) -> list[CaseSummary]:
    page = case_list.first_page(s, T, query, size)
    rows = list(page.rows)
    while page.next_after is not None:
        page = case_list.next_page(s, T, query, page.next_after, size)
        rows += page.rows
    return rows


def _found(s: Session, text: str) -> set[str]:
    return {r.id for r in _all(s, CaseQuery(text=text), 50)}


def test_pages_cover_the_list_once_and_match_the_count(session: Session, seeded: list[Seeded]) -> None:
    for query in (CaseQuery(), CaseQuery(filters=CaseFilters(overdue=True)), CaseQuery(text="𠮷")):
        rows = _all(session, query)
        assert len({r.id for r in rows}) == len(rows) == case_list.count(session, T, query)
    assert {r.id for r in _all(session, CaseQuery())} == {c.id for c in seeded}
    first = case_list.first_page(session, T, CaseQuery(), 10)
    assert pickle.loads(pickle.dumps(first)) == first  # crosses the process boundary as it is
    assert all("𠮷" not in name for r in first.rows for name in r.applicants)  # masked: 王某


def test_every_search_form_finds_the_case(session: Session, seeded: list[Seeded]) -> None:
    target = seeded[11]  # 张䶮, a mediation
    serial = target.number[-5:-1]
    texts = {
        "number with 〔〕": target.number,
        "number without 〔〕": target.number.replace("〔", "").replace("〕", ""),
        "number without 坪山 and 〔〕": target.number[2:].replace("〔", "").replace("〕", "").removesuffix("号"),
        "short number": str(int(serial)),
        "short number with 号": serial + "号",
        "whole name": target.name,
        "rare character alone": "䶮",
        "ID number whole": target.id_number,
        "ID number last 6": target.id_number[-6:],
        "phone whole": target.phone,
        "phone last 4": target.phone[-4:],
    }
    exact = ("number with 〔〕", "number without 〔〕", "ID number whole", "phone whole")
    for form, text in texts.items():
        found = _found(session, text)
        assert target.id in found, form
        assert form not in exact or found == {target.id}, form


def test_a_year_and_short_number_finds_the_case(session: Session, seeded: list[Seeded]) -> None:
    target = seeded[11]
    assert target.id in _found(session, "2026-{0}".format(int(target.number[-5:-1])))


def test_rows_by_id_gives_current_rows_and_leaves_out_what_the_query_no_longer_selects(
    session: Session, seeded: list[Seeded]
) -> None:
    unassigned = CaseQuery(filters=CaseFilters(mediator=""))
    kept, moved = seeded[1].id, seeded[2].id  # neither assigned at seeding
    session.cases.assign(moved, "sup1")
    got = case_list.rows_by_id(session, T, unassigned, [moved, kept, "0190abcd-0000-7000-8000-000000000000"])
    assert [r.id for r in got.rows] == [kept]
    assert got.next_after is None
    every = case_list.rows_by_id(session, T, CaseQuery(), [moved])
    assert [(r.id, r.assigned_mediator) for r in every.rows] == [(moved, "sup1")]
    # The same row the list itself would show.
    listed = next(r for r in _all(session, CaseQuery()) if r.id == moved)
    assert every.rows[0] == listed


def test_rows_by_id_honours_the_search_text(session: Session, seeded: list[Seeded]) -> None:
    rare = [c.id for c in seeded if c.name == "王𠮷"]
    other = next(c.id for c in seeded if c.name == "陈小明")
    got = case_list.rows_by_id(session, T, CaseQuery(text="𠮷"), [*rare, other])
    assert {r.id for r in got.rows} == set(rare)


def test_filter_choices_name_what_the_filters_take(session: Session, seeded: list[Seeded]) -> None:
    choices = case_list.filter_choices(session, T)
    assert pickle.loads(pickle.dumps(choices)) == choices
    assert "PS-TJ-007" in {m.code for m in choices.matters}
    assert ("med1", life.MEDIATOR_NAME) in {(m.code, m.label) for m in choices.mediators}
    streets = {s.code: s.label for s in choices.streets}
    assert "坑梓街道" in streets["PS-JD-KZ"]
    assert {k.code for k in choices.kinds} == {k.value for k in CaseKind}
    states = {s.code: s.label for s in choices.states}
    assert "registered" in states and "voided" in states and states["registered"]
    every_kind = (
        CaseFilters(street=choices.streets[0].code),
        CaseFilters(state="registered"),
        CaseFilters(mediator="med1"),
        CaseFilters(matter=choices.matters[0].code),
    )
    for filters in every_kind:  # each choice is a value the filter takes
        query = CaseQuery(filters=filters)
        assert case_list.count(session, T, query) == len(_all(session, query))
    assert case_list.count(session, T, CaseQuery(filters=CaseFilters(street="PS-JD-KZ"))) == len(
        [c for i, c in enumerate(seeded) if i % len(STREETS) == 0]
    )


def test_precedes_is_the_order_the_service_pages_in(session: Session, seeded: list[Seeded]) -> None:
    for column in (c for c in SortColumn if case_list.placeable(c)):
        for descending in (True, False):
            query = CaseQuery(sort=column, descending=descending)
            keys = [case_list.row_key(r, query) for r in _all(session, query, 9)]
            assert all(case_list.precedes(a, b, query) for a, b in itertools.pairwise(keys)), query
            assert not any(case_list.precedes(b, a, query) for a, b in itertools.pairwise(keys)), query


def test_precedes_puts_rows_without_a_deadline_last_both_ways() -> None:
    for descending in (True, False):
        query = CaseQuery(sort=SortColumn.NEXT_DUE, descending=descending)
        dated, undated = SortKey(date(2026, 11, 1), "a"), SortKey(None, "b")
        assert case_list.precedes(dated, undated, query)
        assert not case_list.precedes(undated, dated, query)
    newest = CaseQuery()
    assert case_list.precedes(SortKey(None, "b"), SortKey(None, "a"), newest)
    assert case_list.precedes(SortKey(None, "a"), SortKey(None, "b"), replace(newest, descending=False))
