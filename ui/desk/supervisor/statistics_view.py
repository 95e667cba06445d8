"""Statistics by matter, street, outcome or month received, for a period: a bar chart of one figure and a
table of every figure beside it (the chart is never the only carrier of a number), with exports to CSV and
PDF. The definitions (what counts as concluded, the agreement rate, the median) are shown under the table.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from fzmediate.desk import supervisor as sv
from fzmediate.i18n import _
from fzmediate.services.stats_dto import (
    Dimension,
    Statistics,
    StatRow,
    StatsQuery,
    days_text,
    definitions_text,
    dimension_label,
    export_header,
    export_row,
    percent,
)
from ui.desk.form_field import ErrorLine
from ui.desk.page import DeskEnv
from ui.desk.supervisor import export
from ui.desk.supervisor.bar_chart import Bar, BarChart, chart_scroll
from ui.desk.supervisor.table_model import Cell, RowsTable
from ui.ops import error_message, log_failure
from ui.style import set_role

RECEIVED, SUCCESS, MEDIAN, OVERDUE = "received", "success", "median", "overdue"


def metric_labels() -> dict[str, str]:
    return {
        RECEIVED: _("Cases received"),
        SUCCESS: _("Agreement rate"),
        MEDIAN: _("Median duration"),
        OVERDUE: _("Overdue rate"),
    }


def bar_of(row: StatRow, metric: str) -> Bar:
    if metric == RECEIVED:
        return Bar(row.label, row.received, str(row.received))
    if metric == MEDIAN:
        value = row.median_days
        return Bar(row.label, value, _("{n} days").format(n=days_text(value)) if value is not None else _("—"))
    rate = row.success_rate if metric == SUCCESS else row.overdue_rate
    return Bar(
        row.label,
        None if rate is None else rate * 100,
        _("{p} %").format(p=percent(rate)) if rate is not None else _("—"),
    )


def summary_text(total: StatRow) -> str:
    return _(
        "All cases: {received} received, {concluded} concluded; agreement rate {rate}; median duration {median}; "
        "{overdue} of {open} open cases overdue ({overdue_rate})."
    ).format(
        received=total.received,
        concluded=total.concluded,
        rate=_("{p} %").format(p=percent(total.success_rate)) if total.success_rate is not None else _("—"),
        median=_("{n} days").format(n=days_text(total.median_days)) if total.median_days is not None else _("—"),
        overdue=total.overdue,
        open=total.open,
        overdue_rate=_("{p} %").format(p=percent(total.overdue_rate)) if total.overdue_rate is not None else _("—"),
    )


class StatisticsView(QWidget):
    def __init__(self, env: DeskEnv, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.env = env
        self.stats: Statistics | None = None
        self._today_set = False
        layout = QVBoxLayout(self)

        first = QHBoxLayout()
        self.dimension = QComboBox(self)
        self.dimension.setAccessibleName(_("Statistics by"))
        for d in Dimension:
            self.dimension.addItem(dimension_label(d), d.value)
        self.figure = QComboBox(self)
        self.figure.setAccessibleName(_("Figure shown in the chart"))
        for key, label in metric_labels().items():
            self.figure.addItem(label, key)
        by_label = QLabel(_("Statistics by"), self)
        by_label.setBuddy(self.dimension)
        figure_label = QLabel(_("Chart"), self)
        figure_label.setBuddy(self.figure)
        for w in (by_label, self.dimension, figure_label, self.figure):
            first.addWidget(w)
        first.addStretch(1)
        layout.addLayout(first)

        second = QHBoxLayout()
        self.use_from = QCheckBox(_("Received from"), self)
        self.use_from.setAccessibleName(_("Limit the start of the period"))
        self.date_from = QDateEdit(self)
        self.use_to = QCheckBox(_("to"), self)
        self.use_to.setAccessibleName(_("Limit the end of the period"))
        self.date_to = QDateEdit(self)
        for edit, name in ((self.date_from, _("Period start")), (self.date_to, _("Period end"))):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setAccessibleName(name)
            edit.setEnabled(False)
        self.use_from.toggled.connect(self.date_from.setEnabled)
        self.use_to.toggled.connect(self.date_to.setEnabled)
        self.show_button = QPushButton(_("Show"), self)
        self.csv_button = QPushButton(_("Export CSV…"), self)
        self.pdf_button = QPushButton(_("Export PDF…"), self)
        for button in (self.show_button, self.csv_button, self.pdf_button):
            button.setAccessibleName(button.text())
        for control in (self.use_from, self.date_from, self.use_to, self.date_to, self.show_button):
            second.addWidget(control)
        second.addStretch(1)
        second.addWidget(self.csv_button)
        second.addWidget(self.pdf_button)
        layout.addLayout(second)

        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        set_role(self.summary, "subtitle")
        layout.addWidget(self.summary)
        # Chart above, the table of every figure below it at full width (fifteen columns).
        split = QSplitter(Qt.Orientation.Vertical, self)
        self.chart = BarChart(_("Statistics chart"), split)
        scroll = chart_scroll(self.chart, _("Statistics chart"), split)
        self.table = RowsTable(export_header(Dimension.MATTER), _("Statistics table"), split)
        split.addWidget(scroll)
        split.addWidget(self.table)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 2)
        layout.addWidget(split, 1)
        self.definitions = QLabel("\n".join(definitions_text()), self)
        self.definitions.setWordWrap(True)
        set_role(self.definitions, "hint")
        layout.addWidget(self.definitions)
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        set_role(self.status, "hint")
        layout.addWidget(self.status)
        self.error = ErrorLine(self)
        layout.addWidget(self.error)

        self.show_button.clicked.connect(self.load)
        self.dimension.currentIndexChanged.connect(self.load)
        self.figure.currentIndexChanged.connect(self._draw)
        self.csv_button.clicked.connect(lambda: self.export_csv())
        self.pdf_button.clicked.connect(lambda: self.export_pdf())

    # --- the query -------------------------------------------------------------------------------------
    def query(self) -> StatsQuery:
        start = self.date_from.date().toPython() if self.use_from.isChecked() else None
        end = self.date_to.date().toPython() if self.use_to.isChecked() else None
        return StatsQuery(
            Dimension(self.dimension.currentData()),
            start if isinstance(start, date) else None,
            end if isinstance(end, date) else None,
        )

    def set_period(self, start: date | None, end: date | None) -> None:
        self.use_from.setChecked(start is not None)
        self.use_to.setChecked(end is not None)
        if start is not None:
            self.date_from.setDate(QDate(start.year, start.month, start.day))
        if end is not None:
            self.date_to.setDate(QDate(end.year, end.month, end.day))

    def set_dimension(self, dimension: Dimension) -> None:
        self.dimension.setCurrentIndex(self.dimension.findData(dimension.value))

    # --- loading ---------------------------------------------------------------------------------------
    def load(self) -> None:
        self.show_button.setEnabled(False)
        self.env.context.call(
            sv.statistics, self.query(), on_success=self._loaded, on_failure=self._failed, parent=self
        )

    def _loaded(self, stats: Statistics) -> None:
        self.show_button.setEnabled(True)
        if stats.query != self.query():
            return  # the choice changed meanwhile: its own load follows
        self.stats = stats
        self.error.set_text("")
        if not self._today_set:
            # The store's today (its clock), not the machine's: the period's defaults follow the legal date.
            self._today_set = True
            today = stats.today
            if not self.use_to.isChecked():
                self.date_to.setDate(QDate(today.year, today.month, today.day))
            if not self.use_from.isChecked():
                self.date_from.setDate(QDate(today.year, 1, 1))
        self.summary.setText(summary_text(stats.total))
        header = export_header(stats.query.dimension)
        rows = [
            [Cell(text, sort=_sort_key(text), numeric=i > 0) for i, text in enumerate(export_row(row))]
            for row in stats.rows
        ]
        self.table.set_rows(rows, list(stats.rows), header)
        self._draw()

    def _failed(self, exc: BaseException) -> None:
        self.show_button.setEnabled(True)
        log_failure(exc)
        self.error.set_text(error_message(exc))

    def _draw(self) -> None:
        stats = self.stats
        if stats is None:
            return
        metric = str(self.figure.currentData())
        maximum = 100.0 if metric in (SUCCESS, OVERDUE) else None
        self.chart.set_bars([bar_of(row, metric) for row in stats.rows], maximum=maximum)
        self.chart.setAccessibleName(
            _("Chart: {figure} by {dimension}").format(
                figure=metric_labels()[metric], dimension=dimension_label(stats.query.dimension)
            )
        )

    # --- exports ---------------------------------------------------------------------------------------
    def export_csv(self, path: str | None = None) -> None:
        self._export("csv", path)

    def export_pdf(self, path: str | None = None) -> None:
        self._export("pdf", path)

    def _export(self, fmt: str, path: str | None) -> None:
        query = self.query()
        target = path if path is not None else export.ask_path(self, query, fmt)
        if not target:
            return
        self.status.setText(_("Exporting…"))
        self.csv_button.setEnabled(False)
        self.pdf_button.setEnabled(False)
        export.start_export(self.env, self, query, fmt, target, self._exported, self._export_failed)

    def _exported(self, result: sv.Exported) -> None:
        self.csv_button.setEnabled(True)
        self.pdf_button.setEnabled(True)
        self.status.setText(_("Saved to {path}.").format(path=result.path))

    def _export_failed(self, exc: BaseException) -> None:
        self.csv_button.setEnabled(True)
        self.pdf_button.setEnabled(True)
        self.status.setText("")
        log_failure(exc)
        self.error.set_text(error_message(exc))


def _sort_key(text: str) -> object:
    """Numbers sort as numbers (an empty figure first), the rest as text."""
    try:
        return float(text) if text else -1.0
    except ValueError:
        return text
