"""The files an application brings (scans, photos): chosen, checked and listed before registering; stored with the
case in the same transaction when it is registered (``fzmediate.desk.intake.register``).

Each file is checked at once by the service's own pure check (content type by magic bytes, size), so a refusal
names the rule before anything is sent. Files are read into memory only; the list shows name, type, size and the
material it is filed for; "View" opens the viewer, "Remove" drops a file before registering.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from fzmediate.errors import ValidationError
from fzmediate.i18n import _
from fzmediate.services.attachment_dto import MAX_BYTES, NewAttachment, check_file, detect_media_type
from ui.desk.form_field import ErrorLine
from ui.desk.intake.attachment_viewer import AttachmentViewer, open_viewer
from ui.desk.intake.fields import ComboField

_TYPE_WORDS = {
    "image/jpeg": "JPEG",
    "image/png": "PNG",
    "image/tiff": "TIFF",
    "image/heic": "HEIC",
    "application/pdf": "PDF",
}
NAME, TYPE, SIZE, MATERIAL = range(4)


def size_text(size: int) -> str:
    if size >= 1024 * 1024:
        return _("{n} MB").format(n="{0:.1f}".format(size / (1024 * 1024)))
    return _("{n} KB").format(n=max(1, round(size / 1024)))


class AttachmentsPanel(QWidget):
    """The pending attachments of the application being registered."""

    edited = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.files: list[NewAttachment] = []
        self._types: list[str] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        hint = QLabel(
            _("Photos and scans: JPEG, PNG, TIFF, HEIC or PDF, at most {max} MB each.").format(
                max=MAX_BYTES // (1024 * 1024)
            ),
            self,
        )
        hint.setWordWrap(True)
        layout.addWidget(hint)
        self.material = ComboField(_("Filed for (material)"), self)
        self.material.combo.addItem(_("(no particular material)"), "")
        layout.addWidget(self.material)
        self.model = QStandardItemModel(0, 4, self)
        self.model.setHorizontalHeaderLabels([_("File"), _("Type"), _("Size"), _("Material")])
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setAccessibleName(_("Attachments"))
        self.table.setTabKeyNavigation(False)  # Tab leaves the table (arrows move between cells)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(NAME, QHeaderView.ResizeMode.Stretch)
        self.table.horizontalHeader().setSectionResizeMode(MATERIAL, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setVisible(False)
        self.table.setMinimumHeight(self.fontMetrics().lineSpacing() * 6)
        self.table.doubleClicked.connect(lambda _index: self.view_selected())
        layout.addWidget(self.table)
        row = QHBoxLayout()
        self.add_button = QPushButton(_("Add files…"), self)
        self.view_button = QPushButton(_("View"), self)
        self.remove_button = QPushButton(_("Remove file"), self)
        for button in (self.add_button, self.view_button, self.remove_button):
            button.setAccessibleName(button.text())
            row.addWidget(button)
        row.addStretch(1)
        layout.addLayout(row)
        self.error = ErrorLine(self)
        layout.addWidget(self.error)
        self.add_button.clicked.connect(self.choose_files)
        self.view_button.clicked.connect(self.view_selected)
        self.remove_button.clicked.connect(self.remove_selected)
        self.table.selectionModel().selectionChanged.connect(lambda *_a: self._enable())
        self._enable()

    def set_materials(self, names: Sequence[str]) -> None:
        combo = self.material.combo
        while combo.count() > 1:
            combo.removeItem(1)
        for name in names:
            combo.addItem(name, name)

    def _enable(self) -> None:
        selected = self.selected_row() is not None
        reason = "" if selected else _("Select a file in the list first.")
        for button in (self.view_button, self.remove_button):
            button.setEnabled(selected)
            button.setToolTip(reason)
            button.setAccessibleDescription(reason)

    # --- adding --------------------------------------------------------------------------------------
    def choose_files(self) -> None:
        paths, _filter = QFileDialog.getOpenFileNames(
            self,
            _("Add files"),
            "",
            _("Photos and scans (*.jpg *.jpeg *.png *.tif *.tiff *.heic *.heif *.pdf);;All files (*)"),
        )
        for path in paths:
            try:
                file = Path(path)
                size = file.stat().st_size
                if size > MAX_BYTES:  # refused by the service's rule, without reading it into memory
                    self.error.set_text(
                        _("{field}: a file may be at most {max} MB; this one has {size} MB.").format(
                            field=_("This file"), max=MAX_BYTES // (1024 * 1024), size="{0:.1f}".format(size / 1048576)
                        )
                    )
                    break
                data = file.read_bytes()
            except OSError:
                self.error.set_text(_("A file could not be read; check that it is still there."))
                continue
            if not self.add_file(file.name, data):
                break

    def add_file(self, name: str, data: bytes, material: str | None = None) -> bool:
        """Check and list one file; False (and the rule shown) when it is refused."""
        chosen = str(self.material.value() or "") if material is None else material
        candidate = NewAttachment(name, data, chosen)
        try:
            check_file(candidate, _("This file"))
        except ValidationError as exc:
            self.error.set_text(exc.message)
            return False
        self.error.set_text("")
        media_type = detect_media_type(data) or ""
        self.files.append(candidate)
        self._types.append(media_type)
        items = [
            QStandardItem(name),
            QStandardItem(_TYPE_WORDS.get(media_type, media_type)),
            QStandardItem(size_text(len(data))),
            QStandardItem(chosen),
        ]
        for item in items:
            item.setEditable(False)
        items[SIZE].setData(
            int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter), Qt.ItemDataRole.TextAlignmentRole
        )
        self.model.appendRow(items)
        self.table.selectRow(self.model.rowCount() - 1)
        self.edited.emit()
        return True

    # --- the list ------------------------------------------------------------------------------------
    def selected_row(self) -> int | None:
        rows = self.table.selectionModel().selectedRows()
        return rows[0].row() if rows else None

    def view_selected(self) -> AttachmentViewer | None:
        row = self.selected_row()
        if row is None:
            return None
        f = self.files[row]
        return open_viewer(self, f.name, self._types[row], f.data)

    def remove_selected(self) -> None:
        row = self.selected_row()
        if row is None:
            return
        del self.files[row]
        del self._types[row]
        self.model.removeRow(row)
        self.error.set_text("")
        self._enable()
        self.edited.emit()

    def attachments(self) -> tuple[NewAttachment, ...]:
        return tuple(self.files)

    def show_problem(self, field: str, message: str) -> None:
        """A refusal of the store naming ``attachments[i]``: select that file and say why."""
        head = field.partition("]")[0]
        if head.startswith("attachments["):
            with contextlib.suppress(ValueError):
                self.table.selectRow(int(head[len("attachments[") :]))
        self.error.set_text(message)
