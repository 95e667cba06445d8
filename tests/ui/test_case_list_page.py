"""The case list page: search as you type in every form people use, filters, Enter opens, nothing unnamed or
cut off at 100 % and 175 % text size."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractButton, QApplication, QComboBox, QLineEdit, QTableView, QWidget
from pytestqt.qtbot import QtBot

from fzmediate.i18n import _, ngettext
from fzmediate.services.case_listing import CaseFilters
from tests.documents import case_lifecycles as life
from tests.ui.desk_support import in_store
from tests.ui.fit import clipped_texts, text_size
from tests.unit.test_desk_case_list import Seeded, seed_cases
from ui.desk.case_list_page import CaseListPage
from ui.desk.case_table_model import COL_APPLICANTS, COL_MEDIATOR, COL_NUMBER, COL_RECEIVED, CaseIdRole
from ui.desk.page import DeskEnv

WAIT = 20_000
SHOTS = os.environ.get("FZ_SHOTS", "")  # a directory: save screenshots there (looked at by hand)


@pytest.fixture
def seeded(qtbot: QtBot, supervisor_env: DeskEnv) -> list[Seeded]:
    found: list[Seeded] = in_store(qtbot, supervisor_env, seed_cases)
    return found


def build(qtbot: QtBot, env: DeskEnv) -> CaseListPage:
    page = CaseListPage(env)
    qtbot.addWidget(page)
    page.resize(1200, 760)
    page.show()
    settle(qtbot, page)
    qtbot.waitUntil(lambda: page.mediator.count() > 2, timeout=WAIT)  # the filter choices arrived
    return page


def settle(qtbot: QtBot, page: CaseListPage) -> None:
    qtbot.waitUntil(
        lambda: not page._timer.isActive() and not page.model.loading and page.model.count >= 0, timeout=WAIT
    )


@pytest.fixture
def page(qtbot: QtBot, supervisor_env: DeskEnv, seeded: list[Seeded]) -> Iterator[CaseListPage]:
    yield build(qtbot, supervisor_env)


def listed(page: CaseListPage) -> list[str]:
    return [page.model.index(r, 0).data(CaseIdRole) for r in range(page.model.rowCount())]


def search(qtbot: QtBot, page: CaseListPage, text: str, *, typed: bool = False) -> list[str]:
    page.search.clear()
    if typed:  # key by key (ASCII only: keyClicks with other characters aborts the run)
        QTest.keyClicks(page.search, text)
    else:
        page.search.setText(text)
    qtbot.waitUntil(lambda: page.model.query.text == text, timeout=WAIT)
    settle(qtbot, page)
    return listed(page)


def test_each_search_form_finds_the_case(qtbot: QtBot, page: CaseListPage, seeded: list[Seeded]) -> None:
    target = seeded[11]  # 张䶮
    assert page.model.count == len(seeded)
    assert search(qtbot, page, target.number.replace("〔", "").replace("〕", "")) == [target.id]
    assert target.id in search(qtbot, page, "䶮")
    assert target.id in search(qtbot, page, "张䶮")
    assert target.id in search(qtbot, page, target.phone[-4:], typed=True)
    assert search(qtbot, page, target.id_number[-6:], typed=True) == [target.id]
    assert target.id in search(qtbot, page, str(int(target.number[-5:-1])), typed=True)  # 坪山调〔2026〕…0010号 → 10
    assert page.count_label.text() == ngettext("{count} case", "{count} cases", page.model.count).format(
        count=page.model.count
    )
    # Personal data stays masked in the list.
    shown = [page.model.index(r, COL_APPLICANTS).data() for r in range(page.model.rowCount())]
    assert all("张䶮" not in text for text in shown)


def test_nothing_found_says_so(qtbot: QtBot, page: CaseListPage) -> None:
    assert search(qtbot, page, "欧阳无此人") == []
    assert page.empty_label.isVisible()
    assert page.empty_label.text() == _(
        "No case matches the search and filters. Change the search or clear the filters."
    )
    assert page.count_label.text() == ngettext("{count} case", "{count} cases", 0).format(count=0)


def test_enter_and_double_click_open_the_case(qtbot: QtBot, page: CaseListPage, seeded: list[Seeded]) -> None:
    target = seeded[7]
    assert search(qtbot, page, target.id_number, typed=True) == [target.id]
    with qtbot.waitSignal(page.open_case_requested, timeout=WAIT) as opened:
        QTest.keyClick(page.search, Qt.Key.Key_Return)  # Enter in the search field opens the one case found
    assert opened.args == [target.id]
    page.table.setFocus()
    page.table.selectRow(0)
    with qtbot.waitSignal(page.open_case_requested, timeout=WAIT) as opened:
        QTest.keyClick(page.table, Qt.Key.Key_Return)
    assert opened.args == [target.id]
    with qtbot.waitSignal(page.open_case_requested, timeout=WAIT) as opened:
        page.table.doubleClicked.emit(page.model.index(0, 0))
    assert opened.args == [target.id]


def test_filters_narrow_the_list_and_clear(qtbot: QtBot, page: CaseListPage, seeded: list[Seeded]) -> None:
    page.overdue.setChecked(True)
    settle(qtbot, page)
    overdue = page.model.count
    assert 0 < overdue < len(seeded) and page.model.query.filters.overdue
    page.mediator.setCurrentIndex(page.mediator.findData("med1"))
    settle(qtbot, page)
    assert page.model.query.filters == CaseFilters(overdue=True, mediator="med1")
    assert {page.model.index(r, COL_MEDIATOR).data() for r in range(page.model.rowCount())} == {life.MEDIATOR_NAME}
    page.street.setCurrentIndex(page.street.findData("PS-JD-KZ"))
    page.kind.setCurrentIndex(page.kind.findData("adjudication"))
    settle(qtbot, page)
    assert page.model.query.filters.street == "PS-JD-KZ"
    page.clear_filters.click()
    settle(qtbot, page)
    assert page.model.query.filters == CaseFilters() and not page.overdue.isChecked()
    assert page.model.count == len(seeded)


def test_a_column_that_cannot_sort_keeps_the_sort(qtbot: QtBot, page: CaseListPage) -> None:
    header = page.table.horizontalHeader()
    header.setSortIndicator(COL_RECEIVED, Qt.SortOrder.AscendingOrder)
    settle(qtbot, page)
    assert page.model.sort_column() == COL_RECEIVED and not page.model.query.descending
    header.setSortIndicator(COL_APPLICANTS, Qt.SortOrder.DescendingOrder)
    assert header.sortIndicatorSection() == COL_RECEIVED
    assert header.sortIndicatorOrder() == Qt.SortOrder.AscendingOrder
    assert page.model.sort_column() == COL_RECEIVED


def unnamed(root: QWidget) -> list[str]:
    kinds = (QLineEdit, QAbstractButton, QComboBox, QTableView)
    return [type(w).__name__ for w in root.findChildren(QWidget) if isinstance(w, kinds) and not w.accessibleName()]


@pytest.mark.parametrize("percent", [100, 175])
def test_every_control_is_named_and_no_text_is_cut_off(
    qtbot: QtBot, app: QApplication, supervisor_env: DeskEnv, seeded: list[Seeded], percent: int
) -> None:
    with text_size(app, percent):
        page = build(qtbot, supervisor_env)
        page.overdue.setChecked(True)
        settle(qtbot, page)
        assert unnamed(page) == []
        assert clipped_texts(page) == []
        search(qtbot, page, "欧阳无此人")  # the empty state's words too
        assert clipped_texts(page) == []
        page.search.clear()
        settle(qtbot, page)
        if SHOTS:
            page.grab().save(os.path.join(SHOTS, "case_list_{0}.png".format(percent)))


def test_sorting_from_the_keyboard_follows_and_moves_the_header(qtbot: QtBot, desk_env: DeskEnv) -> None:
    page = CaseListPage(desk_env)
    qtbot.addWidget(page)
    page.show()
    header = page.table.horizontalHeader()
    received = next(i for i in range(page.sort_by.count()) if page.sort_by.itemData(i) == (COL_RECEIVED, False))
    page.sort_by.setCurrentIndex(received)
    assert header.sortIndicatorSection() == COL_RECEIVED
    assert header.sortIndicatorOrder() == Qt.SortOrder.AscendingOrder
    qtbot.waitUntil(lambda: page.model.sort_column() == COL_RECEIVED, timeout=WAIT)
    header.setSortIndicator(COL_NUMBER, Qt.SortOrder.DescendingOrder)  # a click on the header
    qtbot.waitUntil(lambda: tuple(page.sort_by.currentData()) == (COL_NUMBER, True), timeout=WAIT)
