"""An identity document: its type (every supported type) and its number, checked as the user types.

The check is the domain's own validator (``fzmediate.desk.intake.id_number_problem``), run on the GUI thread:
pure, no store. The localized rule shows in an error line right under the number (icon and words, not colour),
and is the number's accessible description, so a screen reader says it with the field.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QGridLayout, QLabel, QLineEdit, QWidget

from fzmediate.desk.intake import id_number_problem, id_types
from fzmediate.i18n import _
from ui.desk.form_field import ErrorLine


class IdentityField(QWidget):
    """Type combo + number + the rule it breaks. ``required``: applicants and agents must give a number."""

    def __init__(self, kind: str, today: date, *, required: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._today = today
        self.required = required
        self._server_error = ""
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(4)
        self.type_label = QLabel(_("Identity document"), self)
        self.type_label.setWordWrap(True)
        self.type_combo = QComboBox(self)
        self.type_combo.setAccessibleName(_("Identity document type"))
        self.type_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.type_combo.setMinimumContentsLength(12)
        self.type_label.setBuddy(self.type_combo)
        for value, label in id_types(kind):
            self.type_combo.addItem(label, value)
            self.type_combo.setItemData(self.type_combo.count() - 1, label, Qt.ItemDataRole.ToolTipRole)
        self.number_label = QLabel(_("Document number"), self)
        self.number_label.setWordWrap(True)
        self.number = QLineEdit(self)
        self.number.setAccessibleName(_("Document number"))
        self.number.setMinimumHeight(32)
        self.number_label.setBuddy(self.number)
        self.error = ErrorLine(self)
        grid.addWidget(self.type_label, 0, 0)
        grid.addWidget(self.number_label, 0, 1)
        grid.addWidget(self.type_combo, 1, 0)
        grid.addWidget(self.number, 1, 1)
        grid.addWidget(self.error, 2, 0, 1, 2)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)
        self.number.textChanged.connect(self._changed)
        self.type_combo.currentIndexChanged.connect(self._changed)

    # --- values --------------------------------------------------------------------------------------
    def id_type(self) -> str:
        return str(self.type_combo.currentData())

    def set_id_type(self, value: str) -> None:
        index = self.type_combo.findData(value)
        if index >= 0:
            self.type_combo.setCurrentIndex(index)

    def text(self) -> str:
        return self.number.text()

    def set_text(self, value: str) -> None:
        self.number.setText(value)

    # --- checking ------------------------------------------------------------------------------------
    def problem(self) -> str:
        """The rule the number breaks now (the local check), or ""."""
        if not self.number.text().strip():
            return ""  # "required" is said on submit, not while the user has not typed yet
        return id_number_problem(self.id_type(), self.number.text(), self._today)

    def _changed(self) -> None:
        self._server_error = ""
        self._show(self.problem())

    def set_error(self, message: str) -> None:
        """A problem the form's full check or the store found (shown until the user edits the number)."""
        self._server_error = message
        self._show(message)

    def error_text(self) -> str:
        return self.error.text()

    def _show(self, message: str) -> None:
        self.error.set_text(message)
        self.number.setAccessibleDescription(message)
