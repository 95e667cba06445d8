"""The issue's must-hold flow of a mediation, through the real desk windows, with the store in its worker process
as in production: sign in on the unlock screen → "New case" → the intake form (applicant 王𠮷 with a Hong Kong and
Macao permit, respondent 张䶮 with an agent holding special authority) → the case tab → every act through its button
and its generated dialog (accept, consent, disclosure, rights notice and its acknowledgement — the respondent's
given by the agent —, a session with minutes, the agreement drafted with the agreement editor) → the draft printed
from the Documents tab → the signatures recorded from the printed draft → the agreement issued → the 司法确认
reminder and the follow-up the procedure owes → closed. Checked on screen along the way and in the store at the end.

Only the print system is faked, at its process boundary: the printing service runs ``lp`` / ``lpstat`` (found on
``PATH``) in the store process; the test puts two small scripts first on ``PATH`` before that process is spawned.
``lpstat`` names one printer; ``lp`` keeps its arguments and the bytes it got on standard input, answering as CUPS
does. A monkeypatch of ``printing._run`` could not work here (it lives in the test's process, the print runs in the
store's), and a private cupsd (``tests/cups_server.py``) needs root and is already exercised by the printing tests;
what matters here is what the desk handed to the print system — the PDF itself and the copies.
"""

from __future__ import annotations

import json
import os
import stat
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QComboBox, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from fzmediate.desk.case_view import CaseScreen
from fzmediate.i18n import _
from fzmediate.services.workspace import Workspace
from fzmediate.settings import Settings
from tests.cases_support import AGENT_ID, RESPONDENT_ID
from tests.documents import case_lifecycles as life
from tests.documents.pdftools import pdftotext
from tests.ui.flow_support import (
    WAIT_MS,
    click_item,
    field_errors,
    fill,
    find_button,
    party_label,
    press,
    wait_closed,
    wait_window,
)
from ui.desk.case_view.act_dialog import ActDialog
from ui.desk.case_view.case_page import CasePage
from ui.desk.case_view.documents_panel import DocumentsPanel
from ui.desk.case_view.print_dialog import PrintDialog
from ui.desk.intake.intake_dialog import IntakeDialog
from ui.desk.intake.party_editor import PartyEditor
from ui.desk.main_window import MainWindow
from ui.desk.shell import DeskShell
from ui.ops import Ops
from ui.store_process import ProcessSessionContext

SHOTS = Path("/tmp/shots/flow-mediation")
PRINTER = "fz-pdf"
PERMIT = "H12345678"
MINUTES = "申请人王𠮷陈述：小区电梯停运45天。\n被申请人代理人表示愿意协商退还部分物业服务费。"


# --- the print system's boundary ---------------------------------------------------------------------------
_LP = """#!{python}
import json, pathlib, sys
jobs = pathlib.Path({jobs!r})
n = len(list(jobs.glob("*.json"))) + 1
(jobs / "{{0}}.pdf".format(n)).write_bytes(sys.stdin.buffer.read())
(jobs / "{{0}}.json".format(n)).write_text(json.dumps(sys.argv[1:]))
print("request id is {printer}-{{0}} (1 file(s))".format(n))
"""
_LPSTAT = """#!{python}
import sys
if "-d" in sys.argv:
    print("system default destination: {printer}")
else:
    print("{printer}")
"""


@dataclass(frozen=True)
class Job:
    args: tuple[str, ...]
    pdf: bytes

    def option(self, flag: str) -> str:
        return self.args[self.args.index(flag) + 1]


class FakePrintSystem:
    """``lp`` and ``lpstat`` on ``PATH`` (inherited by the spawned store process); ``jobs()`` what ``lp`` got."""

    def __init__(self, root: Path) -> None:
        self.bin = root / "bin"
        self.spool = root / "jobs"
        self.bin.mkdir(parents=True)
        self.spool.mkdir()
        for name, text in (("lp", _LP), ("lpstat", _LPSTAT)):
            path = self.bin / name
            path.write_text(text.format(python=sys.executable, jobs=str(self.spool), printer=PRINTER), "utf-8")
            path.chmod(path.stat().st_mode | stat.S_IXUSR)

    def jobs(self) -> list[Job]:
        out = []
        for n in range(1, len(list(self.spool.glob("*.json"))) + 1):
            args = json.loads((self.spool / "{0}.json".format(n)).read_text("utf-8"))
            out.append(Job(tuple(args), (self.spool / "{0}.pdf".format(n)).read_bytes()))
        return out


