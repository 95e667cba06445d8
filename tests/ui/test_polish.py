"""Everyday polish on a real store: unsaved input is asked about (closing a case tab, cancelling an intake) and a
lock that drops it says so; an exception in a slot is logged without its text and answered with a friendly
dialog; every page and every act dialog of a case in mediation names its controls and cuts no text — also with
the dialog's validation errors shown — at 100 % and 175 %."""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from fzmediate.i18n import _
from fzmediate.logsetup import configure_logging
from fzmediate.services.workspace import Workspace
from fzmediate.settings import Settings
from tests.documents.case_lifecycles import MEDIATOR
from tests.synthetic import make_resident_id
from tests.ui.desk_support import WAIT_MS, in_store
from tests.ui.fit import clipped_texts, text_size
from tests.ui.test_act_dialog import prepared
from tests.ui.test_case_page import new_case, unnamed
from tests.ui.window_support import case_tab, shown_window
from ui import app as app_module
from ui.desk.case_view.act_dialog import ActDialog
from ui.desk.case_view.case_page import CasePage
from ui.desk.intake import intake_dialog
from ui.desk.intake.intake_dialog import IntakeDialog
from ui.desk.main_window import CASES, MainWindow
from ui.desk.page import DeskEnv
from ui.desk.shell import DeskShell

NAME = "王𠮷"
LONG_ERROR = "填写有误：" + "请写明具体理由、依据和当事人意见，" * 6 + "否则不能记录此项。"
DISCARDED = "Unsaved input in open dialogs was discarded."


@pytest.fixture
def window(qtbot: QtBot, desk_env: DeskEnv) -> Iterator[MainWindow]:
    win = shown_window(qtbot, desk_env)
    yield win
    win.close_quietly()


def opened(page: CasePage, action: str) -> ActDialog:
    page.acts_panel.buttons[action].click()
    dialog = page.dialog
    assert dialog is not None and dialog.isVisible() and dialog.form.action == action
    return dialog


