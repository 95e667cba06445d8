"""Sync with the district server as the whole desk sees it: one :class:`SyncController` per signed-in session
(where sync stands, sync now, the background sync) and the status bar's :class:`SyncIndicator`.

The settings panel and the status bar show the same controller (:func:`controller`), so a sync started by one
shows as running in the other. The network work runs in the store process (``ctx.call(fzmediate.desk.sync.run)``),
never on the GUI thread. Offline is normal for a desk: a sync that cannot reach the server shows as
"Offline — last sync …", never as an error dialog. The background sync runs every
:data:`BACKGROUND_MINUTES` minutes, only when the desk is enrolled and no other store work is waiting.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QStyle, QWidget

from fzmediate.desk import sync as desk_sync
from fzmediate.i18n import _, ngettext
from fzmediate.store.changes import OpChanges
from ui.desk.page import DeskEnv
from ui.ops import OpHandle, Progress, error_message, log_failure

#: Minutes between background syncs (also the first one's delay after unlocking).
BACKGROUND_MINUTES: Final = 10
#: The first background sync after unlocking: soon, but not in the middle of the first screen's loading.
FIRST_SYNC_SECONDS: Final = 60
_ATTRIBUTE: Final = "_fzmediate_sync_controller"


class Look:
    """What a state looks like: the icon beside the text (the text alone says it all: not colour alone)."""

    NONE = "none"
    RUNNING = "running"
    OK = "ok"
    OFFLINE = "offline"
    WARNING = "warning"
    WAITING = "waiting"


_ICONS: Final = {
    Look.RUNNING: QStyle.StandardPixmap.SP_BrowserReload,
    Look.OK: QStyle.StandardPixmap.SP_DialogApplyButton,
    Look.OFFLINE: QStyle.StandardPixmap.SP_DriveNetIcon,
    Look.WARNING: QStyle.StandardPixmap.SP_MessageBoxWarning,
    Look.WAITING: QStyle.StandardPixmap.SP_MessageBoxInformation,
    Look.NONE: QStyle.StandardPixmap.SP_MessageBoxInformation,
}


def when(at: datetime | None) -> str:
    """A time as the desk shows it: today's as hours and minutes, another day's with its date (local time)."""
    if at is None:
        return ""
    local = at.astimezone()
    if local.date() == datetime.now().astimezone().date():
        return local.strftime("%H:%M")
    return local.strftime("%Y-%m-%d %H:%M")


class SyncController(QObject):
    """Where sync stands for one session; emits ``updated`` whenever what it shows changed."""

    updated = Signal()

    def __init__(self, env: DeskEnv, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.env = env
        #: The last status read (None until the first answer).
        self.view: desk_sync.SyncView | None = None
        self.handle: OpHandle[Any] | None = None
        self.progress_text = ""
        #: The last sync's failure (None after a sync that worked).
        self.failure: BaseException | None = None
        self.last_result: desk_sync.SyncReport | None = None
        self._loading = False
        self._reload_again = False
        self.timer = QTimer(self)
        self.timer.setInterval(BACKGROUND_MINUTES * 60_000)
        self.timer.timeout.connect(self.background_sync)
        env.ops.changed.connect(self._changed)

    # --- what the screens read ---------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self.handle is not None

    @property
    def offline(self) -> bool:
        return isinstance(self.failure, desk_sync.SyncFailed) and self.failure.offline

    def summary(self) -> tuple[str, str]:
        """(text, look) of the one-line state: not enrolled / offline / syncing (progress) / up to date / N
        conflicts (the status bar shows it; the settings panel too)."""
        view = self.view
        if self.running:
            return _("Syncing ({progress})").format(progress=self.progress_text or "…"), Look.RUNNING
        if view is None:
            return _("Checking…"), Look.NONE
        if not view.enrolled:
            return _("Not enrolled"), Look.NONE
        conflicts = (
            ngettext("{n} conflict", "{n} conflicts", view.open_conflicts).format(n=view.open_conflicts)
            if view.open_conflicts
            else ""
        )
        if self.failure is not None:
            if self.offline:
                text = (
                    _("Offline — last sync {when}").format(when=when(view.last_sync_at))
                    if view.last_sync_at is not None
                    else _("Offline — never synced")
                )
                look = Look.OFFLINE
            else:
                text, look = _("Sync stopped"), Look.WARNING
            return (_("{state} · {conflicts}").format(state=text, conflicts=conflicts) if conflicts else text), look
        if conflicts:
            return conflicts, Look.WARNING
        if view.waiting:
            return (
                ngettext("{n} change waits to be sent", "{n} changes wait to be sent", view.waiting).format(
                    n=view.waiting
                ),
                Look.WAITING,
            )
        if view.last_sync_at is None:
            return _("Not synced yet"), Look.WAITING
        return _("Up to date"), Look.OK

    def failure_text(self) -> str:
        return error_message(self.failure) if self.failure is not None else ""

    # --- loading -------------------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Read where sync stands (one call at a time: a refresh asked meanwhile runs once it has answered)."""
        if not self.env.context.active:
            return
        if self._loading:
            self._reload_again = True
            return
        self._loading = True
        self.env.context.call(desk_sync.status, on_success=self._loaded, on_failure=self._load_failed, parent=self)

    def _loaded(self, view: desk_sync.SyncView) -> None:
        self._loading = False
        self.view = view
        if not view.enrolled:
            self.failure = None
        self.updated.emit()
        if self._reload_again:
            self._reload_again = False
            self.refresh()

    def _load_failed(self, exc: BaseException) -> None:
        self._loading = False
        self._reload_again = False
        log_failure(exc)

    def _changed(self, changes: OpChanges, initiator: object) -> None:
        # What waits and the open conflicts follow every write (a sync's own included).
        self.refresh()

    # --- syncing -------------------------------------------------------------------------------------------
    def may_sync(self) -> bool:
        return bool(self.env.context.may("sync.run"))

    def sync_now(self) -> bool:
        """Start a sync unless one runs, the desk is not enrolled or the user may not; True if started."""
        if self.running or not self.env.context.active or not self.may_sync():
            return False
        if self.view is not None and not self.view.enrolled:
            return False
        self.progress_text = ""
        self.handle = self.env.context.call(
            desk_sync.run,
            on_success=self._synced,
            on_failure=self._sync_failed,
            on_cancelled=self._sync_cancelled,
            progress=self._progress,
            parent=self,
        )
        self.updated.emit()
        return True

    def cancel(self) -> None:
        if self.handle is not None:
            self.handle.cancel()
            self.progress_text = _("Stopping…")
            self.updated.emit()

    def _progress(self, p: Progress) -> None:
        if p.text:
            self.progress_text = p.text
            self.updated.emit()

    def _synced(self, result: desk_sync.SyncReport) -> None:
        self.handle = None
        self.failure = None
        self.last_result = result
        self.refresh()  # the write's broadcast refreshes too; this one also covers a sync that changed nothing
        self.updated.emit()

    def _sync_failed(self, exc: BaseException) -> None:
        self.handle = None
        self.failure = exc
        if not (isinstance(exc, desk_sync.SyncFailed) and exc.offline):
            log_failure(exc)  # offline is normal: not worth a log line of its own (the client logged the tries)
        self.refresh()
        self.updated.emit()

    def _sync_cancelled(self) -> None:
        self.handle = None
        self.refresh()
        self.updated.emit()

    # --- the background sync -------------------------------------------------------------------------------
    def start_background(self) -> None:
        """Sync every :data:`BACKGROUND_MINUTES` minutes from now on (the first time after a minute)."""
        if not self.timer.isActive():
            self.timer.start()
            QTimer.singleShot(FIRST_SYNC_SECONDS * 1000, self, self.background_sync)

    def background_sync(self) -> bool:
        """A sync if the desk is enrolled and idle (no store work waiting, no sync running); True if started."""
        if not self.env.context.active:
            self.timer.stop()
            return False
        if self.view is None or not self.view.enrolled or self.env.ops.busy:
            return False
        return self.sync_now()


