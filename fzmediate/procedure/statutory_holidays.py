"""The statutory holidays of 《全国年节及纪念日放假办法》, computed for any year from 2000 to 2100.

第二条 of the 办法 fixes the days every citizen has off (全体公民放假的节日). Since 2025-01-01 (国务院令第795号
of 2024-11-10) they are: 元旦 1 day (1月1日); 春节 4 days (农历除夕、正月初一至初三); 清明节 1 day (农历清明当日);
劳动节 2 days (5月1日、2日); 端午节 1 day (农历端午当日); 中秋节 1 day (农历中秋当日); 国庆节 3 days (10月1日至3日).
Earlier years follow the version then in force (see :data:`_VERSIONS`).

These days are known years ahead. 第六条 adds that a holiday falling on a Saturday or Sunday "应当在工作日补假":
the law guarantees a substitute day off but does not say which working day; nor does it fix how weekends are
swapped to form longer breaks (第七条, 调休). Only the State Council's annual notice (国务院办公厅关于××年部分节假日
安排的通知) places them. So this module gives two things, kept apart:

- :func:`statutory_holidays`: the dated days of 第二条, certain;
- :func:`presumed_substitute_days`: one 补假 day per statutory day lost to a weekend (or to two festivals on one
  day), placed as the notices have placed a lone 补休 (2017 元旦 "1月2日（星期一）补休", 2026 清明 4月6日): on the
  first Monday–Friday after it that is not already off. Presumed, not certain.

:class:`~fzmediate.procedure.calendar.WorkCalendar` uses them for years with no table and no package data, and the
clock keeps such deadlines provisional until the notice is published.

Lunar dates (除夕, 正月初一, 五月初五, 八月十五) and the 清明 solar term are computed by ``lunar_python`` (China
Standard Time, as the official calendar uses), never typed in by hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from lunar_python import Lunar  # type: ignore[import-untyped]

from fzmediate.errors import ValidationError
from fzmediate.i18n import _

#: First year computed: the first full year under the 1999 version, and of the five-day week (1995), so the
#: rule "Saturday and Sunday off" holds for every year answered here.
FIRST_YEAR = 2000
#: Last year computed: the end of the published lunisolar tables (1901–2100) the library can be checked against;
#: far beyond it the astronomical computation of new moons and solar terms loses certainty.
LAST_YEAR = 2100


@dataclass(frozen=True)
class StatutoryHoliday:
    """One day off: its date, the festival it belongs to (元旦, 春节, …), and whether it is a presumed 补假 day."""

    day: date
    name: str
    #: True for a day placed by :func:`presumed_substitute_days` (the law dates only the festival itself).
    substitute: bool = False


@dataclass(frozen=True)
class _Version:
    """第二条 as one amendment worded it, from the first year it applied."""

    first_year: int
    #: The amendment, for citations (Simplified Chinese legal data, not UI text).
    citation: str
    #: 春节 days as offsets from 正月初一 (-1 is 除夕, the eve: the day before 正月初一, 腊月廿九 or 三十).
    spring_offsets: tuple[int, ...]
    #: 劳动节 days in May.
    labour_days: tuple[int, ...]
    #: Whether 清明节, 端午节 and 中秋节 are holidays (added by the 2007 amendment, from 2008).
    traditional: bool


# Newest first. Every amendment took effect on 1 January of a year except the 1999 one (1999-09-18), which is
# why answers start in 2000.
_VERSIONS: tuple[_Version, ...] = (
    _Version(
        2025,
        "《全国年节及纪念日放假办法》第二条（2024年11月10日国务院令第795号修订，2025年1月1日起施行）",
        (-1, 0, 1, 2),
        (1, 2),
        True,
    ),
    _Version(
        2014,
        "《全国年节及纪念日放假办法》第二条（2013年12月11日国务院令第644号修订，2014年1月1日起施行）",
        (0, 1, 2),
        (1,),
        True,
    ),
    _Version(
        2008,
        "《全国年节及纪念日放假办法》第二条（2007年12月14日国务院令第513号修订，2008年1月1日起施行）",
        (-1, 0, 1),
        (1,),
        True,
    ),
    _Version(
        FIRST_YEAR,
        "《全国年节及纪念日放假办法》第二条（1999年9月18日国务院修订）",
        (0, 1, 2),
        (1, 2, 3),
        False,
    ),
)


def supports(year: int) -> bool:
    """Whether :func:`statutory_holidays` answers for ``year`` (:data:`FIRST_YEAR` … :data:`LAST_YEAR`)."""
    return FIRST_YEAR <= year <= LAST_YEAR


def _version(year: int) -> _Version:
    if not supports(year):
        raise ValidationError(
            _("Statutory holidays are computed only for the years {first} to {last}, not {year}").format(
                first=FIRST_YEAR, last=LAST_YEAR, year=year
            ),
            field="year",
        )
    return next(v for v in _VERSIONS if year >= v.first_year)


def citation(year: int) -> str:
    """The version of 第二条 that fixes ``year``'s statutory holidays (Simplified Chinese, for documents)."""
    return _version(year).citation


