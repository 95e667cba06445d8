"""Search as you type in the desk's case list on 100,000 cases: from a search text change to the first page.

Set-up: the 100,000-case store of ``bench_cases`` (same bulk seeding, same synthetic people; ``BENCH_CASES``
changes the size). The store is then unlocked afresh on the DB worker, as the desk does, and everything
measured goes the way the screen goes: ``CaseTableModel.set_query`` (what the list page calls once the
typing pause of ``SEARCH_DELAY_MS`` has run out) → ``env.context.call(case_list.first_page)`` on the DB worker
(pickling checked) → the page delivered on the GUI thread and its rows inserted into the model. The clock
stops when the rows are in the model (``loading_changed(False)``); the count is a separate call that follows
and is timed on its own. Also timed: ``fetchMore`` of the next 100-row page of the whole list.

For each search form the FIRST query of the form is reported apart (cold: index pages not yet read in this
session), then the median and p95 of the following runs (other targets of the same form). The typing pause
itself (150 ms) comes on top of every figure: it is a choice, not work.

Target (issue "Case list"): no stutter at 100,000 cases — the GUI thread only inserts rows (a page of 100);
the first page of any search within ~100 ms.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import random
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import bench_cases
from bench.common import header, median, percentile
from fzmediate.services.case_listing import CaseQuery
from fzmediate.services.numbering import derived_device_code, format_number
from fzmediate.services.workspace import Workspace
from fzmediate.settings import Settings

RUNS = 9  # queries per form after the cold one
PAGE = 100
FETCHES = 20
WAIT_S = 60.0


def _wait(app: Any, done: Any) -> None:
    deadline = time.perf_counter() + WAIT_S
    while not done():
        app.processEvents()
        if time.perf_counter() > deadline:
            raise TimeoutError("no answer from the DB worker")
        time.sleep(0.0002)


def _forms(s: Any, parties: list[dict[str, Any]], rng: random.Random) -> dict[str, list[str]]:
    code = derived_device_code(s.device_id)
    targets = rng.sample(parties, RUNS + 1)
    top = max(2, bench_cases.CASES // 2)  # about two thirds of the seeded matters are mediations (调)
    numbers = [format_number("调", 2026, code, rng.randrange(1, top)) for _ in range(RUNS + 1)]
    return {
        "case number with 〔〕": numbers,
        "case number without 〔〕": [n.replace("〔", "").replace("〕", "") for n in numbers],
        "short number (12)": [str(rng.randrange(1, min(top, 9_999))) for _ in range(RUNS + 1)],
        "name, 2-character part": [p["name"][:2] for p in targets],
        "name, rare character 𠮷": ["𠮷", "王𠮷", "𠮷䶮", "李𠮷", "𠮷𠮷", "张𠮷", "刘𠮷", "陈𠮷", "赵𠮷", "周𠮷"],
        "ID number, whole": [p["id_number"] for p in targets],
        "ID number, last 6": [p["id_number"][-6:] for p in targets],
        "phone, whole (13912345678)": [p["phone"][3:] for p in targets],
        "phone, last 4": [p["phone"][-4:] for p in targets],
    }


def _measure(app: Any, data: Path, forms: dict[str, list[str]]) -> tuple[dict[str, Any], list[float], list[float]]:
    from tests.ui.desk_support import close
    from ui.desk.case_table_model import CaseTableModel
    from ui.desk.page import DeskEnv
    from ui.ops import Ops
    from ui.session_context import SessionContext

    ops = Ops()
    ws = Workspace(data, kdf=bench_cases.KDF)
    out: dict[str, Any] = {}
    ops.run_db(lambda token: ws.unlock("admin", bench_cases.PASSWORD), on_success=lambda s: out.setdefault("s", s))
    _wait(app, lambda: "s" in out)
    env = DeskEnv(SessionContext(ops, out["s"]), Settings())
    model = CaseTableModel(env, page_size=PAGE)
    counted: list[float] = []

    def first_page(text: str) -> float:
        started = time.perf_counter()
        model.set_query(CaseQuery(text=text))
        _wait(app, lambda: not model.loading)
        took = (time.perf_counter() - started) * 1000.0
        _wait(app, lambda: model.count >= 0)
        counted.append((time.perf_counter() - started) * 1000.0)
        return took

    results: dict[str, Any] = {}
    for label, texts in forms.items():
        cold = first_page(texts[0])
        warm = [first_page(t) for t in texts[1:]]
        results[label] = (cold, warm, model.count)
    model.set_query(CaseQuery())
    _wait(app, lambda: not model.loading)
    fetches: list[float] = []
    for _ in range(FETCHES):
        started = time.perf_counter()
        model.fetchMore()
        _wait(app, lambda: not model.loading)
        fetches.append((time.perf_counter() - started) * 1000.0)

    class _Bot:  # close() waits like qtbot does
        @staticmethod
        def waitUntil(done: Any, timeout: int) -> None:
            _wait(app, done)

    close(_Bot(), env)  # type: ignore[arg-type]
    ops.shutdown()
    model.deleteLater()
    ops.deleteLater()
    app.processEvents()
    return results, fetches, counted


def run() -> str:
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    rng = random.Random(2026)
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        ws = Workspace(data, kdf=bench_cases.KDF)
        ws.initialize("admin", bench_cases.PASSWORD, unit="PS-JD-PS")
        started = time.perf_counter()
        with ws.unlock("admin", bench_cases.PASSWORD) as s:
            parties = bench_cases.seed(s, rng)
            forms = _forms(s, parties, rng)
        seed_s = time.perf_counter() - started
        results, fetches, counted = _measure(app, data, forms)
    lines = [
        header("Case list: search as you type on {0:,} cases (issue: case list)".format(bench_cases.CASES)),
        "\n{0:,} cases seeded as in `bench_cases` ({1:.0f} s). Through the list's model and the DB worker: "
        "`set_query` → `case_list.first_page` (pages of {2}) → rows in the model. Cold: the first query of "
        "the form in this session; then {3} other targets. The typing pause (150 ms) comes on top.\n".format(
            bench_cases.CASES, seed_s, PAGE, RUNS
        ),
        "| search form | cold (first) | median | p95 | rows in the first page of the last query |",
        "|---|---|---|---|---|",
    ]
    for label, (cold, warm, count) in results.items():
        lines.append(
            "| {0} | {1:.1f} ms | {2:.1f} ms | {3:.1f} ms | {4} |".format(
                label, cold, median(warm), percentile(warm, 0.95), min(count, PAGE)
            )
        )
    lines.append(
        "| first page and its count (separate call, after the rows) | — | {0:.1f} ms | {1:.1f} ms | — |".format(
            median(counted), percentile(counted, 0.95)
        )
    )
    lines.append(
        "| `fetchMore`: the next {0} rows of the whole list ({1} pages) | {2:.1f} ms | {3:.1f} ms | {4:.1f} ms "
        "| {0} |".format(PAGE, FETCHES, fetches[0], median(fetches[1:]), percentile(fetches[1:], 0.95))
    )
    return "\n".join(lines) + "\n"