def controller(env: DeskEnv) -> SyncController:
    """The session's one controller (made on first use; it lives as long as the session context)."""
    context = env.context
    found = getattr(context, _ATTRIBUTE, None)
    if isinstance(found, SyncController):
        return found
    # Owned by the operation helper (a QObject of the GUI thread), not by Python alone: the controller and the
    # context refer to each other, and a cycle freed by Python's collector on whatever thread happens to collect
    # would delete its timers off the GUI thread (a crash in a later event loop turn). Qt deletes it with Ops.
    made = SyncController(env, parent=env.ops)
    setattr(context, _ATTRIBUTE, made)
    return made


def icon_pixmap(widget: QWidget, look: str, size: int) -> Any:
    return widget.style().standardIcon(_ICONS.get(look, _ICONS[Look.NONE])).pixmap(size, size)


class SyncIndicator(QWidget):
    """The status bar's sync state: an icon and its text (clicking opens nothing: Settings has the details)."""

    def __init__(self, env: DeskEnv, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.sync = controller(env)
        self.icon = QLabel(self)
        self.text = QLabel(self)
        row = QHBoxLayout(self)
        row.setContentsMargins(10, 0, 10, 0)
        row.setSpacing(4)
        row.addWidget(self.icon)
        row.addWidget(self.text)
        self.sync.updated.connect(self.show_state)
        self.show_state()
        self.sync.refresh()
        self.sync.start_background()

    def show_state(self) -> None:
        text, look = self.sync.summary()
        size = self.fontMetrics().height()
        self.icon.setPixmap(icon_pixmap(self, look, size))
        name = _("Sync: {state}").format(state=text)
        self.text.setText(name)
        self.setAccessibleName(name)
        self.text.setAccessibleName(name)
        self.setToolTip(self.sync.failure_text())
