"""The recovery code: random, easy to read aloud and type, and telling *where* a typing mistake is.

Format (version 2): 7 groups of 4 Crockford base32 characters (alphabet ``0123456789ABCDEFGHJKMNPQRSTVWXYZ``:
no I, L, O or U), e.g. ``7KQ3-…``. Each group is 3 random characters and 1 check character, so the code
carries 21 × 5 = 105 random bits (at least the 96 the design asks for).

The check character of group *n* (1 to 7) is the Luhn mod 32 check symbol (``stdnum.luhn`` over the Crockford
alphabet) of the group's index symbol followed by its 3 data characters. Luhn mod N catches every single
mistyped character and almost every swap of two neighbours; the index makes a group typed in the wrong place
fail too. So a mistyped code is reported as "check group N" before any key derivation runs (and is not
counted as a failed attempt).

Typing is forgiving: case is ignored, hyphens and spaces are ignored (full-width ones from a Chinese input
method too), O is read as 0 and I or L as 1. The secret given to the key derivation is the 21 normalized
data characters; the check characters add nothing an attacker could use.

Codes issued before (version 1: RFC 4648 base32, 5 groups of 4, no check characters) are recognised by
their length and still open their slot, as they always did.
"""

from __future__ import annotations

import re
import secrets
import unicodedata

from stdnum import luhn

from fzmediate.errors import ValidationError
from fzmediate.i18n import _

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
GROUPS = 7
DATA_PER_GROUP = 3
GROUP_SIZE = DATA_PER_GROUP + 1
CODE_LENGTH = GROUPS * GROUP_SIZE
#: Version 1 codes: 20 characters of RFC 4648 base32 (A–Z, 2–7) in 5 groups of four.
LEGACY_LENGTH = 20
_LEGACY_ALPHABET = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")

_SEPARATORS = re.compile(r"[\s\-_.\u00b7\u2010-\u2015\u2212]+")
# Crockford's decoding rule: the letters left out of the alphabet are read as the digits they look like.
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})


def _check_symbol(index: int, data: str) -> str:
    return str(luhn.calc_check_digit(ALPHABET[index] + data, alphabet=ALPHABET))


def new_code() -> str:
    """A fresh code (105 random bits), grouped for printing: ``XXXX-XXXX-…``."""
    groups = []
    for n in range(1, GROUPS + 1):
        data = "".join(secrets.choice(ALPHABET) for _ in range(DATA_PER_GROUP))
        groups.append(data + _check_symbol(n, data))
    return "-".join(groups)


def _bad_group(n: int) -> ValidationError:
    return ValidationError(_("Recovery code: check group {n}.").format(n=n), field="recovery_code")


def _bad_length() -> ValidationError:
    return ValidationError(
        _("Recovery code: it has {groups} groups of 4 characters; some are missing or extra.").format(groups=GROUPS),
        field="recovery_code",
    )


def validate(text: str) -> bytes:
    """The secret for the key derivation, or ValidationError naming the group to check (no KDF needed)."""
    # NFKC: full-width letters, digits and spaces from a Chinese input method read as their ASCII forms.
    stripped = unicodedata.normalize("NFKC", text).strip().upper()
    parts = [p for p in _SEPARATORS.split(stripped) if p]
    cleaned = "".join(parts)
    if len(cleaned) == LEGACY_LENGTH and set(cleaned.replace("0", "O")) <= _LEGACY_ALPHABET:
        # A version-1 code: its alphabet has no 0, so a 0 can only be a mistyped O.
        return cleaned.replace("0", "O").encode("ascii")
    cleaned = cleaned.translate(_READ_AS)
    if len(parts) == GROUPS:
        # Typed in groups: a group of the wrong length is the one to check.
        for n, part in enumerate(parts, start=1):
            if len(part) != GROUP_SIZE:
                raise _bad_group(n)
    if len(cleaned) != CODE_LENGTH:
        raise _bad_length()
    data = []
    for n in range(1, GROUPS + 1):
        group = cleaned[(n - 1) * GROUP_SIZE : n * GROUP_SIZE]
        if any(ch not in ALPHABET for ch in group) or _check_symbol(n, group[:DATA_PER_GROUP]) != group[-1]:
            raise _bad_group(n)
        data.append(group[:DATA_PER_GROUP])
    return "".join(data).encode("ascii")


def normalize(code: str) -> bytes:
    """The key-derivation secret of a code this program printed (same rules as ``validate``)."""
    return validate(code)
