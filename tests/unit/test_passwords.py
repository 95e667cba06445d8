"""Password strength: zxcvbn score 3 for everyone, 4 for administrators, and a localized reason why not."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from fzmediate.errors import ValidationError
from fzmediate.i18n import _
from fzmediate.security import keyslots as ks
from fzmediate.services.validation import password_problem, validate_password
from fzmediate.services.workspace import Workspace
from tests.support import ADMIN_PW, MEDIATOR_PW, NEW_PW

#: zxcvbn score 3: enough for a mediator, not for an administrator.
GOOD_NOT_ADMIN = "Harbor-Violet"


def reason(password: str, **kw: object) -> str:
    with pytest.raises(ValidationError) as err:
        validate_password(password, **kw)  # type: ignore[arg-type]
    assert err.value.field == "password"
    return err.value.message


@pytest.mark.parametrize(
    ("password", "msgid"),
    [
        ("qwertyuiop", "Password: this is one of the most common passwords."),
        ("aaaaaaaaaaaa", "Password: repeated characters or words are easy to guess."),
        ("abcdefgh1234", "Password: sequences such as abc or 6543 are easy to guess."),
        ("19850612ab", "Password: years and dates are easy to guess."),
        (
            "P@ssw0rd123",
            "Password: swapping letters for look-alike digits or symbols does not make a word harder to guess.",
        ),
    ],
)
def test_a_weak_password_is_refused_with_the_reason_in_our_words(password: str, msgid: str) -> None:
    assert reason(password) == _(msgid)


def test_the_persons_own_login_and_name_count_as_first_guesses() -> None:
    password = "zhangwei-1987"
    assert reason(password, user_inputs=["zhangwei", "张伟"]) == _(
        "Password: it contains your user name, your name or a word from this program; those are tried first."
    )


def test_administrators_need_a_stronger_password_than_other_users() -> None:
    assert validate_password(GOOD_NOT_ADMIN, role="mediator") == GOOD_NOT_ADMIN.encode()
    assert validate_password(GOOD_NOT_ADMIN) == GOOD_NOT_ADMIN.encode()
    assert reason(GOOD_NOT_ADMIN, role="admin") == _(
        "Password: an administrator needs a very hard to guess password; add another unrelated word."
    )
    assert validate_password(ADMIN_PW, role="admin") == ADMIN_PW.encode()


def test_length_limits_still_hold_and_long_passwords_are_scored() -> None:
    assert reason("Ab3-xY9") == _("Password: at least {min} characters.").format(min=8)
    assert reason("x" * 257) == _("Password: at most {max} characters.").format(max=256)
    long_strong = "-".join([ADMIN_PW] * 11)[:256]  # beyond zxcvbn's own 72-character limit
    assert validate_password(long_strong, role="admin")
    assert password_problem("a" * 200)  # a long but trivial password is still refused


def test_the_services_apply_the_rule_of_the_users_role(initialized: Workspace) -> None:
    with initialized.unlock("admin", ADMIN_PW) as s:
        s.users.add("med1", "mediator", GOOD_NOT_ADMIN)
        with pytest.raises(ValidationError) as err:
            s.users.add("admin2", "admin", GOOD_NOT_ADMIN)
        assert err.value.field == "password"
        with pytest.raises(ValidationError):
            s.users.set_password("admin", GOOD_NOT_ADMIN)  # an administrator's own change: score 4
        s.users.set_password("med1", MEDIATOR_PW)
        with pytest.raises(ValidationError):
            s.users.set_password("med1", "med1-password")  # contains the login
    initialized.unlock("med1", MEDIATOR_PW).lock()
    initialized.unlock("admin", ADMIN_PW).lock()  # the refused change left the password as it was


def test_set_up_and_recovery_demand_an_administrators_strength(workspace: Workspace) -> None:
    with pytest.raises(ValidationError) as err:
        workspace.initialize("admin", GOOD_NOT_ADMIN)
    assert err.value.field == "password" and not workspace.is_initialized()
    code = workspace.initialize("admin", ADMIN_PW).recovery_code
    with pytest.raises(ValidationError):
        workspace.recover(code, "admin", GOOD_NOT_ADMIN)  # the role is known once the code opened the store
    assert workspace.backoff.failures(ks.RECOVERY_LOGIN) == 0  # the right code is not a failed attempt
    workspace.recover(code, "admin", NEW_PW)
    workspace.unlock("admin", NEW_PW).lock()


def test_zxcvbn_is_not_loaded_until_a_password_is_checked() -> None:
    code = (
        "import sys, fzmediate.services.workspace, fzmediate.services.validation\n"
        "assert 'zxcvbn' not in sys.modules\n"
        "fzmediate.services.validation.password_problem('Tall-Copper-Lantern-47')\n"
        "assert 'zxcvbn' in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).resolve().parents[2])
