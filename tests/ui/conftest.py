"""UI fixtures: one prepared QApplication (pytest-qt's ``qapp``), the op workers, and the desk shell on
a real temp store with a fast KDF. Time is injected: the idle lock runs on a hand-moved monotonic clock."""

from __future__ import annotations

import gc
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication

from fzmediate.services.workspace import Workspace
from fzmediate.settings import Settings
from ui.app import prepare_application
from ui.desk.page import DeskEnv
from ui.desk.shell import DeskShell
from ui.ops import Ops
from ui.pyside_compat import pin_singletons

IDLE_SECONDS = 300
TICK_MS = 20


class MonoClock:
    """A monotonic clock (seconds) the test moves by hand."""

    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t

    def advance(self, seconds: float) -> None:
        self.t += seconds


@pytest.fixture(autouse=True)
def _collect_on_the_gui_thread() -> Iterator[None]:
    """After each UI test, free its garbage cycles here, on the GUI thread. Left to the collector, a cycle that
    holds Qt objects (a session context and what hangs on it) may be freed later by whichever thread happens to
    collect — an operation worker, a test server's thread — deleting Qt objects off the GUI thread, which crashed
    a later, unrelated test."""
    yield
    gc.collect()


@pytest.fixture(scope="session")
def app(qapp: QApplication) -> QApplication:
    pin_singletons()  # the desk does it at start-up (ui/app.py); long UI runs need it as much
    prepare_application(qapp, "zh_CN")
    return qapp


@pytest.fixture
def ops(app: QApplication) -> Iterator[Ops]:
    ops = Ops()
    yield ops
    ops.shutdown()
    ops.deleteLater()


@pytest.fixture
def mono() -> MonoClock:
    return MonoClock()


@pytest.fixture
def shell(app: QApplication, workspace: Workspace, ops: Ops, mono: MonoClock) -> Iterator[DeskShell]:
    # In-thread store: fast, and lets tests look at the session; the store process has its own tests
    # (test_store_process.py, security/test_key_hygiene_process.py) and the desk flows run through it.
    shell = DeskShell(
        workspace,
        ops,
        Settings(idle_lock_seconds=IDLE_SECONDS),
        idle_clock=mono,
        idle_tick_ms=TICK_MS,
        store_process=False,
    )
    yield shell
    shell.shutdown()
    ops.shutdown()  # the queued lock runs before the workspace's temp directory goes away


@pytest.fixture
def staffed(initialized: Workspace) -> Workspace:
    """The initialized store with the test staff (med1, sup1, head1) and the street office's unit."""
    from tests.documents import case_lifecycles as life

    life.staff(initialized)
    return initialized


@pytest.fixture
def desk_env(qtbot: Any, ops: Ops, staffed: Workspace) -> Iterator[DeskEnv]:
    """The mediator (med1) signed in on a real encrypted store, as the desk's screens get it."""
    from tests.documents import case_lifecycles as life
    from tests.ui.desk_support import close, sign_in

    env = sign_in(qtbot, staffed, ops, *life.MEDIATOR)
    yield env
    close(qtbot, env)


@pytest.fixture
def supervisor_env(qtbot: Any, ops: Ops, staffed: Workspace) -> Iterator[DeskEnv]:
    """The legally qualified supervisor (sup1) signed in."""
    from tests.documents import case_lifecycles as life
    from tests.ui.desk_support import close, sign_in

    env = sign_in(qtbot, staffed, ops, *life.SUPERVISOR)
    yield env
    close(qtbot, env)
