"""Shared pieces for the desk's screen tests: an unlocked session context on a real encrypted store, with the
test staff (``tests.documents.case_lifecycles.staff``), and a way to wait for a store call.

``desk_env`` (see ``tests/ui/conftest.py``) signs in as the mediator; ``sign_in(ws, ops, login, pw)`` builds
another. Screens are given the :class:`~ui.desk.page.DeskEnv` and driven with qtbot; store calls go through
``env.context.call`` exactly as in the app.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pytestqt.qtbot import QtBot

from fzmediate.services.workspace import Workspace
from fzmediate.settings import Settings
from ui.desk.page import DeskEnv
from ui.ops import CancelToken, Ops
from ui.session_context import SessionContext

WAIT_MS = 20_000


def sign_in(qtbot: QtBot, ws: Workspace, ops: Ops, login: str, password: str) -> DeskEnv:
    """Unlock ``ws`` on the DB worker as ``login`` and wrap the session as the desk does."""
    out: dict[str, Any] = {}
    ops.run_db(
        lambda token: ws.unlock(login, password),
        on_success=lambda s: out.setdefault("session", s),
        on_failure=lambda e: out.setdefault("error", e),
    )
    qtbot.waitUntil(lambda: bool(out), timeout=WAIT_MS)
    if "error" in out:
        raise out["error"]
    return DeskEnv(SessionContext(ops, out["session"]), Settings())


def call(qtbot: QtBot, env: DeskEnv, fn: Callable[..., Any], *args: Any) -> Any:
    """``env.context.call(fn, *args)`` and wait: its result, or raise its error."""
    out: dict[str, Any] = {}
    env.context.call(
        fn, *args, on_success=lambda v: out.setdefault("value", v), on_failure=lambda e: out.setdefault("error", e)
    )
    qtbot.waitUntil(lambda: bool(out), timeout=WAIT_MS)
    if "error" in out:
        raise out["error"]
    return out["value"]


def in_store(qtbot: QtBot, env: DeskEnv, fn: Callable[[Any], Any]) -> Any:
    """Run ``fn(session)`` on the DB worker (set-up and checks in tests only: screens use ``call``)."""
    out: dict[str, Any] = {}

    def work(session: Any, token: CancelToken) -> Any:
        return fn(session)

    env.context.run(
        work, on_success=lambda v: out.setdefault("value", v), on_failure=lambda e: out.setdefault("error", e)
    )
    qtbot.waitUntil(lambda: "value" in out or "error" in out, timeout=WAIT_MS)
    if "error" in out:
        raise out["error"]
    return out.get("value")


def close(qtbot: QtBot, env: DeskEnv) -> None:
    done: list[bool] = []
    handle = env.context.close(on_done=lambda: done.append(True))
    if handle is not None:
        qtbot.waitUntil(lambda: bool(done), timeout=WAIT_MS)
