"""The document preview: a PDF on a QPdfView (pages, zoom), copies preset to one per party plus one for the
file, printing through the (patched) print dialog — to a real private cupsd as the PDF itself, off the GUI
thread and logged on the case, or drawn as images when the printer is not a CUPS queue; and the 文书 menu's
application guide on a real store."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pypdf
import pytest
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select

import ui.desk.document_preview as preview_module
from fzmediate.documents.render import render_pdf
from fzmediate.documents.templates.agreement import agreement_spec
from fzmediate.services import printing
from fzmediate.services.workspace import Workspace
from fzmediate.store.models import AuditEvent
from tests.cups_server import PrivateCups, as_the_system_cups, pdf_queue
from tests.documents import case_lifecycles as life
from tests.documents.samples import agreement_data
from tests.support import ADMIN_PW, FAST_KDF, FakeClock
from tests.ui.test_desk_flow import unlock
from ui.desk.document_preview import DocumentPreview, default_copies, open_issued_document
from ui.desk.shell import DeskShell
from ui.ops import Ops
from ui.session_context import SessionContext


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
    # Not a print-system queue: the slow raster path, and the preview says so.
    assert preview.print_status.isVisible() and "CUPS" in preview.print_status.text()


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


# --- printing to a real (private) CUPS queue ---------------------------------------------------------------


@pytest.fixture
def cups(monkeypatch: pytest.MonkeyPatch) -> Iterator[PrivateCups]:
    with pdf_queue() as server:
        as_the_system_cups(server, monkeypatch)
        yield server


def test_an_issued_agreement_goes_to_cups_as_the_pdf_off_the_gui_thread_and_is_logged(
    cups: PrivateCups, ops: Ops, qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, app: QApplication
) -> None:
    ws = Workspace(tmp_path / "data", kdf=FAST_KDF, clock=FakeClock())
    ws.initialize("admin", ADMIN_PW, full_name="管理员")
    life.staff(ws)
    with ws.unlock(*life.MEDIATOR) as s:
        case_id = life.agreed_case(s)
        issued = next(d for d in s.documents.list(case_id) if d.kind == "agreement")
        stored = s.documents.get_pdf(issued.id)
    chosen: list[str] = []

    def fake_dialog(printer: QPrinter, parent: QWidget | None) -> bool:  # the user picks the PDF queue
        printer.setPrinterName("fz-pdf")
        chosen.append(printer.printerName())
        return True

    monkeypatch.setattr(preview_module, "ask_print_dialog", fake_dialog)
    context = SessionContext(ops, ws.unlock(*life.MEDIATOR))
    parent = QWidget()
    qtbot.addWidget(parent)
    opened: list[DocumentPreview] = []
    open_issued_document(context, case_id, issued.id, parent, on_open=opened.append)
    qtbot.waitUntil(lambda: bool(opened), timeout=10_000)
    preview = opened[0]
    assert preview.copies.value() == 3  # two parties and the file

    with qtbot.waitSignal(preview.printed, timeout=20_000) as signal:
        assert preview.print_document()  # returns at once: the job is sent on the DB worker
        assert not preview.print_button.isEnabled()
    job = signal.args[0]
    assert chosen == ["fz-pdf"]
    assert (job.printer, job.copies, job.pages) == ("fz-pdf", 3, 3)
    assert job.job_id in preview.print_status.text() and preview.print_button.isEnabled()
    spooled = cups.spooled()
    assert len(spooled) == 1 and hashlib.sha256(spooled[0].read_bytes()).digest() == hashlib.sha256(stored).digest()

    logged: list[printing.PrintLogEntry] = []
    context.run(lambda session, _t: printing.print_log(session, case_id), on_success=logged.extend)
    qtbot.waitUntil(lambda: bool(logged), timeout=5_000)
    assert (logged[0].document_id, logged[0].version, logged[0].copies, logged[0].actor) == (
        issued.id,
        1,
        3,
        life.MEDIATOR[0],
    )
    preview.close()
    done: list[bool] = []
    context.close(on_done=lambda: done.append(True))
    qtbot.waitUntil(lambda: bool(done), timeout=5_000)


def test_a_refusing_printer_is_reported_in_the_preview_and_nothing_is_logged(
    cups: PrivateCups, ops: Ops, qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pdf: bytes
) -> None:
    from fzmediate.i18n import set_locale

    set_locale("en")
    cups.add_pdf_queue("fz-closed")
    cups.reject("fz-closed")
    ws = Workspace(tmp_path / "data", kdf=FAST_KDF, clock=FakeClock())
    ws.initialize("admin", ADMIN_PW, full_name="管理员")

    def fake_dialog(printer: QPrinter, parent: QWidget | None) -> bool:
        printer.setPrinterName("fz-closed")
        return True

    monkeypatch.setattr(preview_module, "ask_print_dialog", fake_dialog)
    context = SessionContext(ops, ws.unlock("admin", ADMIN_PW))
    preview = DocumentPreview(pdf, "申请指南", context=context)
    qtbot.addWidget(preview)
    with qtbot.waitSignal(preview.print_failed, timeout=20_000) as signal:
        assert preview.print_document()
    assert signal.args[0] == "The printer fz-closed is not accepting jobs now."
    assert preview.print_status.text() == signal.args[0] and preview.print_button.isEnabled()
    assert cups.spooled() == []
    done: list[bool] = []
    context.close(on_done=lambda: done.append(True))
    qtbot.waitUntil(lambda: bool(done), timeout=5_000)
    with ws.unlock("admin", ADMIN_PW) as s, s.read() as r:
        assert not r.scalars(select(AuditEvent).where(AuditEvent.action == printing.PRINT_ACTION)).all()
