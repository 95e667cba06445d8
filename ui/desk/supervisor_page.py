"""Supervision: the work queues (assignment, recusal, extension, review, approval), the overdue dashboard
and the statistics, as tabs. Each tab loads when first shown and reloads when a write touched cases."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QLabel, QTabWidget, QVBoxLayout, QWidget

from fzmediate.i18n import _
from ui.desk.page import DeskEnv, DeskPage
from ui.desk.supervisor.overdue_dashboard import OverdueDashboard
from ui.desk.supervisor.queues import QueuesTab
from ui.desk.supervisor.statistics_view import StatisticsView
from ui.style import set_role

if TYPE_CHECKING:
    from fzmediate.store.changes import OpChanges

#: Kinds of change that can move a case between queues or change the figures.
_RELEVANT = frozenset({"case", "case_event", "party", "user"})


class SupervisorPage(DeskPage):
    def __init__(self, env: DeskEnv, parent: QWidget | None = None) -> None:
        super().__init__(env, parent)
        layout = QVBoxLayout(self)
        title = QLabel(self.page_title(), self)
        set_role(title, "title")
        layout.addWidget(title)
        self.tabs = QTabWidget(self)
        self.tabs.setAccessibleName(_("Supervision"))
        self.queues = QueuesTab(env, self.tabs)
        self.overdue = OverdueDashboard(env, self.tabs)
        self.statistics = StatisticsView(env, self.tabs)
        self.tabs.addTab(self.queues, _("Queues"))
        self.tabs.addTab(self.overdue, _("Overdue"))
        self.tabs.addTab(self.statistics, _("Statistics"))
        layout.addWidget(self.tabs, 1)
        self.queues.open_case.connect(self.open_case_requested)
        self.overdue.open_case.connect(self.open_case_requested)
        self.tabs.currentChanged.connect(self._tab_changed)
        #: Tabs whose data is missing or older than the last relevant write.
        self._stale: set[QWidget] = {self.queues, self.overdue, self.statistics}

    @staticmethod
    def title() -> str:
        """The page's name (the navigation names it before it is built: it is built when first shown)."""
        return _("Supervision")

    def page_title(self) -> str:
        return self.title()

    def activated(self) -> None:
        self._refresh(self.tabs.currentWidget())

    def on_changed(self, changes: OpChanges, initiator: object) -> None:
        if not (changes.kinds & _RELEVANT):
            return
        self._stale = {self.queues, self.overdue, self.statistics}
        if self.isVisible():
            self._refresh(self.tabs.currentWidget())

    def _tab_changed(self, _index: int) -> None:
        if self.isVisible():
            self._refresh(self.tabs.currentWidget())

    def _refresh(self, tab: QWidget) -> None:
        if tab not in self._stale:
            return
        self._stale.discard(tab)
        if tab is self.queues:
            self.queues.load()
        elif tab is self.overdue:
            self.overdue.load()
        elif tab is self.statistics:
            self.statistics.load()
