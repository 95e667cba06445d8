"""The legal clock: when a time limit counted in working days, days, months or years runs out.

Rules, from 民法典 总则编 第十章 (期间计算), which the procedure laws follow unless they say
otherwise (第二百零四条):

- 第二百零一条: 按照年、月、日计算期间的，开始的当日不计入，自下一日开始计算. Every function here starts
  counting on the day after ``start``.
- 第二百零二条: 按照月、年计算期间的，到期月的对应日为期间的最后一日；没有对应日的，月末日为期间的最后一日.
- 第二百零三条: 期间的最后一日是法定休假日的，以法定休假日结束的次日为期间的最后一日 (the *holiday-end rule*).
- Suspended time (中止) does not run: the procedure rules we implement say so (e.g. 行政裁决
  "suspension time is not counted", reference/mission.md), so days inside a suspension are skipped.

Whether a day is a working day comes from :class:`~fzmediate.procedure.calendar.WorkCalendar`. When any day of
a deadline's span lies in a year whose official holiday arrangement is not known (no table, no package data),
the deadline is marked ``provisional`` and must be shown as such, never as a firm date: for such a year the
calendar counts the statutory holidays with presumed substitute days (source "statutory", 2000–2100), or
Monday–Friday alone outside those years, and the State Council's notice may still move days (调休, 补假).
"""

from __future__ import annotations

import calendar as _gregorian
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from fzmediate.errors import ValidationError
from fzmediate.i18n import _, ngettext
from fzmediate.procedure.calendar import WorkCalendar

#: A suspension (中止) period, both days included.
Period = tuple[date, date]

_ONE_DAY = timedelta(days=1)


class Unit(StrEnum):
    """The unit a time limit is stated in (catalogue field 法定/承诺时限)."""

    WORKING_DAYS = "working_days"
    CALENDAR_DAYS = "calendar_days"
    MONTHS = "months"
    YEARS = "years"


@dataclass(frozen=True)
class Deadline:
    """A computed time limit: the last day on which the act is still in time."""

    #: The last day of the period (after the holiday-end rule and any suspension).
    due: date
    #: True when a day of the span (day after ``start`` … ``due``) lies in a year whose official arrangement is
    #: unknown (``WorkCalendar.covers`` is False; ``source_for`` tells "statutory" or None).
    provisional: bool
    #: What the limit is, for screens and notices, e.g. "5个工作日", "6个月".
    basis: str
    #: The day the period started from (not itself counted).
    start: date
    unit: Unit
    amount: int
    #: The last day before the holiday-end rule moved it (equal to ``due`` when nothing moved).
    nominal_due: date
    #: Days up to ``nominal_due`` on which the clock stood still because of a suspension.
    suspended_days: int = 0
    #: The uncovered years behind ``provisional`` (empty when it is False).
    uncovered_years: tuple[int, ...] = ()

    @property
    def extended_by_holiday(self) -> bool:
        """True when the last day fell on a day off and moved to the next working day (第二百零三条)."""
        return self.due != self.nominal_due


def describe(amount: int, unit: Unit) -> str:
    """The limit as people write it: "5个工作日", "15日", "6个月", "1年" (localized)."""
    if unit is Unit.WORKING_DAYS:
        text = ngettext("{n} working day", "{n} working days", amount)
    elif unit is Unit.CALENDAR_DAYS:
        text = ngettext("{n} day", "{n} days", amount)
    elif unit is Unit.MONTHS:
        text = ngettext("{n} month", "{n} months", amount)
    else:
        text = ngettext("{n} year", "{n} years", amount)
    return text.format(n=amount)


class _Suspensions:
    """The union of suspension periods, answering "does the clock stand still on this day?"."""

    def __init__(self, periods: Sequence[Period]) -> None:
        merged: list[list[date]] = []
        for i, (first, last) in enumerate(sorted(periods)):
            if last < first:
                raise ValidationError(
                    _("Suspension {i} ends ({last}) before it starts ({first})").format(
                        i=i + 1, first=first.isoformat(), last=last.isoformat()
                    ),
                    field="suspended",
                )
            # Overlapping or touching periods merge: a day is either suspended or not.
            if merged and first <= merged[-1][1] + _ONE_DAY:
                merged[-1][1] = max(merged[-1][1], last)
            else:
                merged.append([first, last])
        self._periods = [(a, b) for a, b in merged]

    def end_of(self, d: date) -> date | None:
        """The last suspended day of the period holding ``d``, or None if the clock runs on ``d``."""
        for first, last in self._periods:
            if first <= d <= last:
                return last
            if d < first:
                break
        return None

    def count(self, after: date, through: date) -> int:
        """How many suspended days lie in (after, through]."""
        total = 0
        for first, last in self._periods:
            lo = max(first, after + _ONE_DAY)
            hi = min(last, through)
            if lo <= hi:
                total += (hi - lo).days + 1
        return total


