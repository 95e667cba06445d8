"""The case list as a lazy Qt table model: keyset pages fetched in the background as the view scrolls.

Modelled on Anki's browser ``DataModel`` (rows fetched on demand, a row is an id plus plain values) and Vorta's
table models (column constants, a role for the object id). The store is asked only through
``env.context.call`` with :mod:`fzmediate.desk.case_list`; the model holds plain ``ListRow`` rows (names
already masked), never ORM objects, and only the rows fetched so far.

- ``canFetchMore``/``fetchMore``: the next keyset page, one request in flight; rows are appended with
  ``beginInsertRows`` when the page arrives.
- ``set_query``: a new search, filter or sort bumps the generation: pages, counts and row updates of an older
  query that arrive late are dropped (and their queued calls cancelled).
- ``sort``: server-side (``SortColumn``); the party columns cannot be sorted.
- ``apply_changes``: after a write anywhere, only the changed rows are read again by id; each is updated in
  place (``dataChanged``), moved to where the sort puts it, removed when the query no longer selects it, or
  inserted when it now belongs among the fetched rows (a case just registered, at the top of "newest first").
"""

from __future__ import annotations

import bisect
import sys
from collections.abc import Iterable, Iterator
from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QStyle

from fzmediate.desk import case_list
from fzmediate.desk.case_list import ListRow
from fzmediate.i18n import _
from fzmediate.services.case_dto import CaseQuery, SortColumn, SortKey
from ui.ops import error_message, log_failure

if TYPE_CHECKING:
    from fzmediate.store.changes import OpChanges
    from ui.desk.page import DeskEnv
    from ui.ops import OpHandle

AnyIndex = QModelIndex | QPersistentModelIndex

COL_NUMBER, COL_MATTER, COL_APPLICANTS, COL_RESPONDENTS, COL_STATE, COL_MEDIATOR, COL_RECEIVED, COL_NEXT = range(8)
COLUMN_COUNT = 8
#: The server-side sort of each sortable column (the party columns are masked names: no meaningful order).
SORTS: dict[int, SortColumn] = {
    COL_NUMBER: SortColumn.NUMBER,
    COL_MATTER: SortColumn.MATTER,
    COL_STATE: SortColumn.STATE,
    COL_MEDIATOR: SortColumn.MEDIATOR,
    COL_RECEIVED: SortColumn.RECEIVED,
    COL_NEXT: SortColumn.NEXT_DUE,
}
#: The case id of a row (``data(index, CaseIdRole)``).
CaseIdRole = Qt.ItemDataRole.UserRole
#: True when the row's next deadline has passed.
OverdueRole = Qt.ItemDataRole.UserRole + 1
PAGE_SIZE = 100


def _headers() -> tuple[str, ...]:
    return (
        _("Number"),
        _("Matter"),
        _("Applicants"),
        _("Respondents"),
        _("State"),
        _("Mediator"),
        _("Received on"),
        _("Next step and deadline"),
    )


#: Fields of a list row that repeat across rows (codes and labels): one shared string each.
_SHARED = tuple(
    ListRow._fields.index(name)
    for name in (
        "kind",
        "kind_label",
        "matter_code",
        "matter_name",
        "state",
        "state_label",
        "assigned_mediator",
        "next_due_name",
        "next_due_label",
    )
)


#: Values that repeat across rows but are not strings: dates (a few hundred days) and the tuples of masked
#: names (张某某: a few hundred surnames). One copy of each is kept per store.
_CANONICAL = tuple(ListRow._fields.index(name) for name in ("received_on", "applicants", "respondents", "next_due"))


def _compact(row: ListRow, canonical: dict[Any, Any]) -> tuple[Any, ...]:
    values: list[Any] = list(row)
    for i in _SHARED:
        values[i] = sys.intern(values[i])
    for i in _CANONICAL:
        values[i] = canonical.setdefault(values[i], values[i])
    return tuple(values)


