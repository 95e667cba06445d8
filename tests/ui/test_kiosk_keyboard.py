"""The kiosk's on-screen keyboard by touch: pinyin with candidates, the rare-character picker (𠮷, 䶮, 𫖮),
Latin letters and digits for document numbers, the phone pad, and forgetting the visit."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QApplication, QLineEdit, QPlainTextEdit, QVBoxLayout, QWidget

from ui.kiosk.keyboard.keyboard import Mode, OnScreenKeyboard


class Rig(QWidget):
    def __init__(self) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        self.line = QLineEdit(self)
        self.area = QPlainTextEdit(self)
        self.keyboard = OnScreenKeyboard(self)
        for w in (self.line, self.area, self.keyboard):
            layout.addWidget(w)


@pytest.fixture
def rig(qtbot: Any, app: QApplication) -> Rig:
    rig = Rig()
    qtbot.addWidget(rig)
    rig.resize(1280, 900)
    rig.show()
    return rig


def tap(qtbot: Any, button: QAbstractButton) -> None:
    assert button.isVisible() and button.isEnabled()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def keys(qtbot: Any, rig: Rig, letters: str) -> None:
    for letter in letters:
        tap(qtbot, rig.keyboard.keys[letter])


def test_pinyin_letters_show_candidates_and_a_tap_types_the_character(qtbot: Any, rig: Rig) -> None:
    kb = rig.keyboard
    kb.set_target(rig.line, Mode.PINYIN, modes=(Mode.PINYIN, Mode.LATIN))
    keys(qtbot, rig, "wangli")
    assert kb.candidates.letters.text() == "wangli"
    assert kb.candidates.visible_candidates()[0] == "王"
    assert rig.line.text() == ""  # nothing typed while composing
    tap(qtbot, kb.candidates.buttons[0])
    assert rig.line.text() == "王" and kb.composition == "li"
    tap(qtbot, kb.space)  # space takes the first candidate
    assert rig.line.text() == "王" + kb.recent[-1] and kb.composition == ""
    tap(qtbot, kb.backspace)
    assert rig.line.text() == "王"


@pytest.mark.parametrize(("reading", "char"), [("ji", "𠮷"), ("yan", "䶮"), ("yi", "𫖮")])
def test_each_rare_name_character_is_entered_by_touch_alone(qtbot: Any, rig: Rig, reading: str, char: str) -> None:
    kb = rig.keyboard
    kb.set_target(rig.line, Mode.PINYIN)
    tap(qtbot, kb.rare_button)
    assert kb.picker.isVisible() and not kb.candidates.isVisible()
    keys(qtbot, rig, reading)
    assert kb.picker.query_text() == reading
    cell = next(c for c in kb.picker.cells if c.text() == char)
    tap(qtbot, cell)
    assert rig.line.text() == char and not kb.picker.isVisible()


def test_the_picker_opens_on_known_name_characters(qtbot: Any, rig: Rig) -> None:
    kb = rig.keyboard
    kb.set_target(rig.line, Mode.PINYIN)
    tap(qtbot, kb.rare_button)
    assert {"𠮷", "䶮", "𫖮"} <= set(kb.picker.visible_characters())
    tap(qtbot, kb.picker.close_button)
    assert not kb.picker.isVisible() and kb.candidates.isVisible()


def test_document_numbers_in_capitals_and_the_phone_pad(qtbot: Any, rig: Rig) -> None:
    kb = rig.keyboard
    kb.set_target(rig.line, Mode.LATIN)
    keys(qtbot, rig, "h1234x")
    assert rig.line.text() == "H1234X"
    assert not kb.rare_button.isVisible() and not kb.candidates.isVisible()
    kb.set_target(rig.area, Mode.DIGITS)
    assert kb.pad.isVisible() and not kb.letters.isVisible()
    for name in ("pad_+", "pad_8", "pad_5", "pad_2"):
        tap(qtbot, kb.keys[name])
    assert rig.area.toPlainText() == "+852"
    tap(qtbot, kb.clear_button)
    assert rig.area.toPlainText() == ""


def test_the_switch_key_cycles_the_pages_modes(qtbot: Any, rig: Rig) -> None:
    kb = rig.keyboard
    kb.set_target(rig.line, Mode.PINYIN, modes=(Mode.PINYIN, Mode.LATIN))
    tap(qtbot, kb.switch)
    assert kb.mode() is Mode.LATIN
    keys(qtbot, rig, "ab")
    assert rig.line.text() == "AB"
    tap(qtbot, kb.switch)
    assert kb.mode() is Mode.PINYIN


def test_reset_visit_forgets_the_composition_the_chosen_characters_and_the_picker(qtbot: Any, rig: Rig) -> None:
    kb = rig.keyboard
    kb.set_target(rig.line, Mode.PINYIN)
    keys(qtbot, rig, "zhang")
    tap(qtbot, kb.candidates.buttons[1])
    keys(qtbot, rig, "san")
    tap(qtbot, kb.rare_button)
    keys(qtbot, rig, "ji")
    assert kb.recent and kb.picker.query_text()
    kb.reset_visit()
    assert kb.composition == "" and kb.recent == []
    assert kb.candidates.letters.text() == "" and kb.candidates.visible_candidates() == []
    assert kb.picker.query_text() == "" and kb.picker.visible_characters() == [] and not kb.picker.isVisible()
    before = rig.line.text()
    kb.set_target(None, Mode.LATIN)
    keys(qtbot, rig, "x")  # no target: nothing is typed anywhere
    assert rig.line.text() == before and rig.area.toPlainText() == ""


def test_every_key_has_a_name(qtbot: Any, rig: Rig) -> None:
    kb = rig.keyboard
    for mode in Mode:
        kb.set_target(rig.line, mode, modes=tuple(Mode))
        for button in kb.findChildren(QAbstractButton):
            if button.isVisible():
                assert button.accessibleName(), button.text()
