"""The kiosk's application form, walked through as a visitor: a rare-character name typed by touch alone, a
Hong Kong permit, a printed receipt (private cupsd) and a sealed application only the office opens; bad input
on every page; the end of a visit; accessible names, touch sizes and clipping."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import pytest
from pypdf import PdfReader
from PySide6.QtWidgets import QAbstractButton, QApplication, QLineEdit, QPlainTextEdit, QWidget
from sqlalchemy import select

from fzmediate.i18n import current_locale, set_locale
from fzmediate.kiosk.application import STEPS, Step, field_label
from fzmediate.security import sealed_box as box
from fzmediate.services.office_intake import OfficeIntake
from fzmediate.store.models import KioskOutboxRow
from tests.cups_server import PrivateCups, as_the_system_cups, pdf_queue
from tests.kiosk_support import MEDIATOR
from tests.ui.fit import clipped_texts, text_size
from tests.ui.kiosk_application_support import (
    HK_PERMIT,
    MATTER,
    VALID,
    VISITOR_TEXTS,
    KioskRig,
    answer,
    open_rig,
    pick_rare,
    tap,
    type_keys,
    type_pinyin,
    walk_to,
    widget_texts,
)
from ui.kiosk.application.flow import ApplicationFlow
from ui.kiosk.application.look import touch_px
from ui.kiosk.env import KioskEnv
from ui.ops import Ops


@pytest.fixture
def rig(tmp_path: Path) -> Iterator[KioskRig]:
    yield from open_rig(tmp_path)


@pytest.fixture
def cups(monkeypatch: pytest.MonkeyPatch) -> Iterator[PrivateCups]:
    with pdf_queue() as server:
        as_the_system_cups(server, monkeypatch)
        yield server


def make_flow(qtbot: Any, rig: KioskRig, ops: Ops, *, printer: str = "no-such-printer", server: str | None = None,
              size: tuple[int, int] = (1920, 1080)) -> ApplicationFlow:  # fmt: skip
    flow = ApplicationFlow(KioskEnv(ops, rig.service), MATTER, printer=printer, print_server=server)
    qtbot.addWidget(flow)
    flow.resize(*size)
    flow.show()
    qtbot.waitUntil(lambda: flow.matter_label.text() != MATTER)  # the catalogue answered
    return flow


def pending(rig: KioskRig) -> int:
    return rig.service.status().pending


# --- the whole way, by touch --------------------------------------------------------------------------------


def test_rare_name_and_hong_kong_permit_end_in_a_printed_masked_receipt_and_an_application_only_the_office_opens(
    qtbot: Any, rig: KioskRig, ops: Ops, cups: PrivateCups
) -> None:
    flow = make_flow(qtbot, rig, ops, printer="fz-pdf", server=cups.server)
    assert str(len(STEPS)) in flow.progress.text()
    answer(qtbot, flow, Step.PRIVACY, True)
    tap(qtbot, flow.next_button)

    type_pinyin(qtbot, flow, "wang", "王")  # 王 by pinyin
    pick_rare(qtbot, flow, "ji", "𠮷")  # 𠮷 (U+20BB7) has no pinyin entry: the picker offers it
    assert flow.page().text() == "王𠮷"  # type: ignore[attr-defined]
    tap(qtbot, flow.next_button)

    tap(qtbot, flow.page().buttons["hk_macao_permit"])  # type: ignore[attr-defined]
    tap(qtbot, flow.next_button)
    type_keys(qtbot, flow, HK_PERMIT)
    assert flow.page().text() == HK_PERMIT and not flow.page().error.isVisible()  # type: ignore[attr-defined]
    tap(qtbot, flow.next_button)
    type_keys(qtbot, flow, VALID[Step.PHONE], pad=True)
    tap(qtbot, flow.next_button)
    for step in STEPS[STEPS.index(Step.ADDRESS) : STEPS.index(Step.REVIEW)]:
        answer(qtbot, flow, step, VALID[step])
        tap(qtbot, flow.next_button)
    assert flow.page().step is Step.REVIEW
    review = " ".join(widget_texts(flow.page()))
    assert "王𠮷" in review and HK_PERMIT in review
    assert pending(rig) == 0  # nothing stored before "Send application"

    tap(qtbot, flow.next_button)
    qtbot.waitUntil(lambda: flow.stack.currentWidget() is flow.receipt, timeout=20000)
    done = flow.receipt.submitted
    assert done is not None and done.job is not None, done and done.print_error
    number = done.content.receipt.number
    assert number in flow.receipt.number.text()
    assert pending(rig) == 1

    # The receipt as CUPS spooled it: number, masked name, no document number or phone, fonts embedded.
    assert cups.completed(done.job.job_id)
    [spooled] = cups.spooled()
    pdf = PdfReader(io.BytesIO(spooled.read_bytes()))
    text = "".join(page.extract_text() for page in pdf.pages)
    assert number in text and "王某" in text
    assert "𠮷" not in text and HK_PERMIT not in text and VALID[Step.PHONE] not in text
    fonts = [f.get_object() for p in pdf.pages for f in cast("Any", p["/Resources"])["/Font"].values()]
    assert fonts and all("/FontFile2" in f["/FontDescriptor"].get_object() for f in fonts)

    # The sealed application: the office's private key opens it and it holds what the visitor entered; the
    # kiosk's own store holds only sealed bytes, and another key does not open them.
    with rig.service.read() as s:
        sealed = s.scalars(select(KioskOutboxRow.sealed).where(KioskOutboxRow.number == number)).one()
    with rig.desk.ws.unlock(*MEDIATOR) as session:
        private = OfficeIntake(session).private_keys()
    [key] = private.values()
    envelope = json.loads(box.open_sealed(key, sealed))
    applicant, other = envelope["intake"]["parties"]
    assert envelope["number"] == number
    assert (applicant["name"], applicant["id_type"], applicant["id_number"]) == ("王𠮷", "hk_macao_permit", HK_PERMIT)
    assert (other["kind"], other["name"]) == ("organization", VALID[Step.OTHER_NAME])
    assert envelope["intake"]["facts"] == VALID[Step.FACTS]
    stranger, _public = box.new_key_pair()
    with pytest.raises(box.SealedBoxError):
        box.open_sealed(stranger, sealed)
    assert "王𠮷".encode() not in sealed and HK_PERMIT.encode() not in sealed

    # "Print the receipt again" sends the same receipt once more.
    printed = flow.receipt.status.text()
    tap(qtbot, flow.receipt.again)
    qtbot.waitUntil(lambda: not ops.busy and flow.receipt.status.text() == printed, timeout=20000)
    assert len(cups.spooled()) == 2 and cups.spooled()[1].read_bytes() == spooled.read_bytes()

    finished: list[str] = []
    flow.finished.connect(finished.append)
    tap(qtbot, flow.receipt.finish)
    assert finished == [number]
    assert flow.page().step is Step.PRIVACY


# --- bad input on every page ----------------------------------------------------------------------------------

BAD: list[tuple[Step, Any]] = [
    (Step.PRIVACY, False),
    (Step.NAME, ""),
    (Step.NAME, "王\u202e三"),  # an invisible direction control (typed on a real keyboard)
    (Step.ID_TYPE, ""),
    (Step.ID_NUMBER, "H1234"),
    (Step.ID_NUMBER, ""),
    (Step.PHONE, "12"),
    (Step.ADDRESS, "坪山\u0007路"),  # longer than 200 characters cannot be typed: the field stops at 200
    (Step.OTHER_KIND, ""),
    (Step.OTHER_NAME, "   "),
    (Step.FACTS, ""),
    (Step.CLAIMS, "\u0007"),
]


@pytest.fixture
def english() -> Iterator[None]:
    """English messages: the field names the form uses and those of the identity rules are then the msgids."""
    before = current_locale()
    set_locale("en")
    yield
    set_locale(before)


@pytest.mark.parametrize(("step", "value"), BAD, ids=lambda v: v.value if isinstance(v, Step) else None)
def test_bad_input_on_every_page_says_which_field_and_rule_and_stores_nothing(
    qtbot: Any, rig: KioskRig, ops: Ops, step: Step, value: Any, english: None
) -> None:
    flow = make_flow(qtbot, rig, ops)
    walk_to(qtbot, flow, step)
    answer(qtbot, flow, step, value)
    tap(qtbot, flow.next_button)
    page = flow.page()
    assert page.step is step  # it does not go on
    message = page.error.text()
    assert page.error.isVisible() and message
    assert message.startswith(field_label(step) + ": ")  # names the field, then the rule
    assert len(message) > len(field_label(step)) + 8
    assert page.error.font().pointSizeF() >= 18 or page.error.fontInfo().pointSizeF() >= 18
    assert pending(rig) == 0
    # Correcting it clears the message as the visitor types, and the form goes on.
    answer(qtbot, flow, step, VALID[step])
    assert not page.error.isVisible() or step is Step.PRIVACY
    tap(qtbot, flow.next_button)
    assert flow.page().step is STEPS[STEPS.index(step) + 1]
    assert pending(rig) == 0


def test_a_problem_only_the_intake_rules_find_brings_the_visitor_back_to_its_page(
    qtbot: Any, rig: KioskRig, ops: Ops
) -> None:
    # The same document number for the other party as for the applicant cannot arise from the form; an
    # unknown matter can (a catalogue update between guide and submission): shown on the review page.
    flow = make_flow(qtbot, rig, ops)
    flow.matter_code = "PS-TJ-999"
    walk_to(qtbot, flow, Step.REVIEW)
    tap(qtbot, flow.next_button)
    qtbot.waitUntil(lambda: flow.page().error.isVisible())
    assert flow.page().step is Step.REVIEW
    assert pending(rig) == 0
    assert flow.next_button.isEnabled()


# --- the end of a visit ------------------------------------------------------------------------------------------


def test_reset_visit_leaves_nothing_of_the_visitor_in_any_widget_or_file(
    qtbot: Any, rig: KioskRig, ops: Ops, tmp_path: Path
) -> None:
    flow = make_flow(qtbot, rig, ops)
    walk_to(qtbot, flow, Step.REVIEW)
    assert any("𠮷" in t for t in widget_texts(flow))
    flow.go(STEPS.index(Step.FACTS))
    type_pinyin(qtbot, flow, "ti", "梯")  # a character remembered, and a composition under way
    for letter in "dian":
        tap(qtbot, flow.keyboard.keys[letter])
    assert flow.keyboard.candidates.letters.text() == "dian"
    tap(qtbot, flow.keyboard.rare_button)
    tap(qtbot, flow.keyboard.keys["y"])
    assert flow.keyboard.recent and flow.keyboard.picker.query_text()

    flow.reset_visit()

    texts = widget_texts(flow)
    leaks = [t for t in texts for secret in (*VISITOR_TEXTS, "王某", "dian", "梯") if secret in t]
    assert leaks == []
    assert all(not w.text() for w in flow.findChildren(QLineEdit))
    assert all(not w.toPlainText() for w in flow.findChildren(QPlainTextEdit))
    assert all(not w.document().isUndoAvailable() for w in flow.findChildren(QPlainTextEdit))
    assert all(not w.isUndoAvailable() for w in flow.findChildren(QLineEdit))
    assert flow.keyboard.composition == "" and flow.keyboard.recent == []
    assert flow.keyboard.picker.isHidden() and flow.keyboard.candidates.visible_candidates() == []
    assert flow.answers == type(flow.answers)()
    assert flow.page().step is Step.PRIVACY and not flow.page().has_input()
    # No file anywhere under the test's directory holds what the visitor typed (the stores are encrypted).
    for path in tmp_path.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert not any(s.encode() in data for s in VISITOR_TEXTS), path.name


def test_reset_after_sending_clears_the_receipt_and_a_late_answer_does_not_reach_the_next_visitor(
    qtbot: Any, rig: KioskRig, ops: Ops
) -> None:
    flow = make_flow(qtbot, rig, ops)
    walk_to(qtbot, flow, Step.REVIEW)
    tap(qtbot, flow.next_button)
    flow.reset_visit()  # the idle timer ran out while the application was being sent
    qtbot.waitUntil(lambda: not ops.busy, timeout=20000)  # the store is the DB worker's while it runs
    qtbot.wait(50)
    assert pending(rig) == 1  # filed all the same
    assert flow.stack.currentWidget() is not flow.receipt
    assert not [t for t in widget_texts(flow) if "王某" in t or "-2026" in t]


# --- accessibility, touch size, clipping ---------------------------------------------------------------------------


def _controls(root: QWidget) -> list[QWidget]:
    return [
        w
        for w in root.findChildren(QWidget)
        if w.isVisible() and isinstance(w, (QAbstractButton, QLineEdit, QPlainTextEdit))
    ]


@pytest.mark.parametrize("size", [(1920, 1080), (1280, 1024)])
def test_every_control_on_every_page_has_a_name_and_a_touch_sized_target(
    qtbot: Any, rig: KioskRig, ops: Ops, size: tuple[int, int]
) -> None:
    flow = make_flow(qtbot, rig, ops, size=size)
    minimum = touch_px()
    for step in STEPS:
        if flow.page().step is not step:
            walk_to(qtbot, flow, step)
        qtbot.wait(1)
        if flow.keyboard.rare_button.isVisible():
            tap(qtbot, flow.keyboard.rare_button)
        for w in _controls(flow):
            assert w.accessibleName(), "{0} on {1}".format(type(w).__name__, step.value)
            if isinstance(w, QAbstractButton):
                assert w.height() >= minimum and w.width() >= minimum, (step.value, w.accessibleName(), w.size())
        flow.keyboard.close_picker()
        flow.reset_visit()


@pytest.mark.parametrize("locale", ["zh_CN", "zh_TW", "en"])
def test_nothing_is_clipped_at_175_percent_text(
    qtbot: Any, rig: KioskRig, ops: Ops, app: QApplication, locale: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = current_locale()
    set_locale(locale)
    try:
        with text_size(app, 175):
            flow = make_flow(qtbot, rig, ops, size=(1280, 1024))
            for step in STEPS:
                if flow.page().step is not step:
                    walk_to(qtbot, flow, step)
                qtbot.wait(1)
                assert clipped_texts(flow) == [], step.value
                flow.reset_visit()
    finally:
        set_locale(before)
