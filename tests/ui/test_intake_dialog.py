"""The intake dialog on a real store: choose the matter, fill parties (rare names, a Hong Kong permit, an organisation
with its 法定代表人, an agent with special authority), tick the materials, attach a scan, register; a bad ID number is
shown beside its field and nothing is sent; a duplicate is asked about and registered once confirmed."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from fzmediate.i18n import _
from fzmediate.services.attachments import AttachmentService
from tests.cases_support import AGENT_ID, COMPANY_ID, intake
from tests.synthetic import make_resident_id
from tests.ui.desk_support import in_store
from tests.ui.fit import clipped_texts, text_size
from ui.desk.intake import intake_dialog
from ui.desk.intake.intake_dialog import IntakeDialog, open_intake
from ui.desk.page import DeskEnv

SHOTS = Path("/tmp/shots/intake")
WAIT = 20_000


def png() -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0)
    raw = b"".join(b"\x00" + b"\xc0\x20\x20" * 2 for _row in range(2))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


class Host(QWidget):
    """Stands in for the main window: it opens the new case's tab."""

    def __init__(self) -> None:
        super().__init__()
        self.opened: list[str] = []

    def open_case(self, case_id: str) -> None:
        self.opened.append(case_id)


@pytest.fixture
def host(qtbot: QtBot) -> Host:
    widget = Host()
    qtbot.addWidget(widget)
    widget.resize(1280, 900)
    widget.show()
    return widget


