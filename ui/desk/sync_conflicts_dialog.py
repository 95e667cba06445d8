"""The open sync conflicts: a table of them, and for the one selected both values with who changed each and on
which device; a supervisor or administrator keeps this desk's value or takes the server's, with a reason.

Values are shown masked as everywhere in lists (``fzmediate.sync.conflicts``). Settling one writes the chosen
value here and queues it for the server (``fzmediate.desk.sync.resolve``, an audited act); the list reloads from
the one broadcast of what changed (``Ops.changed``). Users who may not settle conflicts see them with the
buttons disabled and the reason said.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialogButtonBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from fzmediate.desk import sync as desk_sync
from fzmediate.errors import ValidationError
from fzmediate.i18n import _
from fzmediate.store.changes import OpChanges
from fzmediate.sync.conflict_views import MAX_REASON, ConflictSide, ConflictView
from ui.desk.form_field import ErrorLine
from ui.desk.page import DeskEnv
from ui.desk.settings.common import FittingDialog, allow, button, wrapped
from ui.desk.sync_status import when
from ui.ops import error_message, log_failure
from ui.style import set_role

_Index = QModelIndex | QPersistentModelIndex


class ConflictTableModel(QAbstractTableModel):
    """One row per open conflict: case, record, field, this desk's value, the server's, when recorded."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: tuple[ConflictView, ...] = ()
        self.headers = (_("Case"), _("Record"), _("Field"), _("This desk"), _("Server"), _("Recorded"))

    def set_rows(self, rows: tuple[ConflictView, ...]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008  (Qt's signature)
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.headers)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.headers[section]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        c = self.rows[index.row()]
        cells = (
            c.case_number or _("(not on this desk)"),
            c.kind_label,
            c.field_label,
            c.mine.value,
            c.theirs.value,
            when(c.recorded_at),
        )
        return cells[index.column()]


def _who(side: ConflictSide) -> str:
    actor = side.actor or _("not recorded")
    if side.this_desk:
        return _("{actor} on this desk").format(actor=actor)
    device = side.device[:8] if side.device else _("unknown")
    return _("{actor} on device {device}").format(actor=actor, device=device)


class ConflictsDialog(FittingDialog):
    """The conflicts of this desk; ``settled`` lists the resolutions made while it was open."""

    WIDTH_EM = 56

    def __init__(self, env: DeskEnv, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.env = env
        self.settled: list[desk_sync.Resolution] = []
        self.loaded = False
        self._loading = False
        self._again = False
        self._busy = False
        self.setWindowTitle(_("Sync conflicts"))
        layout = QVBoxLayout(self)
        title = QLabel(_("Sync conflicts"), self)
        set_role(title, "title")
        title.setWordWrap(True)
        layout.addWidget(title)
        layout.addWidget(
            wrapped(
                _(
                    "The same field was changed on this desk and on another device. Both values are kept until a "
                    "supervisor or administrator decides which one stands; the decision is sent at the next sync."
                ),
                self,
                "hint",
            )
        )
        self.model = ConflictTableModel(self)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setAccessibleName(_("Open conflicts"))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setMinimumHeight(self.fontMetrics().height() * 8)
        self.table.selectionModel().currentRowChanged.connect(lambda *_a: self.show_detail())
        layout.addWidget(self.table, 1)
        self.empty = wrapped(_("No open conflicts."), self, "notice")
        self.empty.setVisible(False)
        layout.addWidget(self.empty)

        self.detail = QGroupBox(_("The conflict selected"), self)
        self.detail.setAccessibleName(_("The conflict selected"))
        grid = QGridLayout(self.detail)
        grid.setColumnStretch(1, 1)
        self.what = wrapped("", self.detail)
        self.base = wrapped("", self.detail)
        self.mine = wrapped("", self.detail)
        self.theirs = wrapped("", self.detail)
        self.recorded = wrapped("", self.detail, "hint")
        rows = (
            (_("What"), self.what),
            (_("Before both changes"), self.base),
            (_("This desk"), self.mine),
            (_("Server"), self.theirs),
            (_("Recorded"), self.recorded),
        )
        for r, (name, value) in enumerate(rows):
            label = QLabel(name, self.detail)
            label.setWordWrap(True)
            label.setBuddy(value)
            grid.addWidget(label, r, 0, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(value, r, 1)
        self.not_here = wrapped("", self.detail, "hint")
        self.not_here.setVisible(False)
        grid.addWidget(self.not_here, len(rows), 0, 1, 2)
        layout.addWidget(self.detail)

        reason_label = QLabel(_("Reason for the decision (required)"), self)
        reason_label.setWordWrap(True)
        self.reason = QLineEdit(self)
        self.reason.setMaxLength(MAX_REASON)
        self.reason.setAccessibleName(_("Reason for the decision"))
        reason_label.setBuddy(self.reason)
        self.reason.textChanged.connect(lambda _t: self._update_buttons())
        layout.addWidget(reason_label)
        layout.addWidget(self.reason)
        self.who_may = wrapped("", self, "hint")
        self.who_may.setVisible(False)
        layout.addWidget(self.who_may)
        self.message = ErrorLine(self)
        layout.addWidget(self.message)
        self.notice = wrapped("", self, "notice")
        self.notice.setVisible(False)
        layout.addWidget(self.notice)

        self.keep_button = button(_("Keep mine"), self, _("Keep this desk's value"))
        self.keep_button.clicked.connect(lambda: self.settle("mine"))
        self.take_button = button(_("Take theirs"), self, _("Take the server's value"))
        self.take_button.clicked.connect(lambda: self.settle("theirs"))
        self.close_buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.close_buttons.button(QDialogButtonBox.StandardButton.Close).setAccessibleName(_("Close"))
        self.close_buttons.rejected.connect(self.reject)
        row = QHBoxLayout()
        row.addWidget(self.keep_button)
        row.addWidget(self.take_button)
        row.addStretch(1)
        row.addWidget(self.close_buttons)
        layout.addLayout(row)

        self.may = env.context.may("sync.resolve")
        if not self.may:
            text = _("Only a supervisor or administrator decides conflicts. {reason}").format(reason=self.may.reason)
            self.who_may.setText(text)
            self.who_may.setAccessibleName(text)
            self.who_may.setVisible(True)
            allow(self.reason, False, self.may.reason)
        env.ops.changed.connect(self._changed)
        self.show_detail()
        self.reload()

    # --- loading -----------------------------------------------------------------------------------------
    def reload(self) -> None:
        if self._loading:
            self._again = True
            return
        self._loading = True
        self.env.context.call(desk_sync.conflicts, on_success=self._loaded, on_failure=self._load_failed, parent=self)

    def _loaded(self, rows: tuple[ConflictView, ...]) -> None:
        self._loading = False
        keep = self.current()
        self.model.set_rows(rows)
        self.loaded = True
        self.empty.setVisible(not rows)
        if rows:
            ids = [c.conflict_id for c in rows]
            row = ids.index(keep.conflict_id) if keep is not None and keep.conflict_id in ids else 0
            self.table.selectRow(row)
        self.show_detail()
        if self._again:
            self._again = False
            self.reload()

    def _load_failed(self, exc: BaseException) -> None:
        self._loading = False
        log_failure(exc)
        self.message.set_text(error_message(exc))

    def _changed(self, changes: OpChanges, initiator: object) -> None:
        self.reload()

    # --- the detail --------------------------------------------------------------------------------------
    def current(self) -> ConflictView | None:
        index = self.table.selectionModel().currentIndex()
        if not index.isValid() or index.row() >= len(self.model.rows):
            return None
        return self.model.rows[index.row()]

    def show_detail(self) -> None:
        c = self.current()
        self.detail.setVisible(c is not None)
        if c is None:
            self._update_buttons()
            return
        case = c.case_number or _("(not on this desk)")
        self.what.setText(
            _("{field} of a {kind} record, case {case}").format(field=c.field_label, kind=c.kind_label, case=case)
        )
        self.base.setText(c.base or _("(not recorded)"))
        self.mine.setText(_("{value} — {who}").format(value=c.mine.value, who=_who(c.mine)))
        self.theirs.setText(_("{value} — {who}").format(value=c.theirs.value, who=_who(c.theirs)))
        self.recorded.setText(when(c.recorded_at))
        for label in (self.what, self.base, self.mine, self.theirs, self.recorded):
            label.setAccessibleName(label.text())
        self.not_here.setText(c.reason)
        self.not_here.setAccessibleName(c.reason)
        self.not_here.setVisible(bool(c.reason))
        self._update_buttons()

    def _update_buttons(self) -> None:
        c = self.current()
        if not self.may:
            for b in (self.keep_button, self.take_button):
                allow(b, False, self.may.reason)
            return
        if c is None:
            for b in (self.keep_button, self.take_button):
                allow(b, False, _("Select a conflict first."))
            return
        has_reason = bool(self.reason.text().strip())
        need = _("Give a reason for the decision first.")
        allow(self.keep_button, has_reason and not self._busy, need)
        if not c.applicable:
            allow(self.take_button, False, c.reason)
        else:
            allow(self.take_button, has_reason and not self._busy, need)

    # --- settling ----------------------------------------------------------------------------------------
    def settle(self, choice: str) -> None:
        c = self.current()
        if c is None or self._busy or not self.may:
            return
        self.message.set_text("")
        self.notice.setVisible(False)
        self._busy = True
        self._update_buttons()
        self.env.context.call(
            desk_sync.resolve,
            c.conflict_id,
            choice,
            self.reason.text(),
            on_success=self._settled,
            on_failure=self._failed,
            parent=self,
        )

    def _settled(self, result: desk_sync.Resolution) -> None:
        self._busy = False
        self.settled.append(result)
        self.reason.clear()
        text = (
            _("✓ Decided; the value is sent to the server at the next sync.")
            if result.queued
            else _("✓ Decided; nothing needed to change.")
        )
        self.notice.setText(text)
        self.notice.setAccessibleName(text)
        self.notice.setVisible(True)
        self._update_buttons()
        self.reload()  # the write's broadcast reloads too; this covers a decision that changed no record

    def _failed(self, exc: BaseException) -> None:
        self._busy = False
        log_failure(exc)
        self.message.set_text(error_message(exc))
        if isinstance(exc, ValidationError) and exc.field == "reason":
            self.reason.setFocus()
        self._update_buttons()
        self.reload()
