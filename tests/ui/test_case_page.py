"""The case page on a real store: header, timeline, acts enabled as the engine allows (reasons on disabled ones),
parties masked until asked, planned sessions, no clipped text, every control named."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QHeaderView,
    QLineEdit,
    QPlainTextEdit,
    QTabBar,
    QWidget,
)
from pytestqt.qtbot import QtBot

from fzmediate.i18n import _
from fzmediate.security.permissions import act_decisions
from tests.documents.case_lifecycles import APPLICANT, mediation_intake
from tests.ui.desk_support import WAIT_MS, in_store
from tests.ui.fit import clipped_texts, text_size
from ui.desk.case_view.case_page import SESSIONS, CasePage
from ui.desk.case_view.shortcuts import tooltip
from ui.desk.page import DeskEnv


def new_case(qtbot: QtBot, env: DeskEnv) -> str:
    summary = in_store(qtbot, env, lambda s: s.cases.create(mediation_intake("2026-11-24"), confirm_duplicate=True))
    return str(summary.id)


def open_page(qtbot: QtBot, env: DeskEnv, case_id: str) -> CasePage:
    page = CasePage(env, case_id)
    qtbot.addWidget(page)
    env.ops.changed.connect(page.on_changed)
    page.resize(1100, 760)
    page.show()
    qtbot.waitUntil(lambda: page.case_screen is not None, timeout=WAIT_MS)
    return page


def reloaded(qtbot: QtBot, page: CasePage, check: Any) -> None:
    qtbot.waitUntil(lambda: page.case_screen is not None and bool(check(page.case_screen)), timeout=WAIT_MS)


def unnamed(root: QWidget) -> list[str]:
    kinds = (QAbstractButton, QLineEdit, QPlainTextEdit, QComboBox, QAbstractSpinBox, QAbstractItemView)
    out = []
    for w in root.findChildren(QWidget):
        if not isinstance(w, kinds) or not w.isVisible():
            continue
        parent = w.parentWidget()
        if isinstance(w, QHeaderView) or isinstance(parent, (QAbstractSpinBox, QComboBox, QTabBar)):
            continue  # a part of a named control
        if not w.accessibleName():
            out.append("{0} {1!r}".format(type(w).__name__, getattr(w, "text", lambda: "")()))
    return out


def test_fresh_case_shows_what_the_engine_allows(qtbot: QtBot, desk_env: DeskEnv) -> None:
    case_id = new_case(qtbot, desk_env)
    titles: list[str] = []
    page = CasePage(desk_env, case_id)
    qtbot.addWidget(page)
    page.title_changed.connect(titles.append)
    page.show()
    qtbot.waitUntil(lambda: bool(titles), timeout=WAIT_MS)
    screen = page.case_screen
    assert screen is not None and titles == [screen.number] and page.page_title() == screen.number
    assert screen.number in page.title.text() and screen.state_label in page.subtitle.text()

    accept = page.acts_panel.buttons["accept"]
    assert accept.isEnabled() and accept.toolTip() == tooltip(screen.act("accept"))  # its shortcut only
    hold = page.acts_panel.buttons["hold_session"]
    reasons = in_store(qtbot, desk_env, lambda s: act_decisions(s, case_id)["hold_session"].reasons)
    assert not hold.isEnabled() and reasons
    assert hold.toolTip().startswith("\n".join(reasons)) and hold.accessibleDescription() == "\n".join(reasons)
    page.acts_panel.show_reasons.setChecked(True)
    assert reasons[0] in page.acts_panel.reason_labels["hold_session"].text()

    assert page.timeline.rows(page.timeline.done)[0].startswith("✓")
    assert any(accept.text() in r for r in page.timeline.rows(page.timeline.next))


def test_accept_through_the_dialog_reloads_the_page(qtbot: QtBot, desk_env: DeskEnv) -> None:
    page = open_page(qtbot, desk_env, new_case(qtbot, desk_env))
    page.acts_panel.buttons["accept"].click()
    dialog = page.dialog
    assert dialog is not None and dialog.isVisible()
    dialog.editors["note"].input.setText("材料齐全")  # type: ignore[attr-defined]
    dialog.apply_button.click()
    reloaded(qtbot, page, lambda s: s.version == 2)
    assert not dialog.isVisible()
    assert not page.acts_panel.buttons["accept"].isEnabled()  # once per case
    assert any("材料齐全" in e.summary for e in page.case_screen.timeline)  # type: ignore[union-attr]
    assert page.acts_panel.buttons["record_consent"].isEnabled()


def test_parties_masked_until_shown(qtbot: QtBot, desk_env: DeskEnv) -> None:
    page = open_page(qtbot, desk_env, new_case(qtbot, desk_env))
    panel = page.parties
    assert APPLICANT not in panel.names() and any(n.startswith("王某") for n in panel.names())
    panel.toggle.click()
    qtbot.waitUntil(lambda: panel.revealed, timeout=WAIT_MS)
    assert APPLICANT in panel.names() and panel.toggle.text() == _("Hide personal data")
    panel.toggle.click()
    assert APPLICANT not in panel.names() and not panel.revealed


def test_planning_a_session_shows_it(qtbot: QtBot, desk_env: DeskEnv) -> None:
    page = open_page(qtbot, desk_env, new_case(qtbot, desk_env))
    page.show_tab(SESSIONS)
    dialog = page.sessions.open_plan()
    dialog.place.setText("坪山街道人民调解室")
    dialog.submit()
    reloaded(qtbot, page, lambda s: len(s.sessions) == 1)
    assert page.sessions.table.rowCount() == 1
    item = page.sessions.table.item(0, 2)
    assert item is not None and item.text() == "坪山街道人民调解室"
    page.sessions.table.selectRow(0)
    assert page.sessions.cancel_button.isEnabled()
    cancel = page.sessions.open_cancel()
    assert cancel is not None
    cancel.submit()  # no reason: refused beside the field
    qtbot.waitUntil(lambda: bool(cancel.error.text()), timeout=WAIT_MS)
    cancel.reason.setText("当事人请求改期")
    cancel.submit()
    reloaded(qtbot, page, lambda s: s.sessions[0].cancelled)


def test_no_clipped_text_and_every_control_named(qtbot: QtBot, desk_env: DeskEnv, app: QApplication) -> None:
    case_id = new_case(qtbot, desk_env)
    for percent in (100, 175):
        with text_size(app, percent):
            page = open_page(qtbot, desk_env, case_id)
            page.acts_panel.show_reasons.setChecked(True)
            for index in range(page.tabs.count()):
                page.tabs.setCurrentIndex(index)
                qtbot.wait(50)
                assert clipped_texts(page) == [], (percent, index)
                assert unnamed(page) == [], (percent, index)
            page.close()