class RowStore:
    """The fetched rows, kept as exact tuples: CPython's collector untracks a tuple of strings, dates and numbers
    (never a tuple subclass such as a NamedTuple), so 100,000 rows add nothing to its full passes. Those passes
    otherwise grow with the rows held and stalled the GUI thread by up to 250 ms after scrolling through
    100,000 cases (bench/bench_desk.py). Repeated words (matter, state, labels, mediator) are interned, so
    100,000 rows share one copy of each instead of holding their own; so do dates and the tuples of masked
    names (together about a third of a row's memory). Reads give :class:`ListRow` views."""

    def __init__(self) -> None:
        self._items: list[tuple[Any, ...]] = []
        self._canonical: dict[Any, Any] = {}

    def __len__(self) -> int:
        return len(self._items)

    def __bool__(self) -> bool:
        return bool(self._items)

    def __getitem__(self, at: int) -> ListRow:
        return ListRow._make(self._items[at])

    def __setitem__(self, at: int, row: ListRow) -> None:
        self._items[at] = _compact(row, self._canonical)

    def __delitem__(self, at: int) -> None:
        del self._items[at]

    def __iter__(self) -> Iterator[ListRow]:
        return map(ListRow._make, self._items)

    def extend(self, rows: Iterable[ListRow]) -> None:
        self._items.extend(_compact(r, self._canonical) for r in rows)

    def insert(self, at: int, row: ListRow) -> None:
        self._items.insert(at, _compact(row, self._canonical))


