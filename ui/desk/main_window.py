"""The desk main window (after unlock). Built per session and destroyed when the store locks."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QIcon, QKeySequence
from PySide6.QtWidgets import QLabel, QMainWindow, QToolBar, QToolButton, QWidget

from fzmediate.i18n import _
from fzmediate.security.roles import Role, role_label
from ui.style import set_role

if TYPE_CHECKING:
    # Only for annotations: the store (SQLAlchemy, Alembic) loads when it is first opened, not at start-up.
    from fzmediate.services.session import Actor
    from ui.session_context import SessionContext


def window_title() -> str:
    return _("fzmediate — mediation desk")


class MainWindow(QMainWindow):
    """Emits ``lock_requested`` (menu, toolbar, Ctrl+L) and ``quit_requested`` (Ctrl+Q, window closed)."""

    lock_requested = Signal()
    quit_requested = Signal()

    def __init__(self, actor: Actor, context: SessionContext | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
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

        placeholder = QLabel(_("Cases arrive in a later version."), self)
        placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        set_role(placeholder, "placeholder")
        self.setCentralWidget(placeholder)
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
