"""The case list (placeholder until the list screen lands)."""

from __future__ import annotations

from PySide6.QtWidgets import QLineEdit, QVBoxLayout, QWidget

from fzmediate.i18n import _
from ui.desk.page import DeskEnv, DeskPage


class CaseListPage(DeskPage):
    def __init__(self, env: DeskEnv, parent: QWidget | None = None) -> None:
        super().__init__(env, parent)
        layout = QVBoxLayout(self)
        self.search = QLineEdit(self)
        self.search.setAccessibleName(_("Search cases"))
        layout.addWidget(self.search)

    def page_title(self) -> str:
        return _("Case list")

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()
