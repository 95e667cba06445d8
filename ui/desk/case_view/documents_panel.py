"""A case's documents (placeholder until the documents panel lands)."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from fzmediate.i18n import _
from ui.desk.page import DeskEnv


class DocumentsPanel(QWidget):
    """The documents of one case: drafts, issued versions, printing. ``reload()`` after a change."""

    def __init__(self, env: DeskEnv, case_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.env = env
        self.case_id = case_id
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(_("Documents"), self))

    def reload(self) -> None:
        """Read the case's documents again (called by the case page after a change to the case)."""
