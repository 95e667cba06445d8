"""Sync with the district server: where it stands (not enrolled / offline / syncing with its progress / up to
date / N conflicts), what this desk is to the server (unit, device code), the last sync's counts, and the
actions: sync now, enroll (administrators, once), and the conflicts dialog.

The state is the session's one :class:`ui.desk.sync_status.SyncController` (the status bar shows the same). A
sync that cannot reach the server says "Offline — last sync …" here; another refusal (a revoked device, an
older version) is shown under the buttons, never in a dialog of its own.
"""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from fzmediate.desk import sync as desk_sync
from fzmediate.i18n import _, ngettext
from ui.desk.form_field import ErrorLine
from ui.desk.page import DeskEnv
from ui.desk.settings.common import ProgressRow, allow, button, section, wrapped
from ui.desk.settings.sync_enroll_dialog import EnrollDialog
from ui.desk.sync_status import controller, icon_pixmap, when
from ui.ops import Progress


class SyncPanel(QWidget):
    def __init__(self, env: DeskEnv, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.env = env
        self.sync = controller(env)
        self.dialog: QWidget | None = None
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        box, layout = section(_("Sync with the district server"), self)
        outer.addWidget(box)

        self.icon = QLabel(box)
        self.status = wrapped("…", box)
        state_row = QHBoxLayout()
        state_row.addWidget(self.icon)
        state_row.addWidget(self.status, 1)
        layout.addLayout(state_row)
        self.details = wrapped("", box, "hint")
        layout.addWidget(self.details)
        self.clock = wrapped("", box, "notice")
        self.clock.setVisible(False)
        layout.addWidget(self.clock)
        self.progress = ProgressRow(_("Sync progress"), box)
        layout.addWidget(self.progress)
        self.problem = ErrorLine(box)
        layout.addWidget(self.problem)

        self.sync_button = button(_("Sync now"), box)
        self.sync_button.clicked.connect(self.sync_now)
        self.enroll_button = button(_("Enroll…"), box, _("Enroll this desk"))
        self.enroll_button.clicked.connect(self.enroll)
        self.conflicts_button = button(_("Show conflicts…"), box, _("Show conflicts"))
        self.conflicts_button.clicked.connect(self.show_conflicts)
        row = QHBoxLayout()
        for b in (self.sync_button, self.enroll_button, self.conflicts_button):
            row.addWidget(b)
        row.addStretch(1)
        layout.addLayout(row)

        self.sync.updated.connect(self.show_state)
        self.show_state()

    def reload(self) -> None:
        self.sync.refresh()

    # --- showing -----------------------------------------------------------------------------------------
    def show_state(self) -> None:
        sync, view = self.sync, self.sync.view
        text, look = sync.summary()
        self.status.setText(text)
        self.status.setAccessibleName(_("Sync: {state}").format(state=text))
        self.icon.setPixmap(icon_pixmap(self, look, self.fontMetrics().height()))
        self.details.setText(self._details(view))
        self.details.setAccessibleName(self.details.text())
        self.details.setVisible(bool(self.details.text()))
        clock = ""
        if view is not None and view.enrolled and view.clock_off:
            clock = _("⚠ This computer's clock differs from the server's by about {minutes} minutes.").format(
                minutes=round(abs(view.clock_offset_s) / 60)
            )
        self.clock.setText(clock)
        self.clock.setAccessibleName(clock)
        self.clock.setVisible(bool(clock))
        self.problem.set_text("" if sync.failure is None or sync.offline else sync.failure_text())

        if sync.running and sync.handle is not None:
            if not self.progress.running:
                self.progress.start(sync.handle, sync.progress_text or _("Connecting to the district server…"))
            else:
                self.progress.progress(Progress(0, None, sync.progress_text))
        elif self.progress.running:
            self.progress.finish()

        context = self.env.context
        enrolled = view is not None and view.enrolled
        may_sync = context.may("sync.run")
        if not may_sync:
            allow(self.sync_button, False, may_sync.reason)
        elif not enrolled:
            allow(self.sync_button, False, _("This desk is not enrolled with a district server yet."))
        else:
            allow(self.sync_button, not sync.running, _("A sync is running."))
        may_enroll = context.may("sync.enroll")
        if not may_enroll:
            allow(self.enroll_button, False, _("An administrator enrolls the desk with the district server."))
        else:
            allow(self.enroll_button, view is not None and not enrolled, _("This desk is already enrolled."))
        self.enroll_button.setVisible(not enrolled)
        conflicts = view.open_conflicts if view is not None else 0
        allow(self.conflicts_button, conflicts > 0, _("There are no open conflicts."))

    @staticmethod
    def _details(view: desk_sync.SyncView | None) -> str:
        if view is None:
            return ""
        if not view.enrolled:
            waiting = ngettext(
                "{n} recorded change waits on this computer to be sent after enrollment.",
                "{n} recorded changes wait on this computer to be sent after enrollment.",
                view.waiting,
            ).format(n=view.waiting)
            return "\n".join((_("An administrator enrolls this desk with a one-time code from district IT."), waiting))
        lines = [
            _("Server {server}; unit {unit} ({unit_name}); this desk's code {code}.").format(
                server=view.server_url, unit=view.unit, unit_name=view.unit_name, code=view.device_code
            )
        ]
        report = view.last_report
        if view.last_sync_at is not None and report is not None:
            lines.append(
                _("Last sync {when}: sent {pushed}, received {pulled}, {conflicts} new conflicts.").format(
                    when=when(view.last_sync_at), pushed=report.pushed, pulled=report.pulled, conflicts=report.conflicts
                )
            )
        elif view.last_sync_at is None:
            lines.append(_("Not synced yet."))
        lines.append(
            ngettext(
                "{n} change of this desk waits to be sent.", "{n} changes of this desk wait to be sent.", view.waiting
            ).format(n=view.waiting)
        )
        return "\n".join(lines)

    # --- actions -----------------------------------------------------------------------------------------
    def sync_now(self) -> None:
        self.sync.sync_now()

    def enroll(self) -> None:
        dialog = EnrollDialog(self.env, self)
        dialog.accepted.connect(self._enrolled)
        self.dialog = dialog
        dialog.open()

    def _enrolled(self) -> None:
        self.sync.refresh()

    def show_conflicts(self) -> None:
        from ui.desk.sync_conflicts_dialog import ConflictsDialog

        dialog = ConflictsDialog(self.env, self)
        self.dialog = dialog
        dialog.open()
