"""Act dialogs generated from the act's form: party combos, errors beside the field, the minutes of a session,
the agreement's terms with the amount in words (大写), late entries, unsaved edits, a case changed meanwhile."""

from __future__ import annotations

from typing import Any

import cn2an
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from fzmediate.i18n import _
from fzmediate.services.session import Session
from tests.documents.case_lifecycles import step
from tests.ui.desk_support import WAIT_MS, in_store
from tests.ui.fit import clipped_texts, text_size
from tests.ui.test_case_page import new_case, open_page, reloaded, unnamed
from ui.desk.case_view.act_dialog import ActDialog
from ui.desk.case_view.agreement_editor import amount_in_words
from ui.desk.case_view.case_page import CasePage
from ui.desk.case_view.form_widgets import ChoiceEditor, PartiesEditor, TermsField, TextEditor
from ui.desk.page import DeskEnv


def principals(s: Session, case_id: str) -> tuple[str, str]:
    parties = s.cases.view(case_id).parties
    return (
        next(p.id for p in parties if p.role.value == "applicant"),
        next(p.id for p in parties if p.role.value == "respondent"),
    )


def prepared(s: Session, case_id: str, *, session_held: bool = False) -> None:
    """Accepted, consented, disclosed, rights notified and acknowledged (and a session held)."""
    applicant, respondent = principals(s, case_id)
    step(s, case_id, "accept", "2026-11-25")
    step(s, case_id, "record_consent", "2026-11-25", {"party": respondent, "consent": "agreed"})
    step(s, case_id, "disclose_conflicts", "2026-11-26", {"has_conflict": False})
    step(s, case_id, "issue_rights_notice", "2026-11-26")
    step(
        s,
        case_id,
        "acknowledge_rights_notice",
        "2026-11-26",
        {"parties": [applicant, respondent], "method": "signature"},
    )
    if session_held:
        step(s, case_id, "hold_session", "2026-11-27", {"summary": "第一次调解", "present": [applicant, respondent]})


def open_act(page: CasePage, action: str) -> ActDialog:
    dialog = page.open_act(action)
    assert dialog is not None, page.case_screen.act(action).reasons  # type: ignore[union-attr]
    return dialog


def applied(qtbot: QtBot, page: CasePage, dialog: ActDialog, version: int) -> None:
    dialog.apply_button.click()
    qtbot.waitUntil(lambda: not dialog.busy, timeout=WAIT_MS)
    assert not dialog.form_error.text()
    reloaded(qtbot, page, lambda s: s.version == version)
    assert not dialog.isVisible()


def test_record_consent_with_the_party_combo(qtbot: QtBot, desk_env: DeskEnv) -> None:
    case_id = new_case(qtbot, desk_env)
    in_store(qtbot, desk_env, lambda s: step(s, case_id, "accept", "2026-11-25"))
    page = open_page(qtbot, desk_env, case_id)
    dialog = open_act(page, "record_consent")
    party = dialog.editors["party"]
    assert isinstance(party, ChoiceEditor)
    labels = [party.combo.itemText(i) for i in range(party.combo.count())]
    assert any(label.startswith(_("{role} {n}").format(role=_("respondent"), n=1)) for label in labels)
    assert all("张䶮" not in label for label in labels)  # masked
    party.combo.setCurrentIndex(1)
    consent = dialog.editors["consent"]
    assert isinstance(consent, ChoiceEditor)
    consent.choose("agreed")
    assert consent.combo.currentText() == "同意调解"
    applied(qtbot, page, dialog, 3)
    assert page.case_screen is not None and page.case_screen.timeline[-1].action == "record_consent"


def test_missing_required_field_is_shown_beside_it(qtbot: QtBot, desk_env: DeskEnv) -> None:
    case_id = new_case(qtbot, desk_env)
    in_store(qtbot, desk_env, lambda s: step(s, case_id, "accept", "2026-11-25"))
    page = open_page(qtbot, desk_env, case_id)
    dialog = open_act(page, "record_consent")
    consent = dialog.editors["consent"]
    assert isinstance(consent, ChoiceEditor)
    consent.choose("agreed")
    dialog.apply_button.click()
    qtbot.waitUntil(lambda: bool(dialog.field_error("party")), timeout=WAIT_MS)
    assert dialog.isVisible() and not dialog.field_error("consent")
    assert dialog.editors["party"].input.accessibleDescription() == dialog.field_error("party")
    assert in_store(qtbot, desk_env, lambda s: s.cases.view(case_id).version) == 2  # nothing applied


def test_late_entry_asks_for_the_reason(qtbot: QtBot, desk_env: DeskEnv) -> None:
    page = open_page(qtbot, desk_env, new_case(qtbot, desk_env))
    dialog = open_act(page, "accept")
    assert dialog.late.isHidden()
    dialog.occurred.setDate(dialog.occurred.date().addDays(-2))
    assert not dialog.late.isHidden()
    dialog.apply_button.click()
    qtbot.waitUntil(lambda: bool(dialog.field_error("late_reason")), timeout=WAIT_MS)
    dialog.late.setText("当日系统故障，事后补录")
    applied(qtbot, page, dialog, 2)
    assert page.case_screen is not None and page.case_screen.timeline[-1].late


