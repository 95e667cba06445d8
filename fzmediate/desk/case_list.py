"""The case list screen's calls: keyset pages, the count, single rows after a write, the filter choices.

Every function runs on the DB worker as ``fn(session, token, *args)`` and returns plain frozen values
(``ListRow`` rows, ``SortKey``, strings): see :mod:`fzmediate.desk`. Paging, searching, filtering and
sorting are the service's (:mod:`fzmediate.services.case_listing`, ``session.cases.page``/``count``); this
module adds only what a lazy list model needs on top:

- the first page and its count are separate calls, so the first rows show before a slow count;
- :func:`rows_by_id` re-reads the few rows a write touched, keeping only those the query still selects
  (``CaseService.rows``: one query for all of them);
- :func:`precedes` says where a row belongs in the list's order, so a row that changed or appeared can be
  put in place without reloading the list (the same order the service pages in).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, NamedTuple

from fzmediate.desk.token import CancelToken
from fzmediate.domain.case import VOIDED_STATE, CaseKind
from fzmediate.i18n import _
from fzmediate.services.case_dto import CaseQuery, CaseSummary, Page, SortColumn, SortKey, SortValue, case_kind_label

if TYPE_CHECKING:
    from fzmediate.services.session import Session


#: Sort columns whose rows without a value come last in both directions (as the service pages them).
NULLS_LAST = frozenset({SortColumn.NEXT_DUE})
#: How many changed ids :func:`rows_by_id` re-reads; more than that and the caller reloads.
MAX_IDS = 200


class ListRow(NamedTuple):
    """A case as the list shows it: :class:`CaseSummary`'s values (names masked) in a plain tuple.

    A tuple of strings, dates and numbers is untracked by Python's cyclic garbage collector, so 100,000 rows held
    by the list add nothing to its full passes (a dataclass row would: 250 ms GUI-thread stalls when a
    desk had scrolled through 100,000 cases, measured by bench/bench_desk.py). ``kind`` is the code.
    """

    id: str
    number: str
    kind: str
    kind_label: str
    matter_code: str
    matter_name: str
    state: str
    state_label: str
    received_on: date
    applicants: tuple[str, ...]
    respondents: tuple[str, ...]
    assigned_mediator: str
    next_due: date | None
    next_due_name: str
    next_due_label: str
    next_due_provisional: bool
    version: int

    def overdue(self, today: date) -> bool:
        return self.next_due is not None and self.next_due < today

    @classmethod
    def of(cls, row: CaseSummary) -> ListRow:
        # The summary's fields by name; the kind as its code (an enum member would keep the tuple tracked).
        return cls._make(CaseKind(row.kind).value if f == "kind" else getattr(row, f) for f in cls._fields)


@dataclass(frozen=True)
class ListPage:
    """One keyset page of the list: masked rows, where the next page starts, and the day overdue is judged on."""

    rows: tuple[ListRow, ...]
    #: Pass it to :func:`next_page`; None when this was the last page.
    next_after: SortKey | None
    today: date
    #: Ids of rows whose stored next deadline awaits recomputation (show "recomputing", not overdue).
    recomputing: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Choice:
    """One entry of a filter: the code the query takes and the words shown."""

    code: str
    label: str


@dataclass(frozen=True)
class FilterChoices:
    """What the list's filters offer (from the active catalogue, its procedures and the users)."""

    matters: tuple[Choice, ...]
    states: tuple[Choice, ...]
    #: Active users who may work cases (login, full name or login).
    mediators: tuple[Choice, ...]
    #: Street offices of the active catalogue (unit code, name).
    streets: tuple[Choice, ...]
    kinds: tuple[Choice, ...]


def _page_of(page: Page) -> ListPage:
    return ListPage(tuple(ListRow.of(r) for r in page.rows), page.next_after, page.today, frozenset(page.recomputing))


def _page(session: Session, query: CaseQuery, after: SortKey | None, size: int) -> ListPage:
    return _page_of(session.cases.page(query, after, size))


