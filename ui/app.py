"""Start the desk app or the kiosk (``ui.kiosk.app``): arguments, locale, Qt set-up, logging, excepthook, shell."""

from __future__ import annotations

import argparse
import logging
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QMessageBox

from fzmediate.guard import EXIT_INTERRUPTED, log_unexpected
from fzmediate.i18n import _, set_locale
from fzmediate.logsetup import configure_logging
from fzmediate.paths import default_data_dir
from fzmediate.settings import Settings
from ui.fonts import install_app_font
from ui.pyside_compat import pin_singletons
from ui.style import apply_style

log = logging.getLogger(__name__)

APP_NAME = "fzmediate"

_translators: list[QTranslator] = []  # installed translators must stay referenced


def parse_args(mode: str, argv: Sequence[str]) -> tuple[argparse.Namespace, list[str]]:
    parser = argparse.ArgumentParser(prog="main.py " + mode, add_help=True)
    parser.add_argument("--data-dir", type=Path, default=None, help="data directory (store, logs, settings)")
    parser.add_argument("--lang", default=None, help="zh_CN (default), en or zh_TW")
    # For the start-up benchmark and smoke tests: print the wall-clock time once the first screen is up, then quit.
    parser.add_argument("--exit-when-ready", action="store_true", help=argparse.SUPPRESS)
    if mode == "kiosk":
        from ui.kiosk.app import add_kiosk_arguments

        add_kiosk_arguments(parser)
    return parser.parse_known_args(list(argv))


def install_qt_translations(app: QApplication, locale: str) -> None:
    """Qt's own strings (确定/取消 in QDialogButtonBox, the print dialog …) in the UI language."""
    for old in _translators:
        app.removeTranslator(old)
    _translators.clear()
    qlocale = QLocale(locale)
    QLocale.setDefault(qlocale)
    if locale == "en":
        return
    directory = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    translator = QTranslator(app)
    if translator.load(qlocale, "qtbase", "_", directory):
        app.installTranslator(translator)
        _translators.append(translator)
    else:
        log.warning("Qt translations for %s not found", locale)


def prepare_application(app: QApplication, locale: str, *, text_scale: int = 100, high_contrast: bool = False) -> None:
    """Everything the QApplication needs before the first window: style, font, Qt translations.

    Called again when the language, the text size (percent, 100–200) or the contrast changes at run time;
    the desk then rebuilds its main window so every text and layout follows.
    """
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName(_("fzmediate"))
    scale = text_scale / 100
    apply_style(app, scale, high_contrast)
    install_app_font(app, locale, scale=scale)
    install_qt_translations(app, locale)


def show_crash_dialog_if_possible() -> None:
    """The crash dialog, when there is a screen to show it on (the GUI thread of a running, visible app)."""
    on_gui_thread = threading.current_thread() is threading.main_thread()
    if on_gui_thread and QApplication.instance() is not None and QGuiApplication.platformName() != "offscreen":
        _show_crash_dialog()


def _show_crash_dialog() -> None:
    box = QMessageBox(
        QMessageBox.Icon.Critical,
        _("fzmediate"),
        _(
            "An unexpected error occurred. The details were written to the log file. "
            "Save your work if you can and restart the program."
        ),
        QMessageBox.StandardButton.Ok,
    )
    box.exec()


def install_excepthook() -> None:
    """Log uncaught exceptions and tell the user briefly, without the exception text (it may hold personal data).

    The log gets the type and the stack frames only (:func:`fzmediate.guard.log_unexpected`), masked.
    """
    showing = False

    def hook(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        nonlocal showing
        if issubclass(exc_type, KeyboardInterrupt):
            QApplication.exit(EXIT_INTERRUPTED)  # Ctrl+C in the terminal: leave quietly
            return
        log_unexpected(exc.with_traceback(tb), None, level=logging.CRITICAL)
        on_gui_thread = threading.current_thread() is threading.main_thread()
        if on_gui_thread and QApplication.instance() is not None and not showing:
            showing = True
            try:
                _show_crash_dialog()
            finally:
                showing = False

    def thread_hook(args: threading.ExceptHookArgs) -> None:
        if args.exc_value is not None:
            log_unexpected(args.exc_value.with_traceback(args.exc_traceback), None, level=logging.CRITICAL)

    sys.excepthook = hook
    threading.excepthook = thread_hook


def _preload_store(_token: object) -> None:
    import fzmediate.services.session  # noqa: F401  (SQLAlchemy, Alembic, the store)


def run(mode: str, argv: Sequence[str]) -> int:
    """Run the app in ``mode`` ("desk" or "kiosk"); return the process exit code."""
    args, qt_args = parse_args(mode, argv)
    data_dir: Path = args.data_dir if args.data_dir is not None else default_data_dir()
    settings = Settings.load(data_dir)
    locale = set_locale(args.lang if args.lang else settings.locale)
    configure_logging(data_dir / "logs")
    log.info("starting %s (locale %s)", mode, locale)

    pin_singletons()  # before any Qt call: PySide6 6.12 on Python 3.11 (see ui/pyside_compat.py)
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication([sys.argv[0] or APP_NAME, *qt_args])
    prepare_application(app, locale, text_scale=settings.text_scale, high_contrast=settings.high_contrast)
    install_excepthook()

    if mode == "kiosk":
        from ui.kiosk.app import run_kiosk

        return run_kiosk(app, args, data_dir)
    if mode != "desk":
        print(_("Unknown mode: {mode}").format(mode=mode), file=sys.stderr)
        return 2

    from fzmediate.services.workspace import Workspace  # the desk's store: never loaded on the kiosk's path
    from ui.desk.shell import DeskShell
    from ui.ops import Ops

    ops = Ops()
    shell = DeskShell(Workspace(data_dir), ops, settings, freeze_heap=True)
    shell.start()
    # Load the store's libraries on the DB worker while the user types the password, not at start-up.
    ops.run_db(
        _preload_store, on_failure=lambda exc: log.warning("preloading the store failed: %s", type(exc).__name__)
    )
    if args.exit_when_ready:
        from PySide6.QtCore import QTimer

        def ready() -> None:
            print("ready {0:.6f}".format(time.time()), flush=True)
            app.quit()

        QTimer.singleShot(0, ready)  # runs once the event loop has shown the first screen
    try:
        code = app.exec()
    finally:
        shell.shutdown()
        ops.shutdown()  # runs the queued lock before the DB thread ends
    log.info("exit %d", code)
    return int(code)
