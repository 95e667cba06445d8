"""Sync with the district server: not there yet. The section says so plainly and counts the recorded changes
that will be sent once this desk is enrolled (every change waits in the outbox until then)."""

from __future__ import annotations

from PySide6.QtWidgets import QVBoxLayout, QWidget

from fzmediate.desk import admin
from fzmediate.i18n import _, ngettext
from ui.desk.page import DeskEnv
from ui.desk.settings.common import section, wrapped
from ui.ops import log_failure


class SyncPanel(QWidget):
    def __init__(self, env: DeskEnv, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.env = env
        self.count: int | None = None
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        box, layout = section(_("Sync with the district server"), self)
        outer.addWidget(box)
        self.status = wrapped(_("Not connected to a district server. Sync arrives with enrollment."), box)
        self.status.setAccessibleName(self.status.text())
        self.outbox = wrapped("…", box, "hint")
        layout.addWidget(self.status)
        layout.addWidget(self.outbox)

    def reload(self) -> None:
        self.env.context.call(admin.outbox_count, on_success=self._show, on_failure=log_failure, parent=self)

    def _show(self, count: int) -> None:
        self.count = count
        text = ngettext(
            "{n} recorded change waits on this computer to be sent after enrollment.",
            "{n} recorded changes wait on this computer to be sent after enrollment.",
            count,
        ).format(n=count)
        self.outbox.setText(text)
        self.outbox.setAccessibleName(text)
