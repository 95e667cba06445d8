"""``ui.app.run``: argument parsing, the first screen shown, a kiosk not set up, and the excepthook."""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

import ui.app
from fzmediate.i18n import current_locale
from fzmediate.services.workspace import Workspace
from ui.desk.shell import GateWindow


@pytest.fixture
def restore_process_state(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    monkeypatch.setattr(threading, "excepthook", threading.excepthook)
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for h in list(root.handlers):
        if h not in handlers:
            root.removeHandler(h)
            h.close()
    root.setLevel(level)


def test_parse_args_keeps_qt_arguments() -> None:
    args, rest = ui.app.parse_args("desk", ["--data-dir", "/tmp/x", "--lang", "en", "-platform", "offscreen"])
    assert args.data_dir == Path("/tmp/x") and args.lang == "en"
    assert rest == ["-platform", "offscreen"]


def test_kiosk_mode_on_a_data_dir_not_set_up_says_so_and_exits_2(
    app: QApplication, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, restore_process_state: None
) -> None:
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "information", lambda parent, title, text: shown.append(text))
    monkeypatch.setattr(QGuiApplication, "platformName", lambda: "xcb")
    assert ui.app.run("kiosk", ["--data-dir", str(tmp_path)]) == 2
    assert len(shown) == 1 and shown[0]


def test_kiosk_mode_not_set_up_headless_only_prints(
    app: QApplication, tmp_path: Path, capsys: pytest.CaptureFixture[str], restore_process_state: None
) -> None:
    assert ui.app.run("kiosk", ["--data-dir", str(tmp_path)]) == 2
    assert capsys.readouterr().err.strip()


def test_desk_starts_on_the_setup_screen_in_a_fresh_data_dir(
    app: QApplication, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, restore_process_state: None
) -> None:
    seen: list[object] = []

    def fake_exec(self: QApplication) -> int:
        # Instead of the event loop (quitting a real exec() upsets later tests): look at the windows.
        gates = [w for w in QApplication.topLevelWidgets() if isinstance(w, GateWindow) and w.isVisible()]
        seen.extend(g.stack.currentWidget() is g.setup_screen for g in gates)
        return 0

    monkeypatch.setattr(QApplication, "exec", fake_exec)
    assert ui.app.run("desk", ["--data-dir", str(tmp_path / "data"), "--lang", "zh_CN"]) == 0
    assert seen == [True]
    assert current_locale() == "zh_CN"
    assert (tmp_path / "data" / "logs" / "fzmediate.log").is_file()
    assert not Workspace(tmp_path / "data").is_initialized()


def test_excepthook_logs_and_shows_a_message_without_the_exception_text(
    qtbot: QtBot, app: QApplication, caplog: pytest.LogCaptureFixture, restore_process_state: None
) -> None:
    ui.app.install_excepthook()
    texts: list[str] = []

    def read_and_close() -> None:
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox)
        texts.append(box.text())
        box.accept()

    QTimer.singleShot(0, read_and_close)
    secret = "张三 110101199003074578"
    with caplog.at_level(logging.CRITICAL):
        try:
            raise ValueError(secret)
        except ValueError:
            sys.excepthook(*sys.exc_info())
    assert len(texts) == 1 and texts[0]
    assert "110101199003074578" not in texts[0] and "张三" not in texts[0]
    assert any(r.exc_info for r in caplog.records)


def test_desk_app_starts_to_its_first_screen_in_a_real_process(tmp_path: Path) -> None:
    """`python main.py desk` starts, shows the set-up screen and exits cleanly (the start-up benchmark's path)."""
    import os
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[2]
    out = subprocess.run(
        [sys.executable, str(root / "main.py"), "desk", "--data-dir", str(tmp_path / "d"), "--exit-when-ready"],
        capture_output=True,
        text=True,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("ready ")
    assert (tmp_path / "d" / "logs" / "fzmediate.log").exists()
