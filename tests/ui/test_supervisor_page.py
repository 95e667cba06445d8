"""The Supervision page on a real store: queues and the assign dialog, the legality-review queue of an
adjudication (on the land desk), the overdue dashboard, statistics with the chart and table, and exports."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QAbstractItemView, QComboBox, QDateEdit, QListWidget, QWidget
from pytestqt.qtbot import QtBot

from fzmediate.desk import supervisor as sv
from fzmediate.i18n import _
from fzmediate.services.case_views import CaseSummary
from fzmediate.services.statistics import Dimension, dimension_label
from fzmediate.services.workspace import Workspace
from tests.documents import case_lifecycles as life
from tests.ui.desk_support import close, in_store, sign_in
from tests.ui.fit import clipped_texts, text_size
from tests.unit.test_desk_supervisor import _ready_for_review
from ui.desk.page import DeskEnv
from ui.desk.supervisor_page import SupervisorPage
from ui.ops import Ops

WAIT = 20_000
MATTER_NAME = "物业管理纠纷行政调解"


def click(qtbot: QtBot, button: QWidget) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)  # type: ignore[no-untyped-call]


def _page(qtbot: QtBot, env: DeskEnv) -> SupervisorPage:
    page = SupervisorPage(env)
    qtbot.addWidget(page)
    env.ops.changed.connect(page.on_changed)  # the main window's wiring
    page.resize(1100, 720)
    page.show()
    page.activated()
    return page


def _queues_loaded(qtbot: QtBot, page: SupervisorPage) -> sv.Queues:
    qtbot.waitUntil(lambda: page.queues.data is not None and page.queues.refresh_button.isEnabled(), timeout=WAIT)
    assert page.queues.data is not None
    return page.queues.data


def _register(session: Any, received: str = "2026-11-27") -> str:
    return str(session.cases.create(life.mediation_intake(received), confirm_duplicate=True).id)


def _unnamed_controls(root: QWidget) -> list[str]:
    kinds = (QAbstractButton, QComboBox, QAbstractItemView, QListWidget, QDateEdit)
    return [
        "{0} {1!r}".format(type(w).__name__, getattr(w, "text", lambda: "")())
        for w in root.findChildren(QWidget)
        if isinstance(w, kinds) and w.isVisible() and not w.accessibleName()
        and w.objectName() not in ("qt_scrollarea_hcontainer", "qt_scrollarea_vcontainer")
    ]  # fmt: skip


def test_assign_an_unassigned_case_through_the_dialog(qtbot: QtBot, supervisor_env: DeskEnv) -> None:
    case_id = in_store(qtbot, supervisor_env, _register)  # registered by a supervisor: nobody handles it yet
    page = _page(qtbot, supervisor_env)
    data = _queues_loaded(qtbot, page)
    assert [c.id for c in data.unassigned] == [case_id]
    queues = page.queues
    assert queues.current_queue() == sv.Queue.UNASSIGNED
    assert not queues.assign_button.isEnabled() and queues.assign_button.toolTip()  # says why
    assert queues.table.select_payload(lambda c: c.id == case_id)
    assert queues.assign_button.isEnabled()
    click(qtbot, queues.assign_button)
    dialog = queues.assign_dialog
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.mediator.count() > 0, timeout=WAIT)
    assert clipped_texts(dialog) == []
    dialog.mediator.setCurrentIndex(dialog.mediator.findData("med1"))
    with qtbot.waitSignal(dialog.assigned, timeout=WAIT):
        click(qtbot, dialog.assign_button)
    assert in_store(qtbot, supervisor_env, lambda s: s.cases.view(case_id).assigned_mediator) == "med1"
    # The write's broadcast reloads the queues: the case has left the unassigned queue.
    qtbot.waitUntil(lambda: page.queues.data is not None and not page.queues.data.unassigned, timeout=WAIT)
    assert "med1" in queues.status.text()


def test_the_dialog_says_why_an_assignment_is_refused(qtbot: QtBot, supervisor_env: DeskEnv) -> None:
    def recusal_case(session: Any) -> str:
        case_id, applicant, _respondent = life._prepare(session, "2026-10-09")
        life.step(session, case_id, "request_recusal", "2026-10-15", {"party": applicant, "reasons": "亲属关系"})
        return case_id

    case_id = in_store(qtbot, supervisor_env, recusal_case)
    page = _page(qtbot, supervisor_env)
    data = _queues_loaded(qtbot, page)
    assert [(e.case.id, e.allowed) for e in data.recusal] == [(case_id, True)]
    queues = page.queues
    queues.select_queue(sv.Queue.RECUSAL)
    assert queues.table.select_payload(lambda e: e.case.id == case_id)
    assert not queues.assign_button.isEnabled()  # reassignment on recusal is the decision in the case
    assert queues.assign_button.accessibleDescription() == queues.assign_button.toolTip() != ""
    with qtbot.waitSignal(page.open_case_requested, timeout=WAIT) as opened:
        click(qtbot, queues.open_button)
    assert opened.args == [case_id]
    # Even opened directly, the dialog shows the service's refusal and leaves the case as it was.
    from ui.desk.supervisor.assign_dialog import AssignDialog

    dialog = AssignDialog(supervisor_env, case_id, "x", "sup1", page)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.assign_button.isEnabled(), timeout=WAIT)
    dialog.submit()
    qtbot.waitUntil(lambda: bool(dialog.error.text()), timeout=WAIT)
    assert "recusal" in dialog.error.text() or dialog.error.text()
    assert dialog.result() == 0


@pytest.fixture
def land_supervisor(qtbot: QtBot, ops: Ops, initialized: Workspace) -> Iterator[tuple[DeskEnv, str, str]]:
    """The land desk (adjudications) with two cases ready for review: one the supervisor heard (so may not
    review), one handled by the mediator alone; sup1 signed in."""
    life.staff(initialized, life.LAND_UNIT)
    clean = _ready_for_review(initialized)
    handled = _ready_for_review(initialized, hearing_by=life.SUPERVISOR)
    env = sign_in(qtbot, initialized, ops, *life.SUPERVISOR)
    yield env, clean, handled
    close(qtbot, env)


@pytest.mark.desk_unit(life.LAND_UNIT)
def test_review_queue_lists_the_adjudication_with_the_engines_reason(
    qtbot: QtBot, land_supervisor: tuple[DeskEnv, str, str]
) -> None:
    env, clean, handled = land_supervisor
    page = _page(qtbot, env)
    data = _queues_loaded(qtbot, page)
    assert {e.case.id for e in data.review} == {clean, handled}
    queues = page.queues
    queues.select_queue(sv.Queue.REVIEW)
    model = queues.table.rows
    entries = [cast(sv.QueueEntry, model.payload(r)) for r in range(model.rowCount())]
    texts = {e.case.id: model.data(model.index(r, 2)) for r, e in enumerate(entries)}
    assert texts[clean] == _("Yes, now")
    assert texts[handled] == _("Not now")
    row = next(r for r, e in enumerate(entries) if e.case.id == handled)
    tooltip = model.data(model.index(row, 2), Qt.ItemDataRole.ToolTipRole)
    assert "听证" in tooltip  # the engine's reason: the supervisor held the hearing
    assert queues.table.select_payload(lambda e: e.case.id == handled)
    assert "听证" in queues.reasons.text() and queues.reasons.isVisible()
    assert queues.table.select_payload(lambda e: e.case.id == clean)
    qtbot.wait(20)
    assert clipped_texts(page) == []
    shots = Path("/tmp/shots/supervisor")
    if shots.is_dir():
        page.grab().save(str(shots / "review-queue.png"))
    with qtbot.waitSignal(page.open_case_requested, timeout=WAIT) as opened:
        click(qtbot, queues.open_button)
    assert opened.args == [clean]


def test_overdue_dashboard_per_mediator(qtbot: QtBot, supervisor_env: DeskEnv) -> None:
    def overdue_case(session: Any) -> str:
        case_id = _register(session, "2026-09-01")  # acceptance decision overdue since September
        session.cases.assign(case_id, "med1")
        return case_id

    case_id = in_store(qtbot, supervisor_env, overdue_case)
    page = _page(qtbot, supervisor_env)
    page.tabs.setCurrentWidget(page.overdue)
    board = page.overdue
    qtbot.waitUntil(lambda: board.board is not None, timeout=WAIT)
    label = _("{login} ({name})").format(login="med1", name=life.MEDIATOR_NAME)
    assert (board.chart.bars[0].label, board.chart.bars[0].text) == (label, "1")
    assert "1" in board.summary.text()
    assert "med1" in board.chart.accessibleDescription()
    assert board.select_person("med1")
    qtbot.waitUntil(lambda: board.case_table.rows.rowCount() == 1, timeout=WAIT)
    assert cast(CaseSummary, board.case_table.rows.payload(0)).id == case_id
    assert board.case_table.select_payload(lambda c: c.id == case_id)
    with qtbot.waitSignal(page.open_case_requested, timeout=WAIT) as opened:
        click(qtbot, board.open_button)
    assert opened.args == [case_id]


def _refused(session: Any) -> str:
    case_id = _register(session, "2026-11-24")
    life.step(session, case_id, "refuse", "2026-11-26", {"reasons": life.REFUSAL_REASONS})
    return case_id


def test_statistics_chart_table_and_exports(qtbot: QtBot, supervisor_env: DeskEnv, tmp_path: Path) -> None:
    in_store(qtbot, supervisor_env, _refused)
    in_store(qtbot, supervisor_env, _register)
    page = _page(qtbot, supervisor_env)
    page.tabs.setCurrentWidget(page.statistics)
    view = page.statistics
    qtbot.waitUntil(lambda: view.stats is not None, timeout=WAIT)
    assert [(b.label, b.text) for b in view.chart.bars] == [(MATTER_NAME, "2")]
    model = view.table.rows
    assert model.data(model.index(0, 0)) == MATTER_NAME and model.data(model.index(0, 1)) == "2"
    assert MATTER_NAME in view.chart.accessibleDescription()  # the figures are not only in the picture
    view.set_dimension(Dimension.MONTH)
    qtbot.waitUntil(lambda: view.stats is not None and view.stats.query.dimension is Dimension.MONTH, timeout=WAIT)
    assert [b.label for b in view.chart.bars] == ["2026-11"]
    view.figure.setCurrentIndex(view.figure.findData("median"))
    assert view.chart.bars[0].text == _("{n} days").format(n=2)  # received 11-24, refused 11-26

    csv_path = tmp_path / "统计.csv"
    view.export_csv(str(csv_path))
    qtbot.waitUntil(lambda: csv_path.exists() and view.csv_button.isEnabled(), timeout=WAIT)
    data = csv_path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][0] == dimension_label(Dimension.MONTH) and rows[1][:2] == ["2026-11", "2"]
    view.set_dimension(Dimension.MATTER)
    qtbot.waitUntil(lambda: view.stats is not None and view.stats.query.dimension is Dimension.MATTER, timeout=WAIT)
    pdf_path = tmp_path / "stats.pdf"
    view.export_pdf(str(pdf_path))
    qtbot.waitUntil(lambda: pdf_path.exists() and view.pdf_button.isEnabled(), timeout=WAIT)
    assert pdf_path.read_bytes().startswith(b"%PDF")
    assert str(pdf_path) in view.status.text()


def test_a_mediator_sees_the_refusal(qtbot: QtBot, desk_env: DeskEnv) -> None:
    page = _page(qtbot, desk_env)
    page.tabs.setCurrentWidget(page.statistics)
    qtbot.waitUntil(lambda: bool(page.statistics.error.text()), timeout=WAIT)
    assert page.statistics.stats is None
    qtbot.waitUntil(lambda: bool(page.queues.error.text()), timeout=WAIT)


@pytest.mark.parametrize("percent", [100, 175])
def test_every_control_named_and_no_text_clipped(
    qtbot: QtBot, app: Any, supervisor_env: DeskEnv, percent: int, tmp_path: Path
) -> None:
    in_store(qtbot, supervisor_env, _refused)
    with text_size(app, percent):
        page = _page(qtbot, supervisor_env)
        _queues_loaded(qtbot, page)
        for tab in (page.queues, page.overdue, page.statistics):
            page.tabs.setCurrentWidget(tab)
            qtbot.waitUntil(
                lambda: page.overdue.board is not None if page.tabs.currentWidget() is page.overdue else True,
                timeout=WAIT,
            )
            if tab is page.statistics:
                qtbot.waitUntil(lambda: page.statistics.stats is not None, timeout=WAIT)
            qtbot.wait(20)
            assert clipped_texts(page) == [], (percent, tab)
            assert _unnamed_controls(page) == []
            shots = Path("/tmp/shots/supervisor")
            if shots.is_dir():
                page.grab().save(str(shots / "{0}-{1}.png".format(type(tab).__name__, percent)))
        chart = page.statistics.chart
        assert chart.minimumSizeHint().width() >= chart.fontMetrics().horizontalAdvance(MATTER_NAME)
