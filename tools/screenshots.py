"""``make screenshots``: the desk's main screens, driven offscreen on a real store, as PNG files.

Builds a temporary encrypted store with the test staff, cases at each stage of the procedure (synthetic
people only: ``tests/documents/case_lifecycles.py``) and, by default, 100,000 bulk-seeded cases
(``bench.bench_cases.seed``; ``SCREENSHOT_CASES=0`` skips them), then for each language (zh_CN, zh_TW, en) and
text size (100 %, 175 %) opens the real main window and saves every screen to ``build/screenshots/``:
``<lang>-<size>-<screen>.png``. Used for the docs and for looking at every screen before an issue is resolved.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication, QWidget

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from fzmediate.i18n import set_locale  # noqa: E402
from fzmediate.services.workspace import Workspace  # noqa: E402
from fzmediate.settings import Settings  # noqa: E402
from tests.documents import case_lifecycles as life  # noqa: E402
from tests.support import FAST_KDF, FakeClock  # noqa: E402
from ui.app import prepare_application  # noqa: E402
from ui.desk.main_window import MainWindow  # noqa: E402
from ui.ops import Ops  # noqa: E402
from ui.session_context import SessionContext  # noqa: E402

LANGS = ("zh_CN", "zh_TW", "en")
SIZES = (100, 175)
WINDOW = {100: (1440, 900), 175: (1920, 1080)}


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


def prepare_store(data_dir: Path, cases: int) -> tuple[Workspace, dict[str, str]]:
    ws = Workspace(data_dir, kdf=FAST_KDF, clock=FakeClock())
    ws.initialize("admin", life.ADMIN_PW, full_name="管理员", unit=life.OFFICE_UNIT)
    life.staff(ws)
    stages: dict[str, str] = {}
    with ws.unlock(*life.MEDIATOR) as s:
        stages["registered"] = s.cases.create(life.mediation_intake("2026-11-20"), confirm_duplicate=True).id
        stages["agreed"] = life.agreed_case(s)
        stages["failed"] = life.failed_case(s)
        if cases:
            import random

            os.environ["BENCH_CASES"] = str(cases)
            from bench import bench_cases

            bench_cases.CASES = cases
            bench_cases.seed(s, random.Random(2026))
    return ws, stages


def shoot(out: Path, ws: Workspace, stages: dict[str, str], langs: tuple[str, ...], sizes: tuple[int, ...]) -> int:
    app = QApplication.instance() or QApplication([sys.argv[0]])
    assert isinstance(app, QApplication)
    ops = Ops()
    count = 0
    for login, password in (life.MEDIATOR, life.SUPERVISOR):
        session = ws.unlock(login, password)
        context = SessionContext(ops, session)
        for lang in langs:
            for size in sizes:
                set_locale(lang)
                prepare_application(app, lang, text_scale=size)
                window = MainWindow(context.actor, context, settings=Settings(locale=lang, text_scale=size))
                window.resize(*WINDOW[size])
                window.show()
                settle(app, ops)
                prefix = "{0}-{1}-{2}".format(lang, size, login)
                for key in list(window.pages):
                    window.show_page(key)
                    settle(app, ops)
                    save(window, out, "{0}-{1}".format(prefix, key))
                    count += 1
                for stage, case_id in stages.items():
                    window.open_case(case_id)
                    settle(app, ops, 600)
                    save(window, out, "{0}-case-{1}".format(prefix, stage))
                    count += 1
                for extra in EXTRA_SHOTS:
                    count += extra(app, ops, window, out, prefix)
                window.close_quietly()
                window.deleteLater()
                settle(app, ops, 50)
        done: list[bool] = []
        context.close(on_done=lambda done=done: done.append(True))
        while not done:
            app.processEvents()
            time.sleep(0.01)
    ops.shutdown()
    return count


#: Screens reached through dialogs (intake, act form with an error, documents, statistics …): each takes
#: (app, ops, window, out, prefix) and returns how many PNGs it wrote.
EXTRA_SHOTS: list[Callable[[QApplication, Ops, MainWindow, Path, str], int]] = []


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "screenshots")
    parser.add_argument("--cases", type=int, default=int(os.environ.get("SCREENSHOT_CASES", "100000")))
    parser.add_argument("--lang", action="append", choices=LANGS)
    parser.add_argument("--size", action="append", type=int, choices=SIZES)
    args = parser.parse_args(argv)
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp:
        ws, stages = prepare_store(Path(tmp) / "data", args.cases)
        count = shoot(args.out, ws, stages, tuple(args.lang or LANGS), tuple(args.size or SIZES))
    print("{0} screenshots in {1} ({2:.0f} s)".format(count, args.out, time.monotonic() - started))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
