"""The desk test fixture and ``SessionContext.call``: store work as named, picklable calls."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from fzmediate.services.session import Session
from tests.ui.desk_support import call
from tests.ui.fit import clipped_texts, text_size
from tests.ui.window_support import shown_window
from ui.desk.page import DeskEnv
from ui.ops import CancelToken


def whoami(session: Session, token: CancelToken) -> str:
    return session.actor.login


def test_call_runs_a_named_function_on_the_db_worker(qtbot: QtBot, desk_env: DeskEnv) -> None:
    assert call(qtbot, desk_env, whoami) == "med1"
    assert desk_env.context.may("case.create")
    assert not desk_env.is_supervisor


def test_call_refuses_what_could_not_cross_a_process_boundary(qtbot: QtBot, desk_env: DeskEnv) -> None:
    with pytest.raises(TypeError, match="process boundary"):
        desk_env.context.call(lambda session, token: 1)


def test_the_main_window_pages_fit_at_100_and_175_percent(qtbot: QtBot, app: QApplication, desk_env: DeskEnv) -> None:
    for percent in (100, 175):
        with text_size(app, percent):
            window = shown_window(qtbot, desk_env, height=800)
            for key in window.pages:
                window.show_page(key)
                assert clipped_texts(window) == [], (percent, key)
            window.close_quietly()