@pytest.fixture
def asked(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every question the dialog asks (answered yes)."""
    questions: list[str] = []

    def answer(parent: QWidget, title: str, text: str, yes: str) -> bool:
        questions.append(text)
        return True

    monkeypatch.setattr(intake_dialog, "ask", answer)
    return questions


def to_form(qtbot: QtBot, env: DeskEnv, host: QWidget, code: str = "PS-TJ-007") -> IntakeDialog:
    dialog = open_intake(env, host)
    qtbot.waitUntil(lambda: dialog.matter_model.rowCount() > 0, timeout=WAIT)
    dialog.search.setText("物业")
    assert dialog.proxy.rowCount() >= 1
    assert dialog.select_matter(code)
    dialog.continue_to_form()
    assert dialog.matter is not None and dialog.matter.code == code
    return dialog


def fill_case(
    dialog: IntakeDialog, *, applicant_type: str = "hk_macao_permit", applicant_id: str = "H12345678"
) -> None:
    dialog.summary.edit.setText("物业服务费纠纷")
    dialog.facts.set_text("电梯长期故障，物业公司未维修。")
    dialog.claims.set_text("请求减免物业服务费。")
    [applicant] = dialog.parties.editors
    applicant.name.edit.setText("王𠮷")
    applicant.identity.set_id_type(applicant_type)
    applicant.identity.set_text(applicant_id)
    applicant.phone.edit.setText("13912345678")
    applicant.address.edit.setText("坪山区坪山街道测试路1号")
    company = dialog.parties.add_organisation()
    company.name.edit.setText("坪山某物业管理有限公司")
    company.identity.set_text(COMPANY_ID)
    assert company.representative is not None
    company.representative.edit.setText("赵某")


def tick_materials(dialog: IntakeDialog) -> None:
    for check, _required in dialog.guide.materials:
        check.setChecked(True)
    assert dialog.guide.missing_required() == 0


def test_register_a_case_with_parties_agent_and_a_scan(
    qtbot: QtBot, desk_env: DeskEnv, host: Host, asked: list[str]
) -> None:
    dialog = to_form(qtbot, desk_env, host)
    fill_case(dialog)
    applicant = dialog.parties.editors[0]
    agent = dialog.parties.add_agent(acts_for=applicant)
    agent.name.edit.setText("张䶮")
    agent.identity.set_text(AGENT_ID)
    agent.phone.edit.setText("13700003333")
    assert agent.authority is not None and agent.scope is not None and agent.power_of_attorney is not None
    agent.authority.set_value("special")
    agent.scope.set_text("代为承认、放弃、变更调解请求，代为签署调解协议")
    agent.power_of_attorney.set_text("授权委托书一份")
    tick_materials(dialog)
    assert dialog.attachments.add_file("身份证明.png", png(), material="申请人身份证明")
    assert not dialog.attachments.add_file("readme.txt", b"hello")  # refused by content, the rule shown
    assert dialog.attachments.error.text()
    assert len(dialog.attachments.attachments()) == 1
    SHOTS.mkdir(parents=True, exist_ok=True)
    dialog.grab().save(str(SHOTS / "form.png"))

    assert dialog.submit()
    qtbot.waitUntil(lambda: bool(host.opened), timeout=WAIT)
    assert asked == []  # every required material ticked, no duplicate: nothing to ask
    case_id = host.opened[0]

    def stored(session: Any) -> tuple[Any, Any]:
        return session.cases.get(case_id), AttachmentService(session).list(case_id)

    case, files = in_store(qtbot, desk_env, stored)
    parties = [(p.role.value, p.name, p.id_type) for p in case.parties]
    assert parties == [
        ("applicant", "王𠮷", "hk_macao_permit"),
        ("respondent", "坪山某物业管理有限公司", "uscc"),
        ("agent", "张䶮", "resident_id"),
    ]
    assert case.parties[1].legal_representative == "赵某" and case.parties[1].representative_title == "法定代表人"
    assert case.parties[2].represents == case.parties[0].id and case.parties[2].authority == "special"
    assert [(f.media_type, f.material) for f in files] == [("image/png", "申请人身份证明")]


def test_a_bad_id_number_is_shown_beside_the_field_and_nothing_is_sent(
    qtbot: QtBot, desk_env: DeskEnv, host: Host, asked: list[str]
) -> None:
    good = make_resident_id(region="440310", birth=dt_date(1975, 3, 14), seq=101)
    bad = good[:-1] + ("1" if good[-1] != "1" else "2")
    dialog = to_form(qtbot, desk_env, host)
    fill_case(dialog, applicant_type="resident_id", applicant_id=bad)
    tick_materials(dialog)
    field = dialog.parties.editors[0].identity
    rule = _("ID number: the check character does not match; look for a mistyped digit.")
    assert field.error_text() == rule and field.number.accessibleDescription() == rule  # as typed
    assert not dialog.submit()
    assert field.error_text() == rule and dialog.error.text()
    assert not dialog._busy and host.opened == []
    assert in_store(qtbot, desk_env, lambda s: s.cases.list()) == []
    field.set_text(good)
    assert field.error_text() == ""


def test_a_duplicate_is_asked_about_and_registered_once_confirmed(
    qtbot: QtBot, desk_env: DeskEnv, host: Host, asked: list[str]
) -> None:
    first = in_store(qtbot, desk_env, lambda s: s.cases.create(intake(), confirm_duplicate=True))
    dialog = to_form(qtbot, desk_env, host)
    fill_case(dialog, applicant_type="resident_id", applicant_id=intake()["parties"][0]["id_number"])
    tick_materials(dialog)
    assert dialog.submit()
    qtbot.waitUntil(lambda: bool(host.opened), timeout=WAIT)
    assert len(asked) == 1 and first.number in asked[0]
    assert len(in_store(qtbot, desk_env, lambda s: s.cases.list())) == 2


def test_missing_materials_and_unsaved_input_are_asked_about(
    qtbot: QtBot, desk_env: DeskEnv, host: Host, monkeypatch: pytest.MonkeyPatch
) -> None:
    answers: list[bool] = []
    questions: list[str] = []

    def answer(parent: QWidget, title: str, text: str, yes: str) -> bool:
        questions.append(title)
        return answers.pop(0)

    monkeypatch.setattr(intake_dialog, "ask", answer)
    dialog = to_form(qtbot, desk_env, host)
    fill_case(dialog)
    answers.append(False)  # not every required material ticked: go back
    assert not dialog.submit()
    assert questions == [_("Required materials")]
    answers.append(False)  # keep the unsaved application
    dialog.reject()
    assert dialog.isVisible()
    answers.append(True)
    with qtbot.waitSignal(dialog.rejected, timeout=WAIT):
        dialog.reject()
    assert questions[-2:] == [_("Unsaved application"), _("Unsaved application")]
    assert host.opened == []


def fits(qtbot: QtBot, dialog: QWidget) -> None:
    """No text clipped once the nested layouts have settled on the event loop (as the user sees it)."""

    def check() -> None:
        assert clipped_texts(dialog) == []

    qtbot.waitUntil(check, timeout=5_000)


@pytest.mark.parametrize("percent", [100, 175])
def test_no_text_is_clipped(qtbot: QtBot, desk_env: DeskEnv, host: Host, app: QApplication, percent: int) -> None:
    with text_size(app, percent):
        dialog = open_intake(desk_env, host)
        qtbot.waitUntil(lambda: dialog.matter_model.rowCount() > 0, timeout=WAIT)
        assert dialog.select_matter("PS-TJ-001")  # not ours: the notice names the competent body
        fits(qtbot, dialog)
        assert "深圳市市场监督管理局坪山监管局" in dialog.matter_note.text()
        dialog.continue_to_form()
        dialog.parties.add_organisation()
        dialog.parties.add_agent(acts_for=dialog.parties.editors[0])
        dialog.attachments.add_file("scan.png", png())
        fits(qtbot, dialog)
        SHOTS.mkdir(parents=True, exist_ok=True)
        dialog.grab().save(str(SHOTS / "form-{0}.png".format(percent)))
        assert dialog.not_ours.isVisible() and dialog.register_button.text() == _("Register for transfer")
        dialog._dirty = False
        dialog.reject()


def dt_date(year: int, month: int, day: int) -> Any:
    from datetime import date

    return date(year, month, day)


def test_a_kiosk_application_opens_the_same_form_prefilled(
    qtbot: QtBot, desk_env: DeskEnv, host: Host, staffed: Any, clock: Any, tmp_path: Path, asked: list[str]
) -> None:
    from fzmediate.services.intake_inbox import IntakeInbox
    from fzmediate.services.office_intake import OfficeIntake
    from tests.kiosk_support import Desk, make_kiosk
    from tests.support import KIOSK_PW

    exported = in_store(qtbot, desk_env, lambda s: OfficeIntake(s).export_key(tmp_path / "office-key.json"))
    kiosk = make_kiosk(tmp_path, clock, Desk(staffed, exported.path, exported.key_id, exported.signer_fingerprint))
    with kiosk.open(KIOSK_PW) as k:
        data = intake()
        del data["received_on"]
        receipt = k.submit_application(data)
        k.export_applications(tmp_path / "apps.json")
    in_store(qtbot, desk_env, lambda s: IntakeInbox(s).import_file(tmp_path / "apps.json"))

    dialog = open_intake(desk_env, host, receipt.application_id)
    qtbot.waitUntil(lambda: dialog.matter is not None and len(dialog.parties.editors) == 2, timeout=WAIT)
    assert dialog.summary.text() == "物业服务费纠纷" and not dialog.has_unsaved_input()
    assert [e.name.text() for e in dialog.parties.editors] == ["王𠮷", "坪山某物业管理有限公司"]
    dialog.summary.edit.setText("物业服务费纠纷（已核对）")
    tick_materials(dialog)
    assert dialog.submit()
    qtbot.waitUntil(lambda: bool(host.opened), timeout=WAIT)
    [entry] = in_store(qtbot, desk_env, lambda s: IntakeInbox(s).list("registered"))
    assert entry.case_id == host.opened[0]


def test_the_viewer_shows_images_and_pdfs_from_memory(qtbot: QtBot, app: QApplication) -> None:
    import io

    from reportlab.pdfgen import canvas

    from ui.desk.intake.attachment_viewer import AttachmentViewer
    from ui.desk.intake.attachments_panel import AttachmentsPanel

    out = io.BytesIO()
    pdf = canvas.Canvas(out)
    pdf.drawString(72, 720, "scan")
    pdf.save()
    panel = AttachmentsPanel()
    qtbot.addWidget(panel)
    assert panel.add_file("合同.pdf", out.getvalue()) and panel.add_file("照片.png", png())
    panel.table.selectRow(0)
    shown = panel.view_selected()
    assert shown is not None and shown.kind == "pdf" and shown.document is not None
    assert shown.document.pageCount() == 1
    shown.close()
    panel.table.selectRow(1)
    image = panel.view_selected()
    assert image is not None and image.kind == "image" and image.image_view is not None
    image.close()
    heic = AttachmentViewer("photo.heic", "image/heic", b"\x00\x00\x00\x18ftypheic" + b"\x00" * 16)
    qtbot.addWidget(heic)
    assert heic.kind == "unsupported"
    panel.remove_selected()
    assert [f.name for f in panel.attachments()] == ["合同.pdf"]
