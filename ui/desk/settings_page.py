"""Settings and administration: appearance and the idle lock (this computer), your password, this desk's unit
and catalogue, backup / restore / check, users and the recovery code, and the sync placeholder.

Everyone sees what concerns them; a section an administrator alone may use is shown to others as one line
saying so, and a control a role may not use is disabled with the reason. Settings are written by the DB
worker (``fzmediate.desk.admin.save_settings``); a new language, text size or contrast is applied to the
application at once and the main window is rebuilt (``rebuild_requested``), keeping the page and the cases.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QApplication, QFrame, QHBoxLayout, QLabel, QScrollArea, QVBoxLayout, QWidget

from fzmediate.desk import admin
from fzmediate.i18n import _, current_locale, set_locale
from fzmediate.settings import Settings
from fzmediate.store.changes import OpChanges
from ui.desk.page import DeskEnv, DeskPage
from ui.desk.settings.appearance import AppearancePanel
from ui.desk.settings.backup_panel import BackupPanel
from ui.desk.settings.common import button, section, wrapped
from ui.desk.settings.password_dialog import PasswordDialog
from ui.desk.settings.store_panel import StorePanel
from ui.desk.settings.sync_panel import SyncPanel
from ui.desk.settings.users_panel import UsersPanel
from ui.ops import log_failure, show_error
from ui.style import set_role

#: Entity kinds whose change the administration sections show.
_USER_KINDS = frozenset({"user"})
_DESK_KINDS = frozenset({"catalogue", "meta", "office_key"})


def _settings_not_saved(exc: BaseException) -> None:
    """The settings file could not be written: say so (the change still applies until the app closes)."""
    log_failure(exc)
    show_error(None, exc)


class SettingsPage(DeskPage):
    #: The language, text size or contrast changed: the main window is rebuilt.
    rebuild_requested = Signal()
    #: The idle lock's new timeout in seconds: the running lock must follow (the shell's IdleWatcher).
    idle_lock_changed = Signal(int)
    #: Lock the desk now with this notice (after a restore, which locked the session).
    lock_requested = Signal(str)

    def __init__(self, env: DeskEnv, parent: QWidget | None = None) -> None:
        super().__init__(env, parent)
        self.password_dialog: PasswordDialog | None = None
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        body = QWidget(scroll)
        column = QVBoxLayout(body)
        column.setContentsMargins(16, 16, 16, 16)
        column.setSpacing(16)
        scroll.setWidget(body)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)

        title = QLabel(self.page_title(), body)
        set_role(title, "title")
        column.addWidget(title)

        self.appearance = AppearancePanel(env.settings, body)
        self.appearance.changed.connect(self._settings_changed)
        column.addWidget(self.appearance)
        column.addWidget(self._account_section(body))

        self.store_panel = StorePanel(env, body)
        column.addWidget(self.store_panel)

        context = env.context
        self.backup_panel: BackupPanel | None = None
        if context.may("backup") or context.may("restore") or context.may("check"):
            self.backup_panel = BackupPanel(env, body)
            self.backup_panel.lock_requested.connect(self.lock_requested)
            column.addWidget(self.backup_panel)

        self.users_panel: UsersPanel | None = None
        manage = context.may("manage_users")
        if manage:
            self.users_panel = UsersPanel(env, body)
            column.addWidget(self.users_panel)
        else:
            box, layout = section(_("Administration"), body)
            self.admin_reason = wrapped(
                _("Users, the recovery code and restoring backups are managed by an administrator."), box, "hint"
            )
            self.admin_reason.setAccessibleName(self.admin_reason.text())
            self.admin_reason.setToolTip(manage.reason)
            self.admin_reason.setAccessibleDescription(manage.reason)
            layout.addWidget(self.admin_reason)
            column.addWidget(box)

        self.sync_panel = SyncPanel(env, body)
        column.addWidget(self.sync_panel)
        column.addStretch(1)
        self._loaded = False

    def _account_section(self, parent: QWidget) -> QWidget:
        box, layout = section(_("Your account"), parent)
        actor = self.env.actor
        who = (
            _("Signed in as {login} ({name}).").format(login=actor.login, name=actor.full_name)
            if actor.full_name
            else _("Signed in as {login}.").format(login=actor.login)
        )
        layout.addWidget(wrapped(who, box))
        self.password_button = button(_("Change your password…"), box)
        self.password_button.clicked.connect(self.change_password)
        row = QHBoxLayout()
        row.addWidget(self.password_button)
        row.addStretch(1)
        layout.addLayout(row)
        self.password_done = wrapped(_("✓ Your password was changed. Use the new one from now on."), box, "notice")
        self.password_done.setVisible(False)
        layout.addWidget(self.password_done)
        return box

    @staticmethod
    def title() -> str:
        """The page's name (the navigation names it before it is built: it is built when first shown)."""
        return _("Settings")

    def page_title(self) -> str:
        return self.title()

    # --- page contract ---------------------------------------------------------------------------------
    def activated(self) -> None:
        if not self._loaded:
            self._loaded = True
            self.store_panel.reload()
            if self.users_panel is not None:
                self.users_panel.reload()
        self.sync_panel.reload()

    def on_changed(self, changes: OpChanges, initiator: object) -> None:
        if not self._loaded:
            return
        if self.users_panel is not None and changes.kinds & _USER_KINDS:
            self.users_panel.reload()
        if changes.kinds & _DESK_KINDS:
            self.store_panel.reload()
        self.sync_panel.reload()

    # --- actions ---------------------------------------------------------------------------------------
    def change_password(self) -> None:
        self.password_done.setVisible(False)
        dialog = PasswordDialog(self.env, self)
        dialog.accepted.connect(lambda: self.password_done.setVisible(True))
        self.password_dialog = dialog
        dialog.open()

    def _settings_changed(self, settings: Settings, rebuild: bool) -> None:
        old = self.env.settings
        self.env.settings = settings  # the main window's ``settings`` reads it (and the shell on rebuild)
        self.env.context.call(admin.save_settings, settings, on_failure=_settings_not_saved)
        if settings.idle_lock_seconds != old.idle_lock_seconds:
            self.idle_lock_changed.emit(settings.idle_lock_seconds)
        if rebuild:
            apply_appearance(settings)
            self.rebuild_requested.emit()


def apply_appearance(settings: Settings) -> str:
    """Language, text size and contrast of ``settings`` for the whole application; returns the locale.

    Also what the app should call at start-up with the saved settings (``ui.app.run``)."""
    from ui.app import prepare_application

    locale = set_locale(settings.locale or current_locale())
    app = QApplication.instance()
    if isinstance(app, QApplication):
        prepare_application(app, locale, text_scale=settings.text_scale, high_contrast=settings.high_contrast)
    return locale
