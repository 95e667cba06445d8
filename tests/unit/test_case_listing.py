"""The case list for a lazy model: keyset pages, sorting, filters, counts, masking — through ``session.cases``."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest

from fzmediate.domain.case import CaseKind
from fzmediate.errors import ValidationError
from fzmediate.services.case_listing import CaseFilters, CaseQuery, SortColumn, SortKey
from fzmediate.services.case_views import CaseSummary
from fzmediate.services.session import Session
from fzmediate.services.workspace import Workspace
from tests.cases_support import RESPONDENT_ID, adjudication_intake, intake, organization, person
from tests.support import ADMIN_PW, MEDIATOR_PW
from tests.synthetic import make_resident_id

NAMES = ["王𠮷", "李䶮", "张三丰", "陈某强", "王小明", "赵堃", "刘燚", "周淼"]
STREETS = ["坪山区坑梓街道某路1号", "坪山区龙田街道某路2号", "坪山区坪山街道某路3号", "深圳市坪山区某小区"]


@pytest.fixture
def session(initialized: Workspace) -> Iterator[Session]:
    with initialized.unlock("admin", ADMIN_PW) as s:
        s.users.add("med1", "mediator", MEDIATOR_PW)
        yield s


def _create(s: Session, i: int) -> CaseSummary:
    applicant = person(
        name=NAMES[i % len(NAMES)],
        id_number=make_resident_id(region="440310", birth=date(1970 + i % 40, 1, 1), seq=100 + i),
        phone="139{0:08d}".format(10_000_000 + i),
        address=STREETS[i % len(STREETS)],
    )
    received = "2026-11-{0:02d}".format(10 + i % 18)
    if i % 3 == 2:
        respondent = person("respondent", "李䶮", id_number=RESPONDENT_ID, phone="13800002222")
        data = adjudication_intake(received_on=received, parties=[applicant, respondent])
    else:
        data = intake(received_on=received, parties=[applicant, organization()])
    case = s.cases.create(data, confirm_duplicate=True)
    if i % 4 == 0:
        s.cases.assign(case.id, "med1")
    return case


@pytest.fixture
def cases(session: Session) -> list[CaseSummary]:
    return [_create(session, i) for i in range(14)]


def test_voided_cases_are_left_out_unless_asked_for(session: Session, cases: list[CaseSummary]) -> None:
    session.cases.void(cases[1].id, "同一申请重复登记", duplicate_of=cases[0].number)
    for filters in (CaseFilters(), CaseFilters(overdue=True), CaseFilters(state="voided"), CaseFilters(kind=None)):
        for voided in (False, True):
            query = CaseQuery(filters=CaseFilters(**{**filters.__dict__, "include_voided": voided}))
            paged = {r.id for r in _all(session, query, 3)}
            assert session.cases.count(query) == len(paged)
            assert (cases[1].id in paged) == (voided and not filters.overdue)
    assert session.cases.count() == len(cases)  # without a query: every case, voided ones too


def _all(s: Session, query: CaseQuery, size: int, between: Any = None) -> list[CaseSummary]:
    rows: list[CaseSummary] = []
    after: SortKey | None = None
    while True:
        page = s.cases.page(query, after, size)
        rows += page.rows
        if between is not None:
            between()
        if page.next_after is None:
            return rows
        after = page.next_after


def _expected(rows: list[CaseSummary], column: SortColumn, descending: bool) -> list[str]:
    attr = {
        SortColumn.NEWEST: "id",
        SortColumn.NUMBER: "number",
        SortColumn.RECEIVED: "received_on",
        SortColumn.NEXT_DUE: "next_due",
        SortColumn.STATE: "state",
        SortColumn.MATTER: "matter_code",
        SortColumn.MEDIATOR: "assigned_mediator",
        SortColumn.KIND: "kind",
    }[column]

    def value(r: CaseSummary) -> Any:
        v = getattr(r, attr)
        return v.value if isinstance(v, CaseKind) else v

    present = sorted((r for r in rows if value(r) is not None), key=lambda r: (value(r), r.id), reverse=descending)
    missing = sorted((r for r in rows if value(r) is None), key=lambda r: r.id, reverse=descending)
    return [r.id for r in present + missing]


@pytest.mark.parametrize("column", [c for c in SortColumn if c is not SortColumn.UPDATED])
@pytest.mark.parametrize("descending", [True, False])
def test_pages_follow_the_sort_both_ways(
    session: Session, cases: list[CaseSummary], column: SortColumn, descending: bool
) -> None:
    query = CaseQuery(sort=column, descending=descending)
    paged = _all(session, query, size=4)
    assert [r.id for r in paged] == _expected(paged, column, descending)
    assert len(paged) == len(cases) == session.cases.count(query)


def test_updated_at_sort_pages_like_one_big_page(session: Session, cases: list[CaseSummary]) -> None:
    for descending in (True, False):
        query = CaseQuery(sort=SortColumn.UPDATED, descending=descending)
        assert [r.id for r in _all(session, query, 3)] == [r.id for r in session.cases.page(query, None, 100).rows]


def test_rows_inserted_between_pages_cause_no_duplicates_or_gaps(session: Session, cases: list[CaseSummary]) -> None:
    extra = iter(range(100, 200))
    for column in (SortColumn.NEWEST, SortColumn.RECEIVED, SortColumn.NUMBER):
        query = CaseQuery(sort=column, descending=column is not SortColumn.NUMBER)
        before = {c.id for c in cases}
        paged = _all(session, query, 3, between=lambda: _create(session, next(extra)))
        ids = [r.id for r in paged]
        assert len(ids) == len(set(ids)), "a row was listed twice"
        assert before <= set(ids), "a row that was there all along was skipped"
        cases = session.cases.page(CaseQuery(), None, 500).rows


@pytest.mark.parametrize(
    "filters",
    [
        CaseFilters(),
        CaseFilters(matter="PS-TJ-007"),
        CaseFilters(kind=CaseKind.ADJUDICATION),
        CaseFilters(state="registered"),
        CaseFilters(mediator="med1"),
        CaseFilters(mediator=""),
        CaseFilters(street="PS-JD-KZ"),
        CaseFilters(street="PS-JD-LT", kind=CaseKind.MEDIATION),
        CaseFilters(overdue=True),
    ],
)
def test_count_equals_rows_paged_for_each_filter(
    session: Session, cases: list[CaseSummary], filters: CaseFilters
) -> None:
    for text in ("", "王", "𠮷"):
        query = CaseQuery(text=text, filters=filters)
        paged = _all(session, query, 2)
        assert session.cases.count(query) == len(paged)
        assert len({r.id for r in paged}) == len(paged)


def test_filters_select_what_they_say(session: Session, cases: list[CaseSummary]) -> None:
    def ids(**f: Any) -> set[str]:
        return {r.id for r in _all(session, CaseQuery(filters=CaseFilters(**f)), 5)}

    assert ids(kind=CaseKind.ADJUDICATION) == {c.id for c in cases if c.kind is CaseKind.ADJUDICATION}
    assert ids(matter="PS-TJ-007") == {c.id for c in cases if c.matter_code == "PS-TJ-007"}
    assert ids(mediator="med1") == {c.id for i, c in enumerate(cases) if i % 4 == 0}
    # The street named in the applicant's address; an address naming no street matches none.
    assert ids(street="PS-JD-KZ") == {c.id for i, c in enumerate(cases) if i % len(STREETS) == 0}
    assert ids(street="PS-JD-BL") == set()
    assert ids(state="registered") == {c.id for c in cases}


def test_street_must_be_a_street_office(session: Session, cases: list[CaseSummary]) -> None:
    with pytest.raises(ValidationError) as err:
        session.cases.page(CaseQuery(filters=CaseFilters(street="PS-CZJ")))
    assert err.value.field == "street"


def test_search_as_you_type_with_keyset_pages(session: Session, cases: list[CaseSummary]) -> None:
    first = cases[0]
    number = first.number  # 坪山调〔2026〕XXXXXX0001号
    short = str(int(number[-5:-1]))
    no_brackets = number.replace("〔", "").replace("〕", "")
    for text in (number, number[:10], no_brackets, no_brackets[:9], short, short + "号"):
        found = [r.id for r in _all(session, CaseQuery(text=text), 2)]
        assert first.id in found, text
    expected = {c.id for i, c in enumerate(cases) if NAMES[i % len(NAMES)].startswith("王")}
    assert {r.id for r in _all(session, CaseQuery(text="王"), 2)} >= expected
    assert {r.id for r in _all(session, CaseQuery(text="𠮷"), 1)} == {
        c.id for i, c in enumerate(cases) if "𠮷" in NAMES[i % len(NAMES)]
    }
    ident = make_resident_id(region="440310", birth=date(1973, 1, 1), seq=103)
    assert [r.id for r in _all(session, CaseQuery(text=ident[-6:]), 2)] == [cases[3].id]
    assert [r.id for r in _all(session, CaseQuery(text="13910000005"), 2)] == [cases[5].id]
    assert cases[5].id in {r.id for r in _all(session, CaseQuery(text="0005"), 2)}


def test_rows_are_masked(session: Session, cases: list[CaseSummary]) -> None:
    page = session.cases.page(CaseQuery(text="张三丰"))
    assert page.rows and all(r.applicants == ("张某某",) for r in page.rows)
    shown = repr(page)
    assert "张三丰" not in shown and "440310" not in shown and "1391" not in shown


def test_page_size_is_bounded(session: Session) -> None:
    with pytest.raises(ValidationError):
        session.cases.page(CaseQuery(), None, 0)


def test_old_list_and_count_still_work(session: Session, cases: list[CaseSummary]) -> None:
    assert session.cases.count() == len(cases)
    listed = session.cases.list(limit=5, offset=5)
    assert [r.id for r in listed] == sorted((c.id for c in cases), reverse=True)[5:10]
