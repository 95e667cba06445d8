"""The kiosk's receipt: number, date, masked name, the acceptance deadline from the matter's own time limit in
the catalogue (or the statement that the catalogue has none), embedded fonts, and no personal numbers."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any, cast

import pytest
from pypdf import PdfReader

from fzmediate.i18n import current_locale, set_locale
from fzmediate.kiosk.application import Answers, build_intake
from fzmediate.kiosk.receipt import receipt_content, submit_and_print
from fzmediate.kiosk.receipt_pdf import deadline_text, render_receipt
from fzmediate.procedure.clock import compute_deadline
from fzmediate.services.kiosk import KioskService
from tests.kiosk_support import make_desk, make_kiosk
from tests.support import KIOSK_PW, FakeClock

ANSWERS = Answers(True, "欧阳𫖮", "passport", "E12345678", "13912345678", "", "organization", "某物业公司",
                  "电梯坏了。", "修电梯。")  # fmt: skip


@pytest.fixture
def kiosk(tmp_path: Path) -> Iterator[KioskService]:
    clock = FakeClock()
    device = make_kiosk(tmp_path, clock, make_desk(tmp_path, clock))
    with device.open(KIOSK_PW) as service:
        yield service


@pytest.fixture
def zh_cn() -> Iterator[None]:
    before = current_locale()
    set_locale("zh_CN")
    yield
    set_locale(before)


def pdf_text(pdf: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_the_deadline_is_the_matters_acceptance_limit_counted_on_the_catalogues_calendar(
    kiosk: KioskService, zh_cn: None
) -> None:
    receipt = kiosk.submit_application(build_intake("PS-TJ-007", "物业管理纠纷行政调解", ANSWERS))
    content = receipt_content(kiosk, receipt)
    catalogue = kiosk.catalogue
    matter = catalogue.active().matter("PS-TJ-007")
    assert matter is not None
    limit = matter.time_limit("acceptance")
    assert limit is not None and content.deadline is not None
    expected = compute_deadline(catalogue.calendar(*catalogue.active_ref()), date(2026, 11, 29), limit.amount,
                                limit.unit)  # fmt: skip
    assert content.deadline.due == expected.due and content.deadline.basis == limit.basis
    assert content.received_on == date(2026, 11, 29)
    text = pdf_text(render_receipt(content))
    assert receipt.number in text and "欧阳某" in text
    one_line = text.replace("\n", "")  # the sentence wraps wherever the line ends
    assert "{0}年{1}月{2}日".format(expected.due.year, expected.due.month, expected.due.day) in one_line
    for secret in ("𫖮", "E12345678", "13912345678", "电梯坏了"):
        assert secret not in text


def test_a_matter_without_an_acceptance_limit_gets_no_invented_date(kiosk: KioskService, zh_cn: None) -> None:
    matter = kiosk.catalogue.active().matter("PS-TJ-003")
    assert matter is not None and matter.time_limit("acceptance") is None
    receipt = kiosk.submit_application(build_intake("PS-TJ-003", matter.name, ANSWERS))
    content = receipt_content(kiosk, receipt)
    assert content.deadline is None
    said = deadline_text(content)
    assert matter.consult_phone in said
    assert "年" not in said.replace(matter.consult_phone, "")  # no date in it


def test_every_font_in_the_receipt_is_embedded(kiosk: KioskService) -> None:
    receipt = kiosk.submit_application(build_intake("PS-TJ-007", "x", ANSWERS))
    reader = PdfReader(io.BytesIO(render_receipt(receipt_content(kiosk, receipt))))
    fonts = [f.get_object() for page in reader.pages for f in cast("Any", page["/Resources"])["/Font"].values()]
    assert fonts
    for font in fonts:
        descriptor = font["/FontDescriptor"].get_object()
        assert "/FontFile2" in descriptor, font["/BaseFont"]


def test_filing_succeeds_when_the_printer_does_not_and_says_why(kiosk: KioskService) -> None:
    done = submit_and_print(kiosk, build_intake("PS-TJ-007", "x", ANSWERS), printer="no-such-printer",
                            server="/nonexistent/cups.sock")  # fmt: skip
    assert done.job is None and done.print_error
    assert done.pdf.startswith(b"%PDF-")
    assert kiosk.status().pending == 1
