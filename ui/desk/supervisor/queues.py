"""The supervisor's work queues: unassigned cases, and cases waiting for a supervisor's act.

A list of queues (with how many cases each holds) beside the selected queue's table. Each act queue says
whether the signed-in supervisor may do the act now and, if not, the engine's reasons (the tooltip holds them
all). Assign/Reassign opens :class:`AssignDialog`; acts that need a form (the recusal decision, an extension,
the review, the approval, the decision) are recorded in the case: "Open case" asks the main window for it.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from fzmediate.desk import supervisor as sv
from fzmediate.i18n import _
from fzmediate.services.case_dto import CaseSummary
from ui.desk.form_field import ErrorLine
from ui.desk.page import DeskEnv
from ui.desk.supervisor.assign_dialog import AssignDialog
from ui.desk.supervisor.table_model import Cell, RowsTable
from ui.ops import error_message, log_failure
from ui.style import set_role

Q = sv.Queue


def queue_titles() -> dict[str, tuple[str, str]]:
    """Each queue's name and what it holds."""
    return {
        Q.UNASSIGNED: (_("Unassigned"), _("Open cases that no mediator handles yet.")),
        Q.RECUSAL: (
            _("Recusal decisions"),
            _("A party asked for a recusal or a mediator disclosed a conflict: decide it in the case."),
        ),
        Q.EXTENSION: (
            _("Extensions"),
            _(
                "A mediation or decision period ends within {days} days: extend it in the case if the law allows."
            ).format(days=sv.EXTENSION_WINDOW_DAYS),
        ),
        Q.REVIEW: (
            _("Legality review"),
            _(
                "Adjudications whose contested points are recorded: the legality and reasonableness review by a "
                "legally qualified supervisor who did not handle the case."
            ),
        ),
        Q.APPROVAL: (
            _("Head's approval"),
            _("Reviewed adjudications waiting for the approval of the head of the body."),
        ),
        Q.DECISION: (_("Decisions to issue"), _("Approved adjudications: the decision can be made.")),
    }


def due_cell(case: CaseSummary, today: object) -> Cell:
    if case.next_due is None:
        return Cell("", sort="9999")
    text = _("{date} {name}").format(date=case.next_due.isoformat(), name=case.next_due_label)
    if case.overdue(today):  # type: ignore[arg-type]
        text = _("{deadline} — overdue").format(deadline=text)
    return Cell(text, sort=case.next_due.isoformat())


def case_cells(case: CaseSummary, today: object) -> list[Cell]:
    """The columns after the case number."""
    return [
        Cell(case.matter_name, tooltip=case.matter_code),
        Cell(case.state_label),
        Cell(case.received_on.isoformat()),
        Cell(case.assigned_mediator or _("(unassigned)")),
        due_cell(case, today),
    ]


def status_cell(entry: sv.QueueEntry) -> Cell:
    """Short, so the table stays narrow; the reasons are in the tooltip and under the table."""
    if entry.allowed:
        return Cell(_("Yes, now"), sort=0)
    return Cell(_("Not now"), sort=1, tooltip="\n".join(entry.reasons))


def reasons_text(entry: sv.QueueEntry) -> str:
    if entry.allowed:
        return _("You can record {act} now: open the case.").format(act=entry.act_label)
    return _("Why you cannot record {act} now: {reasons}").format(
        act=entry.act_label, reasons=_("; ").join(entry.reasons)
    )


