"""Preview and print a document: a `QPdfView` with page navigation and zoom, and a Print button.

The PDF arrives as bytes made on the DB worker (``ctx.run`` → ``session.documents``); nothing here renders a
document or touches the store on the GUI thread. Printing goes through the system print dialog
(`ask_print_dialog`, a module function so tests can stand in for the user), with the number of copies
preset to one per party plus one for the file. Pages are drawn at the printer's resolution (at most
300 dpi), composited on white: QtPdf renders with a transparent background.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPointF, QSize, Qt
from PySide6.QtGui import QColor, QImage, QPageLayout, QPageSize, QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from fzmediate.catalogue.localize import localized
from fzmediate.i18n import _

if TYPE_CHECKING:
    from fzmediate.services.session import Session
    from ui.ops import CancelToken
    from ui.session_context import SessionContext

log = logging.getLogger(__name__)

MAX_COPIES = 99
PRINT_DPI = 300
ZOOM_STEP = 1.25


def ask_print_dialog(printer: QPrinter, parent: QWidget | None) -> bool:
    """Show the system print dialog for ``printer``; True when the user chose to print."""
    dialog = QPrintDialog(printer, parent)
    dialog.setWindowTitle(_("Print"))
    return bool(dialog.exec() == QDialog.DialogCode.Accepted)


def default_copies(parties: int) -> int:
    """One copy for each party and one for the file (人民调解法 第二十九条: 当事人各执一份，调解组织留存一份)."""
    return parties + 1 if parties > 0 else 1


def paint_pdf(document: QPdfDocument, printer: QPrinter) -> int:
    """Draw every page of ``document`` on ``printer`` (each page fitted to the paper); returns pages drawn.

    When the printer cannot make copies itself, the copies are drawn one after another.
    """
    pages = document.pageCount()
    copies = 1 if printer.supportsMultipleCopies() else max(1, printer.copyCount())
    painter = QPainter()
    if not painter.begin(printer):
        log.error("the printer could not be opened")
        return 0
    drawn = 0
    try:
        dpi = min(printer.resolution(), PRINT_DPI)
        target = printer.pageLayout().paintRectPixels(printer.resolution())
        for _copy in range(copies):
            for index in range(pages):
                if drawn:
                    printer.newPage()
                points = document.pagePointSize(index)
                size = QSize(max(1, round(points.width() * dpi / 72)), max(1, round(points.height() * dpi / 72)))
                image = document.render(index, size)
                page = QImage(size, QImage.Format.Format_RGB32)
                page.fill(QColor("white"))
                with_white = QPainter(page)
                with_white.drawImage(QPointF(0, 0), image)
                with_white.end()
                scaled = page.scaled(
                    target.size(), Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
                )
                painter.drawImage(QPointF(0, 0), scaled)
                drawn += 1
    finally:
        painter.end()
    return drawn


class DocumentPreview(QDialog):
    """A document on screen: pages, zoom, copies and Print."""

    def __init__(self, pdf: bytes, title: str, *, copies: int = 1, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.resize(820, 900)
        self.title = title
        self._data = QByteArray(pdf)
        self._buffer = QBuffer(self)
        self._buffer.setData(self._data)
        self._buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self.document = QPdfDocument(self)
        self.document.load(self._buffer)

        self.view = QPdfView(self)
        self.view.setDocument(self.document)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.view.setAccessibleName(_("Document preview"))

        self.previous_button = QPushButton(_("Previous page"), self)
        self.next_button = QPushButton(_("Next page"), self)
        self.page_label = QLabel(self)
        self.zoom_out_button = QPushButton(_("Zoom out"), self)
        self.zoom_in_button = QPushButton(_("Zoom in"), self)
        self.fit_button = QPushButton(_("Fit width"), self)
        self.copies = QSpinBox(self)
        self.copies.setRange(1, MAX_COPIES)
        self.copies.setValue(min(MAX_COPIES, max(1, copies)))
        self.copies.setAccessibleName(_("Copies"))
        copies_label = QLabel(_("Copies:"), self)
        copies_label.setBuddy(self.copies)
        self.print_button = QPushButton(_("Print…"), self)
        self.print_button.setDefault(True)
        self.close_button = QPushButton(_("Close"), self)

        bar = QHBoxLayout()
        for widget in (self.previous_button, self.page_label, self.next_button):
            bar.addWidget(widget)
        bar.addSpacing(16)
        for widget in (self.zoom_out_button, self.zoom_in_button, self.fit_button):
            bar.addWidget(widget)
        bar.addStretch(1)
        bar.addWidget(copies_label)
        bar.addWidget(self.copies)
        bar.addWidget(self.print_button)
        bar.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.view, 1)

        navigator = self.view.pageNavigator()
        self.previous_button.clicked.connect(lambda: self.go_to(self.current_page() - 1))
        self.next_button.clicked.connect(lambda: self.go_to(self.current_page() + 1))
        navigator.currentPageChanged.connect(self._update_page_label)
        self.zoom_in_button.clicked.connect(lambda: self.zoom(ZOOM_STEP))
        self.zoom_out_button.clicked.connect(lambda: self.zoom(1 / ZOOM_STEP))
        self.fit_button.clicked.connect(lambda: self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth))
        self.print_button.clicked.connect(self.print_document)
        self.close_button.clicked.connect(self.close)
        self._update_page_label()

    # --- pages and zoom ----------------------------------------------------------------------------
    def page_count(self) -> int:
        return int(self.document.pageCount())

    def current_page(self) -> int:
        return int(self.view.pageNavigator().currentPage())

    def go_to(self, page: int) -> None:
        """Show page ``page`` (0-based), kept within the document."""
        if self.page_count() == 0:
            return
        target = max(0, min(self.page_count() - 1, page))
        self.view.pageNavigator().jump(target, QPointF(), self.view.pageNavigator().currentZoom())
        self._update_page_label()

    def zoom(self, factor: float) -> None:
        self.view.setZoomMode(QPdfView.ZoomMode.Custom)
        self.view.setZoomFactor(max(0.25, min(5.0, self.view.zoomFactor() * factor)))

    def _update_page_label(self, *_args: object) -> None:
        count = self.page_count()
        current = self.current_page() + 1 if count else 0
        self.page_label.setText(_("Page {page} of {pages}").format(page=current, pages=count))
        self.previous_button.setEnabled(current > 1)
        self.next_button.setEnabled(current < count)

    # --- printing ----------------------------------------------------------------------------------
    def make_printer(self) -> QPrinter:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
        printer.setPageOrientation(QPageLayout.Orientation.Portrait)
        printer.setFullPage(True)
        printer.setDocName(self.title)
        printer.setCopyCount(self.copies.value())
        return printer

    def print_document(self) -> bool:
        """Ask the print dialog, then print; False when the user cancelled."""
        printer = self.make_printer()
        if not ask_print_dialog(printer, self):
            return False
        return paint_pdf(self.document, printer) > 0


# --- the 文书 menu ------------------------------------------------------------------------------------
def choose_matter(items: list[tuple[str, str]], parent: QWidget | None) -> str | None:
    """Ask which matter's guide to print; ``items`` are (code, name). Returns the code, or None."""
    labels = ["{0}  {1}".format(code, name) for code, name in items]
    label, ok = QInputDialog.getItem(parent, _("Application guide"), _("Matter:"), labels, 0, False)
    if not ok or label not in labels:
        return None
    return items[labels.index(label)][0]


