"""Kiosk walk-throughs on a real kiosk store: self-help to a guide and print (a real, private cupsd), the escape
valve, and the guide's content from the signed catalogue."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLabel, QWidget
from pytestqt.qtbot import QtBot

from fzmediate.catalogue.bundle import load_shipped_bundle
from fzmediate.i18n import _
from fzmediate.kiosk.printouts import KioskPrinter
from fzmediate.services.kiosk import KioskDevice
from tests.cups_server import PrivateCups, pdf_queue
from tests.ui.conftest import MonoClock
from tests.ui.kiosk_fixtures import *  # noqa: F403
from tests.ui.kiosk_fixtures import FakeVoice, build_shell, close_shell, open_shell, visible_screen
from ui.kiosk.shell import KioskShell
from ui.ops import Ops

MATTER = "PS-TJ-007"  # 物业管理纠纷行政调解: the only matter of its area
AREA = "物业管理"


def click(qtbot: QtBot, button: QWidget) -> None:
    QTest.mouseClick(button, Qt.MouseButton.LeftButton)


def texts(shell: KioskShell) -> list[str]:
    return [w.text() for w in shell.findChildren(QLabel) if w.isVisible() and w.text()]


@pytest.fixture(scope="module")
def cups() -> Iterator[PrivateCups]:
    with pdf_queue() as server:
        yield server


def area_button(shell: KioskShell, key: str) -> QWidget:
    assert shell.home is not None
    return next(b for b in shell.home.area_buttons if b.objectName() == "area:" + key)


def test_home_lists_every_area_of_the_catalogue(kiosk: KioskShell) -> None:
    bundle = load_shipped_bundle().bundle
    assert visible_screen(kiosk) is kiosk.home and kiosk.home is not None
    shown = [b.text_of() for b in kiosk.home.area_buttons]
    assert shown == list(dict.fromkeys(m.area for m in bundle.matters))


def test_self_help_to_a_guide_and_print_reaches_the_print_queue(
    qtbot: QtBot, app: QApplication, kiosk_device: KioskDevice, ops: Ops, mono: MonoClock, cups: PrivateCups
) -> None:
    shell = open_shell(qtbot, build_shell(kiosk_device, ops, mono, FakeVoice(), KioskPrinter("fz-pdf", cups.server)))
    try:
        click(qtbot, area_button(shell, AREA))
        assert visible_screen(shell) is shell.question and shell.question is not None
        # One matter in the area: the check comes first, with the matter's conditions.
        matter = load_shipped_bundle().bundle.matter(MATTER)
        assert matter is not None
        assert any(matter.conditions[0] in t for t in texts(shell))
        assert shell.question.yes_button is not None
        click(qtbot, shell.question.yes_button)
        guide = shell.guide
        assert visible_screen(shell) is guide and guide is not None
        assert guide.title.text() == matter.name
        assert guide.checks[0].box.accessibleName().startswith(matter.materials[0].name)
        assert any(matter.consult_phone == t for t in texts(shell))
        before = set(cups.spooled())
        with qtbot.waitSignal(guide.print_bar.printed, timeout=30_000) as printed:
            click(qtbot, guide.print_bar.button)
        job_id = str(printed.args[0])
        new = sorted(set(cups.spooled()) - before)
        assert len(new) == 1
        assert cups.completed(job_id), cups.error_log()[-2000:]
        text = subprocess.run(["pdftotext", str(new[0]), "-"], capture_output=True, text=True, check=True).stdout
        assert "申请指南" in text and matter.name in text.replace("\n", "") and "打印对象" not in text
        assert guide.print_bar.message.isVisible()
    finally:
        qtbot.waitUntil(lambda: not ops.busy, timeout=20_000)
        close_shell(shell)


def test_an_area_with_several_matters_asks_which_then_checks(qtbot: QtBot, kiosk: KioskShell) -> None:
    bundle = load_shipped_bundle().bundle
    codes = [m.code for m in bundle.matters if m.area == "房屋土地征收"]
    click(qtbot, area_button(kiosk, "房屋土地征收"))
    question = kiosk.question
    assert question is not None and len(question.choice_buttons) == len(codes) == 2
    click(qtbot, question.choice_buttons[1])
    assert question.yes_button is not None and question.current() is not None
    assert question.current().matter == codes[1]  # type: ignore[union-attr]
    click(qtbot, question.back_button)
    assert len(question.choice_buttons) == 2
    click(qtbot, question.back_button)
    assert visible_screen(kiosk) is kiosk.home


def test_not_sure_shows_who_to_ask_from_the_catalogue_and_prints_it(
    qtbot: QtBot, app: QApplication, kiosk_device: KioskDevice, ops: Ops, mono: MonoClock, cups: PrivateCups
) -> None:
    shell = open_shell(qtbot, build_shell(kiosk_device, ops, mono, FakeVoice(), KioskPrinter("fz-pdf", cups.server)))
    try:
        click(qtbot, area_button(shell, AREA))
        assert shell.question is not None
        click(qtbot, shell.question.unsure_button)
        ask = shell.ask
        assert visible_screen(shell) is ask and ask is not None
        bundle = load_shipped_bundle().bundle
        streets = [u.name for u in bundle.units if u.kind == "street_office"]
        shown = texts(shell)
        assert all(any(name in t for t in shown) for name in streets)
        assert "12345" in shown
        before = set(cups.spooled())
        with qtbot.waitSignal(ask.print_bar.printed, timeout=30_000) as printed:
            click(qtbot, ask.print_bar.button)
        assert cups.completed(str(printed.args[0])), cups.error_log()[-2000:]
        new = sorted(set(cups.spooled()) - before)
        text = subprocess.run(["pdftotext", str(new[0]), "-"], capture_output=True, text=True, check=True).stdout
        assert "法律咨询指引" in text.replace(" ", "") and "12345" in text
        click(qtbot, ask.back_button)
        assert visible_screen(shell) is shell.question
    finally:
        qtbot.waitUntil(lambda: not ops.busy, timeout=20_000)
        close_shell(shell)


def test_a_print_that_cannot_reach_a_printer_says_so_in_large_text(qtbot: QtBot, kiosk: KioskShell) -> None:
    kiosk.open_guide(MATTER)
    guide = kiosk.guide
    assert guide is not None
    click(qtbot, guide.print_bar.button)
    failed = _("Nothing was printed: {reason}").split("{")[0]
    qtbot.waitUntil(lambda: guide.print_bar.message.text().startswith(failed), timeout=20_000)
    assert guide.print_bar.button.isEnabled()


def test_read_aloud_uses_the_platform_voice_or_says_there_is_none(
    qtbot: QtBot, kiosk: KioskShell, voice: FakeVoice
) -> None:
    kiosk.open_guide(MATTER)
    guide = kiosk.guide
    assert guide is not None
    click(qtbot, guide.read_bar.button)
    qtbot.waitUntil(lambda: bool(voice.said), timeout=10_000)
    said, language = voice.said[-1]
    assert language == "zh" and guide.title.text() in said and "12345" in said
    assert not guide.read_bar.message.isVisible()
    voice.available = frozenset({"en"})
    click(qtbot, guide.read_bar.button)
    qtbot.waitUntil(lambda: guide.read_bar.message.isVisible(), timeout=10_000)
    last = guide.read_bar.last
    assert last is not None and last.reason == "no_chinese_voice" and len(voice.said) == 1
    assert guide.read_bar.message.text() == last.message != ""


def test_apply_here_opens_the_application_flow_when_the_build_has_it(qtbot: QtBot, kiosk: KioskShell) -> None:
    kiosk.open_guide(MATTER)
    guide = kiosk.guide
    assert guide is not None
    assert kiosk.flow_class is not None and guide.apply_button.isVisible()
    click(qtbot, guide.apply_button)
    assert kiosk.flow is not None and visible_screen(kiosk) is kiosk.flow
    kiosk.end_visit()
    assert kiosk.flow is None and visible_screen(kiosk) is kiosk.home


def test_the_guide_is_prepared_while_the_check_is_read(qtbot: QtBot, kiosk: KioskShell) -> None:
    click(qtbot, area_button(kiosk, AREA))
    guide, question = kiosk.guide, kiosk.question
    assert guide is not None and question is not None and question.yes_button is not None
    qtbot.waitUntil(lambda: guide.matter_code == MATTER and bool(guide.checks), timeout=5_000)
    assert visible_screen(kiosk) is question and not guide.isVisible()
    prepared = guide.checks[0]
    click(qtbot, question.yes_button)
    assert visible_screen(kiosk) is guide and guide.checks[0] is prepared  # only the page changed
    click(qtbot, prepared.box)
    kiosk.open_guide("PS-TJ-010")  # another matter: no tick comes along
    assert not any(c.box.isChecked() for c in guide.checks)


def test_the_privacy_notice_is_read_aloud_with_the_office_that_receives_the_application(
    qtbot: QtBot, kiosk: KioskShell, voice: FakeVoice
) -> None:
    kiosk.open_application(MATTER)
    flow = kiosk.flow
    assert flow is not None and flow.read_bar is not None and flow.read_bar.isVisible()
    notice = flow.pages[0]
    office = kiosk.env.service.office_name() if kiosk.env is not None else ""
    assert office
    qtbot.waitUntil(lambda: office in notice.spoken_text(), timeout=10_000)  # type: ignore[attr-defined]
    click(qtbot, flow.read_bar.button)
    qtbot.waitUntil(lambda: bool(voice.said), timeout=10_000)
    said, language = voice.said[-1]
    assert language == "zh" and office in said and _("Your rights") in said
    flow.go(1)  # the questions are not read: the bar is the notice's only
    assert not flow.read_bar.isVisible()
    kiosk.end_visit()
    assert kiosk.flow is None
