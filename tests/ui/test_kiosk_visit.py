"""The kiosk between visitors and around staff: the idle warning and reset leave nothing of the visitor in any
widget; the language switch reaches every screen; only the staff password leaves kiosk mode."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QLineEdit
from pytestqt.qtbot import QtBot

from fzmediate.catalogue.bundle import load_shipped_bundle
from fzmediate.catalogue.localize import localized
from fzmediate.errors import LockedError
from fzmediate.i18n import _, current_locale
from tests.support import KIOSK_PW
from tests.ui.conftest import MonoClock
from tests.ui.kiosk_fixtures import *  # noqa: F403
from tests.ui.kiosk_fixtures import IDLE_SECONDS, WARNING_SECONDS, FakeVoice, visible_screen
from ui.kiosk.look import TEXT_STEPS
from ui.kiosk.shell import KioskShell

MATTER = "PS-TJ-007"


def click(qtbot: QtBot, button: QAbstractButton) -> None:
    QTest.mouseClick(button, Qt.MouseButton.LeftButton)


def every_text(shell: KioskShell) -> str:
    """Every text any widget of the window holds (shown or not)."""
    parts = [w.text() for w in shell.findChildren(QLabel)]
    parts += [w.text() for w in shell.findChildren(QLineEdit)]
    parts += [w.accessibleName() + w.accessibleDescription() for w in shell.findChildren(QAbstractButton)]
    return "\n".join(parts)


def visit(qtbot: QtBot, kiosk: KioskShell, voice: FakeVoice) -> str:
    """A visitor: a guide, ticks, read aloud (no Chinese voice), a typed staff password, a copied text, English,
    larger text, high contrast. Returns the matter's summary (what must not remain)."""
    matter = load_shipped_bundle().bundle.matter(MATTER)
    assert matter is not None and kiosk.guide is not None
    kiosk.open_guide(MATTER)
    for row in kiosk.guide.checks[:2]:
        click(qtbot, row.box)
    voice.available = frozenset()
    click(qtbot, kiosk.guide.read_bar.button)
    qtbot.waitUntil(lambda: kiosk.guide is not None and kiosk.guide.read_bar.message.isVisible(), timeout=10_000)
    QGuiApplication.clipboard().setText(matter.guide.summary)
    click(qtbot, kiosk.top_bar.language_buttons["en"])
    click(qtbot, kiosk.top_bar.larger_button)
    kiosk.larger_text()
    kiosk.set_high_contrast(True)
    assert matter.guide.summary in every_text(kiosk)
    return matter.guide.summary


def test_idle_warning_then_reset_leaves_nothing_of_the_visitor(
    qtbot: QtBot, app: QApplication, kiosk: KioskShell, mono: MonoClock, voice: FakeVoice
) -> None:
    summary = visit(qtbot, kiosk, voice)
    assert current_locale() == "en" and kiosk.text_scale == TEXT_STEPS[-1] and kiosk.high_contrast
    mono.advance(IDLE_SECONDS + 1)
    qtbot.waitUntil(lambda: kiosk.warning.isVisible(), timeout=5_000)
    assert kiosk.warning.countdown.text() == kiosk.warning.countdown.accessibleName() != ""
    assert kiosk.warning.seconds == WARNING_SECONDS
    with qtbot.waitSignal(kiosk.visit_reset, timeout=5_000):
        mono.advance(WARNING_SECONDS + 1)
    assert not kiosk.warning.isVisible() and visible_screen(kiosk) is kiosk.home
    assert summary not in every_text(kiosk)
    assert QGuiApplication.clipboard().text() == ""
    guide = kiosk.guide
    assert guide is not None and guide.checks == [] and guide.matter_code == "" and guide.title.text() == ""
    assert guide.read_bar.last is None and not guide.read_bar.message.isVisible()
    assert not guide.print_bar.message.isVisible()
    assert kiosk.question is not None and kiosk.question.area is None and kiosk.question.path == []
    assert kiosk.exit_screen.password.text() == "" and kiosk.unlock_screen.password.text() == ""
    # The next visitor gets the kiosk's defaults.
    assert current_locale() == "zh_CN" and kiosk.text_scale == TEXT_STEPS[0] and not kiosk.high_contrast
    assert voice.stopped == 0  # nothing was being read (no voice): nothing to stop


