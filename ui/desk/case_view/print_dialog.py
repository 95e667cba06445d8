"""Choosing where and how often a case document is printed: a printer of the print system and the copies.

The dialog only chooses (:class:`PrintChoice`); the documents panel then sends the PDF itself on the DB worker
(:func:`fzmediate.desk.documents.print_document`). The printers come from CUPS, read on the DB worker before the
dialog opens (:class:`~fzmediate.desk.documents.PrinterChoices`); when there are none the dialog says why and
offers no Print button that could not work. It opens window-modal without a nested event loop
(:func:`ask_printer`), so nothing waits on the GUI thread.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from fzmediate.desk.documents import PrinterChoices
from fzmediate.i18n import _
from ui.desk.document_preview import MAX_COPIES
from ui.desk.form_field import ErrorLine
from ui.style import set_role


def fit_height(dialog: QDialog) -> None:
    """Give ``dialog`` the height its word-wrapped texts need at its width (a window's size hint does not
    follow height-for-width, so wrapped lines would be cut at large text sizes)."""
    layout = dialog.layout()
    if layout is None:
        return
    layout.activate()
    width = max(dialog.width(), dialog.minimumWidth(), layout.minimumSize().width())
    height = layout.totalHeightForWidth(width) if layout.hasHeightForWidth() else layout.totalSizeHint().height()
    dialog.setMinimumHeight(height)
    if dialog.height() < height:
        dialog.resize(width, height)


@dataclass(frozen=True)
class PrintChoice:
    """What the user chose: the print-system queue and how many copies."""

    printer: str
    copies: int


class PrintDialog(QDialog):
    """Printer (from CUPS, its default preselected) and copies (preset to one per party plus one)."""

    #: The user chose to print (a :class:`PrintChoice`).
    chosen = Signal(object)

    def __init__(self, document: str, choices: PrinterChoices, copies: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Print"))
        self.heading = QLabel(_("Print {document}").format(document=document), self)
        self.heading.setWordWrap(True)
        set_role(self.heading, "title")
        self.explanation = QLabel(
            _(
                "The document itself (PDF) is sent to the print system. Copies start at one for each party and "
                "one for the case file; each print is recorded in the case's history."
            ),
            self,
        )
        self.explanation.setWordWrap(True)
        set_role(self.explanation, "hint")

        self.printer = QComboBox(self)
        self.printer.setAccessibleName(_("Printer"))
        self.printer.addItems(list(choices.printers))
        if choices.default:
            self.printer.setCurrentText(choices.default)
        self.copies = QSpinBox(self)
        self.copies.setRange(1, MAX_COPIES)
        self.copies.setValue(min(MAX_COPIES, max(1, copies)))
        self.copies.setAccessibleName(_("Copies"))
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        form.addRow(_("Printer:"), self.printer)
        form.addRow(_("Copies:"), self.copies)

        self.problem = ErrorLine(self)
        problem = choices.problem or ("" if choices.printers else _("The print system has no printer set up."))
        self.problem.set_text(problem)

        self.print_button = QPushButton(_("Print"), self)
        self.print_button.setDefault(True)
        self.print_button.setAccessibleName(_("Print"))
        self.cancel_button = QPushButton(_("Cancel"), self)
        self.cancel_button.setAccessibleName(_("Cancel"))
        if problem:
            self.print_button.setEnabled(False)
            self.print_button.setToolTip(problem)
            self.print_button.setAccessibleDescription(problem)
            self.printer.setEnabled(False)
            self.copies.setEnabled(False)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.print_button)
        buttons.addWidget(self.cancel_button)

        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.explanation)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addLayout(buttons)
        self.setMinimumWidth(self.explanation.fontMetrics().horizontalAdvance("0") * 56)

        self.print_button.clicked.connect(self.accept)
        self.cancel_button.clicked.connect(self.reject)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        fit_height(self)

    def choice(self) -> PrintChoice | None:
        """The printer and copies as set now (None when there is no printer to choose)."""
        name = self.printer.currentText().strip()
        if not name or not self.print_button.isEnabled():
            return None
        return PrintChoice(name, self.copies.value())

    def accept(self) -> None:
        choice = self.choice()
        if choice is None:
            return
        super().accept()
        self.chosen.emit(choice)


def ask_printer(
    document: str,
    choices: PrinterChoices,
    copies: int,
    parent: QWidget | None,
    on_chosen: Callable[[PrintChoice], None],
) -> PrintDialog:
    """Open the print dialog window-modal (no nested event loop); ``on_chosen`` runs when the user prints."""
    dialog = PrintDialog(document, choices, copies, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.chosen.connect(on_chosen)
    dialog.open()
    return dialog
