"""One case in its own tab (placeholder until the case view lands)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from fzmediate.i18n import _
from ui.desk.page import DeskEnv, DeskPage


class CasePage(DeskPage):
    #: The tab's title (the case number once loaded).
    title_changed = Signal(str)

    def __init__(self, env: DeskEnv, case_id: str, parent: QWidget | None = None) -> None:
        super().__init__(env, parent)
        self.case_id = case_id
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.page_title(), self))

    def page_title(self) -> str:
        return _("Case")

    def may_close(self) -> bool:
        """False when the user chose to keep unsaved changes."""
        return True
