"""Composition root: arguments, locale, then the desk app, the kiosk or the command line.

python main.py desk [--data-dir DIR] [--lang zh_CN|en|zh_TW]
python main.py kiosk [--data-dir DIR]
python main.py <fzmediate command …>     (same as the `fzmediate` command)
"""

from __future__ import annotations

import sys


def main(argv: list[str]) -> int:
    if argv and argv[0] in ("desk", "kiosk"):
        from ui.app import run

        return run(argv[0], argv[1:])
    from fzmediate.cli import main as cli_main

    return cli_main(argv)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
