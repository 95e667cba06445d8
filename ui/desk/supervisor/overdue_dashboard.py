"""Overdue cases across mediators: a bar per person with the count written beside it, the same figures in a
table, and the selected person's overdue cases (most overdue first) to open.

Overdue means the stored next deadline of the agency has passed (as the case list shows it). A row whose
deadline is being recomputed in the background says so rather than claiming it is overdue.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSplitter, QVBoxLayout, QWidget

from fzmediate.desk import supervisor as sv
from fzmediate.i18n import _, ngettext
from ui.desk.form_field import ErrorLine
from ui.desk.page import DeskEnv
from ui.desk.supervisor.bar_chart import Bar, BarChart, chart_scroll
from ui.desk.supervisor.reload import SingleLoad
from ui.desk.supervisor.table_model import Cell, RowsTable
from ui.ops import error_message, log_failure
from ui.style import set_role


def person_label(load: sv.MediatorLoad) -> str:
    if not load.login:
        return _("(unassigned)")
    return _("{login} ({name})").format(login=load.login, name=load.name) if load.name else load.login


class OverdueDashboard(QWidget):
    """Emits ``open_case(case_id)``."""

    open_case = Signal(str)

    def __init__(self, env: DeskEnv, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.env = env
        self.board: sv.OverdueBoard | None = None
        self.cases: sv.OverdueCases | None = None
        layout = QVBoxLayout(self)
        self.summary = QLabel(self)
        set_role(self.summary, "subtitle")
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        split = QSplitter(Qt.Orientation.Vertical, self)
        top = QWidget(split)
        top_row = QHBoxLayout(top)
        top_row.setContentsMargins(0, 0, 0, 0)
        self.chart = BarChart(_("Overdue cases per mediator"), top)
        scroll = chart_scroll(self.chart, _("Overdue cases per mediator (chart)"), top)
        self.people = RowsTable([_("Mediator"), _("Open cases"), _("Overdue")], _("Overdue cases per mediator"), top)
        top_row.addWidget(scroll, 1)
        top_row.addWidget(self.people, 1)
        bottom = QWidget(split)
        body = QVBoxLayout(bottom)
        body.setContentsMargins(0, 0, 0, 0)
        self.cases_heading = QLabel(_("Select a mediator to list their overdue cases."), bottom)
        self.cases_heading.setWordWrap(True)
        self.case_table = RowsTable(
            [_("Case number"), _("Matter"), _("State"), _("Deadline"), _("Days overdue")], _("Overdue cases"), bottom
        )
        self.error = ErrorLine(bottom)
        buttons = QHBoxLayout()
        self.open_button = QPushButton(_("Open case"), bottom)
        self.refresh_button = QPushButton(_("Refresh"), bottom)
        for button in (self.open_button, self.refresh_button):
            button.setAccessibleName(button.text())
            buttons.addWidget(button)
        buttons.addStretch(1)
        body.addWidget(self.cases_heading)
        body.addWidget(self.case_table)
        body.addWidget(self.error)
        body.addLayout(buttons)
        split.addWidget(top)
        split.addWidget(bottom)
        layout.addWidget(split, 1)
        self.people.selectionModel().selectionChanged.connect(self._person_selected)
        self.case_table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.case_table.doubleClicked.connect(self.open_selected)
        self.open_button.clicked.connect(self.open_selected)
        self._load = SingleLoad(self._start_load, self.refresh_button)
        self.refresh_button.clicked.connect(self.load)
        self._update_buttons()

    # --- loading ---------------------------------------------------------------------------------------
    def load(self) -> None:
        self._load.request()

    def _start_load(self) -> None:
        self.env.context.call(sv.overdue_board, on_success=self._loaded, on_failure=self._failed, parent=self)

    def _loaded(self, board: sv.OverdueBoard) -> None:
        selected = self.selected_login()
        self.board = board
        self.error.set_text("")
        total = board.total_overdue
        self.summary.setText(
            ngettext("{n} overdue case on {date}.", "{n} overdue cases on {date}.", total).format(
                n=total, date=board.today.isoformat()
            )
        )
        self.chart.set_bars(
            [Bar(person_label(m), m.overdue, str(m.overdue)) for m in board.loads],
            maximum=max((m.overdue for m in board.loads), default=0) or 1,
        )
        self.people.set_rows(
            [
                [
                    Cell(person_label(m)),
                    Cell(str(m.open), m.open, numeric=True),
                    Cell(str(m.overdue), m.overdue, numeric=True),
                ]
                for m in board.loads
            ],
            list(board.loads),
        )
        self._load.finished()
        if selected is not None:
            self.select_person(selected)

    def _failed(self, exc: BaseException) -> None:
        log_failure(exc)
        self.error.set_text(error_message(exc))
        self._load.finished()

    def selected_login(self) -> str | None:
        payload = self.people.current_payload()
        return payload.login if isinstance(payload, sv.MediatorLoad) else None

    def select_person(self, login: str) -> bool:
        return self.people.select_payload(lambda m: isinstance(m, sv.MediatorLoad) and m.login == login)

    def _person_selected(self) -> None:
        login = self.selected_login()
        if login is None:
            return
        self.env.context.call(
            sv.overdue_cases, login, on_success=self._cases_loaded, on_failure=self._failed, parent=self
        )

    def _cases_loaded(self, cases: sv.OverdueCases) -> None:
        if cases.login != self.selected_login():
            return  # another person was selected meanwhile
        self.cases = cases
        board = self.board
        load = next((m for m in board.loads if m.login == cases.login), None) if board is not None else None
        who = person_label(load) if load is not None else cases.login
        self.cases_heading.setText(_("Overdue cases of {person}").format(person=who))
        rows: list[list[Cell]] = []
        for c in cases.rows:
            due: date | None = c.next_due
            late = (cases.today - due).days if due is not None else 0
            late_text = _("recomputing") if c.id in cases.recomputing else str(late)
            deadline = _("{date} {name}").format(date=due.isoformat() if due else "", name=c.next_due_label)
            rows.append(
                [
                    Cell(c.number),
                    Cell(c.matter_name),
                    Cell(c.state_label),
                    Cell(deadline, due.isoformat() if due else ""),
                    Cell(late_text, late, numeric=True),
                ]
            )
        self.case_table.set_rows(rows, list(cases.rows))
        self._update_buttons()

    def _update_buttons(self) -> None:
        reason = "" if self.case_table.current_payload() is not None else _("Select a case first.")
        self.open_button.setEnabled(not reason)
        self.open_button.setToolTip(reason)
        self.open_button.setAccessibleDescription(reason)

    def open_selected(self) -> None:
        payload = self.case_table.current_payload()
        case_id = getattr(payload, "id", None)
        if isinstance(case_id, str):
            self.open_case.emit(case_id)
