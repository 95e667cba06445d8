"""The kiosk window on a real kiosk store (set up from a real desk's exported office key, fast KDF), with the
platform voice replaced — the one boundary the kiosk tests fake — and time moved by hand.

Import the fixtures into a test module with ``from tests.ui.kiosk_fixtures import *  # noqa: F403``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from fzmediate.i18n import set_locale
from fzmediate.kiosk.printouts import KioskPrinter
from fzmediate.services.kiosk import KioskDevice
from tests.kiosk_support import make_desk, make_kiosk
from tests.support import KIOSK_PW, FakeClock
from tests.ui.conftest import MonoClock
from ui.app import prepare_application
from ui.kiosk.look import apply_kiosk_look
from ui.kiosk.shell import KioskOptions, KioskShell
from ui.ops import Ops

IDLE_SECONDS = 120
WARNING_SECONDS = 30
TICK_MS = 20


class FakeVoice:
    """The platform voice: which languages it has, and what it was asked to say."""

    def __init__(self, languages: frozenset[str] = frozenset({"zh", "en"})) -> None:
        self.available = languages
        self.said: list[tuple[str, str]] = []
        self.stopped = 0

    def languages(self) -> frozenset[str]:
        return self.available

    def speak(self, text: str, language: str) -> None:
        self.said.append((text, language))

    def stop(self) -> None:
        self.stopped += 1


@pytest.fixture(scope="module")
def kiosk_device(tmp_path_factory: pytest.TempPathFactory) -> KioskDevice:
    root = tmp_path_factory.mktemp("kiosk")
    clock = FakeClock()
    desk = make_desk(root, clock)
    return make_kiosk(root, clock, desk)


@pytest.fixture
def voice() -> FakeVoice:
    return FakeVoice()


def build_shell(
    device: KioskDevice, ops: Ops, mono: MonoClock, voice: FakeVoice, printer: KioskPrinter | None = None
) -> KioskShell:
    options = KioskOptions(
        locale="zh_CN",
        printer=printer or KioskPrinter(name="fz-pdf", server=str(Path("/nonexistent") / "cups.sock")),
        idle_seconds=IDLE_SECONDS,
        warning_seconds=WARNING_SECONDS,
        tick_ms=TICK_MS,
        clock=mono,
        voice=voice,
    )
    return KioskShell(device, ops, options)


def open_shell(qtbot: QtBot, shell: KioskShell, size: tuple[int, int] = (1920, 1080)) -> KioskShell:
    """Show the window at ``size`` and let staff open it with the kiosk password."""
    qtbot.addWidget(shell)
    shell.resize(*size)
    shell.show()
    shell.unlock_screen.password.setText(KIOSK_PW)
    with qtbot.waitSignal(shell.ready, timeout=20_000):
        shell.unlock_screen.submit()
    return shell


def close_shell(shell: KioskShell) -> None:
    """Lock the store so the next test can open it (the store directory is locked while open)."""
    shell.timer.stop()
    env, shell.env = shell.env, None
    if env is not None:
        env.service.lock()
    shell._leaving = True
    shell.close()
    set_locale("zh_CN")
    app = QApplication.instance()
    if isinstance(app, QApplication):
        prepare_application(app, "zh_CN")  # the desk's look again, for the tests that follow


@pytest.fixture
def kiosk(
    qtbot: QtBot, app: QApplication, kiosk_device: KioskDevice, ops: Ops, mono: MonoClock, voice: FakeVoice
) -> Iterator[KioskShell]:
    set_locale("zh_CN")
    apply_kiosk_look(app, "zh_CN")
    shell = open_shell(qtbot, build_shell(kiosk_device, ops, mono, voice))
    yield shell
    qtbot.waitUntil(lambda: not ops.busy, timeout=20_000)
    close_shell(shell)


def visible_screen(shell: KioskShell) -> QWidget | None:
    return shell.stack.currentWidget()
