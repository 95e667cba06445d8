"""``make screenshots``: the desk's main screens, driven offscreen on a real store, as PNG files.

Builds two temporary encrypted stores with the test staff and synthetic people only
(``tests/documents/case_lifecycles.py``): the street office's desk, with, by default, 100,000 bulk-seeded cases
(``bench.bench_cases.seed``; ``--cases 0`` or ``SCREENSHOT_CASES=0`` skips them) and one case at each stage of
the procedure, and the planning bureau branch's land desk with an adjudication waiting for its legality review.
Then for each language (zh_CN, zh_TW, en) and text size (100 %, 175 %) it opens the real main window as the
mediator, the supervisor and the administrator and saves every screen to ``build/screenshots/`` as
``<lang>-<size>-<screen>.png`` (``docs/screenshots.md`` lists them). Used for the docs and for looking at every
screen before an issue is resolved.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QApplication, QDialog, QScrollArea, QWidget

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from fzmediate.i18n import set_locale  # noqa: E402
from fzmediate.services.workspace import Workspace  # noqa: E402
from fzmediate.settings import Settings  # noqa: E402
from tests.documents import case_lifecycles as life  # noqa: E402
from tests.support import ADMIN_PW, FAST_KDF, FakeClock  # noqa: E402
from ui.app import prepare_application  # noqa: E402
from ui.desk.case_table_model import CaseTableModel  # noqa: E402
from ui.desk.main_window import MainWindow  # noqa: E402
from ui.ops import Ops  # noqa: E402
from ui.pyside_compat import pin_singletons  # noqa: E402
from ui.session_context import SessionContext  # noqa: E402

if TYPE_CHECKING:
    from fzmediate.services.session import Session

LANGS = ("zh_CN", "zh_TW", "en")
SIZES = (100, 175)
WINDOW = {100: (1440, 900), 175: (1920, 1080)}
ADMIN = ("admin", ADMIN_PW)
#: The matter the intake form is shown for (物业服务纠纷 of the street office's catalogue).
INTAKE_MATTER = "PS-TJ-007"

W = TypeVar("W", bound=QWidget)


# --- the stores ------------------------------------------------------------------------------------------
@dataclass
class Stores:
    """The two desks and the ids of the cases the screens show (no personal data: ids only)."""

    office: Workspace
    land: Workspace
    stages: dict[str, str] = field(default_factory=dict)
    review: str = ""


def _opened(s: Session, received: str, accepted: str) -> tuple[str, str, str]:
    """Registered on ``received``; accepted, consented, disclosed and rights notified on ``accepted``."""
    case = s.cases.create(life.mediation_intake(received), confirm_duplicate=True)
    applicant, respondent = life._principals(s, case.id)
    life.step(s, case.id, "accept", accepted, {"note": "材料齐全"})
    life.step(s, case.id, "record_consent", accepted, {"party": respondent, "consent": "agreed"})
    life.step(s, case.id, "disclose_conflicts", accepted, {"has_conflict": False})
    life.step(s, case.id, "issue_rights_notice", accepted)
    life.step(
        s, case.id, "acknowledge_rights_notice", accepted,
        {"parties": [applicant, respondent], "method": "signature"},
    )  # fmt: skip
    return case.id, applicant, respondent


def _in_mediation(s: Session) -> str:
    """Accepted, consent and rights notice done, a first session held: the mediation is under way."""
    case_id, applicant, respondent = _opened(s, "2026-11-16", "2026-11-18")
    life.step(s, case_id, "hold_session", "2026-11-25", {"summary": "第一次调解", "present": [applicant, respondent]})
    from fzmediate.services.session_plans import SessionPlans

    # The next session, planned: the Sessions tab and the Today page's coming week show it.
    SessionPlans(s).plan(case_id, datetime(2026, 12, 2, 9, 30), 90, "坪山街道人民调解室", ("med1", "sup1"))
    return case_id


def _agreed(s: Session) -> str:
    """An agreement signed, the case still open (follow-up of its performance to come)."""
    case_id, applicant, respondent = _opened(s, "2026-11-02", "2026-11-04")
    life.step(s, case_id, "hold_session", "2026-11-09", {"summary": "第一次调解", "present": [applicant, respondent]})
    term = {
        "obligor": respondent, "obligee": applicant, "content": "退还多收的物业服务费", "amount": "1200.00",
        "manner": "银行转账", "place": "深圳市坪山区", "deadline": "2026-12-15",
    }  # fmt: skip
    life.step(
        s, case_id, "record_agreement", "2026-11-10",
        {"facts_and_disputes": "小区电梯长期故障，双方对退费数额有争议。", "terms": [term],
         "signed_by": [applicant, respondent]},
    )  # fmt: skip
    return case_id


def _ready_for_review(land: Workspace) -> str:
    """An adjudication on the land desk handled up to its contested points: in the legality-review queue."""
    with land.unlock(*life.MEDIATOR) as s:
        case = s.cases.create(life.adjudication_intake("2026-08-03"), confirm_duplicate=True)
        applicant, respondent = life._principals(s, case.id)
        life.step(s, case.id, "accept", "2026-08-05")
        life.step(s, case.id, "serve_copy", "2026-08-07", {"parties": [respondent], "method": "post"})
        life.step(s, case.id, "receive_reply", "2026-08-20", {"party": respondent, "summary": "争议地块系其承包地"})
        life.step(s, case.id, "disclose_conflicts", "2026-08-21", {"has_conflict": False})
        life.step(s, case.id, "issue_rights_notice", "2026-08-21")
        life.step(
            s, case.id, "acknowledge_rights_notice", "2026-08-21",
            {"parties": [applicant, respondent], "method": "signature"},
        )  # fmt: skip
        life.step(s, case.id, "attempt_mediation", "2026-08-28", {"result": "failed"})
        life.step(s, case.id, "hold_hearing", "2026-09-10", {"summary": "质证", "present": [applicant, respondent]})
        life.step(s, case.id, "record_contested_point", "2026-09-11", dict(life.CONTESTED_POINT))
    return case.id


def prepare_stores(root: Path, cases: int) -> Stores:
    office = Workspace(root / "data", kdf=FAST_KDF, clock=FakeClock())
    office.initialize("admin", ADMIN_PW, full_name="管理员", unit=life.OFFICE_UNIT)
    life.staff(office)
    stores = Stores(office, life.land_desk(office))
    with office.unlock(*life.MEDIATOR) as s:
        if cases:
            # First: the bulk seeding numbers its cases from 1 and writes the number counters itself.
            from bench import bench_cases

            bench_cases.CASES = cases
            bench_cases.seed(s, random.Random(2026))
        stages = stores.stages
        stages["registered"] = s.cases.create(life.mediation_intake("2026-11-26"), confirm_duplicate=True).id
        stages["mediation"] = _in_mediation(s)
        stages["agreed"] = _agreed(s)
        stages["closed"] = life.failed_case(s)
        stages["archived"] = life.agreed_case(s)
        _sync_conflicts(s, stages["mediation"])
    stores.review = _ready_for_review(stores.land)
    return stores


def _sync_conflicts(s: Session, case_id: str) -> None:
    """The office desk enrolled with a district server that is not reachable here (the status shows offline) and
    two conflicts a sync recorded on one case: what a supervisor settles in the conflicts dialog."""
    from fzmediate.store.models import Case, PartyRow, SyncConflict, SyncState

    now = s.now()
    with s.db.unit_of_work() as tx:
        tx.add(
            SyncState(
                server_url="https://127.0.0.1:9", device_key=os.urandom(32), unit=life.OFFICE_UNIT,
                unit_name="坪山街道办事处", role="desk", device_code="P3", enrolled_at=now,
            )
        )  # fmt: skip
        case = tx.get(Case, case_id)
        assert case is not None
        party = tx.query(PartyRow).filter(PartyRow.case_id == case_id).first()
        assert party is not None
        for n, (entity, entity_id, name, base, mine, theirs) in enumerate(
            (
                ("case", case_id, "summary", case.summary, "双方同意于十二月十日再次调解", "申请人撤回部分请求"),
                ("party", party.id, "address", "坪山区龙田街道", "坪山区龙田街道竹坑社区 3 栋", "坪山区碧岭街道"),
            )
        ):
            setattr(case if entity == "case" else party, name, mine)  # the desk kept its own value
            tx.add(
                SyncConflict(
                    conflict_id="shot-{0}".format(n), origin="server", entity=entity, entity_id=entity_id,
                    field=name, base_value=base, client_value=mine, server_value=theirs,
                    client_device="P3", server_device="P7", client_actor=life.MEDIATOR[0], server_actor="med2",
                    created_at=now,
                )
            )  # fmt: skip


# --- driving the window ----------------------------------------------------------------------------------
@dataclass
class Scene:
    """One main window in one language and text size, and where its pictures go."""

    app: QApplication
    ops: Ops
    window: MainWindow
    out: Path
    prefix: str
    stores: Stores

    def settle(self, ms: int = 300) -> None:
        settle(self.app, self.ops, ms)

    def wait(self, ready: Callable[[], bool], timeout: float = 60) -> None:
        """Process events until ``ready()`` (store calls run in the background), then let the screen paint."""
        end = time.monotonic() + timeout
        while not ready() and time.monotonic() < end:
            self.app.processEvents()
            time.sleep(0.01)
        self.settle(150)

    def save(self, widget: QWidget, name: str) -> int:
        save(widget, self.out, "{0}-{1}".format(self.prefix, name))
        return 1

    def save_scrolled(self, widget: QWidget, name: str, within: QWidget | None = None) -> int:
        """The widget as seen, and the whole content of the first scroll area in ``within`` (default: the
        widget) when it does not fit (``<name>-full``)."""
        count = self.save(widget, name)
        area = (within or widget).findChild(QScrollArea)
        inner = area.widget() if area is not None else None
        if area is not None and inner is not None and inner.height() > area.viewport().height() + 8:
            count += self.save(inner, name + "-full")
        return count

    def dialog(self, kind: type[W]) -> W:
        found = [d for d in self.window.findChildren(kind) if d.isVisible()]
        if not found:
            raise RuntimeError("no {0} open".format(kind.__name__))
        return found[-1]


def settle(app: QApplication, ops: Ops, ms: int = 300) -> None:
    """Let queued store calls finish and the screens repaint."""
    end = time.monotonic() + 60
    while time.monotonic() < end:
        app.processEvents()
        if not ops.busy:
            break
        time.sleep(0.01)
    stop = time.monotonic() + ms / 1000
    while time.monotonic() < stop:
        app.processEvents()
        time.sleep(0.01)


def save(widget: QWidget, out: Path, name: str) -> None:
    out.mkdir(parents=True, exist_ok=True)
    widget.grab().save(str(out / (name + ".png")))


def delete_now(app: QApplication) -> None:
    """Delete what ``deleteLater`` marked: without a running event loop ``processEvents`` never does, and
    every old window would stay alive, restyled at each language change (each window slower than the last)."""
    app.sendPostedEvents(None, int(QEvent.Type.DeferredDelete))


def close_dialog(scene: Scene, dialog: QDialog) -> None:
    """Close without the "discard unsaved input?" question (``reject`` asks; ``done`` does not)."""
    dialog.done(0)
    dialog.deleteLater()
    delete_now(scene.app)
    scene.settle(50)


def open_case(scene: Scene, case_id: str) -> Any:
    """The case's tab alone beside the list (the others closed: a clean tab bar), loaded, documents too."""
    tabs = scene.window.case_tabs
    assert tabs is not None
    for index in range(tabs.count() - 1, 0, -1):
        if getattr(tabs.widget(index), "case_id", None) != case_id:
            scene.window.close_case_tab(index)
    scene.window.open_case(case_id)
    page: Any = tabs.currentWidget()
    scene.wait(lambda: page.case_screen is not None and not page.documents._loading)
    page.tabs.setCurrentIndex(0)
    return page


