"""Identity documents and phone numbers of the parties: the kinds we accept and when a number is well formed.

Validation catches mistyped and impossible numbers at entry; it cannot tell whether a document really exists.
Every error names the field and the rule it breaks, never the value typed.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from enum import StrEnum
from typing import Literal

import phonenumbers
from stdnum import numdb
from stdnum.cn import ric, uscc

from fzmediate.errors import ValidationError
from fzmediate.i18n import N_, _

__all__ = [
    "IdType",
    "birth_date_from_id",
    "gender_from_id",
    "id_type_label",
    "normalize_id_number",
    "validate_id_number",
    "validate_phone",
]

ID_FIELD = "id_number"
TYPE_FIELD = "id_type"
PHONE_FIELD = "phone"


class IdType(StrEnum):
    RESIDENT_ID = "resident_id"  # 居民身份证
    HK_MACAO_PERMIT = "hk_macao_permit"  # 港澳居民来往内地通行证
    TAIWAN_PERMIT = "taiwan_permit"  # 台湾居民来往大陆通行证
    HMT_RESIDENCE = "hmt_residence"  # 港澳台居民居住证
    FOREIGN_PERMANENT = "foreign_permanent"  # 外国人永久居留身份证
    PASSPORT = "passport"
    USCC = "uscc"  # 统一社会信用代码 (organisations)


_LABELS = {
    IdType.RESIDENT_ID: N_("Resident identity card"),
    IdType.HK_MACAO_PERMIT: N_("Mainland travel permit for Hong Kong and Macao residents"),
    IdType.TAIWAN_PERMIT: N_("Mainland travel permit for Taiwan residents"),
    IdType.HMT_RESIDENCE: N_("Residence permit for Hong Kong, Macao and Taiwan residents"),
    IdType.FOREIGN_PERMANENT: N_("Foreign permanent resident ID card"),
    IdType.PASSPORT: N_("Passport"),
    IdType.USCC: N_("Unified social credit code"),
}

# Numbers built on GB 11643 (6-digit region, 8-digit birth date, 3-digit sequence, MOD 11-2 check character).
_GB11643_TYPES = frozenset({IdType.RESIDENT_ID, IdType.HMT_RESIDENCE, IdType.FOREIGN_PERMANENT})
_GB11643 = re.compile(r"[0-9]{17}[0-9X]")
_HMT_PREFIXES = ("810000", "820000", "830000")  # Hong Kong, Macao, Taiwan
_EARLIEST_BIRTH = date(1900, 1, 1)

_HK_MACAO = re.compile(r"[HM][0-9]{8}(?:[0-9]{2})?")  # card: H/M + 8; older: + 2-digit issue count
# Since 2008 the 8-digit lifelong number; before, + 2-digit issue count + issuing-office code (letter/digit).
_TAIWAN = re.compile(r"[0-9]{8}(?:[0-9]{2}[0-9A-Z]?)?")
_FOREIGN_OLD = re.compile(r"[A-Z]{3}[0-9]{12}")  # 2004/2017 cards: ISO 3166 alpha-3 nationality + 12 digits
_PASSPORT = re.compile(r"[A-Z0-9]{5,17}")
_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # GB 32100: no I, O, S, V, Z

_SEPARATORS = re.compile(r"[\s\-‐‑‒–—―()\[\]]+")


def id_type_label(id_type: IdType | str) -> str:
    """The document type's name in the active locale."""
    return _(_LABELS[_coerce_type(id_type)])


def normalize_id_number(id_type: IdType | str, raw: str) -> str:
    """The number as stored: full-width characters made half-width, spaces, dashes and brackets removed,
    upper case (``h1234 5678(01)`` → ``H1234567801``). Never raises; ``validate_id_number`` judges the result.
    """
    text = unicodedata.normalize("NFKC", raw)
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")  # zero-width spaces from copy-paste
    # Normalized again: removing a space can leave a bare combining mark that composes with its neighbour.
    text = unicodedata.normalize("NFKC", _SEPARATORS.sub("", text).upper())
    if id_type in _GB11643_TYPES and text.endswith("×"):
        text = text[:-1] + "X"  # Chinese input methods often give × for the check character X
    return text


def validate_id_number(id_type: IdType | str, raw: str, *, today: date | None = None) -> str:
    """Return the normalized number, or raise ValidationError (field ``id_number``) naming the broken rule.

    ``today`` is the date birth dates must not be after (default: the system date).
    """
    kind = _coerce_type(id_type)
    number = normalize_id_number(kind, raw)
    if not number:
        raise _id_error(_("ID number: required."))
    _VALIDATORS[kind](number, today or date.today())
    return number


