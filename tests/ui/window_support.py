"""The desk's main window in tests: shown at a desk-sized geometry, and a case opened in its own tab."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from tests.ui.desk_support import WAIT_MS
from ui.desk.case_view.case_page import CasePage
from ui.desk.main_window import MainWindow
from ui.desk.page import DeskEnv


def shown_window(qtbot: QtBot, env: DeskEnv, *, height: int = 860, activate: bool = False) -> MainWindow:
    """The signed-in user's main window, shown and exposed (the caller ends it with ``close_quietly()``);
    ``activate`` when key presses must reach it."""
    win = MainWindow(env.actor, env.context, settings=env.settings)
    qtbot.addWidget(win)
    win.resize(1280, height)
    win.show()
    if activate:
        win.activateWindow()
    qtbot.waitExposed(win)
    return win


def case_tab(qtbot: QtBot, window: MainWindow, case_id: str) -> CasePage:
    """Open ``case_id`` in ``window`` and wait until its page has loaded the case."""
    window.open_case(case_id)
    assert window.case_tabs is not None
    page = window.case_tabs.currentWidget()
    assert isinstance(page, CasePage)
    qtbot.waitUntil(lambda: page.case_screen is not None, timeout=WAIT_MS)
    return page
