"""An adjudication end to end through the real desk windows, on a real encrypted store in its own worker process
(the production mode, ``DeskShell(store_process=True)``): nothing below calls a service.

The land desk (``SZ-GHZY-PS``, which handles land-title disputes for the district government) registers a
土地权属争议 through the intake dialog; the handler (med1) does the handling acts from the case page's act buttons
and act dialogs, and cannot do the legality review (the button is disabled with the engine's reasons). Locked
(File → Lock) and unlocked as sup1, a legally qualified supervisor who did no handling act, the case is found in
the Supervision page's 合法性审查 queue and reviewed; sup1, the reviewer, cannot then approve. Unlocked as the
head of the body (head1), the case is found in the approval queue: the collective discussion (a land title is a
major decision), the head's approval (负责人审批), the decision, and the 行政裁决书 issued from the Documents tab.
Unlocked as med1 again, the case is opened from the case list and the decision served (送达); the issued
decision's PDF states the reasons and the remedy (行政复议 to the municipal government first, then the court).

Chinese is typed with ``setText`` (``QTest.keyClicks`` cannot type it).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtPdf import QPdfDocument
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMenu, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from fzmediate.desk import supervisor as sv
from fzmediate.desk.case_view import CaseScreen
from fzmediate.i18n import _
from fzmediate.services.workspace import Workspace
from fzmediate.settings import Settings
from tests.cases_support import APPLICANT_ID, RESPONDENT_ID
from tests.documents import case_lifecycles as life
from tests.ui.conftest import MonoClock
from tests.ui.flow_support import field_errors, fill, party_label, press, wait_window
from ui.desk.case_view.act_dialog import ActDialog
from ui.desk.case_view.case_page import CasePage
from ui.desk.case_view.form_widgets import TextEditor
from ui.desk.document_preview import DocumentPreview
from ui.desk.intake.intake_dialog import IntakeDialog
from ui.desk.main_window import CASES, SUPERVISOR, MainWindow
from ui.desk.shell import DeskShell
from ui.desk.supervisor_page import SupervisorPage
from ui.ops import Ops
from ui.store_process import ProcessSessionContext

pytestmark = pytest.mark.desk_unit(life.LAND_UNIT)

WAIT = 30_000
SHOTS = Path("/tmp/shots/flow-adjudication")
APPLY = "Apply the act"  # the act dialog's button, by its accessible name (msgid)


@pytest.fixture
def land_shell(app: QApplication, initialized: Workspace, ops: Ops) -> Iterator[DeskShell]:
    """The land desk, staffed, behind the production shell: the store runs in a worker process per session."""
    life.staff(initialized, life.LAND_UNIT)
    shell = DeskShell(initialized, ops, Settings(idle_lock_seconds=3600), idle_clock=MonoClock(), idle_tick_ms=50)
    shell.start()
    yield shell
    shell.shutdown()
    ops.shutdown()


# --- the shell ------------------------------------------------------------------------------------------
def unlock(qtbot: QtBot, shell: DeskShell, login: str, password: str) -> MainWindow:
    screen = shell.gate.unlock_screen
    screen.login.edit.setText(login)
    screen.password.edit.setText(password)
    with qtbot.waitSignal(shell.unlocked, timeout=WAIT):
        QTest.mouseClick(screen.unlock_button, Qt.MouseButton.LeftButton)
    assert isinstance(shell.context, ProcessSessionContext)  # the production mode, not the in-thread store
    window = shell.main_window
    assert window is not None and window.actor.login == login
    window.resize(1280, 860)
    return window


def lock(qtbot: QtBot, shell: DeskShell, window: MainWindow) -> None:
    """File → Lock."""
    file_menu = window.menuBar().actions()[0].menu()
    assert isinstance(file_menu, QMenu) and window.lock_action in file_menu.actions()
    with qtbot.waitSignal(shell.locked, timeout=WAIT):
        window.lock_action.trigger()
    assert shell.main_window is None


def shot(widget: QWidget, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    widget.grab().save(str(SHOTS / name))


# --- the case page --------------------------------------------------------------------------------------
def current_case_page(qtbot: QtBot, window: MainWindow, case_id: str) -> CasePage:
    assert window.case_tabs is not None
    tabs = window.case_tabs
    qtbot.waitUntil(lambda: getattr(tabs.currentWidget(), "case_id", None) == case_id, timeout=WAIT)
    page = tabs.currentWidget()
    assert isinstance(page, CasePage)
    qtbot.waitUntil(lambda: page.case_screen is not None, timeout=WAIT)
    return page


def act(qtbot: QtBot, page: CasePage, action: str, multiline: tuple[str, ...] = (), **fields: Any) -> None:
    """Press the act's button, fill its dialog, apply; wait until the page shows the act in the timeline.
    ``multiline``: fields whose editor must take several lines (a decision's items are its lines)."""
    assert page.case_screen is not None
    done = len(page.case_screen.timeline)
    button = page.acts_panel.buttons[action]
    assert button.isEnabled(), "{0}: {1}".format(action, button.toolTip())
    QTest.mouseClick(button, Qt.MouseButton.LeftButton)
    dialog = wait_window(qtbot, ActDialog, title=page.case_screen.act(action).label)
    for name in multiline:
        editor = dialog.editors[name]
        assert isinstance(editor, TextEditor) and editor.area is not None, name
    for name, value in fields.items():
        fill(dialog, name, value)
    if multiline:
        shot(dialog, "act-{0}.png".format(action))
    press(qtbot, dialog, _(APPLY))
    qtbot.waitUntil(lambda: not dialog.isVisible() or bool(field_errors(dialog)), timeout=WAIT)
    assert not dialog.isVisible(), "{0} refused: {1}".format(action, field_errors(dialog))
    qtbot.waitUntil(
        lambda: (
            page.case_screen is not None
            and len(page.case_screen.timeline) > done
            and page.case_screen.timeline[-1].action == action
        ),
        timeout=WAIT,
    )


def screen(page: CasePage) -> CaseScreen:
    assert page.case_screen is not None
    return page.case_screen


def disabled_with_reasons(page: CasePage, action: str) -> tuple[str, ...]:
    """The act's button is disabled and says why — the engine's reasons, in tooltip and accessible description."""
    assert page.case_screen is not None
    button = page.acts_panel.buttons[action]
    reasons = page.case_screen.act(action).reasons
    assert not button.isEnabled() and reasons
    assert button.toolTip() == "\n".join(reasons) == button.accessibleDescription()
    return reasons


# --- the supervision queues -----------------------------------------------------------------------------
def open_from_queue(qtbot: QtBot, window: MainWindow, queue: str, case_id: str, action: str) -> sv.QueueEntry:
    """Supervision → the queue → select the case's line for ``action`` (which the signed-in user may do now) →
    Open case; returns the queue's entry."""
    window.show_page(SUPERVISOR)
    page = window.pages[SUPERVISOR]
    assert isinstance(page, SupervisorPage)
    queues = page.queues
    qtbot.waitUntil(lambda: queues.data is not None and queues.refresh_button.isEnabled(), timeout=WAIT)
    queues.select_queue(queue)
    assert queues.table.select_payload(
        lambda e: isinstance(e, sv.QueueEntry) and e.case.id == case_id and e.act == action
    ), [(e.case.number, e.act) for e in getattr(queues.data, queue)]
    entry = queues.table.current_payload()
    assert isinstance(entry, sv.QueueEntry)
    assert entry.allowed, entry.reasons
    shot(window, "queue-{0}.png".format(queue))
    press(qtbot, queues, _("Open case"))
    return entry


def queued_data(window: MainWindow) -> sv.Queues:
    page = window.pages[SUPERVISOR]
    assert isinstance(page, SupervisorPage) and page.queues.data is not None
    return page.queues.data


# --- the flow -------------------------------------------------------------------------------------------
def register(qtbot: QtBot, window: MainWindow) -> str:
    """Cases → New case…: the intake dialog, the land-title matter, two parties; the case opens in its tab."""
    window.new_case_action.trigger()
    dialog = wait_window(qtbot, IntakeDialog)
    qtbot.waitUntil(lambda: dialog.matter_model.rowCount() > 0, timeout=WAIT)
    dialog.search.setText("土地")
    assert dialog.select_matter("PS-CJ-001")
    press(qtbot, dialog, _("Continue"))
    assert dialog.matter is not None and dialog.matter.ours
    dialog.summary.edit.setText("土地使用权权属争议")
    dialog.facts.set_text("争议地块位于坪山区坑梓街道某村，双方均主张使用权。")
    dialog.claims.set_text("请求确认争议地块的集体土地使用权归申请人所有。")
    [applicant] = dialog.parties.editors
    applicant.name.edit.setText(life.APPLICANT)
    applicant.identity.set_text(APPLICANT_ID)
    applicant.phone.edit.setText(life.APPLICANT_PHONE)
    applicant.address.edit.setText("坪山区坪山街道测试路1号")
    respondent = dialog.parties.add_person("respondent")
    respondent.name.edit.setText(life.RESPONDENT)
    respondent.identity.set_text(RESPONDENT_ID)
    respondent.phone.edit.setText(life.RESPONDENT_PHONE)
    respondent.address.edit.setText("坪山区坑梓街道")
    for check, _required in dialog.guide.materials:
        check.setChecked(True)
    registered: list[str] = []
    dialog.registered.connect(registered.append)
    shot(dialog, "intake.png")
    press(qtbot, dialog, dialog.register_button.accessibleName())
    qtbot.waitUntil(lambda: bool(registered) or bool(dialog.error.text()), timeout=WAIT)
    assert registered, dialog.error.text()
    return registered[0]


def handle(qtbot: QtBot, page: CasePage) -> None:
    """med1's handling acts, each through its button and dialog, in the procedure's order."""
    both = [party_label("applicant"), party_label("respondent")]
    act(qtbot, page, "accept", note="材料齐全，予以受理")
    act(qtbot, page, "serve_copy", parties=[party_label("respondent")], method="post")
    act(qtbot, page, "receive_reply", party=party_label("respondent"), summary="争议地块系其承包地")
    act(qtbot, page, "disclose_conflicts", has_conflict=False)
    act(qtbot, page, "issue_rights_notice")
    act(qtbot, page, "acknowledge_rights_notice", parties=both, method="signature")
    act(qtbot, page, "attempt_mediation", result="failed", note="双方均坚持己见")
    act(qtbot, page, "hold_hearing", present=both, summary="申请人出示村委会证明；被申请人出示承包合同。双方质证。")
    act(
        qtbot, page, "record_contested_point", multiline=("finding", "reasoning"),
        point=life.CONTESTED_POINT["point"], finding=life.CONTESTED_POINT["finding"],
        evidence=life.CONTESTED_POINT["evidence"], reasoning=life.CONTESTED_POINT["reasoning"],
    )  # fmt: skip


def pdf_text(qtbot: QtBot, page: CasePage) -> str:
    """Documents → the issued 行政裁决书 → View version: the text of every page, without the line breaks."""
    panel = page.documents
    page.show_documents()
    qtbot.waitUntil(lambda: panel.data is not None and panel.data.kind("decision") is not None, timeout=WAIT)
    panel.select_kind("decision")
    qtbot.waitUntil(lambda: panel.view_button.isEnabled(), timeout=WAIT)
    with qtbot.waitSignal(panel.preview_opened, timeout=WAIT) as opened:
        press(qtbot, panel, _("View version"))
    preview = opened.args[0]
    assert isinstance(preview, DocumentPreview)
    qtbot.waitUntil(lambda: preview.document.status() == QPdfDocument.Status.Ready, timeout=WAIT)
    text = "".join(preview.document.getAllText(i).text() for i in range(preview.page_count()))
    preview.close()
    return re.sub(r"\s+", "", text)


def issue_decision(qtbot: QtBot, page: CasePage) -> None:
    """Documents → 行政裁决书 → Issue… → confirm."""
    panel = page.documents
    page.show_documents()
    qtbot.waitUntil(lambda: panel.data is not None and not panel._busy, timeout=WAIT)
    panel.select_kind("decision")
    kind = panel.selected_kind()
    assert kind is not None and kind.title == "行政裁决书" and not kind.versions
    qtbot.waitUntil(panel.issue_button.isEnabled, timeout=WAIT)
    press(qtbot, panel, _("Issue"))
    box = panel.confirm_box
    assert isinstance(box, QMessageBox)
    [yes] = [b for b in box.buttons() if box.buttonRole(b) is QMessageBox.ButtonRole.AcceptRole]
    QTest.mouseClick(yes, Qt.MouseButton.LeftButton)

    def issued() -> bool:
        found = panel.data.kind("decision") if panel.data is not None else None
        return found is not None and found.current is not None

    qtbot.waitUntil(issued, timeout=WAIT)
    shot(page, "documents-issued.png")


def test_an_adjudication_from_intake_to_service_through_the_desk(qtbot: QtBot, land_shell: DeskShell) -> None:
    shell = land_shell

    # --- the handler (med1): registers the application and handles the case --------------------------
    window = unlock(qtbot, shell, *life.MEDIATOR)
    assert SUPERVISOR not in window.pages  # a mediator has no supervision queues
    case_id = register(qtbot, window)
    page = current_case_page(qtbot, window, case_id)
    assert screen(page).received_on == screen(page).today
    handle(qtbot, page)
    shot(window, "handled.png")
    review_label = screen(page).act("review").label
    # The handler may not review: not legally qualified, and handled the case (the engine says both).
    reasons = disabled_with_reasons(page, "review")
    assert _("{action} needs a user with a legal qualification").format(action=review_label) in reasons
    accept_label = screen(page).act("accept").label
    different = _("{action} must be done by someone other than the person who did: {acts}")
    assert any(r.startswith(different.format(action=review_label, acts="")) and accept_label in r for r in reasons)
    lock(qtbot, shell, window)

    # --- the legality review (sup1: legally qualified, no handling act) from the 合法性审查 queue ---------
    window = unlock(qtbot, shell, *life.SUPERVISOR)
    open_from_queue(qtbot, window, sv.Queue.REVIEW, case_id, "review")
    page = current_case_page(qtbot, window, case_id)
    act(qtbot, page, "review", result="approved", reasons="事实清楚，证据确凿，适用法律正确，程序合法。")
    # The reviewer may not approve the decision she reviewed.
    approve_label = screen(page).act("approve_decision").label
    reasons = disabled_with_reasons(page, "approve_decision")
    assert different.format(action=approve_label, acts=review_label) in reasons
    lock(qtbot, shell, window)

    # --- the head of the body (head1): collective discussion, approval, decision, the 裁决书 issued ----------
    window = unlock(qtbot, shell, *life.HEAD)
    # The approval queue lists the approval, not yet possible, and the collective discussion that comes first.
    queued = open_from_queue(qtbot, window, sv.Queue.APPROVAL, case_id, "record_collective_discussion")
    approval = next(e for e in getattr(queued_data(window), sv.Queue.APPROVAL) if e.act == "approve_decision")
    assert not approval.allowed and approval.case.id == queued.case.id
    page = current_case_page(qtbot, window, case_id)
    # A major decision: the collective discussion comes first; the queue and the case page say the same.
    assert disabled_with_reasons(page, "approve_decision") == approval.reasons
    act(
        qtbot, page, "record_collective_discussion",
        held_on=screen(page).today, participants=["钱负责", "孙赟"], conclusion="同意作出裁决",
    )  # fmt: skip
    act(qtbot, page, "approve_decision", result="approved", reasons="同意")
    act(qtbot, page, "decide", multiline=("decision_text", "facts_found", "claims"), **life.DECISION)
    issue_decision(qtbot, page)
    lock(qtbot, shell, window)

    # --- the handler serves the decision (送达) and reads the issued 裁决书 ------------------------------
    window = unlock(qtbot, shell, *life.MEDIATOR)
    window.show_page(CASES)
    cases = window.case_list
    qtbot.waitUntil(lambda: cases.model.row_of(case_id) >= 0, timeout=WAIT)
    cases.table.selectRow(cases.model.row_of(case_id))
    QTest.keyClick(cases.table, Qt.Key.Key_Return)
    page = current_case_page(qtbot, window, case_id)
    act(
        qtbot, page, "serve_decision", parties=[party_label("applicant"), party_label("respondent")], method="in_person"
    )
    assert screen(page).state == "decision_served"
    shot(window, "served.png")
    text = pdf_text(qtbot, page)
    # The reasons (本机关认为…) and the remedy: review by the municipal government first, then the court.
    for needle in (
        "本机关认为",
        str(life.CONTESTED_POINT["reasoning"]),
        "一、争议地块的集体土地使用权归申请人",  # the decision's lines are its numbered items
        "二、被申请人",
        "60日内向深圳市人民政府申请行政复议",
        "15日内向深圳市中级人民法院提起行政诉讼",
        life.LAND_ISSUER,
    ):
        assert needle in text, needle
    lock(qtbot, shell, window)
