"""Command-line options read before the parser runs (the language of the parser's own help, the log folder)."""

from __future__ import annotations

from collections.abc import Sequence


def prescan(argv: Sequence[str], option: str) -> str | None:
    """The value of the last ``option`` in ``argv`` (before ``--``), read before the parser runs."""
    found = None
    for i, a in enumerate(argv):
        if a == "--":
            break
        if a == option and i + 1 < len(argv):
            found = argv[i + 1]
        elif a.startswith(option + "="):
            found = a.split("=", 1)[1]
    return found