# --- the screens -------------------------------------------------------------------------------------------
def shoot_pages(*keys: str) -> Callable[[Scene], int]:
    def shot(scene: Scene) -> int:
        count = 0
        for key in keys:
            scene.window.show_page(key)
            scene.settle()
            if key == "cases":
                scene.wait(partial(_list_ready, scene.window.case_list.model))
            count += scene.save_scrolled(scene.window, key, scene.window.stack.currentWidget())
        return count

    return shot


def _list_ready(model: CaseTableModel) -> bool:
    return model.rowCount() > 0 or not model.loading


def shoot_stages(scene: Scene) -> int:
    """The case view at each stage (registered, in mediation, agreed, closed, archived): its procedure tab."""
    for stage, case_id in scene.stores.stages.items():
        open_case(scene, case_id)
        scene.save(scene.window, "case-" + stage)
    return len(scene.stores.stages)


def shoot_case_tabs(scene: Scene) -> int:
    """The agreed case's Parties tab, the Sessions tab of the case in mediation (a session planned) and the
    Documents tab of the agreed and archived case (every required document issued), its agreement selected."""
    page = open_case(scene, scene.stores.stages["agreed"])
    count = 0
    page.tabs.setCurrentIndex(1)
    scene.settle(200)
    count += scene.save(scene.window, "case-parties")
    page = open_case(scene, scene.stores.stages["mediation"])
    page.tabs.setCurrentIndex(2)
    scene.settle(200)
    count += scene.save(scene.window, "case-sessions")
    page = open_case(scene, scene.stores.stages["archived"])
    page.show_documents()
    panel = page.documents
    rows = [panel.kinds_model.cell(row, 0) for row in range(panel.kinds_model.rowCount())]
    agreement = next((row for row, name in enumerate(rows) if "协议" in name), 0)
    panel.kinds.selectRow(agreement)
    scene.settle(300)
    count += scene.save(scene.window, "documents")
    page.tabs.setCurrentIndex(0)
    return count


