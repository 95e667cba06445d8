"""Back-off under attack by parallel processes: 24 wrong guesses at once reach the key derivation at most
``ATTEMPT_BUDGET`` times in total, every one of them is counted, and the counter file holds nothing typed."""

from __future__ import annotations

import json
import multiprocessing as mp
from pathlib import Path
from typing import Any

import pytest

from fzmediate.errors import AuthenticationError, BackoffError
from fzmediate.security import keyslots as ks
from fzmediate.security.backoff import ATTEMPT_BUDGET
from fzmediate.services.workspace import Workspace
from tests.support import ADMIN_PW, FAST_KDF, MEDIATOR_PW, NEW_PW

PROCESSES = 24
#: A password typed into the user-name field by mistake: it must never be readable from the counter file.
TYPED_AS_LOGIN = MEDIATOR_PW


def _attempt(data_dir: str, how: str, code: str, barrier: Any, derivations: Any, outcomes: Any) -> None:
    """One attacking process: wait for the others, make one wrong attempt, report what happened."""
    real = ks.KdfParams.derive

    def counting(self: ks.KdfParams, secret: bytes, salt: bytes) -> bytes:
        with derivations.get_lock():
            derivations.value += 1
        return real(self, secret, salt)

    ks.KdfParams.derive = counting  # type: ignore[method-assign]
    ws = Workspace(Path(data_dir), kdf=FAST_KDF)
    barrier.wait(timeout=60)
    try:
        if how == "recover":
            ws.recover(code, "admin", NEW_PW)
        elif how == "typed-password-as-login":
            ws.unlock(TYPED_AS_LOGIN, ADMIN_PW)
        else:
            ws.unlock("admin", "wrong-" + ADMIN_PW)
        outcomes.put("opened")
    except BackoffError:
        outcomes.put("told to wait")
    except AuthenticationError:
        outcomes.put("checked")
    except Exception as exc:  # reported, so the test fails with the reason
        outcomes.put(type(exc).__name__)


def _context() -> Any:
    # fork starts 24 processes in well under a second; spawn (Windows, macOS) works too, only slower.
    return mp.get_context("fork" if "fork" in mp.get_all_start_methods() else "spawn")


@pytest.mark.parametrize("how", ["wrong-password", "typed-password-as-login", "recover"])
def test_parallel_wrong_guesses_stay_within_the_budget(initialized: Workspace, how: str) -> None:
    ctx = _context()
    barrier = ctx.Barrier(PROCESSES)
    derivations = ctx.Value("i", 0)
    outcomes = ctx.Queue()
    wrong_code = ks.new_recovery_code()  # well formed, so it does reach the key derivation
    args = (str(initialized.paths.root), how, wrong_code, barrier, derivations, outcomes)
    procs = [ctx.Process(target=_attempt, args=args) for _ in range(PROCESSES)]
    for p in procs:
        p.start()
    results = [outcomes.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0

    checked = results.count("checked")
    assert results.count("told to wait") + checked == PROCESSES, results
    # Every attempt that reached the KDF took a slot of the budget first: the budget is never exceeded.
    assert checked == derivations.value
    assert checked == ATTEMPT_BUDGET
    counter_login = {"recover": ks.RECOVERY_LOGIN, "typed-password-as-login": TYPED_AS_LOGIN}.get(how, "admin")
    assert initialized.backoff.failures(counter_login) == checked  # none was lost
    assert initialized.backoff.remaining(counter_login) > 0

    raw = initialized.paths.attempts.read_bytes()
    body = json.loads(raw)
    assert set(body) == {"format", "version", "salt", "counters"}
    for typed in (TYPED_AS_LOGIN, "admin", ks.RECOVERY_LOGIN, wrong_code.replace("-", "")):
        for form in (typed, typed.lower(), typed.upper()):
            assert form.encode("utf-8") not in raw and form.encode("utf-16-le") not in raw


def test_a_success_clears_the_counter_and_an_old_login_keyed_file_is_dropped(initialized: Workspace) -> None:
    # The previous version kept login names (and whatever was typed as one) in the clear.
    initialized.paths.attempts.write_text(json.dumps({TYPED_AS_LOGIN: {"failures": 3, "last_failure": 0.0}}))
    with pytest.raises(AuthenticationError):
        initialized.unlock(TYPED_AS_LOGIN, ADMIN_PW)
    assert TYPED_AS_LOGIN.encode() not in initialized.paths.attempts.read_bytes()
    assert initialized.backoff.failures(TYPED_AS_LOGIN) == 1
    for _attempt_no in range(2):
        with pytest.raises(AuthenticationError):
            initialized.unlock("admin", "wrong-" + ADMIN_PW)
    with initialized.unlock("admin", ADMIN_PW) as s:
        unlock = next(e for e in s.maintenance.audit_tail(5) if e.action == "session.unlock")
        assert unlock.details["failed_attempts_before"] == 2  # this attempt's own reservation is not a failure
    assert initialized.backoff.failures("admin") == 0
    assert initialized.backoff.failures(TYPED_AS_LOGIN) == 1  # other counters are untouched

    # An old file is replaced at the first success too, not only at the next failure.
    initialized.paths.attempts.write_text(json.dumps({TYPED_AS_LOGIN: {"failures": 1, "last_failure": 0.0}}))
    initialized.unlock("admin", ADMIN_PW).lock()
    assert TYPED_AS_LOGIN.encode() not in initialized.paths.attempts.read_bytes()
