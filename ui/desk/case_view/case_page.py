"""One case in its own tab: header, the procedure (timeline and acts), parties, planned sessions, documents.

Everything is read in one call (``fzmediate.desk.case_view.load``: masked, not audited) and read again when a
write changes this case (``on_changed``), whoever made it. An act opens its generated dialog (``ActDialog``);
a disabled act says why.
"""

from __future__ import annotations

from datetime import datetime, time

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSplitter, QStyle, QTabWidget, QVBoxLayout, QWidget

from fzmediate.desk import case_view
from fzmediate.desk.case_view import ActLine, CaseScreen
from fzmediate.i18n import _
from fzmediate.store.changes import OpChanges
from ui.desk.case_view.act_dialog import ActDialog
from ui.desk.case_view.actions_panel import ActionsPanel
from ui.desk.case_view.documents_panel import DocumentsPanel
from ui.desk.case_view.parties_panel import PartiesPanel
from ui.desk.case_view.session_plan_dialog import SessionsPanel
from ui.desk.case_view.shortcuts import ActShortcuts
from ui.desk.case_view.timeline import TimelineView
from ui.desk.form_field import ErrorLine
from ui.desk.page import DeskEnv, DeskPage
from ui.ops import error_message, log_failure
from ui.style import set_role

#: The tabs built on first use.
PARTIES, SESSIONS, DOCUMENTS = "parties", "sessions", "documents"


