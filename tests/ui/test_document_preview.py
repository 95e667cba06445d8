"""The document preview: a PDF on a QPdfView (pages, zoom), copies preset to one per party plus one for the
file, printing through the (patched) print dialog; and the 文书 menu's application guide on a real store."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pypdf
import pytest
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

import ui.desk.document_preview as preview_module
from fzmediate.documents.render import render_pdf
from fzmediate.documents.templates.agreement import agreement_spec
from fzmediate.services.workspace import Workspace
from tests.documents.samples import agreement_data
from tests.ui.test_desk_flow import unlock
from ui.desk.document_preview import DocumentPreview, default_copies
from ui.desk.shell import DeskShell


@pytest.fixture(scope="module")
def pdf() -> bytes:
    return render_pdf(agreement_spec(agreement_data()))


def _pages(data: bytes) -> int:
    return len(pypdf.PdfReader(io.BytesIO(data)).pages)


@pytest.fixture
def preview(app: QApplication, qtbot: QtBot, pdf: bytes) -> DocumentPreview:
    dialog = DocumentPreview(pdf, "调解协议书", copies=default_copies(2))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.document.status() == QPdfDocument.Status.Ready, timeout=5_000)
    return dialog


def test_default_copies_are_one_per_party_plus_one_for_the_file() -> None:
    assert [default_copies(n) for n in (0, 1, 2, 5)] == [1, 2, 3, 6]


def test_the_preview_loads_the_pdf_and_navigates(preview: DocumentPreview, pdf: bytes) -> None:
    assert preview.page_count() == _pages(pdf) == 3
    assert preview.copies.value() == 3
    assert preview.page_label.text() and not preview.previous_button.isEnabled()
    preview.go_to(2)
    assert preview.current_page() == 2 and not preview.next_button.isEnabled()
    preview.go_to(99)
    assert preview.current_page() == 2
    before = preview.view.zoomFactor()
    preview.zoom(1.25)
    assert preview.view.zoomFactor() == pytest.approx(before * 1.25)


def test_print_goes_through_the_dialog_with_the_copies(
    preview: DocumentPreview, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, pdf: bytes
) -> None:
    seen: dict[str, Any] = {}
    out = tmp_path / "printed.pdf"

    def fake_dialog(printer: QPrinter, parent: QWidget | None) -> bool:
        seen["copies"] = printer.copyCount()
        seen["parent"] = parent
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(out))
        printer.setResolution(72)  # fast: the path is what is tested, not the print quality
        return True

    monkeypatch.setattr(preview_module, "ask_print_dialog", fake_dialog)
    preview.copies.setValue(4)
    assert preview.print_document()
    assert seen == {"copies": 4, "parent": preview}
    printed = _pages(out.read_bytes())
    # A PDF "printer" makes no copies itself: the pages are drawn once per copy.
    assert printed == 4 * _pages(pdf)


def test_cancelling_the_print_dialog_prints_nothing(
    preview: DocumentPreview, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(preview_module, "ask_print_dialog", lambda printer, parent: False)
    assert not preview.print_document()


def test_the_documents_menu_previews_a_guide(
    qtbot: QtBot, shell: DeskShell, initialized: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    offered: list[list[tuple[str, str]]] = []

    def choose(items: list[tuple[str, str]], parent: QWidget | None) -> str:
        offered.append(items)
        return "PS-TJ-007"

    monkeypatch.setattr(preview_module, "choose_matter", choose)
    shell.start()
    unlock(qtbot, shell)
    window = shell.main_window
    assert window is not None and window.guide_action.isEnabled()
    window.guide_action.trigger()

    def shown() -> DocumentPreview | None:
        found = [w for w in QApplication.topLevelWidgets() if isinstance(w, DocumentPreview) and w.isVisible()]
        return found[0] if found else None

    qtbot.waitUntil(lambda: shown() is not None, timeout=15_000)
    dialog = shown()
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.document.status() == QPdfDocument.Status.Ready, timeout=5_000)
    assert dialog.page_count() >= 2 and dialog.copies.value() == 1
    assert "物业管理纠纷行政调解" in dialog.windowTitle()
    assert ("PS-TJ-007", "物业管理纠纷行政调解") in offered[0]
    dialog.close()