def _check_amount(n: int) -> None:
    # bool is an int subclass; True days is a caller bug, not one day.
    if not isinstance(n, int) or isinstance(n, bool):
        raise ValidationError(_("The time limit must be a whole number"), field="amount")
    if n < 0:
        raise ValidationError(_("The time limit cannot be negative"), field="amount")


def _next_running_day(d: date, stops: _Suspensions) -> date:
    """The first day after ``d`` on which the clock runs (jumping whole suspensions at once)."""
    nxt = d + _ONE_DAY
    while (end := stops.end_of(nxt)) is not None:
        nxt = end + _ONE_DAY
    return nxt


def _uncovered(cal: WorkCalendar, start: date, due: date) -> tuple[int, ...]:
    """Years of the span (start, due] whose official holiday arrangement is unknown."""
    if due <= start:
        return ()
    first = start + _ONE_DAY
    return tuple(y for y in range(first.year, due.year + 1) if not cal.covers(y))


def _holiday_end(cal: WorkCalendar, last: date) -> date:
    """第二百零三条: a period whose last day is a day off ends on the next working day."""
    d = last
    while not cal.is_workday(d):
        d += _ONE_DAY
    return d


def _finish(
    cal: WorkCalendar,
    *,
    start: date,
    amount: int,
    unit: Unit,
    nominal: date,
    due: date,
    stops: _Suspensions,
) -> Deadline:
    years = _uncovered(cal, start, due)
    return Deadline(
        due=due,
        provisional=bool(years),
        basis=describe(amount, unit),
        start=start,
        unit=unit,
        amount=amount,
        nominal_due=nominal,
        suspended_days=stops.count(start, nominal),
        uncovered_years=years,
    )


def _guard_overflow(what: str) -> ValidationError:
    return ValidationError(_("The deadline falls beyond the last representable date ({what})").format(what=what))


def add_working_days(cal: WorkCalendar, start: date, n: int, *, suspended: Sequence[Period] = ()) -> Deadline:
    """The n-th working day after ``start`` (``start`` itself is never counted, 第二百零一条).

    Days inside a suspension do not count even when they are working days. ``n == 0`` gives ``start``
    itself (nothing to count; never provisional). A negative ``n`` is refused. A working-day limit ends on
    a working day by construction, so the holiday-end rule never moves it.
    """
    _check_amount(n)
    stops = _Suspensions(suspended)
    d = start
    try:
        counted = 0
        while counted < n:
            d = _next_running_day(d, stops)
            if cal.is_workday(d):
                counted += 1
    except OverflowError:
        raise _guard_overflow(describe(n, Unit.WORKING_DAYS)) from None
    return _finish(cal, start=start, amount=n, unit=Unit.WORKING_DAYS, nominal=d, due=d, stops=stops)


def working_days_between(cal: WorkCalendar, a: date, b: date, *, suspended: Sequence[Period] = ()) -> tuple[int, bool]:
    """Working days after ``a`` up to and including ``b``, and whether that count is provisional.

    This is the inverse of :func:`add_working_days`: ``working_days_between(cal, s, add_working_days(cal, s,
    n).due) == (n, …)``. When ``b`` is before ``a`` the count is negative (days in (b, a], negated), which
    reads as "overdue by". Suspended days are not counted.
    """
    sign = 1
    if b < a:
        a, b, sign = b, a, -1
    stops = _Suspensions(suspended)
    count = 0
    d = a + _ONE_DAY
    while d <= b:
        if stops.end_of(d) is None and cal.is_workday(d):
            count += 1
        d += _ONE_DAY
    return sign * count, bool(_uncovered(cal, a, b))


