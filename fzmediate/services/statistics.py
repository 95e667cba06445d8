"""Case statistics for supervisors: counts, agreement rate, median duration and overdue rate by a dimension.

Every figure is computed in the store by aggregate SQL (``GROUP BY``, and a window function for the median);
no case is loaded into Python. Only supervisors and administrators may read statistics.

Definitions (the same words are in the supervisor's legal notes; the screen and the exports show them):

* **Which cases.** Every case not voided (作废) whose date of receipt (``received_on``) lies in the period
  (both ends included; an open end means no limit). All figures of a row are about those cases.
* **Dimensions.** *matter*: the matter code (named as in the active catalogue); *street*: the street office
  (街道) named in the address of the case's **first** applicant (lowest position), matched as
  :mod:`fzmediate.services.case_listing` matches its street filter (the street office's name, e.g. 坑梓街道,
  appears in the address). Each case counts once, so the rows add up to the total; an address naming no
  street falls in the row "no street named" (the list's street filter matches any applicant, so a case with
  applicants in two streets is found by both filters but counted here once). *outcome*: see below;
  *month*: the calendar month of receipt (``YYYY-MM``).
* **Outcome** (结果). The latest outcome act of the case (by entry order): 达成协议 ``record_agreement`` → *agreed*
  (an adjudication's 调解书 too), 终止调解 ``terminate`` → *failed*, 不予受理 ``refuse`` → *refused*,
  移送 ``transfer`` → *transferred*, 撤回申请 ``withdraw`` → *withdrawn*, 作出裁决 ``decide`` → *decided*;
  a case with none of these is *in progress*. A case is **concluded** once it has an outcome, whether or not
  its file is closed yet; its **concluded date** is the legal date (``on``) of that act.
* **Agreement rate** (调解成功率) = agreed ÷ (agreed + failed + decided): of the cases concluded on the merits,
  the share that ended in an agreement. Refused, transferred and withdrawn cases are left out (no mediation
  on the merits took place); a decided adjudication counts as not agreed (the body mediates first and
  decides only when that failed, 深圳条例 第五十八条). None when the denominator is 0.
* **Median duration** = the median over concluded cases of (concluded date − date of receipt) in calendar
  days: the middle value for an odd count, the mean of the two middle values for an even count. None when
  no case is concluded.
* **Overdue rate** = overdue ÷ open, where *open* means the case file is not closed (state neither 已结案
  ``closed`` nor 已归档 ``archived``) and *overdue* means an open case whose stored next deadline of the agency
  (``next_due``, as the case list shows it) is before today. None when nothing is open.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final

from sqlalchemy import ColumnElement, Float, String, and_, case, func, literal, or_, select
from sqlalchemy.orm import aliased

from fzmediate.domain.case import VOIDED_STATE
from fzmediate.errors import ValidationError
from fzmediate.i18n import _
from fzmediate.security.permissions import require
from fzmediate.services.stats_dto import OUTCOME_ACTS as OUTCOME_ACTS
from fzmediate.services.stats_dto import Dimension as Dimension
from fzmediate.services.stats_dto import Outcome as Outcome
from fzmediate.services.stats_dto import Statistics as Statistics
from fzmediate.services.stats_dto import StatRow as StatRow
from fzmediate.services.stats_dto import StatsQuery as StatsQuery
from fzmediate.services.stats_dto import days_text as days_text
from fzmediate.services.stats_dto import definitions_text as definitions_text
from fzmediate.services.stats_dto import dimension_label as dimension_label
from fzmediate.services.stats_dto import export_header as export_header
from fzmediate.services.stats_dto import export_row as export_row
from fzmediate.services.stats_dto import outcome_label as outcome_label
from fzmediate.services.stats_dto import percent as percent
from fzmediate.services.stats_dto import period_text as period_text
from fzmediate.services.stats_dto import to_csv as to_csv
from fzmediate.store.models import Case, CaseEventRow, PartyRow

if TYPE_CHECKING:
    from fzmediate.services.session import Session

#: States of a closed case file: not "open" for the overdue rate.
CLOSED_STATES: Final = ("closed", "archived")


def require_statistics(session: Session) -> None:
    """Supervisors and administrators only: the ``statistics`` operation of the permission table."""
    require(session, "statistics")


def _ratio(num: int, den: int) -> float | None:
    return num / den if den else None


def _street_names(session: Session) -> list[tuple[str, str]]:
    """(unit code, street name) of the active catalogue's street offices, as case_listing reads them."""
    from fzmediate.services.case_listing import _STREET

    out: list[tuple[str, str]] = []
    for unit in session.catalogue.active().units:
        found = _STREET.search(unit.name) if unit.kind == "street_office" else None
        if found is not None:
            out.append((unit.code, found.group(1)))
    return out


