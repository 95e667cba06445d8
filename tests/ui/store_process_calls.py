"""Store calls for the store-process tests: module-level ``fn(session, token, *args)`` as the desk's are.

No Qt here: the store process imports this module (by name, when it unpickles a call), and must stay light.
"""

from __future__ import annotations

import os
import time
from typing import Any

from fzmediate.errors import FzError
from fzmediate.i18n import _
from tests.support import MEDIATOR_PW


class KeywordOnlyError(FzError):
    """An FzError whose __init__ the default exception pickling cannot call (keyword-only arguments)."""

    def __init__(self, *, code: int) -> None:
        super().__init__(_("Enter your password."), field="password")
        self.code = code


def whoami(session: Any, token: Any) -> tuple[str, int]:
    """Who is signed in, and in which process the call ran."""
    return session.actor.login, os.getpid()


def user_logins(session: Any, token: Any) -> tuple[str, ...]:
    return tuple(u.login for u in session.users.list())


def add_mediator(session: Any, token: Any, login: str) -> str:
    session.users.add(login, "mediator", MEDIATOR_PW)
    return login


def count(session: Any, token: Any, steps: int) -> int:
    for i in range(steps):
        token.check()
        token.report(i + 1, steps, "step")
    return steps


def until_cancelled(session: Any, token: Any, seconds: float) -> str:
    """Report progress every few milliseconds until cancelled (or ``seconds`` pass)."""
    deadline = time.monotonic() + seconds
    done = 0
    while time.monotonic() < deadline:
        token.check()
        done += 1
        token.report(done, None, "")
        time.sleep(0.01)
    return "not cancelled"


def refuse_keyword_only(session: Any, token: Any) -> None:
    raise KeywordOnlyError(code=7)


def refuse_local_class(session: Any, token: Any) -> None:
    class Local(FzError):
        pass

    raise Local(_("Enter your user name."), field="login")


def fail_with_personal_data(session: Any, token: Any, secret: str) -> None:
    raise ValueError("the phone number {0} is wrong".format(secret))


def unpicklable_result(session: Any, token: Any) -> object:
    return lambda: None


def sleep(session: Any, token: Any, seconds: float) -> str:
    time.sleep(seconds)
    return "slept"