def _lunar_to_solar(year: int, month: int, day: int) -> date:
    # Month and day of the lunar year that starts in Gregorian `year`; month > 0 is never a leap month.
    solar = Lunar.fromYmd(year, month, day).getSolar()
    return date(solar.getYear(), solar.getMonth(), solar.getDay())


def _qingming(year: int) -> date:
    # The 清明 term of Gregorian `year` (4 or 5 April) lies in the lunar year that starts in the same year.
    solar = Lunar.fromYmd(year, 1, 1).getJieQiTable()["清明"]
    found = date(solar.getYear(), solar.getMonth(), solar.getDay())
    if found.year != year:  # a library change would otherwise shift a holiday silently
        raise RuntimeError("清明 of {year} computed in {found}".format(year=year, found=found.isoformat()))
    return found


@lru_cache(maxsize=64)
def statutory_holidays(year: int) -> tuple[StatutoryHoliday, ...]:
    """The statutory days off of ``year`` in date order, under the version of 第二条 in force that year.

    Substitute days (补假, see :func:`presumed_substitute_days`) and swapped weekends (调休) are not included.
    Two festivals may fall on one day (中秋节 on 国庆 10月3日 in 2028): the day is then listed once per
    festival, so the count still shows how many statutory days the year has. Raises
    :class:`ValidationError` outside :data:`FIRST_YEAR` … :data:`LAST_YEAR`.
    """
    version = _version(year)
    out = [StatutoryHoliday(date(year, 1, 1), "元旦")]
    new_year = _lunar_to_solar(year, 1, 1)
    out += [StatutoryHoliday(new_year + timedelta(days=k), "春节") for k in version.spring_offsets]
    if version.traditional:
        out.append(StatutoryHoliday(_qingming(year), "清明节"))
    out += [StatutoryHoliday(date(year, 5, d), "劳动节") for d in version.labour_days]
    if version.traditional:
        out.append(StatutoryHoliday(_lunar_to_solar(year, 5, 5), "端午节"))
        out.append(StatutoryHoliday(_lunar_to_solar(year, 8, 15), "中秋节"))
    out += [StatutoryHoliday(date(year, 10, d), "国庆节") for d in (1, 2, 3)]
    return tuple(sorted(out, key=lambda h: h.day))


@lru_cache(maxsize=64)
def presumed_substitute_days(year: int) -> tuple[StatutoryHoliday, ...]:
    """The 补假 days 第六条 owes for ``year``, placed where a lone 补休 has been placed (see the module text).

    One day for each statutory day on a Saturday or Sunday, and one for each extra festival sharing a day with
    another (中秋节 on 10月3日 in 2028): the first Monday–Friday after that day which is neither a statutory day
    nor an earlier substitute. The real notice may move them (into a longer 调休 block, or before the festival);
    a calendar built on them stays provisional. Raises :class:`ValidationError` outside the supported years.
    """
    holidays = statutory_holidays(year)
    taken = {h.day for h in holidays}
    seen: set[date] = set()
    out: list[StatutoryHoliday] = []
    for h in holidays:
        if h.day.weekday() >= 5 or h.day in seen:
            d = h.day + timedelta(days=1)
            while d.weekday() >= 5 or d in taken:
                d += timedelta(days=1)
            taken.add(d)
            out.append(StatutoryHoliday(d, h.name, substitute=True))
        seen.add(h.day)
    return tuple(out)


@lru_cache(maxsize=128)
def days_off(year: int, *, substitutes: bool = True) -> frozenset[date]:
    """Statutory days of ``year`` plus, unless ``substitutes`` is False, the presumed 补假 days.

    Every day lies in ``year``: no festival falls after October, so no substitute spills into January.
    Weekends are not listed unless a festival falls on one (they are off anyway).
    """
    days = {h.day for h in statutory_holidays(year)}
    if substitutes:
        days |= {h.day for h in presumed_substitute_days(year)}
    return frozenset(days)
