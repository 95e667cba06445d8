"""Every kiosk screen, at both kiosk resolutions: every control named, every touch target at least 9 mm, base
text at least 18 pt with line spacing at least 1.3, and nothing cut off at the largest text size (the desk's
clipping walker, ``tests/ui/fit.py``)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable

import pytest
from PySide6.QtWidgets import QAbstractButton, QApplication, QCheckBox, QLineEdit, QWidget
from pytestqt.qtbot import QtBot

from fzmediate.catalogue.bundle import load_shipped_bundle
from fzmediate.services.kiosk import KioskDevice
from tests.ui.conftest import MonoClock
from tests.ui.fit import clipped_texts
from tests.ui.kiosk_fixtures import *  # noqa: F403
from tests.ui.kiosk_fixtures import FakeVoice, build_shell, close_shell, open_shell
from ui.kiosk.look import BASE_POINT_SIZE, TEXT_STEPS, line_spacing_ratio, touch_px
from ui.kiosk.shell import KioskShell
from ui.ops import Ops

RESOLUTIONS = ((1920, 1080), (1280, 1024))
MATTER = "PS-TJ-007"


def screens(shell: KioskShell) -> dict[str, Callable[[], None]]:
    area = load_shipped_bundle().bundle.matters[5].area  # 房屋土地征收: a question with two answers
    return {
        "home": shell.go_home,
        "question": lambda: shell.open_area(area),
        "check": lambda: shell.question.choice_buttons[0].click() if shell.question else None,
        "guide": lambda: shell.open_guide(MATTER),
        "ask": shell.open_ask,
        "idle warning": shell.timer._warn,
        "staff": shell.ask_staff,
    }


def controls(shell: KioskShell) -> list[QWidget]:
    return [
        w
        for w in shell.findChildren(QWidget)
        if isinstance(w, (QAbstractButton, QLineEdit)) and w.isVisible() and not isinstance(w.parentWidget(), QCheckBox)
    ]


def problems(shell: KioskShell, touch: int) -> list[str]:
    found = []
    for w in controls(shell):
        what = "{0} {1!r}".format(type(w).__name__, w.accessibleName())
        if not w.accessibleName():
            found.append("unnamed " + what)
        if w.width() < touch or w.height() < touch:
            found.append("{0} is {1}×{2} px, under {3} px".format(what, w.width(), w.height(), touch))
    return found


@pytest.mark.parametrize("size", RESOLUTIONS, ids=lambda s: "{0}x{1}".format(*s))
def test_every_control_is_named_and_large_enough_on_every_screen(
    qtbot: QtBot,
    app: QApplication,
    kiosk_device: KioskDevice,
    ops: Ops,
    mono: MonoClock,
    size: tuple[int, int],
) -> None:
    shell = open_shell(qtbot, build_shell(kiosk_device, ops, mono, FakeVoice()), size)
    try:
        touch = touch_px(shell.screen())
        assert touch >= 35  # 9 mm at 96 dpi or more
        for name, show in screens(shell).items():
            show()
            qtbot.wait(20)
            assert problems(shell, touch) == [], name
            assert any(isinstance(w, QCheckBox) for w in controls(shell)) or name != "guide"
            shell.timer.more_time()
    finally:
        qtbot.waitUntil(lambda: not ops.busy, timeout=20_000)
        close_shell(shell)


@pytest.mark.parametrize("size", RESOLUTIONS, ids=lambda s: "{0}x{1}".format(*s))
def test_nothing_is_cut_off_at_the_largest_text_size(
    qtbot: QtBot,
    app: QApplication,
    kiosk_device: KioskDevice,
    ops: Ops,
    mono: MonoClock,
    size: tuple[int, int],
) -> None:
    shell = open_shell(qtbot, build_shell(kiosk_device, ops, mono, FakeVoice()), size)
    try:
        for locale in ("en", "zh_CN"):
            shell.set_language(locale)
            while shell.text_scale != TEXT_STEPS[-1]:
                shell.larger_text()
            for name, show in screens(shell).items():
                show()
                # Layouts settle over a few passes of the event loop after a font change.
                with contextlib.suppress(AssertionError):
                    qtbot.waitUntil(lambda: clipped_texts(shell) == [], timeout=3_000)
                assert clipped_texts(shell) == [], (locale, name)
                touch = touch_px(shell.screen())
                assert [p for p in problems(shell, touch) if "under" in p] == [], (locale, name)
                shell.timer.more_time()
    finally:
        qtbot.waitUntil(lambda: not ops.busy, timeout=20_000)
        close_shell(shell)


def test_base_text_is_18_pt_with_line_spacing_of_at_least_1_3(kiosk: KioskShell) -> None:
    font = QApplication.font()
    assert font.pointSizeF() >= BASE_POINT_SIZE >= 18
    assert line_spacing_ratio(font) >= 1.3
    kiosk.larger_text()
    assert QApplication.font().pointSizeF() > font.pointSizeF()
    assert line_spacing_ratio(QApplication.font()) >= 1.3
