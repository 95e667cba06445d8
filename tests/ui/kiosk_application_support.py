"""Driving the kiosk's application form as a visitor does: taps on its keys, candidates, choices and buttons.

A real kiosk store (fast KDF, fake clock) set up from a desk's exported office key (``tests.kiosk_support``);
synthetic people only.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QLabel, QLineEdit, QPlainTextEdit, QWidget

from fzmediate.kiosk.application import STEPS, Step
from fzmediate.services.kiosk import KioskDevice, KioskService
from tests.kiosk_support import Desk, make_desk, make_kiosk
from tests.support import KIOSK_PW, FakeClock
from ui.kiosk.application.choice_page import ChoicePage
from ui.kiosk.application.flow import ApplicationFlow
from ui.kiosk.application.text_page import TextPage

MATTER = "PS-TJ-007"
#: A synthetic Hong Kong applicant (permit: H + 8 digits).
HK_PERMIT = "H12345678"
VALID: dict[Step, Any] = {
    Step.PRIVACY: True,
    Step.NAME: "王𠮷",
    Step.ID_TYPE: "hk_macao_permit",
    Step.ID_NUMBER: HK_PERMIT,
    Step.PHONE: "13912345678",
    Step.ADDRESS: "广东省深圳市坪山区坪山街道测试路1号",
    Step.OTHER_KIND: "organization",
    Step.OTHER_NAME: "坪山某物业管理有限公司",
    Step.FACTS: "小区电梯停用三个月，物业公司一直未修。",
    Step.CLAIMS: "请求物业公司修好电梯，并减免三个月物业费。",
}
#: Everything a visitor typed that must never remain after the visit (the masked name 王某 aside, which
#: only the receipt shows).
VISITOR_TEXTS = ("𠮷", HK_PERMIT, "13912345678", "测试路", "坪山某物业", "电梯停用", "减免三个月")


@dataclass
class KioskRig:
    desk: Desk
    device: KioskDevice
    service: KioskService
    root: Path


def open_rig(root: Path) -> Iterator[KioskRig]:
    clock = FakeClock()
    desk = make_desk(root, clock)
    device = make_kiosk(root, clock, desk)
    service = device.open(KIOSK_PW)
    try:
        yield KioskRig(desk, device, service, root)
    finally:
        service.lock()


def tap(qtbot: Any, button: QAbstractButton) -> None:
    assert button.isVisible() and button.isEnabled(), button.accessibleName()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def type_pinyin(qtbot: Any, flow: ApplicationFlow, letters: str, char: str) -> None:
    """Tap the letters, then the candidate ``char`` (paging through the candidates if need be)."""
    keyboard = flow.keyboard
    for letter in letters:
        tap(qtbot, keyboard.keys[letter])
    for _page in range(20):
        for button in keyboard.candidates.buttons:
            if button.text() == char:
                tap(qtbot, button)
                return
        tap(qtbot, keyboard.candidates.next)
    raise AssertionError("candidate not offered")


def pick_rare(qtbot: Any, flow: ApplicationFlow, letters: str, char: str) -> None:
    """Open the rare-character picker, tap the reading's letters, then the character."""
    keyboard = flow.keyboard
    tap(qtbot, keyboard.rare_button)
    for letter in letters:
        tap(qtbot, keyboard.keys[letter])
    for _page in range(40):
        for cell in keyboard.picker.cells:
            if cell.text() == char:
                tap(qtbot, cell)
                return
        tap(qtbot, keyboard.picker.next)
    raise AssertionError("rare character not offered")


def type_keys(qtbot: Any, flow: ApplicationFlow, text: str, *, pad: bool = False) -> None:
    for char in text:
        name = ("pad_" + char) if pad else char.lower()
        tap(qtbot, flow.keyboard.keys[name])


def answer(qtbot: Any, flow: ApplicationFlow, step: Step, value: Any) -> None:
    """Answer the current page (text set directly: typing Chinese through qtbot aborts, see DESIGN)."""
    page = flow.page()
    assert page.step is step
    if step is Step.PRIVACY:
        if bool(value) != page.agree.isChecked():  # type: ignore[attr-defined]
            tap(qtbot, page.agree)  # type: ignore[attr-defined]
    elif isinstance(page, ChoicePage):
        if value:
            tap(qtbot, page.buttons[value])
    elif isinstance(page, TextPage):
        page.set_text(value)


def walk_to(qtbot: Any, flow: ApplicationFlow, target: Step, values: dict[Step, Any] | None = None) -> None:
    """Answer every page before ``target`` validly (or from ``values``) and tap "Next" on each."""
    given = {**VALID, **(values or {})}
    for step in STEPS[: STEPS.index(target)]:
        answer(qtbot, flow, step, given[step])
        tap(qtbot, flow.next_button)
        assert flow.page().step is STEPS[STEPS.index(step) + 1], flow.page().error.text()


def widget_texts(root: QWidget) -> list[str]:
    """Every text any widget under ``root`` holds, shown or hidden: fields, labels, buttons, accessible names."""
    texts: list[str] = []
    for w in [root, *root.findChildren(QWidget)]:
        if isinstance(w, QLineEdit):
            texts.append(w.text())
        elif isinstance(w, QPlainTextEdit):
            texts.append(w.toPlainText())
        elif isinstance(w, (QLabel, QAbstractButton)):
            texts.append(w.text())
        texts += [w.accessibleName(), w.accessibleDescription(), w.toolTip()]
    return [t for t in texts if t]
