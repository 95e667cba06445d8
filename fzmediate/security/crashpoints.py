"""Named crash points for the kill -9 tests: the process kills itself with SIGKILL at a chosen step.

Steps that must survive a crash (restore's swap, re-key, atomic file writes) call ``crashpoint("name")``.
Nothing happens unless the environment variable ``FZMEDIATE_CRASHPOINT`` is set, so production pays one
dictionary look-up per call. Its value is either

- ``name`` or ``name#N``: die at the N-th time (default 1st) the process reaches ``name``;
- ``name#N@SECONDS``: die SECONDS after reaching it, whatever the process is doing then (a timer thread;
  this is how a test lands a kill inside one long C call such as ``PRAGMA rekey``); or
- ``trace:FILE``: append every point reached to FILE, one a line with its ``time.monotonic()`` (the tests
  use it to list the steps of an operation, so they follow the code instead of a hand-kept list, and to
  aim random kills at a window between two steps).
"""

from __future__ import annotations

import os
import signal
import threading
import time

ENV = "FZMEDIATE_CRASHPOINT"
TRACE_PREFIX = "trace:"

_hits: dict[str, int] = {}


def crashpoint(name: str) -> None:
    """Die here (SIGKILL, no clean-up of any kind) if the environment names this point."""
    target = os.environ.get(ENV)
    if target:
        _reached(name, target)


def _reached(name: str, target: str) -> None:
    if target.startswith(TRACE_PREFIX):
        with open(target[len(TRACE_PREFIX) :], "a", encoding="utf-8") as fh:
            fh.write("{0} {1:.6f}\n".format(name, time.monotonic()))
        return
    spec, _at, delay = target.partition("@")
    point, _sep, nth = spec.partition("#")
    if point != name:
        return
    _hits[name] = _hits.get(name, 0) + 1
    if _hits[name] != int(nth or "1"):
        return
    if delay:
        threading.Timer(float(delay), kill_now).start()
    else:
        kill_now()


def kill_now() -> None:
    """End this process the way a power cut or ``kill -9`` would: no ``finally``, no flush, no atexit."""
    sigkill = getattr(signal, "SIGKILL", None)
    if sigkill is not None:
        os.kill(os.getpid(), sigkill)
    os._exit(137)  # Windows: no SIGKILL; _exit skips every clean-up just the same