def birth_date_from_id(id_type: IdType | str, number: str) -> date | None:
    """The birth date encoded in a GB 11643 number (居民身份证, 港澳台居民居住证, 2023 永居证), else None."""
    try:
        kind = IdType(id_type)
    except ValueError:
        return None
    text = normalize_id_number(kind, number)
    if kind not in _GB11643_TYPES or not _GB11643.fullmatch(text):
        return None
    try:
        return date(int(text[6:10]), int(text[10:12]), int(text[12:14]))
    except ValueError:
        return None


def gender_from_id(id_type: IdType | str, number: str) -> Literal["male", "female"] | None:
    """The sex encoded in a 居民身份证 or 港澳台居民居住证 (17th digit odd: male), else None."""
    if id_type not in (IdType.RESIDENT_ID, IdType.HMT_RESIDENCE):
        return None
    text = normalize_id_number(id_type, number)
    if not _GB11643.fullmatch(text):
        return None
    return "male" if int(text[16]) % 2 else "female"


# -------------------------------------------------------------------------------------- per-type rules


def _coerce_type(id_type: IdType | str) -> IdType:
    try:
        return IdType(id_type)
    except ValueError:
        raise ValidationError(
            _("Document type: must be one of {types}.").format(types=", ".join(t.value for t in IdType)),
            field=TYPE_FIELD,
        ) from None


def _id_error(message: str) -> ValidationError:
    return ValidationError(message, field=ID_FIELD)


def _check_resident(number: str, today: date) -> None:
    if len(number) == 15 and number.isdigit():
        raise _id_error(
            _(
                "ID number: 15-digit first-generation identity card numbers are no longer valid; "
                "enter the 18-digit number."
            )
        )
    _check_gb11643(number, today)
    if number.startswith(_HMT_PREFIXES):
        raise _id_error(
            _(
                "ID number: this is the number of a residence permit for Hong Kong, Macao or Taiwan "
                "residents; choose that document type."
            )
        )
    if number.startswith("9"):
        raise _id_error(
            _("ID number: this is the number of a foreign permanent resident ID card; choose that document type.")
        )
    if not _region_known(number[:6]):
        raise _id_error(_("ID number: the first 6 digits are not a known administrative region code."))


def _check_hmt_residence(number: str, today: date) -> None:
    _check_gb11643(number, today)
    if not number.startswith(_HMT_PREFIXES):
        raise _id_error(
            _(
                "ID number: a residence permit for Hong Kong, Macao and Taiwan residents starts with "
                "810000, 820000 or 830000."
            )
        )


def _check_foreign_permanent(number: str, today: date) -> None:
    if _FOREIGN_OLD.fullmatch(number):
        return
    if len(number) == 18 and number.startswith("9"):
        _check_gb11643(number, today)
        return
    raise _id_error(
        _(
            "ID number: a foreign permanent resident ID card number is 18 characters starting with 9, "
            "or (older cards) 3 letters followed by 12 digits."
        )
    )


def _check_gb11643(number: str, today: date) -> None:
    """Length, characters, check character, then the birth date: in that order, so that one mistyped digit
    is always reported as a check-character mismatch, whatever part of the number it hit."""
    if not set(number) <= set("0123456789X"):
        raise _id_error(_("ID number: only digits, and X as the last character, are allowed."))
    if len(number) != 18:
        raise _id_error(_("ID number: must have 18 characters, not {count}.").format(count=len(number)))
    if not _GB11643.fullmatch(number):
        raise _id_error(_("ID number: X is allowed only as the last character."))
    if ric.calc_check_digit(number) != number[-1]:
        raise _id_error(_("ID number: the check character does not match; look for a mistyped digit."))
    _check_birth_date(number[6:14], today)


def _check_birth_date(digits: str, today: date) -> None:
    try:
        born = date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        raise _id_error(_("ID number: the birth date in it does not exist.")) from None
    if born > today:
        raise _id_error(_("ID number: the birth date in it is in the future."))
    if born < _EARLIEST_BIRTH:
        raise _id_error(_("ID number: the birth date in it is before 1900."))


def _region_known(code: str) -> bool:
    """True when python-stdnum's region table (GB/T 2260 with history) knows the province and the prefecture.

    The county itself is not required, nor that it existed in the birth year: the code is where the number
    was first issued, which may be decades after birth, and new districts and development zones reach the
    table late. A wrong check character already catches typing errors.
    """
    # info() of the prefecture code gives the province entry, then the prefecture's own entry (as "county").
    found = {key for _part, props in numdb.get("cn/loc").info(code[:4] + "00") for key in props}
    return {"province", "county"} <= found