def test_hold_session_minutes(qtbot: QtBot, desk_env: DeskEnv) -> None:
    case_id = new_case(qtbot, desk_env)
    in_store(qtbot, desk_env, lambda s: prepared(s, case_id))
    page = open_page(qtbot, desk_env, case_id)
    dialog = open_act(page, "hold_session")
    present = dialog.editors["present"]
    minutes = dialog.editors["summary"]
    assert isinstance(present, PartiesEditor) and isinstance(minutes, TextEditor) and minutes.area is not None
    assert "笔录" in minutes.label.text()
    assert minutes.area.minimumHeight() > dialog.fontMetrics().height() * 10
    assert list(dialog.editors).index("present") < list(dialog.editors).index("summary")
    present.check([present.list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(present.list.count())])
    minutes.area.setPlainText("申请人陈述：电梯停运45天。\n被申请人表示愿意协商退费。")
    applied(qtbot, page, dialog, 7)
    last = page.case_screen.timeline[-1]  # type: ignore[union-attr]
    assert last.action == "hold_session" and "电梯停运" in last.summary


def test_draft_agreement_with_two_terms_and_amount_in_words(qtbot: QtBot, desk_env: DeskEnv) -> None:
    case_id = new_case(qtbot, desk_env)
    in_store(qtbot, desk_env, lambda s: prepared(s, case_id, session_held=True))
    page = open_page(qtbot, desk_env, case_id)
    dialog = open_act(page, "draft_agreement")
    terms = dialog.editors["terms"]
    assert isinstance(terms, TermsField)
    dialog.editors["facts_and_disputes"].area.setPlainText("双方对退费数额有争议。")  # type: ignore[attr-defined]
    first, second = terms.terms.add_term(), terms.terms.add_term()
    for card, content in ((first, "退还多收的物业服务费"), (second, "修复电梯")):
        card.obligor.setCurrentIndex(
            card.obligor.findText(_("{role} {n}").format(role=_("respondent"), n=1), Qt.MatchFlag.MatchStartsWith)
        )
        card.obligee.setCurrentIndex(
            card.obligee.findText(_("{role} {n}").format(role=_("applicant"), n=1), Qt.MatchFlag.MatchStartsWith)
        )
        card.content.setText(content)
        card.manner.setText("银行转账")
        card.place.setText("深圳市坪山区")
        card.deadline.setDate(card.deadline.date().fromString("2026-12-31", "yyyy-MM-dd"))
    first.amount.setText("1200")
    assert first.words.text() == "壹仟贰佰元整" == cn2an.an2cn("1200", "rmb")
    assert first.amount.accessibleDescription() == "壹仟贰佰元整"
    first.amount.setText("12x")
    assert first.words.text() == ""
    first.amount.setText("1200.50")
    assert first.words.text() == amount_in_words("1200.50") != ""
    second.up.click()
    assert terms.value()[0]["content"] == "修复电梯"
    applied(qtbot, page, dialog, 8)
    stored = in_store(qtbot, desk_env, lambda s: s.cases.reveal(case_id).events[-1].payload["terms"])
    assert [t["content"] for t in stored] == ["修复电梯", "退还多收的物业服务费"] and stored[1]["amount"] == "1200.50"


def test_unsaved_edits_are_kept_when_asked(qtbot: QtBot, desk_env: DeskEnv, monkeypatch: pytest.MonkeyPatch) -> None:
    page = open_page(qtbot, desk_env, new_case(qtbot, desk_env))
    dialog = open_act(page, "accept")
    dialog.editors["note"].input.setText("草稿")  # type: ignore[attr-defined]
    answers: list[bool] = [False]
    monkeypatch.setattr(ActDialog, "confirm_discard", lambda self: answers[0])
    dialog.cancel_button.click()
    assert dialog.isVisible()
    assert page.may_close() is False
    answers[0] = True
    assert page.may_close() is True and not dialog.isVisible()


def test_changed_meanwhile_reloads(qtbot: QtBot, desk_env: DeskEnv, monkeypatch: pytest.MonkeyPatch) -> None:
    case_id = new_case(qtbot, desk_env)
    page = open_page(qtbot, desk_env, case_id)
    dialog = open_act(page, "accept")
    shown: list[Any] = []
    monkeypatch.setattr(QMessageBox, "information", lambda *a, **k: shown.append(a))
    page.env.ops.changed.disconnect(page.on_changed)  # the page must not learn of the change by itself
    in_store(qtbot, desk_env, lambda s: step(s, case_id, "accept", "2026-11-29"))
    dialog.apply_button.click()
    reloaded(qtbot, page, lambda s: s.version == 2)
    assert shown and not dialog.isVisible()


def test_dialogs_fit_and_are_named(qtbot: QtBot, desk_env: DeskEnv, app: QApplication) -> None:
    case_id = new_case(qtbot, desk_env)
    in_store(qtbot, desk_env, lambda s: prepared(s, case_id, session_held=True))
    for percent in (100, 175):
        with text_size(app, percent):
            page = open_page(qtbot, desk_env, case_id)
            dialog = open_act(page, "draft_agreement")
            terms = dialog.editors["terms"]
            assert isinstance(terms, TermsField)
            terms.terms.add_term().amount.setText("1200")
            dialog.resize(900, 900)
            qtbot.wait(50)
            assert clipped_texts(dialog) == [], percent
            assert unnamed(dialog) == [], percent
            dialog.done(0)
            page.close()
