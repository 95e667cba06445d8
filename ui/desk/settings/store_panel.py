"""This desk: its organisation unit and the body in whose name it issues (everyone sees them; administrators
change the unit), and the signed catalogue of matters (administrators import a newer one)."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QGridLayout, QHBoxLayout, QVBoxLayout, QWidget

from fzmediate.desk import admin
from fzmediate.i18n import _
from ui.desk.form_field import ErrorLine
from ui.desk.page import DeskEnv
from ui.desk.settings import common
from ui.desk.settings.common import ProgressRow, allow, button, section, wrapped
from ui.ops import error_message, log_failure


class StorePanel(QWidget):
    def __init__(self, env: DeskEnv, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.env = env
        self.info: admin.DeskUnitInfo | None = None
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        box, layout = section(_("This desk"), self)
        outer.addWidget(box)

        grid = QGridLayout()
        grid.setColumnStretch(1, 1)
        self.unit = QComboBox(box)
        self.unit.setAccessibleName(_("Organisation unit of this desk"))
        self.unit.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.unit.setMinimumContentsLength(12)
        unit_label = wrapped(_("Organisation unit of this desk"), box)
        unit_label.setBuddy(self.unit)
        self.set_unit_button = button(_("Set unit…"), box, _("Set the unit of this desk"))
        self.set_unit_button.clicked.connect(self.set_unit)
        unit_row = QHBoxLayout()
        unit_row.addWidget(self.unit, 1)
        unit_row.addWidget(self.set_unit_button)
        grid.addWidget(unit_label, 0, 0)
        grid.addLayout(unit_row, 0, 1)
        grid.addWidget(wrapped(_("Issues documents in the name of"), box), 1, 0)
        self.issuer = wrapped("…", box)
        self.issuer.setAccessibleName(_("Issuing body of this desk"))
        grid.addWidget(self.issuer, 1, 1)
        grid.addWidget(wrapped(_("Catalogue of matters"), box), 2, 0)
        self.catalogue = wrapped("…", box)
        self.catalogue.setAccessibleName(_("Active catalogue"))
        grid.addWidget(self.catalogue, 2, 1)
        layout.addLayout(grid)
        layout.addWidget(
            wrapped(
                _(
                    "The unit decides which matters this desk may handle and in whose name it issues. Changing it "
                    "is recorded in the audit trail; the office seal follows the new issuing name."
                ),
                box,
                "hint",
            )
        )
        self.import_button = button(_("Import a catalogue…"), box, _("Import a signed catalogue file"))
        self.import_button.clicked.connect(self.import_catalogue)
        import_row = QHBoxLayout()
        import_row.addWidget(self.import_button)
        import_row.addStretch(1)
        layout.addLayout(import_row)
        self.progress = ProgressRow(_("Catalogue import progress"), box)
        layout.addWidget(self.progress)
        self.result = wrapped("", box, "notice")
        self.result.setVisible(False)
        layout.addWidget(self.result)
        self.message = ErrorLine(box)
        layout.addWidget(self.message)

        self._may_set = env.context.may("organisation.unit")
        may_import = env.context.may("catalogue.import")
        allow(self.import_button, bool(may_import), may_import.reason)
        self._apply_permissions()

    def _apply_permissions(self) -> None:
        allow(self.unit, bool(self._may_set), self._may_set.reason)
        allow(self.set_unit_button, bool(self._may_set), self._may_set.reason)

    # --- loading ---------------------------------------------------------------------------------------
    def reload(self) -> None:
        self.env.context.call(admin.desk_unit, on_success=self._show, on_failure=self._failed, parent=self)

    def _show(self, info: admin.DeskUnitInfo) -> None:
        self.info = info
        self.unit.clear()
        if not info.current:
            self.unit.addItem(_("Not set — choose the unit…"), "")
        for unit in info.units:
            self.unit.addItem(unit.name, unit.code)
        self.unit.setCurrentIndex(max(0, self.unit.findData(info.current)))
        issuer = info.issuer or "⚠ " + info.problem
        self.issuer.setText(issuer)
        self.issuer.setAccessibleDescription(issuer)
        self.catalogue.setText(info.catalogue)
        self._apply_permissions()

    # --- actions ---------------------------------------------------------------------------------------
    def set_unit(self) -> None:
        code = str(self.unit.currentData() or "")
        if not code or self.info is None or code == self.info.current:
            self.message.set_text(_("Organisation unit: choose another unit first.") if not code else "")
            return
        question = _(
            "Make {unit} the unit of this desk? Documents are then issued in the name that follows from it."
        ).format(unit=self.unit.currentText())
        if not common.confirm(self, _("Set unit"), question):
            return
        self.message.set_text("")
        self.env.context.call(
            admin.set_desk_unit, code, on_success=self._unit_set, on_failure=self._failed, parent=self
        )

    def _unit_set(self, info: admin.DeskUnitInfo) -> None:
        self._show(info)
        self._notice(_("The unit of this desk is now {unit}.").format(unit=self.unit.currentText()))

    def import_catalogue(self) -> None:
        if self.progress.running:
            return
        path = common.ask_open_file(
            self, _("Choose the signed catalogue file"), _("Catalogue files (*.fzcat.json *.json)")
        )
        if not path:
            return
        self.message.set_text("")
        self.result.setVisible(False)
        handle = self.env.context.call(
            admin.import_catalogue,
            path,
            on_success=self._imported,
            on_failure=self._import_failed,
            progress=self.progress.progress,
            parent=self,
        )
        self.progress.start(handle, _("Verifying the catalogue signature…"), cancellable=False)
        self.import_button.setEnabled(False)

    def _imported(self, result: admin.CatalogueResult) -> None:
        self.progress.finish()
        self.import_button.setEnabled(True)
        self._notice(
            _("Catalogue {label} (version {version}) is now active for new cases.").format(
                label=result.label, version=result.version
            )
        )
        self.reload()

    def _import_failed(self, exc: BaseException) -> None:
        self.progress.finish()
        self.import_button.setEnabled(True)
        self._failed(exc)

    def _notice(self, text: str) -> None:
        self.result.setText(text)
        self.result.setAccessibleName(text)
        self.result.setVisible(True)

    def _failed(self, exc: BaseException) -> None:
        log_failure(exc)
        self.message.set_text(error_message(exc))
