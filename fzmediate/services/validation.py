"""Rules for the fields the foundation services accept (login names, passwords, roles)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from fzmediate.errors import ValidationError
from fzmediate.i18n import _
from fzmediate.security import recovery_code
from fzmediate.security.kdf import RECOVERY_LOGIN
from fzmediate.security.password_strength import assess
from fzmediate.security.roles import Role, role_label

_LOGIN = re.compile(r"^[a-z][a-z0-9._-]{1,31}$")
MIN_PASSWORD = 8
MAX_PASSWORD = 256


def validate_login(login: str) -> str:
    value = login.strip()
    if value == RECOVERY_LOGIN or not _LOGIN.match(value):
        raise ValidationError(
            _(
                "User name: 2–32 characters, lower-case letters, digits, '.', '_' or '-', starting with a letter "
                "(a login name, not the person's real name)."
            ),
            field="login",
        )
    return value


def password_problem(password: str, *, role: Role | str | None = None, user_inputs: Iterable[str] = ()) -> str:
    """Why ``password`` is refused for ``role`` (one localized line), or "" when it is acceptable.

    The desk calls this as the user types; ``validate_password`` raises it.
    """
    if len(password) < MIN_PASSWORD:
        return _("Password: at least {min} characters.").format(min=MIN_PASSWORD)
    if len(password) > MAX_PASSWORD:
        return _("Password: at most {max} characters.").format(max=MAX_PASSWORD)
    return assess(password, role=role, user_inputs=user_inputs).reason


def validate_password(password: str, *, role: Role | str | None = None, user_inputs: Iterable[str] = ()) -> bytes:
    """The password as bytes for the key derivation, or ValidationError saying why it is too weak.

    Everyone needs a zxcvbn score of 3, administrators 4 (``role``; None means any user). ``user_inputs``
    (login, full name) count as the first guesses an attacker would try.
    """
    problem = password_problem(password, role=role, user_inputs=user_inputs)
    if problem:
        raise ValidationError(problem, field="password")
    return password.encode("utf-8")


def validate_recovery_code(text: str) -> bytes:
    """The key-derivation secret of a typed recovery code; ValidationError naming the group to check."""
    return recovery_code.validate(text)


def validate_role(role: str) -> Role:
    try:
        return Role(role)
    except ValueError:
        raise ValidationError(
            _("Role: must be one of {roles}.").format(
                roles=", ".join("{0} ({1})".format(r.value, role_label(r)) for r in Role)
            ),
            field="role",
        ) from None


def validate_full_name(name: str) -> str:
    value = name.strip()
    if len(value) > 64:
        raise ValidationError(_("Full name: at most 64 characters."), field="full_name")
    if any(ord(ch) < 32 for ch in value):
        raise ValidationError(_("Full name: control characters are not allowed."), field="full_name")
    return value


def validate_address(address: str) -> str:
    value = address.strip()
    if len(value) > 200:
        raise ValidationError(_("Address: at most 200 characters."), field="address")
    if any(ord(ch) < 32 for ch in value):
        raise ValidationError(_("Address: control characters are not allowed."), field="address")
    return value
