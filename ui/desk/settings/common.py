"""Pieces every settings section shares: a titled section, a word-wrapped label, a control disabled with its
reason, a progress row with cancel, and the questions asked in dialogs (replaceable in tests)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QResizeEvent, QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from fzmediate.i18n import _
from ui.ops import OpHandle, Progress
from ui.style import set_role


def section(title: str, parent: QWidget) -> tuple[QGroupBox, QVBoxLayout]:
    """A titled group (its title is what screen readers announce for the controls inside)."""
    box = QGroupBox(title, parent)
    box.setAccessibleName(title)
    layout = QVBoxLayout(box)
    layout.setSpacing(8)
    return box, layout


def wrapped(text: str, parent: QWidget, role: str = "") -> QLabel:
    """A label that wraps instead of clipping (plain text: names from the store are never markup)."""
    label = QLabel(text, parent)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    if role:
        set_role(label, role)
    return label


def button(text: str, parent: QWidget, accessible: str = "") -> QPushButton:
    b = QPushButton(text, parent)
    b.setAccessibleName(accessible or text.rstrip("…"))
    return b


def allow(widget: QWidget, allowed: bool, reason: str = "") -> None:
    """Enable ``widget``, or disable it with the reason (tooltip and accessible description)."""
    widget.setEnabled(allowed)
    widget.setToolTip("" if allowed else reason)
    widget.setAccessibleDescription("" if allowed else reason)


class FittingDialog(QDialog):
    """A dialog as tall as its word-wrapped texts need at its width (Qt sizes windows without
    height-for-width), also when an error line appears or the text size is large."""

    #: The width a dialog opens with, in widths of the letter "M" (wrapped labels then need few lines).
    WIDTH_EM = 34

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        width = max(self.sizeHint().width(), self.fontMetrics().horizontalAdvance("M") * self.WIDTH_EM)
        self.resize(width, self.height())
        self._fit()

    def event(self, event: QEvent) -> bool:
        handled = super().event(event)
        if event.type() == QEvent.Type.LayoutRequest:
            self._fit()
        return handled

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        layout = self.layout()
        if layout is None:
            return
        need = layout.heightForWidth(self.width()) if layout.hasHeightForWidth() else layout.sizeHint().height()
        if need > 0 and need != self.minimumHeight():
            self.setMinimumHeight(need)
            if self.height() < need:
                self.resize(self.width(), need)


class ProgressRow(QWidget):
    """A progress bar, what is being done, and a Cancel button; hidden while nothing runs."""

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bar = QProgressBar(self)
        self.bar.setAccessibleName(name)
        self.bar.setTextVisible(False)
        self.status = wrapped("", self, "hint")
        self.cancel_button = button(_("Cancel"), self)
        self.cancel_button.clicked.connect(self.cancel)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.bar, 1)
        row.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.status)
        self._handle: OpHandle[Any] | None = None
        self.setVisible(False)

    @property
    def running(self) -> bool:
        return self._handle is not None

    def start(self, handle: OpHandle[Any], text: str, *, cancellable: bool = True) -> None:
        self._handle = handle
        self.bar.setRange(0, 0)  # busy until the first report says how far
        self.status.setText(text)
        self.cancel_button.setVisible(cancellable)
        self.cancel_button.setEnabled(cancellable)
        self.setVisible(True)

    def progress(self, p: Progress) -> None:
        if p.total:
            self.bar.setRange(0, p.total)
            self.bar.setValue(p.done)
        else:
            self.bar.setRange(0, 0)
        if p.text:
            self.status.setText(p.text)

    def cancel(self) -> None:
        if self._handle is not None:
            self._handle.cancel()
            self.cancel_button.setEnabled(False)
            self.status.setText(_("Stopping…"))

    def finish(self) -> None:
        self._handle = None
        self.setVisible(False)


# --- questions (module-level so that tests can answer them) ------------------------------------------------
def confirm(parent: QWidget, title: str, text: str) -> bool:
    """Ask yes or no (No is the default)."""
    answer = QMessageBox.question(
        parent,
        title,
        text,
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        QMessageBox.StandardButton.No,
    )
    return answer == QMessageBox.StandardButton.Yes


def ask_folder(parent: QWidget, title: str) -> str:
    """A folder the user chooses ("" when cancelled)."""
    return QFileDialog.getExistingDirectory(parent, title)


def ask_open_file(parent: QWidget, title: str, pattern: str) -> str:
    """A file to open ("" when cancelled); ``pattern`` like ``"Backups (*.fzbackup)"``."""
    path, _selected = QFileDialog.getOpenFileName(parent, title, "", pattern)
    return path
