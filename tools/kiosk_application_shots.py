"""Screenshots of the kiosk's application form: every page, the keyboard (pinyin candidates, the rare-character
picker), an error, the review page and the receipt (screen and printed PDF), in zh_CN, zh_TW and English at
1920×1080 and 1280×1024, into ``build/screenshots/kiosk-app-<lang>-<size>-<shot>.png``.

Runs offscreen on a temporary kiosk store set up from a temporary desk's key (synthetic people only). The
receipt is printed to a private cupsd's PDF queue when one can start here (root); otherwise the receipt page
shows the printing failure, which is a screen of its own.

    .venv/bin/python -m tools.kiosk_application_shots [--lang zh_CN] [--size 1280x1024]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication, QWidget

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from fzmediate.i18n import set_locale  # noqa: E402
from fzmediate.kiosk.application import STEPS, Step  # noqa: E402
from tests.kiosk_support import make_desk, make_kiosk  # noqa: E402
from tests.support import KIOSK_PW, FakeClock  # noqa: E402
from ui.app import prepare_application  # noqa: E402
from ui.kiosk.application.choice_page import ChoicePage  # noqa: E402
from ui.kiosk.application.flow import ApplicationFlow  # noqa: E402
from ui.kiosk.application.privacy_page import PrivacyPage  # noqa: E402
from ui.kiosk.application.text_page import TextPage  # noqa: E402
from ui.kiosk.env import KioskEnv  # noqa: E402
from ui.ops import Ops  # noqa: E402
from ui.pyside_compat import pin_singletons  # noqa: E402

LANGS = ("zh_CN", "zh_TW", "en")
SIZES = ((1920, 1080), (1280, 1024))
MATTER = "PS-TJ-007"
ANSWERS: dict[Step, Any] = {
    Step.NAME: "王𠮷",
    Step.ID_TYPE: "hk_macao_permit",
    Step.ID_NUMBER: "H12345678",
    Step.PHONE: "13912345678",
    Step.ADDRESS: "广东省深圳市坪山区坪山街道测试路1号",
    Step.OTHER_KIND: "organization",
    Step.OTHER_NAME: "坪山某物业管理有限公司",
    Step.FACTS: "小区电梯从今年八月起停用，业主多次报修，物业公司一直没有修理。",
    Step.CLAIMS: "请求物业公司在一个月内修好电梯，并减免停用期间的电梯费。",
}


def spin(app: QApplication, ops: Ops, ready: Callable[[], bool] = lambda: True, ms: int = 150) -> None:
    end = time.monotonic() + 60
    while (ops.busy or not ready()) and time.monotonic() < end:
        app.processEvents()
        time.sleep(0.01)
    stop = time.monotonic() + ms / 1000
    while time.monotonic() < stop:
        app.processEvents()
        time.sleep(0.01)


def _loaded(flow: ApplicationFlow) -> bool:
    return flow.matter_label.text() != MATTER


def answer(flow: ApplicationFlow) -> None:
    page = flow.page()
    if isinstance(page, PrivacyPage):
        if not page.agree.isChecked():
            page.agree.click()
    elif isinstance(page, ChoicePage):
        page.choose(ANSWERS[page.step])
    elif isinstance(page, TextPage):
        page.set_text(ANSWERS[page.step])


def shoot_flow(app: QApplication, ops: Ops, flow: ApplicationFlow, out: Path, prefix: str) -> int:
    def save(widget: QWidget, name: str) -> int:
        spin(app, ops)
        out.mkdir(parents=True, exist_ok=True)
        widget.grab().save(str(out / "{0}-{1}.png".format(prefix, name)))
        return 1

    count = 0
    keyboard = flow.keyboard
    for i, step in enumerate(STEPS):
        count += save(flow, "{0:02d}-{1}".format(i + 1, step.value))
        if step is Step.NAME:
            for letter in "wang":
                keyboard.keys[letter].click()
            count += save(flow, "02a-name-pinyin")
            keyboard.candidates.buttons[0].click()
            keyboard.rare_button.click()
            count += save(flow, "02b-name-rare-picker")
            for letter in "ji":
                keyboard.keys[letter].click()
            count += save(flow, "02c-name-rare-ji")
            next(c for c in keyboard.picker.cells if c.text() == "𠮷").click()
        if step is Step.ID_NUMBER:
            flow.page().set_text("H1234")  # type: ignore[attr-defined]
            flow.next_button.click()
            count += save(flow, "04a-id-number-error")
        if step is Step.REVIEW:
            break
        answer(flow)
        flow.next_button.click()
    flow.next_button.click()
    spin(app, ops, lambda: flow.stack.currentWidget() is flow.receipt)
    count += save(flow, "12-receipt")
    done = flow.receipt.submitted
    if done is not None and done.pdf and shutil.which("pdftoppm"):
        with tempfile.TemporaryDirectory() as tmp:
            pdf = Path(tmp) / "receipt.pdf"
            pdf.write_bytes(done.pdf)
            target = out / "{0}-12a-receipt-pdf".format(prefix)
            subprocess.run(["pdftoppm", "-png", "-r", "80", "-singlefile", str(pdf), str(target)], check=True)
            count += 1
    flow.reset_visit()
    return count


def shoot(out: Path, langs: tuple[str, ...], sizes: tuple[tuple[int, int], ...]) -> int:
    pin_singletons()
    app = QApplication.instance() or QApplication([sys.argv[0]])
    assert isinstance(app, QApplication)
    ops = Ops()
    cups: Any = None
    try:
        from tests.cups_server import CupsUnavailable, PrivateCups

        try:
            cups = PrivateCups.start()
            queue: str | None = cups.add_pdf_queue()
        except CupsUnavailable:
            cups, queue = None, "no-printer-here"
        count = 0
        with tempfile.TemporaryDirectory() as tmp:
            clock = FakeClock()
            device = make_kiosk(Path(tmp), clock, make_desk(Path(tmp), clock))
            with device.open(KIOSK_PW) as service:
                for lang in langs:
                    set_locale(lang)
                    prepare_application(app, lang)
                    for width, height in sizes:
                        flow = ApplicationFlow(
                            KioskEnv(ops, service), MATTER, printer=queue, print_server=cups.server if cups else None
                        )
                        flow.resize(width, height)
                        flow.show()
                        spin(app, ops, partial(_loaded, flow))
                        prefix = "kiosk-app-{0}-{1}x{2}".format(lang, width, height)
                        count += shoot_flow(app, ops, flow, out, prefix)
                        flow.close()
                        flow.deleteLater()
                        spin(app, ops, ms=50)
        return count
    finally:
        if cups is not None:
            cups.stop()
        ops.shutdown()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "screenshots")
    parser.add_argument("--lang", action="append", choices=LANGS)
    parser.add_argument("--size", action="append", choices=["{0}x{1}".format(*s) for s in SIZES])
    args = parser.parse_args(argv)
    sizes = tuple(tuple(int(n) for n in s.split("x")) for s in args.size) if args.size else SIZES
    started = time.monotonic()
    count = shoot(args.out, tuple(args.lang or LANGS), sizes)  # type: ignore[arg-type]
    print("{0} screenshots in {1} ({2:.0f} s)".format(count, args.out, time.monotonic() - started))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