def shoot_intake(scene: Scene) -> int:
    """The intake dialog: choosing the matter, then the form filled in (two parties, materials ticked)."""
    from ui.desk.intake.intake_dialog import IntakeDialog

    scene.window.new_case()
    dialog = scene.dialog(IntakeDialog)
    scene.wait(lambda: dialog.matter_model.rowCount() > 0)
    dialog.select_matter(INTAKE_MATTER)
    scene.settle(100)
    count = scene.save(dialog, "intake-matter")
    dialog.continue_to_form()
    dialog.summary.edit.setText("物业服务费纠纷")
    dialog.facts.set_text("小区2号楼电梯自2026年3月起多次停运，物业公司未及时维修。")
    dialog.claims.set_text("请求减免2026年度物业服务费1200元。")
    [applicant] = dialog.parties.editors
    applicant.name.edit.setText(life.APPLICANT)
    applicant.identity.set_id_type("hk_macao_permit")
    applicant.identity.set_text("H12345678")
    applicant.phone.edit.setText(life.APPLICANT_PHONE)
    applicant.address.edit.setText(life.APPLICANT_ADDRESS)
    company = dialog.parties.add_organisation()
    company.name.edit.setText("坪山某物业管理有限公司")
    if company.representative is not None:
        company.representative.edit.setText("赵某")
    for check, _required in dialog.guide.materials:
        check.setChecked(True)
    scene.settle(200)
    count += scene.save(dialog, "intake-form")
    area: QWidget | None = dialog.parties
    while area is not None and not isinstance(area, QScrollArea):
        area = area.parentWidget()
    form = area.widget() if isinstance(area, QScrollArea) else None
    if form is not None:
        count += scene.save(form, "intake-form-full")  # the whole form (the guide beside it scrolls)
    close_dialog(scene, dialog)
    return count


