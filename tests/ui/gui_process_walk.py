"""Run as ``python -m tests.ui.gui_process_walk PHASE DATA_DIR [CASE_ID]`` in a fresh interpreter: drives the
desk's real windows in production mode (store process) and prints, as JSON, which of the store's heavy
libraries this GUI process has imported. ``test_gui_process_imports`` runs it.

- ``setup``: set up a new store in DATA_DIR through the set-up screen, confirm the recovery code, reset the
  administrator's password with it, and unlock with the new password;
- ``walk``: unlock DATA_DIR as the mediator, show Today, the case list, every page, and open CASE_ID with its
  documents.

Nothing here imports the store: the point is to see what the desk itself pulls in.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

#: Libraries the store process needs and the GUI process must not load (memory: SQLAlchemy and the models
#: alone are ~35 MB; the catalogue's pydantic models ~20 MB; cryptography ~10 MB).
HEAVY = (
    "sqlalchemy",
    "alembic",
    "sqlcipher3",
    "pydantic",
    "cryptography",
    "reportlab",
    "pikepdf",
    "pyhanko",
    "fzmediate.store.models",
    "fzmediate.store.database",
    "fzmediate.services.session",
    "fzmediate.catalogue.model",
)
WAIT_S = 30.0


def wait_until(app: object, done: Callable[[], bool], what: str) -> None:
    from PySide6.QtWidgets import QApplication

    assert isinstance(app, QApplication)
    deadline = time.monotonic() + WAIT_S
    while not done():
        if time.monotonic() > deadline:
            raise SystemExit("timed out waiting for " + what)
        app.processEvents()
        time.sleep(0.01)


def main(argv: list[str]) -> int:
    phase, data_dir = argv[0], Path(argv[1])
    from PySide6.QtWidgets import QApplication

    from fzmediate.security.kdf import KdfParams
    from fzmediate.services.workspace import Workspace
    from fzmediate.settings import Settings
    from ui.app import prepare_application
    from ui.desk.main_window import CASES, SETTINGS, SUPERVISOR, TODAY
    from ui.desk.shell import DeskShell
    from ui.ops import Ops
    from ui.pyside_compat import pin_singletons

    pin_singletons()
    app = QApplication(["walk"])
    prepare_application(app, "zh_CN")
    ops = Ops()
    workspace = Workspace(data_dir, kdf=KdfParams(memory_kib=8192, iterations=1, lanes=1))
    shell = DeskShell(workspace, ops, Settings(idle_lock_seconds=600), store_process=True)
    gate = shell.gate
    seen: dict[str, object] = {"phase": phase}
    try:
        shell.start()
        if phase == "setup":
            setup = gate.setup_screen
            wait_until(app, lambda: setup.unit.count() > 1, "the units")
            setup.login.edit.setText("admin")
            setup.full_name.edit.setText("测试管理员")
            for field in (setup.password, setup.password2):
                field.edit.setText(argv[2])
            setup.unit.setCurrentIndex(1)
            setup.create_button.click()
            wait_until(app, lambda: bool(gate.recovery_page.code()), "the recovery code")
            reset = gate.recovery_reset
            gate.show_page(reset)
            reset.prepare("admin")
            reset.code.edit.setText(gate.recovery_page.code())
            for field in (reset.password, reset.password2):
                field.edit.setText(argv[3])
            before = gate.recovery_page.code()
            reset.reset_button.click()
            wait_until(app, lambda: gate.recovery_page.code() not in ("", before), "the new recovery code")
            login, password = "admin", argv[3]
        else:
            login, password = argv[2], argv[3]
        screen = gate.unlock_screen
        gate.show_page(screen)
        screen.login.edit.setText(login)
        screen.password.edit.setText(password)
        screen.unlock_button.click()
        wait_until(app, lambda: shell.main_window is not None and shell.main_window.isVisible(), "the main window")
        window = shell.main_window
        assert window is not None
        wait_until(app, lambda: not ops.busy, "Today")
        for key in (CASES, SUPERVISOR, SETTINGS, TODAY):
            if key in window.pages:
                window.show_page(key)
                wait_until(app, lambda: not ops.busy, "page " + key)
        if phase == "walk":
            window.open_case(argv[4])
            wait_until(app, lambda: not ops.busy, "the case")
            tabs = window.case_tabs
            assert tabs is not None
            page = tabs.currentWidget()
            documents = page.show_documents()  # type: ignore[attr-defined]
            wait_until(app, lambda: not ops.busy, "the documents")
            seen["case"] = getattr(page, "case_screen", None) is not None
            seen["documents"] = documents.kinds_model.rowCount()
            if documents.preview_button.isEnabled():
                documents.preview_button.click()  # the draft, rendered in the store process, shown by QtPdf here
                wait_until(app, lambda: not ops.busy, "the draft")
        seen["heavy"] = sorted(m for m in HEAVY if m in sys.modules)
        print(json.dumps(seen))
        return 0
    finally:
        shell.shutdown()
        ops.shutdown()


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