def test_more_time_keeps_the_visit(qtbot: QtBot, kiosk: KioskShell, mono: MonoClock) -> None:
    kiosk.open_guide(MATTER)
    mono.advance(IDLE_SECONDS + 1)
    qtbot.waitUntil(lambda: kiosk.warning.isVisible(), timeout=5_000)
    click(qtbot, kiosk.warning.button)
    assert not kiosk.warning.isVisible()
    mono.advance(WARNING_SECONDS + 1)
    qtbot.wait(100)
    assert visible_screen(kiosk) is kiosk.guide and kiosk.guide is not None and kiosk.guide.matter_code == MATTER


def test_the_language_switch_reaches_every_screen(qtbot: QtBot, kiosk: KioskShell) -> None:
    bundle = load_shipped_bundle().bundle
    matter = bundle.matter(MATTER)
    assert matter is not None and kiosk.home is not None and kiosk.guide is not None and kiosk.ask is not None
    screens: dict[str, Callable[[], None]] = {
        "home": lambda: kiosk.go_home(),
        "question": lambda: kiosk.open_area(matter.area),
        "guide": lambda: kiosk.open_guide(MATTER),
        "ask": lambda: kiosk.open_ask(),
        "staff": lambda: kiosk.ask_staff(),
    }
    for name, show in screens.items():
        show()
        shown = visible_screen(kiosk)
        for locale in ("en", "zh_TW", "zh_CN"):
            click(qtbot, kiosk.top_bar.language_buttons[locale])
            assert current_locale() == locale, name
            assert visible_screen(kiosk) is shown, name  # the visitor stays where they were
            assert kiosk.top_bar.home_button.text_of() == _("Home")
            assert kiosk.home.title.text() == _("What happened to you?")
            assert kiosk.home.area_buttons[0].text_of() == localized(bundle.matters[0].area, locale)
            assert kiosk.exit_screen.title.text() == _("Staff only: leave kiosk mode")
            assert kiosk.ask.title.text() == _("Not sure? Ask us — it is free")
            if name == "guide":
                assert kiosk.guide.title.text() == localized(matter.name, locale)
                assert kiosk.guide.back_button.text_of() == _("Back")
    assert localized(matter.name, "zh_TW") != matter.name  # the zh_TW step did change catalogue text


def test_leaving_kiosk_mode_needs_the_staff_password(qtbot: QtBot, kiosk: KioskShell) -> None:
    click(qtbot, kiosk.top_bar.staff_button)
    assert visible_screen(kiosk) is kiosk.exit_screen
    kiosk.close()  # Alt+F4 and the like
    assert kiosk.isVisible() and not kiosk.leaving
    kiosk.exit_screen.password.setText("not-the-password")
    click(qtbot, kiosk.exit_screen.ok_button)
    qtbot.waitUntil(lambda: kiosk.exit_screen.message.isVisible(), timeout=20_000)
    assert kiosk.isVisible() and not kiosk.leaving and kiosk.exit_screen.password.text() == ""
    click(qtbot, kiosk.exit_screen.cancel_button)
    assert visible_screen(kiosk) is kiosk.home
    env = kiosk.env
    assert env is not None
    click(qtbot, kiosk.top_bar.staff_button)
    kiosk.exit_screen.password.setText(KIOSK_PW)
    with qtbot.waitSignal(kiosk.left, timeout=20_000):
        click(qtbot, kiosk.exit_screen.ok_button)
    qtbot.waitUntil(lambda: not kiosk.isVisible(), timeout=5_000)
    qtbot.waitUntil(lambda: not kiosk.ops.busy, timeout=10_000)
    with pytest.raises(LockedError):
        _ = env.service.db


def test_a_wrong_password_at_start_opens_nothing(qtbot: QtBot, kiosk: KioskShell) -> None:
    # The open kiosk holds its store; a second window on the same directory is refused with a message.
    from tests.ui.kiosk_fixtures import build_shell

    other = build_shell(kiosk.device, kiosk.ops, MonoClock(), FakeVoice())
    qtbot.addWidget(other)
    other.show()
    other.unlock_screen.password.setText("wrong-password")
    other.unlock_screen.submit()
    qtbot.waitUntil(lambda: other.unlock_screen.message.isVisible(), timeout=20_000)
    assert other.env is None and other.home is None and visible_screen(other) is other.unlock_screen
    other._leaving = True
    other.close()
