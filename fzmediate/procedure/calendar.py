"""Which days are working days in mainland China: statutory holidays and make-up workdays (调休).

Every year the State Council publishes a notice (国务院办公厅关于××年部分节假日安排的通知) that moves days
off and on. This module answers "is this day a working day?" from these sources, first match wins:

1. holiday tables passed in at runtime (the district publishes them inside the catalogue bundle);
2. the tables shipped in ``resources/holidays/<year>.json``;
3. the ``chinese_calendar`` package, for the years it covers (2004–2026 in 1.11);
4. the statutory holidays of 《全国年节及纪念日放假办法》 (:mod:`fzmediate.procedure.statutory_holidays`),
   computed for 2000–2100 with presumed substitute days (补假): Monday–Friday are working days except those.

Only 1–3 know the official arrangement (:meth:`WorkCalendar.covers`). A year answered by 4 (or, outside
2000–2100, by Monday–Friday alone) is not covered, and the clock marks deadlines touching it *provisional*
(:meth:`WorkCalendar.source_for` tells which). The table format is documented in ``resources/holidays/README.md``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Literal

import chinese_calendar

from fzmediate.errors import ValidationError
from fzmediate.i18n import _
from fzmediate.procedure import statutory_holidays as statutory
from fzmediate.resources import resource

#: Where a year's answers come from: a holiday table (runtime or shipped) or the calendar package, both official;
#: or "statutory": computed from the statutory holidays with presumed 补假 days, the 调休 arrangement unknown.
SourceKind = Literal["table", "package", "statutory"]

_TABLE_KEYS = frozenset({"year", "source", "published", "holidays", "workdays"})
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TABLE_FILE = re.compile(r"^\d{4}\.json$")
# The longest arrangement so far is 9 days (春节 2026); a longer range is almost surely a typo.
_MAX_RANGE_DAYS = 31


@dataclass(frozen=True)
class HolidayRange:
    """Consecutive days off announced by the notice (both ends included), e.g. 国庆节 10-01 … 10-07."""

    first: date
    last: date
    name: str

    def days(self) -> Iterable[date]:
        d = self.first
        while d <= self.last:
            yield d
            d += timedelta(days=1)


@dataclass(frozen=True)
class HolidayTable:
    """One year's State Council holiday arrangement, validated.

    ``holidays`` are days off (they may include weekends inside a range); ``workdays`` are the weekend days
    that become working days (调休). A notice may also rearrange the last days of December of the previous
    year (the 2019 notice did, for 2018-12-29 … 12-31), so dates from that December are accepted too; for
    those dates the newer notice wins over the older year's answer.
    """

    year: int
    source: str
    published: date
    holidays: tuple[HolidayRange, ...]
    workdays: tuple[date, ...]
    #: Where the table came from (file name or bundle label), for messages; never an absolute path.
    origin: str

    _workday_set: frozenset[date] = field(init=False, repr=False, compare=False)
    _off_set: frozenset[date] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Computed once: status() runs for every day a deadline counts. Frozen, hence object.__setattr__.
        object.__setattr__(self, "_workday_set", frozenset(self.workdays))
        object.__setattr__(self, "_off_set", frozenset(d for r in self.holidays for d in r.days()))

    def status(self, d: date) -> bool | None:
        """True: the notice makes ``d`` a working day; False: a day off; None: the notice is silent."""
        if d in self._workday_set:
            return True
        if d in self._off_set:
            return False
        return None


def _fail(origin: str, where: str, rule: str) -> ValidationError:
    return ValidationError(
        _("Holiday table {origin}: {field}: {rule}").format(origin=origin, field=where, rule=rule),
        field=where,
    )


def _parse_date(value: object, *, origin: str, where: str) -> date:
    if not isinstance(value, str) or not _ISO_DATE.match(value):
        raise _fail(origin, where, _("expected a date written YYYY-MM-DD"))
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise _fail(origin, where, _("not a valid calendar date")) from None


def _check_in_year(d: date, year: int, *, origin: str, where: str) -> None:
    # The notice for `year` may reach back into the previous December (turn-of-year arrangements).
    if d.year == year or (d.year == year - 1 and d.month == 12):
        return
    raise _fail(
        origin,
        where,
        _("the date lies outside {year} (and outside December {prev})").format(year=year, prev=year - 1),
    )


def parse_holiday_table(data: object, *, origin: str, expected_year: int | None = None) -> HolidayTable:
    """Validate a decoded holiday table (see ``resources/holidays/README.md``) and return it.

    ``origin`` names the table in error messages (a file name or a bundle label). ``expected_year`` is the
    year the container promises (the file name ``2026.json``); a mismatch is refused. Raises
    :class:`ValidationError` naming the field and the rule.
    """
    if not isinstance(data, Mapping):
        raise _fail(origin, "(root)", _("expected a JSON object"))
    missing = sorted(_TABLE_KEYS - data.keys())
    if missing:
        raise _fail(origin, missing[0], _("this field is required"))
    unknown = sorted(str(k) for k in data.keys() - _TABLE_KEYS)
    if unknown:
        raise _fail(origin, unknown[0], _("unknown field (a typo?)"))

    year = data["year"]
    # bool is an int subclass: `true` is not a year. The bounds only catch typos (and keep the previous
    # December representable); notices exist since the PRC's first holiday rules of 1949.
    if not isinstance(year, int) or isinstance(year, bool) or not 1949 <= year <= 9998:
        raise _fail(origin, "year", _("expected a year between 1949 and 9998"))
    if expected_year is not None and year != expected_year:
        raise _fail(
            origin,
            "year",
            _("the table says {year} but is filed as {expected}").format(year=year, expected=expected_year),
        )

    source = data["source"]
    if not isinstance(source, str) or not source.strip():
        raise _fail(origin, "source", _("name the notice the table copies (non-empty text)"))
    published = _parse_date(data["published"], origin=origin, where="published")

    raw_holidays = data["holidays"]
    if not isinstance(raw_holidays, list):
        raise _fail(origin, "holidays", _("expected a list of [first, last, name] entries"))
    ranges: list[HolidayRange] = []
    off: dict[date, str] = {}
    for i, entry in enumerate(raw_holidays):
        where = f"holidays[{i}]"
        if not isinstance(entry, list) or len(entry) != 3:
            raise _fail(origin, where, _("expected [first, last, name]"))
        first = _parse_date(entry[0], origin=origin, where=where)
        last = _parse_date(entry[1], origin=origin, where=where)
        name = entry[2]
        if not isinstance(name, str) or not name.strip():
            raise _fail(origin, where, _("the holiday needs a name"))
        if last < first:
            raise _fail(origin, where, _("the range ends before it starts"))
        if (last - first).days + 1 > _MAX_RANGE_DAYS:
            raise _fail(
                origin,
                where,
                _("a range longer than {n} days is refused as a likely typo").format(n=_MAX_RANGE_DAYS),
            )
        _check_in_year(first, year, origin=origin, where=where)
        _check_in_year(last, year, origin=origin, where=where)
        r = HolidayRange(first, last, name.strip())
        for d in r.days():
            if d in off:
                raise _fail(
                    origin,
                    where,
                    _("{day} is already a day off in an earlier range").format(day=d.isoformat()),
                )
            off[d] = r.name
        ranges.append(r)

    raw_workdays = data["workdays"]
    if not isinstance(raw_workdays, list):
        raise _fail(origin, "workdays", _("expected a list of dates"))
    workdays: list[date] = []
    for i, value in enumerate(raw_workdays):
        where = f"workdays[{i}]"
        d = _parse_date(value, origin=origin, where=where)
        _check_in_year(d, year, origin=origin, where=where)
        if d.weekday() < 5:
            # Monday to Friday are working days anyway: listing one means a wrong date was typed.
            raise _fail(origin, where, _("{day} is not a Saturday or Sunday").format(day=d.isoformat()))
        if d in off:
            raise _fail(origin, where, _("{day} is both a holiday and a make-up workday").format(day=d.isoformat()))
        if d in workdays:
            raise _fail(origin, where, _("{day} is listed twice").format(day=d.isoformat()))
        workdays.append(d)

    return HolidayTable(
        year=year,
        source=source.strip(),
        published=published,
        holidays=tuple(ranges),
        workdays=tuple(sorted(workdays)),
        origin=origin,
    )


def parse_holiday_table_json(text: str | bytes, *, origin: str, expected_year: int | None = None) -> HolidayTable:
    """Decode and validate a holiday table given as JSON text (e.g. read from a catalogue bundle)."""
    try:
        data = json.loads(text)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _fail(origin, "(root)", _("not valid UTF-8 JSON ({detail})").format(detail=str(exc))) from None
    return parse_holiday_table(data, origin=origin, expected_year=expected_year)


def load_holiday_table(path: Path) -> HolidayTable:
    """Read one ``<year>.json`` file; its name must match its ``year``."""
    if not _TABLE_FILE.match(path.name):
        raise _fail(path.name, "(file name)", _("holiday tables are named <year>.json, e.g. 2026.json"))
    return parse_holiday_table_json(path.read_bytes(), origin=path.name, expected_year=int(path.stem))


def load_shipped_tables(directory: Path | None = None) -> tuple[HolidayTable, ...]:
    """Every table in ``resources/holidays`` (or ``directory``), oldest year first.

    A missing folder gives no tables: the calendar package still answers for the years it covers.
    """
    folder = directory if directory is not None else resource("holidays")
    if not folder.is_dir():
        return ()
    return tuple(load_holiday_table(p) for p in sorted(folder.glob("*.json")))


def _by_year(tables: Iterable[HolidayTable]) -> dict[int, HolidayTable]:
    out: dict[int, HolidayTable] = {}
    for t in tables:
        if t.year in out:
            # Which of two notices for one year is right cannot be guessed: refuse rather than pick one.
            raise ValidationError(
                _("Two holiday tables for {year}: {a} and {b}").format(year=t.year, a=out[t.year].origin, b=t.origin),
                field="holidays",
            )
        out[t.year] = t
    return out


class WorkCalendar:
    """Working days for mainland China: runtime tables → shipped tables → ``chinese_calendar`` → statutory.

    Immutable once built; a newer catalogue bundle means building a new calendar. For a year none of the
    official sources covers, :meth:`is_workday` counts Monday–Friday less the statutory holidays and presumed
    substitute days (2000–2100; Monday–Friday alone outside), and :meth:`covers` returns False so that the
    caller (the clock) can mark what it computed as provisional.
    """

    def __init__(
        self,
        tables: Iterable[HolidayTable] = (),
        *,
        shipped: Iterable[HolidayTable] | None = None,
        use_package: bool = True,
        presume_substitutes: bool = True,
    ) -> None:
        """``tables`` are the runtime (bundle) tables; ``shipped`` defaults to ``resources/holidays``.

        ``use_package=False`` leaves ``chinese_calendar`` out (for tests and cross-checks).
        ``presume_substitutes=False`` leaves the presumed 补假 days out of the statutory fallback, counting only
        the dated festival days as days off.
        """
        self._runtime = _by_year(tables)
        self._shipped = _by_year(load_shipped_tables() if shipped is None else shipped)
        self._use_package = use_package
        self._presume_substitutes = presume_substitutes
        self._package_years: dict[int, bool] = {}

    def table_for(self, year: int) -> HolidayTable | None:
        """The table that answers for ``year`` (runtime before shipped), or None."""
        table = self._runtime.get(year)
        return table if table is not None else self._shipped.get(year)

    def _package_covers(self, year: int) -> bool:
        if not self._use_package:
            return False
        known = self._package_years.get(year)
        if known is None:
            try:
                chinese_calendar.is_workday(date(year, 6, 1))
                known = True
            except NotImplementedError:
                # The package's way of saying "no data for this year" (before 2004, after its last notice).
                known = False
            self._package_years[year] = known
        return known

    def source_for(self, year: int) -> SourceKind | None:
        """Which source answers for ``year``: "table", "package", "statutory", or None.

        "statutory" means: computed from the statutory holidays, the year's 调休 arrangement not yet published
        (show "按法定节假日推算，调休安排公布后可能变化"). None means no holiday knowledge at all (before 2000 or
        after 2100): Monday–Friday only.
        """
        if self.table_for(year) is not None:
            return "table"
        if self._package_covers(year):
            return "package"
        if statutory.supports(year):
            return "statutory"
        return None

    def covers(self, year: int) -> bool:
        """True when a holiday table or the package knows the official arrangement for ``year``.

        False for a "statutory" year too: its deadlines are provisional.
        """
        return self.source_for(year) in ("table", "package")

    def is_workday(self, d: date) -> bool:
        """Whether ``d`` is a working day; for an uncovered year an estimate (check :meth:`covers`)."""
        if d.month == 12:
            # The next year's notice may rearrange the end of December; being newer, it wins.
            following = self.table_for(d.year + 1)
            if following is not None:
                status = following.status(d)
                if status is not None:
                    return status
        table = self.table_for(d.year)
        if table is not None:
            status = table.status(d)
            if status is not None:
                return status
            return d.weekday() < 5
        if self._package_covers(d.year):
            return bool(chinese_calendar.is_workday(d))
        if d.weekday() >= 5:
            # A weekend day off; only the notice can make it a working day (调休), and it is unknown here.
            return False
        if statutory.supports(d.year):
            return d not in statutory.days_off(d.year, substitutes=self._presume_substitutes)
        return True
