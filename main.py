"""Composition root: arguments, locale, then the desk app, the kiosk or the command line.

python main.py desk [--data-dir DIR] [--lang zh_CN|en|zh_TW]
python main.py kiosk [--data-dir DIR]
python main.py <fzmediate command …>     (same as the `fzmediate` command)

Whatever escapes, the user gets one line (and, in the desk, a dialog), never a traceback: see
fzmediate/guard.py.
"""

from __future__ import annotations

import sys
from pathlib import Path


def _log_dir(argv: list[str]) -> Path:
    from fzmediate.paths import default_data_dir

    data_dir = None
    for i, a in enumerate(argv):
        if a == "--data-dir" and i + 1 < len(argv):
            data_dir = argv[i + 1]
        elif a.startswith("--data-dir="):
            data_dir = a.split("=", 1)[1]
    return (Path(data_dir) if data_dir else default_data_dir()) / "logs"


def _crash_dialog() -> None:
    from ui.app import show_crash_dialog_if_possible

    show_crash_dialog_if_possible()


def opens_app(argv: list[str]) -> bool:
    """Whether ``argv`` starts the desk or the kiosk app; ``kiosk init …`` (any kiosk command) is the command
    line, wherever the command word stands among the options (``kiosk --help`` is the kiosk app's help)."""
    if not argv or argv[0] not in ("desk", "kiosk"):
        return False
    if argv[0] == "kiosk":
        from fzmediate.cli_kiosk import KIOSK_COMMANDS

        return not any(a in KIOSK_COMMANDS for a in argv[1:])
    return True


def main(argv: list[str]) -> int:
    if opens_app(argv):
        from fzmediate.guard import run_guarded

        def app() -> int:
            from ui.app import run

            return run(argv[0], argv[1:])

        return run_guarded(app, log_dir=lambda: _log_dir(argv), on_unexpected=_crash_dialog)
    from fzmediate.cli import main as cli_main  # guarded itself

    return cli_main(argv)


if __name__ == "__main__":
    import multiprocessing

    # A frozen build (PyInstaller) starts the store's worker process from this executable: let it be one.
    multiprocessing.freeze_support()
    raise SystemExit(main(sys.argv[1:]))
