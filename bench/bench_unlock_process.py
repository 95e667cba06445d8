"""Unlock with the store in its worker process vs in-thread: press Unlock → main window shown (and → its first
page loads answered), production KDF, the desk shell offscreen. Target elsewhere: unlock to a usable Today
view ≤ 1.5 s median; the process start must add no visible delay (it is started while the unlock screen shows).

Both modes run in the same process, alternately, on the same store; each cycle shows the unlock screen, waits
a typing pause (the worker process warms meanwhile), presses Unlock, waits, then locks. The first cycle of each
mode warms caches and is not counted.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from bench.common import header, median

if TYPE_CHECKING:
    from ui.desk.shell import DeskShell
    from ui.ops import Ops

RUNS = 7
TYPING_PAUSE_S = 2.0
LOGIN, PASSWORD = "admin", "Granite-Orchid-Lantern-58"


def _wait(app: object, done: Callable[[], bool], timeout: float = 60.0) -> None:
    from PySide6.QtCore import QThread
    from PySide6.QtWidgets import QApplication

    assert isinstance(app, QApplication)
    deadline = time.monotonic() + timeout
    while not done():
        if time.monotonic() > deadline:
            raise TimeoutError("the desk did not get there in time")
        app.processEvents()
        QThread.msleep(1)


def _pause(app: object, seconds: float) -> None:
    end = time.monotonic() + seconds
    _wait(app, lambda: time.monotonic() >= end)


def _window_shown(shell: DeskShell) -> bool:
    return shell.main_window is not None and shell.main_window.isVisible()


def _cycle(app: object, shell: DeskShell, ops: Ops, *, first: bool) -> tuple[float, float]:
    """One unlock as a user does it, then lock: ms to the window shown and to its first loads answered."""
    if first:
        shell.start()
    else:
        shell.show_unlock()
    _pause(app, TYPING_PAUSE_S)  # the user types; the store process warms up
    screen = shell.gate.unlock_screen
    screen.login.edit.setText(LOGIN)
    screen.password.edit.setText(PASSWORD)
    t0 = time.perf_counter()
    screen.submit()
    _wait(app, lambda: _window_shown(shell))
    t1 = time.perf_counter()
    _wait(app, lambda: not ops.busy)  # the first page's loads answered
    t2 = time.perf_counter()
    locked: list[bool] = []
    shell.locked.connect(lambda: locked.append(True))
    shell.lock()
    _wait(app, lambda: bool(locked))
    shell.locked.disconnect()
    shell.gate.hide()
    return (t1 - t0) * 1000.0, (t2 - t0) * 1000.0


def run() -> str:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from fzmediate.i18n import current_locale
    from fzmediate.security.keyslots import DEFAULT_KDF
    from fzmediate.services.workspace import Workspace
    from fzmediate.settings import Settings
    from ui.app import prepare_application
    from ui.desk.shell import DeskShell
    from ui.ops import Ops

    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(["bench"])
    prepare_application(app, current_locale())
    shown: dict[str, list[float]] = {"thread": [], "process": []}
    settled: dict[str, list[float]] = {"thread": [], "process": []}
    with tempfile.TemporaryDirectory() as tmp:
        ws = Workspace(Path(tmp) / "data", kdf=DEFAULT_KDF)
        ws.initialize(LOGIN, PASSWORD, unit="PS-JD-PS")
        ops = Ops()
        shells = {
            mode: DeskShell(ws, ops, Settings(idle_lock_seconds=3600), store_process=(mode == "process"))
            for mode in ("thread", "process")
        }
        try:
            for cycle in range(RUNS + 1):
                for mode, shell in shells.items():
                    window_ms, loads_ms = _cycle(app, shell, ops, first=cycle == 0)
                    if cycle > 0:
                        shown[mode].append(window_ms)
                        settled[mode].append(loads_ms)
        finally:
            for shell in shells.values():
                shell.shutdown()
            ops.shutdown()
    rows = "".join(
        "| {0} | {1:.0f} ms | {2:.0f}–{3:.0f} ms | {4:.0f} ms |\n".format(
            label, median(shown[mode]), min(shown[mode]), max(shown[mode]), median(settled[mode])
        )
        for mode, label in (("thread", "in-thread (store in the GUI process)"), ("process", "store process"))
    )
    return (
        header("Unlock with the store in a worker process (issue: key hygiene on lock)")
        + "\nArgon2id m=64 MiB t=3 p=4; desk shell offscreen; from pressing Unlock to the main window shown, and to "
        "its first page's loads answered; store process started while the unlock screen showed "
        "({0:.0f} s typing pause); both modes alternately, {1} runs each after one warm-up.\n\n".format(
            TYPING_PAUSE_S, RUNS
        )
        + "| mode | median to window | range | median to loads answered |\n|---|---|---|---|\n"
        + rows
        + "\nTarget: unlock to a usable Today view ≤ 1.5 s median.\n"
    )


if __name__ == "__main__":
    print(run())
