"""The statutory fallback: years with no published holiday notice count the holidays fixed by statute.

Expected lunar and solar-term dates below are typed in from a source independent of ``lunar_python`` (the
library the code uses): the Chinese lunisolar tables of the ``holidays`` package (vacanza/holidays,
``holidays/calendars/chinese.py``: LUNAR_NEW_YEAR 2027-02-06 / 2028-01-26, DRAGON_BOAT 2027-06-09 /
2028-05-28, MID_AUTUMN 2027-09-15 / 2028-10-03, 2029-09-22, 2030-09-12), and 清明 as published in almanacs
(2027-04-05, 2028-04-04).
"""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar
import pytest

from fzmediate.errors import ValidationError
from fzmediate.procedure.calendar import WorkCalendar
from fzmediate.procedure.clock import add_calendar_days, add_working_days, working_days_between
from fzmediate.procedure.statutory_holidays import (
    FIRST_YEAR,
    LAST_YEAR,
    citation,
    days_off,
    presumed_substitute_days,
    statutory_holidays,
    supports,
)

CAL = WorkCalendar()
# The statutory days only, without presumed 补假 days.
DATED_ONLY = WorkCalendar(presume_substitutes=False)
# Neither tables nor the package: what the fallback says for years the package knows (cross-checks).
STATUTORY_ONLY = WorkCalendar(shipped=(), use_package=False)


def _days(year: int) -> list[date]:
    first = date(year, 1, 1)
    return [first + timedelta(days=i) for i in range((date(year + 1, 1, 1) - first).days)]


def _listed(year: int) -> list[tuple[str, str]]:
    return [(h.day.isoformat(), h.name) for h in statutory_holidays(year)]


# --- the statutory days (第二条 as amended by 国务院令第795号) --------------------------------------------


def test_statutory_days_2027() -> None:
    assert _listed(2027) == [
        ("2027-01-01", "元旦"),
        ("2027-02-05", "春节"),  # 除夕 (腊月三十)
        ("2027-02-06", "春节"),  # 正月初一
        ("2027-02-07", "春节"),
        ("2027-02-08", "春节"),  # 正月初三
        ("2027-04-05", "清明节"),
        ("2027-05-01", "劳动节"),
        ("2027-05-02", "劳动节"),
        ("2027-06-09", "端午节"),
        ("2027-09-15", "中秋节"),
        ("2027-10-01", "国庆节"),
        ("2027-10-02", "国庆节"),
        ("2027-10-03", "国庆节"),
    ]


def test_statutory_days_2028_with_mid_autumn_on_national_day() -> None:
    # 中秋 falls on 10月3日: one date, two festivals, both listed so that the 13 statutory days stay visible.
    assert _listed(2028) == [
        ("2028-01-01", "元旦"),
        ("2028-01-25", "春节"),  # 除夕 (腊月廿九: the twelfth month is short this year)
        ("2028-01-26", "春节"),
        ("2028-01-27", "春节"),
        ("2028-01-28", "春节"),
        ("2028-04-04", "清明节"),
        ("2028-05-01", "劳动节"),
        ("2028-05-02", "劳动节"),
        ("2028-05-28", "端午节"),
        ("2028-10-01", "国庆节"),
        ("2028-10-02", "国庆节"),
        ("2028-10-03", "中秋节"),
        ("2028-10-03", "国庆节"),
    ]
    assert len(days_off(2028, substitutes=False)) == 12


@pytest.mark.parametrize(("year", "mid_autumn"), [(2029, date(2029, 9, 22)), (2030, date(2030, 9, 12))])
def test_mid_autumn_later_years(year: int, mid_autumn: date) -> None:
    assert [h.day for h in statutory_holidays(year) if h.name == "中秋节"] == [mid_autumn]


def test_earlier_versions_of_the_statute() -> None:
    # 2014–2024 (令第644号): 春节 is 初一–初三, 劳动节 one day. 2014's 除夕 (1/30) was a working day.
    names_2014 = [h.name for h in statutory_holidays(2014)]
    assert names_2014.count("春节") == 3 and names_2014.count("劳动节") == 1
    assert date(2014, 1, 30) not in days_off(2014, substitutes=False)
    # 2008–2013 (令第513号): 除夕、初一、初二.
    assert [h.day for h in statutory_holidays(2013) if h.name == "春节"] == [
        date(2013, 2, 9),
        date(2013, 2, 10),
        date(2013, 2, 11),
    ]
    # 2000–2007 (1999 version): no 清明/端午/中秋, 劳动节 three days.
    names_2005 = [h.name for h in statutory_holidays(2005)]
    assert "清明节" not in names_2005 and names_2005.count("劳动节") == 3
    assert "795号" in citation(2027) and "644号" in citation(2020)