def compute(session: Session, query: StatsQuery) -> Statistics:
    """The statistics of ``query`` (see the module docs for every definition)."""
    require_statistics(session)
    if query.date_from is not None and query.date_to is not None and query.date_from > query.date_to:
        raise ValidationError(_("The period starts after it ends."), field="date_from")
    today = session.cases.today()
    streets = _street_names(session)

    # The latest outcome act of each case: its action and legal date (of two desks' events of one number, the
    # one recorded last).
    ranked = (
        select(
            CaseEventRow.case_id.label("case_id"),
            CaseEventRow.action.label("action"),
            CaseEventRow.on_date.label("on_date"),
            func.row_number()
            .over(partition_by=CaseEventRow.case_id, order_by=(CaseEventRow.seq.desc(), CaseEventRow.at.desc()))
            .label("rank"),
        )
        .where(CaseEventRow.action.in_(list(OUTCOME_ACTS)))
        .subquery()
    )
    outcome_of = select(ranked.c.case_id, ranked.c.action, ranked.c.on_date).where(ranked.c.rank == 1)
    outcomes = outcome_of.subquery()
    # The first applicant of each case and the street office its address names.
    first = (
        select(PartyRow.case_id.label("case_id"), func.min(PartyRow.position).label("position"))
        .where(PartyRow.role == "applicant")
        .group_by(PartyRow.case_id)
        .subquery()
    )
    party = aliased(PartyRow)
    street_expr: ColumnElement[Any] = (
        case(*((party.address.contains(name, autoescape=True), code) for code, name in streets), else_=literal(""))
        if streets
        else literal("")
    )
    street_of = (
        select(party.case_id.label("case_id"), street_expr.label("street"))
        .join(first, and_(party.case_id == first.c.case_id, party.position == first.c.position))
        .subquery()
    )
    outcome_expr = case(
        *((outcomes.c.action == act, literal(str(o))) for act, o in OUTCOME_ACTS.items()),
        else_=literal(str(Outcome.IN_PROGRESS)),
    )
    is_open = Case.state.not_in(CLOSED_STATES)
    base = (
        select(
            Case.id.label("id"),
            Case.matter_code.label("matter"),
            func.coalesce(street_of.c.street, "").label("street"),
            outcome_expr.label("outcome"),
            func.substr(Case.received_on, 1, 7, type_=String).label("month"),
            (func.julianday(outcomes.c.on_date, type_=Float) - func.julianday(Case.received_on, type_=Float)).label(
                "days"
            ),
            case((is_open, 1), else_=0).label("open"),
            case((and_(is_open, Case.next_due < today), 1), else_=0).label("overdue"),
        )
        .outerjoin(outcomes, outcomes.c.case_id == Case.id)
        .outerjoin(street_of, street_of.c.case_id == Case.id)
        .where(Case.state != VOIDED_STATE)
    )
    if query.date_from is not None:
        base = base.where(Case.received_on >= query.date_from)
    if query.date_to is not None:
        base = base.where(Case.received_on <= query.date_to)
    cases = base.subquery()
    key = cases.c[str(query.dimension)]

    def figures(group: ColumnElement[Any]) -> Any:
        return select(
            group.label("key"),
            cases.c.outcome,
            func.count().label("n"),
            func.sum(cases.c.open).label("open"),
            func.sum(cases.c.overdue).label("overdue"),
        ).group_by(group, cases.c.outcome)

    def medians(group: ColumnElement[Any]) -> Any:
        done = (
            select(
                group.label("key"),
                cases.c.days.label("days"),
                func.row_number().over(partition_by=group, order_by=cases.c.days).label("rn"),
                func.count().over(partition_by=group).label("cnt"),
            )
            .where(cases.c.outcome != str(Outcome.IN_PROGRESS))
            .subquery()
        )
        # The middle row of an odd count; the two middle rows of an even count (integer division).
        middle = or_(done.c.rn == (done.c.cnt + 1) // 2, done.c.rn == (done.c.cnt + 2) // 2)
        return select(done.c.key, func.avg(done.c.days)).where(middle).group_by(done.c.key)

    whole = literal("*")
    with session.read() as s:
        grouped = [tuple(r) for r in s.execute(figures(key))]
        totals = [tuple(r) for r in s.execute(figures(whole))]
        median_by = {str(k): float(v) for k, v in s.execute(medians(key)) if v is not None}
        median_all = {str(k): float(v) for k, v in s.execute(medians(whole)) if v is not None}
    labels = _labels(session, query.dimension, streets)
    rows = _rows(grouped, median_by, labels)
    ordered = sorted(rows, key=lambda r: _order(query.dimension, r))
    total_rows = _rows(totals, median_all, {"*": _("All cases")})
    total = total_rows[0] if total_rows else _empty("*", _("All cases"))
    return Statistics(query=query, today=today, rows=tuple(ordered), total=total)


def _labels(session: Session, dimension: Dimension, streets: list[tuple[str, str]]) -> dict[str, str]:
    if dimension is Dimension.MATTER:
        return {m.code: m.name for m in session.catalogue.active().matters}
    if dimension is Dimension.STREET:
        return {**dict(streets), "": _("No street named in the address")}
    if dimension is Dimension.OUTCOME:
        return {str(o): outcome_label(o) for o in Outcome}
    return {}


def _order(dimension: Dimension, row: StatRow) -> tuple[Any, ...]:
    if dimension is Dimension.OUTCOME:
        return (list(Outcome).index(Outcome(row.key)),)
    if dimension is Dimension.STREET:
        return (row.key == "", row.key)  # "no street" last
    return (row.key,)


def _empty(key: str, label: str) -> StatRow:
    return StatRow(key, label, 0, (), 0, None, None, 0, 0, None)


def _rows(grouped: list[tuple[Any, ...]], medians: Mapping[str, float], labels: Mapping[str, str]) -> list[StatRow]:
    """One StatRow per key from (key, outcome, count, open, overdue) rows."""
    acc: dict[str, dict[str, Any]] = {}
    for key, outcome, n, open_, overdue in grouped:
        k = str(key or "")
        a = acc.setdefault(k, {"outcomes": {}, "open": 0, "overdue": 0})
        a["outcomes"][Outcome(outcome)] = int(n)
        a["open"] += int(open_ or 0)
        a["overdue"] += int(overdue or 0)
    out: list[StatRow] = []
    for k, a in acc.items():
        counts: dict[Outcome, int] = a["outcomes"]
        received = sum(counts.values())
        concluded = received - counts.get(Outcome.IN_PROGRESS, 0)
        merits = sum(counts.get(o, 0) for o in (Outcome.AGREED, Outcome.FAILED, Outcome.DECIDED))
        out.append(
            StatRow(
                key=k,
                label=labels.get(k, k),
                received=received,
                outcomes=tuple((o, counts[o]) for o in Outcome if o in counts),
                concluded=concluded,
                success_rate=_ratio(counts.get(Outcome.AGREED, 0), merits),
                median_days=medians.get(k),
                open=a["open"],
                overdue=a["overdue"],
                overdue_rate=_ratio(a["overdue"], a["open"]),
            )
        )
    return out


# --- exports ------------------------------------------------------------------------------------------


def to_pdf(stats: Statistics) -> bytes:
    """The statistics as an A4 landscape PDF: title, period, the table with a bar per row; fonts embedded."""
    import io

    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    from fzmediate.documents.fonts import BODY_CHAIN, SONG, TITLE, TITLE_CHAIN, register_fonts
    from fzmediate.documents.formatting import font_markup

    register_fonts()
    title = _("Case statistics by {dimension}").format(dimension=dimension_label(stats.query.dimension))
    base = ParagraphStyle("stats", fontName=SONG, fontSize=9, leading=12, wordWrap="CJK")
    head = base.clone("stats-head", fontName=TITLE)
    big = base.clone("stats-title", fontName=TITLE, fontSize=16, leading=22)

    def p(text: str, style: ParagraphStyle = base, chain: tuple[str, ...] = BODY_CHAIN) -> Paragraph:
        return Paragraph(font_markup(text, chain), style)

    header = export_header(stats.query.dimension)
    page_width, _page_height = landscape(A4)
    room = page_width - 24 * mm  # the margins
    label_width, bar_column = 48 * mm, 30 * mm
    figure_width = (room - label_width - bar_column) / (len(header) - 1)
    widths = [label_width] + [figure_width] * (len(header) - 1) + [bar_column]
    bar_width = widths[-1] - 4 * mm
    most = max((r.received for r in stats.rows), default=0) or 1

    class Bar(Flowable):  # type: ignore[misc]
        """A filled bar drawn straight on the canvas (reportlab.graphics would set a hidden Helvetica)."""

        def __init__(self, value: int) -> None:
            super().__init__()
            self.width, self.height, self.value = bar_width, 8.0, value

        def draw(self) -> None:
            self.canv.setFillColor(colors.HexColor("#3a6ea5"))
            self.canv.rect(0, 1, bar_width * self.value / most, 6, stroke=0, fill=1)

    def bar(value: int) -> Flowable:
        return Bar(value)

    data: list[list[Any]] = [[p(h, head, TITLE_CHAIN) for h in header] + [p(_("Cases received"), head, TITLE_CHAIN)]]
    for row in stats.rows:
        data.append([p(c) for c in export_row(row)] + [bar(row.received)])
    data.append([p(c, head, TITLE_CHAIN) for c in export_row(stats.total)] + [""])
    table = Table(data, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                # The cells are Paragraphs, but Table still selects a cell font: keep it off Helvetica.
                ("FONT", (0, 0), (-1, -1), SONG, 9),
                ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef6")),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=landscape(A4),
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        topMargin=14 * mm,
        bottomMargin=14 * mm,
        title=title,
        invariant=1,
        initialFontName=SONG,
        lang="zh-CN",
    )
    story: list[Any] = [
        p(title, big, TITLE_CHAIN),
        p(period_text(stats.query) + _("; ") + _("as of {today}").format(today=stats.today.isoformat())),
        Spacer(1, 4 * mm),
        table,
        Spacer(1, 4 * mm),
        *(p(line) for line in definitions_text()),
    ]
    doc.build(story)
    return buffer.getvalue()