@pytest.fixture
def print_system(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FakePrintSystem:
    fake = FakePrintSystem(tmp_path / "print-system")
    monkeypatch.setenv("PATH", str(fake.bin) + os.pathsep + os.environ.get("PATH", ""))
    return fake


@pytest.fixture
def desk(app: QApplication, staffed: Workspace, ops: Ops, print_system: FakePrintSystem) -> Iterator[DeskShell]:
    """The desk as it runs: the store in its worker process (started while the unlock screen shows)."""
    shell = DeskShell(staffed, ops, Settings(), store_process=True)
    yield shell
    shell.shutdown()  # locks the session: the store process ends
    ops.shutdown()


def ended(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


# --- small steps, as the user does them ---------------------------------------------------------------------
def click(widget: QWidget) -> None:
    QTest.mouseClick(widget, Qt.MouseButton.LeftButton)


def choose(combo: QComboBox, *, data: object = None, containing: str = "") -> None:
    """Pick an entry of a combo by its data or by a part of its text (as a user picks from the list)."""
    index = combo.findData(data) if data is not None else -1
    if index < 0 and containing:
        index = next((i for i in range(combo.count()) if containing in combo.itemText(i)), -1)
    assert index >= 0, [combo.itemText(i) for i in range(combo.count())]
    combo.setCurrentIndex(index)


def unlock(qtbot: QtBot, shell: DeskShell) -> MainWindow:
    shell.start()
    screen = shell.gate.unlock_screen
    screen.login.edit.setText(life.MEDIATOR[0])
    screen.password.edit.setText(life.MEDIATOR[1])
    with qtbot.waitSignal(shell.unlocked, timeout=WAIT_MS):
        click(screen.unlock_button)
    assert isinstance(shell.context, ProcessSessionContext) and shell.context.pid != os.getpid()
    assert shell.main_window is not None
    return shell.main_window


def fill_party(editor: PartyEditor, name: str, id_type: str, number: str, phone: str, address: str = "") -> None:
    editor.name.edit.setText(name)
    choose(editor.identity.type_combo, data=id_type)
    editor.identity.number.setText(number)
    editor.phone.edit.setText(phone)
    if address:
        editor.address.edit.setText(address)


def register(qtbot: QtBot, window: MainWindow) -> CasePage:
    """New case → the intake form → Register; returns the case's tab once it has loaded."""
    new_button = find_button(window, _("New case"))
    assert new_button is not None
    click(new_button)
    dialog = wait_window(qtbot, IntakeDialog)
    qtbot.waitUntil(lambda: dialog.matter_model.rowCount() > 0, timeout=WAIT_MS)
    dialog.search.setText("物业")
    click_item(dialog.matter_list, "PS-TJ-007")
    press(qtbot, dialog, _("Continue"))
    assert dialog.matter is not None and dialog.matter.code == "PS-TJ-007"

    dialog.summary.edit.setText("物业服务费纠纷")
    dialog.facts.set_text("小区2号楼电梯停运45天，物业公司未及时维修。")
    dialog.claims.set_text("请求被申请人退还多收的物业服务费人民币1200元。")
    [applicant] = dialog.parties.editors
    fill_party(
        applicant, "王𠮷", "hk_macao_permit", PERMIT, "13912345678", "广东省深圳市坪山区坪山街道六和社区某某路1号"
    )
    press(qtbot, dialog, _("Add person"))
    respondent = dialog.parties.editors[-1]
    choose(respondent.role.combo, data="respondent")
    fill_party(respondent, "张䶮", "resident_id", RESPONDENT_ID, "13800002222", "广东省深圳市坪山区坑梓街道某某路3号")
    press(qtbot, dialog, _("Add agent"))
    agent = dialog.parties.editors[-1]
    assert agent.represents is not None and agent.authority is not None and agent.scope is not None
    assert agent.power_of_attorney is not None
    fill_party(agent, "李𬌗", "resident_id", AGENT_ID, "13700003333")
    choose(agent.represents.combo, containing="张䶮")
    choose(agent.authority.combo, data="special")
    agent.scope.set_text("代为签收法律文书，代为承认、放弃、变更调解请求，代为签署调解协议")
    agent.power_of_attorney.set_text("授权委托书一份")
    for check, _required in dialog.guide.materials:
        if not check.isChecked():
            click(check.box)
    assert dialog.guide.missing_required() == 0
    SHOTS.mkdir(parents=True, exist_ok=True)
    dialog.grab().save(str(SHOTS / "intake.png"))

    tabs = window.case_tabs
    assert tabs is not None
    press(qtbot, dialog, _("Register"))
    qtbot.waitUntil(lambda: tabs.count() == 2 and isinstance(tabs.currentWidget(), CasePage), timeout=WAIT_MS)
    page = tabs.currentWidget()
    assert isinstance(page, CasePage)
    qtbot.waitUntil(lambda: page.case_screen is not None, timeout=WAIT_MS)
    wait_closed(qtbot, dialog)
    return page


def choose_document(panel: DocumentsPanel, kind: str) -> None:
    """Click the row of the document ``kind`` in the panel's list of documents."""
    found = panel.data.kind(kind) if panel.data is not None else None
    assert found is not None
    click_item(panel.kinds, found.title)
    chosen = panel.selected_kind()
    assert chosen is not None and chosen.kind == kind


def show_tab(page: CasePage, index: int) -> None:
    """Click the case page's section tab ``index`` (0: Procedure, where the acts are)."""
    bar = page.tabs.tabBar()
    QTest.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(index).center())
    assert page.tabs.currentIndex() == index


def screen_of(page: CasePage) -> CaseScreen:
    assert page.case_screen is not None
    return page.case_screen


def act(qtbot: QtBot, page: CasePage, action: str, fields: dict[str, Any]) -> None:
    """Press the act's button, fill its dialog, apply; wait until the case page shows the new version."""
    show_tab(page, 0)
    before = screen_of(page).version
    button = page.acts_panel.buttons[action]
    assert button.isEnabled(), "{0}: {1}".format(action, button.toolTip())
    click(button)
    dialog = wait_window(qtbot, ActDialog)
    assert dialog.form.action == action
    for name, value in fields.items():
        fill(dialog, name, value)
    press(qtbot, dialog, _("Apply the act"))
    qtbot.waitUntil(lambda: not dialog.isVisible() or (not dialog.busy and bool(field_errors(dialog))), timeout=WAIT_MS)
    assert not dialog.isVisible(), "{0} refused: {1}".format(action, field_errors(dialog))
    qtbot.waitUntil(lambda: screen_of(page).version > before, timeout=WAIT_MS)
    done = page.timeline.rows(page.timeline.done)
    assert done and done[-1].startswith("✓ " + screen_of(page).act(action).label), done


def state_shown(page: CasePage) -> str:
    """The state as the case header shows it (checked against the subtitle's text)."""
    screen = screen_of(page)
    assert screen.state_label in page.subtitle.text()
    return str(screen.state)


# --- the flow -----------------------------------------------------------------------------------------------
def test_mediation_from_intake_to_close_through_the_desk(
    qtbot: QtBot, desk: DeskShell, staffed: Workspace, print_system: FakePrintSystem
) -> None:
    window = unlock(qtbot, desk)
    page = register(qtbot, window)
    assert state_shown(page) == "registered"
    case_id = page.case_id
    applicant, respondent, agent = party_label("applicant"), party_label("respondent"), party_label("agent")

    act(qtbot, page, "accept", {"note": "材料齐全，予以受理"})
    assert state_shown(page) == "accepted"
    act(qtbot, page, "record_consent", {"party": respondent, "consent": "agreed"})
    act(qtbot, page, "disclose_conflicts", {"has_conflict": False, "details": "调解员与双方当事人均无利害关系"})
    act(qtbot, page, "issue_rights_notice", {})
    # The applicant signs for itself; the respondent's acknowledgement is given by its agent (特别授权).
    act(
        qtbot,
        page,
        "acknowledge_rights_notice",
        {"parties": [applicant], "method": "signature", "agents": [agent]},
    )
    [ack] = [e for e in screen_of(page).timeline if e.action == "acknowledge_rights_notice"]
    assert agent in ack.summary and "李𬌗" not in ack.summary  # the agent by its role and number, masked
    act(qtbot, page, "hold_session", {"present": "all", "agents": [agent], "summary": MINUTES})
    assert state_shown(page) == "in_mediation"
    assert any("电梯停运" in e.summary for e in screen_of(page).timeline if e.action == "hold_session")
    act(
        qtbot,
        page,
        "draft_agreement",
        {
            "facts_and_disputes": "双方对退费数额有争议，经调解达成一致。",
            "terms": [
                {
                    "obligor": respondent,
                    "obligee": applicant,
                    "content": "退还多收的物业服务费",
                    "amount": "1200",
                    "manner": "银行转账",
                    "place": "深圳市坪山区",
                    "deadline": "2026-12-31",
                }
            ],
        },
    )

    # The draft, printed for signing from the Documents tab through the real print dialog.
    documents = page.documents
    show_tab(page, page.tabs.indexOf(page.documents_tab))
    qtbot.waitUntil(
        lambda: documents.data is not None and documents.data.kind("agreement") is not None, timeout=WAIT_MS
    )
    choose_document(documents, "agreement")
    qtbot.waitUntil(documents.print_draft_button.isEnabled, timeout=WAIT_MS)  # reloaded after the draft act
    press(qtbot, documents, _("Print draft…"))
    printing = wait_window(qtbot, PrintDialog)
    assert printing.printer.currentText() == PRINTER
    copies = printing.copies.value()
    assert copies == 2 + 1  # one for each party (applicant, respondent) and one for the file
    press(qtbot, printing, _("Print"))
    qtbot.waitUntil(lambda: documents.log_model.rowCount() == 1, timeout=WAIT_MS)
    assert documents.log_model.cell(0, 3) == _("draft") and documents.log_model.cell(0, 4) == str(copies)
    [job] = print_system.jobs()
    assert job.option("-d") == PRINTER and job.option("-n") == str(copies)
    assert job.pdf.startswith(b"%PDF-")
    printed = pdftotext(job.pdf)
    assert "王𠮷" in printed and "张䶮" in printed

    act(qtbot, page, "record_agreement", {"from_draft": True, "signed_by": [applicant, respondent]})
    assert state_shown(page) == "agreed"

    # Issued (sealed) after the confirmation.
    show_tab(page, page.tabs.indexOf(page.documents_tab))
    choose_document(documents, "agreement")
    qtbot.waitUntil(documents.issue_button.isEnabled, timeout=WAIT_MS)  # reloaded after the signatures
    press(qtbot, documents, _("Issue…"))
    confirm = wait_window(qtbot, QMessageBox, name=_("Confirm issuing"))
    press(qtbot, confirm, _("Issue"))
    qtbot.waitUntil(lambda: documents.history_model.rowCount() == 1, timeout=WAIT_MS)
    assert documents.history_model.cell(0, 0) == "1" and documents.history_model.cell(0, 6) == _("in force")

    act(
        qtbot,
        page,
        "remind_judicial_confirmation",
        {"parties": "all", "court": "深圳市坪山区人民法院"},
    )
    act(qtbot, page, "follow_up", {"performance": "performed", "note": "电话回访，已退款"})
    act(qtbot, page, "close", {})
    assert state_shown(page) == "closed"
    SHOTS.mkdir(parents=True, exist_ok=True)
    window.grab().save(str(SHOTS / "closed.png"))

    # Lock (the store process ends), then read the store as a reviewer would.
    pid = desk.context.pid if isinstance(desk.context, ProcessSessionContext) else None
    with qtbot.waitSignal(desk.locked, timeout=WAIT_MS):
        window.lock_action.trigger()
    assert pid is not None
    qtbot.waitUntil(lambda: ended(pid), timeout=WAIT_MS)
    with staffed.unlock(*life.MEDIATOR) as s:
        case = s.cases.get(case_id)
        assert case.state == "closed"
        by_role = {p.role.value: p for p in case.parties}
        assert (by_role["applicant"].name, by_role["applicant"].id_type) == ("王𠮷", "hk_macao_permit")
        assert by_role["applicant"].id_number == PERMIT and by_role["respondent"].name == "张䶮"
        proxy = by_role["agent"]
        assert proxy.represents == by_role["respondent"].id and proxy.authority == "special"
        [ack_event] = [e for e in case.events if e.action == "acknowledge_rights_notice"]
        assert ack_event.payload["agents"] == [proxy.id]
        assert ack_event.payload["parties"] == [by_role["applicant"].id]
        assert [e.action for e in case.events][-3:] == ["remind_judicial_confirmation", "follow_up", "close"]
        [issued] = [d for d in s.documents.list(case_id) if d.kind == "agreement"]
        assert issued.version == 1
        text = pdftotext(s.documents.get_pdf(issued.id))
    assert "王𠮷" in text and "张䶮" in text and "退还多收的物业服务费" in text
