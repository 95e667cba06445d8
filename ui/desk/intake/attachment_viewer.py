"""A viewer for one attachment, from its bytes in memory (never a temporary file: the bytes are personal data).

Images (JPEG, PNG, TIFF) are shown scaled to the window in a scroll area, with zoom; PDFs in a ``QPdfView`` from a
``QPdfDocument`` read out of a ``QBuffer``. A type Qt cannot draw here (HEIC) says so instead.
"""

from __future__ import annotations

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
from PySide6.QtGui import QImage, QPixmap, QResizeEvent
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from fzmediate.i18n import _
from fzmediate.services.attachment_dto import PDF
from ui.style import set_role


class _ImageView(QScrollArea):
    """An image scaled to fit, or at a zoom the user chose."""

    def __init__(self, image: QImage, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._pixmap = QPixmap.fromImage(image)
        self.zoom: float | None = None  # None: fit to the window
        self.label = QLabel(self)
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.label.setAccessibleName(_("Attachment image"))
        self.setWidget(self.label)
        self.setWidgetResizable(True)
        self.setAccessibleName(_("Attachment image"))
        self._render()

    def set_zoom(self, zoom: float | None) -> None:
        self.zoom = zoom
        self._render()

    def _render(self) -> None:
        if self._pixmap.isNull():
            return
        if self.zoom is None:
            size = self.viewport().size()
            shown = self._pixmap.scaled(
                size, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
            )
        else:
            shown = self._pixmap.scaled(
                self._pixmap.size() * self.zoom,
                Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            )
        self.label.setPixmap(shown)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self.zoom is None:
            self._render()


class AttachmentViewer(QDialog):
    """Shows one attachment; ``kind`` says what it shows: "image", "pdf" or "unsupported"."""

    def __init__(self, name: str, media_type: str, data: bytes, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Attachment: {name}").format(name=name))
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        self.resize(820, 680)
        layout = QVBoxLayout(self)
        self.kind = "unsupported"
        self.document: QPdfDocument | None = None
        self.image_view: _ImageView | None = None
        self._buffer: QBuffer | None = None
        if media_type == PDF:
            self._show_pdf(data, layout)
        else:
            image = QImage.fromData(data)
            if not image.isNull():
                self.kind = "image"
                self.image_view = _ImageView(image, self)
                layout.addWidget(self.image_view, 1)
                layout.addLayout(self._zoom_row())
        if self.kind == "unsupported":
            note = QLabel(
                _("This file cannot be shown here ({type}). It is stored with the case as filed.").format(
                    type=media_type
                ),
                self,
            )
            note.setWordWrap(True)
            set_role(note, "notice")
            layout.addWidget(note)
            layout.addStretch(1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        for button in buttons.buttons():
            button.setAccessibleName(button.text())
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _show_pdf(self, data: bytes, layout: QVBoxLayout) -> None:
        self.document = QPdfDocument(self)
        self._buffer = QBuffer(self)
        self._buffer.setData(QByteArray(data))
        self._buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self.document.load(self._buffer)
        if self.document.status() != QPdfDocument.Status.Ready or self.document.pageCount() == 0:
            return
        self.kind = "pdf"
        view = QPdfView(self)
        view.setDocument(self.document)
        view.setPageMode(QPdfView.PageMode.MultiPage)
        view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        view.setAccessibleName(_("Attachment document"))
        layout.addWidget(view, 1)

    def _zoom_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        for text, zoom in ((_("Fit to window"), None), (_("Actual size"), 1.0), (_("Zoom 200 %"), 2.0)):
            button = QPushButton(text, self)
            button.setAccessibleName(text)
            button.clicked.connect(lambda _checked=False, z=zoom: self._zoom(z))
            row.addWidget(button)
        row.addStretch(1)
        return row

    def _zoom(self, zoom: float | None) -> None:
        if self.image_view is not None:
            self.image_view.set_zoom(zoom)


def open_viewer(parent: QWidget | None, name: str, media_type: str, data: bytes) -> AttachmentViewer:
    """Show the attachment in a window-modal viewer (does not block the caller)."""
    viewer = AttachmentViewer(name, media_type, data, parent)
    viewer.setWindowModality(Qt.WindowModality.WindowModal)
    viewer.show()
    return viewer
