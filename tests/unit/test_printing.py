"""Printing through a REAL, private cupsd: the PDF itself reaches the spool (vector, its own size), N copies,
the job id comes back, refusals name the printer, and each print of a case's document is logged on the case.

The store is a real temp store with the synthetic ``agreed`` case of tests/documents/case_lifecycles.py (its
issued 调解协议书 has 3 pages and 2 parties: 3 copies).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pikepdf
import pytest
from sqlalchemy import select

from fzmediate.errors import ValidationError
from fzmediate.i18n import set_locale
from fzmediate.services import printing
from fzmediate.services.session import Session
from fzmediate.services.workspace import Workspace
from fzmediate.store.models import AuditEvent
from tests.cups_server import PrivateCups, pdf_queue
from tests.documents import case_lifecycles as life
from tests.support import ADMIN_PW, FAST_KDF, FakeClock


@dataclass(frozen=True)
class Store:
    ws: Workspace
    case_id: str


@pytest.fixture(scope="module")
def cups() -> Iterator[PrivateCups]:
    with pdf_queue() as server:
        yield server


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    set_locale("zh_CN")
    ws = Workspace(tmp_path_factory.mktemp("printing") / "data", kdf=FAST_KDF, clock=FakeClock())
    ws.initialize("admin", ADMIN_PW, full_name="管理员")
    life.staff(ws)
    with ws.unlock(*life.MEDIATOR) as s:
        case_id = life.agreed_case(s)
    return Store(ws, case_id)


@pytest.fixture
def med(store: Store) -> Iterator[Session]:
    with store.ws.unlock(*life.MEDIATOR) as s:
        yield s


def _agreement(s: Session, case_id: str) -> tuple[printing.PrintJob | None, str, bytes, int]:
    info = next(d for d in s.documents.list(case_id) if d.kind == "agreement" and d.current)
    return None, info.id, s.documents.get_pdf(info.id), info.version


def _prints(s: Session, case_id: str) -> list[dict[str, object]]:
    with s.read() as r:
        rows = r.scalars(
            select(AuditEvent).where(AuditEvent.action == printing.PRINT_ACTION, AuditEvent.object_id == case_id)
        ).all()
        return [json.loads(e.details) for e in rows]


def test_the_printers_of_the_print_system_are_listed(cups: PrivateCups) -> None:
    assert printing.list_printers(server=cups.server) == ["fz-pdf"]
    assert printing.default_printer(server=cups.server) is None


def test_an_issued_agreement_reaches_the_spool_as_the_pdf_itself_with_its_copies_and_is_logged(
    cups: PrivateCups, store: Store, med: Session
) -> None:
    _none, doc_id, pdf, version = _agreement(med, store.case_id)
    parties = len(med.cases.get(store.case_id).record().principals())
    before = set(cups.spooled())

    job = printing.print_case_document(
        med, pdf, case_ref=store.case_id, kind="agreement", document_id=doc_id,
        printer="fz-pdf", copies=parties + 1, server=cups.server,
    )  # fmt: skip

    assert job.job_id.startswith("fz-pdf-") and job.printer == "fz-pdf"
    assert (job.copies, job.pages, job.bytes_spooled) == (3, 3, len(pdf))
    new = sorted(set(cups.spooled()) - before)
    assert len(new) == 1
    spooled = new[0].read_bytes()
    # What reached the spool is the issued PDF itself (vector, sealed), not pages drawn as images.
    assert hashlib.sha256(spooled).hexdigest() == hashlib.sha256(pdf).hexdigest()
    assert len(spooled) < 1_000_000
    # The queue's filters made the copies: its output holds every page three times.
    assert cups.completed(job.job_id), cups.error_log()[-2000:]
    with pikepdf.open(cups.out / "fz-pdf.pdf") as out:
        assert len(out.pages) == 3 * job.pages

    logged = _prints(med, store.case_id)[-1]
    assert logged == {
        "kind": "agreement", "document": doc_id, "version": version, "draft": False,
        "copies": 3, "printer": "fz-pdf", "pages": 3, "job": job.job_id,
    }  # fmt: skip
    entry = printing.print_log(med, store.case_id)[-1]
    assert (entry.actor, entry.kind, entry.document_id, entry.version, entry.copies, entry.draft) == (
        life.MEDIATOR[0],
        "agreement",
        doc_id,
        version,
        3,
        False,
    )


def test_a_draft_print_is_logged_as_a_draft(cups: PrivateCups, store: Store, med: Session) -> None:
    draft = med.documents.render("agreement", store.case_id)
    job = printing.print_case_document(
        med, draft, case_ref=store.case_id, kind="agreement", printer="fz-pdf", copies=1, server=cups.server
    )
    entry = printing.print_log(med, store.case_id)[-1]
    assert entry.draft and entry.document_id is None and entry.version is None
    assert (entry.kind, entry.copies, entry.job_id) == ("agreement", 1, job.job_id)


def test_other_bytes_than_the_issued_document_are_refused_and_nothing_is_sent(
    cups: PrivateCups, store: Store, med: Session
) -> None:
    _none, doc_id, _pdf, _v = _agreement(med, store.case_id)
    draft = med.documents.render("agreement", store.case_id)
    before, logged = cups.spooled(), len(_prints(med, store.case_id))
    with pytest.raises(ValidationError) as err:
        printing.print_case_document(
            med, draft, case_ref=store.case_id, kind="agreement", document_id=doc_id,
            printer="fz-pdf", copies=3, server=cups.server,
        )  # fmt: skip
    assert err.value.field == "pdf"
    assert cups.spooled() == before and len(_prints(med, store.case_id)) == logged


def test_an_unknown_printer_is_named_and_nothing_is_logged(cups: PrivateCups, store: Store, med: Session) -> None:
    _none, doc_id, pdf, _v = _agreement(med, store.case_id)
    logged = len(_prints(med, store.case_id))
    set_locale("en")
    with pytest.raises(printing.UnknownPrinter) as err:
        printing.print_case_document(
            med, pdf, case_ref=store.case_id, kind="agreement", document_id=doc_id,
            printer="no-such-queue", copies=3, server=cups.server,
        )  # fmt: skip
    assert err.value.message == "The print system has no printer named no-such-queue."
    assert len(_prints(med, store.case_id)) == logged


def test_a_printer_that_refuses_jobs_is_named(cups: PrivateCups, med: Session, store: Store) -> None:
    cups.add_pdf_queue("fz-closed")
    cups.reject("fz-closed")
    pdf = med.documents.render("agreement", store.case_id)
    set_locale("en")
    with pytest.raises(printing.PrinterRefused) as err:
        printing.print_pdf(pdf, printer="fz-closed", copies=1, title="t", server=cups.server)
    assert err.value.message == "The printer fz-closed is not accepting jobs now."


def test_a_print_system_that_is_not_running_is_said_so(tmp_path: Path, med: Session, store: Store) -> None:
    pdf = med.documents.render("agreement", store.case_id)
    set_locale("en")
    with pytest.raises(printing.PrintError) as err:
        printing.print_pdf(pdf, printer="fz-pdf", copies=1, title="t", server=str(tmp_path / "none.sock"))
    assert "fz-pdf" in err.value.message


def test_without_cups_printing_is_unavailable_and_names_the_printer(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, med: Session, store: Store
) -> None:
    pdf = med.documents.render("agreement", store.case_id)
    monkeypatch.setenv("PATH", str(tmp_path))  # no lp, no lpstat
    set_locale("en")
    with pytest.raises(printing.PrintingUnavailable) as err:
        printing.print_pdf(pdf, printer="前台打印机", copies=1, title="t")
    assert err.value.message == (
        "The print system (CUPS) is not installed here, so nothing can be sent to the printer 前台打印机."
    )
    with pytest.raises(printing.PrintingUnavailable):
        printing.list_printers()


@pytest.mark.parametrize("copies", [0, 100, True])
def test_copies_outside_1_to_99_are_refused(copies: int) -> None:
    with pytest.raises(ValidationError) as err:
        printing.print_pdf(b"%PDF-1.7", printer="fz-pdf", copies=copies, title="t")
    assert err.value.field == "copies"


@pytest.mark.parametrize("printer", ["", "two words", "-dX"])
def test_a_printer_name_must_be_a_queue_name(printer: str) -> None:
    with pytest.raises(ValidationError) as err:
        printing.print_pdf(b"%PDF-1.7", printer=printer, copies=1, title="t")
    assert err.value.field == "printer"


def test_bytes_that_are_not_a_pdf_are_refused() -> None:
    with pytest.raises(ValidationError) as err:
        printing.print_pdf(b"GIF89a", printer="fz-pdf", copies=1, title="t")
    assert err.value.field == "pdf"