class QueuesTab(QWidget):
    """Emits ``open_case(case_id)``."""

    open_case = Signal(str)

    def __init__(self, env: DeskEnv, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.env = env
        self.data: sv.Queues | None = None
        self.assign_dialog: AssignDialog | None = None
        self._loading = False
        self._again = False
        self._titles = queue_titles()
        layout = QVBoxLayout(self)
        split = QSplitter(self)
        self.queue_list = QListWidget(split)
        self.queue_list.setAccessibleName(_("Queues"))
        for name in Q.ALL:
            item = QListWidgetItem(self._titles[name][0], self.queue_list)
            item.setData(0x0100, name)
        self.queue_list.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Expanding)
        self.queue_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._fit_queue_list()
        right = QWidget(split)
        body = QVBoxLayout(right)
        body.setContentsMargins(0, 0, 0, 0)
        self.heading = QLabel(right)
        set_role(self.heading, "subtitle")
        self.heading.setWordWrap(True)
        self.explain = QLabel(right)
        set_role(self.explain, "hint")
        self.explain.setWordWrap(True)
        self.table = RowsTable(self._headers(False), _("Cases in the queue"), right)
        self.notice = QLabel(right)
        set_role(self.notice, "notice")
        self.notice.setWordWrap(True)
        self.notice.setVisible(False)
        self.error = ErrorLine(right)
        self.reasons = QLabel(right)
        self.reasons.setWordWrap(True)
        self.reasons.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status = QLabel(right)
        set_role(self.status, "hint")
        self.status.setWordWrap(True)
        buttons = QHBoxLayout()
        self.assign_button = QPushButton(_("Assign…"), right)
        self.open_button = QPushButton(_("Open case"), right)
        self.refresh_button = QPushButton(_("Refresh"), right)
        for button in (self.assign_button, self.open_button, self.refresh_button):
            button.setAccessibleName(button.text())
            buttons.addWidget(button)
        buttons.addStretch(1)
        for w in (self.heading, self.explain, self.notice, self.table, self.reasons, self.error, self.status):
            body.addWidget(w)
        body.addLayout(buttons)
        split.addWidget(self.queue_list)
        split.addWidget(right)
        split.setStretchFactor(1, 1)
        layout.addWidget(split)
        self.queue_list.currentRowChanged.connect(self._show_queue)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.table.doubleClicked.connect(self.open_selected)
        self.assign_button.clicked.connect(self.assign_selected)
        self.open_button.clicked.connect(self.open_selected)
        self.refresh_button.clicked.connect(self.load)
        self.queue_list.setCurrentRow(0)

    @staticmethod
    def _headers(acts: bool) -> list[str]:
        rest = [_("Matter"), _("State"), _("Received on"), _("Mediator"), _("Next deadline")]
        return [_("Case number"), _("Act"), _("Can you do it?"), *rest] if acts else [_("Case number"), *rest]

    # --- loading ---------------------------------------------------------------------------------------
    def load(self) -> None:
        if self._loading:
            self._again = True
            return
        self._loading = True
        self.refresh_button.setEnabled(False)
        self.env.context.call(sv.queues, on_success=self._loaded, on_failure=self._failed, parent=self)

    def _finish(self) -> None:
        self._loading = False
        self.refresh_button.setEnabled(True)
        if self._again:
            self._again = False
            self.load()

    def _loaded(self, data: sv.Queues) -> None:
        self.data = data
        self.error.set_text("")
        for row in range(self.queue_list.count()):
            item = self.queue_list.item(row)
            name = str(item.data(0x0100))
            label = _("{queue} ({count})").format(queue=self._titles[name][0], count=len(getattr(data, name)))
            item.setText(label)
        self._fit_queue_list()
        self._show_queue(self.queue_list.currentRow())
        self._finish()

    def _failed(self, exc: BaseException) -> None:
        log_failure(exc)
        self.error.set_text(error_message(exc))
        self._finish()

    def _fit_queue_list(self) -> None:
        """As wide as the longest queue name with its count (no name is cut off)."""
        lst = self.queue_list
        widest = max(lst.fontMetrics().horizontalAdvance(lst.item(i).text()) for i in range(lst.count()))
        bar = lst.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent)
        lst.setMinimumWidth(widest + 2 * lst.frameWidth() + bar + lst.fontMetrics().averageCharWidth() * 2)

    # --- showing ---------------------------------------------------------------------------------------
    def current_queue(self) -> str:
        item = self.queue_list.currentItem()
        return str(item.data(0x0100)) if item is not None else Q.UNASSIGNED

    def select_queue(self, name: str) -> None:
        self.queue_list.setCurrentRow(list(Q.ALL).index(name))

    def _show_queue(self, _row: int) -> None:
        name = self.current_queue()
        title, explain = self._titles[name]
        self.heading.setText(title)
        self.explain.setText(explain)
        acts = name != Q.UNASSIGNED
        data = self.data
        rows: list[list[Cell]] = []
        payloads: list[object] = []
        if data is not None:
            items: Sequence[object] = getattr(data, name)
            for item in items:
                if isinstance(item, sv.QueueEntry):
                    rows.append(
                        [
                            Cell(item.case.number),
                            Cell(item.act_label),
                            status_cell(item),
                            *case_cells(item.case, data.today),
                        ]
                    )
                    payloads.append(item)
                elif isinstance(item, CaseSummary):
                    rows.append([Cell(item.number), *case_cells(item, data.today)])
                    payloads.append(item)
            truncated = name in data.truncated
            self.notice.setText(
                _("Only the oldest {n} cases are listed; the case list shows them all.").format(n=sv.QUEUE_LIMIT)
                if truncated
                else ""
            )
            self.notice.setVisible(truncated)
        self.table.set_rows(rows, payloads, self._headers(acts))
        self.table.setAccessibleName(_("Cases in the queue: {queue}").format(queue=title))
        self._update_buttons()

    def selected_case(self) -> CaseSummary | None:
        payload = self.table.current_payload()
        if isinstance(payload, sv.QueueEntry):
            return payload.case
        return payload if isinstance(payload, CaseSummary) else None

    def _set_enabled(self, button: QPushButton, reason: str) -> None:
        button.setEnabled(not reason)
        button.setToolTip(reason)
        button.setAccessibleDescription(reason)

    def _update_buttons(self) -> None:
        payload = self.table.current_payload()
        self.reasons.setText(reasons_text(payload) if isinstance(payload, sv.QueueEntry) else "")
        self.reasons.setVisible(isinstance(payload, sv.QueueEntry))
        case = self.selected_case()
        none = _("Select a case first.") if case is None else ""
        self.assign_button.setText(_("Reassign…") if case is not None and case.assigned_mediator else _("Assign…"))
        self.assign_button.setAccessibleName(self.assign_button.text())
        assign_reason = none
        if not none and not self.env.context.may("case.assign"):
            assign_reason = self.env.context.may("case.assign").reason
        elif not none and self.current_queue() == Q.RECUSAL:
            assign_reason = _(
                "On a recusal the new mediator is named by the recusal decision in the case: open the case."
            )
        self._set_enabled(self.assign_button, assign_reason)
        self._set_enabled(self.open_button, none)

    # --- acting ----------------------------------------------------------------------------------------
    def open_selected(self) -> None:
        case = self.selected_case()
        if case is not None:
            self.open_case.emit(case.id)

    def assign_selected(self) -> None:
        case = self.selected_case()
        if case is None or not self.assign_button.isEnabled():
            return
        dialog = AssignDialog(self.env, case.id, case.number, case.assigned_mediator, self)
        dialog.setObjectName("assign-dialog")
        dialog.assigned.connect(self._assigned)
        dialog.finished.connect(dialog.deleteLater)
        self.assign_dialog = dialog
        dialog.open()

    def _assigned(self, result: sv.Assignment) -> None:
        self.status.setText(
            _("Case {number} is now handled by {login}.").format(number=result.number, login=result.mediator)
        )
        # The broadcast of the write (Ops.changed) reloads the queues through the page.
