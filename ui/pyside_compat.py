"""A work-around for PySide6 6.12.0 on Python 3.11: it under-counts references to None, True and False.

PySide6 6.12.0 drops one reference to ``None`` each time Qt calls a Python slot that returns None or hands
back an empty value (``currentData()``, ``index.data()`` through a proxy model), and one to ``True`` per
signal emitted from Python. The wheels assume the *immortal* None/True/False of Python 3.12 (PEP 683), where
reference counts of these objects are never decremented. On Python 3.11 — the system Python of Debian 12 and
of this project's supported desktops — a desk session drains None by thousands of references a minute and
the process aborts with "Fatal Python error: none_dealloc". PySide6 6.11.3 does not have the fault, but it
has no separate QtPdf wheel (the preview needs QtPdf), so the project stays on 6.12.

:func:`pin_singletons` does at start-up what Python 3.12 does by design: it raises the three objects' counts
out of reach (2**40 references; the leak would take years of continuous use to drain it). It touches nothing
else, runs only on CPython < 3.12 with PySide6 6.12.x, and is a no-op everywhere else. Remove it when the
project requires Python 3.12 or PySide6 fixes the fault (``tests/ui/test_pyside_compat.py`` shows both the
fault and the cure in a child process, so a fixed PySide6 makes that test say so).
"""

from __future__ import annotations

import platform
import sys

#: How many references are added to None, True and False.
PIN = 1 << 40
_pinned = False


def affected(pyside_version: str | None = None) -> bool:
    """Whether this interpreter and PySide6 have the fault (CPython before 3.12, PySide6 6.12.x)."""
    if sys.version_info >= (3, 12) or platform.python_implementation() != "CPython":
        return False
    if pyside_version is None:
        import PySide6

        pyside_version = PySide6.__version__
    return pyside_version.startswith("6.12.")


def pin_singletons() -> bool:
    """Raise the reference counts of None, True and False out of reach; True when it did (see module docs)."""
    global _pinned
    if _pinned or not affected():
        return _pinned
    import ctypes

    for obj in (None, True, False):
        # ob_refcnt is the first field of every CPython object (Include/object.h).
        ctypes.c_ssize_t.from_address(id(obj)).value += PIN
    _pinned = True
    return True
