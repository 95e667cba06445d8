"""The shipped CJK font is the application font and covers rare name characters; the UI speaks zh_CN."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtGui import QFontDatabase, QFontMetrics
from PySide6.QtWidgets import QApplication, QDialogButtonBox
from pytestqt.qtbot import QtBot

from fzmediate.i18n import set_locale
from fzmediate.services.workspace import Workspace
from ui.desk.unlock_screen import UnlockScreen
from ui.fonts import mono_family, shipped_families
from ui.ops import Ops


def test_the_application_font_is_the_shipped_font(app: QApplication) -> None:
    families = shipped_families()
    assert "Noto Sans CJK SC" in families
    assert app.font().family() == "Noto Sans CJK SC"
    assert "Noto Sans CJK SC" in QFontDatabase.families(QFontDatabase.WritingSystem.SimplifiedChinese)


@pytest.mark.parametrize("char", ["调", "𠮷", "䶮"])  # common, CJK Ext B (U+20BB7), CJK Ext A (U+4DAE)
def test_the_application_font_covers_rare_name_characters(app: QApplication, char: str) -> None:
    metrics = QFontMetrics(app.font())
    assert metrics.inFontUcs4(ord(char))
    assert QFontMetrics(app.font()).horizontalAdvance(char) > 0


def test_the_monospace_face_is_shipped_too(app: QApplication) -> None:
    assert mono_family("zh_CN") in shipped_families()


@pytest.fixture
def english_then_chinese() -> Iterator[None]:
    yield
    set_locale("zh_CN")


def test_zh_cn_translates_the_unlock_screen(
    qtbot: QtBot, app: QApplication, workspace: Workspace, ops: Ops, english_then_chinese: None
) -> None:
    set_locale("en")
    english = UnlockScreen(workspace, ops)
    qtbot.addWidget(english)
    assert english.unlock_button.text() == "Unlock"

    set_locale("zh_CN")
    chinese = UnlockScreen(workspace, ops)
    qtbot.addWidget(chinese)
    text = chinese.unlock_button.text()
    assert text != "Unlock", "the zh_CN catalog has no translation for the unlock button"
    assert any("\u4e00" <= ch <= "\u9fff" for ch in text)


def test_qt_own_buttons_are_chinese(qtbot: QtBot, app: QApplication) -> None:
    box = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
    qtbot.addWidget(box)
    assert box.button(QDialogButtonBox.StandardButton.Ok).text() == "确定"
    assert box.button(QDialogButtonBox.StandardButton.Cancel).text() == "取消"