def shoot_act_error(scene: Scene) -> int:
    """The termination form of the case in mediation, applied with its required ground not chosen (nothing is
    stored: the store refuses the act and the dialog shows why, beside the field)."""
    page = open_case(scene, scene.stores.stages["mediation"])
    dialog = page.open_act("terminate")
    if dialog is None:
        raise RuntimeError("terminate not allowed on the case in mediation")
    scene.settle(100)
    dialog.apply_button.click()
    scene.settle(100)
    scene.wait(lambda: not dialog.busy)
    if not dialog.isVisible():
        raise RuntimeError("the empty termination form was applied: the later screens would show another case")
    count = scene.save_scrolled(dialog, "act-error")
    close_dialog(scene, dialog)
    return count


def shoot_supervisor(scene: Scene) -> int:
    """Supervision: the queues, the overdue dashboard, the statistics."""
    scene.window.show_page("supervisor")
    page: Any = scene.window.pages["supervisor"]
    count = 0
    for widget, name in ((page.queues, "supervisor-queues"), (page.overdue, "supervisor-overdue")):
        page.tabs.setCurrentWidget(widget)
        scene.settle(400)
        count += scene.save(scene.window, name)
    page.tabs.setCurrentWidget(page.statistics)
    scene.wait(lambda: getattr(page.statistics, "stats", None) is not None)
    count += scene.save(scene.window, "statistics")
    page.tabs.setCurrentWidget(page.queues)
    return count


def shoot_review(scene: Scene) -> int:
    """The land desk's legality-review queue with its adjudication selected, then that case."""
    from fzmediate.desk import supervisor as sv

    scene.window.show_page("supervisor")
    page: Any = scene.window.pages["supervisor"]
    page.tabs.setCurrentWidget(page.queues)
    scene.settle(400)
    queues = page.queues
    queues.select_queue(sv.Queue.REVIEW)
    queues.table.select_payload(lambda entry: entry.case.id == scene.stores.review)
    scene.settle(200)
    count = scene.save(scene.window, "review-queue")
    open_case(scene, scene.stores.review)
    return count + scene.save(scene.window, "case-review")


