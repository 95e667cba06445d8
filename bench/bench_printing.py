"""Printing: an issued 3-page 调解协议书, 3 copies, to a CUPS PDF queue — the PDF itself vs pages as images.

Targets (issue: desk workbench): time until ``lp`` has the job accepted ≤ 2 s, bytes spooled ≤ 5 MB. The
baseline, measured in the same run, is the desk's former path (still its fallback for printers that are not
CUPS queues): each page rendered by QtPdf at 300 dpi and drawn into a QPrinter writing a PDF file, once per
copy (a PDF "printer" makes no copies itself), on the calling thread.

The queue is a private cupsd (tests/cups_server.py: its own config, socket and spool; the system's CUPS is
not used), so this benchmark needs root and the packages of .ci/sysdeps.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path

from bench.common import header, median
from fzmediate.i18n import set_locale

NEW_RUNS = 9
RASTER_RUNS = 3
COPIES = 3


def issued_agreement(root: Path) -> bytes:
    """The issued agreement of the synthetic ``agreed`` case on a fresh temp store (3 pages, 2 parties)."""
    from fzmediate.services.workspace import Workspace
    from tests.documents import case_lifecycles as life
    from tests.support import ADMIN_PW, FAST_KDF, FakeClock

    ws = Workspace(root / "data", kdf=FAST_KDF, clock=FakeClock())
    ws.initialize("admin", ADMIN_PW, full_name="管理员")
    life.staff(ws)
    with ws.unlock(*life.MEDIATOR) as s:
        case_id = life.agreed_case(s)
        info = next(d for d in s.documents.list(case_id) if d.kind == "agreement")
        return s.documents.get_pdf(info.id)


def raster(pdf: bytes, out: Path) -> int:
    """The former path: QtPdf at 300 dpi into a QPrinter PDF file, 3 copies; returns the file's size."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice
    from PySide6.QtPdf import QPdfDocument
    from PySide6.QtPrintSupport import QPrinter

    from ui.desk.document_preview import paint_pdf

    data = QByteArray(pdf)
    buffer = QBuffer()
    buffer.setData(data)
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    document = QPdfDocument()
    document.load(buffer)
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(out))
    printer.setResolution(300)
    printer.setFullPage(True)
    printer.setCopyCount(COPIES)
    pages = paint_pdf(document, printer)
    assert pages == COPIES * document.pageCount(), pages
    document.close()
    return out.stat().st_size


def run() -> str:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from fzmediate.services import printing
    from tests.cups_server import PrivateCups

    set_locale("zh_CN")
    app = QApplication.instance() or QApplication([])
    work = Path(tempfile.mkdtemp(prefix="fzbench-print-"))
    pdf = issued_agreement(work)
    set_locale("en")
    cups = PrivateCups.start()
    try:
        queue = cups.add_pdf_queue()
        new_ms: list[float] = []
        spooled: list[float] = []
        pages = 0
        for _ in range(NEW_RUNS):
            before = set(cups.spooled())
            started = time.perf_counter()
            job = printing.print_pdf(pdf, printer=queue, copies=COPIES, title="调解协议书", server=cups.server)
            new_ms.append((time.perf_counter() - started) * 1000)
            pages = job.pages
            (fresh,) = set(cups.spooled()) - before
            spooled.append(fresh.stat().st_size)
            cups.completed(job.job_id)
        raster_ms: list[float] = []
        raster_bytes: list[float] = []
        for run_no in range(RASTER_RUNS):
            out = work / "raster-{0}.pdf".format(run_no)
            started = time.perf_counter()
            raster_bytes.append(raster(pdf, out))
            raster_ms.append((time.perf_counter() - started) * 1000)
            out.unlink()
    finally:
        cups.stop()
        shutil.rmtree(work, ignore_errors=True)
        del app
    mb = 1024 * 1024
    new_t, new_b = median(new_ms), median(spooled)
    old_t, old_b = median(raster_ms), median(raster_bytes)
    return "\n".join(
        [
            header("Printing: issued 3-page 调解协议书, 3 copies, to a CUPS PDF queue (issue: desk workbench)"),
            "Command: `.venv/bin/python -m bench printing` (as root: it starts a private cupsd, tests/cups_server.py).",
            "Document: the issued (sealed) agreement of the synthetic `agreed` case, {0} pages, {1:,} bytes.".format(
                pages, len(pdf)
            ),
            "",
            "| path | runs | median time | median bytes spooled | target |",
            "|---|---|---|---|---|",
            "| PDF itself to `lp -n 3 -o fit-to-page` (time until the job is accepted) | {0} | {1:.0f} ms | "
            "{2:,.0f} B ({3:.2f} MB) | ≤ 2 s, ≤ 5 MB: {4} |".format(
                NEW_RUNS, new_t, new_b, new_b / mb, "met" if new_t <= 2000 and new_b <= 5 * mb else "NOT met"
            ),
            "| former raster path: QtPdf at 300 dpi into a QPrinter PDF file, 3 copies drawn | {0} | {1:,.0f} ms | "
            "{2:,.0f} B ({3:.1f} MB) | baseline |".format(RASTER_RUNS, old_t, old_b, old_b / mb),
            "",
            "The new path sends {0:.0f}× fewer bytes and is {1:.0f}× faster; it runs on the DB worker, so the GUI "
            "thread never waits for it. The raster path stays only as the fallback for printers that are not CUPS "
            "queues, and ran on the GUI thread.".format(old_b / max(1, new_b), old_t / max(0.001, new_t)),
        ]
    )
