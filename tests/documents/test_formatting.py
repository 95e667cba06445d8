"""Dates and money as Chinese legal documents write them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from fzmediate.documents.formatting import (
    chinese_date,
    chinese_date_hanzi,
    escape_markup,
    money_capitals,
    money_figures,
    money_text,
)
from fzmediate.errors import ValidationError


def test_dates_without_leading_zeros_and_with_hanzi_year() -> None:
    assert chinese_date(dt.date(2026, 11, 29)) == "2026年11月29日"
    assert chinese_date(dt.date(2024, 3, 5)) == "2024年3月5日"
    assert chinese_date_hanzi(dt.date(2026, 11, 29)) == "二〇二六年十一月二十九日"
    assert chinese_date_hanzi(dt.date(2030, 1, 10)) == "二〇三〇年一月十日"
    assert chinese_date_hanzi(dt.date(2000, 12, 31)) == "二〇〇〇年十二月三十一日"


@pytest.mark.parametrize(
    ("amount", "figures", "capitals"),
    [
        ("12000", "12,000.00", "人民币壹万贰仟元整"),
        ("12000.50", "12,000.50", "人民币壹万贰仟元伍角"),
        ("0.05", "0.05", "人民币伍分"),
        ("1001000.09", "1,001,000.09", "人民币壹佰万壹仟元零玖分"),
        ("0", "0.00", "人民币零元整"),
    ],
)
def test_money_in_figures_and_capitals(amount: str, figures: str, capitals: str) -> None:
    value = Decimal(amount)
    assert money_figures(value) == figures
    assert money_capitals(value) == capitals
    assert money_text(value) == "人民币{0}元（大写：{1}）".format(figures, capitals)


def test_money_refuses_floats_negatives_and_fractions_of_a_fen() -> None:
    with pytest.raises(TypeError):
        money_text(12000.5)  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        money_text(Decimal("-1"))
    with pytest.raises(ValidationError):
        money_text(Decimal("0.005"))
    with pytest.raises(ValidationError):
        money_text(Decimal("NaN"))


def test_markup_is_escaped() -> None:
    assert escape_markup('<b>王&"李"</b>') == "&lt;b&gt;王&amp;&quot;李&quot;&lt;/b&gt;"
