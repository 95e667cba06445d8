"""Printing: the PDF itself goes to the print system (vector, fast), and printing a case's document is logged.

Where CUPS is the print system (Linux, UOS, Kylin, macOS), :func:`print_pdf` hands the PDF to ``lp`` on its
standard input — ``lp -d PRINTER -n COPIES -t TITLE -o fit-to-page`` — so no temporary file with personal
data is written by us; CUPS spools the job in its own request directory and its filters (``pdftopdf``) make
the copies and fit the pages. Sending a 3-page agreement takes tens of milliseconds and spools the PDF's own
size (about 150 KB), where drawing pages as 300-dpi images took seconds and tens of megabytes.

On Windows there is no CUPS: the vector path there is either a PDF-capable print backend (a printer driver
that accepts PDF directly, or a helper such as SumatraPDF's ``-print-to``) or rendering each page with QtPdf at
the printer's own resolution OFF the GUI thread and handing it to the GDI spooler. Neither is built yet, so
:func:`print_pdf` raises :class:`PrintingUnavailable` there, and the desk falls back to its raster path with
a note saying so; nothing pretends to print.

Which server: ``lp`` and ``lpstat`` use the system's CUPS unless ``server`` (a host, a ``host:port`` or a
socket path, as ``CUPS_SERVER`` takes it) names another; the tests and the benchmark start a private cupsd.

The print log: :func:`print_case_document` prints a document of a case and records who printed what (the
document id, kind, version or "draft", copies, printer, pages, CUPS job id) as an audit event on the case
(``document.print``), in the signed, hash-chained audit log — never any personal data. :func:`print_log`
reads a case's entries back for its history.
"""

from __future__ import annotations

import builtins
import hashlib
import io
import json
import logging
import os
import re
import shutil
import subprocess
from collections.abc import Sequence
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session as OrmSession

from fzmediate.errors import NotFoundError, ValidationError
from fzmediate.errors import PrinterRefused as PrinterRefused
from fzmediate.errors import PrintError as PrintError
from fzmediate.errors import PrintingUnavailable as PrintingUnavailable
from fzmediate.errors import UnknownPrinter as UnknownPrinter
from fzmediate.i18n import _
from fzmediate.security.permissions import require
from fzmediate.services.print_dto import PrintJob as PrintJob
from fzmediate.services.print_dto import PrintLogEntry as PrintLogEntry
from fzmediate.store.models import AuditEvent, Case, DocumentRow

if TYPE_CHECKING:
    from fzmediate.services.session import Session

log = logging.getLogger(__name__)

#: The audit action of a print of a case's document.
PRINT_ACTION = "document.print"
#: The most copies one print may ask for (the desk's spin box allows the same).
MAX_COPIES = 99
#: How long ``lp``/``lpstat`` may take before the print system counts as not answering (seconds).
TIMEOUT = 30.0
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_JOB_ID = re.compile(r"request id is (\S+)")
_TITLE_MAX = 255


# --- the print system ------------------------------------------------------------------------------------


def cups_available() -> bool:
    """Whether the CUPS client tools are installed (``lp`` and ``lpstat`` on the PATH)."""
    return shutil.which("lp") is not None and shutil.which("lpstat") is not None


def _env(server: str | None) -> dict[str, str]:
    # The tools' own messages are parsed, so they must be in English whatever the desk's language; ours are
    # localized below.
    env = dict(os.environ, LC_ALL="C", LANG="C")
    if server:
        env["CUPS_SERVER"] = server
    return env


