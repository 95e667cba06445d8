"""Identity documents and phones: every accepted form, every rule that refuses, and messages without values."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fzmediate.domain.identity import (
    IdType,
    birth_date_from_id,
    gender_from_id,
    id_type_label,
    normalize_id_number,
    validate_id_number,
    validate_phone,
)
from fzmediate.errors import ValidationError
from fzmediate.i18n import set_locale
from tests.synthetic import make_foreign_permanent_id, make_resident_id, make_uscc, with_check_digit

TODAY = date(2025, 6, 1)
# Region codes python-stdnum knows (370171 only down to the prefecture: accepted on purpose).
REGIONS = ["110105", "310115", "440305", "510104", "650102", "460100", "370171", "429004"]
PERSON = make_resident_id()  # 110105 19800101 123 + check


@pytest.fixture(autouse=True)
def _english(_locale: None) -> Iterator[None]:
    # Rule tests read the English source messages; the catalogs may word the Chinese differently.
    set_locale("en")
    yield


def refused(id_type: IdType | str, raw: str, today: date = TODAY) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        validate_id_number(id_type, raw, today=today)
    error = caught.value
    text = str(error)
    # The message names the field and never repeats what was typed.
    assert error.field == "id_number"
    assert text.startswith("ID number")
    stripped = raw.strip()
    if len(stripped) >= 4:
        assert stripped not in text
        assert normalize_id_number(id_type, raw) not in text
    return error


resident_ids = st.builds(
    make_resident_id,
    region=st.sampled_from(REGIONS),
    birth=st.dates(date(1900, 1, 1), TODAY),
    seq=st.integers(0, 999),
)


# ---------------------------------------------------------------------------------------------- accepted


@pytest.mark.parametrize(
    ("id_type", "raw", "stored"),
    [
        (IdType.RESIDENT_ID, PERSON, PERSON),
        (IdType.RESIDENT_ID, " 110105 19800101 1238 ", PERSON),
        (IdType.RESIDENT_ID, "110105-19800101-1238", PERSON),
        (IdType.RESIDENT_ID, "１１０１０５１９８００１０１１２３８", PERSON),  # full-width digits
        (IdType.RESIDENT_ID, "110105\u200b198001011238", PERSON),  # zero-width space from copy-paste
        ("resident_id", PERSON, PERSON),
        (IdType.RESIDENT_ID, make_resident_id(seq=1).lower(), make_resident_id(seq=1)),
        (IdType.RESIDENT_ID, make_resident_id(region="370171"), make_resident_id(region="370171")),
        (IdType.HMT_RESIDENCE, make_resident_id(region="810000"), make_resident_id(region="810000")),
        (IdType.HMT_RESIDENCE, make_resident_id(region="820000"), make_resident_id(region="820000")),
        (IdType.HMT_RESIDENCE, make_resident_id(region="830000"), make_resident_id(region="830000")),
        (IdType.FOREIGN_PERMANENT, make_foreign_permanent_id(), make_foreign_permanent_id()),
        (IdType.FOREIGN_PERMANENT, "usa 123456789012", "USA123456789012"),
        (IdType.HK_MACAO_PERMIT, "H12345678", "H12345678"),
        (IdType.HK_MACAO_PERMIT, "m8765 4321", "M87654321"),
        (IdType.HK_MACAO_PERMIT, "H12345678(01)", "H1234567801"),
        (IdType.TAIWAN_PERMIT, "12345678", "12345678"),
        (IdType.TAIWAN_PERMIT, "1234567801", "1234567801"),
        (IdType.TAIWAN_PERMIT, "1234567801（B）", "1234567801B"),
        (IdType.PASSPORT, "E12345678", "E12345678"),
        (IdType.PASSPORT, "ab123", "AB123"),
        (IdType.PASSPORT, "X" * 17, "X" * 17),
        (IdType.USCC, make_uscc(), make_uscc()),
        (IdType.USCC, make_uscc(authority="5", entity="3", org="500000000"), make_uscc("5", "3", org="500000000")),
        # 农村集体经济组织 (authority N): letters in the first two places are allowed.
        (IdType.USCC, make_uscc(authority="N", entity="2"), make_uscc(authority="N", entity="2")),
        (IdType.USCC, "9 1 110105 MA01ABCD0 " + make_uscc()[-1], make_uscc()),
    ],
)
def test_valid_numbers_come_back_normalized(id_type: IdType | str, raw: str, stored: str) -> None:
    assert validate_id_number(id_type, raw, today=TODAY) == stored


def test_times_sign_from_input_methods_reads_as_x() -> None:
    number = next(make_resident_id(seq=s) for s in range(1000) if make_resident_id(seq=s).endswith("X"))
    assert validate_id_number(IdType.RESIDENT_ID, number[:-1] + "×", today=TODAY) == number


def test_born_today_is_accepted_and_tomorrow_is_not() -> None:
    assert validate_id_number(IdType.RESIDENT_ID, make_resident_id(birth=TODAY), today=TODAY)
    error = refused(IdType.RESIDENT_ID, make_resident_id(birth=date(2025, 6, 2)))
    assert "future" in str(error)


def test_leap_day_is_a_real_birth_date() -> None:
    assert validate_id_number(IdType.RESIDENT_ID, make_resident_id(birth=date(2000, 2, 29)), today=TODAY)


def test_default_today_is_the_system_date() -> None:
    assert validate_id_number(IdType.RESIDENT_ID, PERSON) == PERSON


# ----------------------------------------------------------------------------------------------- refused


@pytest.mark.parametrize(
    ("id_type", "raw", "rule"),
    [
        (IdType.RESIDENT_ID, "", "required"),
        (IdType.RESIDENT_ID, " \u3000 ", "required"),
        (IdType.RESIDENT_ID, PERSON[:-1], "18 characters, not 17"),
        (IdType.RESIDENT_ID, PERSON + "1", "18 characters, not 19"),
        (IdType.RESIDENT_ID, "110105800101123", "15-digit first-generation"),
        (IdType.RESIDENT_ID, PERSON[:10] + "A" + PERSON[11:], "only digits"),
        (IdType.RESIDENT_ID, PERSON[:10] + "X" + PERSON[11:], "X is allowed only as the last"),
        (IdType.RESIDENT_ID, PERSON[:-1] + ("1" if PERSON[-1] != "1" else "2"), "check character"),
        (IdType.RESIDENT_ID, with_check_digit("11010519800230123"), "does not exist"),  # 30 February
        (IdType.RESIDENT_ID, with_check_digit("11010519001329123"), "does not exist"),  # month 13
        (IdType.RESIDENT_ID, with_check_digit("11010519000229123"), "does not exist"),  # 1900 not leap
        (IdType.RESIDENT_ID, with_check_digit("11010519800100123"), "does not exist"),  # day 0
        (IdType.RESIDENT_ID, make_resident_id(birth=date(2030, 1, 1)), "future"),
        (IdType.RESIDENT_ID, make_resident_id(birth=date(1899, 12, 31)), "before 1900"),
        (IdType.RESIDENT_ID, make_resident_id(region="100000"), "administrative region"),  # no province 10
        (IdType.RESIDENT_ID, make_resident_id(region="119901"), "administrative region"),  # no prefecture 1199
        (IdType.RESIDENT_ID, make_resident_id(region="810000"), "Hong Kong, Macao or Taiwan"),
        (IdType.RESIDENT_ID, make_foreign_permanent_id(), "foreign permanent"),
        (IdType.HMT_RESIDENCE, PERSON, "810000, 820000 or 830000"),
        (IdType.HMT_RESIDENCE, make_resident_id(region="810000")[:-1], "18 characters"),
        (IdType.HMT_RESIDENCE, with_check_digit("81000019800230123"), "does not exist"),
        (IdType.FOREIGN_PERMANENT, PERSON, "starting with 9"),
        (IdType.FOREIGN_PERMANENT, "US1234567890123", "3 letters followed by 12 digits"),
        (IdType.FOREIGN_PERMANENT, make_foreign_permanent_id()[:-1] + "Y", "only digits"),
        (IdType.FOREIGN_PERMANENT, with_check_digit("91184019801301123"), "does not exist"),
        (IdType.HK_MACAO_PERMIT, "C12345678", "H or M followed by 8 digits"),
        (IdType.HK_MACAO_PERMIT, "H1234567", "H or M followed by 8 digits"),
        (IdType.HK_MACAO_PERMIT, "H123456789", "H or M followed by 8 digits"),
        (IdType.TAIWAN_PERMIT, "1234567", "8 digits"),
        (IdType.TAIWAN_PERMIT, "A2345678", "8 digits"),
        (IdType.TAIWAN_PERMIT, "1234567801BC", "8 digits"),
        (IdType.PASSPORT, "E123", "5 to 17"),
        (IdType.PASSPORT, "E" * 18, "5 to 17"),
        (IdType.PASSPORT, "E1234#678", "5 to 17"),
        (IdType.USCC, make_uscc()[:-1], "18 characters, not 17"),
        (IdType.USCC, make_uscc()[:9] + "O" + make_uscc()[10:], "except I, O, S, V"),
        (IdType.USCC, "91A10105MA01ABCD0X", "positions 3 to 8"),
        (IdType.USCC, make_uscc()[:-1] + ("1" if make_uscc()[-1] != "1" else "2"), "check character"),
    ],
)
def test_each_rule_is_named_without_the_value(id_type: IdType, raw: str, rule: str) -> None:
    assert rule in str(refused(id_type, raw))


def test_unknown_document_type_names_the_type_field() -> None:
    with pytest.raises(ValidationError) as caught:
        validate_id_number("driving_licence", PERSON)
    assert caught.value.field == "id_type"
    assert PERSON not in str(caught.value)


def test_refusals_in_chinese_still_name_the_field_without_the_value() -> None:
    set_locale("zh_CN")
    with pytest.raises(ValidationError) as caught:
        validate_id_number(IdType.RESIDENT_ID, PERSON[:-1] + "0", today=TODAY)
    assert caught.value.field == "id_number"
    assert PERSON[:-1] not in str(caught.value)


# -------------------------------------------------------------------------------------------- properties


@given(resident_ids)
def test_generated_resident_ids_always_pass(number: str) -> None:
    assert validate_id_number(IdType.RESIDENT_ID, number, today=TODAY) == number


@given(resident_ids, st.integers(0, 17), st.integers(1, 9))
def test_any_single_digit_change_fails_the_checksum(number: str, position: int, shift: int) -> None:
    original = number[position]
    # A check character X becomes any digit; a digit becomes a different digit.
    replacement = str(shift) if original == "X" else str((int(original) + shift) % 10)
    changed = number[:position] + replacement + number[position + 1 :]
    assert "check character" in str(refused(IdType.RESIDENT_ID, changed))


@given(resident_ids, st.integers(0, 15))
def test_swapping_neighbouring_digits_is_caught(number: str, position: int) -> None:
    # Within the 17-digit body: neighbouring GB 11643 weights differ modulo 11, so every swap is caught.
    if number[position] == number[position + 1]:
        return
    swapped = number[:position] + number[position + 1] + number[position] + number[position + 2 :]
    with pytest.raises(ValidationError):
        validate_id_number(IdType.RESIDENT_ID, swapped, today=TODAY)


@given(
    st.sampled_from(["810000", "820000", "830000"]),
    st.dates(date(1900, 1, 1), TODAY),
    st.integers(0, 999),
)
def test_generated_residence_permits_pass_and_give_birth_and_sex(region: str, birth: date, seq: int) -> None:
    number = make_resident_id(region=region, birth=birth, seq=seq)
    assert validate_id_number(IdType.HMT_RESIDENCE, number, today=TODAY) == number
    assert birth_date_from_id(IdType.HMT_RESIDENCE, number) == birth
    assert gender_from_id(IdType.HMT_RESIDENCE, number) == ("male" if seq % 2 else "female")


@given(st.text(max_size=30), st.sampled_from(list(IdType)))
def test_normalize_never_raises_and_is_idempotent(raw: str, id_type: IdType) -> None:
    once = normalize_id_number(id_type, raw)
    assert normalize_id_number(id_type, once) == once


# ----------------------------------------------------------------------------------- birth date and sex


def test_birth_date_and_sex_of_a_resident() -> None:
    man = make_resident_id(birth=date(1975, 12, 31), seq=457)
    woman = make_resident_id(birth=date(2001, 2, 3), seq=120)
    assert birth_date_from_id(IdType.RESIDENT_ID, man) == date(1975, 12, 31)
    assert gender_from_id(IdType.RESIDENT_ID, man) == "male"
    assert birth_date_from_id("resident_id", woman) == date(2001, 2, 3)
    assert gender_from_id("resident_id", woman) == "female"
    assert gender_from_id(IdType.RESIDENT_ID, "110105 19800101 1238") == "male"  # tolerates typed spacing


def test_birth_date_of_a_2023_permanent_residence_card() -> None:
    number = make_foreign_permanent_id(birth=date(1966, 7, 8))
    assert birth_date_from_id(IdType.FOREIGN_PERMANENT, number) == date(1966, 7, 8)
    assert gender_from_id(IdType.FOREIGN_PERMANENT, number) is None


@pytest.mark.parametrize(
    ("id_type", "number"),
    [
        (IdType.PASSPORT, PERSON),
        (IdType.USCC, make_uscc()),
        (IdType.HK_MACAO_PERMIT, "H12345678"),
        (IdType.FOREIGN_PERMANENT, "USA123456789012"),
        (IdType.RESIDENT_ID, PERSON[:-1]),
        (IdType.RESIDENT_ID, with_check_digit("11010519800230123")),
        ("no_such_type", PERSON),
    ],
)
def test_no_birth_date_where_none_is_encoded(id_type: IdType | str, number: str) -> None:
    assert birth_date_from_id(id_type, number) is None


@pytest.mark.parametrize(
    ("id_type", "number"),
    [(IdType.PASSPORT, PERSON), (IdType.RESIDENT_ID, "11010519800101"), ("no_such_type", PERSON)],
)
def test_no_sex_where_none_is_encoded(id_type: IdType | str, number: str) -> None:
    assert gender_from_id(id_type, number) is None


# ------------------------------------------------------------------------------------------------ labels


@pytest.mark.parametrize("locale", ["en", "zh_CN", "zh_TW"])
def test_every_type_has_a_distinct_label(locale: str) -> None:
    set_locale(locale)
    labels = [id_type_label(t) for t in IdType]
    assert all(labels) and len(set(labels)) == len(labels)
    assert id_type_label("passport") == id_type_label(IdType.PASSPORT)


# ------------------------------------------------------------------------------------------------ phones


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("13912345678", "+8613912345678"),
        ("139 1234 5678", "+8613912345678"),
        ("139-1234-5678", "+8613912345678"),
        ("+86 139 1234 5678", "+8613912345678"),
        ("008613912345678", "+8613912345678"),
        ("１３９１２３４５６７８", "+8613912345678"),
        ("19912345678", "+8619912345678"),
        ("010-12345678", "+861012345678"),
        ("(0755) 1234 5678", "+8675512345678"),
        ("0851-1234567", "+868511234567"),
        ("010-12345678转123", "+861012345678;ext=123"),
        ("+852 9123 4567", "+85291234567"),
        ("+44 7911 123456", "+447911123456"),
    ],
)
def test_valid_phones_come_back_in_e164(raw: str, e164: str) -> None:
    assert validate_phone(raw) == e164


@pytest.mark.parametrize(
    ("raw", "rule"),
    [
        ("", "required"),
        ("   ", "required"),
        ("no digits here", "could be read"),
        ("12345678901", "not a valid number"),
        ("1391234567", "not a valid number"),
        ("139123456789", "not a valid number"),
        ("62345678", "area code"),
        ("+86 1", "too few digits"),
        ("1" * 30, "too many digits"),
        ("+999 12345678", "unknown country code"),
    ],
)
def test_impossible_phones_are_refused_without_the_value(raw: str, rule: str) -> None:
    with pytest.raises(ValidationError) as caught:
        validate_phone(raw)
    text = str(caught.value)
    assert caught.value.field == "phone"
    assert text.startswith("Phone number")
    assert rule in text
    if raw.strip():
        assert raw not in text