# --- unsaved input ------------------------------------------------------------------------------------
def test_closing_a_case_tab_with_edits_asks(
    qtbot: QtBot, window: MainWindow, desk_env: DeskEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = case_tab(qtbot, window, new_case(qtbot, desk_env))
    assert window.case_tabs is not None
    index = window.case_tabs.indexOf(page)
    dialog = opened(page, "accept")
    assert not window.has_unsaved_input()  # nothing typed yet
    dialog.editors["note"].input.setText("材料齐全，待受理")  # type: ignore[attr-defined]
    assert window.has_unsaved_input()
    answers = [False, True]
    asked: list[bool] = []

    def confirm(self: ActDialog) -> bool:
        asked.append(answers[len(asked)])
        return asked[-1]

    monkeypatch.setattr(ActDialog, "confirm_discard", confirm)
    window.close_case_tab(index)  # keep the edits: the tab stays
    assert asked == [False] and window.case_tabs.indexOf(page) == index and dialog.isVisible()
    window.close_case_tab(index)  # discard
    assert asked == [False, True] and window.case_tabs.indexOf(page) == -1
    assert not window.has_unsaved_input()


def test_cancelling_an_intake_with_input_asks(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    answers: list[bool] = [False, True]
    asked: list[str] = []

    def answer(parent: QWidget, title: str, text: str, yes: str) -> bool:
        asked.append(title)
        return answers.pop(0)

    monkeypatch.setattr(intake_dialog, "ask", answer)
    window.new_case_action.trigger()
    dialog = next(d for d in window.findChildren(IntakeDialog) if d.isVisible())
    qtbot.waitUntil(lambda: dialog.matter_model.rowCount() > 0, timeout=WAIT_MS)
    assert dialog.select_matter("PS-TJ-007")
    dialog.continue_to_form()
    dialog.summary.edit.setText("物业服务费纠纷")
    assert window.has_unsaved_input()
    dialog.form_cancel_button.click()  # keep it
    assert asked == [_("Unsaved application")] and dialog.isVisible()
    dialog.form_cancel_button.click()  # discard
    assert asked == [_("Unsaved application")] * 2
    qtbot.waitUntil(lambda: not window.has_unsaved_input(), timeout=WAIT_MS)


def test_a_lock_that_drops_typed_input_says_so(qtbot: QtBot, shell: DeskShell, staffed: Workspace) -> None:
    def unlock() -> MainWindow:
        screen = shell.gate.unlock_screen
        screen.login.edit.setText(MEDIATOR[0])
        screen.password.edit.setText(MEDIATOR[1])
        with qtbot.waitSignal(shell.unlocked, timeout=WAIT_MS):
            screen.submit()
        assert shell.main_window is not None and shell.context is not None
        return shell.main_window

    shell.start()
    window = unlock()
    assert shell.context is not None
    case_id = new_case(qtbot, DeskEnv(shell.context, Settings()))
    page = case_tab(qtbot, window, case_id)
    opened(page, "accept").editors["note"].input.setText("尚未保存")  # type: ignore[attr-defined]
    with qtbot.waitSignal(shell.locked, timeout=WAIT_MS):
        shell.lock()
    notice = shell.gate.unlock_screen.notice
    assert _(DISCARDED) in notice.text() and not notice.isHidden()

    unlock()  # nothing typed this time: nothing said
    with qtbot.waitSignal(shell.locked, timeout=WAIT_MS):
        shell.lock()
    assert _(DISCARDED) not in shell.gate.unlock_screen.notice.text()


# --- the crash handler --------------------------------------------------------------------------------
@pytest.mark.qt_no_exception_capture
def test_an_exception_in_a_slot_is_logged_without_its_text_and_answered_kindly(
    qtbot: QtBot, app: QApplication, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown: list[bool] = []
    monkeypatch.setattr(app_module, "_show_crash_dialog", lambda: shown.append(True))
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # restored after the test
    monkeypatch.setattr(threading, "excepthook", threading.excepthook)
    root = logging.getLogger()
    level = root.level
    handler = configure_logging(tmp_path / "logs")
    id_number = make_resident_id("440310", seq=417)
    secret = " ".join(("当事人", NAME, "身份证号", id_number, "无法保存"))
    try:
        app_module.install_excepthook()

        def save_party_slot() -> None:
            raise ValueError(secret)  # the frame's source line holds no data, only the message does

        button = QPushButton("save")
        qtbot.addWidget(button)
        button.clicked.connect(save_party_slot)
        button.click()  # the slot runs on the GUI thread, called from Qt
        handler.flush()
    finally:
        root.removeHandler(handler)
        handler.close()
        root.setLevel(level)
    text = "\n".join(p.read_text(encoding="utf-8") for p in (tmp_path / "logs").iterdir())
    assert "ValueError" in text and "save_party_slot" in text and "CRITICAL" in text
    assert NAME not in text and id_number not in text and "无法保存" not in text
    assert shown == [True]


def settled(qtbot: QtBot, dialog: QWidget, where: object) -> None:
    """No text cut once the nested layouts have settled on the event loop (as the user sees it)."""

    def check() -> None:
        assert clipped_texts(dialog) == [], where

    qtbot.waitUntil(check, timeout=3_000)


# --- names and room -----------------------------------------------------------------------------------
def test_every_page_and_act_dialog_is_named_and_fits(qtbot: QtBot, desk_env: DeskEnv, app: QApplication) -> None:
    case_id = new_case(qtbot, desk_env)
    in_store(qtbot, desk_env, lambda s: prepared(s, case_id, session_held=True))
    for percent in (100, 175):
        with text_size(app, percent):
            win = shown_window(qtbot, desk_env)
            for key in win.pages:
                win.show_page(key)
                settled(qtbot, win, (percent, key))
                assert unnamed(win) == [], (percent, key)
            page = case_tab(qtbot, win, case_id)
            win.show_page(CASES)
            for index in range(page.tabs.count()):
                page.tabs.setCurrentIndex(index)
                settled(qtbot, win, (percent, page.tabs.tabText(index)))
                assert unnamed(win) == [], (percent, page.tabs.tabText(index))
            page.tabs.setCurrentIndex(0)
            screen = page.case_screen
            assert screen is not None and screen.state == "in_mediation"
            allowed = [a.action for a in screen.acts if a.allowed]
            assert {"hold_session", "draft_agreement", "record_agreement", "terminate"} <= set(allowed)
            for action in allowed:
                dialog = opened(page, action)
                dialog.resize(800, 700)
                qtbot.wait(20)
                assert unnamed(dialog) == [] and clipped_texts(dialog) == [], (percent, action)
                if any(f.required and f.name not in dialog.raw() for f in dialog.form.fields):
                    dialog.apply()  # empty: refused, the errors appear beside the fields, nothing is applied
                    qtbot.waitUntil(lambda d=dialog: not d.busy, timeout=WAIT_MS)  # type: ignore[misc]
                    assert dialog.isVisible(), (action, dialog.raw())
                    assert any(dialog.field_error(f.name) for f in dialog.form.fields), action
                    settled(qtbot, dialog, (percent, action, "refused"))
                # The longest messages the checks write, on every field at once (acts without a required field
                # would be applied by an empty submit, so their messages are shown as the dialog shows them).
                for editor in dialog.editors.values():
                    editor.set_error(LONG_ERROR)
                dialog.form_error.set_text(LONG_ERROR)
                dialog.date_error.set_text(LONG_ERROR)
                settled(qtbot, dialog, (percent, action, "errors"))
                assert unnamed(dialog) == [], (percent, action)
                dialog.done(0)
            win.close_quietly()
