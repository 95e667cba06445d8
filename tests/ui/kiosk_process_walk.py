"""Run as ``python -m tests.ui.kiosk_process_walk KIOSK_DIR PASSWORD PRINTER`` in a fresh interpreter (with
``CUPS_SERVER`` naming the print server): starts the kiosk through its real entry (``ui.app.run("kiosk", …)``),
opens it with the staff password, walks home → an area → the check → the guide → print, waits for the print
job, leaves kiosk mode with the password, and prints as JSON which desk modules this process loaded and which
databases it opened. ``tests/security/test_kiosk_process.py`` runs it.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

#: The desk's store and what opens it: none may load on the kiosk's path.
DESK_MODULES = (
    "fzmediate.services.session",
    "fzmediate.services.workspace",
    "fzmediate.desk.gate",
    "fzmediate.desk.store_host",
    "fzmediate.desk.today",
    "fzmediate.desk.case_view",
    "ui.desk",
    "ui.desk.shell",
    "ui.store_process",
    "ui.session_context",
)
AREA = "物业管理"
WAIT_S = 60.0


def wait_until(done: Callable[[], bool], what: str) -> None:
    from PySide6.QtWidgets import QApplication

    deadline = time.monotonic() + WAIT_S
    while not done():
        if time.monotonic() > deadline:
            raise SystemExit("timed out waiting for " + what)
        QApplication.processEvents()
        time.sleep(0.01)


def main(argv: list[str]) -> int:
    data_dir, password, printer = Path(argv[0]), argv[1], argv[2]
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from fzmediate.store import database
    from ui.pyside_compat import pin_singletons

    opened: list[str] = []
    original = database.Database.__init__

    def recording(self: Any, path: Any, *args: Any, **kwargs: Any) -> None:  # instrumentation, not a fake
        opened.append(str(Path(path).resolve()))
        original(self, path, *args, **kwargs)

    database.Database.__init__ = recording  # type: ignore[method-assign]
    pin_singletons()
    app = QApplication(["kiosk-walk"])
    seen: dict[str, object] = {}

    def drive() -> None:
        from ui.kiosk.shell import KioskShell

        try:
            shells = [w for w in QApplication.topLevelWidgets() if isinstance(w, KioskShell)]
            shell = shells[0]
            seen["fullscreen"] = shell.isFullScreen()
            seen["frameless"] = bool(shell.windowFlags() & shell.windowFlags().FramelessWindowHint)
            shell.unlock_screen.password.setText(password)
            shell.unlock_screen.submit()
            wait_until(lambda: shell.home is not None, "the home screen")
            assert shell.home is not None and shell.question is not None and shell.guide is not None
            next(b for b in shell.home.area_buttons if b.objectName() == "area:" + AREA).click()
            assert shell.question.yes_button is not None
            shell.question.yes_button.click()
            guide = shell.guide
            jobs: list[str] = []
            guide.print_bar.printed.connect(jobs.append)
            guide.print_bar.button.click()
            wait_until(lambda: bool(jobs) or guide.print_bar.message.text().startswith("Nothing"), "the print")
            seen["printed"] = jobs
            seen["guide"] = guide.matter_code
            shell.ask_staff()
            shell.exit_screen.password.setText(password)
            shell.exit_screen.submit()
            wait_until(lambda: shell.leaving, "leaving")
        except BaseException as exc:  # report, and let the app end
            seen["error"] = repr(exc)
            app.quit()

    QTimer.singleShot(0, drive)
    import ui.app

    code = ui.app.run("kiosk", ["--data-dir", str(data_dir), "--lang", "zh_CN", "--printer", printer])
    seen["exit"] = code
    seen["desk_modules"] = sorted(m for m in DESK_MODULES if m in sys.modules)
    seen["databases"] = sorted(set(opened))
    print(json.dumps(seen, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