class CaseTableModel(QAbstractTableModel):
    """The rows of one query, fetched page by page (see the module docs)."""

    #: The number of cases the current query selects (-1: being counted).
    count_changed = Signal(int)
    #: True while the first page of a query is on its way.
    loading_changed = Signal(bool)
    #: A page, count or row update failed: the message to show.
    load_failed = Signal(str)

    def __init__(self, env: DeskEnv, parent: QObject | None = None, *, page_size: int = PAGE_SIZE) -> None:
        super().__init__(parent)
        self._env = env
        self._page_size = page_size
        self._headers = _headers()
        self._query = CaseQuery()
        self._generation = 0
        self._rows = RowStore()
        self._index: dict[str, int] = {}
        self._recomputing: set[str] = set()
        self._today: date | None = None
        self._next_after: SortKey | None = None
        self._started = False  # a first page was asked for the current query
        self._fetching: OpHandle[Any] | None = None
        self._handles: list[OpHandle[Any]] = []
        self._count = -1
        self._mediators: dict[str, str] = {}
        self._warning: QIcon = QApplication.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)

    # --- the query ---------------------------------------------------------------------------------------
    @property
    def query(self) -> CaseQuery:
        return self._query

    @property
    def count(self) -> int:
        """The cases the query selects (-1 while counting)."""
        return self._count

    @property
    def loading(self) -> bool:
        return self._fetching is not None

    def set_mediator_names(self, names: dict[str, str]) -> None:
        """Login → name, to show the mediator by name."""
        self._mediators = dict(names)
        if self._rows:
            self.dataChanged.emit(
                self.index(0, COL_MEDIATOR),
                self.index(len(self._rows) - 1, COL_MEDIATOR),
                [Qt.ItemDataRole.DisplayRole],
            )

    def set_query(self, query: CaseQuery) -> None:
        """Show ``query``: drop the rows, then fetch its first page and count it."""
        self._query = query
        self.reload()

    def reload(self) -> None:
        """Fetch the current query afresh (rows of any earlier request are dropped when they arrive)."""
        self._generation += 1
        for handle in self._handles:
            handle.cancel()
        self._handles.clear()
        self._fetching = None
        if self._rows:  # (a reset of an empty model would be noise, e.g. when started from fetchMore)
            self.beginResetModel()
            self._rows, self._index = RowStore(), {}
            self.endResetModel()
        self._recomputing = set()
        self._next_after = None
        self._started = True
        self._set_count(-1)
        generation, query = self._generation, self._query
        self._fetching = self._call(
            case_list.first_page, query, self._page_size, ok=lambda page: self._page_arrived(generation, page)
        )
        self.loading_changed.emit(True)
        self._call(case_list.count, query, ok=lambda n: self._count_arrived(generation, n))

    def _call(self, fn: Any, *args: Any, ok: Any) -> OpHandle[Any]:
        generation = self._generation
        handle: OpHandle[Any] = self._env.context.call(
            fn, *args, on_success=ok, on_failure=lambda exc: self._failed(generation, exc), parent=self
        )
        self._handles = [h for h in self._handles if not h.finished] + [handle]
        return handle

    def _failed(self, generation: int, exc: BaseException) -> None:
        if generation != self._generation:
            return
        log_failure(exc)
        if self._fetching is not None:
            self._fetching = None
            self.loading_changed.emit(False)
        self.load_failed.emit(error_message(exc))

    def _set_count(self, n: int) -> None:
        if n != self._count:
            self._count = n
            self.count_changed.emit(n)

    def _count_arrived(self, generation: int, n: int) -> None:
        if generation == self._generation:
            self._set_count(n)

    def _page_arrived(self, generation: int, page: case_list.ListPage) -> None:
        if generation != self._generation:
            return  # a page of an earlier query
        self._fetching = None
        self._today = page.today
        self._recomputing |= page.recomputing
        fresh = [r for r in page.rows if r.id not in self._index]
        if fresh:
            first = len(self._rows)
            self.beginInsertRows(QModelIndex(), first, first + len(fresh) - 1)
            self._rows.extend(fresh)
            self._index.update((r.id, first + i) for i, r in enumerate(fresh))
            self.endInsertRows()
        self._next_after = page.next_after
        self.loading_changed.emit(False)

    # --- lazy paging ---------------------------------------------------------------------------------------
    def canFetchMore(self, parent: AnyIndex = QModelIndex()) -> bool:  # noqa: B008
        if parent.isValid():
            return False
        return not self._started or self._next_after is not None

    def fetchMore(self, parent: AnyIndex = QModelIndex()) -> None:  # noqa: B008
        if parent.isValid() or self._fetching is not None:
            return  # one page in flight at a time
        if not self._started:
            self.reload()
            return
        if self._next_after is None:
            return
        generation = self._generation
        self._fetching = self._call(
            case_list.next_page,
            self._query,
            self._next_after,
            self._page_size,
            ok=lambda page: self._page_arrived(generation, page),
        )

    # --- sorting -----------------------------------------------------------------------------------------
    @staticmethod
    def is_sortable(column: int) -> bool:
        return column in SORTS

    def sort_column(self) -> int:
        """The model column the list is sorted by, or -1 (newest first)."""
        return next((c for c, s in SORTS.items() if s is self._query.sort), -1)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort on the server: ``column`` -1 is newest first; a column that cannot be sorted is ignored."""
        if column < 0:
            sort, descending = SortColumn.NEWEST, True
        elif column in SORTS:
            sort, descending = SORTS[column], order == Qt.SortOrder.DescendingOrder
        else:
            return
        if (sort, descending) != (self._query.sort, self._query.descending) or not self._started:
            self.set_query(replace(self._query, sort=sort, descending=descending))

    # --- after a write -------------------------------------------------------------------------------------
    def apply_changes(self, changes: OpChanges) -> None:
        """Read again only the cases ``changes`` names, and update, move, remove or insert their rows."""
        if not self._started or not changes.case_ids:
            return
        if len(changes.case_ids) > case_list.MAX_IDS or not case_list.placeable(self._query.sort):
            self.reload()
            return
        generation = self._generation
        ids = tuple(sorted(changes.case_ids))
        self._call(case_list.rows_by_id, self._query, ids, ok=lambda page: self._rows_arrived(generation, ids, page))

    def _rows_arrived(self, generation: int, ids: tuple[str, ...], page: case_list.ListPage) -> None:
        if generation != self._generation:
            return
        self._today = page.today
        current = {r.id: r for r in page.rows}
        entered_or_left = False
        for case_id in ids:
            row = current.get(case_id)
            self._recomputing.discard(case_id)
            if case_id in page.recomputing:
                self._recomputing.add(case_id)
            at = self._index.get(case_id)
            if at is not None and row is None:
                self._remove(at)
                entered_or_left = True
            elif at is not None and row is not None:
                if self._in_place(at, row):
                    self._rows[at] = row
                    self.dataChanged.emit(self.index(at, 0), self.index(at, COLUMN_COUNT - 1))
                else:
                    self._remove(at)
                    self._insert(row)
            elif row is not None:
                self._insert(row)
                entered_or_left = True
        if entered_or_left:
            self._call(case_list.count, self._query, ok=lambda n: self._count_arrived(generation, n))

    def _in_place(self, at: int, row: ListRow) -> bool:
        key = case_list.row_key(row, self._query)
        before = at == 0 or case_list.precedes(case_list.row_key(self._rows[at - 1], self._query), key, self._query)
        after = at == len(self._rows) - 1 or case_list.precedes(
            key, case_list.row_key(self._rows[at + 1], self._query), self._query
        )
        return before and after

    def _remove(self, at: int) -> None:
        self.beginRemoveRows(QModelIndex(), at, at)
        del self._rows[at]
        self.endRemoveRows()
        self._reindex()

    def _insert(self, row: ListRow) -> None:
        """Put ``row`` where the sort places it among the fetched rows; beyond them, a later page brings it."""
        query = self._query
        key = case_list.row_key(row, query)
        if self._next_after is not None and not case_list.precedes(key, self._next_after, query):
            return
        keys = [case_list.row_key(r, query) for r in self._rows]
        at = bisect.bisect_left(range(len(keys)), True, key=lambda i: not case_list.precedes(keys[i], key, query))
        self.beginInsertRows(QModelIndex(), at, at)
        self._rows.insert(at, row)
        self.endInsertRows()
        self._reindex()

    def _reindex(self) -> None:
        self._index = {r.id: i for i, r in enumerate(self._rows)}

    # --- what the view reads -----------------------------------------------------------------------------
    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else COLUMN_COUNT

    def row(self, at: int) -> ListRow:
        return self._rows[at]

    def row_of(self, case_id: str) -> int:
        """The row showing ``case_id``, or -1."""
        return self._index.get(case_id, -1)

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < COLUMN_COUNT:
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return self._headers[section]
        if role == Qt.ItemDataRole.ToolTipRole:
            if section in SORTS:
                return _("Click to sort by this column; click again to reverse.")
            return _("This column cannot be sorted.")
        return None

    def _overdue(self, row: ListRow) -> bool:
        return self._today is not None and row.id not in self._recomputing and row.overdue(self._today)

    def _next_text(self, row: ListRow) -> str:
        step = row.next_due_label or row.next_due_name
        if row.id in self._recomputing:
            return _("{step}: deadline being recomputed").format(step=step) if step else _("Deadline being recomputed")
        if row.next_due is None:
            return step or _("No deadline")
        text = _("{step}, due {date}").format(step=step, date=row.next_due.isoformat())
        if row.next_due_provisional:
            text = _("{text} (provisional)").format(text=text)
        if self._overdue(row):
            text = _("Overdue: {text}").format(text=text)
        return text

    @staticmethod
    def _parties(names: tuple[str, ...]) -> str:
        return "、".join(names)  # the names are Chinese data, listed as Chinese lists them

    def _text(self, row: ListRow, column: int) -> str:
        if column == COL_NUMBER:
            return row.number
        if column == COL_MATTER:
            return row.matter_name or row.matter_code
        if column == COL_APPLICANTS:
            return self._parties(row.applicants)
        if column == COL_RESPONDENTS:
            return self._parties(row.respondents)
        if column == COL_STATE:
            return row.state_label
        if column == COL_MEDIATOR:
            if not row.assigned_mediator:
                return _("Unassigned")
            return self._mediators.get(row.assigned_mediator, row.assigned_mediator)
        if column == COL_RECEIVED:
            return row.received_on.isoformat()
        return self._next_text(row)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows) or not 0 <= index.column() < COLUMN_COUNT:
            return None
        row, column = self._rows[index.row()], index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return self._text(row, column)
        if role == CaseIdRole:
            return row.id
        if role == OverdueRole:
            return self._overdue(row)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == COL_MATTER:
                return "{0} {1}".format(row.matter_code, row.matter_name)
            if column == COL_NUMBER:
                return _("{number} ({kind})").format(number=row.number, kind=row.kind_label)
            return self._text(row, column)
        if role == Qt.ItemDataRole.AccessibleDescriptionRole:
            return "{0}: {1}".format(self._headers[column], self._text(row, column))
        if role == Qt.ItemDataRole.DecorationRole and column == COL_NEXT and self._overdue(row):
            return self._warning
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if column == COL_RECEIVED:
                return int(Qt.AlignmentFlag.AlignCenter)
            return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        return None