def _check_hk_macao(number: str, _today: date) -> None:
    if not _HK_MACAO.fullmatch(number):
        raise _id_error(
            _(
                "ID number: the number of a mainland travel permit for Hong Kong and Macao residents is H or M "
                "followed by 8 digits (on older permits, by 10 digits)."
            )
        )


def _check_taiwan(number: str, _today: date) -> None:
    if not _TAIWAN.fullmatch(number):
        raise _id_error(
            _(
                "ID number: the number of a mainland travel permit for Taiwan residents is 8 digits (on older "
                "permits, 10 digits, possibly followed by one letter)."
            )
        )


def _check_passport(number: str, _today: date) -> None:
    if not _PASSPORT.fullmatch(number):
        raise _id_error(_("ID number: a passport number is 5 to 17 letters or digits."))


def _check_uscc(number: str, _today: date) -> None:
    if len(number) != 18:
        raise _id_error(
            _("ID number: a unified social credit code must have 18 characters, not {count}.").format(count=len(number))
        )
    if not set(number) <= set(_USCC_CHARS) or not number[2:8].isdigit():
        raise _id_error(
            _(
                "ID number: a unified social credit code uses digits and capital letters except I, O, S, V "
                "and Z, with digits in positions 3 to 8."
            )
        )
    if uscc.calc_check_digit(number) != number[-1]:
        raise _id_error(_("ID number: the check character of the unified social credit code does not match."))


_VALIDATORS = {
    IdType.RESIDENT_ID: _check_resident,
    IdType.HK_MACAO_PERMIT: _check_hk_macao,
    IdType.TAIWAN_PERMIT: _check_taiwan,
    IdType.HMT_RESIDENCE: _check_hmt_residence,
    IdType.FOREIGN_PERMANENT: _check_foreign_permanent,
    IdType.PASSPORT: _check_passport,
    IdType.USCC: _check_uscc,
}


# ------------------------------------------------------------------------------------------------ phones


def validate_phone(raw: str) -> str:
    """Return the number in E.164 (``+8613912345678``), or raise ValidationError (field ``phone``).

    Numbers without a country code are read as mainland numbers; others need +country code or 00. An
    extension (转 123, ext 123) is kept RFC 3966 style: ``+861012345678;ext=123``.
    """
    text = unicodedata.normalize("NFKC", raw).strip()
    if not text:
        raise _phone_error(_("Phone number: required."))
    text = re.sub(r"\s*(?:转|轉|分机|分機)\s*", " ext ", text)
    try:
        number = phonenumbers.parse(text, "CN")
    except phonenumbers.NumberParseException as exc:
        raise _phone_error(_parse_failure_message(exc.error_type)) from None
    reason = phonenumbers.is_possible_number_with_reason(number)
    if reason in (phonenumbers.ValidationResult.TOO_SHORT, phonenumbers.ValidationResult.INVALID_LENGTH):
        if number.country_code == 86 and _looks_local(number):
            raise _phone_error(_local_number_message())
        raise _phone_error(_("Phone number: too few digits."))
    if reason == phonenumbers.ValidationResult.TOO_LONG:
        raise _phone_error(_("Phone number: too many digits."))
    if reason == phonenumbers.ValidationResult.INVALID_COUNTRY_CODE:
        raise _phone_error(_("Phone number: unknown country code."))
    if not phonenumbers.is_valid_number(number):
        if number.country_code == 86 and _looks_local(number):
            raise _phone_error(_local_number_message())
        raise _phone_error(_("Phone number: not a valid number; check the prefix and the number of digits."))
    e164 = str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))
    return e164 + ";ext=" + number.extension if number.extension else e164


def _parse_failure_message(error_type: int) -> str:
    failure = phonenumbers.NumberParseException
    if error_type == failure.INVALID_COUNTRY_CODE:
        return _("Phone number: unknown country code.")
    if error_type in (failure.TOO_SHORT_NSN, failure.TOO_SHORT_AFTER_IDD):
        return _("Phone number: too few digits.")
    if error_type == failure.TOO_LONG:
        return _("Phone number: too many digits.")
    return _("Phone number: no phone number could be read from the text entered.")


def _looks_local(number: phonenumbers.PhoneNumber) -> bool:
    # 7 or 8 digits not starting with 1: a fixed line typed without its area code.
    national = str(phonenumbers.national_significant_number(number))
    return len(national) in (7, 8) and not national.startswith("1")


def _local_number_message() -> str:
    return _(
        "Phone number: a fixed-line number needs its area code (such as 010); "
        "a number abroad needs + and the country code."
    )


def _phone_error(message: str) -> ValidationError:
    return ValidationError(message, field=PHONE_FIELD)
