"""Run one operation in a forked child and kill it with SIGKILL: at a named crash point or after a delay.

The parent has imported everything already, so a round costs the operation itself, not a new interpreter.
The parent must hold no open database connection when it forks (SQLite forbids carrying one across).
"""

from __future__ import annotations

import os
import shutil
import signal
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from fzmediate.security.crashpoints import ENV, TRACE_PREFIX

if not hasattr(os, "fork"):  # pragma: no cover - Windows
    pytest.skip("kill -9 tests need os.fork", allow_module_level=True)

DONE = b"operation-returned\n"


@dataclass(frozen=True)
class Outcome:
    killed: bool  # died of SIGKILL (at the crash point, or by the parent's timer)
    acknowledged: bool  # the operation returned before the child died: its result must be durable
    error: str  # a traceback if the operation raised (the test decides whether that is expected)


def run_forked(
    operation: Callable[[], object], *, crashpoint: str | None = None, kill_after: float | None = None
) -> Outcome:
    """Fork; the child runs ``operation`` (dying at ``crashpoint`` if it is reached); the parent waits,
    or kills the child after ``kill_after`` seconds."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # child: never return into pytest
        code = 0
        try:
            os.close(read_end)
            if crashpoint is not None:
                os.environ[ENV] = crashpoint
            operation()
            os.write(write_end, DONE)
        except BaseException:
            code = 1
            os.write(write_end, traceback.format_exc().encode("utf-8", "replace")[-4000:])
        finally:
            os._exit(code)
    os.close(write_end)
    if kill_after is not None:
        time.sleep(kill_after)
        os.kill(pid, signal.SIGKILL)
    _pid, status = os.waitpid(pid, 0)
    with os.fdopen(read_end, "rb") as fh:
        output = fh.read()
    killed = os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL
    acknowledged = output.startswith(DONE)
    error = "" if acknowledged or not output else output.decode("utf-8", "replace")
    return Outcome(killed=killed, acknowledged=acknowledged, error=error)


@dataclass(frozen=True)
class Point:
    """A crash point as reached in one run: its name, the n-th time, and seconds after the fork."""

    name: str
    nth: int
    at: float

    @property
    def spec(self) -> str:
        return "{0}#{1}".format(self.name, self.nth)


def trace_points(operation: Callable[[], object], trace_file: Path) -> list[Point]:
    """Run ``operation`` once to the end, recording every crash point reached, in order."""
    trace_file.unlink(missing_ok=True)
    started = time.monotonic()
    outcome = run_forked(operation, crashpoint=TRACE_PREFIX + str(trace_file))
    assert outcome.acknowledged, outcome.error
    seen: dict[str, int] = {}
    points = []
    for line in trace_file.read_text("utf-8").splitlines():
        name, at = line.split()
        seen[name] = seen.get(name, 0) + 1
        points.append(Point(name, seen[name], float(at) - started))
    return points


def timed(operation: Callable[[], object]) -> float:
    """How long ``operation`` takes in a forked child (the window random kills are drawn from)."""
    started = time.monotonic()
    outcome = run_forked(operation)
    assert outcome.acknowledged, outcome.error
    return time.monotonic() - started


@contextmanager
def ram_folder(fallback: Path) -> Iterator[Path]:
    """A scratch folder in RAM (``/dev/shm``) when there is one, else ``fallback``.

    kill -9 leaves the page cache intact, so what these tests check does not depend on fsync reaching a
    disk; on a RAM file system fsync costs nothing and a round takes milliseconds instead of a disk flush.
    """
    shm = Path("/dev/shm")
    if shm.is_dir() and os.access(shm, os.W_OK):
        folder = Path(tempfile.mkdtemp(prefix="fzmediate-kill9-", dir=shm))
        try:
            yield folder
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    else:
        fallback.mkdir(parents=True, exist_ok=True)
        yield fallback