def open_guide(
    context: SessionContext, parent: QWidget, on_open: Callable[[DocumentPreview], None] | None = None
) -> None:
    """申请指南…: pick a matter of the catalogue, render its guide on the DB worker, show the preview."""

    def matters(session: Session, _token: CancelToken) -> list[tuple[str, str]]:
        return [(m.code, localized(m.name)) for m in session.catalogue.list()]  # the guide PDF stays Simplified

    def chosen(items: list[tuple[str, str]]) -> None:
        code = choose_matter(items, parent)
        if code is None:
            return
        name = dict(items)[code]

        def render(session: Session, _token: CancelToken) -> bytes:
            return session.documents.guide(code)

        def show(pdf: bytes) -> None:
            preview = DocumentPreview(pdf, _("Application guide: {name}").format(name=name), copies=1, parent=parent)
            preview.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
            preview.show()
            if on_open is not None:
                on_open(preview)

        context.run(render, on_success=show, parent=parent)

    context.run(matters, on_success=chosen, parent=parent)


def open_case_document(
    context: SessionContext,
    kind: str,
    case_ref: str,
    parent: QWidget,
    on_open: Callable[[DocumentPreview], None] | None = None,
) -> None:
    """A draft of a case document in the preview, copies preset to one per party plus one for the file."""

    def render(session: Session, _token: CancelToken) -> tuple[bytes, int]:
        pdf = session.documents.render(kind, case_ref)
        return pdf, len(session.cases.get(case_ref).record().principals())

    def show(result: tuple[bytes, int]) -> None:
        pdf, parties = result
        from fzmediate.documents.templates.kinds import KINDS

        title = KINDS[kind].title if kind in KINDS else kind
        preview = DocumentPreview(pdf, title, copies=default_copies(parties), parent=parent)
        preview.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        preview.show()
        if on_open is not None:
            on_open(preview)

    context.run(render, on_success=show, parent=parent)
