"""How hard a password is to guess (zxcvbn), and *why* it is too easy, in our own localized words.

zxcvbn estimates the guesses an attacker needs from the patterns it finds (common passwords, words, names,
keyboard walks, repeats, sequences, dates, and the person's own user name and name). Its score runs from 0
to 4; everyone needs 3 ("safely unguessable", about 10⁸ guesses) and administrators 4 (about 10¹⁰), because an
administrator's password opens every user's management.

zxcvbn's own feedback is English text (and is looked up in the process-wide gettext domain), so the reason
is chosen here from the pattern zxcvbn matched, following zxcvbn's own choice of the weakest part, and
worded with our msgids. zxcvbn is imported on first use, never at start-up, so the desk's cold start does
not pay for its dictionaries.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from fzmediate.i18n import _
from fzmediate.security.roles import Role

MIN_SCORE = 3
ADMIN_MIN_SCORE = 4
#: zxcvbn refuses longer input; the first 72 characters decide (a score of 4 needs far fewer).
ZXCVBN_MAX_LENGTH = 72
#: Words anyone attacking this program would try first.
APP_WORDS = ("fzmediate", "mediate", "mediation", "mediator", "admin", "administrator", "tiaojie", "renmin")

# zxcvbn keeps the user inputs in a module-wide table while it scores: one scoring at a time.
_zxcvbn_lock = threading.Lock()


@dataclass(frozen=True)
class Verdict:
    score: int
    required: int
    #: Localized reason why the password is too easy to guess; "" when it is strong enough.
    reason: str

    @property
    def ok(self) -> bool:
        return self.score >= self.required


def required_score(role: Role | str | None) -> int:
    """The zxcvbn score a password needs for ``role`` (None: any user)."""
    return ADMIN_MIN_SCORE if role is not None and str(role) == Role.ADMIN.value else MIN_SCORE


def _score(password: str, user_inputs: list[str]) -> Mapping[str, Any]:
    from zxcvbn import zxcvbn

    with _zxcvbn_lock:
        result: Mapping[str, Any] = zxcvbn(password[:ZXCVBN_MAX_LENGTH], user_inputs=user_inputs)
    return result


def _reason_for(match: Mapping[str, Any], sole: bool) -> str:
    """Our sentence for the pattern zxcvbn found weakest (its own feedback rules, our words)."""
    pattern = match.get("pattern")
    if pattern == "dictionary":
        name = match.get("dictionary_name")
        if name == "user_inputs":
            return _(
                "Password: it contains your user name, your name or a word from this program; those are tried first."
            )
        if name == "passwords" and sole and not match.get("l33t") and not match.get("reversed"):
            return _("Password: this is one of the most common passwords.")
        if match.get("l33t"):
            return _(
                "Password: swapping letters for look-alike digits or symbols does not make a word harder to guess."
            )
        if name == "passwords" and float(match.get("guesses_log10", 99)) <= 4:
            return _("Password: it is too close to a common password.")
        if name in ("surnames", "male_names", "female_names"):
            return _("Password: names are easy to guess; add two or three unrelated words.")
        return _("Password: a word or two on its own is easy to guess; add another unrelated word.")
    if pattern == "spatial":
        return _("Password: keyboard patterns such as qwerty are easy to guess.")
    if pattern == "repeat":
        return _("Password: repeated characters or words are easy to guess.")
    if pattern == "sequence":
        return _("Password: sequences such as abc or 6543 are easy to guess.")
    if pattern in ("date", "regex"):
        return _("Password: years and dates are easy to guess.")
    return ""


def _reason(result: Mapping[str, Any], required: int) -> str:
    sequence = list(result.get("sequence") or [])
    own = next(
        (m for m in sequence if m.get("pattern") == "dictionary" and m.get("dictionary_name") == "user_inputs"),
        None,
    )
    if own is not None:
        return _reason_for(own, len(sequence) == 1)
    if required >= ADMIN_MIN_SCORE and int(result.get("score", 0)) == required - 1:
        # Strong enough for other users: what is missing is length, not a particular pattern.
        return _("Password: an administrator needs a very hard to guess password; add another unrelated word.")
    if sequence:
        longest = max(sequence, key=lambda m: len(str(m.get("token", ""))))
        reason = _reason_for(longest, len(sequence) == 1)
        if reason:
            return reason
    return _("Password: too easy to guess; make it longer, for example three or four unrelated words.")


def assess(password: str, *, role: Role | str | None = None, user_inputs: Iterable[str] = ()) -> Verdict:
    """Score ``password`` for ``role``; ``user_inputs`` are the person's login, name and the like."""
    required = required_score(role)
    inputs = [s for s in (str(u).strip() for u in user_inputs) if s] + list(APP_WORDS)
    result = _score(password, inputs)
    score = int(result.get("score", 0))
    return Verdict(score=score, required=required, reason="" if score >= required else _reason(result, required))