def shoot_sync_conflicts(scene: Scene) -> int:
    """Settings → sync (enrolled, two conflicts) and the conflicts dialog with the first one selected."""
    from ui.desk.sync_conflicts_dialog import ConflictsDialog

    scene.window.show_page("settings")
    page: Any = scene.window.page("settings")
    panel = page.sync_panel
    scene.wait(lambda: bool(panel.conflicts_button.isEnabled()))
    area = page.findChild(QScrollArea)
    if area is not None:
        area.ensureWidgetVisible(panel)
    scene.settle(200)
    count = scene.save(scene.window, "settings-sync")
    panel.show_conflicts()
    dialog = scene.dialog(ConflictsDialog)
    scene.wait(lambda: bool(dialog.loaded))
    count += scene.save(dialog, "sync-conflicts")
    close_dialog(scene, dialog)
    return count


def shoot_admin_settings(scene: Scene) -> int:
    scene.window.show_page("settings")
    scene.settle(400)
    return scene.save_scrolled(scene.window, "settings-admin", scene.window.stack.currentWidget())


#: What each desk and user shows: (store, login, password) → the shots taken in each language and size.
PLAN: tuple[tuple[str, tuple[str, str], tuple[Callable[[Scene], int], ...]], ...] = (
    (
        "office",
        life.MEDIATOR,
        (
            shoot_pages("today", "cases", "settings"),
            shoot_stages,
            shoot_case_tabs,
            shoot_intake,
            shoot_act_error,
        ),
    ),
    ("office", life.SUPERVISOR, (shoot_supervisor, shoot_sync_conflicts)),
    ("office", ADMIN, (shoot_admin_settings,)),
    ("land", life.SUPERVISOR, (shoot_review,)),
)

#: Hooks for further screens (each takes a Scene of the mediator's window and returns how many PNGs it wrote).
EXTRA_SHOTS: list[Callable[[Scene], int]] = []


def shoot(out: Path, stores: Stores, langs: tuple[str, ...], sizes: tuple[int, ...], verbose: bool = False) -> int:
    pin_singletons()
    app = QApplication.instance() or QApplication([sys.argv[0]])
    assert isinstance(app, QApplication)
    ops = Ops()
    count = 0
    for desk, (login, password), shots in PLAN:
        workspace = stores.office if desk == "office" else stores.land
        context = SessionContext(ops, workspace.unlock(login, password))
        extra = EXTRA_SHOTS if login == life.MEDIATOR[0] and desk == "office" else []
        for lang in langs:
            for size in sizes:
                opened = time.monotonic()
                set_locale(lang)
                prepare_application(app, lang, text_scale=size)
                window = MainWindow(context.actor, context, settings=Settings(locale=lang, text_scale=size))
                window.resize(*WINDOW[size])
                window.show()
                scene = Scene(app, ops, window, out, "{0}-{1}".format(lang, size), stores)
                scene.settle()
                if verbose:
                    print("{0} {1} window: {2:.1f} s".format(scene.prefix, login, time.monotonic() - opened))
                for shot in (*shots, *extra):
                    began = time.monotonic()
                    count += shot(scene)
                    if verbose:
                        name = getattr(shot, "__qualname__", "shot")
                        print("{0} {1} {2}: {3:.1f} s".format(scene.prefix, login, name, time.monotonic() - began))
                window.close_quietly()
                window.deleteLater()
                delete_now(app)
                scene.settle(50)
        done: list[bool] = []
        context.close(on_done=partial(done.append, True))
        while not done:
            app.processEvents()
            time.sleep(0.01)
    ops.shutdown()
    return count


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "screenshots")
    parser.add_argument("--cases", type=int, default=int(os.environ.get("SCREENSHOT_CASES", "100000")))
    parser.add_argument("--lang", action="append", choices=LANGS)
    parser.add_argument("--size", action="append", type=int, choices=SIZES)
    parser.add_argument("-v", "--verbose", action="store_true", help="print how long each screen took")
    args = parser.parse_args(argv)
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp:
        stores = prepare_stores(Path(tmp), args.cases)
        seeded = time.monotonic()
        count = shoot(args.out, stores, tuple(args.lang or LANGS), tuple(args.size or SIZES), args.verbose)
    print(
        "{0} screenshots in {1} ({2:.0f} s: stores {3:.0f} s, screens {4:.0f} s)".format(
            count, args.out, time.monotonic() - started, seeded - started, time.monotonic() - seeded
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
