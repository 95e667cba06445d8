"""Preview and print a document: a `QPdfView` with page navigation and zoom, and a Print button.

The PDF arrives as bytes made on the DB worker (``ctx.call`` → :mod:`fzmediate.desk.documents`); nothing here renders a
document or touches the store on the GUI thread. Printing: the system print dialog (`ask_print_dialog`, a
module function so tests can stand in for the user) only chooses the printer and the copies (preset to one
per party plus one for the file). When the chosen printer is a print-system (CUPS) queue, the PDF itself is
sent to it OFF the GUI thread (`fzmediate.services.printing`, through the session context's DB worker), and
a case document's print is logged in the case's history. Only when the printer is not a CUPS queue (a PDF
file, Windows) are the pages drawn as images at the printer's resolution (at most 300 dpi, composited on
white: QtPdf renders with a transparent background) — the slow path, and the dialog says so.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPointF, QSize, Qt, Signal
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

from fzmediate.desk import documents
from fzmediate.i18n import _
from ui.ops import error_message, log_failure

if TYPE_CHECKING:
    from fzmediate.services.print_dto import PrintJob
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


@dataclass(frozen=True)
class PrintSource:
    """The case document a preview shows, for the case's print log: an issued one (``document_id``) or a
    draft of ``kind`` (no ``document_id``)."""

    case_id: str
    kind: str
    document_id: str | None = None


def cups_queue(printer: QPrinter) -> str | None:
    """The print-system queue the dialog chose, or None when the output is not a printer (a PDF file …)."""
    if printer.outputFormat() != QPrinter.OutputFormat.NativeFormat or printer.outputFileName():
        return None
    name = printer.printerName().strip()
    return name or None


def default_copies(parties: int) -> int:
    """One copy for each party and one for the file, as the agreement's own copies clause states."""
    return documents.copies_for(parties)


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
    """A document on screen: pages, zoom, copies and Print.

    With a session ``context`` the PDF is sent to a CUPS printer on the DB worker (``printed`` is emitted
    with the :class:`~fzmediate.services.printing.PrintJob`, ``print_failed`` with the message); with a
    ``source`` the print is logged on the case. Without a context only the raster path is available.
    """

    printed = Signal(object)
    print_failed = Signal(str)

    def __init__(
        self,
        pdf: bytes,
        title: str,
        *,
        copies: int = 1,
        parent: QWidget | None = None,
        context: SessionContext | None = None,
        source: PrintSource | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.resize(820, 900)
        self.title = title
        self.context = context
        self.source = source
        self._pdf = pdf
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
        self.print_status = QLabel(self)
        self.print_status.setWordWrap(True)
        self.print_status.setAccessibleName(_("Printing status"))
        self.print_status.hide()

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
        layout.addWidget(self.print_status)
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
        """Ask the print dialog, then print; False when the user cancelled.

        To a CUPS queue the PDF is sent on the DB worker (the result arrives later: ``printed`` or
        ``print_failed``); to anything else the pages are drawn here, as images.
        """
        printer = self.make_printer()
        if not ask_print_dialog(printer, self):
            return False
        from fzmediate.services import printing  # loads the store's models: only when printing

        queue = cups_queue(printer)
        if queue is None or self.context is None or not printing.cups_available():
            return self._print_raster(printer)
        self._send(printer, queue, max(1, printer.copyCount()))
        return True

    def _say(self, text: str) -> None:
        self.print_status.setText(text)
        self.print_status.setAccessibleDescription(text)
        self.print_status.show()

    def _print_raster(self, printer: QPrinter) -> bool:
        self._say(
            _(
                "This printer is not a queue of the print system (CUPS), so the pages are drawn as images: "
                "slower, and the print job is large."
            )
        )
        return paint_pdf(self.document, printer) > 0

    def _send(self, printer: QPrinter, queue: str, copies: int) -> None:
        """Send the PDF to ``queue`` on the DB worker; fall back to drawing when it is not a CUPS queue."""
        assert self.context is not None
        source = self.source

        def done(job: PrintJob | None) -> None:
            self.print_button.setEnabled(True)
            if job is None:
                self._print_raster(printer)
                return
            self._say(
                _("Sent to {printer}: job {job}, {copies} copies of {pages} pages.").format(
                    printer=job.printer, job=job.job_id, copies=job.copies, pages=job.pages
                )
            )
            self.printed.emit(job)

        def failed(exc: BaseException) -> None:
            self.print_button.setEnabled(True)
            log_failure(exc)
            message = error_message(exc)
            self._say(message)
            self.print_failed.emit(message)

        self.print_button.setEnabled(False)
        self._say(_("Sending to {printer}…").format(printer=queue))
        self.context.call(
            documents.send_pdf,
            self._pdf,
            queue,
            copies,
            self.title,
            source.case_id if source is not None else None,
            source.kind if source is not None else "",
            source.document_id if source is not None else None,
            on_success=done,
            on_failure=failed,
            parent=self,
        )


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

    def chosen(items: list[tuple[str, str]]) -> None:
        code = choose_matter(items, parent)
        if code is None:
            return
        name = dict(items)[code]

        def show(pdf: bytes) -> None:
            preview = DocumentPreview(
                pdf,
                _("Application guide: {name}").format(name=name),
                copies=1,
                parent=parent,
                context=context,
            )
            preview.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
            preview.show()
            if on_open is not None:
                on_open(preview)

        context.call(documents.guide_pdf, code, on_success=show, parent=parent)

    context.call(documents.guide_matters, on_success=chosen, parent=parent)


def _open_preview(
    pdf: bytes,
    title: str,
    parties: int,
    source: PrintSource,
    context: SessionContext,
    parent: QWidget,
    on_open: Callable[[DocumentPreview], None] | None,
) -> DocumentPreview:
    """Show a case document in its own preview window (closed = deleted), copies preset for the parties."""
    preview = DocumentPreview(pdf, title, copies=default_copies(parties), parent=parent, context=context, source=source)
    preview.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
    preview.show()
    if on_open is not None:
        on_open(preview)
    return preview


def open_case_document(
    context: SessionContext,
    kind: str,
    case_ref: str,
    parent: QWidget,
    on_open: Callable[[DocumentPreview], None] | None = None,
) -> None:
    """A draft of a case document in the preview, copies preset to one per party plus one for the file; a
    print is logged on the case as a draft."""

    def show(found: documents.DocumentPdf) -> None:
        show_document(found, context, parent, on_open)

    context.call(documents.render_draft, case_ref, kind, on_success=show, parent=parent)


def open_issued_document(
    context: SessionContext,
    case_ref: str,
    document_id: str,
    parent: QWidget,
    on_open: Callable[[DocumentPreview], None] | None = None,
) -> None:
    """An issued document of a case (the stored, sealed bytes) in the preview; a print is logged on the case
    with the document's id and version."""

    def show(found: documents.DocumentPdf) -> None:
        show_document(found, context, parent, on_open)

    context.call(documents.issued_document, case_ref, document_id, on_success=show, parent=parent)


def show_document(
    found: documents.DocumentPdf,
    context: SessionContext,
    parent: QWidget,
    on_open: Callable[[DocumentPreview], None] | None = None,
) -> DocumentPreview:
    """A case document read by :mod:`fzmediate.desk.documents` in its own preview window."""
    source = PrintSource(found.case_id, found.kind, found.document_id)
    return _open_preview(found.pdf, found.title, found.parties, source, context, parent, on_open)
