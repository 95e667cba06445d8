"""The Today page on a real store: sections, opening a case, refreshing after a write, fit and names."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QApplication, QLineEdit, QListWidget
from pytestqt.qtbot import QtBot

from fzmediate.desk.today import SectionKind
from fzmediate.i18n import _
from tests.documents import case_lifecycles as life
from tests.ui.desk_support import WAIT_MS, in_store
from tests.ui.fit import clipped_texts, text_size
from ui.desk.page import DeskEnv
from ui.desk.today_page import CASE_ID_ROLE, TodayPage


def _register(session: Any) -> str:
    return str(session.cases.create(life.mediation_intake("2026-11-27"), confirm_duplicate=True).id)


def _page(qtbot: QtBot, env: DeskEnv) -> TodayPage:
    page = TodayPage(env)
    qtbot.addWidget(page)
    page.resize(900, 700)
    page.show()
    page.activated()
    qtbot.waitUntil(lambda: page.view is not None and not page.loading, timeout=WAIT_MS)
    return page


def _card(page: TodayPage, kind: SectionKind) -> Any:
    return next(c for c in page.cards() if c.section.kind is kind)


def test_sections_open_a_case_and_refresh_after_a_write(qtbot: QtBot, desk_env: DeskEnv) -> None:
    case_id = in_store(qtbot, desk_env, _register)
    page = _page(qtbot, desk_env)
    assert page.page_title() == _("Today")
    kinds = [c.section.kind for c in page.cards()]
    assert SectionKind.MY_CASES in kinds and SectionKind.SESSIONS_TODAY in kinds
    assert SectionKind.WAITING_FOR_ME not in kinds  # a mediator
    mine = _card(page, SectionKind.MY_CASES)
    assert mine.list is not None and mine.list.count() == 1
    row = mine.list.item(0)
    assert row.data(CASE_ID_ROLE) == case_id and "王某" in row.text() and "王𠮷" not in row.text()
    with qtbot.waitSignal(page.open_case_requested, timeout=WAIT_MS) as opened:
        mine.list.setCurrentRow(0)
        mine.list.itemActivated.emit(row)
    assert opened.args == [case_id]
    with qtbot.waitSignal(page.open_case_requested, timeout=WAIT_MS) as opened:
        next(b for b in mine.findChildren(QAbstractButton)).click()
    assert opened.args == [case_id]
    empty = _card(page, SectionKind.SESSIONS_TODAY)
    assert empty.list is None and _("No sessions planned for today.") in [
        w.text() for w in empty.findChildren(type(page.status))
    ]

    # A write elsewhere (accepting the case) reaches the page through Ops.changed → on_changed.
    desk_env.ops.changed.connect(page.on_changed)
    before = page.view
    in_store(qtbot, desk_env, lambda s: life.step(s, case_id, "accept", "2026-11-27"))
    qtbot.waitUntil(lambda: page.view is not before and not page.loading, timeout=WAIT_MS)
    assert page.view is not None
    [item] = page.view.section(SectionKind.MY_CASES).items  # type: ignore[union-attr]
    assert item.step != before.section(SectionKind.MY_CASES).items[0].step  # type: ignore[union-attr]


def test_no_clipped_text_and_every_control_named(qtbot: QtBot, app: QApplication, supervisor_env: DeskEnv) -> None:
    in_store(qtbot, supervisor_env, _register)
    for percent in (100, 175):
        with text_size(app, percent):
            page = _page(qtbot, supervisor_env)
            assert SectionKind.WAITING_FOR_ME in [c.section.kind for c in page.cards()]
            qtbot.wait(50)
            assert clipped_texts(page) == []
            for w in page.findChildren(QAbstractButton) + page.findChildren(QListWidget) + page.findChildren(QLineEdit):
                assert w.accessibleName(), w
            page.close()


def test_overdue_items_carry_an_icon_and_the_word(qtbot: QtBot, desk_env: DeskEnv) -> None:
    in_store(qtbot, desk_env, lambda s: s.cases.create(life.mediation_intake("2026-10-09"), confirm_duplicate=True))
    page = _page(qtbot, desk_env)
    lst = _card(page, SectionKind.MY_CASES).list
    assert lst is not None
    row = lst.item(0)
    assert not row.icon().isNull() and "⚠" in row.text()
    assert row.data(Qt.ItemDataRole.AccessibleTextRole)