def first_page(session: Session, token: CancelToken, query: CaseQuery, size: int) -> ListPage:
    """The first ``size`` rows of ``query`` (names masked); the count is :func:`count`."""
    token.check()
    return _page(session, query, None, size)


def next_page(session: Session, token: CancelToken, query: CaseQuery, after: SortKey, size: int) -> ListPage:
    """The ``size`` rows after ``after`` (a previous page's ``next_after``)."""
    token.check()
    return _page(session, query, after, size)


def count(session: Session, token: CancelToken, query: CaseQuery) -> int:
    """How many cases ``query`` selects (what paging to the end would list)."""
    token.check()
    return session.cases.count(query)


def rows_by_id(session: Session, token: CancelToken, query: CaseQuery, ids: Sequence[str]) -> ListPage:
    """The current rows of ``ids`` that ``query`` still selects (absent: gone from the list), in ``ids`` order.

    ``next_after`` is always None. At most :data:`MAX_IDS` ids (a larger write reloads the list instead).
    """
    token.check()
    return _page_of(session.cases.rows(query, list(dict.fromkeys(ids))[:MAX_IDS]))


def filter_choices(session: Session, token: CancelToken) -> FilterChoices:
    """Matters, states, mediators, street offices and kinds to filter on (the active catalogue's)."""
    from fzmediate.services.case_engine import definitions_for

    token.check()
    bundle = session.catalogue.active()
    matters = tuple(Choice(m.code, m.name) for m in session.catalogue.list())
    states: dict[str, str] = {}
    for definition in definitions_for(bundle.procedures).values():
        for state in definition.states:
            known = states.get(state.name)
            if known is None:
                states[state.name] = state.label
            elif state.label not in known.split(" / "):
                states[state.name] = known + " / " + state.label  # the same code, worded apart by procedure
    states.setdefault(VOIDED_STATE, _("voided (duplicate registration)"))
    token.check()
    mediators = tuple(Choice(u.login, u.full_name or u.login) for u in session.users.list())
    streets = tuple(Choice(u.code, u.name) for u in session.organisation.units() if u.kind == "street_office")
    kinds = tuple(Choice(k.value, case_kind_label(k.value)) for k in CaseKind)
    return FilterChoices(
        matters=matters,
        states=tuple(Choice(code, label) for code, label in states.items()),
        mediators=mediators,
        streets=streets,
        kinds=kinds,
    )


# --- where a row belongs ------------------------------------------------------------------------------


def sort_value(row: ListRow, column: SortColumn) -> SortValue:
    """The row's value in ``column`` as the service sorts on it; ``NEWEST`` sorts on the id alone."""
    values: dict[SortColumn, SortValue] = {
        SortColumn.NEWEST: None,
        SortColumn.NUMBER: row.number,
        SortColumn.RECEIVED: row.received_on,
        SortColumn.NEXT_DUE: row.next_due,
        SortColumn.STATE: row.state,
        SortColumn.MATTER: row.matter_code,
        SortColumn.MEDIATOR: row.assigned_mediator,
        SortColumn.KIND: CaseKind(row.kind).value,
    }
    if column not in values:
        raise ValueError("a list row carries no value for {0}".format(column.value))
    return values[column]


def placeable(column: SortColumn) -> bool:
    """Whether :func:`sort_value` knows the column (rows sorted otherwise are reloaded, not placed)."""
    return column is not SortColumn.UPDATED


def row_key(row: ListRow, query: CaseQuery) -> SortKey:
    return SortKey(sort_value(row, query.sort), row.id)


def precedes(a: SortKey, b: SortKey, query: CaseQuery) -> bool:
    """True when a row with key ``a`` is listed before one with key ``b`` under ``query``'s sort."""
    if query.sort is SortColumn.NEWEST or (query.sort in NULLS_LAST and a.value is None and b.value is None):
        return a.id > b.id if query.descending else a.id < b.id
    if query.sort in NULLS_LAST and (a.value is None) != (b.value is None):
        return b.value is None  # rows with a value first, both ways
    left, right = (a.value, a.id), (b.value, b.id)
    return left > right if query.descending else left < right
