"""On a zh_TW screen the 文书 menu's application guide offers the matters in Traditional characters, titles the
preview in them, and still shows the printed guide (a legal document) in the published Simplified text."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtPdf import QPdfDocument
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

import ui.desk.document_preview as preview_module
from fzmediate.catalogue.localize import localized
from fzmediate.i18n import set_locale
from fzmediate.services.workspace import Workspace
from tests.ui.desk_support import in_store
from tests.ui.test_desk_flow import unlock
from ui.desk.case_list_page import CaseListPage
from ui.desk.document_preview import DocumentPreview
from ui.desk.page import DeskEnv
from ui.desk.shell import DeskShell


@pytest.fixture
def zh_tw() -> Iterator[None]:
    set_locale("zh_TW")
    yield
    set_locale("zh_CN")


def test_the_guide_menu_lists_matters_in_traditional_but_prints_simplified(
    qtbot: QtBot, shell: DeskShell, initialized: Workspace, monkeypatch: pytest.MonkeyPatch, zh_tw: None
) -> None:
    offered: list[list[tuple[str, str]]] = []

    def choose(items: list[tuple[str, str]], parent: QWidget | None) -> str:
        offered.append(items)
        return "PS-TJ-001"

    monkeypatch.setattr(preview_module, "choose_matter", choose)
    shell.start()
    unlock(qtbot, shell)
    window = shell.main_window
    assert window is not None
    window.guide_action.trigger()

    def shown() -> DocumentPreview | None:
        found = [w for w in QApplication.topLevelWidgets() if isinstance(w, DocumentPreview) and w.isVisible()]
        return found[0] if found else None

    qtbot.waitUntil(lambda: shown() is not None, timeout=15_000)
    dialog = shown()
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.document.status() == QPdfDocument.Status.Ready, timeout=5_000)
    assert ("PS-TJ-001", "消費者權益爭議行政調解") in offered[0]
    assert ("PS-CJ-004", "政府採購投訴處理") in offered[0]
    assert "消費者權益爭議行政調解" in dialog.windowTitle()
    page = "".join(dialog.document.getAllText(0).text().split())
    assert "消费者权益争议行政调解" in page and "消費者" not in page
    dialog.close()


def test_desk_screens_show_catalogue_wording_in_traditional(qtbot: QtBot, desk_env: DeskEnv, zh_tw: None) -> None:
    """What a screen gets from the store shows the district's wording in 繁體; names and numbers are unchanged."""
    from tests.documents import case_lifecycles as life

    case_id = in_store(qtbot, desk_env, lambda s: s.cases.create(life.mediation_intake("2026-11-20")).id)
    page = CaseListPage(desk_env)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=20_000)
    row = page.model.row(0)
    assert row.id == case_id
    assert row.matter_name == localized("物业管理纠纷行政调解", "zh_TW") == "物業管理糾紛行政調解"
    assert row.applicants == ("王某",)  # a person's name is never converted
