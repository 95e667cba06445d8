"""The case list: search as you type, filters, a server-sorted table of every case, paged lazily.

The search field takes what people have at hand: a case number with or without 〔〕 or a short number of
this desk (12, 0012号), a party's name or part of it (rare characters included), an ID number whole or its
last 6 characters, a phone number whole or its last 4 digits (``CaseService.search`` documents the forms).
Typing restarts a short timer; when it runs out the list asks for the first page of the new query, and the
model drops any page of an older query that arrives late. Names are masked (张某某); Enter or a double
click asks the main window to open the case.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QModelIndex, QObject, Qt, QTimer
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from fzmediate.desk import case_list
from fzmediate.domain.case import VOIDED_STATE, CaseKind
from fzmediate.i18n import _, ngettext
from fzmediate.services.case_dto import MAX_QUERY, CaseFilters, CaseQuery, case_kind_label
from ui.desk.case_table_model import (
    COL_APPLICANTS,
    COL_MATTER,
    COL_MEDIATOR,
    COL_NEXT,
    COL_NUMBER,
    COL_RECEIVED,
    COL_RESPONDENTS,
    COL_STATE,
    SORTS,
    CaseIdRole,
    CaseTableModel,
)
from ui.desk.page import DeskEnv, DeskPage
from ui.ops import error_message, log_failure
from ui.style import set_role

if TYPE_CHECKING:
    from fzmediate.store.changes import OpChanges

#: Typing pause before the list is asked again (ms).
SEARCH_DELAY_MS = 150
#: A user or the catalogue changed: the filter choices are read again.
_CHOICE_KINDS = frozenset({"user", "catalogue", "meta"})


class CaseListPage(DeskPage):
    """Every case of the desk, searchable and filterable (see the module docs)."""

    def __init__(self, env: DeskEnv, parent: QWidget | None = None) -> None:
        super().__init__(env, parent)
        self.model = CaseTableModel(env, self)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DELAY_MS)
        self._timer.timeout.connect(self._apply_query)

        layout = QVBoxLayout(self)  # no title of its own: the page is the first tab, named by page_title()

        self.search = QLineEdit(self)
        self.search.setAccessibleName(_("Search cases"))
        hint = _(
            "Case number (with or without 〔〕, or a short number), name, ID number or its last 6, phone or its last 4"
        )
        self.search.setPlaceholderText(_("Search by number, name, ID number or phone"))
        self.search.setAccessibleDescription(hint)
        self.search.setToolTip(hint)
        self.search.setClearButtonEnabled(True)
        self.search.setMaxLength(MAX_QUERY)
        self.search.textChanged.connect(self._timer.start)
        self.search.returnPressed.connect(self._search_entered)
        self.search.installEventFilter(self)
        layout.addWidget(self.search)
        self.search_hint = QLabel(hint, self)
        self.search_hint.setWordWrap(True)
        set_role(self.search_hint, "hint")
        layout.addWidget(self.search_hint)

        filters = QGridLayout()
        self.matter = self._combo(_("Matter"), _("All matters"))
        self.state = self._combo(_("State"), _("All states"))
        self.mediator = self._combo(_("Mediator"), _("All mediators"))
        self.street = self._combo(_("Street"), _("All streets"))
        self.kind = self._combo(_("Kind"), _("All kinds"))
        for k in CaseKind:
            self.kind.addItem(case_kind_label(k.value), k.value)
        for i, (label, combo) in enumerate(
            (
                (_("Matter"), self.matter),
                (_("State"), self.state),
                (_("Mediator"), self.mediator),
                (_("Street"), self.street),
                (_("Kind"), self.kind),
            )
        ):
            caption = QLabel(label, self)
            caption.setBuddy(combo)
            filters.addWidget(caption, (i // 3) * 2, i % 3)
            filters.addWidget(combo, (i // 3) * 2 + 1, i % 3)
        self.overdue = QCheckBox(_("Overdue only"), self)
        self.overdue.setAccessibleName(_("Overdue only"))
        self.overdue.toggled.connect(self._apply_query)
        self.clear_filters = QPushButton(_("Clear filters"), self)
        self.clear_filters.setAccessibleName(_("Clear filters"))
        self.clear_filters.clicked.connect(self._clear_filters)
        # The header sorts with the mouse; this does the same from the keyboard (and says what applies).
        self.sort_by = QComboBox(self)
        self.sort_by.setAccessibleName(_("Sort by"))
        self.sort_by.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.sort_by.setMinimumContentsLength(10)
        self.sort_by.addItem(_("Newest first"), (-1, True))
        for column in sorted(SORTS):
            title = str(self.model.headerData(column, Qt.Orientation.Horizontal))
            self.sort_by.addItem(_("{column}, ascending").format(column=title), (column, False))
            self.sort_by.addItem(_("{column}, descending").format(column=title), (column, True))
        self.sort_by.currentIndexChanged.connect(self._sort_chosen)
        sort_caption = QLabel(_("Sort by"), self)
        sort_caption.setBuddy(self.sort_by)
        filters.addWidget(sort_caption, 2, 2)
        filters.addWidget(self.sort_by, 3, 2)
        row = QHBoxLayout()
        row.addWidget(self.overdue)
        row.addSpacing(12)
        row.addWidget(self.clear_filters)
        row.addStretch(1)
        filters.addLayout(row, 4, 0, 1, 4)
        filters.setColumnStretch(3, 1)  # the combos keep their size; the room left stays on the right
        layout.addLayout(filters)

        status = QHBoxLayout()
        self.count_label = QLabel(self)
        self.count_label.setAccessibleName(_("Number of cases"))
        self.count_label.setWordWrap(True)
        status.addWidget(self.count_label, 1)
        layout.addLayout(status)
        self.error_label = QLabel(self)
        self.error_label.setWordWrap(True)
        self.error_label.setAccessibleName(_("Error"))
        set_role(self.error_label, "error")
        self.error_label.hide()
        layout.addWidget(self.error_label)

        self.table = QTableView(self)
        self.table.setAccessibleName(_("Cases"))
        self.table.setTabKeyNavigation(False)  # Tab leaves the table (arrows move in it): no keyboard trap
        self.table.setAccessibleDescription(_("Press Enter or double-click to open the selected case."))
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(COL_NEXT, QHeaderView.ResizeMode.Stretch)
        self._size_columns()
        header.setSortIndicator(-1, Qt.SortOrder.DescendingOrder)  # newest first: no column's indicator
        self.table.setSortingEnabled(True)
        header.sortIndicatorChanged.connect(self._sort_indicator_changed)
        self.table.doubleClicked.connect(self._open_index)
        self.table.installEventFilter(self)
        layout.addWidget(self.table, 1)

        self.empty_label = QLabel(self)
        self.empty_label.setWordWrap(True)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setAccessibleName(_("No cases"))
        set_role(self.empty_label, "placeholder")
        self.empty_label.hide()
        layout.addWidget(self.empty_label)

        self.model.count_changed.connect(self._show_count)
        self.model.loading_changed.connect(self._show_state)
        self.model.load_failed.connect(self._show_error)
        self.model.rowsInserted.connect(self._show_state)
        self.model.rowsRemoved.connect(self._show_state)
        self._name_inner_buttons()
        self._show_count(-1)
        self._load_choices()
        self.model.set_query(self._build_query())

    # --- the page contract -------------------------------------------------------------------------------
    def page_title(self) -> str:
        return _("Case list")

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def on_changed(self, changes: OpChanges, initiator: object) -> None:
        self.model.apply_changes(changes)
        if changes.kinds & _CHOICE_KINDS:
            self._load_choices()

    # --- building ----------------------------------------------------------------------------------------
    def _combo(self, name: str, every: str) -> QComboBox:
        combo = QComboBox(self)
        combo.setAccessibleName(name)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(10)
        combo.addItem(every, None)
        combo.currentIndexChanged.connect(self._apply_query)
        return combo

    def _load_choices(self) -> None:
        self.env.context.call(
            case_list.filter_choices, on_success=self._choices_arrived, on_failure=self._choices_failed, parent=self
        )

    def _choices_failed(self, exc: BaseException) -> None:
        log_failure(exc)
        self._show_error(error_message(exc))

    def _choices_arrived(self, choices: case_list.FilterChoices) -> None:
        self.model.set_mediator_names({c.code: c.label for c in choices.mediators})
        self._fill(self.matter, choices.matters, True)
        self._fill(self.state, choices.states, False)
        self._fill(self.mediator, (case_list.Choice("", _("Unassigned")), *choices.mediators), False)
        self._fill(self.street, choices.streets, False)

    def _fill(self, combo: QComboBox, items: tuple[case_list.Choice, ...], with_code: bool) -> None:
        """Replace a combo's entries, keeping its choice (no new query: the choice did not change)."""
        chosen = combo.currentData()
        combo.blockSignals(True)
        try:
            while combo.count() > 1:
                combo.removeItem(1)
            for item in items:
                text = "{0} {1}".format(item.code, item.label) if with_code else item.label
                combo.addItem(text, item.code)
                combo.setItemData(combo.count() - 1, text, Qt.ItemDataRole.ToolTipRole)
            at = combo.findData(chosen) if chosen is not None else 0
            combo.setCurrentIndex(max(at, 0))
        finally:
            combo.blockSignals(False)
        if chosen is not None and combo.currentData() != chosen:
            self._apply_query()  # what was chosen is no longer offered

    def _size_columns(self) -> None:
        """Each column as wide as its header (with the sort arrow) or a typical value, whichever is wider;
        the next step takes the rest. Widths stay adjustable by hand."""
        header = self.table.horizontalHeader()
        heads, cells = header.fontMetrics(), self.table.fontMetrics()
        samples = {
            COL_NUMBER: "坪山调〔2026〕0A0B0C0001号",
            COL_MATTER: "物业服务纠纷行政调解",
            COL_APPLICANTS: "张某某、李某",
            COL_RESPONDENTS: "张某某、李某",
            COL_STATE: "已达成调解协议",
            COL_MEDIATOR: _("Unassigned"),
            COL_RECEIVED: "2026-11-29",
        }
        for column, sample in samples.items():
            title = str(self.model.headerData(column, Qt.Orientation.Horizontal))
            width = max(heads.horizontalAdvance(title) + heads.height() * 2, cells.horizontalAdvance(sample) + 16)
            header.resizeSection(column, width)

    def _name_inner_buttons(self) -> None:
        """Qt's own buttons inside the search field (clear) and the table (corner: select all) get names too."""
        for button in self.search.findChildren(QAbstractButton):
            button.setAccessibleName(_("Clear the search"))
        for button in self.table.findChildren(QAbstractButton):
            if not button.accessibleName():
                button.setAccessibleName(_("Select all rows"))

    # --- the query ---------------------------------------------------------------------------------------
    def _build_query(self) -> CaseQuery:
        state = self.state.currentData()
        kind = self.kind.currentData()
        filters = CaseFilters(
            matter=self.matter.currentData(),
            state=state,
            mediator=self.mediator.currentData(),
            street=self.street.currentData(),
            overdue=self.overdue.isChecked(),
            kind=CaseKind(kind) if kind else None,
            include_voided=state == VOIDED_STATE,
        )
        current = self.model.query
        return CaseQuery(
            text=self.search.text().strip(), filters=filters, sort=current.sort, descending=current.descending
        )

    def _apply_query(self, *_args: Any) -> None:
        self._timer.stop()
        query = self._build_query()
        if query != self.model.query:
            self.error_label.hide()
            self.model.set_query(query)

    def _clear_filters(self) -> None:
        for combo in (self.matter, self.state, self.mediator, self.street, self.kind):
            combo.blockSignals(True)
            combo.setCurrentIndex(0)
            combo.blockSignals(False)
        self.overdue.blockSignals(True)
        self.overdue.setChecked(False)
        self.overdue.blockSignals(False)
        self._apply_query()

    def _sort_chosen(self, index: int) -> None:
        column, descending = self.sort_by.itemData(index)
        order = Qt.SortOrder.DescendingOrder if descending else Qt.SortOrder.AscendingOrder
        # Through the header, so the arrow and the model follow the same way as a click.
        self.table.horizontalHeader().setSortIndicator(column, order)

    def _sync_sort_combo(self) -> None:
        query = self.model.query
        wanted = (self.model.sort_column(), query.descending if self.model.sort_column() >= 0 else True)
        for i in range(self.sort_by.count()):
            if tuple(self.sort_by.itemData(i)) == wanted:
                self.sort_by.blockSignals(True)
                self.sort_by.setCurrentIndex(i)
                self.sort_by.blockSignals(False)
                return

    def _sort_indicator_changed(self, section: int, order: Qt.SortOrder) -> None:
        if self.model.is_sortable(section) or section < 0:
            QTimer.singleShot(0, self._sync_sort_combo)  # after the model took the new sort
            return
        # A column that cannot be sorted was clicked: the model ignored it; show the sort that applies.
        header = self.table.horizontalHeader()
        header.blockSignals(True)
        query = self.model.query
        header.setSortIndicator(
            self.model.sort_column(), Qt.SortOrder.DescendingOrder if query.descending else Qt.SortOrder.AscendingOrder
        )
        header.blockSignals(False)

    # --- what the list shows -----------------------------------------------------------------------------
    def _show_count(self, n: int) -> None:
        if n < 0:
            self.count_label.setText(_("Counting cases…"))
        else:
            self.count_label.setText(ngettext("{count} case", "{count} cases", n).format(count=n))
        self._show_state()

    def _show_state(self, *_args: Any) -> None:
        empty = not self.model.loading and self.model.rowCount() == 0 and self.error_label.isHidden()
        if empty:
            query = self.model.query
            if query.text or query.filters != CaseFilters():
                self.empty_label.setText(
                    _("No case matches the search and filters. Change the search or clear the filters.")
                )
            else:
                self.empty_label.setText(_("No cases registered yet."))
        self.empty_label.setVisible(empty)

    def _show_error(self, message: str) -> None:
        self.error_label.setText(_("The list could not be read: {reason}").format(reason=message))
        self.error_label.show()
        self._show_state()

    # --- opening a case ----------------------------------------------------------------------------------
    def _open_index(self, index: QModelIndex) -> None:
        if index.isValid():
            self.open_case_requested.emit(str(index.data(CaseIdRole)))

    def _search_entered(self) -> None:
        """Enter in the search field: search now; when the list already shows exactly one case, open it."""
        if self._build_query() != self.model.query or self.model.loading:
            self._apply_query()
        elif self.model.rowCount() == 1:
            self._open_index(self.model.index(0, 0))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            key = event.key()
            if watched is self.table and key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self._open_index(self.table.currentIndex())
                return True
            if watched is self.search and key == Qt.Key.Key_Down and self.model.rowCount():
                self.table.setFocus()
                self.table.selectRow(max(self.table.currentIndex().row(), 0))
                return True
        return super().eventFilter(watched, event)
