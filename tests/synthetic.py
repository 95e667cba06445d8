"""Synthetic identity numbers for tests: invented people whose numbers pass the checksums.

Every number is computed here from made-up parts (check characters by python-stdnum); none belongs to a real
person or organisation. Use these helpers instead of writing numbers into tests by hand.
"""

from __future__ import annotations

from datetime import date

from stdnum.cn import ric, uscc


def with_check_digit(body: str) -> str:
    """Append the GB 11643 (MOD 11-2) check character to a 17-digit body, even one with an impossible date."""
    assert len(body) == 17 and body.isdigit(), "a GB 11643 body is 17 digits"
    # calc_check_digit expects the whole number and ignores its last character.
    return body + ric.calc_check_digit(body + "0")


def make_resident_id(region: str = "110105", birth: date = date(1980, 1, 1), seq: int = 123) -> str:
    """An 18-digit 居民身份证 number (or 港澳台居民居住证 with region 810000/820000/830000).

    An odd ``seq`` gives a man, an even one a woman.
    """
    return with_check_digit("{0}{1:%Y%m%d}{2:03d}".format(region, birth, seq))


def make_foreign_permanent_id(
    province: str = "11", nationality: str = "840", birth: date = date(1980, 1, 1), seq: int = 123
) -> str:
    """A 2023-format 外国人永久居留身份证 number: 9, province, numeric nationality, birth date, sequence, check."""
    return with_check_digit("9{0}{1}{2:%Y%m%d}{3:03d}".format(province, nationality, birth, seq))


def make_uscc(authority: str = "9", entity: str = "1", region: str = "110105", org: str = "MA01ABCD0") -> str:
    """An 18-character 统一社会信用代码 with its check character."""
    body = authority + entity + region + org
    assert len(body) == 17, "authority (1) + entity type (1) + region (6) + organisation code (9)"
    return body + uscc.calc_check_digit(body)
