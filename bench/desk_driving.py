"""Driving the desk's real windows for the benchmarks, light to import: the memory probe runs in a fresh GUI
process that must load only what the desk itself loads (bench_desk imports SQLAlchemy to seed the store)."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from ui.pyside_compat import pin_singletons

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication

    from ui.desk.main_window import MainWindow
    from ui.desk.shell import DeskShell

#: How long the user types the password; how long any step may take.
TYPING_PAUSE_S = 2.0
WAIT_S = 120.0
#: Who unlocks (the seeded store's mediator).
MEDIATOR = ("med1", "Quiet-River-Basket-92")


def _wait(app: QApplication, done: Callable[[], bool], timeout: float = WAIT_S) -> None:
    from PySide6.QtCore import QThread

    deadline = time.monotonic() + timeout
    while not done():
        if time.monotonic() > deadline:
            raise TimeoutError("the desk did not get there in time")
        app.processEvents()
        QThread.usleep(200)


def _pause(app: QApplication, seconds: float) -> None:
    end = time.monotonic() + seconds
    _wait(app, lambda: time.monotonic() >= end)


def _rss_mb(pid: int) -> float:
    for line in Path("/proc/{0}/status".format(pid)).read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _unlock(app: QApplication, shell: DeskShell, first: bool) -> tuple[MainWindow, float, float, float]:
    """Press Unlock; ms to the window, to Today's sections shown, and to the list's first page."""
    from ui.desk.main_window import TODAY
    from ui.desk.today_page import TodayPage

    if first:
        shell.start()
    else:
        shell.show_unlock()
    _pause(app, TYPING_PAUSE_S)  # the user types; the store process starts meanwhile
    screen = shell.gate.unlock_screen
    screen.login.edit.setText(MEDIATOR[0])
    screen.password.edit.setText(MEDIATOR[1])
    marks: dict[str, float] = {}
    t0 = time.perf_counter()
    screen.submit()

    def progressed() -> bool:
        window = shell.main_window
        if window is None or not window.isVisible():
            return False
        marks.setdefault("window", time.perf_counter())
        today = window.pages[TODAY]
        assert isinstance(today, TodayPage)
        if today.view is not None and not today.loading and today.cards():
            marks.setdefault("today", time.perf_counter())
        if window.case_list.model.rowCount() > 0:
            marks.setdefault("list", time.perf_counter())
        return len(marks) == 3

    _wait(app, progressed)
    window = shell.main_window
    assert window is not None
    return window, *((marks[k] - t0) * 1000.0 for k in ("window", "today", "list"))  # type: ignore[return-value]


def _show_all(app: QApplication, window: MainWindow) -> None:
    """The list page with an empty search: every case, newest first."""
    from ui.desk.main_window import CASES

    window.show_page(CASES)
    tabs = window.case_tabs
    assert tabs is not None
    tabs.setCurrentIndex(0)
    window.case_list.search.setText("")
    model = window.case_list.model
    _wait(app, lambda: not model.loading and model.query.text == "" and model.rowCount() > 0)


def _fetch_all(app: QApplication, window: MainWindow) -> float:
    _show_all(app, window)
    model = window.case_list.model
    t0 = time.perf_counter()
    while model.canFetchMore():
        model.fetchMore()
        _wait(app, lambda: not model.loading)
    return (time.perf_counter() - t0) * 1000.0


RSS_PROBE = "from bench.desk_driving import rss_probe; rss_probe()"


def rss_probe() -> None:
    """In a fresh GUI process (argv: data dir) that never opens the store itself, as the desk runs: unlock in
    the store process, fetch every row of the list, print the RSS of both processes (MB) as JSON."""
    import json

    from PySide6.QtWidgets import QApplication

    from fzmediate.security.keyslots import DEFAULT_KDF
    from fzmediate.services.workspace import Workspace
    from fzmediate.settings import Settings
    from ui.app import prepare_application
    from ui.desk.shell import DeskShell
    from ui.ops import Ops

    pin_singletons()
    app = QApplication(["bench"])
    prepare_application(app, "en")
    ops = Ops()
    shell = DeskShell(
        Workspace(Path(sys.argv[1]), kdf=DEFAULT_KDF), ops, Settings(idle_lock_seconds=3600), freeze_heap=True
    )
    try:
        window = _unlock(app, shell, True)[0]
        pid = getattr(shell.context, "pid", None)
        assert pid is not None
        before = (_rss_mb(os.getpid()), _rss_mb(pid))
        _fetch_all(app, window)
        after = (_rss_mb(os.getpid()), _rss_mb(pid))
        print(json.dumps({"before": before, "after": after, "rows": window.case_list.model.rowCount()}))
    finally:
        shell.shutdown()
        ops.shutdown()
