"""The desk by keyboard alone: act shortcuts (the same keys in every language, clashing with nothing), a refusal
said in the status bar, the shortcuts help (F1), every control reached by Tab, Enter on a list row opens the case."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QHeaderView,
    QLineEdit,
    QMenu,
    QPlainTextEdit,
    QTabBar,
    QTableView,
    QTextEdit,
    QToolBar,
    QWidget,
)
from pytestqt.qtbot import QtBot

from fzmediate.i18n import _
from tests.ui.desk_support import WAIT_MS
from tests.ui.fit import clipped_texts, text_size
from tests.ui.test_case_page import new_case, unnamed
from tests.ui.window_support import case_tab, shown_window
from ui.desk.case_view.case_page import CasePage
from ui.desk.case_view.shortcuts import ACT_SHORTCUTS, native, refusal, shortcut_for
from ui.desk.main_window import CASES, TODAY, MainWindow
from ui.desk.page import DeskEnv
from ui.desk.shortcuts_dialog import ShortcutsDialog
from ui.desk.today_page import TodayPage

SHOTS = Path("/tmp/shots/keyboard")
DOCS = Path(__file__).resolve().parents[2] / "docs" / "case-actions.md"
#: Standard keys of the platform schemes other than this test's (qplatformtheme.cpp), and input methods' keys.
OTHER_SCHEMES = {
    "Ctrl+Shift+A",  # Deselect (X11)
    "Ctrl+Shift+F",  # FullScreen (KDE); 简繁 switch of Microsoft Pinyin and Sogou
    "Ctrl+Shift+S",  # SaveAs
    "Ctrl+Shift+Z",  # Redo
    "Ctrl+Shift+G",  # FindPrevious
    "Ctrl+Shift+W",  # Close (some desktops)
    "Ctrl+Shift+Tab",  # PreviousChild
}
INTERACTIVE = (QAbstractButton, QLineEdit, QComboBox, QAbstractItemView, QAbstractSpinBox, QTextEdit, QPlainTextEdit)


@pytest.fixture
def window(qtbot: QtBot, desk_env: DeskEnv) -> Iterator[MainWindow]:
    win = shown_window(qtbot, desk_env, activate=True)
    yield win
    win.close_quietly()


def press(qtbot: QtBot, window: MainWindow, keys: str) -> None:
    """Press ``keys`` where the focus is (as the user does), shortcuts first."""
    combo = QKeySequence(keys)[0]  # type: ignore[index]
    target = QApplication.focusWidget() or window
    QTest.keyClick(target, combo.key(), combo.keyboardModifiers())


# --- the table of keys -------------------------------------------------------------------------------
def test_act_keys_are_real_acts_and_clash_with_nothing(app: QApplication) -> None:
    documented = set(re.findall(r"^### `(\w+)`", DOCS.read_text(encoding="utf-8"), re.MULTILINE))
    keys = [s.keys for s in ACT_SHORTCUTS]
    assert len(set(keys)) == len(keys)
    taken = set(OTHER_SCHEMES) | {"Ctrl+L", "Ctrl+Q", "Ctrl+N", "Ctrl+F", "F1", "F5", "Ctrl+Return"}
    for standard in QKeySequence.StandardKey:
        taken |= {k.toString() for k in QKeySequence.keyBindings(standard)}
    for entry in ACT_SHORTCUTS:
        assert entry.keys not in taken, entry
        assert QKeySequence(entry.keys).toString() == entry.keys  # portable text Qt reads back the same
        assert set(entry.actions) <= documented, entry.actions
    assert shortcut_for("hold_hearing") is shortcut_for("hold_session") is not None
    assert shortcut_for("archive") is None


def test_window_keys_do_not_clash_with_act_keys(window: MainWindow) -> None:
    from PySide6.QtGui import QAction

    bound = [a.shortcut().toString() for a in window.findChildren(QAction) if not a.shortcut().isEmpty()]
    assert len(set(bound)) == len(bound)
    assert not set(bound) & {s.keys for s in ACT_SHORTCUTS}
    assert window.shortcuts_action.shortcut().matches(QKeySequence("F1")) == QKeySequence.SequenceMatch.ExactMatch


# --- acts by keyboard -----------------------------------------------------------------------------------
def test_an_act_key_opens_the_act_and_a_disabled_one_says_why(
    qtbot: QtBot, window: MainWindow, desk_env: DeskEnv
) -> None:
    page = case_tab(qtbot, window, new_case(qtbot, desk_env))
    screen = page.case_screen
    assert screen is not None
    accept = page.acts_panel.buttons["accept"]
    assert accept.isEnabled() and native("Ctrl+Shift+E") in accept.toolTip()
    hold = screen.act("hold_session")
    button = page.acts_panel.buttons["hold_session"]
    assert not hold.allowed and button.toolTip().startswith("\n".join(hold.reasons))
    assert native("Ctrl+Shift+H") in button.toolTip()
    assert button.accessibleDescription() == "\n".join(hold.reasons)

    page.acts_panel.buttons["accept"].setFocus()
    press(qtbot, window, "Ctrl+Shift+H")  # not allowed now: nothing opens, the status bar says why
    assert page.dialog is None
    assert window.statusBar().currentMessage() == refusal(hold) == page.act_keys.last_message
    assert all(reason in refusal(hold) for reason in hold.reasons)

    window.nav.setFocus()  # anywhere in the window, not only on the acts
    press(qtbot, window, "Ctrl+Shift+E")
    qtbot.waitUntil(lambda: page.dialog is not None and page.dialog.isVisible(), timeout=WAIT_MS)
    assert page.dialog is not None and page.dialog.form.action == "accept"
    press(qtbot, window, "Ctrl+Shift+E")  # in the dialog: another window, the key does nothing more
    opened = page.dialog
    opened.done(0)

    window.show_page(TODAY)  # the case is hidden: its keys sleep
    window.nav.setFocus()
    press(qtbot, window, "Ctrl+Shift+E")
    assert page.dialog is None


def test_a_key_of_another_procedure_says_so(qtbot: QtBot, window: MainWindow, desk_env: DeskEnv) -> None:
    page = case_tab(qtbot, window, new_case(qtbot, desk_env))
    screen = page.case_screen
    assert screen is not None
    # An adjudication has hold_hearing where a mediation has hold_session; this mediation has both keys' acts.
    hearing = next(s for s in ACT_SHORTCUTS if "hold_hearing" in s.actions)
    assert page.act_keys.act_of(hearing) is screen.act("hold_session")
    page.act_keys._acts = lambda: tuple(a for a in screen.acts if a.action != "follow_up")
    follow = shortcut_for("follow_up")
    assert follow is not None
    page.act_keys.trigger(follow)
    assert page.dialog is None and native(follow.keys) in window.statusBar().currentMessage()


# --- help ---------------------------------------------------------------------------------------------
def test_f1_lists_every_shortcut_in_the_current_language(qtbot: QtBot, window: MainWindow, app: QApplication) -> None:
    last = window.menuBar().actions()[-1]
    help_menu = last.menu()
    assert last.text() == _("Help") and isinstance(help_menu, QMenu)
    assert window.shortcuts_action in help_menu.actions()
    window.nav.setFocus()
    press(qtbot, window, "F1")
    dialog = next(d for d in window.findChildren(ShortcutsDialog) if d.isVisible())
    rows = dict(dialog.rows())
    for entry in ACT_SHORTCUTS:
        assert rows[native(entry.keys)] == _(entry.description)
    assert rows[window.lock_action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)] == _("Lock")
    assert rows[native("Ctrl+N")] == _("New case")
    assert rows[native("Alt+1")] == window.nav.item(0).text()
    assert rows[native("F1")] == _("Keyboard shortcuts")
    assert rows[native("Ctrl+Return")] == _("Apply the act") and rows["F5"] == _("Read the case again")
    dialog.close()
    for percent in (100, 175):
        with text_size(app, percent):
            help_window = window.show_shortcuts()
            qtbot.waitExposed(help_window)
            assert clipped_texts(help_window) == [] and unnamed(help_window) == [], percent
            SHOTS.mkdir(parents=True, exist_ok=True)
            help_window.grab().save(str(SHOTS / "help-{0}.png".format(percent)))
            help_window.close()


# --- full keyboard operation --------------------------------------------------------------------------
def _part_of_another(w: QWidget) -> bool:
    """Qt's inner parts of a control that is itself reached (and their mouse-only helpers)."""
    parent = w.parentWidget()
    if isinstance(parent, (QAbstractSpinBox, QComboBox, QTabBar, QLineEdit, QToolBar)):
        return True  # spin box editor, tab close/scroll buttons, clear button, tool bar overflow
    if isinstance(w, QHeaderView):
        return True  # part of its table (Qt gives headers no keyboard use: sorting stays a mouse extra)
    return isinstance(w, QAbstractButton) and isinstance(parent, QTableView)  # the corner button