def test_years_outside_the_computed_range_are_refused() -> None:
    assert supports(FIRST_YEAR) and supports(LAST_YEAR)
    assert not supports(FIRST_YEAR - 1) and not supports(LAST_YEAR + 1)
    for year in (FIRST_YEAR - 1, LAST_YEAR + 1):
        with pytest.raises(ValidationError) as err:
            statutory_holidays(year)
        assert err.value.field == "year"
        assert str(year) in err.value.message


# --- presumed substitute days (第六条 补假) ------------------------------------------------------------------


def test_presumed_substitutes_2027_and_2028() -> None:
    # One per statutory day on a weekend (or shared with another festival), on the next free Monday–Friday.
    assert [(h.day.isoformat(), h.name, h.substitute) for h in presumed_substitute_days(2027)] == [
        ("2027-02-09", "春节", True),  # for Sat 2/6 (2/8 is itself 初三)
        ("2027-02-10", "春节", True),  # for Sun 2/7
        ("2027-05-03", "劳动节", True),
        ("2027-05-04", "劳动节", True),
        ("2027-10-04", "国庆节", True),
        ("2027-10-05", "国庆节", True),
    ]
    assert [h.day.isoformat() for h in presumed_substitute_days(2028)] == [
        "2028-01-03",  # 元旦 on a Saturday
        "2028-05-29",  # 端午 on a Sunday
        "2028-10-04",  # 国庆 10/1 on a Sunday
        "2028-10-05",  # 中秋 sharing 10/3 with 国庆
    ]


# --- the calendar for years without a notice -------------------------------------------------------------

CASES_2027 = [
    (date(2026, 12, 31), True),  # the shipped 2026 table
    (date(2027, 1, 1), False),  # 元旦, Friday: never a working day
    (date(2027, 1, 4), True),
    (date(2027, 2, 4), True),
    (date(2027, 2, 5), False),  # 除夕
    (date(2027, 2, 8), False),  # 初三, Monday
    (date(2027, 2, 9), False),  # presumed 补假
    (date(2027, 2, 10), False),  # presumed 补假
    (date(2027, 2, 11), True),
    (date(2027, 4, 5), False),  # 清明, Monday
    (date(2027, 4, 6), True),
    (date(2027, 5, 3), False),  # presumed 补假 for 劳动节 on the weekend
    (date(2027, 5, 5), True),
    (date(2027, 6, 9), False),  # 端午, Wednesday
    (date(2027, 9, 15), False),  # 中秋, Wednesday
    (date(2027, 10, 1), False),
    (date(2027, 10, 5), False),  # presumed 补假
    (date(2027, 10, 6), True),
    (date(2027, 10, 9), False),  # Saturday: no make-up workday can be known
]

CASES_2028 = [
    (date(2028, 1, 3), False),  # presumed 补假 for 元旦 on Saturday
    (date(2028, 1, 4), True),
    (date(2028, 1, 24), True),
    (date(2028, 1, 25), False),  # 除夕
    (date(2028, 1, 28), False),  # 初三
    (date(2028, 1, 31), True),
    (date(2028, 4, 4), False),  # 清明, Tuesday
    (date(2028, 5, 2), False),
    (date(2028, 5, 29), False),  # presumed 补假 for 端午 on Sunday
    (date(2028, 10, 2), False),
    (date(2028, 10, 3), False),  # 中秋 and 国庆
    (date(2028, 10, 5), False),
    (date(2028, 10, 6), True),
]


@pytest.mark.parametrize(("day", "working"), CASES_2027 + CASES_2028)
def test_uncovered_years_follow_the_statute(day: date, working: bool) -> None:
    assert CAL.is_workday(day) is working


