"""The case list a lazy (Qt) model pages through: a query, filters, a sort, keyset pages and a count.

``page(query, after, size)`` returns the rows that follow the sort key ``after`` (keyset paging on the
sort column and the case id: ids are UUIDv7, unique and stable, so ties never reorder between pages and a
row inserted meanwhile never shifts the rows after it). A page reads only its own rows through indexes,
never the pages before it; ``count(query)`` honours the same text and filters.

The overdue flag comes from the stored next deadline (``cases.next_due < today``, indexed); nothing here
recomputes deadlines (see ``deadline_refresh``): a row whose stored deadline time alone may have changed is
listed in ``Page.recomputing`` until the background pass reaches it.

Street (街道): the street office named in an applicant's address (``坑梓街道`` in
"深圳市坪山区坑梓街道…"). A desk belongs to one unit, so the desk unit would not tell cases apart; the
applicant's address is where the dispute arose in the cases of a street. An address that names no street
matches no street filter (no guessing from a community or road name).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, Select, exists, func, select, tuple_, union
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.orm import Session as OrmSession

from fzmediate.domain.case import VOIDED_STATE, CaseKind
from fzmediate.errors import ValidationError
from fzmediate.i18n import _
from fzmediate.security.permissions import require
from fzmediate.services.case_dto import (
    MAX_PAGE as MAX_PAGE,
)
from fzmediate.services.case_dto import (
    CaseFilters as CaseFilters,
)
from fzmediate.services.case_dto import (
    CaseQuery as CaseQuery,
)
from fzmediate.services.case_dto import (
    Page as Page,
)
from fzmediate.services.case_dto import (
    SortColumn as SortColumn,
)
from fzmediate.services.case_dto import (
    SortKey as SortKey,
)
from fzmediate.services.case_dto import (
    SortValue as SortValue,
)
from fzmediate.services.numbering import device_code
from fzmediate.services.search import number_candidates, query_terms
from fzmediate.store.models import Case, PartyRow, SearchTerm

if TYPE_CHECKING:
    from fzmediate.services.cases import CaseService

_STREET = re.compile(r"([^市区]+街道)办事处$")


_COLUMNS: dict[SortColumn, InstrumentedAttribute[Any]] = {
    SortColumn.NEWEST: Case.id,
    SortColumn.NUMBER: Case.number,
    SortColumn.RECEIVED: Case.received_on,
    SortColumn.NEXT_DUE: Case.next_due,
    SortColumn.STATE: Case.state,
    SortColumn.MATTER: Case.matter_code,
    SortColumn.MEDIATOR: Case.assigned_mediator,
    SortColumn.KIND: Case.kind,
    SortColumn.UPDATED: Case.updated_at,
}
#: Columns that may be NULL: those rows come last in both directions.
_NULLABLE = frozenset({SortColumn.NEXT_DUE})


class CaseListing:
    """Keyset pages and counts of the case list (see the module docs)."""

    def __init__(self, cases: CaseService) -> None:
        self._cases = cases

    # --- building the query ---------------------------------------------------------------------------
    def _street_name(self, code: str) -> str:
        unit = self._cases._s.catalogue.active().unit(code)
        found = _STREET.search(unit.name) if unit is not None and unit.kind == "street_office" else None
        if found is None:
            raise ValidationError(
                _("street: {code} is not a street office of the active catalogue.").format(code=code), field="street"
            )
        return found.group(1)

    def _where(self, s: OrmSession, query: CaseQuery, today: date) -> list[ColumnElement[bool]]:
        f = query.filters
        where: list[ColumnElement[bool]] = []
        if not f.include_voided:
            where.append(Case.state != VOIDED_STATE)
        if f.matter:
            where.append(Case.matter_code == f.matter)
        if f.state:
            where.append(Case.state == f.state)
        if f.mediator is not None:
            where.append(Case.assigned_mediator == f.mediator)
        if f.kind is not None:
            where.append(Case.kind == CaseKind(f.kind).value)
        if f.overdue:
            where.append(Case.next_due < today)
        if f.street:
            street = self._street_name(f.street)
            where.append(
                exists().where(
                    PartyRow.case_id == Case.id,
                    PartyRow.role == "applicant",
                    PartyRow.address.contains(street, autoescape=True),
                )
            )
        text = query.text.strip()
        if text:
            # One IN over a UNION of index lookups: SQLite then drives the page from the (few) matches instead
            # of walking the sort index and testing every case against the search.
            terms = query_terms(text)
            found: list[Select[str]] = []
            if terms:
                found.append(select(SearchTerm.case_id).where(SearchTerm.term.in_(terms)))
            prefixes, exact = number_candidates(text, device_code(s, self._cases._s.device_id), today.year)
            for prefix in prefixes:
                found.append(select(Case.id).where(Case.number >= prefix, Case.number < prefix + "\U0010ffff"))
            if exact:
                found.append(select(Case.id).where(Case.number.in_(exact)))
            where.append(Case.id.in_(union(*found)))
        return where

    @staticmethod
    def _keyset(query: CaseQuery, after: SortKey) -> ColumnElement[bool]:
        col = _COLUMNS[query.sort]
        if query.sort is SortColumn.NEWEST:
            return Case.id < after.id if query.descending else Case.id > after.id
        later = tuple_(col, Case.id) < (after.value, after.id)
        if not query.descending:
            later = tuple_(col, Case.id) > (after.value, after.id)
        return later  # columns that may be NULL page through _nullable_page

    @staticmethod
    def _order(query: CaseQuery) -> list[Any]:
        col = _COLUMNS[query.sort]

        def direction(c: Any) -> Any:
            return c.desc() if query.descending else c.asc()

        order: list[Any] = []
        if query.sort is not SortColumn.NEWEST:
            order.append(direction(col))
        order.append(direction(Case.id))
        return order

    def _nullable_page(
        self, s: OrmSession, query: CaseQuery, where: list[ColumnElement[bool]], after: SortKey | None, limit: int
    ) -> list[Case]:
        """A column that may be NULL (rows without it last, both ways): the rows with a value, then the rest,
        each a range on the (column, id) index (one ORDER BY over both could not use it)."""
        col = _COLUMNS[query.sort]

        def direction(c: Any) -> Any:
            return c.desc() if query.descending else c.asc()

        rows: list[Case] = []
        if after is None or after.value is not None:
            q: Select[Case] = select(Case).where(*where, col.is_not(None))
            if after is not None:
                key = tuple_(col, Case.id)
                q = q.where(key < (after.value, after.id) if query.descending else key > (after.value, after.id))
            rows = list(s.scalars(q.order_by(direction(col), direction(Case.id)).limit(limit)))
        if len(rows) < limit:
            q = select(Case).where(*where, col.is_(None))
            if after is not None and after.value is None:
                q = q.where(Case.id < after.id if query.descending else Case.id > after.id)
            rows += s.scalars(q.order_by(direction(Case.id)).limit(limit - len(rows)))
        return rows

    # --- public API ---------------------------------------------------------------------------------
    def page(self, query: CaseQuery, after: SortKey | None = None, size: int = 50) -> Page:
        """The ``size`` rows after ``after`` (the first page when None), names masked."""
        svc = self._cases
        require(svc._s, "case.list")
        if not 1 <= size <= MAX_PAGE:
            raise ValidationError(_("size: between 1 and {max}.").format(max=MAX_PAGE), field="size")
        today = svc.today()
        with svc._s.read() as s:
            where = self._where(s, query, today)
            if query.sort in _NULLABLE:
                rows = self._nullable_page(s, query, where, after, size + 1)
            else:
                q: Select[Case] = select(Case).where(*where)
                if after is not None:
                    q = q.where(self._keyset(query, after))
                rows = list(s.scalars(q.order_by(*self._order(query)).limit(size + 1)))
            more = len(rows) > size
            rows = rows[:size]
            summaries = svc._summaries(s, rows)
            recomputing = svc.deadline_refresher.stale_ids(s, rows, today)
            last = rows[-1] if rows and more else None
            next_after = None if last is None else SortKey(getattr(last, _COLUMNS[query.sort].key), last.id)
        return Page(rows=summaries, next_after=next_after, today=today, recomputing=recomputing)

    def rows(self, query: CaseQuery, ids: Sequence[str]) -> Page:
        """The current rows of ``ids`` that ``query`` (its text and filters; the sort plays no part) still
        selects, in ``ids`` order, names masked: for a list that re-reads the rows a write touched. An id the
        query no longer selects (or no case has) is absent. One query; at most :data:`MAX_PAGE` ids."""
        svc = self._cases
        require(svc._s, "case.list")
        wanted = list(dict.fromkeys(ids))
        if len(wanted) > MAX_PAGE:
            raise ValidationError(_("ids: at most {max}.").format(max=MAX_PAGE), field="ids")
        today = svc.today()
        if not wanted:
            return Page(rows=[], next_after=None, today=today)
        with svc._s.read() as s:
            where = self._where(s, query, today)
            found = {c.id: c for c in s.scalars(select(Case).where(*where, Case.id.in_(wanted)))}
            ordered = [found[i] for i in wanted if i in found]
            summaries = svc._summaries(s, ordered)
            recomputing = svc.deadline_refresher.stale_ids(s, ordered, today)
        return Page(rows=summaries, next_after=None, today=today, recomputing=recomputing)

    def count(self, query: CaseQuery) -> int:
        """How many cases the query and its filters select (what paging to the end would return)."""
        svc = self._cases
        require(svc._s, "case.list")
        today = svc.today()
        f = query.filters
        # Counted with voided cases, then those subtracted (a few, on ix_cases_state): "not voided" alone
        # would make SQLite read every counted row instead of counting index entries (256 ms → a few ms for
        # the overdue count at 100,000 cases).
        every = replace(query, filters=replace(f, include_voided=True))
        with svc._s.read() as s:
            where = self._where(s, every, today)
            total = int(s.scalar(select(func.count()).select_from(Case).where(*where)) or 0)
            if not f.include_voided and f.state in (None, "", VOIDED_STATE):
                voided = select(func.count()).select_from(Case).where(*where, Case.state == VOIDED_STATE)
                total -= int(s.scalar(voided) or 0)
            return total
