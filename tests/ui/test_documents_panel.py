"""The documents panel on a real encrypted store, driven as a mediator would: an agreement drafted, its draft
previewed (QtPdf, the draft mark on the page) and printed for signing, the signatures recorded, issued (after the
confirmation), re-issued with a reason (refused beside the field without one), printed again as the stored sealed
bytes, every print in the log. Only the print system's boundary is faked (``printing._run``: what ``lp`` got);
the print dialog is the real one, set as a user would."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import pytest
from PySide6.QtPdf import QPdfDocument
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from fzmediate.desk.documents import PrinterChoices
from fzmediate.i18n import _
from fzmediate.security.permissions import may
from fzmediate.services.documents import DRAFT_MARK
from tests.documents import case_lifecycles as life
from tests.ui.desk_support import WAIT_MS, in_store
from tests.ui.fit import clipped_texts, text_size
from tests.unit.test_desk_documents import FakeLp, fake_lp, sign
from ui.desk.case_view.documents_panel import DocumentsPanel, kind_status
from ui.desk.case_view.print_dialog import PrintChoice, PrintDialog
from ui.desk.case_view.reissue_dialog import ReissueDialog
from ui.desk.document_preview import DocumentPreview
from ui.desk.page import DeskEnv


@pytest.fixture
def lp(monkeypatch: pytest.MonkeyPatch) -> FakeLp:
    return fake_lp(monkeypatch)


def open_panel(qtbot: QtBot, env: DeskEnv, case_id: str) -> DocumentsPanel:
    panel = DocumentsPanel(env, case_id)
    qtbot.addWidget(panel)
    panel.resize(900, 800)
    panel.show()
    qtbot.waitUntil(lambda: panel.data is not None, timeout=WAIT_MS)
    return panel


def reloaded(qtbot: QtBot, panel: DocumentsPanel, condition: Callable[[], bool]) -> None:
    qtbot.waitUntil(condition, timeout=WAIT_MS)


def opened_preview(qtbot: QtBot, panel: DocumentsPanel, click: Callable[[], None]) -> DocumentPreview:
    with qtbot.waitSignal(panel.preview_opened, timeout=WAIT_MS) as signal:
        click()
    preview = signal.args[0]
    assert isinstance(preview, DocumentPreview)
    qtbot.waitUntil(lambda: preview.document.status() == QPdfDocument.Status.Ready, timeout=WAIT_MS)
    return preview


def history(panel: DocumentsPanel) -> list[tuple[str, str]]:
    model = panel.history_model
    return [(model.cell(r, 0), model.cell(r, 6)) for r in range(model.rowCount())]


def test_an_agreed_case_lists_its_agreement_and_previews_the_draft_and_the_issued_version(
    qtbot: QtBot, desk_env: DeskEnv, app: QApplication
) -> None:
    case_id = in_store(qtbot, desk_env, life.agreed_case)
    panel = open_panel(qtbot, desk_env, case_id)
    panel.select_kind("agreement")
    kind = panel.selected_kind()
    assert (
        kind is not None
        and kind.title == "调解协议书"
        and kind_status(kind) in [panel.kinds_model.cell(r, 1) for r in range(panel.kinds_model.rowCount())]
    )
    assert history(panel) == [("1", _("in force"))]
    # Issued already: a second issue is a re-issue.
    assert not panel.issue_button.isEnabled() and panel.reissue_button.isEnabled()
    why = _("Already issued: to correct it, re-issue it with a reason.")
    assert panel.issue_button.toolTip() == why == panel.issue_button.accessibleDescription()

    draft = opened_preview(qtbot, panel, panel.preview_button.click)
    assert draft.page_count() >= 1 and draft.copies.value() == 3
    assert DRAFT_MARK in draft.document.getAllText(0).text()
    assert draft.windowTitle() == _("{document} (draft)").format(document="调解协议书")
    draft.close()

    issued = opened_preview(qtbot, panel, panel.view_button.click)
    assert issued.page_count() == 3 and DRAFT_MARK not in issued.document.getAllText(0).text()
    issued.close()


@pytest.mark.parametrize("percent", [100, 175])
def test_no_text_is_clipped(qtbot: QtBot, desk_env: DeskEnv, app: QApplication, percent: int) -> None:
    case_id, _a, _r = in_store(qtbot, desk_env, life.drafted_agreement)
    with text_size(app, percent):
        panel = DocumentsPanel(desk_env, case_id)
        qtbot.addWidget(panel)
        panel.resize(panel.sizeHint().expandedTo(panel.minimumSizeHint()))
        panel.show()
        qtbot.waitUntil(lambda: panel.data is not None, timeout=WAIT_MS)
        panel.select_kind("agreement")
        panel.resize(panel.sizeHint().expandedTo(panel.minimumSizeHint()))
        qtbot.wait(10)
        assert panel.reason.isVisible()
        assert clipped_texts(panel) == []
        for widget in (panel.kinds, panel.history, panel.log, *panel.findChildren(type(panel.issue_button))):
            assert widget.accessibleName()


@pytest.mark.parametrize("percent", [100, 175])
def test_the_dialogs_show_all_their_text(qtbot: QtBot, app: QApplication, percent: int) -> None:
    with text_size(app, percent):
        printing = PrintDialog("调解协议书（草稿）", PrinterChoices(("fz-pdf", "前台"), "前台"), 3)
        qtbot.addWidget(printing)
        printing.show()
        assert printing.choice() == PrintChoice("前台", 3)
        assert clipped_texts(printing) == []
        none = PrintDialog("调解协议书", PrinterChoices((), None, "CUPS?"), 3)
        qtbot.addWidget(none)
        none.show()
        assert none.choice() is None and not none.print_button.isEnabled()
        assert none.print_button.toolTip() == "CUPS?" == none.problem.text()
        assert clipped_texts(none) == []
        reissue = ReissueDialog("调解协议书", 2)
        qtbot.addWidget(reissue)
        reissue.show()
        with qtbot.assertNotEmitted(reissue.reason_given):
            reissue.submit()
        assert reissue.reason.error_text() and clipped_texts(reissue) == []
        reissue.refused("这是一条很长的拒绝理由，" * 6, None)
        assert clipped_texts(reissue) == []


def test_drafted_printed_signed_issued_reissued_and_printed_again(
    qtbot: QtBot, desk_env: DeskEnv, app: QApplication, lp: FakeLp
) -> None:
    case_id, applicant, respondent = in_store(qtbot, desk_env, life.drafted_agreement)
    panel = open_panel(qtbot, desk_env, case_id)
    panel.select_kind("agreement")

    # Not signed yet: the draft can be printed, the agreement may not be issued; the panel says why.
    reason = in_store(qtbot, desk_env, lambda s: may(s, "document.issue:agreement", case_id).reason)
    assert reason and panel.reason.isVisible() and panel.reason.text() == reason
    assert not panel.issue_button.isEnabled()
    assert panel.issue_button.toolTip() == reason == panel.issue_button.accessibleDescription()
    assert panel.print_draft_button.isEnabled() and history(panel) == []

    # Printed for signing: the print dialog (printers from CUPS, copies = two parties + the file).
    panel.print_draft_button.click()
    qtbot.waitUntil(lambda: panel.print_dialog is not None, timeout=WAIT_MS)
    dialog = panel.print_dialog
    assert dialog is not None and dialog.copies.value() == 3 and dialog.printer.currentText() == "fz-pdf"
    assert clipped_texts(dialog) == []
    dialog.printer.setCurrentText("前台")
    dialog.print_button.click()
    qtbot.waitUntil(lambda: panel.log_model.rowCount() == 1, timeout=WAIT_MS)
    argv, sent = lp.jobs[-1]
    assert sent.startswith(b"%PDF-") and argv[argv.index("-d") + 1] == "前台" and lp.copies() == 3
    assert "前台-1" in panel.status.text()
    assert panel.log_model.cell(0, 3) == _("draft") and panel.log_model.cell(0, 4) == "3"

    # The parties signed: now it may be issued, after the confirmation.
    in_store(qtbot, desk_env, lambda s: sign(s, case_id, applicant, respondent))
    panel.reload()
    reloaded(qtbot, panel, lambda: panel.issue_button.isEnabled())
    assert not panel.reason.isVisible() and not panel.reissue_button.isEnabled()
    panel.issue_button.click()
    box = panel.confirm_box
    assert isinstance(box, QMessageBox) and box.isVisible()
    yes = next(b for b in box.buttons() if box.buttonRole(b) == QMessageBox.ButtonRole.AcceptRole)
    yes.click()
    reloaded(qtbot, panel, lambda: history(panel) == [("1", _("in force"))])
    assert not panel.issue_button.isEnabled() and panel.reissue_button.isEnabled()

    # Re-issue: refused beside the field without a reason; with one, version 2 supersedes version 1.
    panel.reissue_button.click()
    qtbot.waitUntil(lambda: panel.reissue_dialog is not None, timeout=WAIT_MS)
    reissue = panel.reissue_dialog
    assert reissue is not None
    reissue.issue_button.click()
    assert reissue.reason.error_text() == _("Enter the reason: it is recorded with the new version.")
    assert reissue.isVisible()
    reissue.reason.edit.setText("更正履行期限的笔误")
    reissue.issue_button.click()
    reloaded(qtbot, panel, lambda: history(panel) == [("2", _("in force")), ("1", _("superseded"))])
    assert panel.history_model.cell(0, 3) == "更正履行期限的笔误"
    assert panel.reissue_dialog is None

    # Printed again: the stored, sealed bytes of version 2 reach lp; the log names the version.
    panel.select_version(2)
    version = panel.selected_version()
    assert version is not None and version.version == 2
    stored = in_store(qtbot, desk_env, lambda s: s.documents.get_pdf(version.document_id))
    panel.print_version_button.click()
    qtbot.waitUntil(lambda: panel.print_dialog is not None, timeout=WAIT_MS)
    assert panel.print_dialog is not None
    panel.print_dialog.print_button.click()
    qtbot.waitUntil(lambda: panel.log_model.rowCount() == 2, timeout=WAIT_MS)
    argv, sent = lp.jobs[-1]
    assert hashlib.sha256(sent).digest() == hashlib.sha256(stored).digest()
    assert argv[argv.index("-d") + 1] == "fz-pdf" and lp.copies() == 3
    assert [panel.log_model.cell(1, c) for c in (2, 3, 4, 5)] == ["调解协议书", "2", "3", "fz-pdf"]


def test_a_print_system_failure_is_reported_in_the_panel(
    qtbot: QtBot, desk_env: DeskEnv, app: QApplication, lp: FakeLp
) -> None:
    case_id, _a, _r = in_store(qtbot, desk_env, life.drafted_agreement)
    panel = open_panel(qtbot, desk_env, case_id)
    panel.select_kind("agreement")
    lp.queues = ("fz-pdf", "gone")
    panel.print_draft_button.click()
    qtbot.waitUntil(lambda: panel.print_dialog is not None, timeout=WAIT_MS)
    assert panel.print_dialog is not None
    panel.print_dialog.printer.setCurrentText("gone")
    lp.queues = ("fz-pdf",)  # the queue was removed meanwhile: lp refuses it
    panel.print_dialog.print_button.click()
    message = _("The print system has no printer named {printer}.").format(printer="gone")
    qtbot.waitUntil(lambda: panel.error.text() == message, timeout=WAIT_MS)
    assert panel.print_draft_button.isEnabled() and panel.log_model.rowCount() == 0