def _run(args: Sequence[str], *, server: str | None, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(list(args), input=stdin, capture_output=True, env=_env(server), timeout=TIMEOUT, check=False)


def _require_cups(printer: str = "") -> None:
    if os.name == "nt":
        raise PrintingUnavailable(
            _("Printing the PDF directly is not available on Windows yet; use the print dialog's own printing.")
        )
    if not cups_available():
        if printer:
            raise PrintingUnavailable(
                _(
                    "The print system (CUPS) is not installed here, so nothing can be sent to the printer {printer}."
                ).format(printer=printer)
            )
        raise PrintingUnavailable(_("The print system (CUPS) is not installed here."))


def _not_running(text: str) -> bool:
    return "Scheduler is not running" in text or "Unable to connect to server" in text


def list_printers(*, server: str | None = None) -> builtins.list[str]:
    """The print system's printers (queues), by name (``lpstat -e``)."""
    _require_cups()
    try:
        done = _run(["lpstat", "-e"], server=server)
    except subprocess.TimeoutExpired:
        raise PrintError(_("The print system did not answer.")) from None
    text = done.stderr.decode("utf-8", "replace")
    if done.returncode != 0:
        if _not_running(text):
            raise PrintError(_("The print system (CUPS) is not running."))
        raise PrintError(_("The print system could not list its printers."))
    return [line.strip() for line in done.stdout.decode("utf-8", "replace").splitlines() if line.strip()]


def default_printer(*, server: str | None = None) -> str | None:
    """The print system's default printer (``lpstat -d``), or None when there is none."""
    _require_cups()
    try:
        done = _run(["lpstat", "-d"], server=server)
    except subprocess.TimeoutExpired:
        raise PrintError(_("The print system did not answer.")) from None
    out = done.stdout.decode("utf-8", "replace").strip()
    if done.returncode != 0 or ":" not in out or out.startswith("no system default"):
        return None
    return out.split(":", 1)[1].strip() or None


def pdf_pages(pdf: bytes) -> int:
    """The number of pages of a PDF; ValidationError when it is not a readable PDF."""
    import pikepdf

    if not pdf.startswith(b"%PDF-"):
        raise ValidationError(_("pdf: not a PDF document."), field="pdf")
    try:
        with pikepdf.open(io.BytesIO(pdf)) as doc:
            return len(doc.pages)
    except pikepdf.PdfError:
        raise ValidationError(_("pdf: the PDF document cannot be read."), field="pdf") from None


def _checked_copies(copies: int) -> int:
    if isinstance(copies, bool) or not isinstance(copies, int) or not 1 <= copies <= MAX_COPIES:
        raise ValidationError(_("copies: a whole number from 1 to {max}.").format(max=MAX_COPIES), field="copies")
    return copies


def print_pdf(pdf: bytes, *, printer: str, copies: int, title: str, server: str | None = None) -> PrintJob:
    """Send ``pdf`` itself to the CUPS printer ``printer``: ``copies`` copies, each page fitted to the paper.

    The PDF goes to ``lp`` on its standard input (no temporary file). Raises :class:`PrintingUnavailable`
    without CUPS, :class:`UnknownPrinter`, :class:`PrinterRefused` or :class:`PrintError` (each naming the
    printer), ValidationError for bad copies or a document that is not a PDF.
    """
    name = printer.strip()
    if not name or any(c.isspace() for c in name) or name.startswith("-"):
        raise ValidationError(_("printer: the name of a printer of the print system."), field="printer")
    _checked_copies(copies)
    pages = pdf_pages(pdf)
    _require_cups(name)
    job_title = " ".join(title.split())[:_TITLE_MAX] or "fzmediate"
    args = ["lp", "-d", name, "-n", str(copies), "-t", job_title, "-o", "fit-to-page"]
    try:
        done = _run(args, server=server, stdin=pdf)
    except subprocess.TimeoutExpired:
        raise PrintError(
            _("The print system did not answer; the document may not have reached the printer {printer}.").format(
                printer=name
            )
        ) from None
    err = done.stderr.decode("utf-8", "replace")
    if done.returncode != 0:
        log.warning("lp refused a job (exit %d)", done.returncode)
        if "does not exist" in err or "Unknown destination" in err:
            raise UnknownPrinter(_("The print system has no printer named {printer}.").format(printer=name))
        if "not accepting jobs" in err:
            raise PrinterRefused(_("The printer {printer} is not accepting jobs now.").format(printer=name))
        if _not_running(err):
            raise PrintError(
                _("The print system (CUPS) is not running; nothing was sent to the printer {printer}.").format(
                    printer=name
                )
            )
        raise PrintError(_("The printer {printer} refused the document.").format(printer=name))
    found = _JOB_ID.search(done.stdout.decode("utf-8", "replace"))
    if found is None:
        raise PrintError(
            _("The print system gave no job number; check the printer {printer}'s queue.").format(printer=name)
        )
    job = PrintJob(job_id=found.group(1), printer=name, copies=copies, pages=pages, bytes_spooled=len(pdf))
    log.info("print job accepted (%d pages, %d copies, %d bytes)", pages, copies, len(pdf))
    return job


# --- printing a case's document, and its log -------------------------------------------------------------


def _case(s: OrmSession, ref: str) -> Case:
    text = ref.strip()
    case = s.get(Case, text) if _UUID.fullmatch(text) else None
    if case is None:
        case = s.scalars(select(Case).where(Case.number == text)).one_or_none()
    if case is None:
        raise NotFoundError(_("No case with this id or number."))
    return case


def print_case_document(
    session: Session,
    pdf: bytes,
    *,
    case_ref: str,
    kind: str,
    document_id: str | None = None,
    printer: str,
    copies: int,
    server: str | None = None,
) -> PrintJob:
    """Print a document of a case and log it in the case's history (an audit event on the case).

    With ``document_id``, ``pdf`` must be exactly that issued document of ``case_ref`` and ``kind`` (its
    SHA-256 is checked), and the log names the document and its version; without, it is a draft of ``kind``
    and is logged as a draft. The log is written once the print system accepted the job.
    """
    require(session, "document.show" if document_id else "document")
    with session.read() as s:
        case = _case(s, case_ref)
        case_id, number = case.id, case.number
        version: int | None = None
        title = kind
        if document_id is not None:
            row = s.get(DocumentRow, document_id)
            if row is None or row.case_id != case_id or row.kind != kind:
                raise NotFoundError(_("No issued document with this id for this case and kind."))
            if hashlib.sha256(pdf).hexdigest() != row.sha256:
                raise ValidationError(
                    _("pdf: these are not the bytes of the issued document; print the stored document."), field="pdf"
                )
            version, title = row.version, row.title
    if document_id is None:
        from fzmediate.documents.templates.kinds import KINDS

        if kind not in KINDS:
            raise ValidationError(_("kind: not a kind of document."), field="kind")
        title = KINDS[kind].title + "（草稿）"
    elif version is not None and version > 1:
        title = _("{title} (version {version})").format(title=title, version=version)
    job = print_pdf(pdf, printer=printer, copies=copies, title="{0} {1}".format(number, title), server=server)
    details = {
        "kind": kind,
        "document": document_id,
        "version": version,
        "draft": document_id is None,
        "copies": job.copies,
        "printer": job.printer,
        "pages": job.pages,
        "job": job.job_id,
    }
    with session.write(PRINT_ACTION, "case", case_id, details):
        pass
    return job


def print_log(session: Session, case_ref: str) -> builtins.list[PrintLogEntry]:
    """Every print of the case's documents, oldest first (who, when, what, how many, where)."""
    require(session, "document.list")
    with session.read() as s:
        case = _case(s, case_ref)
        events = s.scalars(
            select(AuditEvent)
            .where(AuditEvent.action == PRINT_ACTION, AuditEvent.object_type == "case", AuditEvent.object_id == case.id)
            .order_by(AuditEvent.seq)
        ).all()
        out = []
        for e in events:
            d = json.loads(e.details)
            out.append(
                PrintLogEntry(
                    at=e.at,
                    actor=e.actor,
                    kind=str(d.get("kind", "")),
                    document_id=d.get("document"),
                    version=d.get("version"),
                    copies=int(d.get("copies", 0)),
                    printer=str(d.get("printer", "")),
                    pages=int(d.get("pages", 0)),
                    job_id=str(d.get("job", "")),
                )
            )
        return out