def interactive(root: QWidget) -> list[QWidget]:
    return [
        w
        for w in root.findChildren(QWidget)
        if isinstance(w, INTERACTIVE) and w.isVisible() and w.isEnabled() and not _part_of_another(w)
    ]


def tab_through(qtbot: QtBot, window: MainWindow, limit: int = 400) -> set[QWidget]:
    """Press Tab until the focus comes back where it started: every widget that had the focus."""
    window.nav.setFocus()
    start = QApplication.focusWidget()
    assert start is window.nav
    seen: set[QWidget] = set()
    for _i in range(limit):
        current = QApplication.focusWidget()
        assert current is not None
        QTest.keyClick(current, Qt.Key.Key_Tab)
        now = QApplication.focusWidget()
        if now is None or now is start:
            return seen
        seen.add(now)
    trapped = QApplication.focusWidget()
    raise AssertionError(
        "Tab never leaves {0} {1!r}".format(type(trapped).__name__, getattr(trapped, "accessibleName", str)())
    )


def not_reached(qtbot: QtBot, window: MainWindow, root: QWidget) -> list[str]:
    reached = tab_through(qtbot, window)
    return [
        "{0} {1!r} {2}".format(type(w).__name__, w.accessibleName(), w.objectName())
        for w in interactive(root)
        if w not in reached
    ]


