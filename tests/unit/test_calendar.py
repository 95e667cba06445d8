"""WorkCalendar: the shipped 2026 table, source order, coverage, and table validation."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import chinese_calendar
import pytest

from fzmediate.errors import ValidationError
from fzmediate.procedure.calendar import (
    HolidayTable,
    WorkCalendar,
    load_holiday_table,
    load_shipped_tables,
    parse_holiday_table,
    parse_holiday_table_json,
)
from fzmediate.resources import resource

# Three views of 2026 that must agree: the default chain (shipped table first), the table alone, and the
# package alone.
DEFAULT = WorkCalendar()
TABLE_ONLY = WorkCalendar(use_package=False)
PACKAGE_ONLY = WorkCalendar(shipped=())


def _days(year: int) -> list[date]:
    d, out = date(year, 1, 1), []
    while d.year == year:
        out.append(d)
        d += timedelta(days=1)
    return out


def _synthetic(for_year: int, **changes: Any) -> dict[str, Any]:
    """TEST DATA, not an official arrangement: a made-up table shaped like a real one."""
    data: dict[str, Any] = {
        "year": for_year,
        "source": "TEST DATA — synthetic table for unit tests, not a State Council notice",
        "published": f"{for_year - 1}-11-01",
        "holidays": [[f"{for_year}-01-01", f"{for_year}-01-01", "test new year"]],
        "workdays": [],
    }
    data.update(changes)
    return data


# --- the shipped 2026 table, checked by hand against 国办发明电〔2025〕7号 (2025-11-04) ---------------------

CASES_2026 = [
    # 元旦: 1/1 (Thu) – 1/3 off, 1/4 (Sun) make-up workday
    (date(2026, 1, 1), False),
    (date(2026, 1, 2), False),
    (date(2026, 1, 3), False),
    (date(2026, 1, 4), True),
    (date(2026, 1, 5), True),
    # 春节: 2/15 (Sun) – 2/23 (Mon) off; 2/14 (Sat) and 2/28 (Sat) working
    (date(2026, 2, 13), True),
    (date(2026, 2, 14), True),
    (date(2026, 2, 15), False),
    (date(2026, 2, 16), False),
    (date(2026, 2, 20), False),
    (date(2026, 2, 23), False),
    (date(2026, 2, 24), True),
    (date(2026, 2, 28), True),
    (date(2026, 3, 1), False),
    # 清明: 4/4 (Sat) – 4/6 (Mon)
    (date(2026, 4, 6), False),
    (date(2026, 4, 7), True),
    # 劳动节: 5/1 (Fri) – 5/5 (Tue) off; 5/9 (Sat) working
    (date(2026, 5, 1), False),
    (date(2026, 5, 4), False),
    (date(2026, 5, 5), False),
    (date(2026, 5, 6), True),
    (date(2026, 5, 9), True),
    (date(2026, 5, 10), False),
    # 端午: 6/19 (Fri) – 6/21
    (date(2026, 6, 19), False),
    (date(2026, 6, 22), True),
    # 中秋: 9/25 (Fri) – 9/27; 国庆: 10/1 (Thu) – 10/7 (Wed) off; 9/20 (Sun) and 10/10 (Sat) working
    (date(2026, 9, 19), False),
    (date(2026, 9, 20), True),
    (date(2026, 9, 25), False),
    (date(2026, 9, 28), True),
    (date(2026, 10, 1), False),
    (date(2026, 10, 5), False),
    (date(2026, 10, 7), False),
    (date(2026, 10, 8), True),
    (date(2026, 10, 10), True),
    (date(2026, 10, 11), False),
    # ordinary days
    (date(2026, 3, 2), True),
    (date(2026, 3, 7), False),
    (date(2026, 12, 31), True),
]


@pytest.mark.parametrize(("day", "working"), CASES_2026)
@pytest.mark.parametrize("cal", [DEFAULT, TABLE_ONLY, PACKAGE_ONLY], ids=["default", "table", "package"])
def test_2026_arrangement(cal: WorkCalendar, day: date, working: bool) -> None:
    assert cal.is_workday(day) is working


def test_shipped_2026_table_agrees_with_package_on_every_day() -> None:
    differing = [d for d in _days(2026) if TABLE_ONLY.is_workday(d) != chinese_calendar.is_workday(d)]
    assert differing == []
    # The reference counts 248 working days in 2026 with both libraries.
    assert sum(TABLE_ONLY.is_workday(d) for d in _days(2026)) == 248


def test_every_shipped_table_agrees_with_package_where_both_know() -> None:
    for table in load_shipped_tables():
        if not PACKAGE_ONLY.covers(table.year):
            continue  # a year after the package's data: nothing to cross-check yet
        only_table = WorkCalendar(shipped=[table], use_package=False)
        differing = [d for d in _days(table.year) if only_table.is_workday(d) != chinese_calendar.is_workday(d)]
        assert differing == [], table.origin


def test_shipped_2026_table_metadata() -> None:
    table = load_holiday_table(resource("holidays", "2026.json"))
    assert table.year == 2026
    assert "国办发明电〔2025〕7号" in table.source
    assert table.published == date(2025, 11, 4)
    assert table.workdays == (
        date(2026, 1, 4),
        date(2026, 2, 14),
        date(2026, 2, 28),
        date(2026, 5, 9),
        date(2026, 9, 20),
        date(2026, 10, 10),
    )
    assert [r.name for r in table.holidays] == [
        "元旦",
        "春节",
        "清明节",
        "劳动节",
        "端午节",
        "中秋节",
        "国庆节",
    ]


def test_no_2027_table_is_shipped() -> None:
    # The 2027 notice is not in our references: 2027 must stay uncovered until a real table arrives.
    assert not resource("holidays", "2027.json").exists()


# --- sources and coverage ------------------------------------------------------------------------------


def test_source_order_and_coverage() -> None:
    assert DEFAULT.source_for(2026) == "table"
    assert PACKAGE_ONLY.source_for(2026) == "package"
    assert DEFAULT.source_for(2015) == "package"
    assert DEFAULT.source_for(2004) == "package"
    # Years without official data are answered from the statutory holidays (2000–2100) and stay uncovered;
    # before the statutory fallback existed, source_for() gave None for all of them.
    for year in (2003, 2000, 2027, 2030, 2100):
        assert DEFAULT.source_for(year) == "statutory"
        assert not DEFAULT.covers(year)
    for year in (1999, 2101):
        assert DEFAULT.source_for(year) is None
        assert not DEFAULT.covers(year)
    assert DEFAULT.covers(2004)
    assert DEFAULT.covers(2026)
    assert TABLE_ONLY.source_for(2015) == "statutory"
    assert not TABLE_ONLY.covers(2015)


def test_uncovered_years_count_statutory_holidays() -> None:
    # 2027-01-01 (Fri) has no notice yet, but 元旦 is fixed by statute: a day off (it used to be a working
    # day under the plain Monday–Friday fallback). covers() still tells the caller the year is not official.
    assert DEFAULT.is_workday(date(2027, 1, 1)) is False
    assert DEFAULT.is_workday(date(2027, 1, 2)) is False
    assert DEFAULT.is_workday(date(2027, 1, 4)) is True
    # 2003-10-01 (Wed, 国庆) lies before the package's data; the 1999 version of the statute gives it.
    assert DEFAULT.is_workday(date(2003, 10, 1)) is False
    assert not DEFAULT.covers(2003)
    # Outside 2000–2100 nothing is known but the five-day week: 1999-10-01 (Fri) counts as a working day.
    assert DEFAULT.is_workday(date(1999, 10, 1)) is True
    assert DEFAULT.is_workday(date(1999, 10, 2)) is False


def test_package_years_before_the_shipped_tables() -> None:
    assert DEFAULT.is_workday(date(2004, 10, 1)) is False  # 国庆 2004
    assert DEFAULT.is_workday(date(2018, 12, 29)) is True  # Saturday made a workday by the 2019 notice


def test_runtime_table_covers_2027() -> None:
    # TEST DATA: a synthetic 2027 table (the real notice is not in our references).
    table = parse_holiday_table(
        _synthetic(2027, holidays=[["2027-01-01", "2027-01-03", "test new year"]], workdays=["2027-01-09"]),
        origin="test bundle",
    )
    cal = WorkCalendar([table])
    assert cal.covers(2027)
    assert cal.source_for(2027) == "table"
    assert cal.table_for(2027) is table
    assert cal.is_workday(date(2027, 1, 1)) is False
    assert cal.is_workday(date(2027, 1, 9)) is True  # a Saturday made working by the (synthetic) table
    assert cal.is_workday(date(2027, 1, 4)) is True
    assert not cal.covers(2028)


def test_runtime_table_wins_over_shipped_table() -> None:
    # TEST DATA: a synthetic 2026 table that makes 2026-03-02 (a Monday) a day off.
    table = parse_holiday_table(
        _synthetic(2026, holidays=[["2026-03-02", "2026-03-02", "test day off"]]), origin="test bundle"
    )
    cal = WorkCalendar([table])
    assert cal.is_workday(date(2026, 3, 2)) is False
    assert cal.table_for(2026) is table
    # 10/1 is not in the synthetic table: the runtime table replaces the shipped one for its whole year.
    assert cal.is_workday(date(2026, 10, 1)) is True


def test_next_years_notice_wins_for_december() -> None:
    # TEST DATA: a synthetic 2027 notice that reaches back to 2026-12-31 and 2026-12-26 (a Saturday).
    table = parse_holiday_table(
        _synthetic(2027, holidays=[["2026-12-31", "2027-01-01", "test new year"]], workdays=["2026-12-26"]),
        origin="test bundle",
    )
    cal = WorkCalendar([table])
    assert cal.is_workday(date(2026, 12, 31)) is False
    assert cal.is_workday(date(2026, 12, 26)) is True
    assert cal.is_workday(date(2026, 12, 30)) is True  # unmentioned: the 2026 table answers
    assert DEFAULT.is_workday(date(2026, 12, 31)) is True


def test_two_runtime_tables_for_one_year_are_refused() -> None:
    a = parse_holiday_table(_synthetic(2027), origin="bundle A")
    b = parse_holiday_table(_synthetic(2027), origin="bundle B")
    with pytest.raises(ValidationError, match="bundle A"):
        WorkCalendar([a, b])


# --- validation ----------------------------------------------------------------------------------------


def _mutations() -> list[tuple[str, dict[str, Any], str]]:
    """(id, changes to the synthetic 2027 table, field the error must name)."""
    return [
        ("year-bool", {"year": True}, "year"),
        ("year-text", {"year": "2027"}, "year"),
        ("source-empty", {"source": " "}, "source"),
        ("published-format", {"published": "2026/11/01"}, "published"),
        ("holidays-not-list", {"holidays": {}}, "holidays"),
        ("entry-pair", {"holidays": [["2027-01-01", "2027-01-02"]]}, "holidays[0]"),
        ("date-slashes", {"holidays": [["2027/01/01", "2027-01-01", "x"]]}, "holidays[0]"),
        ("date-compact", {"holidays": [["20270101", "2027-01-01", "x"]]}, "holidays[0]"),
        ("date-invalid", {"holidays": [["2027-02-30", "2027-02-30", "x"]]}, "holidays[0]"),
        ("name-empty", {"holidays": [["2027-01-01", "2027-01-01", ""]]}, "holidays[0]"),
        ("reversed", {"holidays": [["2027-01-03", "2027-01-01", "x"]]}, "holidays[0]"),
        ("too-long", {"holidays": [["2027-01-01", "2027-03-01", "x"]]}, "holidays[0]"),
        ("other-year", {"holidays": [["2028-01-01", "2028-01-01", "x"]]}, "holidays[0]"),
        ("november-before", {"holidays": [["2026-11-30", "2026-11-30", "x"]]}, "holidays[0]"),
        (
            "overlap",
            {"holidays": [["2027-01-01", "2027-01-03", "a"], ["2027-01-03", "2027-01-04", "b"]]},
            "holidays[1]",
        ),
        ("workdays-not-list", {"workdays": "2027-01-09"}, "workdays"),
        ("workday-weekday", {"workdays": ["2027-01-04"]}, "workdays[0]"),
        (
            "workday-holiday",
            {"holidays": [["2027-01-01", "2027-01-03", "x"]], "workdays": ["2027-01-02"]},
            "workdays[0]",
        ),
        ("workday-twice", {"workdays": ["2027-01-09", "2027-01-09"]}, "workdays[1]"),
        ("workday-other-year", {"workdays": ["2028-01-08"]}, "workdays[0]"),
    ]


@pytest.mark.parametrize(("changes", "field"), [m[1:] for m in _mutations()], ids=[m[0] for m in _mutations()])
def test_invalid_tables_are_refused(changes: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as err:
        parse_holiday_table(_synthetic(2027, **changes), origin="test")
    assert err.value.field == field
    assert field in err.value.message
    assert "test" in err.value.message


def test_missing_and_unknown_fields_are_refused() -> None:
    data = _synthetic(2027)
    del data["workdays"]
    with pytest.raises(ValidationError) as err:
        parse_holiday_table(data, origin="test")
    assert err.value.field == "workdays"
    data = _synthetic(2027, workday=["2027-01-09"])  # misspelt: would otherwise be silently ignored
    with pytest.raises(ValidationError) as err:
        parse_holiday_table(data, origin="test")
    assert err.value.field == "workday"
    with pytest.raises(ValidationError):
        parse_holiday_table([], origin="test")


def test_year_must_match_the_container() -> None:
    with pytest.raises(ValidationError) as err:
        parse_holiday_table(_synthetic(2027), origin="2028.json", expected_year=2028)
    assert err.value.field == "year"


def test_bad_json_is_refused() -> None:
    with pytest.raises(ValidationError):
        parse_holiday_table_json("{not json", origin="test")
    with pytest.raises(ValidationError):
        parse_holiday_table_json(b"\xff\xfe", origin="test")
    table = parse_holiday_table_json(json.dumps(_synthetic(2027)), origin="test")
    assert isinstance(table, HolidayTable)


def test_loading_files(tmp_path: Path) -> None:
    assert load_shipped_tables(tmp_path / "missing") == ()
    (tmp_path / "2027.json").write_text(json.dumps(_synthetic(2027)), encoding="utf-8")
    (tmp_path / "README.md").write_text("not a table", encoding="utf-8")
    tables = load_shipped_tables(tmp_path)
    assert [t.year for t in tables] == [2027]
    assert tables[0].origin == "2027.json"  # a file name, never an absolute path

    (tmp_path / "2028.json").write_text(json.dumps(_synthetic(2027)), encoding="utf-8")
    with pytest.raises(ValidationError, match=r"2028\.json"):
        load_shipped_tables(tmp_path)
    (tmp_path / "2028.json").unlink()

    (tmp_path / "notes.json").write_text("{}", encoding="utf-8")
    with pytest.raises(ValidationError, match=r"notes\.json"):
        load_shipped_tables(tmp_path)
