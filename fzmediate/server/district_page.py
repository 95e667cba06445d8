"""The district view as one read-only HTML page: a summary, a table per dimension with a bar per row, and the
definitions. Server-rendered, no script, inline CSS only (the page's Content-Security-Policy allows nothing
else); every value is escaped. It shows counts, codes and catalogue or unit names, never a person."""

from __future__ import annotations

from datetime import datetime
from html import escape
from typing import Final

from fzmediate.i18n import _, current_locale
from fzmediate.server.district_view import DistrictStats
from fzmediate.services.stats_dto import (
    Dimension,
    StatRow,
    days_text,
    definitions_text,
    dimension_label,
    export_header,
    export_row,
    percent,
)

_LANG: Final = {"zh_CN": "zh-CN", "zh_TW": "zh-TW", "en": "en"}
_CSS: Final = """
body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", sans-serif; margin: 1.5rem;
       color: #1d2630; background: #fbfcfd; }
h1 { font-size: 1.5rem; margin: 0 0 .25rem; }
h2 { font-size: 1.15rem; margin: 1.75rem 0 .5rem; }
p.meta { color: #5b6875; margin: 0 0 1rem; }
dl.summary { display: flex; flex-wrap: wrap; gap: .75rem; margin: 0; }
dl.summary div { background: #fff; border: 1px solid #d5dde6; border-radius: 6px; padding: .5rem .9rem;
                 min-width: 7.5rem; }
dl.summary dt { color: #5b6875; font-size: .85rem; }
dl.summary dd { margin: 0; font-size: 1.4rem; font-weight: 600; }
table { border-collapse: collapse; background: #fff; font-size: .9rem; }
th, td { border: 1px solid #d5dde6; padding: .3rem .55rem; text-align: right; white-space: nowrap; }
th { background: #e8eef6; }
td:first-child, th:first-child { text-align: left; }
tr.total td { font-weight: 600; background: #f3f6fa; }
td.bar { width: 10rem; text-align: left; }
td.bar span { display: inline-block; height: .8rem; background: #3a6ea5; border-radius: 2px; }
ul.notes { color: #3b4753; font-size: .9rem; }
"""


def _cells(values: list[str], tag: str = "td") -> str:
    return "".join("<{0}>{1}</{0}>".format(tag, escape(v)) for v in values)


def _bar(value: int, most: int) -> str:
    width = 100 * value / most if most else 0
    return '<td class="bar"><span style="width:{0:.1f}%" aria-hidden="true"></span></td>'.format(width)


def _table(dimension: Dimension, rows: tuple[StatRow, ...], total: StatRow) -> str:
    head = _cells([*export_header(dimension), _("Cases received")], "th")
    most = max((r.received for r in rows), default=0)
    body = [
        '<tr data-key="{0}">{1}{2}</tr>'.format(escape(row.key), _cells(export_row(row)), _bar(row.received, most))
        for row in rows
    ]
    body.append('<tr class="total">{0}<td></td></tr>'.format(_cells(export_row(total))))
    section = '<section id="by-{0}"><h2>{1}</h2><table><thead><tr>{2}</tr></thead><tbody>{3}</tbody></table></section>'
    return section.format(
        escape(str(dimension)),
        escape(_("By {dimension}").format(dimension=dimension_label(dimension))),
        head,
        "".join(body),
    )


def _summary(total: StatRow) -> str:
    items = [
        ("received", _("Received"), str(total.received)),
        ("concluded", _("Concluded"), str(total.concluded)),
        ("agreement-rate", _("Agreement rate (%)"), percent(total.success_rate) or "—"),
        ("median-days", _("Median duration (days)"), days_text(total.median_days) or "—"),
        ("open", _("Open"), str(total.open)),
        ("overdue", _("Overdue"), str(total.overdue)),
        ("overdue-rate", _("Overdue rate (%)"), percent(total.overdue_rate) or "—"),
    ]
    return '<dl class="summary">{0}</dl>'.format(
        "".join(
            '<div><dt>{0}</dt><dd id="total-{1}">{2}</dd></div>'.format(escape(label), key, escape(value))
            for key, label, value in items
        )
    )


def render(stats: DistrictStats, *, generated: datetime) -> str:
    """The page of ``stats``; ``generated`` (aware) is shown as the time it was made."""
    title = _("District case statistics")
    meta = _("Figures as of {today}; generated {time} (UTC).").format(
        today=stats.today.isoformat(), time=generated.strftime("%Y-%m-%d %H:%M")
    )
    if stats.total.received:
        tables = "".join(_table(d, stats.by.get(d, ()), stats.total) for d in Dimension)
    else:
        tables = "<p>{0}</p>".format(escape(_("No cases yet.")))
    notes = [*definitions_text(), _("Street: the unit of the desk that registered the case.")]
    return (
        '<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="referrer" content="no-referrer"><title>{title}</title><style>{css}</style></head>'
        '<body><header><h1>{title}</h1><p class="meta">{meta}</p></header><main>{summary}{tables}'
        '<h2>{notes_title}</h2><ul class="notes">{notes}</ul></main></body></html>\n'
    ).format(
        lang=_LANG.get(current_locale(), "zh-CN"),
        title=escape(title),
        css=_CSS,
        meta=escape(meta),
        summary=_summary(stats.total),
        tables=tables,
        notes_title=escape(_("Definitions")),
        notes="".join("<li>{0}</li>".format(escape(n)) for n in notes),
    )
