"""The recovery code: Crockford base32, forgiving to type, a check character per group, old codes still open."""

from __future__ import annotations

import base64
import secrets

import pytest

from fzmediate.errors import AuthenticationError, ValidationError
from fzmediate.i18n import _
from fzmediate.security import keyslots as ks
from fzmediate.security.recovery_code import ALPHABET
from fzmediate.services.validation import validate_recovery_code
from fzmediate.services.workspace import Workspace
from tests.support import ADMIN_PW, NEW_PW, OTHER_PW


def check_group(n: int) -> str:
    return _("Recovery code: check group {n}.").format(n=n)


def test_a_new_code_is_seven_groups_of_four_crockford_characters() -> None:
    codes = {ks.new_recovery_code() for _ in range(50)}
    assert len(codes) == 50
    for code in codes:
        groups = code.split("-")
        assert len(groups) == 7 and all(len(g) == 4 and set(g) <= set(ALPHABET) for g in groups)
        assert len(ks.normalize_recovery_code(code)) == 21  # 21 data characters × 5 bits = 105 random bits


def test_case_spacing_and_look_alike_letters_do_not_matter() -> None:
    code = ks.new_recovery_code()
    secret = validate_recovery_code(code)
    assert secret == ks.normalize_recovery_code(code)
    typed = "  " + code.lower().replace("-", " ") + " "
    assert validate_recovery_code(typed) == secret
    assert validate_recovery_code(code.replace("-", "")) == secret
    # O is read as 0, I and L as 1 (Crockford): a code written by hand and read back still works.
    misread = code.replace("0", "o").replace("1", "l")
    assert validate_recovery_code(misread) == secret
    assert validate_recovery_code(code.replace("1", "I")) == secret
    # Typed with a Chinese input method in full-width mode.
    full_width = "".join(chr(ord(ch) + 0xFEE0) if ch != "-" else "\u3000" for ch in code)
    assert validate_recovery_code(full_width) == secret


def test_every_single_mistyped_character_names_its_group() -> None:
    code = ks.new_recovery_code().replace("-", "")
    for pos, original in enumerate(code):
        for wrong in ALPHABET:
            if wrong == original:
                continue
            typed = code[:pos] + wrong + code[pos + 1 :]
            with pytest.raises(ValidationError) as err:
                validate_recovery_code(typed)
            assert err.value.message == check_group(pos // 4 + 1) and err.value.field == "recovery_code"


def test_swapped_groups_and_foreign_characters_are_caught() -> None:
    groups = ks.new_recovery_code().split("-")
    swapped = [groups[1], groups[0], *groups[2:]]
    with pytest.raises(ValidationError) as err:
        validate_recovery_code("-".join(swapped))
    assert err.value.message == check_group(1)
    with pytest.raises(ValidationError) as err:
        validate_recovery_code("-".join([*groups[:3], "U" + groups[3][1:], *groups[4:]]))  # U is not in codes
    assert err.value.message == check_group(4)
    with pytest.raises(ValidationError) as err:
        validate_recovery_code("-".join([*groups[:5], groups[5][:3], *groups[6:]]))  # a short group
    assert err.value.message == check_group(6)
    with pytest.raises(ValidationError) as err:
        validate_recovery_code("".join(groups)[:-1])
    assert err.value.field == "recovery_code" and "7" in err.value.message


def _version1_code() -> str:
    """How codes were made before (RFC 4648 base32, 5 groups of four, no check characters)."""
    raw = base64.b32encode(secrets.token_bytes(15)).decode("ascii")[:20]
    return "-".join(raw[i : i + 4] for i in range(0, 20, 4))


def _version1_secret(code: str) -> bytes:
    return "".join(ch for ch in code.upper() if ch.isalnum()).encode("ascii")


def test_a_code_issued_in_the_old_format_still_opens_its_slot(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    old_code = _version1_code()
    # Set the store up exactly as the previous version did: its code and its secret for the recovery slot.
    monkeypatch.setattr(ks, "new_recovery_code", lambda: old_code)
    monkeypatch.setattr(ks, "normalize_recovery_code", _version1_secret)
    workspace.initialize("admin", ADMIN_PW)
    monkeypatch.undo()
    assert validate_recovery_code(old_code.lower().replace("-", " ")) == _version1_secret(old_code)
    new_code = workspace.recover(old_code.lower(), "admin", NEW_PW)
    assert len(new_code.split("-")) == 7  # replaced by a code in the new format
    workspace.unlock("admin", NEW_PW).lock()
    with pytest.raises(AuthenticationError):
        workspace.recover(old_code, "admin", OTHER_PW)  # the used code no longer works


def test_a_mistyped_code_is_refused_before_any_key_derivation_and_is_not_a_failed_attempt(
    initialized: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    derivations: list[int] = []
    real = ks.KdfParams.derive

    def counting(self: ks.KdfParams, secret: bytes, salt: bytes) -> bytes:
        derivations.append(1)
        return real(self, secret, salt)

    monkeypatch.setattr(ks.KdfParams, "derive", counting)
    code = ks.new_recovery_code()
    typo = code[:-1] + ("0" if code[-1] != "0" else "1")
    for _attempt in range(10):
        with pytest.raises(ValidationError) as err:
            initialized.recover(typo, "admin", NEW_PW)
        assert err.value.message == check_group(7)
    assert derivations == []
    assert initialized.backoff.failures(ks.RECOVERY_LOGIN) == 0
    with pytest.raises(AuthenticationError):  # a well-formed wrong code does reach the KDF, and counts
        initialized.recover(code, "admin", NEW_PW)
    assert derivations and initialized.backoff.failures(ks.RECOVERY_LOGIN) == 1