def test_every_control_is_reached_by_tab(qtbot: QtBot, window: MainWindow, desk_env: DeskEnv) -> None:
    case_id = new_case(qtbot, desk_env)
    window.show_page(TODAY)
    today = window.pages[TODAY]
    assert isinstance(today, TodayPage)
    qtbot.waitUntil(lambda: not today.loading, timeout=WAIT_MS)
    qtbot.wait(100)
    assert not_reached(qtbot, window, today) == []

    window.show_page(CASES)
    assert window.case_tabs is not None
    window.case_tabs.setCurrentIndex(0)
    qtbot.waitUntil(lambda: window.case_list.model.rowCount() == 1, timeout=WAIT_MS)
    assert not_reached(qtbot, window, window.case_list) == []

    page = case_tab(qtbot, window, case_id)
    page.acts_panel.show_reasons.setChecked(True)
    for index in range(page.tabs.count()):
        page.tabs.setCurrentIndex(index)
        qtbot.wait(50)
        assert not_reached(qtbot, window, page) == [], page.tabs.tabText(index)


def test_enter_on_a_list_row_opens_the_case(qtbot: QtBot, window: MainWindow, desk_env: DeskEnv) -> None:
    case_id = new_case(qtbot, desk_env)
    window.nav.setFocus()
    press(qtbot, window, "Ctrl+F")  # find: the search field of the list
    assert QApplication.focusWidget() is window.case_list.search
    qtbot.waitUntil(lambda: window.case_list.model.rowCount() == 1, timeout=WAIT_MS)
    QTest.keyClick(window.case_list.search, Qt.Key.Key_Down)  # into the list, first row selected
    assert QApplication.focusWidget() is window.case_list.table
    QTest.keyClick(window.case_list.table, Qt.Key.Key_Return)
    assert window.case_tabs is not None
    opened = window.case_tabs.currentWidget()
    assert isinstance(opened, CasePage) and opened.case_id == case_id
