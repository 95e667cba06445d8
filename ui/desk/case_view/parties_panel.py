"""The parties of a case: masked (张某某, starred numbers) unless the user explicitly asks to see personal data.

"Show personal data" calls the audited reveal (``fzmediate.desk.case_view.reveal``); "Hide personal data"
goes back to the masked lines the page loaded. Nothing full is kept once hidden.
"""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget

from fzmediate.desk import case_view
from fzmediate.desk.case_view import PartyLine
from fzmediate.i18n import _
from ui.desk.form_field import ErrorLine
from ui.desk.page import DeskEnv
from ui.ops import error_message, log_failure
from ui.style import set_role


class PartiesPanel(QWidget):
    def __init__(self, env: DeskEnv, case_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.env = env
        self.case_id = case_id
        self.masked: tuple[PartyLine, ...] = ()
        self.revealed = False
        layout = QVBoxLayout(self)
        self.table = QTableWidget(0, 7, self)
        self.table.setAccessibleName(_("Parties"))
        self.table.setTabKeyNavigation(False)  # Tab leaves the table (arrows move in it): no keyboard trap
        self.table.setHorizontalHeaderLabels(
            [_("Party"), _("Name"), _("ID number"), _("Phone"), _("Address"), _("Agent for"), _("Authority")]
        )
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        layout.addWidget(self.table, 1)
        self.notice = QLabel(_("Personal data is shown. Viewing it is recorded in the audit log."), self)
        self.notice.setWordWrap(True)
        set_role(self.notice, "notice")
        self.notice.setVisible(False)
        layout.addWidget(self.notice)
        self.error = ErrorLine(self)
        layout.addWidget(self.error)
        row = QHBoxLayout()
        self.toggle = QPushButton(_("Show personal data"), self)
        self.toggle.setAccessibleName(_("Show personal data"))
        self.toggle.setAccessibleDescription(_("Shows full names, ID numbers, phones and addresses; recorded."))
        self.toggle.clicked.connect(self._toggle)
        row.addWidget(self.toggle)
        row.addStretch(1)
        layout.addLayout(row)

    def set_parties(self, parties: tuple[PartyLine, ...]) -> None:
        """The masked lines (from the page's load); hides personal data again."""
        self.masked = parties
        self._show(parties, revealed=False)

    def _show(self, parties: tuple[PartyLine, ...], *, revealed: bool) -> None:
        self.revealed = revealed
        self.table.setRowCount(len(parties))
        for r, p in enumerate(parties):
            for c, text in enumerate((p.ref, p.name, p.id_number, p.phone, p.address, p.represents, p.authority)):
                self.table.setItem(r, c, QTableWidgetItem(text))
        self.table.resizeColumnsToContents()
        self.notice.setVisible(revealed)
        text = _("Hide personal data") if revealed else _("Show personal data")
        self.toggle.setText(text)
        self.toggle.setAccessibleName(text)

    def _toggle(self) -> None:
        if self.revealed:
            self._show(self.masked, revealed=False)
            return
        self.toggle.setEnabled(False)
        self.env.context.call(
            case_view.reveal, self.case_id, on_success=self._revealed, on_failure=self._failed, parent=self
        )

    def _revealed(self, parties: tuple[PartyLine, ...]) -> None:
        self.toggle.setEnabled(True)
        self.error.set_text("")
        self._show(parties, revealed=True)

    def _failed(self, error: BaseException) -> None:
        self.toggle.setEnabled(True)
        log_failure(error)
        self.error.set_text(error_message(error))

    def names(self) -> list[str]:
        return [item.text() for r in range(self.table.rowCount()) if (item := self.table.item(r, 1)) is not None]
