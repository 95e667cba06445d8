"""The legal clock: working days with 调休, calendar days, months and years, suspensions, provisional."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fzmediate.errors import ValidationError
from fzmediate.i18n import set_locale
from fzmediate.procedure.calendar import WorkCalendar, parse_holiday_table
from fzmediate.procedure.clock import (
    Deadline,
    Unit,
    add_calendar_days,
    add_months,
    add_working_days,
    add_years,
    compute_deadline,
    describe,
    working_days_between,
)

# Built once: hypothesis examples must not pay for loading the tables each time.
CAL = WorkCalendar()
FIRST_COVERED, LAST_COVERED = 2004, 2026  # chinese_calendar 1.11 + the shipped 2026 table


def _synthetic_2027() -> WorkCalendar:
    """A calendar with a TEST DATA 2027 table (synthetic, not the State Council notice)."""
    table = parse_holiday_table(
        {
            "year": 2027,
            "source": "TEST DATA — synthetic table for unit tests, not a State Council notice",
            "published": "2026-11-01",
            "holidays": [["2027-01-01", "2027-01-03", "test new year"]],
            "workdays": [],
        },
        origin="test bundle",
    )
    return WorkCalendar([table])


# --- working days: the acceptance examples, each checked by hand against 国办发明电〔2025〕7号 ---

WORKING_DAY_CASES = [
    # 5 wd from Fri 2026-09-25 (itself 中秋, not counted anyway): 9/26–27 中秋 off; 9/28 (1), 9/29 (2),
    # 9/30 (3); 10/1–7 国庆 off; 10/8 (4), 10/9 (5).
    (date(2026, 9, 25), 5, date(2026, 10, 9)),
    # 10 wd from the same day: … 10/9 (5), Sat 10/10 make-up (6), 10/12 (7) … 10/15 (10). The reference
    # gets the same date from holidays' get_nth_working_day.
    (date(2026, 9, 25), 10, date(2026, 10, 15)),
    # 3 wd from Thu 2026-09-17: 9/18 Fri (1), Sun 9/20 make-up (2), 9/21 (3).
    (date(2026, 9, 17), 3, date(2026, 9, 21)),
    # 春节: from Thu 2/12: 2/13 (1), Sat 2/14 make-up (2), 2/15–23 off, 2/24 (3).
    (date(2026, 2, 12), 3, date(2026, 2, 24)),
    # From Fri 2/27: Sat 2/28 make-up (1).
    (date(2026, 2, 27), 1, date(2026, 2, 28)),
    # 劳动节: from Thu 4/30: 5/1–5 off; 5/6 (1), 5/7 (2), 5/8 (3), Sat 5/9 make-up (4).
    (date(2026, 4, 30), 4, date(2026, 5, 9)),
    # 元旦: from Thu 1/1 (holiday): 1/2–3 off, Sun 1/4 make-up (1).
    (date(2026, 1, 1), 1, date(2026, 1, 4)),
    # Ordinary week: Mon 3/2 + 5 → Mon 3/9.
    (date(2026, 3, 2), 5, date(2026, 3, 9)),
    # A start on Saturday: 3/7 + 1 → Mon 3/9.
    (date(2026, 3, 7), 1, date(2026, 3, 9)),
    # n = 0: nothing to count, the start day itself.
    (date(2026, 10, 1), 0, date(2026, 10, 1)),
]


@pytest.mark.parametrize(("start", "n", "due"), WORKING_DAY_CASES)
def test_add_working_days_2026(start: date, n: int, due: date) -> None:
    deadline = add_working_days(CAL, start, n)
    assert deadline.due == due
    assert deadline.nominal_due == due
    assert not deadline.provisional
    assert deadline.uncovered_years == ()
    assert (deadline.start, deadline.amount, deadline.unit) == (start, n, Unit.WORKING_DAYS)
    assert working_days_between(CAL, start, due) == (n, False)


def test_basis_text() -> None:
    # Checked in the source locale (English); zh_CN shows "5个工作日" from the catalog. The shared
    # fixture puts zh_CN back after the test.
    set_locale("en")
    assert add_working_days(CAL, date(2026, 3, 2), 5).basis == "5 working days"
    assert add_working_days(CAL, date(2026, 3, 2), 1).basis == "1 working day"
    assert describe(15, Unit.CALENDAR_DAYS) == "15 days"
    assert describe(6, Unit.MONTHS) == "6 months"
    assert describe(1, Unit.YEARS) == "1 year"


def test_year_boundary_into_uncovered_2027_is_provisional() -> None:
    # 12/29, 12/30, 12/31 (3) are known; 2027 has no published arrangement. Its statutory 元旦 (Fri 1/1) is
    # a day off all the same (it used to count as a working day before the statutory fallback existed);
    # 1/4 (4), 1/5 (5). The 调休 around it is unknown, so the result must say it is provisional.
    d = add_working_days(CAL, date(2026, 12, 28), 5)
    assert d.due == date(2027, 1, 5)
    assert d.provisional
    assert d.uncovered_years == (2027,)
    # Ending on 12/31 touches no 2027 day: firm.
    d = add_working_days(CAL, date(2026, 12, 28), 3)
    assert d.due == date(2026, 12, 31)
    assert not d.provisional
    assert working_days_between(CAL, date(2026, 12, 28), date(2027, 1, 5)) == (5, True)


def test_runtime_2027_table_makes_2027_firm() -> None:
    cal = _synthetic_2027()
    d = add_working_days(cal, date(2026, 12, 28), 5)
    # 12/29, 12/30, 12/31, then 1/1–1/3 off in the (synthetic) table: 1/4 (4), 1/5 (5).
    assert d.due == date(2027, 1, 5)
    assert not d.provisional
    assert add_working_days(cal, date(2027, 12, 27), 5).provisional  # 2028 still uncovered


# Weeks with no statutory holiday (2030-06-03 was here until the statutory fallback: 端午 2030-06-05 now
# counts as a day off, see test_clock_statutory.py); 1999 lies before the statutory rules we compute.
@pytest.mark.parametrize("start", [date(2027, 3, 1), date(2030, 7, 1), date(2003, 6, 2), date(1999, 1, 4)])
def test_uncovered_years_are_provisional(start: date) -> None:
    d = add_working_days(CAL, start, 5)
    assert d.due == start + timedelta(days=7)  # a Monday + 5 Monday–Friday working days
    assert d.provisional
    assert d.uncovered_years == (start.year,)


def test_first_covered_year_2004_is_firm() -> None:
    # 2003-12-31 + 1 → 2004-01-02 (1/1 元旦 off): only 2004 days are counted.
    d = add_working_days(CAL, date(2003, 12, 31), 1)
    assert d.due == date(2004, 1, 2)
    assert not d.provisional


def test_suspension_stops_the_clock() -> None:
    start = date(2026, 3, 2)  # Monday
    # 3/3 (1); 3/4–3/5 suspended; 3/6 (2), 3/9 (3), 3/10 (4), 3/11 (5).
    d = add_working_days(CAL, start, 5, suspended=[(date(2026, 3, 4), date(2026, 3, 5))])
    assert d.due == date(2026, 3, 11)
    assert d.suspended_days == 2
    # Overlapping and touching periods are one pause.
    same = add_working_days(
        CAL,
        start,
        5,
        suspended=[
            (date(2026, 3, 4), date(2026, 3, 4)),
            (date(2026, 3, 5), date(2026, 3, 5)),
            (date(2026, 3, 4), date(2026, 3, 5)),
        ],
    )
    assert same.due == d.due
    # A pause before the start or after the due date changes nothing.
    far = add_working_days(
        CAL, start, 5, suspended=[(date(2026, 1, 1), date(2026, 3, 2)), (date(2026, 4, 1), date(2026, 4, 30))]
    )
    assert far.due == date(2026, 3, 9)
    assert far.suspended_days == 0
    assert working_days_between(CAL, start, date(2026, 3, 11), suspended=[(date(2026, 3, 4), date(2026, 3, 5))]) == (
        5,
        False,
    )


def test_suspension_across_the_holiday_week() -> None:
    # Suspended 9/28–9/30, then 国庆: from 9/25 the first running working day is 10/8.
    d = add_working_days(CAL, date(2026, 9, 25), 1, suspended=[(date(2026, 9, 28), date(2026, 9, 30))])
    assert d.due == date(2026, 10, 8)
    assert d.suspended_days == 3


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ValidationError) as err:
        add_working_days(CAL, date(2026, 3, 2), -1)
    assert err.value.field == "amount"
    with pytest.raises(ValidationError):
        add_working_days(CAL, date(2026, 3, 2), True)
    with pytest.raises(ValidationError) as err:
        add_working_days(CAL, date(2026, 3, 2), 1, suspended=[(date(2026, 3, 5), date(2026, 3, 4))])
    assert err.value.field == "suspended"
    with pytest.raises(ValidationError):
        add_calendar_days(date(2026, 3, 2), -3, cal=CAL)
    with pytest.raises(ValidationError):
        add_months(date(2026, 3, 2), -1, cal=CAL)
    with pytest.raises(ValidationError):
        add_years(date(2026, 3, 2), -1, cal=CAL)
    # An open-ended pause passed as "until the end of time" cannot produce a date: refused, not a crash.
    with pytest.raises(ValidationError):
        add_working_days(CAL, date(2026, 3, 2), 1, suspended=[(date(2026, 3, 3), date.max)])


def test_working_days_between_directions() -> None:
    assert working_days_between(CAL, date(2026, 10, 9), date(2026, 9, 25)) == (-5, False)
    assert working_days_between(CAL, date(2026, 3, 2), date(2026, 3, 2)) == (0, False)
    assert working_days_between(CAL, date(2026, 10, 1), date(2026, 10, 7)) == (0, False)


# --- calendar days and the holiday-end rule (民法典 第二百零三条) ---


@pytest.mark.parametrize(
    ("start", "n", "nominal", "due"),
    [
        # 15 days from 9/15 end on Wed 9/30, a working day.
        (date(2026, 9, 15), 15, date(2026, 9, 30), date(2026, 9, 30)),
        # 15 days from 9/16 end on 10/1 (国庆): moved to the day after the holiday, Thu 10/8.
        (date(2026, 9, 16), 15, date(2026, 10, 1), date(2026, 10, 8)),
        # 60 days (行政复议) from 8/3 end on 10/2: moved to 10/8.
        (date(2026, 8, 3), 60, date(2026, 10, 2), date(2026, 10, 8)),
        # Last day Sat 3/7, an ordinary weekend: moved to Mon 3/9 (the reading chosen in clock.py).
        (date(2026, 3, 6), 1, date(2026, 3, 7), date(2026, 3, 9)),
        # Last day Sat 10/10, a make-up working day: not moved.
        (date(2026, 9, 30), 10, date(2026, 10, 10), date(2026, 10, 10)),
        # 春节: last day 2/16 → 2/24.
        (date(2026, 2, 1), 15, date(2026, 2, 16), date(2026, 2, 24)),
        (date(2026, 3, 2), 0, date(2026, 3, 2), date(2026, 3, 2)),
    ],
)
def test_add_calendar_days(start: date, n: int, nominal: date, due: date) -> None:
    d = add_calendar_days(start, n, cal=CAL)
    assert (d.nominal_due, d.due) == (nominal, due)
    assert d.extended_by_holiday == (nominal != due)
    assert not d.provisional
    assert d.unit is Unit.CALENDAR_DAYS


def test_calendar_days_with_suspension() -> None:
    # 10 days from 3/2 with 3/5–3/9 suspended (5 days): the 10th running day is 3/17 (Tue).
    d = add_calendar_days(date(2026, 3, 2), 10, cal=CAL, suspended=[(date(2026, 3, 5), date(2026, 3, 9))])
    assert d.due == date(2026, 3, 17)
    assert d.suspended_days == 5


def test_calendar_days_into_2027_are_provisional() -> None:
    d = add_calendar_days(date(2026, 12, 1), 31, cal=CAL)
    # The 31st day is 2027-01-01: 元旦 by statute though no 2027 notice is known (before the statutory
    # fallback it stayed a working day), so the period ends on Mon 1/4 — provisionally.
    assert d.nominal_due == date(2027, 1, 1)
    assert d.due == date(2027, 1, 4)
    assert d.provisional


# --- months and years (民法典 第二百零二条) ---


@pytest.mark.parametrize(
    ("start", "n", "nominal", "due", "provisional"),
    [
        # Month-end: no 2/31, so the last day of February. 2027-02-28 is a Sunday → Mon 3/1 (provisional).
        (date(2027, 1, 31), 1, date(2027, 2, 28), date(2027, 3, 1), True),
        (date(2028, 1, 31), 1, date(2028, 2, 29), date(2028, 2, 29), True),
        # 2026-02-28 is a Saturday made a working day (春节 调休): not moved.
        (date(2026, 1, 31), 1, date(2026, 2, 28), date(2026, 2, 28), False),
        # 行政诉讼 6 months.
        (date(2026, 4, 15), 6, date(2026, 10, 15), date(2026, 10, 15), False),
        (date(2026, 3, 31), 6, date(2026, 9, 30), date(2026, 9, 30), False),
        # Last day 10/1 (国庆) → 10/8.
        (date(2026, 4, 1), 6, date(2026, 10, 1), date(2026, 10, 8), False),
        # Across the year end.
        (date(2025, 11, 30), 3, date(2026, 2, 28), date(2026, 2, 28), False),
        (date(2026, 7, 15), 6, date(2027, 1, 15), date(2027, 1, 15), True),
    ],
)
def test_add_months(start: date, n: int, nominal: date, due: date, provisional: bool) -> None:
    d = add_months(start, n, cal=CAL)
    assert (d.nominal_due, d.due, d.provisional) == (nominal, due, provisional)
    assert d.unit is Unit.MONTHS


def test_months_with_suspension() -> None:
    # 1 month from 3/2 → 4/2, plus 10 suspended days (3/10–3/19) → 4/12 (Sun) → Mon 4/13.
    d = add_months(date(2026, 3, 2), 1, cal=CAL, suspended=[(date(2026, 3, 10), date(2026, 3, 19))])
    assert d.nominal_due == date(2026, 4, 12)
    assert d.due == date(2026, 4, 13)
    assert d.suspended_days == 10
    # The extension itself runs into a second pause (4/3–4/4), which is skipped too: 4/2 + 10 running
    # days skipping 4/3–4/4 → 4/14 (Tue).
    d = add_months(
        date(2026, 3, 2),
        1,
        cal=CAL,
        suspended=[(date(2026, 3, 10), date(2026, 3, 19)), (date(2026, 4, 3), date(2026, 4, 4))],
    )
    assert d.due == date(2026, 4, 14)
    assert d.suspended_days == 12


def test_add_years() -> None:
    # Feb 29 + 1 year: no corresponding day, so Feb 28 (2025-02-28 is a Friday, a working day).
    d = add_years(date(2024, 2, 29), 1, cal=CAL)
    assert d.due == date(2025, 2, 28)
    assert d.unit is Unit.YEARS
    assert d.basis == "1年"  # zh_CN, the default locale of the tests
    assert add_years(date(2024, 2, 29), 4, cal=CAL).nominal_due == date(2028, 2, 29)
    # 2 years from 2024-10-01 → 2026-10-01 (国庆) → 10/8.
    assert add_years(date(2024, 10, 1), 2, cal=CAL).due == date(2026, 10, 8)


def test_compute_deadline_dispatch() -> None:
    start = date(2026, 9, 25)
    assert compute_deadline(CAL, start, 5, Unit.WORKING_DAYS).due == date(2026, 10, 9)
    assert compute_deadline(CAL, start, 5, "working_days").due == date(2026, 10, 9)
    assert compute_deadline(CAL, start, 15, Unit.CALENDAR_DAYS) == add_calendar_days(start, 15, cal=CAL)
    assert compute_deadline(CAL, start, 6, Unit.MONTHS) == add_months(start, 6, cal=CAL)
    assert compute_deadline(CAL, start, 1, Unit.YEARS) == add_years(start, 1, cal=CAL)
    pause = [(date(2026, 9, 28), date(2026, 9, 30))]
    assert compute_deadline(CAL, start, 1, Unit.WORKING_DAYS, pause).due == date(2026, 10, 8)
    with pytest.raises(ValidationError) as err:
        compute_deadline(CAL, start, 5, "fortnights")
    assert err.value.field == "unit"


# --- properties ---

covered_starts = st.dates(min_value=date(FIRST_COVERED, 1, 1), max_value=date(LAST_COVERED, 10, 31))
any_starts = st.dates(min_value=date(2001, 1, 1), max_value=date(2031, 12, 31))
units = st.sampled_from(list(Unit))


def _span_is_uncovered(start: date, due: date) -> bool:
    """Independent oracle: does (start, due] touch a year outside 2004–2026?"""
    if due <= start:
        return False
    return (start + timedelta(days=1)).year < FIRST_COVERED or due.year > LAST_COVERED


def _amount_for(unit: Unit) -> st.SearchStrategy[int]:
    return {
        Unit.WORKING_DAYS: st.integers(0, 120),
        Unit.CALENDAR_DAYS: st.integers(0, 200),
        Unit.MONTHS: st.integers(0, 24),
        Unit.YEARS: st.integers(0, 3),
    }[unit]


@given(start=covered_starts, n=st.integers(1, 40))
def test_working_day_due_is_a_working_day(start: date, n: int) -> None:
    d = add_working_days(CAL, start, n)
    if not d.provisional:
        assert CAL.is_workday(d.due)
    assert d.due > start
    assert working_days_between(CAL, start, d.due) == (n, d.provisional)


@given(start=covered_starts, unit=units, data=st.data())
def test_due_is_a_working_day_for_every_unit(start: date, unit: Unit, data: st.DataObject) -> None:
    n = data.draw(_amount_for(unit).filter(lambda k: k >= 1))
    d = compute_deadline(CAL, start, n, unit)
    if not d.provisional:
        assert CAL.is_workday(d.due)
    assert d.due >= d.nominal_due > start


@given(start=any_starts, unit=units, data=st.data())
def test_monotonic_in_n(start: date, unit: Unit, data: st.DataObject) -> None:
    n = data.draw(_amount_for(unit))
    a = compute_deadline(CAL, start, n, unit)
    b = compute_deadline(CAL, start, n + 1, unit)
    if unit is Unit.WORKING_DAYS:
        assert b.due > a.due
    else:
        assert b.due >= a.due


@given(start=any_starts, unit=units, data=st.data())
def test_provisional_iff_span_touches_an_uncovered_year(start: date, unit: Unit, data: st.DataObject) -> None:
    n = data.draw(_amount_for(unit))
    d = compute_deadline(CAL, start, n, unit)
    assert d.provisional == _span_is_uncovered(start, d.due)
    assert bool(d.uncovered_years) == d.provisional


@settings(max_examples=50)
@given(
    start=st.dates(min_value=date(2025, 12, 1), max_value=date(2026, 3, 31)),
    n=st.integers(1, 30),
    pauses=st.lists(
        st.tuples(st.integers(0, 60), st.integers(0, 20)).map(
            lambda p: (
                date(2026, 1, 1) + timedelta(days=p[0]),
                date(2026, 1, 1) + timedelta(days=p[0] + p[1]),
            )
        ),
        max_size=3,
    ),
)
def test_suspension_never_shortens(start: date, n: int, pauses: list[tuple[date, date]]) -> None:
    plain = add_working_days(CAL, start, n)
    paused = add_working_days(CAL, start, n, suspended=pauses)
    assert paused.due >= plain.due
    assert working_days_between(CAL, start, paused.due, suspended=pauses)[0] == n
    assert isinstance(paused, Deadline)
