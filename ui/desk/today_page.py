"""Today: the signed-in user's day (placeholder until the Today screen lands)."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from fzmediate.i18n import _
from ui.desk.page import DeskEnv, DeskPage


class TodayPage(DeskPage):
    def __init__(self, env: DeskEnv, parent: QWidget | None = None) -> None:
        super().__init__(env, parent)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.page_title(), self))

    def page_title(self) -> str:
        return _("Today")