def add_calendar_days(start: date, n: int, *, cal: WorkCalendar, suspended: Sequence[Period] = ()) -> Deadline:
    """A limit of n days (日): the n-th running day after ``start``, then the holiday-end rule.

    Counting starts the day after ``start`` (第二百零一条) and skips suspended days. If that last day is not
    a working day, the period ends on the next working day (第二百零三条).

    Reading of 第二百零三条 implemented here: "法定休假日" is taken as every day off in the official
    calendar, i.e. statutory holidays *and* ordinary Saturdays/Sundays (公休日), while weekend make-up
    workdays (调休上班) count as working days; so a last day that is not a working day moves to the next
    working day. This is the common reading (the 期间 article of 民事诉讼法 uses the same words and is
    applied this way), and the only one under which a period never ends on a day the office is closed.
    The narrower literal reading (festivals only: an ordinary Sunday would not move the end) differs only
    when the nominal last day is an ordinary weekend day; the domain owner is to confirm the choice.
    ``cal`` is needed for this rule, so it is a required keyword (unlike a plain date addition).
    ``n == 0`` gives ``start`` with no adjustment.
    """
    _check_amount(n)
    stops = _Suspensions(suspended)
    if n == 0:
        return _finish(cal, start=start, amount=0, unit=Unit.CALENDAR_DAYS, nominal=start, due=start, stops=stops)
    try:
        d = start
        for _i in range(n):
            d = _next_running_day(d, stops)
        due = _holiday_end(cal, d)
    except OverflowError:
        raise _guard_overflow(describe(n, Unit.CALENDAR_DAYS)) from None
    return _finish(cal, start=start, amount=n, unit=Unit.CALENDAR_DAYS, nominal=d, due=due, stops=stops)


def _same_day_months_later(start: date, months: int) -> date:
    """第二百零二条: the corresponding day ``months`` later, or that month's last day if it has none."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    if year > date.max.year:
        raise OverflowError
    last_day = _gregorian.monthrange(year, month)[1]
    return date(year, month, min(start.day, last_day))


def _add_months(
    cal: WorkCalendar, start: date, months: int, amount: int, unit: Unit, suspended: Sequence[Period]
) -> Deadline:
    _check_amount(amount)
    stops = _Suspensions(suspended)
    if amount == 0:
        return _finish(cal, start=start, amount=0, unit=unit, nominal=start, due=start, stops=stops)
    try:
        d = _same_day_months_later(start, months)
        # Suspended days inside the period push its end back by as many running days; days pulled in by
        # that extension are skipped too, since _next_running_day jumps over any later suspension.
        for _i in range(stops.count(start, d)):
            d = _next_running_day(d, stops)
        due = _holiday_end(cal, d)
    except OverflowError:
        raise _guard_overflow(describe(amount, unit)) from None
    return _finish(cal, start=start, amount=amount, unit=unit, nominal=d, due=due, stops=stops)


def add_months(start: date, n: int, *, cal: WorkCalendar, suspended: Sequence[Period] = ()) -> Deadline:
    """A limit of n months (个月), e.g. 行政诉讼法 第四十六条 six months.

    The period ends on the same day-of-month n months after ``start`` (the 对应日 of 第二百零二条; the
    start day itself is not counted, which is what makes the corresponding day the last one), or on that
    month's last day when it has no such day: 2027-01-31 + 1 month → 2027-02-28, 2028-01-31 →
    2028-02-29. Suspended days between ``start`` and that day extend the period by the same number of
    running days. Then the holiday-end rule applies as in :func:`add_calendar_days`. ``n == 0`` gives
    ``start``.
    """
    return _add_months(cal, start, n, n, Unit.MONTHS, suspended)


def add_years(start: date, n: int, *, cal: WorkCalendar, suspended: Sequence[Period] = ()) -> Deadline:
    """A limit of n years (年): as :func:`add_months` with 12·n months (Feb 29 + 1 year → Feb 28)."""
    _check_amount(n)
    return _add_months(cal, start, 12 * n, n, Unit.YEARS, suspended)


def compute_deadline(
    cal: WorkCalendar, start: date, amount: int, unit: Unit | str, suspended: Sequence[Period] = ()
) -> Deadline:
    """One entry point for the catalogue's time limits: dispatch on ``unit``.

    ``unit`` may also be its stored value ("working_days", …); anything else is refused.
    """
    try:
        unit = Unit(unit)
    except ValueError:
        raise ValidationError(_("Unknown time-limit unit {unit}").format(unit=str(unit)), field="unit") from None
    if unit is Unit.WORKING_DAYS:
        return add_working_days(cal, start, amount, suspended=suspended)
    if unit is Unit.CALENDAR_DAYS:
        return add_calendar_days(start, amount, cal=cal, suspended=suspended)
    if unit is Unit.MONTHS:
        return add_months(start, amount, cal=cal, suspended=suspended)
    return add_years(start, amount, cal=cal, suspended=suspended)
