"""Statistics as the screens get them, and their words and table cells (plain values, light to import in the
desk's GUI process; :mod:`fzmediate.services.statistics` computes them and writes the PDF)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Final

from fzmediate.i18n import N_, _


class Dimension(StrEnum):
    MATTER = "matter"
    STREET = "street"
    OUTCOME = "outcome"
    MONTH = "month"


class Outcome(StrEnum):
    AGREED = "agreed"
    FAILED = "failed"
    REFUSED = "refused"
    TRANSFERRED = "transferred"
    WITHDRAWN = "withdrawn"
    DECIDED = "decided"
    IN_PROGRESS = "in_progress"


#: The act that gives each outcome (see the module docs).
OUTCOME_ACTS: Final[Mapping[str, Outcome]] = {
    "record_agreement": Outcome.AGREED,
    "terminate": Outcome.FAILED,
    "refuse": Outcome.REFUSED,
    "transfer": Outcome.TRANSFERRED,
    "withdraw": Outcome.WITHDRAWN,
    "decide": Outcome.DECIDED,
}
_OUTCOME_LABELS: Final = {
    Outcome.AGREED: N_("agreed"),
    Outcome.FAILED: N_("failed (terminated)"),
    Outcome.REFUSED: N_("refused"),
    Outcome.TRANSFERRED: N_("transferred"),
    Outcome.WITHDRAWN: N_("withdrawn"),
    Outcome.DECIDED: N_("decided"),
    Outcome.IN_PROGRESS: N_("in progress"),
}
_DIMENSION_LABELS: Final = {
    Dimension.MATTER: N_("Matter"),
    Dimension.STREET: N_("Street"),
    Dimension.OUTCOME: N_("Outcome"),
    Dimension.MONTH: N_("Month received"),
}


def outcome_label(outcome: Outcome | str) -> str:
    return _(_OUTCOME_LABELS[Outcome(outcome)])


def dimension_label(dimension: Dimension | str) -> str:
    return _(_DIMENSION_LABELS[Dimension(dimension)])


@dataclass(frozen=True)
class StatsQuery:
    """A dimension and the period of receipt (either end may be open)."""

    dimension: Dimension = Dimension.MATTER
    date_from: date | None = None
    date_to: date | None = None


@dataclass(frozen=True)
class StatRow:
    """The figures of one group (or of every case: the total)."""

    key: str
    label: str
    received: int
    outcomes: tuple[tuple[Outcome, int], ...]
    concluded: int
    #: agreed ÷ (agreed + failed + decided), 0…1; None when nothing was concluded on the merits.
    success_rate: float | None
    #: Days from receipt to the outcome, the median over concluded cases; None when none is concluded.
    median_days: float | None
    open: int
    overdue: int
    #: overdue ÷ open, 0…1; None when nothing is open.
    overdue_rate: float | None

    def count(self, outcome: Outcome) -> int:
        return dict(self.outcomes).get(outcome, 0)


@dataclass(frozen=True)
class Statistics:
    query: StatsQuery
    #: The day overdue was judged on (today in China).
    today: date
    rows: tuple[StatRow, ...]
    total: StatRow


#: The outcome columns of the exports, in this order.
_EXPORT_OUTCOMES: Final = tuple(Outcome)


def percent(value: float | None) -> str:
    """A ratio as a percentage with one decimal ("66.7"), or "" when undefined."""
    return "" if value is None else "{0:.1f}".format(value * 100)


def days_text(value: float | None) -> str:
    """A median in days: whole days as an integer, a half day with one decimal; "" when undefined."""
    if value is None:
        return ""
    return str(int(value)) if value == int(value) else "{0:.1f}".format(value)


def period_text(query: StatsQuery) -> str:
    start = query.date_from.isoformat() if query.date_from else _("(open)")
    end = query.date_to.isoformat() if query.date_to else _("(open)")
    return _("Received from {start} to {end}").format(start=start, end=end)


def export_header(dimension: Dimension) -> list[str]:
    return [
        dimension_label(dimension),
        _("Received"),
        *(outcome_label(o) for o in _EXPORT_OUTCOMES),
        _("Concluded"),
        _("Agreement rate (%)"),
        _("Median duration (days)"),
        _("Open"),
        _("Overdue"),
        _("Overdue rate (%)"),
    ]


def export_row(row: StatRow) -> list[str]:
    return [
        row.label,
        str(row.received),
        *(str(row.count(o)) for o in _EXPORT_OUTCOMES),
        str(row.concluded),
        percent(row.success_rate),
        days_text(row.median_days),
        str(row.open),
        str(row.overdue),
        percent(row.overdue_rate),
    ]


def _cell(text: str) -> str:
    # A cell that starts like a formula is shown as text by spreadsheets (CSV injection).
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def to_csv(stats: Statistics) -> bytes:
    """The table as CSV (one row per group, then the total), UTF-8 with a BOM so that Excel reads Chinese."""
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([_cell(h) for h in export_header(stats.query.dimension)])
    for row in (*stats.rows, stats.total):
        writer.writerow([_cell(c) for c in export_row(row)])
    return buffer.getvalue().encode("utf-8-sig")


def definitions_text() -> list[str]:
    """The definitions in words, for the PDF (and the screen's help)."""
    return [
        _("Cases: every case not voided, received in the period."),
        _(
            "Agreement rate: agreed ÷ (agreed + failed + decided); refused, transferred and withdrawn cases are "
            "not counted."
        ),
        _("Median duration: calendar days from receipt to the outcome, over concluded cases."),
        _("Overdue rate: open cases whose next deadline has passed ÷ open cases (file not closed)."),
    ]