def test_dated_only_calendar_leaves_substitutes_working() -> None:
    assert DATED_ONLY.is_workday(date(2027, 1, 1)) is False
    assert DATED_ONLY.is_workday(date(2027, 2, 8)) is False
    assert DATED_ONLY.is_workday(date(2027, 2, 9)) is True
    assert DATED_ONLY.is_workday(date(2028, 1, 3)) is True


def test_source_for_uncovered_years_is_statutory() -> None:
    assert CAL.source_for(2026) == "table"
    assert CAL.source_for(2027) == "statutory"
    assert CAL.source_for(2028) == "statutory"
    assert not CAL.covers(2027)
    assert CAL.source_for(FIRST_YEAR - 1) is None
    assert CAL.source_for(LAST_YEAR + 1) is None


# --- the clock ---------------------------------------------------------------------------------------------


def test_working_days_across_2027_spring_festival() -> None:
    # From Wed 2/3: 2/4 (1); 2/5–2/8 statutory; 2/9–2/10 presumed 补假; 2/11 (2), 2/12 (3), 2/15 (4), 2/16 (5).
    d = add_working_days(CAL, date(2027, 2, 3), 5)
    assert d.due == date(2027, 2, 16)
    assert d.provisional
    assert d.uncovered_years == (2027,)
    # Counting only the dated days: 2/4, 2/9, 2/10, 2/11, 2/12.
    assert add_working_days(DATED_ONLY, date(2027, 2, 3), 5).due == date(2027, 2, 12)
    assert working_days_between(CAL, date(2027, 2, 3), date(2027, 2, 16)) == (5, True)


def test_working_days_across_2027_into_2028() -> None:
    # 12/31 (1); 1/1–1/2 weekend (元旦 on Saturday), 1/3 presumed 补假; 1/4 (2).
    d = add_working_days(CAL, date(2027, 12, 30), 2)
    assert d.due == date(2028, 1, 4)
    assert d.provisional
    assert d.uncovered_years == (2027, 2028)
    d = add_working_days(CAL, date(2027, 12, 31), 1)
    assert d.due == date(2028, 1, 4)
    assert d.uncovered_years == (2028,)
    assert add_working_days(DATED_ONLY, date(2027, 12, 31), 1).due == date(2028, 1, 3)


def test_calendar_days_ending_on_a_statutory_holiday_move() -> None:
    # 第二百零三条: the 15th day after 2027-09-16 is 10/1 (国庆); 10/2–10/3 weekend, 10/4–10/5 presumed 补假.
    d = add_calendar_days(date(2027, 9, 16), 15, cal=CAL)
    assert (d.nominal_due, d.due, d.provisional) == (date(2027, 10, 1), date(2027, 10, 6), True)


def test_covered_year_deadline_stays_firm() -> None:
    d = add_working_days(CAL, date(2026, 9, 25), 5)
    assert d.due == date(2026, 10, 9)
    assert not d.provisional


# --- cross-check against chinese_calendar (official arrangements 2004–2026) -------------------------------


def test_every_statutory_day_is_a_day_off_in_the_package() -> None:
    for year in range(2004, 2027):
        on_duty = [h for h in statutory_holidays(year) if chinese_calendar.is_workday(h.day)]
        assert on_duty == [], year
        # Through the calendar too: a weekday the fallback calls off is off in the official arrangement.
        dated = WorkCalendar(shipped=(), use_package=False, presume_substitutes=False)
        wrong = [
            d for d in _days(year) if not dated.is_workday(d) and d.weekday() < 5 and chinese_calendar.is_workday(d)
        ]
        assert wrong == [], year


def test_presumed_substitutes_match_the_official_yearly_count() -> None:
    # The law owes the 补假 days, only their place is unknown: with them, the year's count of working days
    # is within 2 of the official one in every year the package knows (2020: the extended 春节 of the
    # epidemic), while the dated days alone overcount by up to 7.
    worst_with, worst_without = 0, 0
    for year in range(2004, 2027):
        official = sum(chinese_calendar.is_workday(d) for d in _days(year))
        with_subs = sum(STATUTORY_ONLY.is_workday(d) for d in _days(year))
        dated = WorkCalendar(shipped=(), use_package=False, presume_substitutes=False)
        without = sum(dated.is_workday(d) for d in _days(year))
        worst_with = max(worst_with, abs(with_subs - official))
        worst_without = max(worst_without, without - official)
    assert worst_with <= 2
    assert worst_without >= 5
