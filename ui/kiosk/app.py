"""``python main.py kiosk [--data-dir DIR] [--printer QUEUE]``: the kiosk, full-screen, frameless, locked down.

Called by ``ui.app.run`` once the QApplication exists. A data directory without a kiosk store gets one line
saying how to set it up (``fzmediate kiosk init --office-key FILE``) and exit code 2. Otherwise the kiosk
window covers the screen and staff open it with the kiosk password; it closes only with that password again.
The desk's workspace, session and store process are never loaded on this path (a test walks it).
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QMessageBox

from fzmediate.i18n import _, current_locale
from fzmediate.kiosk.printouts import KioskPrinter

log = logging.getLogger(__name__)

EXIT_NOT_SET_UP = 2


def add_kiosk_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--printer", default=None, help="the print queue (default: the print system's default)")
    parser.add_argument("--idle-seconds", type=float, default=120.0, help="quiet seconds before the idle warning")


def show_not_set_up() -> None:
    text = _("This data directory holds no kiosk yet. Staff set it up with: fzmediate kiosk init --office-key FILE")
    print(text, file=sys.stderr)
    if QGuiApplication.platformName() != "offscreen":  # headless runs get the stderr line only
        QMessageBox.information(None, _("fzmediate"), text)


def run_kiosk(app: QApplication, args: argparse.Namespace, data_dir: Path) -> int:
    from fzmediate.services.paths import StorePaths
    from ui.kiosk.look import apply_kiosk_look
    from ui.kiosk.shell import KioskOptions, KioskShell
    from ui.ops import Ops

    # The key-slot file marks a set-up store (``KioskDevice.is_initialized``), without loading the store's libraries.
    if not StorePaths(data_dir).slots.exists():
        show_not_set_up()
        return EXIT_NOT_SET_UP
    locale = current_locale()
    apply_kiosk_look(app, locale)
    app.setQuitOnLastWindowClosed(False)
    ops = Ops()
    options = KioskOptions(
        locale=locale, printer=KioskPrinter(name=getattr(args, "printer", None)), idle_seconds=args.idle_seconds
    )
    shell = KioskShell(data_dir, ops, options)
    shell.left.connect(app.quit)
    # A kiosk session often runs without a window manager (a minimal X session, docs/install.md), and only a
    # window manager acts on the full-screen request: the window also takes the whole screen itself.
    screen = app.primaryScreen()
    if screen is not None:
        shell.setGeometry(screen.geometry())
    shell.setWindowState(Qt.WindowState.WindowFullScreen)
    shell.showFullScreen()
    shell.preload()
    if args.exit_when_ready:

        def ready() -> None:
            print("ready {0:.6f}".format(time.time()), flush=True)
            shell.leave()
            app.quit()

        QTimer.singleShot(0, ready)
    try:
        code = app.exec()
    finally:
        shell.timer.stop()
        ops.shutdown()  # runs the queued lock before the DB thread ends
    log.info("kiosk exit %d", code)
    return int(code)
