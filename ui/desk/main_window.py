"""The desk main window (after unlock). Built per session and destroyed when the store locks.

Navigation on the left (Today, Cases, Supervisor for supervisors, Settings), the page on the right. The Cases
page is a tab widget: the case list first, then one closable tab per opened case. Every page refreshes from
``Ops.changed`` through :meth:`MainWindow._on_changed` (the one place that wiring lives).

Changing language or text size rebuilds the window (``rebuild_requested``): the shell builds a new one from
:meth:`MainWindow.view_state`, so the same page and the same open cases come back in the new language.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QIcon, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QStackedWidget,
    QTabWidget,
    QToolBar,
    QToolButton,
    QWidget,
)

from fzmediate.i18n import _
from fzmediate.security.roles import Role, role_label
from fzmediate.settings import Settings
from ui.a11y import name_qt_internals
from ui.desk.page import DeskEnv, DeskPage
from ui.style import set_role

if TYPE_CHECKING:
    # Only for annotations: the store (SQLAlchemy, Alembic) loads when it is first opened, not at start-up.
    from fzmediate.services.session import Actor
    from fzmediate.store.changes import OpChanges
    from ui.session_context import SessionContext

TODAY, CASES, SUPERVISOR, SETTINGS = "today", "cases", "supervisor", "settings"


@dataclass
class ViewState:
    """What a rebuilt window restores: the page shown and the cases open (ids only: no personal data)."""

    page: str = TODAY
    open_cases: list[str] = field(default_factory=list)
    current_case: str | None = None


def window_title() -> str:
    return _("fzmediate — mediation desk")


class PageMap(Mapping[str, DeskPage]):
    """The main window's pages by key, in navigation order. Every page of the navigation is in it; a page not
    shown yet (Supervision, Settings) is built when first asked for (``values()`` builds them all)."""

    def __init__(self, keys: list[str], page: Callable[[str], DeskPage]) -> None:
        self._keys = keys
        self._page = page

    def __getitem__(self, key: str) -> DeskPage:
        if key not in self._keys:
            raise KeyError(key)
        return self._page(key)

    def __contains__(self, key: object) -> bool:
        return key in self._keys  # without building it

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._keys))

    def __len__(self) -> int:
        return len(self._keys)


class MainWindow(QMainWindow):
    """Emits ``lock_requested`` (menu, toolbar, Ctrl+L) and ``quit_requested`` (Ctrl+Q, window closed)."""

    lock_requested = Signal()
    quit_requested = Signal()
    #: Language or text size changed: the shell rebuilds the window from ``view_state()``.
    rebuild_requested = Signal()
    #: The idle lock's new timeout in seconds (from the settings page): the shell's idle lock follows.
    idle_lock_changed = Signal(int)
    #: Lock now and show this notice (the settings page, after a restore: the store on disk is another one).
    notice_lock_requested = Signal(str)

    def __init__(
        self,
        actor: Actor,
        context: SessionContext | None = None,
        parent: QWidget | None = None,
        *,
        settings: Settings | None = None,
        state: ViewState | None = None,
    ) -> None:
        super().__init__(parent)
        self.context = context
        self._settings = settings or Settings()
        self.actor = actor
        self._closing_quietly = False
        self.setWindowTitle(window_title())
        self.resize(1100, 720)

        # A theme padlock where the desktop has one (no icon of our own yet); the text is always shown.
        self.lock_action = QAction(QIcon.fromTheme(QIcon.ThemeIcon.SystemLockScreen), _("Lock"), self)
        self.lock_action.setShortcut(QKeySequence("Ctrl+L"))
        self.lock_action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        self.lock_action.setStatusTip(_("Lock the data now; unlock again with your password."))
        self.lock_action.triggered.connect(self.lock_requested)

        self.quit_action = QAction(_("Quit"), self)
        self.quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        self.quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        self.quit_action.triggered.connect(self.quit_requested)

        file_menu = self.menuBar().addMenu(_("File"))
        file_menu.addAction(self.lock_action)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)

        # 文书: the application guide needs no case, so it is the one document reachable without a case screen.
        self.guide_action = QAction(_("Application guide…"), self)
        self.guide_action.setStatusTip(_("Preview and print the application guide of a matter."))
        self.guide_action.triggered.connect(self.open_guide)
        self.guide_action.setEnabled(context is not None)
        documents_menu = self.menuBar().addMenu(_("Documents"))
        documents_menu.addAction(self.guide_action)

        toolbar = QToolBar(_("Main toolbar"), self)
        toolbar.setObjectName("main-toolbar")
        toolbar.setMovable(False)
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        toolbar.addAction(self.lock_action)
        self.addToolBar(toolbar)
        lock_button = toolbar.widgetForAction(self.lock_action)
        if lock_button is not None:
            lock_button.setAccessibleName(_("Lock"))
        # Qt's own overflow buttons (shown when the window is too narrow) have no text of their own.
        for name in ("qt_toolbar_ext_button", "qt_menubar_ext_button"):
            for button in self.findChildren(QToolButton, name):
                button.setAccessibleName(_("More commands"))

        #: The pages in navigation order: built (``_built``), or built when first shown (``_factories``).
        self._keys: list[str] = []
        self._built: dict[str, DeskPage] = {}
        self._factories: dict[str, Callable[[], DeskPage]] = {}
        self.pages = PageMap(self._keys, self.page)
        self.case_tabs: QTabWidget | None = None
        if context is not None:
            self._build_pages(DeskEnv(context, self._settings), documents_menu, toolbar)
            context.ops.changed.connect(self._on_changed)
            self._restore(state or ViewState())
            name_qt_internals(self)  # pages not shown yet included
        else:
            placeholder = QLabel(_("Unlock the store to work on cases."), self)
            placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
            set_role(placeholder, "placeholder")
            self.setCentralWidget(placeholder)
        # Help comes last in the menu bar: every key of the desk, in the current language (F1).
        self.shortcuts_action = QAction(_("Keyboard shortcuts"), self)
        self.shortcuts_action.setShortcut(QKeySequence.StandardKey.HelpContents)
        self.shortcuts_action.setStatusTip(_("List every keyboard shortcut of the desk."))
        self.shortcuts_action.triggered.connect(self.show_shortcuts)
        help_menu = self.menuBar().addMenu(_("Help"))
        help_menu.addAction(self.shortcuts_action)
        warnings = context.trust_warnings if context is not None else ()
        if warnings and actor.role is Role.ADMIN:
            # Signed roles that fail are named to administrators at once (docs/security-model.md).
            self.trust_label = QLabel(
                _("⚠ Signature check: {problems} Confirm a role with: fzmediate user regrant LOGIN").format(
                    problems=" ".join(warnings)
                ),
                self,
            )
            self.trust_label.setWordWrap(True)
            self.trust_label.setAccessibleName(_("Signature check warnings"))
            set_role(self.trust_label, "error")
            toolbar_below = QToolBar(_("Warnings"), self)
            toolbar_below.setMovable(False)
            toolbar_below.addWidget(self.trust_label)
            self.addToolBarBreak()
            self.addToolBar(toolbar_below)

        role = role_label(actor.role) if actor.role is not None else ""
        who = (
            _("User: {name} ({login})").format(name=actor.full_name, login=actor.login)
            if actor.full_name
            else _("User: {login}").format(login=actor.login)
        )
        self.user_label = QLabel(who, self)
        self.role_label = QLabel(_("Role: {role}").format(role=role), self)
        self.user_label.setAccessibleName(self.user_label.text())
        self.role_label.setAccessibleName(self.role_label.text())
        for label in (self.user_label, self.role_label):
            label.setContentsMargins(10, 0, 10, 0)
            self.statusBar().addPermanentWidget(label)
        if context is not None:  # where sync stands, and the background sync (ui/desk/sync_status.py)
            from ui.desk.sync_status import SyncIndicator

            self.sync_indicator = SyncIndicator(self.env, self)
            self.statusBar().addPermanentWidget(self.sync_indicator)

    @property
    def settings(self) -> Settings:
        """The settings now (the settings page may have replaced ``env.settings``)."""
        env = getattr(self, "env", None)
        return env.settings if env is not None else self._settings

    # --- pages -----------------------------------------------------------------------------------------
    def _build_pages(self, env: DeskEnv, documents_menu: object, toolbar: QToolBar) -> None:
        from ui.desk.case_list_page import CaseListPage
        from ui.desk.settings_page import SettingsPage
        from ui.desk.supervisor_page import SupervisorPage
        from ui.desk.today_page import TodayPage

        self.env = env
        # Every widget is made in the parent it is shown in: moving a built page into another parent makes Qt
        # re-resolve the style sheet, fonts and palette of its whole tree (10–20 ms a page, on every unlock).
        central = QWidget(self)
        self.nav = QListWidget(central)
        self.nav.setAccessibleName(_("Navigation"))
        self.nav.setObjectName("desk-navigation")
        self.stack = QStackedWidget(central)
        self.case_tabs = QTabWidget(self.stack)
        self.case_tabs.setObjectName("case-tabs")
        self.case_tabs.setAccessibleName(_("Cases"))
        self.case_tabs.setTabsClosable(True)
        self.case_tabs.setDocumentMode(True)
        #: Where the tab widget keeps its pages (Qt's own stack): cases are built there, not moved there.
        self._tab_stack: QWidget = (
            self.case_tabs.findChild(QStackedWidget, "qt_tabwidget_stackedwidget") or self.case_tabs
        )
        self.case_list = CaseListPage(env, self._tab_stack)
        self.case_tabs.addTab(self.case_list, self.case_list.page_title())
        # The list is not closable: only the cases opened beside it are.
        bar = self.case_tabs.tabBar()
        for side in (bar.ButtonPosition.RightSide, bar.ButtonPosition.LeftSide):
            button = bar.tabButton(0, side)
            if button is not None:
                bar.setTabButton(0, side, None)
                shiboken6.delete(button)  # else it lingers, hidden and nameless
        self.case_tabs.tabCloseRequested.connect(self.close_case_tab)
        today = TodayPage(env, self.stack)
        self._adopt(TODAY, today)
        self._adopt(CASES, self.case_list, self.case_tabs)
        titles = [(TODAY, today.page_title()), (CASES, self.case_list.page_title())]
        # Pages not shown at first are built when first shown (a shorter first unlock: bench/bench_desk.py).
        if env.is_supervisor:
            self._factories[SUPERVISOR] = lambda: SupervisorPage(self.env, self.stack)
            titles.append((SUPERVISOR, SupervisorPage.title()))
        self._factories[SETTINGS] = self._settings_page
        titles.append((SETTINGS, SettingsPage.title()))
        for number, (key, title) in enumerate(titles, start=1):
            item = QListWidgetItem(title)
            item.setToolTip(_("{page} (Alt+{number})").format(page=item.text(), number=number))
            self.nav.addItem(item)
            self._keys.append(key)
            go = QAction(item.text(), self)
            go.setShortcut(QKeySequence("Alt+{0}".format(number)))
            go.triggered.connect(lambda _checked=False, k=key: self.show_page(k))
            self.addAction(go)
        self.nav.currentRowChanged.connect(self._nav_changed)
        # As wide as its longest entry (at any text size), so the pages keep the room.
        self.nav.setFixedWidth(self.nav.sizeHintForColumn(0) + 2 * self.nav.frameWidth() + 24)
        row = QHBoxLayout(central)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.nav)
        row.addWidget(self.stack, 1)
        self.setCentralWidget(central)

        self.new_case_action = QAction(_("New case…"), self)
        self.new_case_action.setShortcut(QKeySequence.StandardKey.New)
        self.new_case_action.setStatusTip(_("Register a new application."))
        self.new_case_action.triggered.connect(self.new_case)
        self.new_case_action.setEnabled(bool(env.context.may("case.create")))
        toolbar.addAction(self.new_case_action)
        new_button = toolbar.widgetForAction(self.new_case_action)
        if new_button is not None:
            new_button.setAccessibleName(_("New case"))
        self.find_action = QAction(_("Find case"), self)
        self.find_action.setShortcut(QKeySequence.StandardKey.Find)
        self.find_action.triggered.connect(self.find_case)
        self.addAction(self.find_action)
        self.inbox_action = QAction(_("Applications from kiosks…"), self)
        self.inbox_action.setStatusTip(_("Register or reject applications filed at community kiosks."))
        self.inbox_action.triggered.connect(self.open_inbox)
        self.inbox_action.setEnabled(bool(env.context.may("intake.list")))
        cases_menu = self.menuBar().addMenu(_("Cases"))
        cases_menu.addAction(self.new_case_action)
        cases_menu.addAction(self.find_action)
        cases_menu.addAction(self.inbox_action)

    def _settings_page(self) -> DeskPage:
        from ui.desk.settings_page import SettingsPage

        page = SettingsPage(self.env, self.stack)
        page.rebuild_requested.connect(self.rebuild_requested)
        page.idle_lock_changed.connect(self.idle_lock_changed)
        page.lock_requested.connect(self.notice_lock_requested)
        return page

    def _adopt(self, key: str, page: DeskPage, widget: QWidget | None = None) -> None:
        """Wire ``page`` and put it (or the ``widget`` it is shown in) in the page stack."""
        self._built[key] = page
        page.open_case_requested.connect(self.open_case)
        page.open_inbox_requested.connect(self.open_inbox)
        self.stack.addWidget(widget if widget is not None else page)

    def page(self, key: str) -> DeskPage:
        """The page ``key`` of the navigation, built now if it was not shown yet (KeyError: no such page here)."""
        page = self._built.get(key)
        if page is None:
            page = self._factories.pop(key)()
            self._adopt(key, page)
        return page

    def _restore(self, state: ViewState) -> None:
        for case_id in state.open_cases:
            self.open_case(case_id, activate=False)
        self.show_page(state.page if state.page in self.pages else TODAY)
        if state.current_case is not None:
            self.open_case(state.current_case)

    def view_state(self) -> ViewState:
        """Which page and which cases are open (for a rebuild after a language or text-size change)."""
        if self.case_tabs is None:
            return ViewState()
        page = self._keys[self.nav.currentRow()] if self.nav.currentRow() >= 0 else TODAY
        opened = [self.case_tabs.widget(i) for i in range(1, self.case_tabs.count())]
        ids = [str(getattr(w, "case_id", "")) for w in opened if getattr(w, "case_id", "")]
        current = self.case_tabs.currentWidget()
        return ViewState(page, ids, getattr(current, "case_id", None) if page == CASES else None)

    def show_page(self, key: str) -> None:
        if key in self._keys:
            self.nav.setCurrentRow(self._keys.index(key))

    def _nav_changed(self, row: int) -> None:
        if row < 0:
            return
        key = self._keys[row]
        page = self.page(key)
        if key == CASES and self.case_tabs is not None:
            self.stack.setCurrentWidget(self.case_tabs)
            current = self.case_tabs.currentWidget()
            page = current if isinstance(current, DeskPage) else page
        else:
            self.stack.setCurrentWidget(page)
        page.activated()

    def open_case(self, case_id: str, activate: bool = True) -> None:
        """Show the case in its own tab (one tab per case: a second request brings the first forward)."""
        if self.case_tabs is None:
            return
        for i in range(1, self.case_tabs.count()):
            if getattr(self.case_tabs.widget(i), "case_id", None) == case_id:
                if activate:
                    self.case_tabs.setCurrentIndex(i)
                    self.show_page(CASES)
                return
        from ui.desk.case_view.case_page import CasePage

        view = CasePage(self.env, case_id, self._tab_stack)
        view.open_case_requested.connect(self.open_case)
        view.title_changed.connect(lambda title, v=view: self._retitle(v, title))
        index = self.case_tabs.addTab(view, view.page_title())
        close = self.case_tabs.tabBar().tabButton(index, self.case_tabs.tabBar().ButtonPosition.RightSide)
        if close is not None:
            close.setAccessibleName(_("Close case tab"))
            close.setToolTip(_("Close case tab"))
        if activate:
            self.case_tabs.setCurrentIndex(index)
            self.show_page(CASES)

    def _retitle(self, view: QWidget, title: str) -> None:
        if self.case_tabs is not None:
            index = self.case_tabs.indexOf(view)
            if index >= 0:
                self.case_tabs.setTabText(index, title)

    def close_case_tab(self, index: int) -> None:
        if self.case_tabs is None or index <= 0:
            return
        view = self.case_tabs.widget(index)
        may_close = getattr(view, "may_close", None)
        if may_close is not None and not may_close():
            return  # unsaved changes the user chose to keep
        self.case_tabs.removeTab(index)
        if view is not None:
            view.deleteLater()

    def new_case(self) -> None:
        if self.context is None:
            return
        from ui.desk.intake.intake_dialog import open_intake

        open_intake(self.env, self)

    def open_inbox(self) -> None:
        if self.context is None:
            return
        from ui.desk.inbox_dialog import open_inbox

        open_inbox(self.env, self)

    def find_case(self) -> None:
        if self.case_tabs is None:
            return
        self.show_page(CASES)
        self.case_tabs.setCurrentIndex(0)
        self.case_list.focus_search()

    def _on_changed(self, changes: OpChanges, initiator: object) -> None:
        # The one place pages learn of writes (theirs included: each decides what to reload). A page not built
        # yet loads when it is first shown.
        for page in list(self._built.values()):
            page.on_changed(changes, initiator)
        if self.case_tabs is not None:
            for i in range(1, self.case_tabs.count()):
                view = self.case_tabs.widget(i)
                if isinstance(view, DeskPage):
                    view.on_changed(changes, initiator)

    def show_shortcuts(self) -> QDialog:
        """The keyboard shortcuts help (not modal); returns it."""
        from ui.desk.shortcuts_dialog import open_shortcuts

        return open_shortcuts(self.findChildren(QAction), self)

    def has_unsaved_input(self) -> bool:
        """Is anything typed in an open dialog not yet saved (an act dialog with edits, an intake form)?"""
        for dialog in self.findChildren(QDialog):
            if not dialog.isVisible():
                continue
            query = getattr(dialog, "has_unsaved_input", None) or getattr(dialog, "edited", None)
            if callable(query) and query():
                return True
        return False

    def open_guide(self) -> None:
        if self.context is None:
            return
        from ui.desk.document_preview import open_guide

        open_guide(self.context, self)

    def close_quietly(self) -> None:
        """Close without asking the app to quit (used when the store locks)."""
        self._closing_quietly = True
        self.close()

    def closeEvent(self, event: QCloseEvent) -> None:
        event.accept()
        if not self._closing_quietly:
            self.quit_requested.emit()
