"""The case list's lazy table model without a window: Qt's model checks, paging, sorting, filtering, stale
answers dropped, and a write elsewhere changing exactly the rows it touched."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QIcon
from pytestqt.qtbot import QtBot

from fzmediate.desk.case_list import ListRow
from fzmediate.i18n import _
from fzmediate.services.case_listing import CaseFilters, CaseQuery
from tests.cases_support import intake
from tests.ui.desk_support import in_store
from tests.unit.test_desk_case_list import Seeded, seed_cases
from ui.desk.case_table_model import (
    COL_APPLICANTS,
    COL_MEDIATOR,
    COL_NEXT,
    COL_RECEIVED,
    COLUMN_COUNT,
    CaseIdRole,
    CaseTableModel,
    OverdueRole,
    RowStore,
)
from ui.desk.page import DeskEnv
from ui.ops import OpHandle

WAIT = 20_000
PAGE = 10


@pytest.fixture
def seeded(qtbot: QtBot, supervisor_env: DeskEnv) -> list[Seeded]:
    found: list[Seeded] = in_store(qtbot, supervisor_env, seed_cases)
    return found


@pytest.fixture
def model(qtbot: QtBot, supervisor_env: DeskEnv, seeded: list[Seeded]) -> Iterator[CaseTableModel]:
    m = CaseTableModel(supervisor_env, page_size=PAGE)
    # As the page wires it: every write's broadcast reaches the model.
    supervisor_env.ops.changed.connect(lambda changes, _initiator: m.apply_changes(changes))
    yield m
    m.deleteLater()


def show(qtbot: QtBot, model: CaseTableModel, query: CaseQuery) -> None:
    model.set_query(query)
    qtbot.waitUntil(lambda: not model.loading and model.count >= 0, timeout=WAIT)


def fetch_all(qtbot: QtBot, model: CaseTableModel) -> None:
    while model.canFetchMore(QModelIndex()):
        model.fetchMore(QModelIndex())
        qtbot.waitUntil(lambda: not model.loading, timeout=WAIT)


def ids(model: CaseTableModel) -> list[str]:
    return [model.index(r, 0).data(CaseIdRole) for r in range(model.rowCount())]


def test_passes_qt_model_checks_and_pages_to_the_end(
    qtbot: QtBot, qtmodeltester: Any, model: CaseTableModel, seeded: list[Seeded]
) -> None:
    show(qtbot, model, CaseQuery())
    assert model.rowCount() == PAGE and model.count == len(seeded)
    qtmodeltester.check(model)
    assert model.canFetchMore(QModelIndex())
    model.fetchMore(QModelIndex())
    model.fetchMore(QModelIndex())  # a second request while one is in flight is ignored
    qtbot.waitUntil(lambda: not model.loading, timeout=WAIT)
    assert model.rowCount() == 2 * PAGE
    fetch_all(qtbot, model)
    assert ids(model) == [c.id for c in reversed(seeded)]  # newest first, each once
    assert not model.canFetchMore(QModelIndex())
    qtmodeltester.check(model)
    assert model.columnCount() == COLUMN_COUNT


def test_sorting_is_done_by_the_service_and_party_columns_do_not_sort(
    qtbot: QtBot, model: CaseTableModel, seeded: list[Seeded]
) -> None:
    show(qtbot, model, CaseQuery())
    with qtbot.waitSignal(model.modelReset, timeout=WAIT):
        model.sort(COL_RECEIVED, Qt.SortOrder.AscendingOrder)
    qtbot.waitUntil(lambda: not model.loading, timeout=WAIT)
    fetch_all(qtbot, model)
    received = [model.index(r, COL_RECEIVED).data() for r in range(model.rowCount())]
    assert received == sorted(received) and len(received) == len(seeded)
    assert model.sort_column() == COL_RECEIVED
    query = model.query
    model.sort(COL_APPLICANTS, Qt.SortOrder.DescendingOrder)  # masked names: no meaningful order
    assert model.query == query and not model.loading
    assert not model.is_sortable(COL_APPLICANTS)
    assert model.headerData(COL_APPLICANTS, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole) == _(
        "This column cannot be sorted."
    )


def test_filters_and_search_select_the_rows_and_the_count(
    qtbot: QtBot, model: CaseTableModel, seeded: list[Seeded]
) -> None:
    show(qtbot, model, CaseQuery(filters=CaseFilters(overdue=True)))
    fetch_all(qtbot, model)
    assert 0 < model.rowCount() == model.count < len(seeded)
    for r in range(model.rowCount()):
        assert model.index(r, 0).data(OverdueRole) is True
        next_step = model.index(r, COL_NEXT)
        assert isinstance(next_step.data(Qt.ItemDataRole.DecorationRole), QIcon)  # an icon AND the word
        assert next_step.data().startswith(_("Overdue: {text}").format(text=""))
    show(qtbot, model, CaseQuery(text="䶮"))
    fetch_all(qtbot, model)
    assert set(ids(model)) == {c.id for c in seeded}  # every case has 张䶮 or 李䶮 as a party
    show(qtbot, model, CaseQuery(text=seeded[3].phone[-4:]))
    assert seeded[3].id in ids(model)
    # Masked: no full name of a party anywhere in what the model shows.
    applicants = [model.index(r, COL_APPLICANTS).data() for r in range(model.rowCount())]
    assert all(seeded[3].name not in text for text in applicants)


def test_an_answer_to_an_earlier_query_is_dropped(
    qtbot: QtBot, model: CaseTableModel, seeded: list[Seeded], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Cancelling comes too late for a call already running: here it never stops one, so every answer arrives.
    monkeypatch.setattr(OpHandle, "cancel", lambda self: None)
    inserted: list[int] = []
    model.rowsInserted.connect(lambda _parent, first, last: inserted.append(last - first + 1))
    model.set_query(CaseQuery())
    target = seeded[5]
    show(qtbot, model, CaseQuery(text=target.id_number[-6:]))
    qtbot.waitUntil(lambda: not supervisor_busy(model), timeout=WAIT)
    assert ids(model) == [target.id] and inserted == [1]  # the first query's page of 10 never went in
    assert model.count == 1


def supervisor_busy(model: CaseTableModel) -> bool:
    return bool(model._env.ops.busy)


def test_a_write_elsewhere_updates_exactly_its_row(
    qtbot: QtBot, supervisor_env: DeskEnv, model: CaseTableModel, seeded: list[Seeded]
) -> None:
    show(qtbot, model, CaseQuery())
    before = {r: [model.index(r, c).data() for c in range(COLUMN_COUNT)] for r in range(model.rowCount())}
    target = seeded[-2]  # unassigned, on the first page (second newest)
    row = model.row_of(target.id)
    assert row == 1 and model.index(row, COL_MEDIATOR).data() == _("Unassigned")
    changed: list[tuple[int, int]] = []
    model.dataChanged.connect(lambda a, b, _roles=(): changed.append((a.row(), b.row())))
    in_store(qtbot, supervisor_env, lambda s: s.cases.assign(target.id, "med1"))
    qtbot.waitUntil(lambda: bool(changed), timeout=WAIT)
    assert changed == [(row, row)]
    assert model.index(row, COL_MEDIATOR).data() == "med1"  # no names loaded in a bare model: the login
    for r, values in before.items():
        if r != row:
            assert [model.index(r, c).data() for c in range(COLUMN_COUNT)] == values


def test_a_row_leaving_the_filter_is_removed_and_a_new_case_appears_on_top(
    qtbot: QtBot, supervisor_env: DeskEnv, model: CaseTableModel, seeded: list[Seeded]
) -> None:
    show(qtbot, model, CaseQuery(filters=CaseFilters(mediator="")))
    unassigned = model.count
    target = model.index(1, 0).data(CaseIdRole)
    with qtbot.waitSignal(model.rowsRemoved, timeout=WAIT):
        in_store(qtbot, supervisor_env, lambda s: s.cases.assign(target, "med1"))
    assert model.row_of(target) == -1
    qtbot.waitUntil(lambda: model.count == unassigned - 1, timeout=WAIT)
    with qtbot.waitSignal(model.rowsInserted, timeout=WAIT) as inserted:
        created = in_store(
            qtbot, supervisor_env, lambda s: s.cases.create(intake(received_on="2026-11-28"), confirm_duplicate=True)
        )
    assert inserted.args[1:] == [0, 0]
    assert model.row_of(created.id) == 0
    qtbot.waitUntil(lambda: model.count == unassigned, timeout=WAIT)
    assert model.rowCount() == PAGE  # placed among the fetched rows, nothing else read


def test_fetched_rows_stay_out_of_the_cyclic_collector() -> None:
    """Rows are kept as exact tuples, which the collector untracks: 100,000 of them add nothing to its passes."""
    store = RowStore()
    row = ListRow("id", "坪山调〔2026〕1号", "mediation", "行政调解", "PS-TJ-007", "物业", "registered", "已登记",
                  date(2026, 11, 1), ("王某",), ("张某",), "med1", date(2026, 11, 20), "acceptance", "受理期限",
                  False, 1)  # fmt: skip
    store.extend([row])
    gc.collect()
    gc.collect()
    assert store[0] == row and isinstance(store[0], ListRow)
    assert not gc.is_tracked(next(iter(store._items)))
