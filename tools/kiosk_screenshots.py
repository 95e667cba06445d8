"""``make screenshots`` (kiosk part): the kiosk's screens, offscreen, on a real kiosk store, as PNG files.

Sets up a temporary desk and a kiosk from its exported office key (``tests/kiosk_support.py``; no personal data
anywhere: the kiosk shows only the catalogue), opens the real kiosk window as staff would, and saves for each
language (zh_CN, zh_TW, en) and kiosk resolution (1920×1080, 1280×1024): the home screen, an area's question,
a matter's check, a guide, the escape valve, the idle warning, high contrast and the largest text size, to
``build/screenshots/kiosk-<lang>-<WxH>-<screen>.png`` (plus ``-full`` for a page taller than the screen).
The platform voice is a silent stand-in that has no Chinese voice, so the read-aloud message shows.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication, QWidget

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from fzmediate.i18n import set_locale  # noqa: E402
from fzmediate.kiosk.printouts import KioskPrinter  # noqa: E402
from tests.kiosk_support import make_desk, make_kiosk  # noqa: E402
from tests.support import KIOSK_PW, FakeClock  # noqa: E402
from tools.screenshots import settle  # noqa: E402
from ui.kiosk.look import TEXT_STEPS, apply_kiosk_look  # noqa: E402
from ui.kiosk.shell import KioskOptions, KioskShell  # noqa: E402
from ui.ops import Ops  # noqa: E402
from ui.pyside_compat import pin_singletons  # noqa: E402

LANGS = ("zh_CN", "zh_TW", "en")
RESOLUTIONS = ((1920, 1080), (1280, 1024))
#: An area with two matters (a question comes first), and the matter whose guide is shown.
AREA = "房屋土地征收"
MATTER = "PS-TJ-007"


class _EnglishOnlyVoice:
    def languages(self) -> frozenset[str]:
        return frozenset({"en"})

    def speak(self, text: str, language: str) -> None:
        return None

    def stop(self) -> None:
        return None


def _save(widget: QWidget, out: Path, name: str) -> int:
    out.mkdir(parents=True, exist_ok=True)
    widget.grab().save(str(out / (name + ".png")))
    return 1


def _save_page(shell: KioskShell, out: Path, name: str) -> int:
    count = _save(shell, out, name)
    page = shell.stack.currentWidget()
    body = getattr(page, "body", None)
    if body is not None and body.widget().height() > body.viewport().height() + 8:
        count += _save(body.widget(), out, name + "-full")
    return count


def shoot(out: Path, langs: tuple[str, ...]) -> int:
    app = QApplication.instance() or QApplication(["kiosk-screenshots"])
    assert isinstance(app, QApplication)
    count = 0
    with tempfile.TemporaryDirectory() as tmp:
        clock = FakeClock()
        device = make_kiosk(Path(tmp), clock, make_desk(Path(tmp), clock))
        ops = Ops()
        try:
            for lang in langs:
                for width, height in RESOLUTIONS:
                    set_locale(lang)
                    apply_kiosk_look(app, lang)
                    options = KioskOptions(locale=lang, printer=KioskPrinter(), voice=_EnglishOnlyVoice())
                    shell = KioskShell(device, ops, options)
                    shell.resize(width, height)
                    shell.show()
                    prefix = "kiosk-{0}-{1}x{2}-".format(lang, width, height)
                    count += _walk(app, ops, shell, out, prefix)
                    shell.leave()
                    settle(app, ops, 50)
                    shell.deleteLater()
                    settle(app, ops, 50)
        finally:
            ops.shutdown()
    return count


def _walk(app: QApplication, ops: Ops, shell: KioskShell, out: Path, prefix: str) -> int:
    count = _save(shell, out, prefix + "staff-start")
    shell.unlock_screen.password.setText(KIOSK_PW)
    shell.unlock_screen.submit()
    end = time.monotonic() + 60
    while shell.home is None and time.monotonic() < end:
        app.processEvents()
        time.sleep(0.01)
    settle(app, ops, 150)
    assert shell.home is not None and shell.question is not None and shell.guide is not None
    count += _save_page(shell, out, prefix + "home")
    shell.open_area(AREA)
    settle(app, ops, 100)
    count += _save_page(shell, out, prefix + "area-question")
    shell.question.choice_buttons[0].click()
    settle(app, ops, 100)
    count += _save_page(shell, out, prefix + "check")
    shell.open_guide(MATTER)
    settle(app, ops, 100)
    count += _save_page(shell, out, prefix + "guide")
    shell.guide.read_bar.read()
    settle(app, ops, 150)
    count += _save(shell, out, prefix + "guide-no-voice")
    shell.open_ask()
    settle(app, ops, 100)
    count += _save_page(shell, out, prefix + "escape")
    shell.go_home()
    shell.timer._warn()
    settle(app, ops, 100)
    count += _save(shell, out, prefix + "idle-warning")
    shell.timer.more_time()
    shell.set_high_contrast(True)
    settle(app, ops, 100)
    count += _save_page(shell, out, prefix + "high-contrast-home")
    shell.open_guide(MATTER)
    settle(app, ops, 100)
    count += _save_page(shell, out, prefix + "high-contrast-guide")
    shell.set_high_contrast(False)
    while shell.text_scale != TEXT_STEPS[-1]:
        shell.larger_text()
    shell.go_home()
    settle(app, ops, 150)
    count += _save_page(shell, out, prefix + "larger-text-home")
    shell.open_guide(MATTER)
    settle(app, ops, 150)
    count += _save_page(shell, out, prefix + "larger-text-guide")
    shell.ask_staff()
    settle(app, ops, 100)
    count += _save(shell, out, prefix + "staff-exit")
    shell.end_visit()
    settle(app, ops, 50)
    return count


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "screenshots")
    parser.add_argument("--lang", action="append", choices=LANGS)
    args = parser.parse_args(argv)
    pin_singletons()
    started = time.monotonic()
    count = shoot(args.out, tuple(args.lang or LANGS))
    print("{0} kiosk screenshots in {1} ({2:.0f} s)".format(count, args.out, time.monotonic() - started))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