class CasePage(DeskPage):
    #: The tab's title (the case number once loaded).
    title_changed = Signal(str)
    #: A load finished (tests wait on it).
    loaded = Signal()

    def __init__(self, env: DeskEnv, case_id: str, parent: QWidget | None = None) -> None:
        super().__init__(env, parent)
        self.case_id = case_id
        self.case_screen: CaseScreen | None = None
        self.dialog: ActDialog | None = None
        self._loading = False
        # Asked first: the store answers one call at a time, and the panels below ask for their own data.
        self.reload()
        layout = QVBoxLayout(self)

        self.title = QLabel(_("Loading the case…"), self)
        self.title.setWordWrap(True)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        set_role(self.title, "title")
        self.subtitle = QLabel(self)
        self.subtitle.setWordWrap(True)
        set_role(self.subtitle, "subtitle")
        due_row = QHBoxLayout()
        self.due_icon = QLabel(self)
        size = self.fontMetrics().height()
        self.due_icon.setPixmap(
            self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning).pixmap(size, size)
        )
        self.due_icon.setVisible(False)
        self.due = QLabel(self)
        self.due.setWordWrap(True)
        due_row.addWidget(self.due_icon)
        due_row.addWidget(self.due, 1)
        self.error = ErrorLine(self)
        layout.addWidget(self.title)
        layout.addWidget(self.subtitle)
        layout.addLayout(due_row)
        layout.addWidget(self.error)

        self.tabs = QTabWidget(self)
        self.tabs.setAccessibleName(_("Case sections"))
        self.timeline = TimelineView(self)
        self.acts_panel = ActionsPanel(self)
        self.acts_panel.act_requested.connect(self.open_act)
        # Ctrl+Shift+letter opens a frequent act; on an unavailable one it says why (status bar).
        self.act_keys = ActShortcuts(self, self._act_lines, self.open_act)
        procedure = QSplitter(Qt.Orientation.Horizontal, self)
        procedure.addWidget(self.timeline)
        procedure.addWidget(self.acts_panel)
        procedure.setStretchFactor(0, 3)
        procedure.setStretchFactor(1, 2)
        # Parties, sessions and documents are built (the documents panel also reads the case's documents) when
        # their tab is first shown or asked for: opening a case then costs the GUI thread only what the first tab
        # needs (bench/bench_desk.py, "open a case" stalls).
        self._slots: dict[str, QWidget] = {}
        self._panels: dict[str, QWidget] = {}
        self.tabs.addTab(procedure, _("Procedure"))
        for key, title in ((PARTIES, _("Parties")), (SESSIONS, _("Sessions")), (DOCUMENTS, _("Documents"))):
            slot = QWidget(self)
            slot.setAccessibleName(title)
            QVBoxLayout(slot).setContentsMargins(0, 0, 0, 0)
            self._slots[key] = slot
            self.tabs.addTab(slot, title)
        self.tabs.currentChanged.connect(self._tab_shown)
        layout.addWidget(self.tabs, 1)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Refresh), self, self.reload)

    def _panel(self, key: str) -> QWidget:
        """The panel of tab ``key``, built (and filled from the loaded case) on first use."""
        panel = self._panels.get(key)
        if panel is None:
            slot = self._slots[key]
            if key == PARTIES:
                panel = PartiesPanel(self.env, self.case_id, slot)
            elif key == SESSIONS:
                panel = SessionsPanel(self.env, self.case_id, slot)
            else:
                panel = DocumentsPanel(self.env, self.case_id, slot)
            layout = slot.layout()
            assert layout is not None
            layout.addWidget(panel)
            self._panels[key] = panel
            if self.case_screen is not None:
                self._fill(panel, self.case_screen)
        return panel

    def _fill(self, panel: QWidget, screen: CaseScreen) -> None:
        if isinstance(panel, PartiesPanel):
            panel.set_parties(screen.parties)
        elif isinstance(panel, SessionsPanel):
            panel.set_plans(screen.sessions, screen.mediator, datetime.combine(screen.today, time(8)))

    @property
    def parties(self) -> PartiesPanel:
        """The parties panel (built on first use)."""
        panel = self._panel(PARTIES)
        assert isinstance(panel, PartiesPanel)
        return panel

    @property
    def sessions(self) -> SessionsPanel:
        """The planned-sessions panel (built on first use)."""
        panel = self._panel(SESSIONS)
        assert isinstance(panel, SessionsPanel)
        return panel

    @property
    def documents(self) -> DocumentsPanel:
        """The documents panel (built on first use)."""
        panel = self._panel(DOCUMENTS)
        assert isinstance(panel, DocumentsPanel)
        return panel

    def tab_page(self, key: str) -> QWidget:
        """The tab page of ``key`` (PARTIES, SESSIONS, DOCUMENTS): it holds the panel once built."""
        return self._slots[key]

    @property
    def documents_tab(self) -> QWidget:
        """The Documents tab's page (it holds the panel once built)."""
        return self._slots[DOCUMENTS]

    def show_tab(self, key: str) -> QWidget:
        """Switch to tab ``key`` and return its panel (built now if it was not)."""
        self.tabs.setCurrentWidget(self._slots[key])
        return self._panel(key)

    def show_documents(self) -> DocumentsPanel:
        """Switch to the Documents tab (building the panel) and return the panel."""
        self.show_tab(DOCUMENTS)
        return self.documents

    def _tab_shown(self, index: int) -> None:
        page = self.tabs.widget(index)
        for key, slot in self._slots.items():
            if slot is page:
                self._panel(key).show()

    def page_title(self) -> str:
        return self.case_screen.number if self.case_screen is not None else _("Case")

    # --- loading ----------------------------------------------------------------------------------------
    def reload(self) -> None:
        if self._loading:
            return
        self._loading = True
        self.env.context.call(
            case_view.load, self.case_id, on_success=self._loaded, on_failure=self._failed, parent=self
        )

    def _loaded(self, screen: CaseScreen) -> None:
        self._loading = False
        self.case_screen = screen
        self.error.set_text("")
        self.title.setText(_("{number} · {matter}").format(number=screen.number, matter=screen.matter_name))
        self.subtitle.setText(
            _("{kind} · {state} · mediator: {mediator} · received {received}").format(
                kind=screen.kind_label,
                state=screen.state_label,
                mediator=screen.mediator_name or screen.mediator or _("not assigned"),
                received=screen.received_on.isoformat(),
            )
        )
        if screen.next_due is None:
            self.due.setText(_("No deadline running."))
        else:
            text = _("Next deadline: {name}, due {due}").format(
                name=screen.next_due_label, due=screen.next_due.isoformat()
            )
            if screen.next_due_provisional:
                text = _("{text} (provisional)").format(text=text)
            if screen.overdue:
                text = _("Overdue — {text}").format(text=text)
            self.due.setText(text)
        set_role(self.due, "overdue" if screen.overdue else "hint")
        self.due_icon.setVisible(screen.overdue)
        self.timeline.set_screen(screen)
        self.acts_panel.set_acts(screen.acts)
        self.act_keys.decorate(self.acts_panel.buttons, screen.acts)
        for panel in self._panels.values():
            self._fill(panel, screen)
        self.title_changed.emit(screen.number)
        self.loaded.emit()

    def _failed(self, error: BaseException) -> None:
        self._loading = False
        log_failure(error)
        self.error.set_text(error_message(error))

    # --- acting ---------------------------------------------------------------------------------------
    def _act_lines(self) -> tuple[ActLine, ...]:
        return self.case_screen.acts if self.case_screen is not None else ()

    def open_act(self, action: str) -> ActDialog | None:
        """Open the dialog of ``action`` (non-modal to the app, modal to this window); returns it."""
        if self.case_screen is None:
            return None
        act = self.case_screen.act(action)
        if not act.allowed:
            return None
        dialog = ActDialog(self.env, self.case_id, act.form, self.case_screen.version, self.case_screen.today, self)
        dialog.stale.connect(self.reload)
        dialog.finished.connect(self._dialog_closed)
        self.dialog = dialog
        dialog.open()
        return dialog

    def _dialog_closed(self) -> None:
        self.dialog = None

    def on_changed(self, changes: OpChanges, initiator: object) -> None:
        if self.case_id in changes.case_ids:
            self.reload()
            documents = self._panels.get(DOCUMENTS)
            if isinstance(documents, DocumentsPanel):
                documents.reload()

    def activated(self) -> None:
        if self.case_screen is None:
            self.reload()

    def may_close(self) -> bool:
        """False when the user chose to keep unsaved changes (an open act dialog with edits)."""
        dialog = self.dialog
        if dialog is None or not dialog.isVisible() or not dialog.edited():
            return True
        if not dialog.confirm_discard():
            return False
        dialog.done(0)
        return True
